"""Ranks with their uncertainty, by simulation (Goldstein & Spiegelhalter 1996).

Two ways of simulating: :func:`rank_uncertainty` draws each unit's indicator from its
sampling distribution over the whole period (chance only); :func:`period_bootstrap_ranks`
resamples whole periods with replacement, so that the intervals also carry the
variation from period to period. "The bottom fifth" has one definition,
:func:`bottom_count`, used by both and by any count of periods in the bottom fifth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError
from .intervals import as_float_array

_CHUNK = 1_000


def bottom_count(units, fraction: float = 0.2):
    """How many units make up the bottom ``fraction``: ⌈fraction × units⌉ (10 of 46, 9 of 44).

    Rounding up keeps the group at least ``fraction`` of the units and never empty
    (with fewer than five units the bottom fifth is the worst one). ``units`` may be an
    array (e.g. the number of units ranked in each period).

    References
    ----------
    ``METHODS.md``, "Rank uncertainty that includes real variation": the worst ⌈I/5⌉ of I units.
    """
    if not 0 < fraction < 1:
        raise ParameterError(f"bottom_fraction must be between 0 and 1; found {fraction!r}")
    # Rounded first so that 0.2 × 45 = 9.000000000000002 counts as 9, not 10.
    return np.ceil(np.round(fraction * np.asarray(units, dtype=float), 9)).astype(int)


def in_bottom(ranks, units, fraction: float = 0.2):
    """True where a rank (1 = best, of ``units`` ranked) is among the worst :func:`bottom_count`."""
    return np.asarray(ranks) > np.asarray(units) - bottom_count(units, fraction)


def _ranks_of(badness: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, 1 for the smallest ``badness`` (the best unit)."""
    order = np.argsort(badness, axis=-1)
    ranks = np.empty(order.shape, dtype=np.int32)
    np.put_along_axis(ranks, order, np.arange(1, badness.shape[-1] + 1, dtype=np.int32), axis=-1)
    return ranks


def _summary(value: np.ndarray, valid: np.ndarray, sign: float, ranks: np.ndarray, fraction: float,
             index) -> pd.DataFrame:
    """Observed rank, median rank, 95% rank interval and P(bottom fraction) from simulated ranks."""
    units = int(valid.sum())
    observed_rank = np.full(value.shape, np.nan)
    observed_rank[valid] = pd.Series(sign * value[valid]).rank(method="average").to_numpy()
    columns = {"value": value, "rank": observed_rank}
    for name, stat in (("median_rank", np.median(ranks, axis=0)),
                       ("rank_lower", np.quantile(ranks, 0.025, axis=0, method="lower")),
                       ("rank_upper", np.quantile(ranks, 0.975, axis=0, method="higher")),
                       ("prob_bottom", in_bottom(ranks, units, fraction).mean(axis=0))):
        full = np.full(value.shape, np.nan)
        full[valid] = stat
        columns[name] = full
    return pd.DataFrame(columns, index=index)


def rank_uncertainty(numerator, denominator, *, statistic: str = "proportion", higher_is_better: bool = True,
                     n_simulations: int = 10_000, seed: int = 2013, bottom_fraction: float = 0.2,
                     labels=None) -> pd.DataFrame:
    """Median rank, 95% rank interval and probability of the bottom fraction, by simulation.

    Parameters
    ----------
    numerator, denominator : array-like or Series
        Proportions: events x and trials n. Ratios: observed O and expected E.
    statistic : {"proportion", "ratio"}
        Proportions are drawn from Beta(x + ½, n − x + ½) (the Jeffreys
        posterior); ratios from Gamma(O + ½, 1)/E.
    higher_is_better : bool
        Rank 1 is the best unit: the highest value when True, the lowest when False.
    n_simulations : int
        Number of draws.
    seed : int
        Seed of numpy's ``default_rng``; the same seed gives the same result.
    bottom_fraction : float
        A unit is "in the bottom fraction" in a draw when it is among the worst
        :func:`bottom_count` units (e.g. ranks 36-44 of 44 for the bottom fifth).
    labels : array-like, optional
        Index of the result (default: the index of ``numerator``, or 0..I-1).

    Returns
    -------
    pandas.DataFrame
        value, rank (of the observed value, 1 = best, ties averaged), median_rank,
        rank_lower and rank_upper (2.5th and 97.5th percentiles of the simulated
        ranks, numpy "lower"/"higher" so they are whole ranks), prob_bottom.
        Units with a zero or missing denominator are not ranked (NaN).

    References
    ----------
    Goldstein H, Spiegelhalter DJ (1996). League tables and their limitations.
    J R Stat Soc A 159:385-443. Marshall EC, Spiegelhalter DJ (1998). Reliability
    of league tables of in vitro fertilisation clinics. BMJ 316:1701-1705.
    """
    if statistic not in ("proportion", "ratio"):
        raise ParameterError(f"statistic must be 'proportion' or 'ratio'; found {statistic!r}")
    if not 0 < bottom_fraction < 1:
        raise ParameterError(f"bottom_fraction must be between 0 and 1; found {bottom_fraction!r}")
    if n_simulations < 1:
        raise ParameterError(f"n_simulations must be 1 or more; found {n_simulations!r}")
    x = as_float_array(numerator, "numerator")
    n = as_float_array(denominator, "denominator")
    valid = (n > 0) & ~np.isnan(x)
    if statistic == "proportion" and np.any(x[valid] > n[valid]):
        raise DataError("numerator above denominator", column="numerator", expected="events no more than trials")
    xv, nv = x[valid], n[valid]
    units = int(valid.sum())
    rng = np.random.default_rng(seed)
    sign = -1.0 if higher_is_better else 1.0  # rank ascending on sign × value: rank 1 = best
    ranks = np.empty((n_simulations, units), dtype=np.int32)
    for start in range(0, n_simulations, _CHUNK):
        size = min(_CHUNK, n_simulations - start)
        if statistic == "proportion":
            draws = rng.beta(xv + 0.5, nv - xv + 0.5, size=(size, units))
        else:
            draws = rng.gamma(xv + 0.5, 1.0, size=(size, units)) / nv
        ranks[start:start + size] = _ranks_of(sign * draws)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = x / n
    index = labels if labels is not None else (numerator.index if isinstance(numerator, pd.Series) else None)
    return _summary(value, valid, sign, ranks, bottom_fraction, index)


