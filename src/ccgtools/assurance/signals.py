"""The statistical tests behind the assurance checks, as small pure functions with stated references.

* :func:`bunching_test`: are recorded times piled up just inside a time limit? Counts in a narrow window
  just inside and just outside the limit, against the split a smooth local fit (a Poisson log-quadratic
  fitted to the counts around the window, the window left out) predicts; exact one-sided binomial test.
  The "donut" idea of bunching estimation (Saez 2010, AEJ: Economic Policy 2:180; Kleven 2016, Annual
  Review of Economics 8:435), applied to a time limit.
* :func:`digit_preference_test`: last digits of reported counts against the uniform distribution,
  Pearson chi-square with 9 degrees of freedom (Preece 1981, The Statistician 30:55; Beber & Scacco
  2012, Political Analysis 20:211).
* :func:`just_above_test`: how many periods land just inside the standard, against the number chance
  would give if each period varied around the provider's usual level as it usually does (a robust
  median and spread), exact Poisson-binomial upper tail.
* :func:`stability_test`: period-to-period variation of a proportion against binomial chance, the
  chi-square dispersion statistic, lower tail (Cochran 1954, Biometrics 10:417).
* :func:`case_mix_test`: one period's share of urgent cases against the provider's other periods,
  Fisher's exact test, one-sided (fewer urgent cases: the shift that flatters the urgent KPIs).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from ..errors import DataError


@dataclass(frozen=True)
class Bunching:
    """The result of :func:`bunching_test` (``p_value`` NaN when there were too few records to test)."""

    inside: int
    outside: int
    share_expected: float
    p_value: float
    bins: pd.DataFrame

    @property
    def expected_inside(self) -> float:
        return self.share_expected * (self.inside + self.outside)


def threshold_bins(durations, limit: float, *, bin_width: float, fit_range: float) -> pd.DataFrame:
    """Counts of ``durations`` in bins of ``bin_width`` from ``limit - fit_range`` to ``limit + fit_range``.

    Bins are closed on the right, (a, a + bin_width], so that a time exactly at the limit counts as within
    it (``≤ limit``), as the KPIs count it. Columns: ``lower``, ``upper`` (edges, as durations) and ``count``.
    """
    if fit_range <= 0 or bin_width <= 0 or fit_range % bin_width:
        raise DataError("the fitting range must be a positive whole number of bins",
                        expected=f"fit_range a multiple of bin_width ({bin_width})", value=fit_range)
    values = np.asarray(durations, dtype=float)
    values = values[~np.isnan(values)]
    steps = round(fit_range / bin_width)
    offsets = np.arange(-steps + 1, steps + 1)  # bin k covers (limit + (k-1)w, limit + kw]
    index = np.ceil((values - limit) / bin_width).astype(np.int64)
    kept = index[(index > -steps) & (index <= steps)]
    counts = np.bincount(kept + steps - 1, minlength=2 * steps)
    return pd.DataFrame({"lower": limit + (offsets - 1) * bin_width, "upper": limit + offsets * bin_width,
                         "count": counts})


def bunching_test(durations, limit: float, *, bin_width: float, window: float, fit_range: float) -> Bunching:
    """Test whether recorded durations bunch just inside ``limit``.

    Parameters
    ----------
    durations : array-like
        Durations (seconds), e.g. each call's wait from received to answered; NaN ignored.
    limit : float
        The time limit; a duration equal to it is within it.
    bin_width, window, fit_range : float
        Bin width; the half-width of the window tested (``window`` before and after the limit); the
        half-width of the range fitted. ``window`` and ``fit_range`` are multiples of ``bin_width``.

    Returns
    -------
    Bunching
        ``inside``: records in (limit - window, limit]; ``outside``: in (limit, limit + window];
        ``share_expected``: the share of the window's records the smooth fit puts inside; ``p_value``:
        P(X ≥ inside) for X ~ Binomial(inside + outside, share_expected); ``bins``: the counts with the
        fitted smooth counts (``fitted``) and which bins were used to fit (``in_fit``).

    Notes
    -----
    The smooth distribution is a Poisson regression of bin counts on a quadratic in the bin centre (log
    link), fitted only to the bins between ``window`` and ``fit_range`` from the limit on either side.
    Moving records from just outside the limit to just inside raises ``inside`` and lowers ``outside``
    against that fit. Conditioning on the window's total makes the test depend only on the fitted shape
    (not its level). The fitted share carries estimation error that the binomial ignores; with the fit
    resting on several times the window's records this is small (checked by simulation in the tests).
    """
    bins = threshold_bins(durations, limit, bin_width=bin_width, fit_range=fit_range)
    centre = (bins["lower"] + bins["upper"]) / 2 - limit
    in_window = (bins["upper"] > limit - window) & (bins["lower"] < limit + window)
    inside_bins = in_window & (bins["upper"] <= limit)
    inside, outside = int(bins.loc[inside_bins, "count"].sum()), int(bins.loc[in_window & ~inside_bins, "count"].sum())
    fit = ~in_window
    bins = bins.assign(in_fit=fit, fitted=np.nan)
    if bins.loc[fit, "count"].sum() < 10 or inside + outside == 0:
        return Bunching(inside, outside, float("nan"), float("nan"), bins)
    z = centre / fit_range
    design = np.column_stack([np.ones(len(z)), z, z ** 2])
    try:
        with warnings.catch_warnings():  # a perfectly flat or perfectly smooth histogram is a perfect fit
            warnings.simplefilter("ignore", PerfectSeparationWarning)
            model = sm.GLM(bins.loc[fit, "count"].to_numpy(float), design[fit.to_numpy()],
                           family=sm.families.Poisson()).fit()
    except (ValueError, np.linalg.LinAlgError):  # pragma: no cover - degenerate counts
        return Bunching(inside, outside, float("nan"), float("nan"), bins)
    fitted = np.exp(design @ model.params)
    bins["fitted"] = fitted
    share = float(fitted[inside_bins.to_numpy()].sum() / fitted[in_window.to_numpy()].sum())
    p_value = float(sps.binomtest(inside, inside + outside, share, alternative="greater").pvalue)
    return Bunching(inside, outside, share, p_value, bins)


@dataclass(frozen=True)
class DigitTest:
    """The result of :func:`digit_preference_test`."""

    digits: int
    statistic: float
    p_value: float
    counts: tuple[int, ...]

    @property
    def commonest(self) -> int:
        return int(np.argmax(self.counts))


def digit_preference_test(counts) -> DigitTest:
    """Pearson chi-square test of the last digits of ``counts`` against the uniform distribution (9 df).

    The caller keeps only counts large enough for their last digit to be near uniform (e.g. 100 or more).
    """
    values = np.asarray(pd.Series(counts).dropna().astype(np.int64))
    tally = np.bincount(values % 10, minlength=10)
    if len(values) == 0:
        return DigitTest(0, float("nan"), float("nan"), tuple(int(t) for t in tally))
    result = sps.chisquare(tally)
    return DigitTest(len(values), float(result.statistic), float(result.pvalue), tuple(int(t) for t in tally))


def standard_band(numerator, denominator, standard: float, *, higher_is_better: bool,
                  band_share: float) -> pd.Series:
    """Where each period sits against the standard: "just inside", "just outside" or "" (elsewhere).

    A period passes when numerator ≥ standard × denominator (higher is better) or ≤ it (lower is
    better). "Just inside" is within k events of the boundary on the passing side, "just outside" within
    k on the failing side, k = max(1, round(band_share × denominator)).
    """
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    k = np.maximum(1, np.round(band_share * n))
    with np.errstate(invalid="ignore"):
        if higher_is_better:
            boundary = np.ceil(standard * n - 1e-9)  # the smallest passing count
            inside = (x >= boundary) & (x < boundary + k)
            outside = (x < boundary) & (x >= boundary - k)
        else:
            boundary = np.floor(standard * n + 1e-9)  # the largest passing count
            inside = (x <= boundary) & (x > boundary - k)
            outside = (x > boundary) & (x <= boundary + k)
    valid = n > 0
    return pd.Series(np.select([valid & inside, valid & outside], ["just inside", "just outside"], ""),
                     index=numerator.index if isinstance(numerator, pd.Series) else None)


def just_inside_chance(numerator, denominator, standard: float, *, higher_is_better: bool,
                       band_share: float) -> pd.Series:
    """Each period's chance of landing just inside the standard (the band of :func:`standard_band`) if it
    varied only as the provider usually does.

    The provider's usual level p̃ is the median of its period proportions and its usual spread between
    periods τ² = max(0, (1.4826 · MAD)² − mean binomial variance), both taken from the periods that are
    *not* just inside the standard (all periods when fewer than four are left), so that periods pushed
    into the band cannot make the band look usual. A period with denominator n is then
    Normal(n p̃, n p̃(1 − p̃) + n² τ²), and its chance of falling in the band [a, b] of whole events is
    Φ((b + ½ − n p̃)/σ) − Φ((a − ½ − n p̃)/σ).
    """
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    valid = n > 0
    share = np.full(len(n), np.nan)
    share[valid] = x[valid] / n[valid]
    bands = np.asarray(standard_band(x, n, standard, higher_is_better=higher_is_better, band_share=band_share))
    basis = valid & (bands != "just inside")
    if basis.sum() < 4:
        basis = valid
    if not basis.any():
        return pd.Series(np.nan, index=numerator.index if isinstance(numerator, pd.Series) else None)
    level = float(np.median(share[basis]))
    mad = float(np.median(np.abs(share[basis] - level)))
    tau2 = max(0.0, (1.4826 * mad) ** 2 - float(np.mean(level * (1 - level) / n[basis])))
    k = np.maximum(1, np.round(band_share * n))
    if higher_is_better:
        low = np.ceil(standard * n - 1e-9)
        high = low + k - 1
    else:
        high = np.floor(standard * n + 1e-9)
        low = high - k + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(n * level * (1 - level) + n ** 2 * tau2)
        chance = (sps.norm.cdf((high + 0.5 - n * level) / sigma) - sps.norm.cdf((low - 0.5 - n * level) / sigma))
    index = numerator.index if isinstance(numerator, pd.Series) else None
    return pd.Series(np.where(valid, chance, np.nan), index=index)


def poisson_binomial_sf(k: int, probabilities) -> float:
    """P(K ≥ k) for K the number of successes of independent trials with the given probabilities
    (exact, by convolution)."""
    p = np.asarray(pd.Series(probabilities).dropna(), dtype=float)
    distribution = np.zeros(len(p) + 1)
    distribution[0] = 1.0
    for q in p:
        distribution[1:] = distribution[1:] * (1 - q) + distribution[:-1] * q
        distribution[0] *= 1 - q
    return float(min(1.0, distribution[max(k, 0):].sum()))


def just_above_test(bands, chances) -> tuple[int, float, float]:
    """(periods just inside, the number chance would give, P(at least that many by chance)).

    ``bands`` from :func:`standard_band`, ``chances`` from :func:`just_inside_chance`; exact
    Poisson-binomial upper tail.
    """
    inside = int((pd.Series(bands) == "just inside").sum())
    chances = pd.Series(chances).dropna()
    return inside, float(chances.sum()), poisson_binomial_sf(inside, chances)


def stability_test(numerator, denominator) -> tuple[float, int, float]:
    """Chi-square dispersion statistic of a proportion over periods, its degrees of freedom and lower-tail p.

    D = Σ (xₜ − nₜp̄)² / (nₜp̄(1 − p̄)), p̄ = Σx/Σn, compared with χ² on T − 1 degrees of freedom;
    a small lower-tail p means the periods vary less than chance alone would make them.
    """
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    keep = n > 0
    x, n = x[keep], n[keep]
    if len(n) < 2:
        return float("nan"), 0, float("nan")
    p = x.sum() / n.sum()
    if p in (0.0, 1.0):
        return float("nan"), len(n) - 1, float("nan")
    statistic = float(((x - n * p) ** 2 / (n * p * (1 - p))).sum())
    return statistic, len(n) - 1, float(sps.chi2.cdf(statistic, len(n) - 1))


def case_mix_test(category, period_counts, other_counts) -> tuple[float, float]:
    """Is the share of cases in ``category`` (index into the counts) lower this period than in the others?

    Fisher's exact test of the 2 × 2 table (this category or not, this period or the others), one-sided
    (fewer in the category this period). Returns (odds ratio, p-value); NaN when either row is empty.
    """
    period = np.asarray(period_counts, dtype=float)
    other = np.asarray(other_counts, dtype=float)
    if period.sum() == 0 or other.sum() == 0:
        return float("nan"), float("nan")
    table = np.array([[period[category], period.sum() - period[category]],
                      [other[category], other.sum() - other[category]]]).astype(np.int64)
    result = sps.fisher_exact(table, alternative="less")
    return float(result.statistic), float(result.pvalue)
