"""ccgtools.stats, checked against hand-worked values, PHE's reference tables and statsmodels."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from ccgtools.errors import DataError
from ccgtools.stats import (
    byars_limits,
    exact_poisson_limits,
    poisson_limits,
    proportion_ci,
    rate_ci,
    z_value,
)

from ..conftest import reference_path


def test_z_values_match_methods_md():
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.998) == pytest.approx(3.090232, abs=1e-6)


def test_wilson_hand_worked():
    # x = 80, n = 95, z = 1.959964: z² = 3.841459
    # centre = 2·80 + 3.841459 = 163.841459
    # spread = z·√(z² + 4·80·(1 − 80/95)) = 1.959964·√(3.841459 + 50.526316) = 1.959964·7.373451 = 14.451701
    # denominator = 2·(95 + 3.841459) = 197.682918
    # lower = (163.841459 − 14.451701)/197.682918 = 0.755704; upper = 0.901915
    p, lower, upper = proportion_ci(80, 95)
    assert p == pytest.approx(80 / 95)
    assert lower == pytest.approx(0.755704, abs=1e-6)
    assert upper == pytest.approx(0.901915, abs=1e-6)


@pytest.mark.parametrize("x,n", [(0, 10), (1, 1), (3, 7), (50, 100), (999, 1000), (12345, 678901)])
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.998])
def test_wilson_agrees_with_statsmodels(x, n, confidence):
    _, lower, upper = proportion_ci(x, n, confidence)
    expected = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    assert (lower, upper) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_wilson_matches_phe_reference_table():
    table = pd.read_excel(reference_path("phe", "testdata_Proportion.xlsx"), sheet_name="testdata_Prop")
    table = table.dropna(subset=["Numerator", "Denominator"])
    table = table[(table["Denominator"] > 0) & (table["Numerator"] <= table["Denominator"])]
    assert len(table) >= 8
    for confidence, low, high in ((0.95, "lower95_0cl", "upper95_0cl"), (0.998, "lower99_8cl", "upper99_8cl")):
        value, lower, upper = proportion_ci(table["Numerator"], table["Denominator"], confidence)
        scale = table["multiplier"]  # PHE shows some rows as percentages (multiplier 100)
        np.testing.assert_allclose(value * scale, table["value"], rtol=1e-6)
        np.testing.assert_allclose(lower * scale, table[low], rtol=1e-6)
        np.testing.assert_allclose(upper * scale, table[high], rtol=1e-6)


def test_series_keeps_index_and_scalar_gives_scalar():
    x = pd.Series([1, 2], index=["a", "b"])
    p, lower, upper = proportion_ci(x, pd.Series([10, 20], index=["a", "b"]))
    assert list(p.index) == ["a", "b"] and isinstance(lower, pd.Series)
    assert isinstance(proportion_ci(1, 10)[0], float)


def test_zero_denominator_gives_nan():
    p, lower, upper = proportion_ci(np.array([0, 1]), np.array([0, 2]))
    assert math.isnan(p[0]) and math.isnan(lower[0]) and math.isnan(upper[0])
    assert p[1] == 0.5


@pytest.mark.parametrize("x,n,problem", [(-1, 10, "negative"), (11, 10, "numerator above denominator"),
                                         (1, -5, "negative")])
def test_bad_counts_raise(x, n, problem):
    with pytest.raises(DataError, match=problem):
        proportion_ci(x, n)


def test_finite_population_correction_hand_worked():
    # n = 95 of N = 254: f² = (254 − 95)/(254 − 1) = 159/253 = 0.628458; n_eff = 95/0.628458 = 151.163522.
    # Wilson on x_eff = (80/95)·151.163522 = 127.295598 of n_eff gives 0.775600 to 0.891654.
    _, lower, upper = proportion_ci(80, 95, population_size=254)
    assert lower == pytest.approx(0.775600, abs=1e-6)
    assert upper == pytest.approx(0.891654, abs=1e-6)


def test_finite_population_correction_narrows_and_collapses_at_census():
    _, lo_inf, hi_inf = proportion_ci(30, 60)
    _, lo_fpc, hi_fpc = proportion_ci(30, 60, population_size=100)
    assert lo_inf < lo_fpc < 0.5 < hi_fpc < hi_inf
    assert proportion_ci(30, 60, population_size=60) == (0.5, 0.5, 0.5)
    with pytest.raises(DataError, match="population size smaller"):
        proportion_ci(30, 60, population_size=59)


def _phe_sheet(book: str, sheet: str) -> pd.DataFrame:
    return pd.read_excel(reference_path("phe", book), sheet_name=sheet)


def _level(text: str) -> float:
    return {"95%": 0.95, "99.8%": 0.998}[text]


def test_byars_and_wilson_reference_sheet():
    table = _phe_sheet("testdata_Byars_Wilson.xlsx", "testdata_B_W")
    for row in table.itertuples():
        confidence = _level(row.confidence)
        if row.method == "Byars":
            lower, upper = byars_limits(row.x, confidence)
        else:
            _, lower, upper = proportion_ci(row.x, row.n, confidence)
        if pd.isna(row.lowercl):
            assert math.isnan(lower), row  # PHE: no Byars lower limit for x = 1 at 99.8%
        else:
            assert lower == pytest.approx(row.lowercl, rel=1e-6), row
        assert upper == pytest.approx(row.uppercl, rel=1e-6), row


@pytest.mark.parametrize("sheet", ["testdata_Rate", "testdata_Rate_g"])
def test_rates_match_phe_reference(sheet):
    table = _phe_sheet("testdata_Rate.xlsx", sheet)
    if sheet == "testdata_Rate":
        levels = {0.95: ("lower95_0cl", "upper95_0cl"), 0.998: ("lower99_8cl", "upper99_8cl")}
        groups = [(table, levels)]
    else:
        groups = [(table, {0.95: ("lowercl", "uppercl")})]
    for frame, columns in groups:
        for confidence, (low, high) in columns.items():
            rate, lower, upper = rate_ci(frame["Numerator"], frame["Denominator"], confidence,
                                         multiplier=1.0)
            scale = frame["multiplier"]
            np.testing.assert_allclose(rate * scale, frame["value"], rtol=1e-6)  # NaN where PHE gives NaN
            np.testing.assert_allclose(lower * scale, frame[low], rtol=1e-6)
            np.testing.assert_allclose(upper * scale, frame[high], rtol=1e-6)


def test_exact_poisson_hand_worked():
    # x = 0: lower 0, upper = χ²_{0.975}(2)/2 = −ln(0.025) = 3.688879
    assert exact_poisson_limits(0) == (0.0, pytest.approx(-math.log(0.025)))
    # x = 1, 95%: lower = χ²_{0.025}(2)/2 = −ln(0.975) = 0.025318
    assert exact_poisson_limits(1)[0] == pytest.approx(-math.log(0.975))


def test_poisson_limits_switch_to_byars_at_ten():
    assert poisson_limits(9) == exact_poisson_limits(9)
    assert poisson_limits(10) == byars_limits(10)
    lower, upper = poisson_limits(np.array([9.0, 10.0]))
    assert lower[0] == exact_poisson_limits(9)[0] and upper[1] == byars_limits(10)[1]


def test_rate_with_missing_or_zero_denominator_is_nan():
    rate, lower, upper = rate_ci(np.array([5.0, np.nan, 5.0]), np.array([0.0, 100.0, np.nan]))
    assert np.isnan(rate).all() and np.isnan(lower).all() and np.isnan(upper).all()


def test_negative_count_rejected_for_rates():
    with pytest.raises(DataError, match="negative"):
        rate_ci(-1, 100)


@given(st.integers(0, 10_000), st.integers(1, 10_000), st.sampled_from([0.8, 0.95, 0.998]))
def test_wilson_properties(x, extra, confidence):
    n = x + extra
    p, lower, upper = proportion_ci(x, n, confidence)
    assert 0 <= lower <= p <= upper <= 1
    _, wider_lower, wider_upper = proportion_ci(x, n, 0.999)
    assert wider_lower <= lower + 1e-12 and upper <= wider_upper + 1e-12
    _, big_lower, big_upper = proportion_ci(4 * x, 4 * n, confidence)
    assert big_upper - big_lower <= upper - lower + 1e-12


def test_missing_inputs_give_documented_nan():
    p, lower, upper = proportion_ci(np.array([np.nan, 3.0]), np.array([10.0, np.nan]))
    assert np.isnan(p).all() and np.isnan(lower).all() and np.isnan(upper).all()
    lower, upper = poisson_limits(np.array([np.nan]))
    assert np.isnan(lower).all() and np.isnan(upper).all()
