"""Reporting the practice-variation results: flag steps, movers, outliers, profiles, headline, funnel.

Split from :mod:`ccgtools.practices.variation`, which computes the three views of each practice;
everything here reads a :class:`~ccgtools.practices.variation.VariationResult` and returns a table,
sentences or a chart for the briefing.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .. import stats
from ..errors import ParameterError
from ..page import charts as plots
from .indicators import PracticeIndicator
from .variation import VIEWS, VariationResult

VIEW_NAMES = {"crude": "Crude rate", "age_sex": "Age-sex standardised",
              "case_mix": "Case-mix adjusted", "adjusted": "Fully adjusted (case mix and over-dispersion)"}


def _flags(table: pd.DataFrame, view: str) -> pd.Series:
    """A view's flags with suppressed rows (blank flags) read as not flagged."""
    return table[f"{view}_flag"].fillna("")


def reclassification(table: pd.DataFrame, views: tuple[str, ...] = VIEWS) -> pd.DataFrame:
    """How many practices each view flags (high, low, total), and how many are no longer flagged
    once fully adjusted (counted on the table given: suppressed rows count as not flagged)."""
    rows = []
    for view in views:
        flags = _flags(table, view)
        rows.append({"view": VIEW_NAMES[view], "flagged_high": int((flags == "high").sum()),
                     "flagged_low": int((flags == "low").sum()), "flagged": int((flags != "").sum()),
                     "no_longer_flagged_when_fully_adjusted": int(((flags != "") & (_flags(table, "adjusted") == "")).sum())})
    return pd.DataFrame(rows)


def _allowed_for(result: VariationResult) -> list[str]:
    return [{"imd": "deprivation", "prop65": "the share of patients aged 65+", "rural": "rurality"}[c]
            for c in result.covariates]


#: The age-sex step's name when its rates by age and sex come from the practices themselves (a proportion indicator).
INTERNAL_VIEW_NAME = "Age-sex standardised (rates from these practices)"


def view_name(result: VariationResult, view: str) -> str:
    """The name of a step of this analysis (the age-sex step named for how it was made)."""
    if view == "age_sex" and result.age_sex_method == "internal":
        return INTERNAL_VIEW_NAME
    return VIEW_NAMES[view]


def step_descriptions(result: VariationResult) -> dict[str, str]:
    """What each step of this analysis allows for, in words written for the steps that ran."""
    age_sex = ("Allows for the age and sex of each practice's registered patients (its patients)."
               if result.age_sex_method != "internal" else
               "Allows for the age and sex of each practice's registered patients, using rates by age and sex "
               "worked out from all the practices on the page (its patients).")
    texts = {"crude": "Rate per patient against the overall rate: nothing is allowed for.",
             "age_sex": age_sex,
             "case_mix": f"Also allows for {_join(_allowed_for(result))} (its patients and their area).",
             "adjusted": "Widens the limits for the variation between practices that none of the above explains: "
                         "this may be differences in care or recording as well as unmeasured need, "
                         "so it is not explained by the patients."}
    return {view: texts[view] for view in result.views}


def steps_table(result: VariationResult) -> pd.DataFrame:
    """The flag counts step by step (computed before suppression) with what each step allows for."""
    steps = result.steps.copy()
    steps["allows_for"] = steps["view"].map(step_descriptions(result))
    steps["view"] = [view_name(result, view) for view in steps["view"]]
    return steps[["view", "allows_for", "flagged", "flagged_high", "flagged_low", "removed", "added"]]


#: Practice columns as named in the CSV files (the unit in the name).
DOWNLOAD_COLUMNS = {"crude_rate": "crude_rate_per_1000", "isr": "age_sex_ratio"}


def download(table: pd.DataFrame) -> pd.DataFrame:
    """A practice table (:func:`movers`, :func:`outliers_by_ccg`) as published in its CSV file: the crude rate
    named with its unit (``crude_rate_per_1000``), the age-sex standardised ratio as ``age_sex_ratio``."""
    out = table.rename(columns=DOWNLOAD_COLUMNS)
    out.attrs = dict(table.attrs)
    return out


