"""Statistical process control: XmR charts with the NHS "Making Data Count" rules."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError

LIMIT = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two
SCREEN = 3.267  # D4 for moving ranges of two
RUN = 7  # points in a trend or a shift
MIN_POINTS = 12
RULES = ("outside limits", "trend", "two of three near a limit", "shift")
IMPROVEMENT = {"higher": 1, "lower": -1, "neutral": 0}


def _runs_of(flags_end: np.ndarray) -> np.ndarray:
    """Mark every point of a run of RUN points given where runs end (rule applies to the whole run)."""
    part = np.zeros(flags_end.shape, dtype=bool)
    for end in np.flatnonzero(flags_end):
        part[end - RUN + 1:end + 1] = True
    return part


def xmr(values, *, improvement: str = "higher", screen_outliers: bool = True) -> pd.DataFrame:
    """XmR (individuals) chart with Making Data Count special-cause rules.

    Parameters
    ----------
    values : array-like or Series
        The measure in time order, without gaps (missing values are not allowed).
    improvement : {"higher", "lower", "neutral"}
        Which direction is better, to call special causes improvement or concern.
    screen_outliers : bool
        Leave moving ranges of 3.267 × the average or more out of the average
        moving range, then recompute it (as NHSRplotthedots does by default).

    Returns
    -------
    pandas.DataFrame
        value, mean, lower_limit, upper_limit, moving_range, and per rule a
        boolean (outside_limits, trend, two_in_three, shift), the highest-precedence
        rule that applies (``rule``: "outside limits" > "trend" > "two of three near
        a limit" > "shift", or ""), its direction (+1 up, −1 down), ``variation``
        ("common cause", "special cause improvement", "special cause concern",
        "special cause neutral"), and ``provisional`` (fewer than 12 points).

    Notes
    -----
    Centre = mean; limits = mean ± 2.66·MR̄. Rules: (1) a point outside the
    limits; (2) a trend of 7 points all increasing or all decreasing (a tie
    breaks it); (3) two of three consecutive points beyond two thirds of the way
    to a limit (and not outside it) on the same side, all three on that side:
    the near points are flagged; (4) a shift of 7 consecutive points on one
    side of the mean (a point on the mean breaks it). Direction of a special
    cause is that of its rule (a trend's direction, otherwise the side of the
    mean); NHSRplotthedots uses the side of the mean for every rule, which calls
    a rising trend below the mean a concern.

    References
    ----------
    NHS England / NHS Improvement (2019). Making Data Count: Strengthening your
    decisions. NHSRplotthedots 0.2.2 (NHS-R Community). Wheeler DJ (1995).
    Advanced Topics in Statistical Process Control.
    """
    if improvement not in IMPROVEMENT:
        raise ParameterError(f"improvement must be one of {', '.join(IMPROVEMENT)}; found {improvement!r}")
    y = np.asarray(values, dtype=float)
    if y.ndim != 1 or len(y) < 2:
        raise DataError("an XmR chart needs at least two values in time order", expected="2 or more values")
    if np.isnan(y).any():
        position = int(np.flatnonzero(np.isnan(y))[0])
        raise DataError("missing value in a time series", row=position + 2, expected="a value for every period")
    mean = y.mean()
    moving_range = np.abs(np.diff(y))
    average_mr = moving_range.mean()
    if screen_outliers:
        kept = moving_range[moving_range < SCREEN * average_mr]
        average_mr = kept.mean() if len(kept) else average_mr
    lower, upper = mean - LIMIT * average_mr, mean + LIMIT * average_mr
    near_lower, near_upper = mean - 2 * LIMIT / 3 * average_mr, mean + 2 * LIMIT / 3 * average_mr
    side = np.sign(y - mean)
    outside = (y > upper) | (y < lower)
    near = ~outside & ((y < near_lower) | (y > near_upper))

    steps = np.sign(np.diff(y))
    trend_end = np.zeros(len(y), dtype=bool)
    trend_direction = np.zeros(len(y))
    shift_end = np.zeros(len(y), dtype=bool)
    two_in_three = np.zeros(len(y), dtype=bool)
    for i in range(len(y)):
        if i >= RUN - 1:
            window_steps = steps[i - RUN + 1:i]
            if np.all(window_steps == window_steps[0]) and window_steps[0] != 0:
                trend_end[i] = True
                trend_direction[i - RUN + 1:i + 1] = window_steps[0]
            window_side = side[i - RUN + 1:i + 1]
            shift_end[i] = window_side[0] != 0 and np.all(window_side == window_side[0])
        if i >= 2:
            window = slice(i - 2, i + 1)
            if near[window].sum() >= 2 and abs(side[window].sum()) == 3:
                two_in_three[window] |= near[window]
    trend = _runs_of(trend_end)
    shift = _runs_of(shift_end)

    rule = np.select([outside, trend, two_in_three, shift], list(RULES), default="")
    direction = np.where(rule == "trend", trend_direction, np.where(rule == "", 0, side)).astype(int)
    better = IMPROVEMENT[improvement]
    variation = np.select(
        [rule == "", better == 0, direction == better],
        ["common cause", "special cause neutral", "special cause improvement"], default="special cause concern")
    table = pd.DataFrame({
        "value": y, "mean": mean, "lower_limit": lower, "upper_limit": upper,
        "moving_range": np.concatenate([[np.nan], moving_range]),
        "outside_limits": outside, "trend": trend, "two_in_three": two_in_three, "shift": shift,
        "rule": rule, "direction": direction, "variation": variation,
        "provisional": len(y) < MIN_POINTS,
    })
    if isinstance(values, pd.Series):
        table.index = values.index
    return table
