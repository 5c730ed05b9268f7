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