def steps_download(result: VariationResult) -> pd.DataFrame:
    """:func:`steps_table` as published in ``flag_steps.csv``: whole-number counts of flags at each step."""
    return steps_table(result).rename(columns={"view": "step", "removed": "flags_removed", "added": "flags_added"})


def effects_download(coefficients: pd.DataFrame) -> pd.DataFrame:
    """The covariate effects as published in ``covariate_effects.csv``: each ratio with its 95% interval,
    and the standard deviation a continuous covariate's effect is per."""
    columns = {"covariate": "covariate", "code": "covariate_code", "effect": "effect", "per": "per",
               "ratio": "ratio", "lower_95": "ci_lower_ratio", "upper_95": "ci_upper_ratio", "sd": "covariate_sd"}
    return coefficients[[c for c in columns if c in coefficients]].rename(columns=columns)


def movers(table: pd.DataFrame, limit: int = 15, views: tuple[str, ...] = VIEWS) -> pd.DataFrame:
    """Practices whose flag changes between the crude and the fully adjusted view, largest lists first
    (practices whose counts are suppressed are not listed; columns only for the ``views`` that ran)."""
    table = table[~table["suppressed"]]
    moved = table[table["crude_flag"] != table["adjusted_flag"]]
    columns = ["practice_code", "ccg_code", "list_size", "crude_rate", "crude_flag"]
    columns += ["isr", "age_sex_flag"] if "age_sex" in views else []
    columns += ["case_mix_flag"] if "case_mix" in views else []
    columns += ["adjusted_ratio", "adjusted_flag"]
    return moved.sort_values("list_size", ascending=False)[columns].head(limit).reset_index(drop=True)


MOVER_HEADINGS = {"practice_code": "Practice", "ccg_code": "CCG", "list_size": "Patients",
                  "crude_rate": "Crude rate per 1,000", "crude_flag": "Crude flag", "isr": "Age-sex ratio",
                  "age_sex_flag": "Age-sex flag", "case_mix_flag": "Case-mix flag", "adjusted_ratio": "Adjusted ratio",
                  "adjusted_flag": "Adjusted flag"}


def mover_headings(table: pd.DataFrame) -> dict[str, str]:
    """Readable headings for the columns of a :func:`movers` table."""
    return {column: heading for column, heading in MOVER_HEADINGS.items() if column in table}


def outliers_by_ccg(table: pd.DataFrame) -> pd.DataFrame:
    """Practices still outside the adjusted limits, with their region (or ICB) and CCG (sub-ICB location),
    sorted by those (suppressed rows not listed)."""
    flagged = table[_flags(table, "adjusted") != ""]
    return flagged.sort_values(["region", "ccg_code", "adjusted_ratio"], na_position="last")[
        ["region", "ccg_code", "practice_code", "list_size", "observed", "adjusted_expected", "adjusted_ratio",
         "adjusted_flag"]].reset_index(drop=True)


