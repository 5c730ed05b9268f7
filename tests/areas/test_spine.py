"""The spine chart's comparison with England and its colours, against :func:`ccgtools.stats.funnel.funnel_significance`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from ccgtools.areas import charts, spine
from ccgtools.areas.indicators import AreaIndicator
from ccgtools.stats.funnel import funnel_significance

LOWER_BETTER = AreaIndicator("x", "x", "X", "n", "d", False, "test")
HIGHER_BETTER = AreaIndicator("y", "y", "Y", "n", "d", True, "test")


def practice_table() -> pd.DataFrame:
    """Ten ICBs of two practices each on two indicators, with counts spanning well below to well above England."""
    rows = []
    for indicator in ("x", "y"):
        for i in range(10):
            for practice in range(2):
                n = 5_000 + 1_000 * i
                rows.append({"practice_code": f"P{i}{practice}", "period": "2023/24", "indicator": indicator,
                             "icb_code": f"I{i}", "numerator": float(round(n * (0.17 + 0.008 * i))),
                             "denominator": float(n), "expected": float(n) * 0.2})
    return pd.DataFrame(rows)


def icbs() -> pd.DataFrame:
    return pd.DataFrame({"icb_code": [f"I{i}" for i in range(10)], "icb_name": [f"ICB {i}" for i in range(10)],
                         "region": "R"})


@pytest.fixture
def values():
    return spine.area_values(practice_table(), icbs(), "2023/24", {"x": LOWER_BETTER, "y": HIGHER_BETTER})


def test_significance_is_exactly_funnel_significance_against_england(values):
    for indicator, group in values.groupby("indicator"):
        england = 100 * group["numerator"].sum() / group["denominator"].sum()
        expected = funnel_significance(group["numerator"], group["denominator"], target=england,
                                       statistic="proportion", multiplier=100)
        pd.testing.assert_series_equal(group["significance"], expected, check_names=False)
        assert group["england_percent"].iloc[0] == pytest.approx(england)
    assert {"High (0.001)", "Low (0.001)", "Not significant"} <= set(values["significance"])


def test_better_and_worse_follow_the_direction(values):
    for _, row in values.iterrows():
        high, low = row["significance"].startswith("High"), row["significance"].startswith("Low")
        if row["indicator"] == "x":  # lower is better
            expected = "better" if low else "worse" if high else "similar"
        else:
            expected = "better" if high else "worse" if low else "similar"
        assert row["comparison"] == expected


@pytest.mark.parametrize("area", [f"I{i}" for i in range(10)])
def test_spine_marker_colours_match_the_funnel_classification(values, area):
    table = spine.spine_table(values, area, {"x": LOWER_BETTER, "y": HIGHER_BETTER})
    chart = charts.spine_chart(table, area_name=f"ICB {area}", n_areas=10, period="2023/24")
    ax = chart.figure.axes[0]
    drawn = {}
    for collection in ax.collections:
        offsets = collection.get_offsets()
        colours = collection.get_facecolors()
        if len(offsets) and len(colours):
            colours = np.repeat(colours, len(offsets), axis=0) if len(colours) == 1 else colours
            for (x, y), colour in zip(np.asarray(offsets), colours):
                drawn[int(round(y))] = to_hex(colour)
    for i, row in table.iterrows():
        significance = values[(values["icb_code"] == area) & (values["indicator"] == row["indicator"])]["significance"].iloc[0]
        high_is_good = row["higher_is_better"]
        label = ("better" if significance.startswith("High") == high_is_good else "worse") \
            if significance != "Not significant" else "similar"
        assert drawn[i] == spine.comparison_colour(label).lower()


def test_spine_positions_put_england_in_the_middle_and_better_to_the_right(values):
    table = spine.spine_table(values, "I9", {"x": LOWER_BETTER, "y": HIGHER_BETTER})
    at = charts.spine_positions(table)
    # I9 has the highest value on both: furthest right where higher is better, furthest left where lower is.
    assert at.loc[table["indicator"] == "y", "value"].iloc[0] == pytest.approx(1.0) or \
        at.loc[table["indicator"] == "y", "value"].iloc[0] > 0
    assert at.loc[table["indicator"] == "x", "value"].iloc[0] < 0
    assert (at[["range_low", "range_high"]].abs() <= 1 + 1e-12).all().all()
