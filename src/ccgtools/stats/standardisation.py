"""Indirect and direct age-sex standardisation (PHE indicator methods).

Expected counts are a matrix product, population (units × bands) by reference
rates (bands × indicators), so thousands of practices and dozens of indicators
take milliseconds; no Python loop over units.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from .intervals import as_float_array, level_label, poisson_limits

#: European Standard Population 2013, 19 five-year bands 0-4 … 85-89, 90+ (Eurostat 2013).
ESP2013 = (5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
           7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000)


def expected_events(population: pd.DataFrame, reference_rates: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """Expected events per unit: Σ over bands of population × reference rate.

    Parameters
    ----------
    population : pandas.DataFrame
        Units (rows) by age-sex bands (columns), e.g. registered patients.
    reference_rates : pandas.DataFrame or Series
        Bands (index) by indicators (columns) of reference event rates per
        person (events / population, not per 100,000). A Series is one indicator.

    Returns
    -------
    pandas.DataFrame
        Units by indicators (a Series in gives a one-column frame named after it).

    Raises
    ------
    DataError
        Bands that are in one table but not the other, or negative or missing
        populations or rates.

    Notes
    -----
    E = Σᵢ nᵢ · rᵢ (PHE ``calculate_ISRatio``), computed as a matrix product.
    """
    rates = reference_rates.to_frame() if isinstance(reference_rates, pd.Series) else reference_rates
    _check_bands(population.columns, rates.index)
    matrix = population.to_numpy(dtype=float)
    rate_matrix = rates.loc[population.columns].to_numpy(dtype=float)
    for values, what in ((matrix, "population"), (rate_matrix, "reference rate")):
        if np.isnan(values).any():
            raise DataError(f"missing {what} in an age-sex band", expected=f"a {what} for every band")
        if (values < 0).any():
            raise DataError(f"negative {what}", expected=f"a {what} of 0 or more")
    return pd.DataFrame(matrix @ rate_matrix, index=population.index, columns=rates.columns)


def _check_bands(data_bands: Sequence, reference_bands: Sequence) -> None:
    missing = [b for b in data_bands if b not in set(reference_bands)]
    extra = [b for b in reference_bands if b not in set(data_bands)]
    if missing or extra:
        detail = []
        if missing:
            detail.append(f"bands without a reference rate: {', '.join(map(str, missing))}")
        if extra:
            detail.append(f"reference bands missing from the data: {', '.join(map(str, extra))}")
        raise DataError("age bands do not match the reference: " + "; ".join(detail),
                        expected="the same age-sex bands in the data and the reference")


def indirectly_standardised_ratio(observed, expected, confidence: Sequence[float] | float = (0.95, 0.998),
                                  *, multiplier: float = 1.0, reference_rate: float | None = None) -> pd.DataFrame:
    """Indirectly standardised ratio (O/E) with Poisson limits; optionally the standardised rate.

    Parameters
    ----------
    observed : array-like or Series
        Observed events per unit.
    expected : array-like or Series
        Expected events per unit (:func:`expected_events`).
    confidence : float or sequence of float
        Confidence level(s) of the limits.
    multiplier : float
        1 for a ratio, 100 for an SMR-style index.
    reference_rate : float, optional
        Crude rate of the reference population (per the multiplier you want,
        e.g. per 100,000). When given, ``rate`` = O/E × reference rate and its
        limits are added.

    Returns
    -------
    pandas.DataFrame
        observed, expected, ratio, and ``lower_<level>``/``upper_<level>`` for each
        confidence level (``95``, ``99_8``); with ``rate`` and its limits when a
        reference rate is given. NaN where E is 0 or missing.

    Notes
    -----
    The limits are those of O (exact Poisson below 10, Byars from 10; see
    :func:`ccgtools.stats.poisson_limits`) divided by E (PHE ``calculate_ISRatio``
    and ``calculate_ISRate``).

    References
    ----------
    Breslow NE, Day NE (1987). Statistical Methods in Cancer Research, vol II. IARC.
    """
    o = as_float_array(observed, "observed")
    e = as_float_array(expected, "expected")
    levels = [confidence] if np.isscalar(confidence) else list(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_expected = np.where(e > 0, 1 / np.where(e > 0, e, 1.0), np.nan)
    columns = {"observed": o, "expected": e, "ratio": o * per_expected * multiplier}
    for level in levels:
        lower, upper = poisson_limits(o, level)
        columns[f"lower_{level_label(level)}"] = lower * per_expected * multiplier
        columns[f"upper_{level_label(level)}"] = upper * per_expected * multiplier
    table = pd.DataFrame(columns)
    if reference_rate is not None:
        rate_scale = reference_rate / multiplier
        table["rate"] = table["ratio"] * rate_scale
        for level in levels:
            label = level_label(level)
            table[f"rate_lower_{label}"] = table[f"lower_{label}"] * rate_scale
            table[f"rate_upper_{label}"] = table[f"upper_{label}"] * rate_scale
    index = observed.index if isinstance(observed, pd.Series) else (
        expected.index if isinstance(expected, pd.Series) else None)
    if index is not None:
        table.index = index
    return table


def directly_standardised_rate(data: pd.DataFrame, *, group: str, count: str, population: str,
                               standard_population: Sequence[float] | pd.Series | str = ESP2013,
                               confidence: Sequence[float] | float = (0.95, 0.998),
                               multiplier: float = 100_000, min_events: int = 10) -> pd.DataFrame:
    """Directly standardised rate with Dobson limits, per group.

    Parameters
    ----------
    data : pandas.DataFrame
        Long table, one row per group and age band, in the order of the
        standard population's bands.
    group, count, population : str
        Column names of the group label, the events and the population.
    standard_population : sequence, Series or str
        Weights per band: a sequence in band order (default ESP 2013, 19 bands),
        or the name of a column of ``data`` holding them.
    confidence : float or sequence of float
        Confidence level(s).
    multiplier : float
        Rate per this many (default 100,000).
    min_events : int
        Groups with fewer events in total get NaN (PHE does not publish a DSR
        below 10 events). A group with a missing count in any band also gets NaN:
        a missing count is not zero.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: total_count, total_pop, value, ``lower_<level>``, ``upper_<level>``.

    Raises
    ------
    DataError
        Negative counts, zero or negative populations, negative standard
        populations, or a group whose number of bands differs from the standard.

    Notes
    -----
    DSR = Σ(xᵢwᵢ/nᵢ)/Σwᵢ; var(DSR) = Σ(xᵢwᵢ²/nᵢ²)/(Σwᵢ)²; limits
    DSR + √(var/O)·(L(O) − O), L the Poisson limits of O = Σxᵢ (Byars).

    References
    ----------
    Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991). Confidence intervals for
    weighted sums of Poisson parameters. Statistics in Medicine 10:457-462.
    PHE ``calculate_dsr``.
    """
    counts = as_float_array(data[count], count)
    pops = np.asarray(data[population], dtype=float)
    if (pops <= 0).any():
        row = int(np.flatnonzero(pops <= 0)[0])
        raise DataError("population must be above 0 for a directly standardised rate", row=row + 2,
                        column=population, value=float(pops[row]), expected="a population above 0 in every band")
    sizes = data.groupby(group, sort=False).size()
    if isinstance(standard_population, str):
        weights = np.asarray(data[standard_population], dtype=float)
    else:
        standard = np.asarray(standard_population, dtype=float)
        if (sizes != len(standard)).any():
            bad = sizes[sizes != len(standard)]
            raise DataError(f"group {bad.index[0]!r} has {bad.iloc[0]} age bands but the standard population has "
                            f"{len(standard)}", column=group, expected=f"{len(standard)} bands per group")
        weights = np.tile(standard, len(sizes))
    if (weights < 0).any() or np.isnan(weights).any():
        raise DataError("negative or missing standard population", expected="weights of 0 or more")
    frame = pd.DataFrame({"group": data[group].to_numpy(), "x": counts, "n": pops, "w": weights,
                          "xw_n": counts * weights / pops, "xw2_n2": counts * weights**2 / pops**2,
                          "missing": np.isnan(counts)})
    sums = frame.groupby("group", sort=False)[["x", "n", "w", "xw_n", "xw2_n2", "missing"]].sum()
    total = np.where(sums["missing"].to_numpy() > 0, np.nan, sums["x"].to_numpy())
    value = sums["xw_n"].to_numpy() / sums["w"].to_numpy()
    variance = sums["xw2_n2"].to_numpy() / sums["w"].to_numpy() ** 2
    publish = total >= min_events
    out = {"total_count": total, "total_pop": sums["n"].to_numpy(),
           "value": np.where(publish, value * multiplier, np.nan)}
    levels = [confidence] if np.isscalar(confidence) else list(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(variance / total)
    for level in levels:
        lower, upper = poisson_limits(total, level)
        label = level_label(level)
        out[f"lower_{label}"] = np.where(publish, (value + spread * (lower - total)) * multiplier, np.nan)
        out[f"upper_{label}"] = np.where(publish, (value + spread * (upper - total)) * multiplier, np.nan)
    return pd.DataFrame(out, index=sums.index.rename(group))