def practice_profile(table: pd.DataFrame, frame: pd.DataFrame, practice_code: str | None) -> pd.DataFrame:
    """One practice's numbers under each view, beside the median practice (empty when no code is given)."""
    if not practice_code:
        return pd.DataFrame(columns=["measure", "practice", "median practice"])
    if practice_code not in set(table["practice_code"]):
        raise ParameterError(f"practice {practice_code!r} is not in the data analysed")
    row = table.set_index("practice_code").loc[practice_code]
    attributes = frame.set_index("practice_code").loc[practice_code]
    measures = [("Registered patients (or denominator)", row["list_size"], table["list_size"].median())]
    for column, label in (("prop65", "% aged 65+"), ("imd_score", "IMD 2019 score")):
        if column in frame and pd.notna(attributes.get(column)):
            measures.append((label, attributes[column], frame[column].median()))
    measures += [("Events", row["observed"], table["observed"].median()),
                 ("Crude rate per 1,000", row["crude_rate"], table["crude_rate"].median())]
    if table["isr"].notna().any():
        measures.append(("Age-sex ratio (observed / expected for its age-sex mix)", row["isr"], table["isr"].median()))
    measures.append(("Fully adjusted ratio", row["adjusted_ratio"], table["adjusted_ratio"].median()))
    views = [v for v in VIEWS if f"{v}_flag" in table and (v != "age_sex" or table["isr"].notna().any())]
    measures.append(("Flag: " + " / ".join(VIEW_NAMES[v].split(" (")[0].lower() for v in views),
                     " / ".join(row[f"{v}_flag"] or "none" for v in views), ""))
    return pd.DataFrame(measures, columns=["measure", "practice", "median practice"]).astype(object)


def profile_download(table: pd.DataFrame, frame: pd.DataFrame, practice_code: str | None) -> pd.DataFrame:
    """:func:`practice_profile` as published in ``practice_profile.csv``: one row, each of the practice's
    measures beside the median practice's (``median_<measure>``), then the practice's flag at each step."""
    if not practice_code:
        return pd.DataFrame(columns=["practice_code"])
    practice_profile(table, frame, practice_code)  # the same checks of the code
    row = table.set_index("practice_code").loc[practice_code]
    attributes = frame.set_index("practice_code").loc[practice_code]
    measures = [("list_size", row["list_size"], table["list_size"].median())]
    measures += [(name, attributes[column], frame[column].median())
                 for column, name in (("prop65", "aged_65_plus_percent"), ("imd_score", "imd_score"))
                 if column in frame and pd.notna(attributes.get(column))]
    measures += [("observed", row["observed"], table["observed"].median()),
                 ("crude_rate_per_1000", row["crude_rate"], table["crude_rate"].median())]
    if table["isr"].notna().any():
        measures.append(("age_sex_ratio", row["isr"], table["isr"].median()))
    measures.append(("adjusted_ratio", row["adjusted_ratio"], table["adjusted_ratio"].median()))
    profile = {"practice_code": practice_code}
    for name, value, middle in measures:
        profile[name], profile[f"median_{name}"] = float(value), float(middle)
    views = [v for v in VIEWS if f"{v}_flag" in table and (v != "age_sex" or table["isr"].notna().any())]
    profile.update({f"{view}_flag": row[f"{view}_flag"] or None for view in views})  # blank: within the limits
    return pd.DataFrame([profile])


def geography(table: pd.DataFrame, area: str | None = None) -> str:
    """Where the page's practices are, for its header: the area chosen, the one region (or ICB) they are
    all in, up to three by name, or how many there are."""
    if area:
        return str(area)
    regions = sorted({str(r) for r in table["region"] if pd.notna(r)})
    if len(regions) <= 3:
        return _join(regions) or "not recorded"
    return f"{len(regions)} regions or ICBs"


def _join(words: list[str]) -> str:
    return " and ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " and " + words[-1]


def percent_change_text(ratio: float, lower: float, upper: float) -> str:
    """"+20% (95% CI +18% to +22%)", with as many decimals (up to 2) as keep the interval's ends apart
    from the estimate; beyond that, says the interval is narrower than the rounding."""
    places = _places(ratio, lower, upper)
    estimate, low, high = (f"{100 * (v - 1):+.{places}f}%" for v in (ratio, lower, upper))
    if low != estimate and high != estimate:
        return f"{estimate} (95% CI {low} to {high})"
    return f"{estimate} (95% CI narrower than ±0.005%)"


def _places(*ratios: float) -> int:
    """Decimals (0 to 2) that keep every ratio's percentage change apart from the others and from zero."""
    for places in range(3):
        texts = [f"{abs(100 * (v - 1)):.{places}f}" for v in ratios]
        if len(set(texts)) == len(texts) and all(float(t) != 0 for t in texts):
            return places
    return 2


