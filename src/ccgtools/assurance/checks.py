"""The assurance checks: each returns findings, one row per provider, period and KPI it puts in doubt.

A finding has a ``severity``: ``reject`` when the return cannot be right as it stands (it contradicts
itself, it contradicts the records beyond the stated tolerance, it repeats an earlier period, it reports
nothing), ``query`` when it is statistically unusual and the provider should explain it. The decision for
a provider, period and KPI is the worst of its findings: reject, query, or accept when there are none.

Checks (settings in ``definitions.toml``):

=================  ==========================================================================  =========
check              what it looks at                                                            needs log
=================  ==========================================================================  =========
``not_reported``   every count of the period is zero: a return not filled in, not 0%          no
``consistency``    parts no larger than wholes, totals that add up, percentages and flags      no
                   that match their counts
``reconciliation`` each count against the same count recomputed from the records               yes
``coverage``       runs of days with no record that the provider's usual volume makes unlikely yes
``bunching``       recorded times piled up just inside a time limit (binomial test)            yes
``spc``            a sudden jump in a KPI to better than usual (XmR, Making Data Count)        no
``repeats``        counts repeated exactly from an earlier period                              no
``just_above``     periods just above the standard far more often than just below              no
``stability``      a KPI that varies less from period to period than chance allows             no
``digits``         last digits of reported counts against uniform (chi-square, Holm)           no
``case_mix``       fewer cases classed urgent than in the provider's other periods (Fisher)    no
=================  ==========================================================================  =========
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from .. import stats
from ..page.disclosure import DEFAULT_RULE
from .load import Definitions
from .signals import (
    bunching_test,
    case_mix_test,
    digit_preference_test,
    just_above_test,
    just_inside_chance,
    stability_test,
    standard_band,
)

FINDING_COLUMNS = ["provider_code", "period", "kpi", "check", "severity", "reason", "p_value"]
#: A consistency rule failing in more than this share of returns with activity is a defect of the source.
DEFECT_SHARE = 0.05
CHECK_NAMES = {
    "not_reported": "Nothing reported", "consistency": "Internal consistency",
    "reconciliation": "Reconciliation with the records", "coverage": "Days missing from the records",
    "bunching": "Times bunched inside a limit", "spc": "Unusual jump", "repeats": "Repeated figures",
    "just_above": "Just above the standard too often", "stability": "Too stable",
    "digits": "Last-digit preference", "case_mix": "Shift in case mix",
}
SEVERITY_ORDER = {"accept": 0, "query": 1, "reject": 2}
#: Count columns in words, for reasons.
COUNT_WORDS = {"calls_answered_60s": "calls answered within 60 seconds",
               "urgent_assessed_20min": "urgent cases assessed within 20 minutes",
               "urgent_f2f": "urgent face-to-face consultations",
               "urgent_f2f_2h": "urgent consultations within 2 hours"}


def _finding(code, period, kpi, check, severity, reason, p_value=float("nan")) -> dict:
    return {"provider_code": code, "period": period, "kpi": kpi, "check": check, "severity": severity,
            "reason": reason, "p_value": p_value}


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def count_text(number) -> str:
    """A count for a sentence: small counts (1 to 7 under the default disclosure rule) as "fewer than 8"."""
    number = int(number)
    if 0 < number < DEFAULT_RULE.smallest_count:
        return f"fewer than {DEFAULT_RULE.smallest_count}"
    return f"{number:,}"


def _pct(x, n) -> str:
    return f"{100 * x / n:.1f}%" if n else "–"


def active(returns: pd.DataFrame, definitions: Definitions) -> pd.Series:
    """Returns with some activity (not every count zero)."""
    counts = [c for c in _count_columns(returns, definitions)]
    return (returns[counts].fillna(0) != 0).any(axis=1)


def _count_columns(returns: pd.DataFrame, definitions: Definitions) -> list[str]:
    columns = {c for k in definitions.kpis.values() for c in (k.numerator, k.denominator)}
    for rule in definitions.rules.values():
        columns.update(c for c in [rule.get("part"), rule.get("whole"), *rule.get("parts", [])] if c)
    extra = definitions.checks.get("case_mix", {}).get("categories", [])
    columns.update(extra)
    return [c for c in returns.columns if c in columns and str(returns[c].dtype) == "Int64"]


def column_kpis(definitions: Definitions) -> dict[str, list[str]]:
    """The KPIs each count column bears on: those that use it, else those whose rules name it."""
    mapping: dict[str, list[str]] = {}
    for kpi in definitions.kpis.values():
        for column in (kpi.numerator, kpi.denominator):
            mapping.setdefault(column, []).append(kpi.key)
    for rule in definitions.rules.values():
        for column in [rule.get("part"), rule.get("whole"), *rule.get("parts", [])]:
            if column and column not in mapping:
                mapping[column] = list(rule["kpis"])
    return mapping


def provider_kpis(returns: pd.DataFrame, definitions: Definitions, skip: set[str] = frozenset()):
    """Each active provider's returns with each KPI not in ``skip``: ``(provider_code, rows, kpi)``."""
    live = returns[active(returns, definitions)]
    for code, group in live.groupby("provider_code", sort=False):
        for kpi in definitions.kpis.values():
            if kpi.key not in skip:
                yield code, group, kpi


