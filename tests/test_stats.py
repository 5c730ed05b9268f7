"""ccgtools.stats, checked against hand-worked values, PHE's reference tables and statsmodels."""

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from ccgtools.errors import DataError
from ccgtools.stats import proportion_ci, z_value

from .conftest import shared_path


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
    table = pd.read_excel(shared_path("reference", "phe", "testdata_Proportion.xlsx"), sheet_name="testdata_Prop")
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