def change_in_words(ratio: float, lower: float, upper: float, noun: str) -> str:
    """A ratio and its 95% interval as a change in plain words.

    "16.5% more events (95% interval 15.9% to 17.1% more)"; for odds "31.6% higher odds (…)"; when
    the interval includes no change, "about the same events (95% interval from 3% fewer to 0.4% more)".
    Decimals are added (up to two) until the estimate and the interval's ends read differently, so an
    effect is never printed as "+0%".
    """
    up, down = ("higher", "lower") if noun == "odds" else ("more", "fewer")
    places = _places(ratio, lower, upper)

    def amount(value: float) -> str:
        change = 100 * (value - 1)
        return f"{abs(change):.{places}f}% {up if change > 0 else down}"

    if lower <= 1 <= upper:
        same = "number of events" if noun == "events" else noun
        return (f"about the same {same} (95% interval from {amount(lower)} to {amount(upper)}: no clear "
                "difference)")
    word = up if ratio > 1 else down
    low, high = sorted((abs(100 * (lower - 1)), abs(100 * (upper - 1))))
    return f"{amount(ratio).replace(word, '').strip()} {word} {noun} (95% interval {low:.{places}f}% to {high:.{places}f}% {word})"


def effect_sentence(row, what: str) -> str:
    """One covariate's effect in plain words: per standard deviation for a continuous covariate, or rural
    against urban practices, other things equal."""
    change = change_in_words(row.ratio, row.lower_95, row.upper_95, what)
    if row.code == "rural":
        if row.lower_95 <= 1 <= row.upper_95:
            return f"Rural and urban practices with otherwise similar patients have {change}."
        return f"Rural practices have {change} than urban practices with otherwise similar patients."
    return (f"{row.covariate[:1].upper() + row.covariate[1:]}: practices {row.per[8:-1]} higher (one standard "
            f"deviation) have {change}, other things equal.")


def step_sentence(result: VariationResult) -> str:
    """The flag counts from crude to fully adjusted, each step worded for what it does.

    The case-mix steps both remove and add flags, so their counts are given as totals, not as what
    is "left"; only widening the limits (which can only remove flags) "leaves" a subset.
    """
    counts = result.steps.set_index("view")["flagged"]
    parts = [f"A crude league table of rates flags {counts['crude']:,} practices"]
    if "age_sex" in counts:
        parts.append(f"allowing for the age and sex of their patients, {counts['age_sex']:,} are flagged")
    if "case_mix" in counts:
        parts.append(f"also allowing for {_join(_allowed_for(result))}, {counts['case_mix']:,}")
    explained = "; ".join(parts) + (" (each of these steps removes some flags and adds others: see the table)."
                                    if len(parts) > 1 else ".")
    return (f"{explained} Widening the limits for the variation between practices that none of this explains "
            f"leaves {counts['adjusted']:,}. The flags removed by this last step are not explained by the patients: "
            "those practices differ no more than practices usually do, and that usual spread may itself be "
            "differences in care.")


def spread_sentence(result: VariationResult) -> str:
    """How much more practices differ than chance alone would make them, in words (the number is in Methods)."""
    if result.fit.phi <= 1:
        return ("Practices differ from one another no more than chance alone would make them, so the limits were "
                "not widened.")
    spread = float(np.sqrt(result.fit.phi))  # φ compares variances; its square root compares spreads
    times = f"about {spread:,.1f} times as widely as" if spread >= 1.5 else "more widely than"
    return (f"Practices differ from one another {times} chance alone would make them, so the limits were "
            "widened to allow for that usual spread before any practice was called unusual.")


