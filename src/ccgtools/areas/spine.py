"""Every area's value on every indicator, compared with England as Fingertips' spine charts do.

An area's value is its practices' pooled proportion (crude, as Fingertips publishes it), with its
Wilson 95% interval; it is compared with England's value by the funnel test
(:func:`ccgtools.stats.funnel.funnel_significance`, Wilson limits at 95% and 99.8% around England),
which is the Fingertips "compared with England" test for a proportion. The case-mix-adjusted ratio
(observed / expected) is carried beside it for the ranks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..stats.funnel import funnel_significance
from ..stats.intervals import proportion_ci
from .indicators import AreaIndicator

#: The spine chart's comparison categories, their colours (ColorBrewer RdBu ends, colour-blind safe, with a
#: grey that keeps 3:1 contrast on white) and markers, so that the meaning never rests on colour alone.
COMPARISONS = {"better": ("Better than England", "#0571B0", "^"),
               "similar": ("Similar to England", "#6F7C87", "o"),
               "worse": ("Worse than England", "#CA0020", "v")}


def comparison(significance: pd.Series, higher_is_better: bool) -> pd.Series:
    """"better", "worse" or "similar" from :func:`funnel_significance` labels and the indicator's direction.

    Outside the 95% limits (either "(0.025)" or "(0.001)") is a significant difference, as Fingertips uses it.
    """
    high = significance.astype(str).str.startswith("High")
    low = significance.astype(str).str.startswith("Low")
    better, worse = (high, low) if higher_is_better else (low, high)
    out = pd.Series("similar", index=significance.index, dtype=object)
    out[better] = "better"
    out[worse] = "worse"
    return out.where(significance.notna(), None)


def comparison_colour(label: str) -> str:
    """The spine chart's colour for a comparison ("better", "similar", "worse")."""
    return COMPARISONS[label][1]


def area_values(table: pd.DataFrame, icbs: pd.DataFrame, period: str,
                definitions: dict[str, AreaIndicator]) -> pd.DataFrame:
    """Each ICB's value on each indicator in ``period``, with its interval and its comparison with England.

    Parameters
    ----------
    table : pandas.DataFrame
        Practice counts with expected counts (:func:`ccgtools.areas.casemix.expected_counts`).
    icbs : pandas.DataFrame
        icb_code, icb_name, region.

    Returns
    -------
    pandas.DataFrame
        indicator, icb_code, icb_name, region, practices, numerator, denominator, expected, value_percent,
        ci_lower_percent, ci_upper_percent (Wilson 95%), england_percent, significance (funnel labels),
        comparison (better / similar / worse, by the indicator's direction), adjusted_ratio (O/E).
    """
    now = table[table["period"] == period]
    sums = now.groupby(["indicator", "icb_code"], sort=True).agg(
        practices=("practice_code", "nunique"), numerator=("numerator", "sum"),
        denominator=("denominator", "sum"), expected=("expected", "sum")).reset_index()
    england = now.groupby("indicator")[["numerator", "denominator"]].sum()
    england_percent = (100 * england["numerator"] / england["denominator"]).rename("england_percent")
    sums = sums.merge(england_percent, left_on="indicator", right_index=True).merge(icbs, on="icb_code")
    value, lower, upper = proportion_ci(sums["numerator"].to_numpy(), sums["denominator"].to_numpy())
    sums["value_percent"] = 100 * np.asarray(value)
    sums["ci_lower_percent"], sums["ci_upper_percent"] = 100 * np.asarray(lower), 100 * np.asarray(upper)
    parts = []
    for indicator, group in sums.groupby("indicator", sort=False):
        significance = funnel_significance(group["numerator"], group["denominator"],
                                           target=float(group["england_percent"].iloc[0]), statistic="proportion",
                                           multiplier=100)
        parts.append(group.assign(significance=significance,
                                  comparison=comparison(significance, definitions[indicator].higher_is_better)))
    out = pd.concat(parts)
    out["adjusted_ratio"] = out["numerator"] / out["expected"]
    order = {key: i for i, key in enumerate(definitions)}
    out = out.sort_values(["indicator", "icb_code"], key=lambda c: c.map(order) if c.name == "indicator" else c)
    return out[["indicator", "icb_code", "icb_name", "region", "practices", "numerator", "denominator", "expected",
                "value_percent", "ci_lower_percent", "ci_upper_percent", "england_percent", "significance",
                "comparison", "adjusted_ratio"]].reset_index(drop=True)


def spine_table(values: pd.DataFrame, area: str, definitions: dict[str, AreaIndicator]) -> pd.DataFrame:
    """One row per indicator for ``area``: its value and interval, England, the range across areas, the comparison.

    Returns
    -------
    pandas.DataFrame
        indicator, label, higher_is_better, value_percent, ci_lower_percent, ci_upper_percent, england_percent,
        lowest_percent, q25_percent, q75_percent, highest_percent (across all areas), significance, comparison.
    """
    rows = []
    for indicator, definition in definitions.items():
        group = values[values["indicator"] == indicator]
        own = group[group["icb_code"] == area].iloc[0]
        spread = group["value_percent"]
        rows.append({"indicator": indicator, "label": definition.short, "higher_is_better": definition.higher_is_better,
                     "value_percent": own["value_percent"], "ci_lower_percent": own["ci_lower_percent"],
                     "ci_upper_percent": own["ci_upper_percent"], "england_percent": own["england_percent"],
                     "lowest_percent": spread.min(), "q25_percent": spread.quantile(0.25),
                     "q75_percent": spread.quantile(0.75), "highest_percent": spread.max(),
                     "significance": own["significance"], "comparison": own["comparison"]})
    return pd.DataFrame(rows)
