"""Credible change (:mod:`ccgtools.stats.change`) against simulation with known truth."""

from __future__ import annotations

import numpy as np
import pytest

from ccgtools.errors import ParameterError
from ccgtools.stats.change import credible_change, sqrt_ratio_scale


def simulate(rng, *, units: int = 42, tau_change: float = 0.01, planted: float = 0.0):
    """Two years of counts for ``units`` areas: a persistent level, a true change ~ N(0, tau_change²) on the
    square-root scale for every unit (the usual spread of changes), plus ``planted`` for unit 0; Poisson counts."""
    expected = rng.uniform(2e4, 3e5, units)
    level = rng.normal(1.0, 0.05, units)
    change = rng.normal(0.0, tau_change, units)
    change[0] += planted
    first = rng.poisson(expected * level**2)
    second = rng.poisson(expected * (level + change) ** 2)
    y1, s1 = sqrt_ratio_scale(first, expected)
    y2, s2 = sqrt_ratio_scale(second, expected)
    return y1, s1, y2, s2


def test_false_alarms_near_the_nominal_rate_when_nothing_was_planted():
    rng = np.random.default_rng(20241124)
    credible, chance = [], []
    for _ in range(300):
        out = credible_change(*simulate(rng), level=0.95)
        credible.append(out["credible"].mean())
        chance.append(out["beyond_chance"].mean())
    # 12,600 tests: the binomial SE of a 5% rate is 0.2 points; allow for the estimation of τ² with 42 units.
    assert 0.035 <= np.mean(credible) <= 0.065
    # Chance alone flags far more: the usual spread of changes is much larger than sampling error here.
    assert np.mean(chance) > 0.4


def test_the_level_sets_the_false_alarm_rate():
    rng = np.random.default_rng(7)
    rates = [np.mean([credible_change(*simulate(rng, units=200), level=0.8)["credible"].mean() for _ in range(60)])]
    assert 0.17 <= rates[0] <= 0.23


def test_a_planted_change_is_found():
    rng = np.random.default_rng(11)
    found = [credible_change(*simulate(rng, planted=0.06), level=0.95)["credible"].iloc[0] for _ in range(200)]
    assert np.mean(found) >= 0.9
    small = [credible_change(*simulate(rng, planted=0.005), level=0.95)["credible"].iloc[0] for _ in range(200)]
    assert np.mean(small) < 0.2  # a change within the usual spread is rarely called credible


def test_direction_and_missing_units():
    y1 = np.array([1.0, 1.0, 1.0, 1.0, 1.0, np.nan])
    s = np.full(6, 0.01)
    y2 = np.array([1.0, 1.001, 0.999, 1.0, 1.2, 1.0])
    out = credible_change(y1, s, y2, s, level=0.95)
    assert out.loc[4, "direction"] == "up" and out.loc[4, "credible"]
    assert np.isnan(out.loc[5, "z"]) and not out.loc[5, "credible"]
    assert out.attrs["tau2"] >= 0
    with pytest.raises(ParameterError, match="at least 3"):
        credible_change([1, np.nan], [0.1, 0.1], [1, 1], [0.1, 0.1])
    with pytest.raises(ParameterError, match="level"):
        credible_change(y1, s, y2, s, level=95)


def test_fixed_centre_is_used():
    y1 = np.zeros(10)
    s = np.full(10, 0.1)
    out = credible_change(y1, s, np.full(10, 0.5), s, centre=0.0)
    # Every change is 0.5 from the centre 0 with SE √0.02: z_chance = 3.5355, beyond chance. But all units
    # moved alike, so the spread equation (0.25/(0.02 + τ²) = κ = 0.6787) gives τ² = 0.3484 and
    # z = 0.5/√0.3684 = 0.824: nothing is credible once the usual spread of changes is allowed for.
    assert out["beyond_chance"].all()
    assert out["z_chance"].iloc[0] == pytest.approx(0.5 / np.sqrt(0.02))
    assert out.attrs["tau2"] == pytest.approx(0.25 / 0.6787 - 0.02, rel=5e-4)  # κ = 0.6787 (METHODS.md)
    assert not out["credible"].any()