def headline(result: VariationResult, *, truth: pd.Series | None = None, label: str = "") -> list[str]:
    """Plain-English findings: how many practices are unusual after adjustment, and which step removed
    the other flags."""
    counts = result.steps.set_index("view")["flagged"]
    name = label or result.indicator.replace("_", " ")
    adjusted_for = _allowed_for(result)
    if "age_sex" in result.views:
        adjusted_for = ["age and sex", *adjusted_for]
    sentences = [
        (f"{name[:1].upper() + name[1:]}: after allowing for {_join(adjusted_for) or 'nothing'}"
        f" and for the usual variation between practices, {counts['adjusted']:,} of {len(result.table):,} practices "
        f"are outside the {100 * result.flag_level:g}% limits."),
        step_sentence(result),
        spread_sentence(result),
    ]
    for row in result.coefficients.itertuples():
        sentences.append(effect_sentence(row, "events" if row.effect == "rate ratio" else "odds"))
    if truth is not None:
        sentences.append(detection_summary(result.table, truth, result.flag_level))
    return sentences


def detection_rates(table: pd.DataFrame, truth: pd.Series, flag_level: float = 0.998) -> pd.DataFrame:
    """Sensitivity and false alarms of each view against planted outliers (synthetic data only).

    Parameters
    ----------
    truth : pandas.Series
        Boolean, indexed by practice_code: True for a planted outlier.
    flag_level : float
        Level of the flagging limits: ``expected_false_alarms`` = (1 − level) × ordinary practices.
    """
    planted = table["practice_code"].map(truth).fillna(False).astype(bool)
    rows = []
    for view in (v for v in VIEWS if f"{v}_flag" in table and ((_flags(table, v) != "").any() or v == "adjusted")):
        flagged = _flags(table, view) != ""
        rows.append({"view": view, "planted": int(planted.sum()), "flagged": int(flagged.sum()),
                     "true_positives": int((flagged & planted).sum()),
                     "false_positives": int((flagged & ~planted).sum()),
                     "expected_false_alarms": (1 - flag_level) * int((~planted).sum()),
                     "sensitivity": (flagged & planted).sum() / max(planted.sum(), 1),
                     "false_positive_rate": (flagged & ~planted).sum() / max((~planted).sum(), 1)})
    return pd.DataFrame(rows)


def detection_summary(table: pd.DataFrame, truth: pd.Series, flag_level: float = 0.998) -> str:
    """One sentence comparing the views against the planted outliers of the synthetic data, with the
    false alarms observed against those the limits' level leads one to expect."""
    rates = detection_rates(table, truth, flag_level).set_index("view")
    adjusted = rates.loc["adjusted"]
    found, planted, false_alarms = (int(adjusted[c]) for c in ("true_positives", "planted", "false_positives"))
    ordinary = len(table) - planted
    return (f"On this synthetic data the planted outliers are known: the fully adjusted analysis found "
            f"{found} of {planted} (sensitivity {adjusted['sensitivity']:.0%}) "
            f"with {false_alarms} false alarm{'' if false_alarms == 1 else 's'} among the {ordinary:,} ordinary "
            "practices, where "
            f"{100 * flag_level:g}% limits lead one to expect about {adjusted['expected_false_alarms']:.1f} "
            f"({100 * (1 - flag_level):.1f}% of them); the crude league table found "
            f"{rates.loc['crude', 'true_positives']} with {rates.loc['crude', 'false_positives']} false alarms.")


