"""ccgtools.variation: the three views of each practice, checked by hand and against the planted truth."""

import numpy as np
import pandas as pd
import pytest

from ccgtools.errors import DataError, ParameterError
from ccgtools.practices import load as practice_io
from ccgtools.practices import report, variation
from ccgtools.practices.synthetic import DEPRIVATION_EFFECT

from ..conftest import shared_path

INDICATORS = ("emergency_admissions", "ae_attendances", "antibiotic_items", "outpatient_referrals")


@pytest.fixture(scope="module")
def inputs():
    population = practice_io.load_quinary()
    return (practice_io.load_practices(), population, practice_io.load_events(registered=population.index),
            practice_io.load_reference_rates(), pd.read_csv(practice_io.bundled("ground_truth")))


def _result(inputs, indicator, covariates=("imd", "rural"), **options):
    practices, population, events, rates, _ = inputs
    frame = variation.practice_frame(practices, population, events, rates, indicator)
    return frame, variation.analyse_indicator(frame, indicator, covariates=covariates, **options)


def test_expected_and_ratios_hand_worked():
    # Two bands; practice A: 100 young, 100 old; B: 200 young. Rates 0.1 and 0.5.
    # E_A = 10 + 50 = 60, E_B = 20; observed 66 and 18. Crude: overall 84/400 = 0.21 per patient,
    # so crude expected 42 each: crude ratios 66/42 and 18/42; ISR 1.1 and 0.9.
    population = pd.DataFrame({"MALE 0_4": [100, 200], "MALE 95+": [100, 0]}, index=["A", "B"])
    rates = pd.DataFrame({"x": [0.1, 0.5]}, index=["MALE 0_4", "MALE 95+"])
    events = pd.DataFrame({"x": [66, 18]}, index=pd.Index(["A", "B"], name="practice_code"))
    practices = pd.DataFrame({"practice_code": ["A", "B"], "ccg_code": ["C", "C"], "region": ["R", "R"],
                              "imd_score": [10.0, 30.0], "rurality": ["Urban", "Urban"]})
    frame = variation.practice_frame(practices, population, events, rates, "x")
    assert frame["expected"].tolist() == pytest.approx([60, 20])
    assert frame["prop65"].tolist() == pytest.approx([50, 0])
    result = variation.analyse_indicator(frame, "x", covariates=())
    table = result.table.set_index("practice_code")
    assert table.loc["A", "crude_ratio"] == pytest.approx(66 / 42) and table.loc["B", "isr"] == pytest.approx(0.9)
    assert table.loc["A", "crude_rate"] == pytest.approx(330)


def test_poisson_glm_fitted_totals_equal_observed(inputs):
    # With an intercept, a Poisson GLM's fitted means add up to the observed total (score equation).
    frame, result = _result(inputs, "emergency_admissions")
    assert result.table["adjusted_expected"].sum() == pytest.approx(frame["observed"].sum(), rel=1e-8)


@pytest.mark.parametrize("indicator", INDICATORS)
def test_glm_recovers_the_deprivation_effect_that_was_planted(inputs, indicator):
    # The generator multiplies rates by exp(β · z_IMD); the regression on standardised IMD should find β.
    _, result = _result(inputs, indicator)
    imd = result.coefficients.set_index("covariate").loc["imd"]
    assert np.log(imd["ratio_per_sd"]) == pytest.approx(DEPRIVATION_EFFECT[indicator], abs=0.02)


@pytest.mark.parametrize("indicator", INDICATORS)
def test_fully_adjusted_recovers_planted_outliers_with_fewer_false_positives(inputs, indicator):
    truth = inputs[4]
    truth = truth[truth["indicator"] == indicator].set_index("practice_code")["planted_outlier"]
    _, result = _result(inputs, indicator)
    rates = report.detection_rates(result.table, truth).set_index("view")
    assert rates.loc["adjusted", "sensitivity"] >= 0.9
    assert rates.loc["adjusted", "false_positive_rate"] < 0.02
    assert rates.loc["crude", "false_positives"] > 10 * rates.loc["adjusted", "false_positives"]


