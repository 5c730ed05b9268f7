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
        "case_mix_flag": ["high", "", "high", ""], "adjusted_flag": ["high", "", "high", ""]})
    fit = type("Fit", (), {"phi": 3.0, "tau2": 0.001})()
    coefficients = pd.DataFrame({"covariate": ["deprivation (IMD score)"], "code": ["imd"], "effect": ["rate ratio"],
                                 "per": ["per SD (12.0 points)"], "ratio": [1.2], "lower_95": [1.1],
                                 "upper_95": [1.3], "sd": [12.0], "dispersion": [5.0]})
    return variation._finish(table, fit, coefficients, "admissions", ("imd",), "additive", variation.VIEWS, 0.998)


def test_flag_steps_by_hand_include_the_suppressed_practice():
    # Counted before suppression: crude A, B; age-sex A, B; case-mix A, C (B removed, C added); adjusted A, C.
    steps = _result().steps.set_index("view")
    assert steps["flagged"].tolist() == [2, 2, 2, 2]
    assert steps.loc["case_mix", ["removed", "added"]].tolist() == [1, 1]
    assert steps.loc["adjusted", ["removed", "added", "flagged_crude_still"]].tolist() == [0, 0, 1]
    # The published table no longer says whether A (5 events, suppressed) was flagged.
    counts = report.reclassification(_result().table).set_index("view")
    assert counts.loc["Crude rate", "flagged"] == 1 and counts.loc["Crude rate", "flagged_low"] == 1


def test_movers_and_outliers():
    result = _result()
    assert set(report.movers(result.table)["practice_code"]) == {"B", "C"}
    outliers = report.outliers_by_ccg(result.table)
    assert outliers["practice_code"].tolist() == ["C"] and outliers["ccg_code"].tolist() == ["Y"]
    row = result.table.set_index("practice_code").loc["A"]  # 5 events: suppressed, and all that bounds them
    assert row[["observed", "adjusted_ratio", "expected", "adjusted_expected", "lower_limit", "upper_limit",
                "z_adjusted"]].isna().all() and row[["crude_flag", "adjusted_flag"]].isna().all()


def test_headline_counts_and_effects():
    sentences = report.headline(_result(), label="admissions")
    assert sentences[0].startswith("Admissions: after allowing for age and sex and deprivation")
    assert "2 of 4 practices are outside the 99.8% limits" in sentences[0]
    assert "+20% (95% CI +10% to +30%) events" in sentences[3]
    assert "flags 2 practices; allowing for the age and sex of their patients leaves 2" in sentences[1]
    assert "also allowing for deprivation leaves 2" in sentences[1]
    assert "not explained by the patients" in sentences[1]


def test_funnel_chart_leaves_out_suppressed_practices_and_says_what_it_shows():
    chart = report.funnel_chart(_result(), title="t")
    assert "Funnel plot of 3 units" in chart.alt_text and "1 above the limits: C" in chart.alt_text
    assert "A" not in chart.data["practice_code"].tolist()


def test_profile_needs_a_known_practice():
    result = _result()
    frame = result.table.assign(prop65=[10.0, 5.0, 20.0, 15.0], imd_score=[30.0, 10.0, 20.0, 25.0])
    profile = report.practice_profile(result.table, frame, "B").set_index("measure")
    assert profile.loc["Crude rate per 1,000", "practice"] == pytest.approx(33.3)
    label = "Flag: crude rate / age-sex standardised / case-mix adjusted / fully adjusted"
    assert profile.loc[label, "practice"] == "low / low / none / none"


@pytest.mark.parametrize(("ratio", "lower", "upper", "text"), [
    (1.2, 1.1, 1.3, "+20% (95% CI +10% to +30%)"),
    (1.2, 1.198, 1.202, "+20.0% (95% CI +19.8% to +20.2%)"),  # whole percents would print +20% to +20%
    (0.9, 0.8996, 0.9003, "-10.00% (95% CI -10.04% to -9.97%)"),
    (1.2, 1.199999, 1.200001, "+20.00% (95% CI narrower than ±0.005%)"),
])
def test_interval_ends_never_print_as_the_estimate(ratio, lower, upper, text):
    assert report.percent_change_text(ratio, lower, upper) == text