def period_bootstrap_ranks(numerator, denominator, *, higher_is_better: bool = True, n_simulations: int = 10_000,
                           seed: int = 2013, bottom_fraction: float = 0.2, labels=None) -> pd.DataFrame:
    """Rank intervals that include period-to-period variation: a bootstrap of whole periods.

    Each replicate draws the T periods with replacement (the same periods for every
    unit, so anything shared by all units in a period stays shared), sums each unit's
    events and trials over the drawn periods, and ranks the units' proportions.

    Parameters
    ----------
    numerator, denominator : array-like, shape (periods, units)
        Events and trials per period and unit; missing counts (NaN) are a period the
        unit did not report and add nothing to its totals.
    higher_is_better, n_simulations, seed, bottom_fraction, labels
        As :func:`rank_uncertainty`. Units with no trials at all are not ranked (NaN).

    Returns
    -------
    pandas.DataFrame
        As :func:`rank_uncertainty`: value (the whole period's proportion), rank,
        median_rank, rank_lower, rank_upper, prob_bottom.

    Notes
    -----
    The week-to-week spread of a unit's proportion includes its binomial noise, so
    the resampled totals carry both chance and real variation between periods; with
    few periods (fewer than about 10) the intervals are too narrow. Vectorised: each
    chunk of replicates is a matrix product of multinomial period weights with the
    counts.

    References
    ----------
    Künsch HR (1989). The jackknife and the bootstrap for general stationary
    observations. Ann Stat 17:1217-1241 (resampling blocks of observations).
    Goldstein H, Spiegelhalter DJ (1996). League tables and their limitations.
    J R Stat Soc A 159:385-443. Hall P, Miller H (2009). Using the bootstrap to
    quantify the authority of an empirical ranking. Ann Stat 37:3929-3959.
    """
    if n_simulations < 1:
        raise ParameterError(f"n_simulations must be 1 or more; found {n_simulations!r}")
    bottom_count(1, bottom_fraction)  # validates the fraction
    x = np.atleast_2d(np.asarray(numerator, dtype=float))
    n = np.atleast_2d(np.asarray(denominator, dtype=float))
    if x.shape != n.shape:
        raise DataError("numerator and denominator differ in shape", expected="periods × units for both")
    reported = ~np.isnan(x) & ~np.isnan(n)
    x, n = np.where(reported, x, 0.0), np.where(reported, n, 0.0)
    if np.any(x > n):
        raise DataError("numerator above denominator", column="numerator", expected="events no more than trials")
    total_x, total_n = x.sum(axis=0), n.sum(axis=0)
    valid = total_n > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(valid, total_x / total_n, np.nan)
    xv, nv, fallback = x[:, valid], n[:, valid], value[valid]
    periods = x.shape[0]
    rng = np.random.default_rng(seed)
    sign = -1.0 if higher_is_better else 1.0
    ranks = np.empty((n_simulations, int(valid.sum())), dtype=np.int32)
    for start in range(0, n_simulations, _CHUNK):
        size = min(_CHUNK, n_simulations - start)
        weights = rng.multinomial(periods, np.full(periods, 1 / periods), size=size).astype(float)
        drawn_x, drawn_n = weights @ xv, weights @ nv
        with np.errstate(divide="ignore", invalid="ignore"):
            draws = np.where(drawn_n > 0, drawn_x / drawn_n, fallback)  # no drawn period reported: its own value
        ranks[start:start + size] = _ranks_of(sign * draws)
    index = labels if labels is not None else (denominator.columns if isinstance(denominator, pd.DataFrame) else None)
    return _summary(value, valid, sign, ranks, bottom_fraction, index)
