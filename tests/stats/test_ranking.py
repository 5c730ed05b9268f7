"""ccgtools.stats.ranking: rank intervals by simulation."""

import numpy as np
import pandas as pd
import pytest

from ccgtools.errors import DataError, ParameterError
from ccgtools.stats import rank_uncertainty


def test_clearly_best_unit_ranks_first_with_a_narrow_interval():
    x = pd.Series([950, 500, 510, 490, 505], index=list("ABCDE"))
    result = rank_uncertainty(x, pd.Series([1000] * 5, index=list("ABCDE")), n_simulations=4000, seed=1)
    assert result.loc["A", "median_rank"] == 1
    assert (result.loc["A", "rank_lower"], result.loc["A", "rank_upper"]) == (1, 1)
    assert result.loc["A", "prob_bottom"] == 0


def test_identical_units_get_overlapping_wide_intervals():
    result = rank_uncertainty(np.array([50] * 10), np.array([100] * 10), n_simulations=4000, seed=2)
    assert (result["rank_lower"] <= 2).all() and (result["rank_upper"] >= 9).all()
    # Bottom fifth of 10 = ranks 9 and 10: each identical unit lands there about 20% of the time.
    assert result["prob_bottom"].to_numpy() == pytest.approx(np.full(10, 0.2), abs=0.03)


def test_same_seed_same_answer_and_different_seed_different_draws():
    args = (np.array([10, 12, 14, 16]), np.array([100, 100, 100, 100]))
    first = rank_uncertainty(*args, n_simulations=500, seed=7)
    pd.testing.assert_frame_equal(first, rank_uncertainty(*args, n_simulations=500, seed=7))
    other = rank_uncertainty(*args, n_simulations=500, seed=8)
    assert not first["prob_bottom"].equals(other["prob_bottom"])


def test_lower_is_better_reverses_ranks():
    x, n = np.array([5, 50, 95]), np.array([100, 100, 100])
    assert rank_uncertainty(x, n, higher_is_better=False, n_simulations=200)["rank"].tolist() == [1, 2, 3]
    assert rank_uncertainty(x, n, higher_is_better=True, n_simulations=200)["rank"].tolist() == [3, 2, 1]


def test_ratios_and_unrankable_units():
    result = rank_uncertainty(np.array([30, 10, 5]), np.array([10, 10, 0]), statistic="ratio",
                              n_simulations=500)
    assert result["median_rank"].iloc[0] == 1 and np.isnan(result["median_rank"].iloc[2])


def test_bad_input():
    with pytest.raises(DataError, match="numerator above denominator"):
        rank_uncertainty([5, 12], [10, 10])
    with pytest.raises(ParameterError, match="bottom_fraction"):
        rank_uncertainty([5], [10], bottom_fraction=1.5)


def test_bottom_fifth_is_a_fifth_rounded_up():
    from ccgtools.stats.ranking import bottom_count, in_bottom

    # ⌈I/5⌉: 10 of 46, 9 of 44, 9 of 45 (0.2 × 45 is 9.000000000000002 in floating point), 1 of 4.
    assert [int(bottom_count(i)) for i in (46, 44, 45, 4, 5)] == [10, 9, 9, 1, 1]
    assert list(in_bottom(np.array([36, 37, 46]), 46)) == [False, True, True]
    with pytest.raises(ParameterError):
        bottom_count(10, 1.2)


def _weekly_counts(rng, units=40, periods=52, between=0.3, within=0.25):
    """Counts per period and unit around known unit means (logit scale); true rank 1 = highest mean."""
    truth = rng.normal(0, between, units)
    trials = rng.poisson(rng.integers(200, 5000, units)[None, :] * np.ones((periods, 1)))
    logit = 1 + truth[None, :] + rng.normal(0, 0.1, (periods, 1)) + rng.normal(0, within, (periods, units))
    events = rng.binomial(trials, 1 / (1 + np.exp(-logit)))
    return events, trials, (-truth).argsort().argsort() + 1


def test_period_bootstrap_rank_intervals_cover_the_true_ranks():
    from ccgtools.stats.ranking import period_bootstrap_ranks

    rng = np.random.default_rng(11)
    covered = []
    for replicate in range(25):
        events, trials, true_rank = _weekly_counts(rng)
        result = period_bootstrap_ranks(events, trials, n_simulations=1000, seed=replicate)
        covered.append((result["rank_lower"] <= true_rank) & (true_rank <= result["rank_upper"]))
    assert pd.concat(covered).mean() >= 0.90


def test_period_bootstrap_is_exact_when_nothing_varies_and_skips_missing_periods():
    from ccgtools.stats.ranking import period_bootstrap_ranks

    # Every week the same: each unit's KPI is the same in every replicate, so each rank is certain.
    events = np.tile([[90.0, 80.0, 70.0, 60.0, 50.0]], (6, 1))
    events[2, 0] = np.nan  # a week unit 0 did not report adds nothing to its totals
    result = period_bootstrap_ranks(events, np.where(np.isnan(events), np.nan, 100.0), n_simulations=300, seed=3)
    assert list(result["rank_lower"]) == list(result["rank_upper"]) == [1, 2, 3, 4, 5]
    assert list(result["prob_bottom"]) == [0, 0, 0, 0, 1]
    assert result["value"][0] == pytest.approx(0.9)
