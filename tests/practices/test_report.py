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
    assert "practices 12.0 points higher (one standard deviation) have 20% more events (95% interval 10% to 30% " \
           "more)" in sentences[3]
    # Flags come and go at each case-mix step, so the counts are totals, never "leaves".
    assert "flags 2 practices; allowing for the age and sex of their patients, 2 are flagged" in sentences[1]
    assert "also allowing for deprivation, 2 (each of these steps removes some flags and adds others" in sentences[1]
    assert "explains leaves 2." in sentences[1]
    assert "not explained by the patients" in sentences[1]


def test_funnel_chart_leaves_out_suppressed_practices_and_says_what_it_shows():
    chart = report.funnel_chart(_result(), title="t")
    assert "Funnel plot of 3 practices" in chart.alt_text and "1 above the limits: C" in chart.alt_text
    assert "A" not in chart.data["practice_code"].tolist()


def test_funnel_chart_flagging_at_95_percent_draws_one_pair_of_limits():
    # Flag level 0.95: the 95% limits are the flag limits, drawn once; the published table has one pair of them
    # (the table's own lower_95/upper_95 columns must not reappear beside the renamed flag limits).
    result = variation._finish(_result().table.drop(columns=["suppressed"], errors="ignore"),
                               type("Fit", (), {"phi": 3.0, "tau2": 0.001})(), _result().coefficients, "admissions",
                               ("imd",), "additive", variation.VIEWS, 0.95)
    chart = report.funnel_chart(result, title="t")
    assert "with 95% limits adjusted" in chart.alt_text and "99.8%" not in chart.alt_text
    assert list(chart.data.columns).count("lower_limit_ratio") == 1
    assert len([line for line in chart.figure.axes[0].get_lines() if line.get_linestyle() == "--"]) == 2


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


@pytest.mark.parametrize(("ratio", "lower", "upper", "noun", "text"), [
    # 1.165 → +16.5%: whole percents would print 17%, 16% and 17%, so one decimal is used.
    (1.165, 1.159, 1.171, "events", "16.5% more events (95% interval 15.9% to 17.1% more)"),
    (0.89, 0.88, 0.90, "events", "11% fewer events (95% interval 10% to 12% fewer)"),
    # The interval spans no change: never "+0%", and no direction is claimed.
    (0.99, 0.97, 1.004, "events",
     "about the same number of events (95% interval from 3.0% fewer to 0.4% more: no clear difference)"),
    (1.316, 1.308, 1.324, "odds", "31.6% higher odds (95% interval 30.8% to 32.4% higher)"),
])
def test_effects_read_as_plain_changes(ratio, lower, upper, noun, text):
    assert report.change_in_words(ratio, lower, upper, noun) == text


def test_headline_has_no_symbols(monkeypatch):
    result = _result()
    text = " ".join(report.headline(result))
    for symbol in ("φ", "τ", "additive", "O/E", "CI "):
        assert symbol not in text


def test_next_steps_name_the_flagged_practices_and_what_not_to_conclude():
    from ccgtools.practices.advice import next_steps

    # _result(): adjusted flags A (high) and C (high); crude flags A and B; case-mix flags A and C.
    steps = next_steps(_result(), label="admissions")
    # A's counts are suppressed, so only C is listed, and the sentence says why one is missing.
    assert steps[0].startswith("Start a conversation with the 2 practices outside the limits after full adjustment "
                               "(1 listed by commissioner below; 1 more is not listed because their counts are too small")
    # Crude flags A and B; case-mix flags A and C: B's flag goes (1 lost) and C's appears (1 new), though the
    # total stays 2 — counted by practice, not by the difference of totals.
    assert ("it flags 2 practices, and 1 of them is no longer flagged once age and sex and deprivation are allowed "
            "for, while 1 practice that the crude table passes is flagged then.") in steps[1]
    # Widening removed none (case-mix A, C → adjusted A, C), so no sentence about it.
    assert not any("before the limits were widened" in s for s in steps)


def test_next_steps_warn_when_age_and_sex_were_not_allowed_for():
    from ccgtools.practices.advice import next_steps

    result = _result()
    result.views = tuple(v for v in result.views if v != "age_sex")
    assert any("could not allow for the age and sex" in s for s in next_steps(result, label="smoking"))


def test_geography_names_few_areas_and_counts_many():
    table = pd.DataFrame({"region": ["North", "North", None]})
    assert report.geography(table) == "North" and report.geography(table, "N11") == "N11"
    many = pd.DataFrame({"region": [f"ICB {i}" for i in range(42)]})
    assert report.geography(many) == "42 regions or ICBs"
