"""Confidence intervals for proportions, counts and rates (PHE indicator methods).

Every function accepts scalars, numpy arrays or pandas Series; scalars in give
scalars out, a Series in keeps its index. A zero denominator gives NaN, never
0 or inf; a missing (NaN) input gives NaN. Negative counts raise DataError.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats

from ..errors import DataError


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile, z = Φ⁻¹(1 − α/2), for ``confidence`` = 1 − α."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive); found {confidence!r}")
    return float(_scipy_stats.norm.ppf(1 - (1 - confidence) / 2))


def as_float_array(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if np.any(array[~np.isnan(array)] < 0):
        raise DataError(f"negative values in {name}", column=name, expected="values of 0 or more")
    return array


def restore_shape(template, array: np.ndarray):
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
    x = as_float_array(numerator, "numerator")
    n = as_float_array(denominator, "denominator")
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
    return (restore_shape(template, proportion), restore_shape(template, lower),
            restore_shape(template, upper))


def exact_poisson_limits(count, confidence: float = 0.95):
    """Exact (Garwood) Poisson confidence limits for a count.

    lower = χ²_{α/2}(2x)/2 (0 when x = 0), upper = χ²_{1−α/2}(2x + 2)/2.

    Returns
    -------
    tuple (lower, upper)
        Same shape as ``count``.

    References
    ----------
    Garwood F (1936). Fiducial limits for the Poisson distribution.
    Biometrika 28:437-442. PHE ``phe_rate`` (counts below 10).
    """
    x = as_float_array(count, "count")
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        lower = np.where(x > 0, _scipy_stats.chi2.ppf(alpha / 2, 2 * np.where(x > 0, x, 1)) / 2, 0.0)
        upper = _scipy_stats.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2
    lower = np.where(np.isnan(x), np.nan, lower)
    return restore_shape(count, lower), restore_shape(count, upper)


def byars_limits(count, confidence: float = 0.95):
    """Byars' approximation to the exact Poisson confidence limits of a count.

    lower = x(1 − 1/(9x) − z/(3√x))³, upper = (x+1)(1 − 1/(9(x+1)) + z/(3√(x+1)))³.
    The lower limit is NaN where the bracket is negative (very small counts at
    high confidence), as in PHE's reference tables.

    References
    ----------
    Breslow NE, Day NE (1987). Statistical Methods in Cancer Research, vol II.
    IARC; PHE ``byars_lower`` / ``byars_upper``.
    """
    x = as_float_array(count, "count")
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        bracket = 1 - 1 / (9 * x) - z / (3 * np.sqrt(x))
        lower = np.where((x > 0) & (bracket >= 0), x * bracket**3, np.nan)
        lower = np.where(x == 0, 0.0, lower)
        upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    return restore_shape(count, lower), restore_shape(count, upper)


def poisson_limits(count, confidence: float = 0.95):
    """Confidence limits for a count: exact Poisson below 10, Byars from 10 (PHE's rule).

    Returns
    -------
    tuple (lower, upper)
    """
    x = as_float_array(count, "count")
    exact_lower, exact_upper = exact_poisson_limits(x, confidence)
    byars_lower, byars_upper = byars_limits(np.where(x < 10, 10.0, x), confidence)
    small = x < 10
    lower = np.where(small, exact_lower, byars_lower)
    upper = np.where(small, exact_upper, byars_upper)
    return restore_shape(count, lower), restore_shape(count, upper)


def rate_ci(count, denominator, confidence: float = 0.95, *, multiplier: float = 100_000):
    """Crude rate with its confidence interval: exact Poisson below 10 events, Byars from 10.

    Parameters
    ----------
    count : scalar, array-like or Series
        Number of events.
    denominator : scalar, array-like or Series
        Population or person-time; 0 gives NaN.
    confidence : float
        Two-sided confidence level.
    multiplier : float
        Rate per this many (default per 100,000).

    Returns
    -------
    tuple (rate, lower, upper)

    Notes
    -----
    The limits of the count (:func:`poisson_limits`) divided by the
    denominator, times the multiplier; PHE ``phe_rate``.
    """
    x = as_float_array(count, "count")
    n = as_float_array(denominator, "denominator")
    lower_count, upper_count = poisson_limits(x, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n > 0, multiplier / np.where(n > 0, n, 1.0), np.nan)
    template = count if isinstance(count, pd.Series) else denominator
    return (restore_shape(template, x * scale), restore_shape(template, lower_count * scale),
            restore_shape(template, upper_count * scale))


def level_label(confidence: float) -> str:
    """Column suffix for a confidence level: 0.95 → "95", 0.998 → "99_8"."""
    return f"{100 * confidence:g}".replace(".", "_")
