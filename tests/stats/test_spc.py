"""ccgtools.stats.spc: XmR limits and Making Data Count rules, worked by hand."""

import numpy as np
import pytest

from ccgtools.errors import DataError, ParameterError
from ccgtools.stats import xmr

# A steady process: 11, 13 alternating has mean 12 and every moving range 2, so MR̄ = 2,
# limits 12 ± 2.66·2 = 6.68 and 17.32, and the "near" band begins 2/3 of the way: 12 ± 3.5467.
STEADY = [11, 13] * 8


def test_limits_hand_worked():
    chart = xmr(STEADY)
    assert chart["mean"].iloc[0] == pytest.approx(12)
    assert chart["lower_limit"].iloc[0] == pytest.approx(6.68)
    assert chart["upper_limit"].iloc[0] == pytest.approx(17.32)
    assert (chart["rule"] == "").all() and (chart["variation"] == "common cause").all()


def test_moving_ranges_screened_before_the_limits():
    # 10, 12 … with a spike of 30: mean 12; MRs are 2 (16 of them) and 18 (two).
    # Average MR = (32 + 36)/18 = 3.778; 3.267 × 3.778 = 12.34, so the two 18s are screened out:
    # MR̄ = 2 and limits are 12 ± 5.32. Without screening MR̄ = 3.778 and limits 12 ± 10.05.
    series = [10, 12] * 6 + [30] + [12, 10] * 3
    screened = xmr(series)
    assert screened["upper_limit"].iloc[0] == pytest.approx(17.32)
    unscreened = xmr(series, screen_outliers=False)
    assert unscreened["upper_limit"].iloc[0] == pytest.approx(12 + 2.66 * 68 / 18)
    assert screened["rule"].iloc[12] == "outside limits"
    assert screened["variation"].iloc[12] == "special cause improvement"
    assert (screened["rule"].drop(12) == "").all()


def test_direction_lower_is_better_makes_a_high_point_a_concern():
    series = [10, 12] * 6 + [30] + [12, 10] * 3
    assert xmr(series, improvement="lower")["variation"].iloc[12] == "special cause concern"
    assert xmr(series, improvement="neutral")["variation"].iloc[12] == "special cause neutral"


def test_trend_of_seven_increasing_points():
    # 7 rising points (12, 12.5 … 15, positions 5-11) inside the limits; 13 → 12 before and 15 → 11 after.
    series = [11, 13, 11, 13, 13, 12, 12.5, 13, 13.5, 14, 14.5, 15, 11, 13, 11, 13]
    chart = xmr(series)
    assert chart["trend"].tolist() == [False] * 5 + [True] * 7 + [False] * 4
    assert (chart.loc[5:11, "direction"] == 1).all()


def test_six_rising_points_are_not_a_trend():
    series = [11, 13, 11, 13, 11, 12, 12.5, 13, 13.5, 14, 11, 13, 11, 13, 11, 13]
    assert not xmr(series)["trend"].any()


def test_a_tie_breaks_a_trend():
    # 12, 12.5, 13, 13, 13.5, 14, 14.5: seven points but one step is flat.
    series = [11, 13, 11, 13, 11, 12, 12.5, 13, 13, 13.5, 14, 14.5, 11, 13, 11, 13]
    assert not xmr(series)["trend"].any()


def test_falling_trend_is_concern_when_higher_is_better():
    series = [11, 13, 11, 13, 11, 15, 14.5, 14, 13.5, 13, 12.5, 12, 13, 11, 13, 11]
    chart = xmr(series)
    assert chart["trend"].sum() == 7
    # Point 5 (15) is above the mean but part of a falling trend: the trend's direction decides.
    assert chart["variation"].iloc[5] == "special cause concern"


def test_shift_of_seven_points_above_the_mean():
    # Mean of this series is 12.21875 (195.5/16); points 4-10 are 13 or 13.5, all above it,
    # and the 11s and 12s around them are below it.
    series = [11, 12, 11, 12, 13, 13.5, 13, 13.5, 13, 13.5, 13, 11, 12, 11, 12, 11]
    chart = xmr(series)
    assert chart["mean"].iloc[0] == pytest.approx(195.5 / 16)
    assert chart["shift"].tolist() == [False] * 4 + [True] * 7 + [False] * 5


def test_a_point_on_the_mean_breaks_a_shift():
    # Mean is exactly 12 (192/16); the fourth point of the run above it equals the mean.
    series = [11, 11, 11, 11, 13, 13, 13, 12, 13, 13, 13, 11, 11, 11, 11, 14]
    chart = xmr(series)
    assert chart["mean"].iloc[0] == pytest.approx(12)
    assert not chart["shift"].any()


def test_two_of_three_near_the_upper_limit():
    # 11/13 with 18.5, 13, 18.5 at positions 6-8: mean = 205/16 = 12.8125; moving ranges sum to 46,
    # MR̄ = 46/15 = 3.0667 (none screened), upper limit 12.8125 + 2.66·3.0667 = 20.970 and the
    # near band starts at 12.8125 + (2/3)·2.66·3.0667 = 18.251. So 18.5 is near but inside, twice
    # in three points, all three above the mean: the two near points are flagged, the middle one not.
    series = [11, 13, 11, 13, 11, 13, 18.5, 13, 18.5, 11, 13, 11, 13, 11, 13, 11]
    chart = xmr(series)
    assert chart["two_in_three"].tolist() == [False] * 6 + [True, False, True] + [False] * 7
    assert chart["rule"].iloc[6] == "two of three near a limit"


def test_two_near_points_on_opposite_sides_are_not_flagged():
    series = [11, 13, 11, 13, 11, 13, 16, 8, 11, 13, 11, 13, 11, 13, 11, 13]
    assert not xmr(series)["two_in_three"].any()


def test_outside_limits_takes_precedence_over_shift():
    # Seven points above the mean, the last of them beyond the upper limit.
    series = [10, 10.5, 10, 10.5, 10, 10.5, 12, 12.5, 12, 12.5, 12, 12.5, 20, 10, 10.5, 10]
    chart = xmr(series)
    assert chart["shift"].iloc[12] and chart["outside_limits"].iloc[12]
    assert chart["rule"].iloc[12] == "outside limits"
    assert chart["rule"].iloc[8] == "shift"


def test_short_series_limits_are_provisional():
    assert xmr([1, 2, 3, 2, 1])["provisional"].all()
    assert not xmr(STEADY)["provisional"].any()


def test_bad_input():
    with pytest.raises(DataError, match="missing value"):
        xmr([1, 2, np.nan, 4])
    with pytest.raises(DataError, match="at least two"):
        xmr([1])
    with pytest.raises(ParameterError, match="improvement"):
        xmr(STEADY, improvement="up")
