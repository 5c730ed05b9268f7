"""The provider data assurance page: headline, the assurance table, charts and the synthetic-data score.

Every sentence is written from the assessment that ran: a section whose check could not run (no record
-level log) is left out with the reason, and nothing is said about data the page does not show.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import stats
from ..page import charts as plots
from ..page import disclosure, show
from .checks import CHECK_NAMES, Assessment, kpi_series, score
from .load import is_bundled

#: What each check looks at, in plain words, and what it leads to.
CHECK_TEXT = {
    "not_reported": (("Every count in the return is zero: it was not filled in. Treated as a missing return, "
                     "never as 0% performance."), "Reject"),
    "consistency": (("The return agrees with itself: parts are no larger than wholes, totals add up, and each "
                    "percentage (and target flag) matches its own counts."), "Reject"),
    "reconciliation": (("Each count in the return is worked out again from the commissioner's record-level log "
                       "(one row per call, with its times) and compared."), "Reject"),
    "coverage": ("Days with no record at all, when the provider usually has many calls on that kind of day.",
                 "Query"),
    "bunching": (("Recorded times piled up just inside a time limit (for example many calls answered at 51 to 60 "
                 "seconds and few at 61 to 70), compared with the smooth pattern around the limit."), "Query"),
    "spc": (("A sudden jump, in one step, to better performance than the provider's own usual range from "
            "period to period."), "Query"),
    "repeats": ("The same counts as an earlier period: all of them (a copied return) or at least half.",
                "Reject if all, query if half"),
    "just_above": (("Performance just above the standard in far more periods than the provider's usual level and "
                   "spread would put there."), "Query"),
    "stability": ("Performance that varies less from period to period than chance alone would make it.",
                  "Query (whole year)"),
    "digits": ("Last digits of the reported counts far from even (invented numbers often end in 0 or 5).",
               "Query (whole year)"),
    "case_mix": (("Fewer cases classed urgent than in the provider's other periods: moving cases out of urgent "
                 "flatters the urgent targets."), "Query"),
}
ORDER = ("not_reported", "consistency", "reconciliation", "repeats", "coverage", "bunching", "case_mix", "spc",
         "just_above", "stability", "digits")
#: Glossary terms the page uses (page/glossary.toml).
GLOSSARY = ("assurance_decision", "reconciliation", "tolerance", "bunching", "spc", "p_value",
            "digit_preference", "case_mix_shift", "false_alarm")


def synthetic_description(returns_path: str | Path | None, returns: pd.DataFrame) -> str | None:
    """What the data are, in plain words, when they are the bundled synthetic returns; None otherwise."""
    if not is_bundled(returns_path):
        return None
    first, last = returns["period"].min(), returns["period"].max()
    return (f"invented monthly returns and call records from {first:%B %Y} to {last:%B %Y} for "
            f"{returns['provider_code'].nunique()} fictional out-of-hours providers, with manipulations planted on "
            "purpose; not real NHS data")


def header(assessment: Assessment) -> tuple[str, str]:
    """The lede and the period covered."""
    returns = assessment.returns
    weekly = returns.attrs.get("layout") == "iucadc"
    first, last = returns["period"].min(), returns["period"].max()
    if weekly:
        period = f"weeks ending {first:%-d %B %Y} to {last:%-d %B %Y}"
    else:
        period = f"{first:%B %Y} to {last:%B %Y}"
    evidence = ("checked against the commissioner's record-level logs" if assessment.recomputed is not None
                else "checked for consistency and over time (no record-level logs)")
    return ((f"{len(returns):,} {'weekly' if weekly else 'monthly'} returns from "
            f"{returns['provider_code'].nunique()} providers, {period}, {evidence}."), period)


def coverage(assessment: Assessment) -> str:
    """What the page covers, for its header's "Area": the IUC ADC returns are England's contracts; other
    returns are the providers in the file."""
    returns = assessment.returns
    count = returns["provider_code"].nunique()
    if returns.attrs.get("layout") == "iucadc":
        return f"England ({count} NHS 111 contracts)"
    return f"{count} provider{'' if count == 1 else 's'} in the returns file"


def _periods_text(labels: list[str]) -> str:
    labels = list(dict.fromkeys(labels))
    if len(labels) > 4:
        return f"{labels[0]} and {len(labels) - 1} other periods"
    return plots.list_names(labels)


def _by_provider(periods: pd.DataFrame) -> str:
    parts = [f"{name} ({_periods_text(list(group['period_label']))})"
             for name, group in periods.groupby("provider_name", sort=False)]
    return "; ".join(parts)


def headline(assessment: Assessment, truth: pd.DataFrame | None = None) -> list[str]:
    """Plain-English findings: decisions, what was rejected and queried and why, defects, the score."""
    periods = assessment.periods
    counts = periods["decision"].value_counts()
    defective = [assessment.definitions.kpis[k].name.lower() for k in dict.fromkeys(assessment.defects["kpi"])]
    others = [k.name.lower() for k in assessment.definitions.kpis.values() if k.name.lower() not in defective]
    judged = (f" on {plots.list_names(others)} ({plots.list_names(defective)} is rejected in every return: see "
              "the next point)" if defective and others else "")

    def number(decision: str) -> str:
        return f"{counts.get(decision, 0):,}" if counts.get(decision, 0) else "none"

    sentences = [(f"Of {len(periods):,} returns checked{judged}, {number('accept')} can be accepted, "
                 f"{number('query')} should be queried with the provider and {number('reject')} rejected.")]
    sentences += defect_sentences(assessment)
    findings = assessment.findings.dropna(subset=["period"])
    defective = set(assessment.defects["kpi"])
    for check in ORDER:
        if check in ("not_reported",):
            continue
        hit = findings[(findings["check"] == check) & ~findings["kpi"].isin(defective)]
        if hit.empty:
            continue
        keys = hit[["provider_code", "period"]].drop_duplicates()
        flagged = periods.merge(keys, on=["provider_code", "period"])
        if len(flagged) > 12:
            providers = flagged["provider_name"].nunique()
            where = f"across {providers} provider{'s' if providers > 1 else ''}"
        else:
            where = _by_provider(flagged)
        sentences.append(f"{CHECK_NAMES[check]}: {len(flagged)} return{'s' if len(flagged) > 1 else ''}, "
                         f"{where}.")
    if not assessment.provider_findings.empty:
        names = assessment.returns.drop_duplicates("provider_code").set_index("provider_code")["provider_name"]
        for row in assessment.provider_findings.itertuples():
            sentences.append(f"{CHECK_NAMES[row.check]} over the whole period: {names[row.provider_code]}.")
    if assessment.recomputed is None:
        sentences.append("No record-level logs were given, so only each return's own consistency and its pattern "
                         "over time could be checked: a return that passes these checks may still be wrong.")
    if truth is not None:
        sentences.append(score_sentence(assessment, truth))
    return sentences


def defect_sentences(assessment: Assessment) -> list[str]:
    """Rules broken in most returns (a defect of the source), and returns that report nothing."""
    sentences = []
    names = {k: v.name for k, v in assessment.definitions.kpis.items()}
    live = assessment.returns
    for kpi, group in assessment.defects.groupby("kpi", sort=False):
        rules = "; ".join(f"the rule “{r.rule}” fails in "
                          + (f"all {r.returns:,}" if r.failing == r.returns else f"{r.failing:,} of the {r.returns:,}")
                          + " returns with activity" for r in group.itertuples())
        extra = ""
        if kpi == "abandoned" and {"calls_abandoned", "calls_received"} <= set(live):
            equal = int(((live["calls_abandoned"] == live["calls_received"]) & (live["calls_received"] > 0)).sum())
            extra = f" (in {equal:,} of them calls abandoned equal calls received)" if equal else ""
        sentences.append(f"{names[kpi]} cannot be right as published: {rules}{extra}. This is a defect in how the "
                         "figures were produced, not in one provider's return: every return's figure is rejected.")
    zero = assessment.findings[assessment.findings["check"] == "not_reported"].drop_duplicates(
        ["provider_code", "period"])
    if not zero.empty:
        flagged = assessment.periods.merge(zero[["provider_code", "period"]], on=["provider_code", "period"])
        everyone = flagged.groupby("period")["provider_code"].nunique()
        complete = everyone[everyone == assessment.returns["provider_code"].nunique()].index
        parts = [f"every provider in {_the(flagged.loc[flagged['period'] == p, 'period_label'].iloc[0])}"
                 for p in complete]
        rest = flagged[~flagged["period"].isin(complete)]
        parts += [f"{r.provider_name} ({r.provider_code}) in {_the(r.period_label)}" for r in rest.itertuples()]
        sentences.append(f"{len(flagged):,} returns report nothing but zeros: {plots.list_names(parts)}. They are "
                         "missing returns, not 0% performance, and are rejected until filled in.")
    return sentences


def _the(label: str) -> str:
    """ "the week ending 5 Apr 2026" for a weekly label; a month label as it is."""
    return f"the {label}" if label.startswith("week") else label


def score_sentence(assessment: Assessment, truth: pd.DataFrame) -> str:
    """How many planted manipulations were found and how many clean returns were flagged."""
    by_type, _ = score(assessment, truth)
    planted = by_type[by_type["manipulation"] != "none (clean)"]
    clean = by_type[by_type["manipulation"] == "none (clean)"].iloc[0]
    found_types = int((planted["flagged"] > 0).sum())
    return (f"On this invented data the planted manipulations are known: {found_types} of {len(planted)} kinds "
            f"were found ({int(planted['flagged'].sum())} of {int(planted['provider_periods'].sum())} manipulated "
            f"returns queried or rejected), and {int(clean['flagged'])} of {int(clean['provider_periods'])} clean "
            f"returns were flagged (false alarms).")


def checks_table(assessment: Assessment) -> pd.DataFrame:
    """Each check: what it looks at, what it leads to, and whether it ran on these data."""
    rows = []
    for check in ORDER:
        text, outcome = CHECK_TEXT[check]
        ran = check in assessment.checks_run
        why_not = ("No: the returns have no case priorities" if check == "case_mix"
                   else "No: needs record-level logs")
        rows.append({"Check": CHECK_NAMES[check], "What it looks at": text, "Leads to": outcome,
                     "Ran here": "Yes" if ran else why_not})
    return pd.DataFrame(rows)


def settings_table(assessment: Assessment) -> pd.DataFrame:
    """The settings the checks used (from definitions.toml), in words."""
    checks = assessment.definitions.checks
    tolerance = checks["reconciliation"]
    rows = [("Reconciliation tolerance", (f"a count may differ from the records by {tolerance['tolerance_count']} "
             f"or {tolerance['tolerance_share']:.1%} of it, whichever is larger")),
            ("Percentages", (f"must match their counts to within {checks['percent_rounding']['tolerance_points']:.2f} "
             "percentage points (rounding to one decimal place)")),
            ("Times bunched inside a limit", (f"queried when the chance of so many just inside is below "
             f"{checks['bunching']['alpha']:g}, with at least {checks['bunching']['min_window_records']} records in "
             "the window tested")),
            ("Unusual jump", ("a point outside the provider's own process limits, in the better direction, reached "
             "by a move from the period before beyond 3.267 average moving ranges")),
            ("Just above the standard", (f"within {checks['just_above']['band_share']:.0%} of the cases (at least one) "
             f"above it; queried when the chance is below {checks['just_above']['alpha']:g} and at least "
             f"{checks['just_above']['min_periods']} periods are there; periods with fewer than "
             f"{checks['just_above']['min_denominator']} cases are not tested")),
            ("Shift in case mix", f"queried when the chance is below {checks['case_mix']['alpha']:g}"),
            ("Too stable", f"queried when the chance is below {checks['stability']['alpha']:g}"),
            ("Last-digit preference", (f"counts of {checks['digits']['min_count']} or more; queried when the chance, "
             f"corrected for testing every provider, is below {checks['digits']['alpha']:g}")),
            ("Days missing", (f"a run of days with no record whose chance, from the usual volume, is below "
             f"{checks['coverage']['alpha']:g} divided by the number of days in the log"))]
    return pd.DataFrame(rows, columns=["Check", "Setting"])


def decision_table(assessment: Assessment) -> pd.DataFrame:
    """One row per provider, period and KPI that is not accepted: decision, checks and reasons (readable)."""
    names = {k: v.name for k, v in assessment.definitions.kpis.items()}
    flagged = assessment.decisions[assessment.decisions["decision"] != "accept"]
    table = flagged.assign(kpi=flagged["kpi"].map(names), decision=flagged["decision"].str.capitalize())
    table = table.sort_values(["provider_code", "period", "kpi"], kind="stable")
    return table[["provider_name", "period_label", "kpi", "decision", "checks", "reasons"]].rename(columns={
        "provider_name": "Provider", "period_label": "Period", "kpi": "KPI", "decision": "Decision",
        "checks": "Checks", "reasons": "Why"}).reset_index(drop=True)


def decisions_csv(assessment: Assessment) -> pd.DataFrame:
    """Every provider, period and KPI with its decision, for the CSV beside the page."""
    table = assessment.decisions.assign(period=assessment.decisions["period"].dt.strftime("%Y-%m-%d"))
    return table[["provider_code", "provider_name", "period", "kpi", "decision", "checks", "reasons"]]


def decision_chart(assessment: Assessment):
    """The grid of decisions, one row per provider and one column per period."""
    return plots.decision_grid_chart(assessment.periods, row_column="provider_code", period_column="period",
                                     label_column="period_label", title="Decision for every return",
                                     name="decisions")


def provider_table(assessment: Assessment) -> pd.DataFrame:
    """One row per provider: its name and the count of returns accepted, queried and rejected."""
    counts = assessment.periods.pivot_table(index=["provider_code", "provider_name"], columns="decision",
                                            values="period", aggfunc="count", fill_value=0)
    counts = counts.reindex(columns=["accept", "query", "reject"], fill_value=0).reset_index()
    return counts.rename(columns={"provider_code": "Code", "provider_name": "Provider", "accept": "Accepted",
                                  "query": "To query", "reject": "Rejected"})


def reconciliation_table(assessment: Assessment) -> pd.DataFrame:
    """Each KPI where the return and the records differ beyond the tolerance: both figures, side by side.
    Counts of 1 to 7 are withheld with the percentages they would reveal."""
    if assessment.recomputed is None:
        return pd.DataFrame()
    hits = assessment.findings[assessment.findings["check"] == "reconciliation"][["provider_code", "period", "kpi"]]
    merged = assessment.returns.merge(assessment.recomputed, on=["provider_code", "period"], suffixes=("", "_rec"))
    rows = []
    for hit in hits.itertuples():
        kpi = assessment.definitions.kpis[hit.kpi]
        row = merged[(merged["provider_code"] == hit.provider_code) & (merged["period"] == hit.period)].iloc[0]
        rows.append({"provider_name": row["provider_name"], "period_label": row["period_label"], "kpi": kpi.name,
                     "reported_events": row[kpi.numerator], "reported_base": row[kpi.denominator],
                     "reported_percent": _share(row[kpi.numerator], row[kpi.denominator]),
                     "records_events": row[f"{kpi.numerator}_rec"], "records_base": row[f"{kpi.denominator}_rec"],
                     "records_percent": _share(row[f"{kpi.numerator}_rec"], row[f"{kpi.denominator}_rec"])})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    counts = ["reported_events", "reported_base", "records_events", "records_base"]
    table[counts] = table[counts].apply(disclosure.whole_counts)
    return disclosure.suppress_small_counts(table, counts, dependent=["reported_percent", "records_percent"])


def _share(x, n) -> float:
    return 100 * float(x) / float(n) if n else float("nan")


def reconciliation_chart(assessment: Assessment):
    """The KPI and provider with the most returns that do not match the records, reported against records."""
    if assessment.recomputed is None:
        return None
    hits = assessment.findings[assessment.findings["check"] == "reconciliation"]
    timed = hits[hits["kpi"].map(lambda k: assessment.definitions.kpis[k].timing is not None)]
    if timed.empty:
        return None
    code, key = timed.groupby(["provider_code", "kpi"]).size().idxmax()
    kpi = assessment.definitions.kpis[key]
    merged = assessment.returns[assessment.returns["provider_code"] == code].merge(
        assessment.recomputed, on=["provider_code", "period"], suffixes=("", "_rec"))
    table = pd.DataFrame({"period": merged["period"], "period_label": merged["period_label"],
                          "reported": merged[kpi.numerator] / merged[kpi.denominator],
                          "records": merged[f"{kpi.numerator}_rec"] / merged[f"{kpi.denominator}_rec"]})
    name = merged["provider_name"].iloc[0]
    return plots.reported_against_records_chart(table, standard=kpi.standard, name=f"reconciliation_{code}_{key}",
                                                title=f"{kpi.name}: {name}, as reported and from the records",
                                                ylabel="%")


def bunching_table(assessment: Assessment) -> pd.DataFrame:
    """Every bunching test that led to a query: records just inside and just over the limit, expected, p."""
    names = {k: v.name for k, v in assessment.definitions.kpis.items()}
    hits = assessment.findings[assessment.findings["check"] == "bunching"]
    lookup = assessment.returns.drop_duplicates(["provider_code", "period"]).set_index(["provider_code", "period"])
    rows = []
    for hit in hits.itertuples():
        result = assessment.bunching[(hit.provider_code, hit.period, hit.kpi)]
        rows.append({"provider_name": lookup.loc[(hit.provider_code, hit.period), "provider_name"],
                     "period_label": lookup.loc[(hit.provider_code, hit.period), "period_label"],
                     "kpi": names[hit.kpi], "inside": result.inside, "outside": result.outside,
                     "expected_inside": result.expected_inside, "p_value": result.p_value})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table[["inside", "outside"]] = table[["inside", "outside"]].apply(disclosure.whole_counts)
    # A small count is withheld with the expected count and p-value: from those two and the other count the
    # number of records tested (and so the small count) could be solved for.
    derived = ["expected_inside", "p_value"]
    table = disclosure.suppress_small_counts(table, ["outside"], dependent=derived)
    return disclosure.suppress_small_counts(table, ["inside"], dependent=derived)


def bunching_chart(assessment: Assessment):
    """The recorded times around the limit for the strongest bunching found (None when none was)."""
    hits = assessment.findings[assessment.findings["check"] == "bunching"]
    if hits.empty:
        return None
    hit = hits.sort_values("p_value", kind="stable").iloc[0]
    kpi = assessment.definitions.kpis[hit["kpi"]]
    timing = kpi.timing
    result = assessment.bunching[(hit["provider_code"], hit["period"], hit["kpi"])]
    unit_seconds, unit = (60, "minutes") if timing["limit_seconds"] >= 600 else (1, "seconds")
    name = assessment.returns.loc[assessment.returns["provider_code"] == hit["provider_code"], "provider_name"].iloc[0]
    return plots.threshold_histogram_chart(result.bins, limit=timing["limit_seconds"],
                                           window=timing["window_seconds"], unit_seconds=unit_seconds, unit=unit,
                                           title=f"{kpi.name}: {name}, {hit['period']:%B %Y}",
                                           name=f"bunching_{hit['provider_code']}_{hit['kpi']}")


def spc_charts(assessment: Assessment, provider_code: str | None) -> list:
    """XmR charts for one provider (none when no provider is given): each KPI on which it has a jump, or
    else its first KPI (KPIs defective at source are left out)."""
    if not provider_code:
        return []
    returns = assessment.returns[assessment.returns["provider_code"] == provider_code]
    live = returns[(returns[[c for c in returns if str(returns[c].dtype) == "Int64"]].fillna(0) != 0).any(axis=1)]
    name = returns["provider_name"].iloc[0]
    out = []
    usable = [k for k in assessment.definitions.kpis.values() if k.key not in set(assessment.defects["kpi"])]
    found = assessment.findings
    jumped = set(found.loc[(found["check"] == "spc") & (found["provider_code"] == provider_code), "kpi"])
    for kpi in [k for k in usable if k.key in jumped] or usable[:1]:
        series = kpi_series(live, kpi)
        if len(series) < 2:
            continue
        chart = stats.xmr(series["value"].to_numpy(), improvement="higher" if kpi.higher_is_better else "lower")
        out.append(plots.spc_chart(chart.assign(period=series["period"].to_numpy()),
                                   title=f"{kpi.name}: {name}", ylabel="%", name=f"spc_{provider_code}_{kpi.key}"))
    return out


def provider_findings_table(assessment: Assessment) -> pd.DataFrame:
    """Findings about a provider's whole year (too stable, last digits), readable."""
    found = assessment.provider_findings
    if found.empty:
        return pd.DataFrame()
    names = assessment.returns.drop_duplicates("provider_code").set_index("provider_code")["provider_name"]
    return pd.DataFrame({"Provider": found["provider_code"].map(names), "Check": found["check"].map(CHECK_NAMES),
                         "Why": found["reason"]})


