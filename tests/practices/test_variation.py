"""ccgtools.variation: the three views of each practice, checked by hand and against the planted truth."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import poisson

from ccgtools.errors import DataError, ParameterError
from ccgtools.practices import load as practice_io
from ccgtools.practices import report, variation
from ccgtools.practices.synthetic import DEPRIVATION_EFFECT

from ..conftest import real_data_path

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
    imd = result.coefficients.set_index("code").loc["imd"]
    assert np.log(imd["ratio"]) == pytest.approx(DEPRIVATION_EFFECT[indicator], abs=0.02)


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
        fingertips_path=real_data_path("fingertips_91547_qof_smoking_prev_gp_2022-24.csv"),
        fingertips_period="2023/24", imd_path=real_data_path("fingertips_93553_imd2019_by_practice.csv"))
    result = briefing.result
    assert len(result.table) > 6000 and result.fit.phi > 10
    flags = report.reclassification(result.table, result.views).set_index("view")["flagged"]
    assert flags.iloc[0] > 10 * flags.iloc[-1]
    assert result.coefficients.loc[0, "ratio"] > 1.2  # more deprivation, more smoking
    assert briefing.notes and "left out" in briefing.notes[0]


def _exact_poisson_flags(observed, expected, level=0.998):
    """High/low by the exact Poisson test of O against E, without ccgtools' funnel code.

    PHE's exact funnel limits at E are the counts whose exact (χ²) confidence limits equal E, so a
    whole count O lies above the upper limit exactly when P(X ≥ O | E) < (1 − level)/2, and below
    the lower one when P(X ≤ O | E) < (1 − level)/2 (the duality between the Poisson tails and the
    χ² limits: P(X ≤ O | μ) = P(χ²(2O + 2) > 2μ)). The tails come from scipy's Poisson distribution.
    """
    o, e = np.asarray(observed, dtype=float), np.asarray(expected, dtype=float)
    tail = (1 - level) / 2
    return np.select([poisson.sf(o - 1, e) < tail, poisson.cdf(o, e) < tail], ["high", "low"], "")


def test_crude_age_sex_and_case_mix_flags_are_exact_poisson_tests(inputs):
    # Crude: against the overall rate, E = list size × ΣO / Σ list size; age-sex: against the
    # age-sex expected; case-mix: against the covariate-adjusted expected (all at 99.8%).
    frame, result = _result(inputs, "emergency_admissions")
    table = result.table
    shown = ~table["suppressed"]
    assert shown.mean() > 0.95
    crude_expected = frame["list_size"] * frame["observed"].sum() / frame["list_size"].sum()
    for flag, expected in (("crude_flag", crude_expected), ("age_sex_flag", frame["expected"]),
                           ("case_mix_flag", table["adjusted_expected"])):
        truth = _exact_poisson_flags(frame["observed"], expected)
        assert (table.loc[shown, flag].to_numpy() == truth[shown.to_numpy()]).all(), flag
        assert (truth != "").sum() > 0, flag  # the comparison covers flagged practices, not only blanks


def test_a_wider_flagging_level_flags_at_least_as_many(inputs):
    _, strict = _result(inputs, "ae_attendances")
    _, loose = _result(inputs, "ae_attendances", flag_level=0.95)
    for view in ("crude", "age_sex", "adjusted"):
        assert (loose.table[f"{view}_flag"] != "").sum() >= (strict.table[f"{view}_flag"] != "").sum()
    assert loose.flag_level == 0.95 and "95% limits" in report.headline(loose)[0]


# --- calibration, honest intervals and disclosure, checked against the generator's known truth ---

def _generated(seed, indicator, **options):
    """Analyse one indicator of a freshly generated synthetic region (the truth is known)."""
    from ccgtools.practices.synthetic import make_synthetic_practices

    data = make_synthetic_practices(1000, seed=seed)
    registrations = data["registrations"]
    population = registrations.assign(band=registrations["SEX"] + " " + registrations["AGE_GROUP_5"]).pivot(
        index="CODE", columns="band", values="NUMBER_OF_PATIENTS")
    population.index.name = "practice_code"
    events = data["events"].pivot(index="practice_code", columns="indicator", values="events")
    rates = data["reference_rates"].assign(band=lambda r: r["sex"] + " " + r["age_group"]).pivot(
        index="band", columns="indicator", values="rate")
    frame = variation.practice_frame(data["practices"], population, events, rates, indicator)
    truth = data["ground_truth"].query("indicator == @indicator").set_index("practice_code")["planted_outlier"]
    return variation.analyse_indicator(frame, indicator, covariates=("imd", "rural"), **options), truth


GENERATOR_TAU2 = np.exp(0.07**2 / 2) - np.exp(0.07**2 / 4)  # Var(√exp(u)), u ~ N(0, 0.07²): PRACTICE_SD


@pytest.mark.parametrize("indicator", INDICATORS)
def test_false_alarms_near_the_nominal_rate_across_generated_regions(indicator):
    # Pooled over 4 generated regions, the 99.8% limits should be crossed by about 0.2% of the
    # ordinary practices (at most twice that), and still catch the planted outliers.
    false_alarms, ordinary, found, planted, tau2 = 0, 0, 0, 0, []
    for seed in range(4):
        result, truth = _generated(seed, indicator)
        rates = report.detection_rates(result.table, truth).set_index("view").loc["adjusted"]
        false_alarms += rates["false_positives"]
        ordinary += len(result.table) - rates["planted"]
        found += rates["true_positives"]
        planted += rates["planted"]
        tau2.append(result.fit.tau2)
    assert false_alarms <= 2 * 0.002 * ordinary
    assert found / planted >= 0.9
    assert np.mean(tau2) == pytest.approx(GENERATOR_TAU2, rel=0.15)


def test_covariate_intervals_cover_the_spread_between_generated_regions():
    # The deprivation effect re-estimated on 8 generated regions varies by about as much as its
    # reported standard error says (quasi-Poisson); plain Poisson errors were √dispersion too small.
    estimates, half_widths = [], []
    for seed in range(8):
        result, _ = _generated(seed, "antibiotic_items")
        row = result.coefficients.set_index("code").loc["imd"]
        estimates.append(np.log(row["ratio"]))
        half_widths.append((np.log(row["upper_95"]) - np.log(row["lower_95"])) / 2)
    reported_se = np.mean(half_widths) / 1.959964
    assert 0.5 < np.std(estimates, ddof=1) / reported_se < 2


def test_rural_effect_is_rural_against_urban(inputs):
    # The generator multiplies A&E rates of rural practices by exp(−0.12).
    from ccgtools.practices.synthetic import RURAL_EFFECT

    _, result = _result(inputs, "ae_attendances")
    rural = result.coefficients.set_index("code").loc["rural"]
    assert np.log(rural["ratio"]) == pytest.approx(RURAL_EFFECT["ae_attendances"], abs=0.03)
    assert rural["per"] == "rural practices against urban" and rural["covariate"] == "rural"
    assert result.coefficients.set_index("code").loc["imd", "covariate"] == "deprivation (IMD score)"


def test_steps_remove_flags_in_order_and_match_the_table(inputs):
    _, result = _result(inputs, "antibiotic_items")
    steps = result.steps.set_index("view")
    assert list(steps.index) == ["crude", "age_sex", "case_mix", "adjusted"]
    for view in steps.index:
        assert steps.loc[view, "flagged"] == (result.table[f"{view}_flag"] != "").sum()  # nothing suppressed here
    assert (steps["flagged"].diff().iloc[1:] == steps["added"].iloc[1:] - steps["removed"].iloc[1:]).all()


def test_synthetic_pages_say_so_and_real_ones_do_not(inputs):
    frame, result = _result(inputs, "ae_attendances")
    assert "invented practices" in variation.synthetic_description(frame, None)
    real = frame.assign(practice_code="A" + frame["practice_code"].str[1:])
    assert variation.synthetic_description(real, None) is None


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(small=st.lists(st.floats(0.01, 7.4), min_size=1, max_size=3), jitter=st.floats(-1e-9, 1e-9),
       seed=st.integers(0, 10_000))
def test_nothing_on_a_suppressed_row_reveals_its_count(small, jitter, seed):
    # Practices with counts that round to 1-7 (floats included): every published value on their row
    # is the same whatever the count was, so none of them can be used to recover it.
    rng = np.random.default_rng(seed)
    n = 30
    expected = rng.uniform(5, 400, size=n)
    frame = pd.DataFrame({"practice_code": [f"P{i}" for i in range(n)], "ccg_code": "C", "region": "R",
                          "observed": rng.poisson(expected).astype(float), "list_size": (expected * 10).round(),
                          "expected": expected, "imd_score": rng.uniform(5, 60, size=n), "rural": 0.0})
    frame.loc[: len(small) - 1, "observed"] = np.array(small) + jitter
    rows = frame.index[: len(small)]
    published = variation.analyse_indicator(frame, "x", covariates=("imd",)).table
    other = frame.assign(observed=frame["observed"].where(~frame.index.isin(rows), 3.0))
    again = variation.analyse_indicator(other, "x", covariates=("imd",)).table
    assert published.loc[rows, "suppressed"].all()
    shown = published.loc[rows].drop(columns="suppressed")
    pd.testing.assert_frame_equal(shown, again.loc[rows].drop(columns="suppressed"), check_dtype=False)
    numeric = shown.drop(columns=["practice_code", "ccg_code", "region", "list_size"])
    assert numeric.isna().all().all()