def why_adjust(result: VariationResult, label: str, definition: PracticeIndicator | None = None) -> list[str]:
    """Why each adjustment on this page was made, written for the steps that ran and no others.

    With the indicator's ``definition`` (:mod:`ccgtools.practices.indicators`), the text opens with what
    is counted, its source and what besides care makes it vary, and warns when an age-related
    indicator could not be standardised for age.
    """
    items = []
    if definition is not None:
        items.append(f"What is counted: {definition.counts} (source: {definition.source}). "
                     f"Besides care: {definition.varies_with}")
    if "age_sex" in result.views and result.age_sex_method == "internal":
        items.append(f"Practices' {label} may depend on the age and sex of their patients. No published rates by "
                     "age and sex are held for it, so rates for each sex and "
                     f"{result.age_sex_years}-year age band are worked out from all {len(result.table):,} practices "
                     "together (from their counts and NHS Digital's registrations by age and sex), and each practice "
                     "is compared with what those rates predict for its own patients. The rates come from practice "
                     "totals, not from individual patients, so anything else that goes with an old or young list is "
                     "allowed for too; and a practice is compared with these practices' average, not a national "
                     "standard.")
    elif "age_sex" in result.views:
        items.append(f"Practices' {label} depend on the age and sex of their patients: a list with many young "
                     "adults or many retired people differs from the average before care makes any difference. "
                     "The age-sex standardised ratio compares each practice with what reference rates predict for "
                     "its own patients.")
    else:
        items.append(f"No age-sex breakdown is available for {label}, so the page does not standardise for age "
                     "and sex" + (": as this indicator depends on age, a practice with an unusually old or young "
                                  "list may be flagged for that reason alone (give the notebook NHS Digital's "
                                  "registrations by age and sex, quinary_path, to allow for it)."
                                  if definition is not None and definition.age_related else "."))
    if "case_mix" in result.views:
        allowed = _join(_allowed_for(result))
        verb, them = ("also go", "them") if len(result.covariates) > 1 else ("also goes", "it")
        items.append(f"{allowed[:1].upper() + allowed[1:]} {verb} with different {label}; a regression allows for "
                     f"{them} (the estimated effects are below).")
    if result.fit.phi > 1:
        items.append("Even then practices differ from one another by more than chance (see Methods for the measure). "
                     "The last step widens the limits for that spread, which may include differences in care, so a "
                     "flag it removes is not explained by the practice's patients.")
    else:
        items.append("After these steps practices differ from one another no more than chance would make them (see "
                     "Methods for the measure), so the last step does not widen the limits.")
    return items


