"""Public-health indicator statistics, vectorised over numpy and pandas.

Every function accepts scalars, numpy arrays or pandas Series; scalars in give
scalars out, a Series in keeps its index. A zero denominator gives NaN, never
0 or inf. Exact formulas and their references: ``../shared/METHODS.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats

from .errors import DataError


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile, z = Φ⁻¹(1 − α/2), for ``confidence`` = 1 − α."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive); found {confidence!r}")
    return float(_scipy_stats.norm.ppf(1 - (1 - confidence) / 2))


def _as_float_array(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if np.any(array[~np.isnan(array)] < 0):
        raise DataError(f"negative values in {name}", column=name, expected="values of 0 or more")
    return array


def _restore_shape(template, array: np.ndarray):
    if isinstance(template, pd.Series):
        return pd.Series(array, index=template.index)
    if np.ndim(template) == 0 and np.ndim(array) == 0:
        return float(array)
    return array


def proportion_ci(numerator, denominator, confidence: float = 0.95, *, population_size=None):
    """Proportion with its Wilson score confidence interval.

    Parameters
    ----------
    numerator, denominator : scalar, array-like or pandas.Series
        Counts x (events) and n (trials), 0 <= x <= n.
    confidence : float
        Two-sided confidence level, e.g. 0.95 or 0.998.
    population_size : scalar or array-like, optional
        Size N of a finite population the n units were drawn from (e.g. the
        number of CCGs in England). When given, the finite population
        correction f = sqrt((N - n) / (N - 1)) is applied by computing the
        Wilson interval on the effective sample size n / f² (Kish), which is
        the same as multiplying the standard error by f. When n = N the
        interval collapses to the observed proportion.

    Returns
    -------
    tuple (proportion, lower, upper)
        Each the shape of the input (a Series keeps its index); NaN where the
        denominator is 0 or missing.

    Raises
    ------
    DataError
        Negative counts, a numerator above its denominator, or a population
        smaller than the sample.

    Notes
    -----
    Wilson score interval (Wilson 1927; method 3 of Newcombe 1998), as used by
    PHE's ``phe_proportion`` and Fingertips:

        (2x + z² ∓ z·√(z² + 4x(1 − x/n))) / (2(n + z²)),  z = Φ⁻¹(1 − α/2).

    References
    ----------
    Newcombe RG (1998). Two-sided confidence intervals for the single
    proportion: comparison of seven methods. Statistics in Medicine 17:857-872.
    Kish L (1965). Survey Sampling. Wiley (effective sample size).
    """
    x = _as_float_array(numerator, "numerator")
    n = _as_float_array(denominator, "denominator")
    if np.any((x > n) & ~np.isnan(x) & ~np.isnan(n)):
        raise DataError("numerator above denominator", column="numerator",
                        expected="a numerator no larger than its denominator")
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        proportion = np.where(n > 0, x / n, np.nan)
        n_eff, x_eff = n, x
        collapsed = np.zeros(np.shape(proportion), dtype=bool)
        if population_size is not None:
            big_n = np.asarray(population_size, dtype=float)
            if np.any(big_n < n):
                raise DataError("population size smaller than the number who answered",
                                column="population_size", value=population_size,
                                expected="a population at least as large as the sample")
            fpc_squared = np.where(big_n > 1, (big_n - n) / (big_n - 1), 0.0)
            collapsed = fpc_squared <= 0
            n_eff = np.where(collapsed, n, n / np.where(collapsed, 1.0, fpc_squared))
            x_eff = proportion * n_eff
        centre = 2 * x_eff + z**2
        spread = z * np.sqrt(np.maximum(z**2 + 4 * x_eff * (1 - x_eff / n_eff), 0.0))
        lower = np.where(n > 0, (centre - spread) / (2 * (n_eff + z**2)), np.nan)
        upper = np.where(n > 0, (centre + spread) / (2 * (n_eff + z**2)), np.nan)
    lower = np.where(collapsed, proportion, lower)
    upper = np.where(collapsed, proportion, upper)
    template = numerator if isinstance(numerator, pd.Series) else denominator
    return (_restore_shape(template, proportion), _restore_shape(template, lower),
            _restore_shape(template, upper))
