"""Ranks with their uncertainty, by simulation (Goldstein & Spiegelhalter 1996)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError
from .intervals import as_float_array

_CHUNK = 1_000


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
        A unit is "in the bottom fraction" in a draw when its rank is greater
        than (1 − fraction) × the number of units ranked (e.g. ranks 36-44 of 44
        for the bottom fifth).
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
        order = np.argsort(sign * draws, axis=1)
        block = np.empty_like(order)
        np.put_along_axis(block, order, np.arange(1, units + 1), axis=1)
        ranks[start:start + size] = block
    threshold = (1 - bottom_fraction) * units
    with np.errstate(divide="ignore", invalid="ignore"):
        value = x / n
    observed_rank = np.full(x.shape, np.nan)
    observed_rank[valid] = pd.Series(sign * value[valid]).rank(method="average").to_numpy()
    columns = {"value": value, "rank": observed_rank}
    for name, stat in (("median_rank", np.median(ranks, axis=0)),
                       ("rank_lower", np.quantile(ranks, 0.025, axis=0, method="lower")),
                       ("rank_upper", np.quantile(ranks, 0.975, axis=0, method="higher")),
                       ("prob_bottom", (ranks > threshold).mean(axis=0))):
        full = np.full(x.shape, np.nan)
        full[valid] = stat
        columns[name] = full
    index = labels if labels is not None else (numerator.index if isinstance(numerator, pd.Series) else None)
    return pd.DataFrame(columns, index=index)
