"""ccgtools.variation_report: the tables, sentences and chart made from a variation result."""

import pandas as pd
import pytest

from ccgtools.practices import report, variation
from ccgtools.practices.variation import VariationResult


def _result() -> VariationResult:
    # Four practices: A flagged high by every view; B flagged low crude only (young list); C flagged
    # by the adjusted view only; D never. A has 5 events: small, so its count is suppressed on publication.
    table = pd.DataFrame({
        "practice_code": list("ABCD"), "ccg_code": ["X", "X", "Y", "Y"], "region": "R",
        "observed": [5.0, 300.0, 500.0, 200.0], "list_size": [100, 9000, 8000, 4000],
        "expected": [2.0, 400.0, 420.0, 200.0], "crude_rate": [50.0, 33.3, 62.5, 50.0],
        "adjusted_expected": [2.0, 310.0, 400.0, 201.0], "crude_ratio": [1.5, 0.6, 1.2, 1.0],
        "isr": [2.5, 0.75, 1.19, 1.0], "adjusted_ratio": [2.5, 0.97, 1.25, 0.995], "z_adjusted": [3.5, -0.2, 3.2, 0.0],
        "lower_95": 0.9, "upper_95": 1.1, "lower_limit": 0.8, "upper_limit": 1.2,
        "crude_flag": ["high", "low", "", ""], "age_sex_flag": ["high", "low", "", ""],
        "adjusted_flag": ["high", "", "high", ""]})
    fit = type("Fit", (), {"phi": 3.0, "tau2": 0.001})()
    return VariationResult(variation.publishable(table), fit, pd.DataFrame(
        {"covariate": ["imd"], "effect": ["rate ratio"], "ratio_per_sd": [1.2], "lower_95": [1.1], "upper_95": [1.3],
         "sd": [12.0]}), "admissions", ("imd",), "additive")


def test_reclassification_by_hand():
    counts = report.reclassification(_result().table).set_index("view")
    assert counts.loc["Crude rate", "flagged"] == 2 and counts.loc["Crude rate", "flagged_low"] == 1
    assert counts.loc["Crude rate", "no_longer_flagged_when_fully_adjusted"] == 1  # B
    assert counts.iloc[-1]["flagged"] == 2


def test_movers_and_outliers():
    result = _result()
    assert set(report.movers(result.table)["practice_code"]) == {"B", "C"}
    outliers = report.outliers_by_ccg(result.table)
    assert outliers["practice_code"].tolist() == ["A", "C"] and outliers["ccg_code"].tolist() == ["X", "Y"]
    assert pd.isna(outliers.loc[0, "observed"]) and pd.isna(outliers.loc[0, "adjusted_ratio"])  # 5 events: *


def test_headline_counts_and_effects():
    sentences = report.headline(_result(), label="admissions")
    assert sentences[0].startswith("Admissions: after adjusting for age and sex, deprivation")
    assert "2 of 4 practices are outside the 99.8% limits" in sentences[0]
    assert "flagged 2 practices; 1 of them are not unusual" in sentences[1]
    assert "+20% events (95% CI +10% to +30%)" in sentences[3]


def test_funnel_chart_leaves_out_suppressed_practices_and_says_what_it_shows():
    chart = report.funnel_chart(_result(), title="t")
    assert "Funnel plot of 3 units" in chart.alt_text and "1 above the limits: C" in chart.alt_text
    assert "A" not in chart.data["practice_code"].tolist()


def test_profile_needs_a_known_practice():
    result = _result()
    frame = result.table.assign(prop65=[10.0, 5.0, 20.0, 15.0], imd_score=[30.0, 10.0, 20.0, 25.0])
    profile = report.practice_profile(result.table, frame, "B").set_index("measure")
    assert profile.loc["Crude rate per 1,000", "practice"] == pytest.approx(33.3)
    assert profile.loc["Flag: crude / age-sex / adjusted", "practice"] == "low / low / none"