def check_not_reported(returns: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """Every count zero: the period was not filled in. Reject every KPI (missing data, not 0%)."""
    empty = returns[~active(returns, definitions)]
    return _frame([_finding(r.provider_code, r.period, kpi, "not_reported", "reject",
                            "every count is zero: the return was not filled in (missing, not 0% performance)")
                   for r in empty.itertuples() for kpi in definitions.kpis])


def check_consistency(returns: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """Rules of ``definitions.toml``: parts within wholes, sums, percentages and flags matching their counts."""
    rows = []
    tolerance = definitions.checks["percent_rounding"]["tolerance_points"]
    live = returns[active(returns, definitions)]
    for rule in definitions.rules.values():
        kind = rule["kind"]
        if kind == "part":
            part, whole = live[rule["part"]], live[rule["whole"]]
            bad = (part > whole).fillna(False)
            detail = [f"{COUNT_WORDS.get(rule['part'], rule['part'].replace('_', ' '))} {p:,} above "
                      f"{COUNT_WORDS.get(rule['whole'], rule['whole'].replace('_', ' '))} {w:,}"
                      for p, w in zip(part[bad], whole[bad])]
        elif kind in ("sum", "sum_at_most"):
            total = live[list(rule["parts"])].sum(axis=1, min_count=len(rule["parts"]))
            whole = live[rule["whole"]]
            bad = ((total != whole) if kind == "sum" else (total > whole)).fillna(False)
            names = " + ".join(p.replace("_", " ") for p in rule["parts"])
            detail = [f"{names} = {t:,} against {rule['whole'].replace('_', ' ')} {w:,}"
                      for t, w in zip(total[bad], whole[bad])]
        elif kind == "percent":
            kpi = definitions.kpis[rule["kpi"]]
            if kpi.percent is None or kpi.percent not in live:
                continue
            x, n = live[kpi.numerator].astype(float), live[kpi.denominator].astype(float)
            computed = 100 * x / n.where(n > 0)
            bad = ((live[kpi.percent] - computed).abs() > tolerance).fillna(False)
            detail = [f"reported {r:.1f}%, but {int(a):,} of {int(b):,} is {c:.1f}%"
                      for r, a, b, c in zip(live.loc[bad, kpi.percent], x[bad], n[bad], computed[bad])]
        else:  # flag
            kpi = definitions.kpis[rule["kpi"]]
            if rule["flag"] not in live:
                continue
            x, n = live[kpi.numerator].astype(float), live[kpi.denominator].astype(float)
            meets = (x >= kpi.standard * n).where(n > 0)
            bad = ((live[rule["flag"]].astype(float) == 1) != meets).where(meets.notna(), False).astype(bool)
            detail = [f"flag {int(f)} but {_pct(a, b)}" for f, a, b in zip(live.loc[bad, rule["flag"]], x[bad], n[bad])]
        for r, text in zip(live[bad].itertuples(), detail):
            for kpi in rule["kpis"]:
                rows.append(_finding(r.provider_code, r.period, kpi, "consistency", "reject",
                                     f"fails “{rule['text']}”: {text}"))
    return _frame(rows)


def defects(returns: pd.DataFrame, definitions: Definitions, consistency: pd.DataFrame) -> pd.DataFrame:
    """Consistency rules failing in more than :data:`DEFECT_SHARE` of returns with activity: a defect of the
    source rather than of a provider. Columns ``kpi``, ``rule``, ``failing``, ``returns``, ``share``."""
    live = int(active(returns, definitions).sum())
    if consistency.empty or not live:
        return pd.DataFrame(columns=["kpi", "rule", "failing", "returns", "share"])
    rule_text = consistency["reason"].str.extract(r"fails “([^”]+)”")[0]
    rows = []
    for (kpi, text), group in consistency.assign(rule=rule_text).groupby(["kpi", "rule"], sort=False):
        failing = len(group.drop_duplicates(["provider_code", "period"]))
        if failing / live > DEFECT_SHARE:
            rows.append({"kpi": kpi, "rule": text, "failing": failing, "returns": live, "share": failing / live})
    return pd.DataFrame(rows, columns=["kpi", "rule", "failing", "returns", "share"])


def recompute(records: pd.DataFrame, definitions: Definitions, frequency: str = "M") -> pd.DataFrame:
    """The return's counts recomputed from the record-level log, per provider and period (by time received).

    Each KPI with a ``timing`` counts the records of its group whose stop minus start is at most the limit.
    """
    frame = records.assign(period=records["received"].dt.to_period(frequency).dt.end_time.dt.normalize())
    answered = frame["answered"].notna()
    urgent = frame["priority"] == "urgent"
    f2f = urgent & frame["face_to_face_started"].notna()
    columns = {"calls_received": pd.Series(True, index=frame.index), "calls_answered": answered,
               "calls_abandoned": ~answered, "cases": frame["priority"].notna(), "urgent_cases": urgent,
               "less_urgent_cases": frame["priority"] == "less urgent",
               "routine_cases": frame["priority"] == "routine", "urgent_f2f": f2f}
    groups = {"answered calls": answered, "urgent cases": urgent & frame["assessment_started"].notna(),
              "urgent cases seen face to face": f2f}
    for kpi in definitions.kpis.values():
        if kpi.timing:
            timing = kpi.timing
            took = (frame[timing["stop"]] - frame[timing["start"]]).dt.total_seconds()
            columns[kpi.numerator] = groups[timing["applies_to"]] & (took <= timing["limit_seconds"])
    flags = pd.DataFrame(columns).astype(int)
    counts = flags.groupby([frame["provider_code"], frame["period"]]).sum()
    return counts.reset_index()


def durations(records: pd.DataFrame, timing: dict) -> pd.Series:
    """Seconds from ``timing['start']`` to ``timing['stop']`` for the records the timing applies to."""
    urgent = records["priority"] == "urgent"
    rows = {"answered calls": records["answered"].notna(),
            "urgent cases": urgent & records["assessment_started"].notna(),
            "urgent cases seen face to face": urgent & records["face_to_face_started"].notna()}[timing["applies_to"]]
    return (records.loc[rows, timing["stop"]] - records.loc[rows, timing["start"]]).dt.total_seconds()


def check_reconciliation(returns: pd.DataFrame, recomputed: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """Every count of the return against the records, tolerance max(``tolerance_count``, share × count)."""
    settings = definitions.checks["reconciliation"]
    merged = returns.merge(recomputed, on=["provider_code", "period"], how="inner", suffixes=("", "_records"))
    mapping = column_kpis(definitions)
    rows = []
    for column in (c for c in recomputed.columns if c in returns.columns and c not in ("provider_code", "period")):
        reported, recorded = merged[column].astype(float), merged[f"{column}_records"].astype(float)
        allowed = np.maximum(settings["tolerance_count"], settings["tolerance_share"] * recorded)
        bad = ((reported - recorded).abs() > allowed).fillna(False)
        for r, a, b in zip(merged[bad].itertuples(), reported[bad], recorded[bad]):
            for kpi in mapping.get(column, list(definitions.kpis)):
                rows.append(_finding(r.provider_code, r.period, kpi, "reconciliation", "reject",
                                     f"{COUNT_WORDS.get(column, column.replace('_', ' '))}: the return says "
                                     f"{count_text(a)}, the records give {count_text(b)}"))
    findings = _frame(rows)
    # One finding per provider, period and KPI, with every count that differs in its reason.
    if findings.empty:
        return findings
    joined = findings.groupby(["provider_code", "period", "kpi"], sort=False).agg(
        reason=("reason", "; ".join)).reset_index()
    return _frame([_finding(r.provider_code, r.period, r.kpi, "reconciliation", "reject", r.reason)
                   for r in joined.itertuples()])


def check_coverage(records: pd.DataFrame, returns: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """Runs of days with no record in the log that the provider's usual volume makes unlikely.

    A provider's usual calls a day is the median over its weekdays, or over its weekend days; a day with
    none has Poisson probability exp(−usual). A run of consecutive empty days is queried when the product
    of those probabilities is below ``alpha`` divided by the number of days in the log (a Bonferroni
    correction: one provider-year holds hundreds of chances for a quiet day).
    """
    alpha = definitions.checks["coverage"]["alpha"]
    rows = []
    for code, group in records.groupby("provider_code"):
        days = group["received"].dt.normalize()
        span = pd.date_range(days.min(), days.max(), freq="D")
        per_day = days.value_counts().reindex(span, fill_value=0)
        weekend = per_day.index.day_of_week >= 5
        usual = per_day.groupby(weekend).transform("median")
        empty = (per_day == 0).to_numpy()
        run_id = np.cumsum(~empty)
        for _, run in pd.Series(per_day.index[empty]).groupby(run_id[empty]):
            chance = float(np.exp(-usual[run.to_numpy()].sum()))
            if chance >= alpha / len(span):
                continue
            period = run.iloc[-1].to_period("M").end_time.normalize()
            listed = ", ".join(f"{d:%-d}" for d in run)
            reason = (f"{len(run)} day{'s' if len(run) > 1 else ''} with no record at all ({listed} "
                      f"{run.iloc[0]:%B}), where the provider usually has {usual[run.to_numpy()].min():.0f} or "
                      "more calls a day")
            for kpi in definitions.kpis:
                rows.append(_finding(code, period, kpi, "coverage", "query", reason, chance))
    frame = _frame(rows)
    return frame[frame["period"].isin(returns["period"])] if not frame.empty else frame


def check_bunching(records: pd.DataFrame, definitions: Definitions, frequency: str = "M") -> tuple[pd.DataFrame, dict]:
    """Bunching just inside each timed KPI's limit, per provider and period (:func:`signals.bunching_test`).

    Returns the findings and every test's result keyed by (provider, period, KPI), for the charts.
    """
    settings = definitions.checks["bunching"]
    periods = records["received"].dt.to_period(frequency).dt.end_time.dt.normalize()
    rows, results = [], {}
    for kpi in (k for k in definitions.kpis.values() if k.timing):
        timing = kpi.timing
        took = durations(records, timing)
        keys = pd.DataFrame({"provider_code": records.loc[took.index, "provider_code"],
                             "period": periods[took.index]})
        for (code, period), values in took.groupby([keys["provider_code"], keys["period"]]):
            result = bunching_test(values, timing["limit_seconds"], bin_width=timing["bin_seconds"],
                                   window=timing["window_seconds"], fit_range=timing["fit_seconds"])
            results[(code, period, kpi.key)] = result
            enough = result.inside + result.outside >= settings["min_window_records"]
            if enough and result.p_value < settings["alpha"]:
                window = _duration_text(timing["window_seconds"])
                rows.append(_finding(code, period, kpi.key, "bunching", "query",
                                     f"{count_text(result.inside)} records in the {window} just inside the "
                                     f"{_limit_words(timing['limit_seconds'])} limit and {count_text(result.outside)} "
                                     f"in the {window} just over it, where the smooth pattern around the limit gives "
                                     f"about {result.expected_inside:.0f} inside", result.p_value))
    return _frame(rows), results


def _duration_text(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds // 3600} hour{'s' if seconds > 3600 else ''}"
    if seconds >= 120:
        return f"{seconds // 60} minutes"
    return f"{seconds} seconds"


def _limit_words(seconds: float) -> str:
    """A time limit as an adjective: "60-second", "20-minute", "2-hour"."""
    words = _duration_text(seconds).split()
    return f"{words[0]}-{words[1].rstrip('s')}"


def kpi_series(returns: pd.DataFrame, kpi) -> pd.DataFrame:
    """One provider-KPI's proportion per period, periods with a zero denominator left out."""
    n = returns[kpi.denominator].astype(float)
    return returns.assign(value=returns[kpi.numerator].astype(float) / n.where(n > 0)).dropna(subset=["value"])


def check_spc(returns: pd.DataFrame, definitions: Definitions, skip: set[str] = frozenset()) -> pd.DataFrame:
    """XmR special causes by the rules in ``definitions.toml`` in each KPI's series (and any count series
    named there), per provider; KPIs in ``skip`` (defective at source) are not charted.

    With ``flattering_only`` (the default) only jumps in the direction that flatters the provider are
    queried: a sudden drop in performance is no reason to doubt a return. With ``jump_range`` the move
    from the period before must also exceed that many average moving ranges (3.267, the moving-range
    chart's upper limit), so that a steady improvement that ends outside limits fitted to the whole
    period is not called a jump.
    """
    settings = definitions.checks["spc"]
    live = returns[active(returns, definitions)]
    rows = []
    for code, group in live.groupby("provider_code", sort=False):
        series = [(kpi.key, kpi.name.lower(), kpi_series(group, kpi), "higher" if kpi.higher_is_better else "lower",
                   True) for kpi in definitions.kpis.values() if kpi.key not in skip]
        for column in settings["series"]:
            series.append(("", column.replace("_", " "), group.assign(value=group[column].astype(float)), "neutral",
                           False))
        for key, label, frame, improvement, percent in series:
            if len(frame) < settings["min_periods"]:
                continue
            chart = stats.xmr(frame["value"].to_numpy(), improvement=improvement)
            hits = chart["rule"].isin(settings["rules"]).to_numpy().copy()
            if settings.get("flattering_only", True) and improvement != "neutral":
                hits &= (chart["variation"] == "special cause improvement").to_numpy()
            if settings.get("jump_range"):
                # A jump, not a drift: the move from the period before is itself beyond the moving-range
                # chart's upper limit (D4 × the average moving range behind the process limits).
                average_range = (chart["upper_limit"] - chart["mean"]) / stats.spc.LIMIT
                hits &= (chart["moving_range"] > settings["jump_range"] * average_range).fillna(False).to_numpy()
            for (period, value), rule, lower, upper in zip(frame.loc[hits, ["period", "value"]].itertuples(index=False),
                                                          chart.loc[hits, "rule"], chart.loc[hits, "lower_limit"],
                                                          chart.loc[hits, "upper_limit"]):
                shown = (lambda v: f"{100 * v:.1f}%") if percent else (lambda v: f"{v:,.0f}")
                low, high = (max(lower, 0.0), min(upper, 1.0)) if percent else (max(lower, 0.0), upper)
                better = "better" if improvement != "neutral" else "different"
                reason = (f"{label}: {shown(value)}, a sudden jump to {better} than the provider's own usual range "
                          f"of {shown(low)} to {shown(high)} (process limits)")
                for kpi in ([key] if key else list(definitions.kpis)):
                    rows.append(_finding(code, period, kpi, "spc", "query", reason))
    return _frame(rows)


def check_repeats(returns: pd.DataFrame, definitions: Definitions, skip: set[str] = frozenset()) -> pd.DataFrame:
    """Counts repeated exactly from an earlier period of the same provider (all-zero periods left aside).

    Counts that only KPIs in ``skip`` use (defective at source) are left out: a defect such as abandoned
    equal to received would otherwise repeat one coincidence twice.
    """
    settings = definitions.checks["repeats"]
    mapping = column_kpis(definitions)
    counts = [c for c in _count_columns(returns, definitions) if not set(mapping.get(c, [])) <= set(skip)
              or not mapping.get(c)]
    live = returns[active(returns, definitions)]
    rows = []
    for code, group in live.groupby("provider_code", sort=False):
        values = group[counts].astype(float).to_numpy()
        for i in range(1, len(group)):
            big = values[i] >= settings["min_count"]
            same = (values[:i] == values[i]) & big
            matches = same.sum(axis=1)
            j = int(np.argmax(matches))
            whole = bool(np.all(values[j] == values[i]))
            if not whole and matches[j] < max(2, settings["min_share"] * len(counts)):
                continue
            earlier = group["period_label"].iloc[j]
            period = group["period"].iloc[i]
            if whole:
                reason = f"every count is exactly as in {earlier}: the return repeats an earlier period"
                severity = "reject"
            else:
                names = ", ".join(c.replace("_", " ") for c, s in zip(counts, same[j]) if s)
                reason = f"{int(matches[j])} counts exactly as in {earlier} ({names})"
                severity = "query"
            for kpi in definitions.kpis:
                rows.append(_finding(code, period, kpi, "repeats", severity, reason))
    return _frame(rows)


def check_just_above(returns: pd.DataFrame, definitions: Definitions, skip: set[str] = frozenset()) -> pd.DataFrame:
    """Per provider and KPI: periods just inside the standard against the number chance would give there."""
    settings = definitions.checks["just_above"]
    rows = []
    for code, group, kpi in provider_kpis(returns, definitions, skip):
        tested = group[group[kpi.denominator].astype(float) >= settings["min_denominator"]]
        if tested.empty:
            continue
        bands = standard_band(tested[kpi.numerator], tested[kpi.denominator], kpi.standard,
                              higher_is_better=kpi.higher_is_better, band_share=settings["band_share"])
        chances = just_inside_chance(tested[kpi.numerator], tested[kpi.denominator], kpi.standard,
                                     higher_is_better=kpi.higher_is_better, band_share=settings["band_share"])
        inside, expected, p = just_above_test(bands, chances)
        if inside >= settings["min_periods"] and p < settings["alpha"]:
            for period in tested.loc[bands == "just inside", "period"]:
                rows.append(_finding(code, period, kpi.key, "just_above", "query",
                                     f"{kpi.name.lower()}: {inside} of {len(tested)} periods just inside the "
                                     f"standard, where the provider's usual level and spread would put about "
                                     f"{expected:.1f} there", p))
    return _frame(rows)


def check_stability(returns: pd.DataFrame, definitions: Definitions, skip: set[str] = frozenset()) -> pd.DataFrame:
    """Per provider and KPI: less period-to-period variation than binomial chance (a provider-level finding)."""
    settings = definitions.checks["stability"]
    rows = []
    for code, group, kpi in provider_kpis(returns, definitions, skip):
        statistic, df, p = stability_test(group[kpi.numerator], group[kpi.denominator])
        if df + 1 >= settings["min_periods"] and p < settings["alpha"]:
            rows.append(_finding(code, pd.NaT, kpi.key, "stability", "query",
                                 f"{kpi.name.lower()} varies less from period to period than chance alone "
                                 f"would make it (dispersion {statistic:.1f} on {df} degrees of freedom)", p))
    return _frame(rows)


def check_digits(returns: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """Per provider: last digits of reported counts against uniform, Holm-adjusted across providers."""
    settings = definitions.checks["digits"]
    counts = _count_columns(returns, definitions)
    tests = []
    for code, group in returns.groupby("provider_code", sort=False):
        values = pd.Series(group[counts].astype(float).to_numpy().ravel()).dropna()
        values = values[values >= settings["min_count"]]
        if len(values) >= settings["min_digits"]:
            tests.append((code, digit_preference_test(values)))
    if not tests:
        return _frame([])
    adjusted = multipletests([t.p_value for _, t in tests], method="holm")[1]
    rows = []
    for (code, test), p in zip(tests, adjusted):
        if p < settings["alpha"]:
            share = test.counts[test.commonest] / test.digits
            rows.append(_finding(code, pd.NaT, "", "digits", "query",
                                 f"{test.counts[test.commonest]} of {test.digits} reported counts ({share:.0%}) end "
                                 f"in {test.commonest}, where about 10% would by chance (chi-square "
                                 f"{test.statistic:.1f} on 9 degrees of freedom, Holm-adjusted p {p:.2g})", p))
    return _frame(rows)


def check_case_mix(returns: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """Each period's share of urgent cases against the provider's other periods (Fisher, one-sided: fewer)."""
    settings = definitions.checks["case_mix"]
    categories = [c for c in settings["categories"] if c in returns]
    if len(categories) < 2:
        return _frame([])
    live = returns[active(returns, definitions)]
    kpis = [k for k, v in definitions.kpis.items() if v.denominator in categories
            or any(k in r["kpis"] for r in definitions.rules.values() if r.get("whole") == "cases")]
    rows = []
    for code, group in live.groupby("provider_code", sort=False):
        table = group[categories].astype(float)
        total = table.sum()
        for label, row in table.iterrows():
            _odds, p = case_mix_test(0, row.to_numpy(), (total - row).to_numpy())
            if p < settings["alpha"]:
                others = total - row
                shares = "; ".join(f"{c.replace('_cases', '').replace('_', ' ')} {row[c] / row.sum():.0%} "
                                   f"(usually {others[c] / others.sum():.0%})" for c in categories)
                reason = (f"fewer cases classed {categories[0].replace('_cases', '')} than in the provider's other "
                          f"periods: {shares}")
                for kpi in kpis:
                    rows.append(_finding(code, group.loc[label, "period"], kpi, "case_mix", "query", reason, p))
    return _frame(rows)


@dataclass
class Assessment:
    """Everything the checks found on a set of returns (and, when given, their records)."""

    returns: pd.DataFrame
    definitions: Definitions
    findings: pd.DataFrame
    decisions: pd.DataFrame
    periods: pd.DataFrame
    provider_findings: pd.DataFrame
    defects: pd.DataFrame
    checks_run: list[str]
    recomputed: pd.DataFrame | None = None
    bunching: dict = field(default_factory=dict)


def assess(returns: pd.DataFrame, definitions: Definitions, records: pd.DataFrame | None = None,
           *, frequency: str = "M") -> Assessment:
    """Run every check that the data allow and decide accept, query or reject per provider, period and KPI.

    Parameters
    ----------
    returns : pandas.DataFrame
        From :func:`ccgtools.assurance.load.load_returns`.
    definitions : Definitions
        From :func:`ccgtools.assurance.load.load_definitions` (narrowed to the layout's KPIs and rules).
    records : pandas.DataFrame, optional
        The record-level log (:func:`ccgtools.assurance.load.load_records`); without it the
        reconciliation, coverage and bunching checks do not run.
    frequency : str
        The returns' period ("M" months) for grouping the records.
    """
    consistency = check_consistency(returns, definitions)
    defective = defects(returns, definitions, consistency)
    skip = set(defective["kpi"])
    parts = [check_not_reported(returns, definitions), consistency, check_spc(returns, definitions, skip),
             check_repeats(returns, definitions, skip), check_just_above(returns, definitions, skip),
             check_case_mix(returns, definitions)]
    run = ["not_reported", "consistency", "spc", "repeats", "just_above", "stability", "digits"]
    if "less_urgent_cases" in returns:
        run.append("case_mix")
    recomputed, bunching = None, {}
    if records is not None:
        recomputed = recompute(records, definitions, frequency)
        found, bunching = check_bunching(records, definitions, frequency)
        parts += [check_reconciliation(returns, recomputed, definitions),
                  check_coverage(records, returns, definitions), found]
        run += ["reconciliation", "coverage", "bunching"]
    findings = pd.concat([p for p in parts if not p.empty] or [_frame([])], ignore_index=True)
    provider_level = pd.concat([check_stability(returns, definitions, skip), check_digits(returns, definitions)],
                               ignore_index=True)
    decisions = decide(returns, definitions, findings)
    # A KPI defective at source is rejected in every return; the period's decision rests on the others.
    usable = ~decisions["kpi"].isin(skip) if len(skip) < len(definitions.kpis) else decisions["kpi"].notna()
    kept = ~findings["kpi"].isin(skip) | (len(skip) == len(definitions.kpis))
    periods = period_summary(decisions[usable], findings[kept])
    return Assessment(returns, definitions, findings, decisions, periods, provider_level, defective, run,
                      recomputed, bunching)


def decide(returns: pd.DataFrame, definitions: Definitions, findings: pd.DataFrame) -> pd.DataFrame:
    """One row per provider, period and KPI: ``decision`` (accept, query, reject), ``checks`` and ``reasons``."""
    grid = returns[["provider_code", "provider_name", "period", "period_label"]].merge(
        pd.DataFrame({"kpi": list(definitions.kpis)}), how="cross")
    if findings.empty:
        return grid.assign(decision="accept", checks="", reasons="")
    ranked = findings.assign(rank=findings["severity"].map(SEVERITY_ORDER))
    summary = ranked.groupby(["provider_code", "period", "kpi"], sort=False).agg(
        rank=("rank", "max"), checks=("check", lambda c: ", ".join(dict.fromkeys(CHECK_NAMES[x] for x in c))),
        reasons=("reason", lambda r: "; ".join(dict.fromkeys(r)))).reset_index()
    table = grid.merge(summary, on=["provider_code", "period", "kpi"], how="left")
    table["decision"] = table["rank"].map({2: "reject", 1: "query"}).fillna("accept")
    return table.drop(columns="rank").fillna({"checks": "", "reasons": ""})


def period_summary(decisions: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """One row per provider and period: the worst decision over its KPIs and the checks that found something.

    :func:`assess` leaves out KPIs defective at source (rejected in every return), which are reported apart.
    """
    ranked = decisions.assign(rank=decisions["decision"].map(SEVERITY_ORDER))
    table = ranked.groupby(["provider_code", "provider_name", "period", "period_label"], sort=False).agg(
        rank=("rank", "max")).reset_index()
    table["decision"] = table["rank"].map({v: k for k, v in SEVERITY_ORDER.items()})
    checks = (findings.dropna(subset=["period"]).groupby(["provider_code", "period"])["check"]
              .agg(lambda c: sorted(set(c))) if not findings.empty else pd.Series(dtype=object))
    table["checks"] = [checks.get((c, p), []) for c, p in zip(table["provider_code"], table["period"])]
    return table.drop(columns="rank")


def score(assessment: Assessment, truth: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How the checks did against the ground truth of synthetic data.

    Returns
    -------
    (by_type, by_check) : tuple of DataFrame
        ``by_type``: per manipulation type, the provider-periods planted, how many were queried or
        rejected (``detected``, ``rate``) and by which checks; a last row for the clean provider-periods
        with the false alarms. ``by_check``: per check, the planted provider-periods of each type it
        flagged and its false alarms on clean provider-periods.
    """
    periods = assessment.periods.assign(month=assessment.periods["period"].dt.strftime("%Y-%m"))
    joined = periods.merge(truth[["provider_code", "month", "manipulation"]], on=["provider_code", "month"],
                           how="left").fillna({"manipulation": ""})
    rows = []
    for kind, group in joined.groupby("manipulation", sort=False):
        found = group[group["decision"] != "accept"]
        which = sorted({CHECK_NAMES[c] for cs in found["checks"] for c in cs})
        rows.append({"manipulation": kind or "none (clean)", "provider_periods": len(group),
                     "flagged": len(found), "rate": len(found) / len(group), "checks": ", ".join(which)})
    by_type = pd.DataFrame(rows)
    clean = by_type["manipulation"] == "none (clean)"
    by_type = pd.concat([by_type[~clean], by_type[clean]], ignore_index=True)
    check_rows = []
    for check in assessment.checks_run:
        hit = joined["checks"].apply(lambda cs, c=check: c in cs)
        row = {"check": CHECK_NAMES[check]}
        for kind, group in joined.groupby("manipulation", sort=False):
            row[kind or "false alarms (clean)"] = f"{int(hit[group.index].sum())} of {len(group)}"
        check_rows.append(row)
    return by_type, pd.DataFrame(check_rows)