def methods(result: VariationResult) -> list[str]:
    """The methods and references of the analysis that ran (level, model, estimator) for the page."""
    level = f"{100 * result.flag_level:g}%"
    items = []
    if "age_sex" in result.views and result.age_sex_method == "internal":
        items.append("Indirect standardisation by sex and "
                     f"{result.age_sex_years}-year age band with internally estimated rates (no published rates by age "
                     "and sex for this indicator): each practice's count modelled as Σ patients in a band × that "
                     "band's rate, the rates estimated from every practice's count and its registrations by sex and "
                     "five-year age group (NHS Digital) by iteratively reweighted non-negative least squares (Lawson & "
                     "Hanson 1974); expected = Σ patients × estimated rate; ratio O/E against exact Poisson limits "
                     "(Breslow & Day 1987). An ecological estimate: the rates come from practice totals, so it also "
                     "removes anything else that goes with a practice's age-sex mix, and the comparison is with these "
                     "practices' average, not a national standard.")
    elif "age_sex" in result.views:
        items.append("Indirect standardisation by sex and five-year age band: expected = Σ patients × reference "
                     "rate; ratio O/E (PHE indicator methods; Breslow & Day 1987).")
    if "case_mix" in result.views:
        dispersion = result.coefficients["dispersion"].iloc[0]
        model = {"poisson": "quasi-Poisson regression of the events, with offset log(age-sex expected),",
                 "negative_binomial": "negative binomial (NB2) regression of the events, with offset log(age-sex "
                                      "expected),",
                 "binomial": "quasi-binomial (logit) regression of the proportion"}[result.family]
        scales = ["continuous covariates per standard deviation"] if set(result.covariates) - {"rural"} else []
        scales += ["rural practices against urban"] if "rural" in result.covariates else []
        also = " with the age-sex expected as offset (logit scale)" if "age_sex" in result.views and \
            result.age_sex_method == "internal" else ""
        items.append(f"Case mix: a {model} on {_join(_allowed_for(result))}{also} ({'; '.join(scales)}) gives each "
                     "practice's expected count. Its standard errors are widened for over-dispersion by "
                     f"√(Pearson χ²/df) = √{dispersion:,.1f} (quasi-likelihood; McCullagh & Nelder 1989).")
    poisson_views = _join([name for view, name in (("age_sex", "age-sex"), ("case_mix", "case-mix"))
                           if view in result.views])
    if "age_sex" in result.views and result.age_sex_method != "internal":
        items.append(f"Crude and {poisson_views} flags: exact Poisson funnel limits of O/E at {level}, without "
                     "over-dispersion (PHE's funnel method).")
    else:
        items.append(f"Crude flags: PHE's Wilson proportion funnel; {poisson_views or 'adjusted'} flags: exact "
                     f"Poisson funnel limits of O/E; both at {level}, without over-dispersion.")
    estimator = ("the winsorised Paule-Mandel moment equation, corrected for the winsorising (Paule & Mandel 1982)"
                 if getattr(result.fit, "estimator", "") == "consistent" else "FunnelPlotR 0.6.0's DerSimonian-Laird "
                 "formula")
    items.append(f"Over-dispersion of the funnel ({result.method} method): O/E on the square-root scale, 10% "
                 f"winsorised z-scores, whose mean square φ = {result.fit.phi:,.1f} (1 would mean no more spread than "
                 f"chance; this φ is not the regression's Pearson χ²/df above); between-practice variance "
                 f"τ² = {result.fit.tau2:.5f} from {estimator}; {level} limits "
                 + {"additive": "θ₀ ± z√(s² + τ²)", "multiplicative": "θ₀ ± z√φ·s",
                    "none": "θ₀ ± z·s (not widened)"}[result.method]
                 + " (Spiegelhalter 2005, Qual Saf Health Care 14:347).")
    items.append("Counts of 1 to 7 are not published, nor anything on their row (rates, ratios, expected counts, "
                 "limits, flags) that could reveal them; the flag counts include those practices.")
    return items


def funnel_chart(result: VariationResult, *, title: str) -> plots.Chart:
    """Funnel plot of adjusted O/E against adjusted expected events (suppressed practices are not drawn)."""
    table = result.table[~result.table["suppressed"]].assign(denominator=result.table["adjusted_expected"], value=result.table["adjusted_ratio"],
                                position=result.table["adjusted_flag"].map({"high": "above the limits",
                                                                            "low": "below the limits"})
                                .fillna("within limits"))
    grid_points = np.geomspace(max(table["denominator"].min() * 0.8, 1.0), table["denominator"].max() * 1.25, 200)
    confidences = tuple(dict.fromkeys((0.95, result.flag_level)))  # one line pair when flagging at 95%
    limits = stats.adjusted_funnel_limits(grid_points, 1.0,
                                          result.fit.tau2 if result.method == "additive" else 0.0,
                                          statistic="ratio", confidence=confidences,
                                          phi=result.fit.phi if result.method == "multiplicative" else 1.0)
    level = stats.level_label(result.flag_level)
    outer = [f"lower_{level}", f"upper_{level}"]  # the flag level's limits, from the adjusted view's own columns
    chart = plots.funnel_chart(table.drop(columns=[c for c in outer if c in table])
                               .rename(columns={"lower_limit": outer[0], "upper_limit": outer[1]}),
                              limits, target=1.0, title=title, xlabel="Expected events (fully adjusted)",
                              ylabel="Observed / expected", label_column="practice_code",
                              name=f"funnel_{result.indicator}", percent=False,
                              levels=tuple(stats.level_label(c) for c in confidences), units="practices")
    return replace(chart, data=chart.data.rename(columns={
        "denominator": "adjusted_expected", "value": "adjusted_ratio", f"lower_{level}": "lower_limit_ratio",
        f"upper_{level}": "upper_limit_ratio", "position": "funnel_position"}))
