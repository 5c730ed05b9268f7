"""ccgtools.stats.funnel against PHE's funnel tables, FunnelPlotR and published Fingertips limits."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccgtools.errors import DataError, ParameterError
from ccgtools.stats import (
    funnel_limits,
    funnel_significance,
    overdispersion,
    proportion_ci,
)

from ..conftest import real_data_path, reference_path

LIMIT_COLUMNS = {"lower_95": "{}2s", "upper_95": "{}2s", "lower_99_8": "{}3s", "upper_99_8": "{}3s"}


def _phe_csv(name):
    return pd.read_csv(reference_path("phe", name), encoding="utf-8-sig")


@pytest.mark.parametrize("name", ["testdata_funnel_prop_outputs.csv",
                                  "testdata_funnel_prop_outputs_with_axis_variation.csv"])
def test_proportion_funnel_limits_match_phe_tables(name):
    table = _phe_csv(name)
    limits = funnel_limits(table["Population"], table["Baseline"].iloc[0], statistic="proportion", multiplier=100)
    for ours, theirs in (("lower_95", "Lower2s0025limit"), ("upper_95", "Upper2s0025limit"),
                         ("lower_99_8", "Lower3s0001limit"), ("upper_99_8", "Upper3s0001limit")):
        # The table's limits are printed to 6 decimal places of a percentage: compare to 1e-6 (absolute).
        np.testing.assert_allclose(limits[ours], table[theirs], rtol=1e-6, atol=1e-6)


def test_default_proportion_target_is_phes_baseline():
    # PHE's outputs table prints the baseline its limits were drawn around (80.642448%): ccgtools'
    # default target for the same 303 areas must be that value, and significance judged around
    # PHE's printed baseline must be the significance ccgtools gives around its own default.
    inputs = _phe_csv("testdata_funnel_prop_inputs.csv")
    baseline = _phe_csv("testdata_funnel_prop_outputs.csv")["Baseline"].iloc[0]
    fit = overdispersion(inputs["numerator"], inputs["denominator"], statistic="proportion")
    assert 100 * fit.target == pytest.approx(baseline, rel=1e-8)
    around_phe = funnel_significance(inputs["numerator"], inputs["denominator"], baseline, statistic="proportion",
                                     multiplier=100)
    assert around_phe.tolist() == inputs["significance"].tolist()


def test_proportion_significance_matches_phe_for_all_303_areas():
    inputs = _phe_csv("testdata_funnel_prop_inputs.csv")
    significance = funnel_significance(inputs["numerator"], inputs["denominator"], statistic="proportion")
    assert len(inputs) == 303
    assert significance.tolist() == inputs["significance"].tolist()


def test_ratio_significance_matches_phe():
    inputs = _phe_csv("testdata_funnel_ratio_inputs.csv")
    significance = funnel_significance(inputs["obs"], inputs["expected"], statistic="ratio")
    assert len(inputs) == 300
    assert significance.fillna("missing").tolist() == inputs["significance"].fillna("missing").tolist()


def _tolerance(observed, level_label):
    # PHE's Excel CHIINV is less accurate in the far tail: for O = 1 its 99.8% limits differ from
    # the exact χ² quantile by up to 6.4e-6 (relative) for O = 1 and 1.0e-6 for O = 2; everywhere
    # else they agree to 1e-6.
    return np.where((observed <= 2) & (level_label == "3s"), 1e-5, 1e-6)


def test_ratio_funnel_limits_match_phe_table():
    table = _phe_csv("testdata_funnel_ratio_outputs.csv")
    table.columns = ["observed", *table.columns[1:]]
    for side, level, label in (("lower", 0.95, "2s"), ("upper", 0.95, "2s"), ("lower", 0.998, "3s"),
                               ("upper", 0.998, "3s")):
        expected_events = table[f"{side}_{label}_exp_events"]
        limits = funnel_limits(expected_events, 1.0, statistic="ratio", confidence=level, multiplier=1)
        ours = 100 * limits[f"{side}_{'95' if level == 0.95 else '99_8'}"]
        relative = np.abs(ours / table[f"{side}_{label}_isr"] - 1)
        assert (relative <= _tolerance(table["observed"], label)).all(), (side, label, relative.max())


@pytest.mark.parametrize("name", ["testdata_funnel_rate_outputs.csv", "testdata_funnel_rate_outputs_2.csv",
                                  "testdata_funnel_rate_outputs_3.csv"])
def test_rate_funnel_limits_match_phe_tables(name):
    # PHE's rate funnels are for 3 years of data (its default years_of_data = 3); the table gives
    # the one-year population, so the person-time is 3 × that.
    table = _phe_csv(name)
    baseline = table["baseline"].iloc[0]
    for side, level, label in (("lower", 0.95, "2s"), ("upper", 0.95, "2s"), ("lower", 0.998, "3s"),
                               ("upper", 0.998, "3s")):
        person_years = 3 * table[f"{side}_{label}_population_1_year"]
        limits = funnel_limits(person_years, baseline, statistic="rate", confidence=level, multiplier=100_000)
        ours = limits[f"{side}_{'95' if level == 0.95 else '99_8'}"]
        relative = np.abs(ours / table[f"{side}_{label}_limit"] - 1)
        assert (relative <= _tolerance(table["Events"], label)).all(), (side, label, relative.max())


def test_fingertips_published_limits_for_every_gp_practice():
    path = real_data_path("fingertips_91547_qof_smoking_prev_gp_2022-24.csv")
    data = pd.read_csv(path, low_memory=False)
    gps = data[(data["Area Type"] == "GPs") & data["Lower CI 95.0 limit"].notna()]
    assert len(gps) > 6000
    for level, low, high in ((0.95, "Lower CI 95.0 limit", "Upper CI 95.0 limit"),
                             (0.998, "Lower CI 99.8 limit", "Upper CI 99.8 limit")):
        value, lower, upper = proportion_ci(gps["Count"], gps["Denominator"], level)
        # Fingertips publishes values rounded to 3-4 significant places: compare to its rounding.
        np.testing.assert_allclose(100 * value, gps["Value"], atol=5e-4, rtol=1e-4)
        np.testing.assert_allclose(100 * lower, gps[low], atol=5e-4, rtol=1e-4)
        np.testing.assert_allclose(100 * upper, gps[high], atol=5e-4, rtol=1e-4)


def test_funnel_limits_hand_worked_ratio():
    # E = 5.571643 (= χ²_{0.975}(4)/2): the lower 95% limit passes through O = 1, ratio 1/E = 0.179480.
    limits = funnel_limits([5.571643], 1.0, statistic="ratio", confidence=0.95)
    assert limits["lower_95"].iloc[0] == pytest.approx(1 / 5.571643, rel=1e-6)


def test_zero_denominator_limits_are_nan():
    limits = funnel_limits([0, 10], 0.5, statistic="proportion")
    assert limits.iloc[0][["lower_95", "upper_95"]].isna().all()
    assert limits.iloc[1][["lower_95", "upper_95"]].notna().all()


def test_unknown_statistic():
    with pytest.raises(ParameterError, match="statistic must be one of"):
        funnel_limits([10], 0.5, statistic="mean")


@given(st.floats(1, 1e6), st.floats(0.01, 0.99))
def test_proportion_limits_contain_target_and_widen_with_confidence(n, target):
    limits = funnel_limits([n], target, statistic="proportion").iloc[0]
    assert limits["lower_99_8"] <= limits["lower_95"] <= target <= limits["upper_95"] <= limits["upper_99_8"]


# --- over-dispersion: FunnelPlotR 0.6.0, square-root scale, 10% winsorisation ---

@pytest.fixture(scope="module")
def funnelplotr():
    inputs = pd.read_csv(reference_path("funnelplotr", "fpr_SR_input_synthetic.csv"))
    outputs = pd.read_csv(reference_path("funnelplotr", "fpr_SR_CQC_source_data.csv"))
    return inputs, outputs.set_index("group").loc[inputs["unit"]].reset_index()


def test_phi_and_tau2_match_funnelplotr(funnelplotr):
    inputs, _ = funnelplotr
    result = overdispersion(inputs["O"], inputs["E"], statistic="ratio", estimator="funnelplotr")
    assert result.phi == pytest.approx(4.135679, rel=1e-6)
    assert result.tau2 == pytest.approx(0.003336212, rel=1e-6)
    assert result.n_units == 40 and result.adjusted


def test_unit_quantities_match_funnelplotr(funnelplotr):
    inputs, outputs = funnelplotr
    units = overdispersion(inputs["O"], inputs["E"], statistic="ratio", estimator="funnelplotr").units
    for ours, theirs in (("y", "Y"), ("s", "s"), ("z", "Uzscore"), ("z_winsorised", "Wuzscore")):
        np.testing.assert_allclose(units[ours], outputs[theirs], rtol=1e-9)
    np.testing.assert_array_equal(units["winsorised"], outputs["winsorised"].astype(bool))
    # FunnelPlotR's source data gives the adjusted limits on the transformed (square-root) scale.
    for ours, theirs in (("lower_95", "OD95LCL"), ("upper_95", "OD95UCL"), ("lower_99_8", "OD99LCL"),
                         ("upper_99_8", "OD99UCL")):
        np.testing.assert_allclose(units[f"{ours}_transformed"], outputs[theirs], rtol=1e-6)
        np.testing.assert_allclose(units[ours], outputs[theirs] ** 2, rtol=2e-6)


def test_adjusted_z_hand_worked(funnelplotr):
    inputs, outputs = funnelplotr
    result = overdispersion(inputs["O"], inputs["E"], statistic="ratio", estimator="funnelplotr")
    s = outputs["s"].to_numpy()
    expected = (outputs["Y"] - 1) / np.sqrt(s**2 + 0.003336212)
    np.testing.assert_allclose(result.units["z_adjusted"], expected, rtol=1e-6)


def test_no_adjustment_without_overdispersion():
    # Units exactly on target: all z = 0, φ̂ = 0 ≤ 1, so τ̂² = 0 and the limits are the unadjusted ones.
    e = np.array([50.0, 100.0, 200.0, 400.0])
    result = overdispersion(e, e, statistic="ratio")
    assert result.phi == 0 and result.tau2 == 0 and not result.adjusted
    s = 1 / (2 * np.sqrt(e))
    np.testing.assert_allclose(result.units["upper_95"], (1 + 1.959964 * s) ** 2, rtol=1e-6)


def test_proportion_overdispersion_arcsine_scale_hand_worked():
    # Two units, 10/100 and 30/100: target 40/200 = 0.2, θ₀ = asin(√0.2) = 0.463648.
    # y = asin(√0.1) = 0.321751, asin(√0.3) = 0.579640; s = 1/(2·10) = 0.05.
    # z = −2.837941, 2.319836; with two units the 10th/90th percentiles winsorise to
    # −2.322058 and 1.804058... computed here from numpy's type-7 quantile of the two z's.
    result = overdispersion([10, 30], [100, 100], statistic="proportion", estimator="funnelplotr")
    z = np.array([(0.321751 - 0.463648) / 0.05, (0.579640 - 0.463648) / 0.05])
    np.testing.assert_allclose(result.units["z"], z, atol=1e-4)
    low, high = z[0] + 0.1 * (z[1] - z[0]), z[0] + 0.9 * (z[1] - z[0])
    phi = (low**2 + high**2) / 2
    assert result.phi == pytest.approx(phi, rel=1e-4)
    w = np.array([400.0, 400.0])
    tau2 = (2 * phi - 1) / (w.sum() - (w**2).sum() / w.sum())
    assert result.tau2 == pytest.approx(tau2, rel=1e-4)
    upper = np.sin(0.463648 + 1.959964 * np.sqrt(0.05**2 + tau2)) ** 2
    assert result.units["upper_95"].iloc[0] == pytest.approx(upper, rel=1e-4)


def test_overdispersion_refuses_bad_input():
    with pytest.raises(DataError, match="numerator above denominator"):
        overdispersion([5, 12], [10, 10], statistic="proportion")
    with pytest.raises(ParameterError):
        overdispersion([5], [10], statistic="rate")
    with pytest.raises(DataError, match="negative"):
        overdispersion([-5, 3], [10, 10], statistic="ratio")


def test_units_with_zero_denominator_left_out():
    result = overdispersion([10, 20, 5, 7], [10, 18, 0, 6], statistic="ratio")
    assert result.n_units == 3 and np.isnan(result.units["z"].iloc[2])


def test_multiplicative_and_unadjusted_methods(funnelplotr):
    inputs, outputs = funnelplotr
    s = outputs["s"].to_numpy()
    multiplicative = overdispersion(inputs["O"], inputs["E"], statistic="ratio", method="multiplicative",
                                    estimator="funnelplotr")
    # θ₀ ± z·√φ·s with φ = 4.135679 (FunnelPlotR's φ), on the square-root scale.
    np.testing.assert_allclose(multiplicative.units["upper_95_transformed"],
                               1 + 1.959964 * np.sqrt(4.135679) * s, rtol=1e-6)
    unadjusted = overdispersion(inputs["O"], inputs["E"], statistic="ratio", method="none",
                                estimator="funnelplotr")
    # (FunnelPlotR's own unadjusted limits use a Byars-type cube approximation instead, so they are
    # not the reference here: on the square-root scale the unadjusted limit is (1 − z·s)².)
    np.testing.assert_allclose(unadjusted.units["lower_95"], (1 - 1.959964 * s) ** 2, rtol=1e-6)
    assert not unadjusted.adjusted and unadjusted.phi == pytest.approx(4.135679, rel=1e-6)


def test_limits_along_a_grid_match_funnelplotr(funnelplotr):
    # The funnel drawn along a range of E, evaluated at each unit's E with FunnelPlotR's published
    # target (1) and τ̂² (0.003336212), must pass through FunnelPlotR's adjusted limits for that unit
    # (given on the square-root scale, so squared here).
    from ccgtools.stats import adjusted_funnel_limits

    inputs, outputs = funnelplotr
    grid = adjusted_funnel_limits(inputs["E"], 1.0, 0.003336212, statistic="ratio")
    for ours, theirs in (("lower_95", "OD95LCL"), ("upper_95", "OD95UCL"), ("lower_99_8", "OD99LCL"),
                         ("upper_99_8", "OD99UCL")):
        np.testing.assert_allclose(grid[ours], outputs[theirs] ** 2, rtol=2e-6)


# --- the consistent (default) estimator: checked against numerical integration and simulation ---

def test_winsorised_normal_mean_square_by_numerical_integration():
    from scipy import integrate
    from scipy.stats import norm

    from ccgtools.stats.funnel import winsorised_normal_mean_square

    for q in (0.05, 0.1, 0.2):
        c = norm.ppf(1 - q)
        by_quadrature = integrate.quad(lambda z: min(z * z, c * c) * norm.pdf(z), -12, 12, points=[-c, c])[0]
        assert winsorised_normal_mean_square(q) == pytest.approx(by_quadrature, rel=1e-9)
    assert winsorised_normal_mean_square(0.1) == pytest.approx(0.6787, abs=5e-5)  # METHODS.md
    assert winsorised_normal_mean_square(0.0) == 1.0


def _random_effects_units(seed, tau2, n=2000):
    """Ratios whose √(O/E) varies between units with variance τ² around 1, plus Poisson noise."""
    rng = np.random.default_rng(seed)
    e = rng.lognormal(np.log(400), 0.8, size=n)
    root_ratio = 1 + rng.normal(0, np.sqrt(tau2), size=n)
    return rng.poisson(e * root_ratio**2), e


def test_default_tau2_is_consistent_and_funnelplotr_is_biased_low():
    truth = 0.0012
    default, compatible = [], []
    for seed in range(8):
        o, e = _random_effects_units(seed, truth)
        default.append(overdispersion(o, e, statistic="ratio").tau2)
        compatible.append(overdispersion(o, e, statistic="ratio", estimator="funnelplotr").tau2)
    assert np.mean(default) == pytest.approx(truth, rel=0.06)
    assert np.mean(compatible) < 0.85 * truth  # the winsorising bias the default removes


def test_default_limits_give_the_nominal_false_alarm_rate():
    # Over 8 × 2,000 ordinary units the 99.8% limits should be crossed by about 0.2% of them.
    outside = []
    for seed in range(8):
        o, e = _random_effects_units(100 + seed, 0.0012)
        fit = overdispersion(o, e, statistic="ratio", confidence=0.998)
        outside.append(((o / e > fit.units["upper_99_8"]) | (o / e < fit.units["lower_99_8"])).mean())
    assert 0.0005 < np.mean(outside) < 0.004


def test_unknown_estimator_refused():
    with pytest.raises(ParameterError, match="estimator"):
        overdispersion([5, 6], [5, 5], statistic="ratio", estimator="guess")