def score_tables(assessment: Assessment, truth: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The score against the ground truth, readable: by kind of manipulation, and by check."""
    by_type, by_check = score(assessment, truth)
    words = {"inflated": "Compliance inflated in the return", "times_shifted": "Times shifted just inside a limit",
             "copied": "A period copied from an earlier one", "missing_days": "Missing days",
             "totals_wrong": "Totals that do not add up", "reclassified": "Cases re-classified out of urgent",
             "none (clean)": "None (clean returns)"}
    readable = pd.DataFrame({"Manipulation planted": by_type["manipulation"].map(words),
                             "Returns": by_type["provider_periods"],
                             "Queried or rejected": by_type["flagged"],
                             "Rate (%)": (100 * by_type["rate"]).round(0).astype(int),
                             "Found by": by_type["checks"].replace("", "–")})
    by_check = by_check.rename(columns={**{k: words.get(k, k) for k in by_check.columns}, "check": "Check",
                                        "false alarms (clean)": "False alarms (clean returns)"})
    return readable, by_check


def show_findings_table(table: pd.DataFrame, headings: dict[str, str], *, name: str, caption: str,
                        empty_message: str, decimals: dict[str, int] | None = None) -> None:
    """Show a findings table with readable ``headings`` and publish it as ``name.csv``; when it is empty,
    show ``empty_message`` and publish nothing."""
    readable = show.readable_table(table, headings, decimals=decimals) if not table.empty else table
    show.show_table(readable, name=name, caption=caption, csv=None if table.empty else table,
                    empty_message=empty_message)


def show_records_sections(assessment: Assessment) -> None:
    """The two sections that need record-level logs (reconciliation, bunching), or a note that they did not run."""
    if assessment.recomputed is None:
        show.show_section("Checks against the records", [
            ("No record-level logs were given, so the return could not be reconciled with the records and recorded "
            "times could not be tested for bunching at the limits. Ask the provider for record-level data (one row "
            "per call or case, with its times) to run these checks.")])
        return
    tolerance = assessment.definitions.checks["reconciliation"]
    show.show_section("The return against the records", [
        ("Each count in the return was worked out again from the record-level log, month by month, counting a "
        "call in the month it was received. A count may differ by "
        f"{tolerance['tolerance_count']} or {tolerance['tolerance_share']:.1%} (whichever is larger) for records "
        "entered after the return was compiled; beyond that the return is rejected for the KPIs that use it.")])
    chart = reconciliation_chart(assessment)
    if chart is not None:
        show.show_chart(chart)
    show_findings_table(reconciliation_table(assessment), {
        "provider_name": "Provider", "period_label": "Period", "kpi": "KPI", "reported_events": "Return: met",
        "reported_base": "Return: of", "reported_percent": "Return (%)", "records_events": "Records: met",
        "records_base": "Records: of", "records_percent": "Records (%)"},
        name="reconciliation", caption="KPIs where the return and the records differ beyond the tolerance",
        empty_message="Every return matches its records within the tolerance.")
    show.show_section("Times bunched just inside a limit", [
        ("Where a provider edits times to meet a target, records pile up just inside the limit and thin out just "
        "over it. For each provider, month and timed KPI, the records in a narrow window either side of the limit "
        "are compared with the split that the smooth pattern around the window predicts; the test gives the "
        "chance of a pile-up at least this large if nothing had been changed.")])
    chart = bunching_chart(assessment)
    if chart is not None:
        show.show_chart(chart)
    show_findings_table(bunching_table(assessment), {
        "provider_name": "Provider", "period_label": "Period", "kpi": "KPI", "inside": "Just inside",
        "outside": "Just over", "expected_inside": "Expected just inside", "p_value": "Chance (p)"},
        decimals={"p_value": 4, "expected_inside": 0},
        name="bunching", caption="Months where recorded times bunch just inside a limit",
        empty_message="No month shows times bunched just inside a limit.")


def show_score(assessment: Assessment, truth: pd.DataFrame | None) -> None:
    """On synthetic data with its ground truth: how well the checks did (section, two tables)."""
    if truth is None:
        return
    by_type, by_check = score_tables(assessment, truth)
    show.show_section("How well the checks did on this invented data", [
        ("The manipulations were planted on purpose, so the result of every check can be scored. A manipulated "
        "return counts as found when it is queried or rejected; a clean return that is queried or rejected is a "
        "false alarm.")])
    show.show_table(by_type, name="score_by_manipulation", caption="Returns found, by kind of manipulation")
    show.show_table(by_check, name="score_by_check", caption="What each check flagged, by kind of manipulation")


#: Tables longer than this are folded behind their caption.
LONG_TABLE = 20


def show_decisions(assessment: Assessment) -> None:
    """The decision grid, the count per provider, and every return not accepted with its reasons."""
    show.show_chart(decision_chart(assessment))
    show.show_table(provider_table(assessment), name="providers", caption="Returns by provider and decision")
    table = decision_table(assessment)
    show.show_table(table, name="not_accepted", csv=decisions_csv(assessment), collapsed=len(table) > LONG_TABLE,
                    caption="Every return and KPI not accepted, with the reasons",
                    empty_message="Every return can be accepted.")


def show_questions(table: pd.DataFrame) -> None:
    """The questions for each provider (folded away when there are many)."""
    show.show_table(table, name="questions", caption="Questions to put to each provider",
                    collapsed=len(table) > LONG_TABLE, empty_message="There is nothing to ask any provider.")


def show_over_time(assessment: Assessment, provider_code: str | None) -> None:
    """Process-control charts for the chosen provider and the whole-year findings (too stable, last digits)."""
    show.show_charts(spc_charts(assessment, provider_code))
    table = provider_findings_table(assessment)
    show.show_table(table, name="whole_year", caption="Findings about a provider's whole year",
                    empty_message="No provider's figures are too stable from period to period, and no provider's "
                                  "counts favour particular last digits.")
