"""Reporting the practice-variation results: reclassification, movers, outliers, profiles, headline, funnel.

Split from :mod:`ccgtools.practices.variation`, which computes the three views of each practice;
everything here reads a :class:`~ccgtools.practices.variation.VariationResult` and returns a table,
sentences or a chart for the briefing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import stats
from ..errors import ParameterError
from ..page import charts as plots
from .variation import VIEWS, VariationResult

VIEW_NAMES = {"crude": "Crude rate", "age_sex": "Age-sex standardised",
              "adjusted": "Fully adjusted (covariates and over-dispersion)"}


def reclassification(table: pd.DataFrame, views: tuple[str, ...] = VIEWS) -> pd.DataFrame:
    """How many practices each view flags (high, low, total), and how many are no longer flagged
    once fully adjusted."""
    rows = []
    for view in views:
        flags = table[f"{view}_flag"]
        rows.append({"view": VIEW_NAMES[view], "flagged_high": int((flags == "high").sum()),
                     "flagged_low": int((flags == "low").sum()), "flagged": int((flags != "").sum()),
                     "no_longer_flagged_when_fully_adjusted": int(((flags != "") & (table["adjusted_flag"] == "")).sum())})
    return pd.DataFrame(rows)


def movers(table: pd.DataFrame, limit: int = 15) -> pd.DataFrame:
    """Practices whose flag changes between the crude and the fully adjusted view, largest lists first."""
    moved = table[table["crude_flag"] != table["adjusted_flag"]]
    columns = ["practice_code", "ccg_code", "list_size", "crude_rate", "crude_flag", "isr", "age_sex_flag",
               "adjusted_ratio", "adjusted_flag"]
    return moved.sort_values("list_size", ascending=False)[columns].head(limit).reset_index(drop=True)


def outliers_by_ccg(table: pd.DataFrame) -> pd.DataFrame:
    """Practices still outside the adjusted limits, with their CCG, sorted by CCG."""
    flagged = table[table["adjusted_flag"] != ""]
    return flagged.sort_values(["ccg_code", "adjusted_ratio"])[
        ["ccg_code", "practice_code", "list_size", "observed", "adjusted_expected", "adjusted_ratio",
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
        measures.append(("Age-sex standardised ratio", row["isr"], table["isr"].median()))
    measures.append(("Fully adjusted ratio", row["adjusted_ratio"], table["adjusted_ratio"].median()))
    measures.append(("Flag: crude / age-sex / adjusted", " / ".join(row[f"{v}_flag"] or "none" for v in VIEWS), ""))
    return pd.DataFrame(measures, columns=["measure", "practice", "median practice"]).astype(object)


def headline(result: VariationResult, *, truth: pd.Series | None = None, label: str = "") -> list[str]:
    """Plain-English findings: how many practices are unusual after fair adjustment, and how many a
    crude league table would have flagged wrongly."""
    table = result.table
    crude = int((table["crude_flag"] != "").sum())
    adjusted = int((table["adjusted_flag"] != "").sum())
    both = int(((table["crude_flag"] != "") & (table["adjusted_flag"] != "")).sum())
    name = label or result.indicator.replace("_", " ")
    adjusted_for = [{"imd": "deprivation", "prop65": "% aged 65+", "rural": "rurality"}[c] for c in result.covariates]
    if "age_sex" in result.views:
        adjusted_for = ["age and sex", *adjusted_for]
    sentences = [
        f"{name[:1].upper() + name[1:]}: after adjusting for {', '.join(adjusted_for) or 'nothing'}"
        f" and genuine variation between practices, {adjusted} of {len(table):,} practices are outside the "
        f"{100 * result.flag_level:g}% limits.",
        f"A crude league table of rates would have flagged {crude:,} practices; {crude - both:,} of them are not "
        "unusual once their patients are taken into account.",
        f"Practices differ more than chance alone explains (over-dispersion φ = {result.fit.phi:,.1f}); the "
        f"limits were widened ({result.method} method, τ² = {result.fit.tau2:.4f} on the square-root scale).",
    ]
    for row in result.coefficients.itertuples():
        if row.covariate == "imd":
            what = "events" if row.effect == "rate ratio" else "odds"
            sentences.append(f"Deprivation matters: each standard deviation of IMD score ({row.sd:.1f} points) goes "
                             f"with {100 * (row.ratio_per_sd - 1):+.0f}% {what} (95% CI "
                             f"{100 * (row.lower_95 - 1):+.0f}% to {100 * (row.upper_95 - 1):+.0f}%).")
    if truth is not None:
        sentences.append(detection_summary(table, truth))
    return sentences


def detection_rates(table: pd.DataFrame, truth: pd.Series) -> pd.DataFrame:
    """Sensitivity and false-positive rate of each view against planted outliers (synthetic data only).

    Parameters
    ----------
    truth : pandas.Series
        Boolean, indexed by practice_code: True for a planted outlier.
    """
    planted = table["practice_code"].map(truth).fillna(False).astype(bool)
    rows = []
    for view in (v for v in VIEWS if (table[f"{v}_flag"] != "").any() or v == "adjusted"):
        flagged = table[f"{view}_flag"] != ""
        rows.append({"view": view, "planted": int(planted.sum()), "flagged": int(flagged.sum()),
                     "true_positives": int((flagged & planted).sum()),
                     "false_positives": int((flagged & ~planted).sum()),
                     "sensitivity": (flagged & planted).sum() / max(planted.sum(), 1),
                     "false_positive_rate": (flagged & ~planted).sum() / max((~planted).sum(), 1)})
    return pd.DataFrame(rows)


def detection_summary(table: pd.DataFrame, truth: pd.Series) -> str:
    """One sentence comparing the views against the planted outliers of the synthetic data."""
    rates = detection_rates(table, truth).set_index("view")
    return (f"On this synthetic data the planted outliers are known: fully adjusted analysis found "
            f"{rates.loc['adjusted', 'true_positives']} of {rates.loc['adjusted', 'planted']} "
            f"(sensitivity {rates.loc['adjusted', 'sensitivity']:.0%}) with "
            f"{rates.loc['adjusted', 'false_positives']} false alarms; the crude league table found "
            f"{rates.loc['crude', 'true_positives']} with {rates.loc['crude', 'false_positives']} false alarms.")


def funnel_chart(result: VariationResult, *, title: str) -> plots.Chart:
    """Funnel plot of adjusted O/E against adjusted expected events (suppressed practices are not drawn)."""
    table = result.table[~result.table["suppressed"]].assign(denominator=result.table["adjusted_expected"], value=result.table["adjusted_ratio"],
                                position=result.table["adjusted_flag"].map({"high": "above the limits",
                                                                            "low": "below the limits"})
                                .fillna("within limits"))
    grid_points = np.geomspace(max(table["denominator"].min() * 0.8, 1.0), table["denominator"].max() * 1.25, 200)
    limits = stats.adjusted_funnel_limits(grid_points, 1.0,
                                          result.fit.tau2 if result.method == "additive" else 0.0,
                                          statistic="ratio", confidence=(0.95, result.flag_level),
                                          phi=result.fit.phi if result.method == "multiplicative" else 1.0)
    return plots.funnel_chart(table.rename(columns={"lower_limit": f"lower_{stats.level_label(result.flag_level)}",
                                                    "upper_limit": f"upper_{stats.level_label(result.flag_level)}"}),
                              limits, target=1.0, title=title, xlabel="Expected events (fully adjusted)",
                              ylabel="Observed / expected", label_column="practice_code",
                              name=f"funnel_{result.indicator}", percent=False,
                              levels=("95", stats.level_label(result.flag_level)))