def test_student_practice_is_low_crude_but_not_once_adjusted(inputs):
    practices = inputs[0]
    _, result = _result(inputs, "emergency_admissions")
    table = result.table.merge(practices[["practice_code", "list_type"]], on="practice_code")
    students = table[table["list_type"] == "student"]
    assert (students["crude_flag"] == "low").mean() > 0.8
    assert (students["adjusted_flag"] == "").mean() > 0.8


def test_reclassification_counts_agree_with_the_table(inputs):
    _, result = _result(inputs, "ae_attendances")
    counts = report.reclassification(result.table).set_index("view")
    table = result.table
    assert counts.loc["Crude rate", "flagged"] == (table["crude_flag"] != "").sum()
    assert counts.loc["Crude rate", "no_longer_flagged_when_fully_adjusted"] == (
        (table["crude_flag"] != "") & (table["adjusted_flag"] == "")).sum()


def test_negative_binomial_and_multiplicative_options_run(inputs):
    _, nb = _result(inputs, "antibiotic_items", family="negative_binomial", method="multiplicative")
    assert nb.method == "multiplicative" and (nb.table["adjusted_flag"] != "").sum() > 0


def test_area_filter_and_bad_parameters(inputs):
    practices, population, events, rates, _ = inputs
    frame = variation.practice_frame(practices, population, events, rates, "ae_attendances", area="N01")
    assert set(frame["ccg_code"]) == {"N01"}
    with pytest.raises(ParameterError, match="no practices"):
        variation.practice_frame(practices, population, events, rates, "ae_attendances", area="Wales")
    with pytest.raises(ParameterError, match="unknown indicator"):
        variation.practice_frame(practices, population, events, rates, "deaths")
    with pytest.raises(ParameterError, match="unknown covariate"):
        variation.analyse_indicator(frame, "ae_attendances", covariates=("income",))
    with pytest.raises(DataError, match="events but no registered patients"):
        variation.practice_frame(practices, population.iloc[1:], events, rates, "ae_attendances")


def test_profile_of_a_practice(inputs):
    frame, result = _result(inputs, "emergency_admissions")
    profile = report.practice_profile(result.table, frame, "Z10074")
    assert "Fully adjusted ratio" in profile["measure"].tolist()
    assert report.practice_profile(result.table, frame, None).empty
    with pytest.raises(ParameterError):
        report.practice_profile(result.table, frame, "NOPE")


def test_real_qof_smoking_is_overdispersed_and_crude_flags_far_more():
    briefing = variation.prepare_and_analyse(
        "fingertips_proportion", indicator="qof_smoking", covariates=("imd",),
        fingertips_path=shared_path("real-data", "fingertips_91547_qof_smoking_prev_gp_2022-24.csv"),
        fingertips_period="2023/24", imd_path=shared_path("real-data", "fingertips_93553_imd2019_by_practice.csv"))
    result = briefing.result
    assert len(result.table) > 6000 and result.fit.phi > 10
    flags = report.reclassification(result.table, result.views).set_index("view")["flagged"]
    assert flags.iloc[0] > 10 * flags.iloc[1]
    assert result.coefficients.loc[0, "ratio_per_sd"] > 1.2  # more deprivation, more smoking
    assert briefing.notes and "left out" in briefing.notes[0]


def test_crude_and_age_sex_flags_agree_with_phe_funnel_significance(inputs):
    # The 99.8% flags are the PHE funnel's "(0.001)" categories for the same O and E.
    from ccgtools import stats

    frame, result = _result(inputs, "emergency_admissions")
    significance = stats.funnel_significance(frame["observed"], frame["expected"], 1.0, statistic="ratio")
    expected = significance.map({"High (0.001)": "high", "Low (0.001)": "low"}).fillna("")
    assert (result.table["age_sex_flag"] == expected.to_numpy()).all()


def test_a_wider_flagging_level_flags_at_least_as_many(inputs):
    _, strict = _result(inputs, "ae_attendances")
    _, loose = _result(inputs, "ae_attendances", flag_level=0.95)
    for view in ("crude", "age_sex", "adjusted"):
        assert (loose.table[f"{view}_flag"] != "").sum() >= (strict.table[f"{view}_flag"] != "").sum()
    assert loose.flag_level == 0.95 and "95% limits" in report.headline(loose)[0]
