"""Funnel-plot control limits, significance against them, and over-dispersion.

Control limits around a target as a function of the denominator (Spiegelhalter
2005), in PHE's forms; and Spiegelhalter's over-dispersion adjustment on a
variance-stabilised scale: by default with a consistent (winsorised
Paule-Mandel) estimate of the between-unit variance, or exactly as FunnelPlotR
(NHS-R Community) computes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special
from scipy.stats import norm

from ..errors import DataError, ParameterError
from .intervals import as_float_array, level_label, restore_shape, z_value

STATISTICS = ("proportion", "ratio", "rate")
DEFAULT_LEVELS = (0.95, 0.998)


def _levels(confidence) -> list[float]:
    return [confidence] if np.isscalar(confidence) else list(confidence)


def _check_statistic(statistic: str) -> None:
    if statistic not in STATISTICS:
        raise ParameterError(f"statistic must be one of {', '.join(STATISTICS)}; found {statistic!r}")


def wilson_funnel_limits(denominator, target: float, confidence: float = 0.95):
    """Proportion funnel limits: the proportions whose Wilson interval just touches the target.

    Solving the Wilson bound (p + k/2 ± z√(p(1−p)/n + k/(4n)))/(1 + k) = θ, with
    k = z²/n, for p gives the quadratic (1+k)p² − (2A+k)p + (A² − k²/4) = 0,
    A = θ(1+k) − k/2, whose roots are the lower and upper limits (clipped to [0, 1]).

    Returns
    -------
    tuple (lower, upper)
        Proportions (0-1), the shape of ``denominator``.

    References
    ----------
    PHE ``calculate_funnel_limits`` (statistic = "proportion"); Spiegelhalter DJ
    (2005). Funnel plots for comparing institutional performance. Statistics in
    Medicine 24:1185-1202.
    """
    n = as_float_array(denominator, "denominator")
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = z**2 / n
        a = target * (1 + k) - k / 2
        b = 2 * a + k
        root = np.sqrt(np.maximum(b**2 - 4 * (1 + k) * (a**2 - k**2 / 4), 0.0))
        lower = np.clip((b - root) / (2 * (1 + k)), 0, 1)
        upper = np.clip((b + root) / (2 * (1 + k)), 0, 1)
    invalid = ~(n > 0)
    return (restore_shape(denominator, np.where(invalid, np.nan, lower)),
            restore_shape(denominator, np.where(invalid, np.nan, upper)))


def poisson_funnel_counts(expected, confidence: float = 0.95):
    """Observed counts on the exact Poisson funnel limits for an expected count E.

    The lower limit is the count O whose exact upper confidence limit equals E,
    χ²_{1−α/2}(2O + 2)/2 = E; the upper limit the count whose exact lower limit
    equals E, χ²_{α/2}(2O)/2 = E. Both are solved continuously in O with the
    inverse of the χ² distribution in its degrees of freedom (``scipy.special.chdtriv``).

    Returns
    -------
    tuple (lower_count, upper_count)

    References
    ----------
    PHE ``calculate_funnel_limits`` (statistic = "ratio" / "rate").
    """
    e = as_float_array(expected, "expected")
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        lower = np.maximum(special.chdtriv(1 - alpha / 2, 2 * e) / 2 - 1, 0.0)
        upper = special.chdtriv(alpha / 2, 2 * e) / 2
    invalid = ~(e > 0)
    return (restore_shape(expected, np.where(invalid, np.nan, lower)),
            restore_shape(expected, np.where(invalid, np.nan, upper)))


def funnel_limits(denominator, target: float, *, statistic: str = "proportion",
                  confidence: Sequence[float] | float = DEFAULT_LEVELS, multiplier: float = 1.0) -> pd.DataFrame:
    """Funnel-plot control limits as a function of the denominator.

    Parameters
    ----------
    denominator : array-like or Series
        For proportions the number of trials n; for ratios the expected count E
        (at a ratio of 1); for rates the population (person-time).
    target : float
        The centre line: a proportion (0-1), a ratio (usually 1) or a rate per
        ``multiplier``.
    statistic : {"proportion", "ratio", "rate"}
    confidence : float or sequence of float
        Levels of the limits (default 95% and 99.8%).
    multiplier : float
        Scale of the output (100 for percentages, 100,000 for rates per 100,000).

    Returns
    -------
    pandas.DataFrame
        denominator, target, and ``lower_<level>``/``upper_<level>`` per level.

    Notes
    -----
    Proportions: :func:`wilson_funnel_limits`. Ratios and rates: exact Poisson
    (:func:`poisson_funnel_counts`) around E·target (ratios) or
    target × population / multiplier (rates), divided back by E or the population.
    """
    _check_statistic(statistic)
    n = as_float_array(denominator, "denominator")
    out = {"denominator": n, "target": np.full(n.shape, float(target))}
    for level in _levels(confidence):
        label = level_label(level)
        if statistic == "proportion":
            lower, upper = wilson_funnel_limits(n, target / multiplier, level)
            lower, upper = lower * multiplier, upper * multiplier
        elif statistic == "ratio":
            lower, upper = poisson_funnel_counts(n * target, level)
            with np.errstate(divide="ignore", invalid="ignore"):
                lower, upper = lower / n, upper / n
        else:
            lower, upper = poisson_funnel_counts(n * target / multiplier, level)
            with np.errstate(divide="ignore", invalid="ignore"):
                lower, upper = lower / n * multiplier, upper / n * multiplier
        out[f"lower_{label}"], out[f"upper_{label}"] = lower, upper
    table = pd.DataFrame(out)
    if isinstance(denominator, pd.Series):
        table.index = denominator.index
    return table


def funnel_significance(numerator, denominator, target: float | None = None, *, statistic: str = "proportion",
                        multiplier: float = 1.0) -> pd.Series:
    """Each unit's position against the 95% and 99.8% funnel limits at its own denominator.

    Parameters
    ----------
    numerator, denominator : array-like or Series
        Proportions: events and trials. Ratios: observed and expected. Rates:
        events and population.
    target : float, optional
        Centre line on the output scale; by default the overall value
        Σnumerator/Σdenominator (× multiplier), or 1 for ratios.

    Returns
    -------
    pandas.Series
        "High (0.001)", "High (0.025)", "Not significant", "Low (0.025)",
        "Low (0.001)" (PHE's labels: one-sided tail probabilities beyond the
        99.8% and 95% limits), or missing where the denominator is 0 or missing.
    """
    _check_statistic(statistic)
    x = as_float_array(numerator, "numerator")
    n = as_float_array(denominator, "denominator")
    valid = (n > 0) & ~np.isnan(x)
    if target is None:
        target = 1.0 if statistic == "ratio" else multiplier * x[valid].sum() / n[valid].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        value = x / n * (1.0 if statistic == "ratio" else multiplier)
    limits = funnel_limits(n, target, statistic=statistic, confidence=DEFAULT_LEVELS, multiplier=multiplier)
    labels = np.select(
        [~valid, value > limits["upper_99_8"], value > limits["upper_95"],
         value < limits["lower_99_8"], value < limits["lower_95"]],
        [None, "High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)"], default="Not significant")
    index = numerator.index if isinstance(numerator, pd.Series) else None
    return pd.Series(labels, index=index, name="significance", dtype=object).where(valid, None)


def _adjusted_limits(s: np.ndarray, theta: float, tau2: float, statistic: str, confidence) -> dict:
    """Limits θ₀ ± z_p·√(s² + τ²) on the transformed scale and back-transformed."""
    spread = np.sqrt(s**2 + tau2)
    columns = {}
    for level in _levels(confidence):
        label, zp = level_label(level), z_value(level)
        lower_t, upper_t = theta - zp * spread, theta + zp * spread
        columns[f"lower_{label}_transformed"], columns[f"upper_{label}_transformed"] = lower_t, upper_t
        if statistic == "proportion":
            lower_n = np.sin(np.clip(lower_t, 0, np.pi / 2)) ** 2
            upper_n = np.sin(np.clip(upper_t, 0, np.pi / 2)) ** 2
        else:
            lower_n, upper_n = np.maximum(lower_t, 0) ** 2, upper_t**2
        columns[f"lower_{label}"], columns[f"upper_{label}"] = lower_n, upper_n
    return columns


def adjusted_funnel_limits(denominator, target: float, tau2: float, *, statistic: str = "ratio",
                           confidence: Sequence[float] | float = DEFAULT_LEVELS, phi: float = 1.0) -> pd.DataFrame:
    """Over-dispersion-adjusted funnel limits along a range of denominators (for drawing a funnel).

    Parameters
    ----------
    denominator : array-like
        Expected counts (ratios) or trials (proportions) at which to draw the limits.
    target : float
        Centre on the natural scale (a ratio, or a proportion 0-1).
    tau2 : float
        Between-unit variance on the transformed scale, from :func:`overdispersion`
        (0 for multiplicative or unadjusted limits).
    phi : float
        Multiplicative over-dispersion factor applied to the standard error (1 for none).

    Returns
    -------
    pandas.DataFrame
        denominator and ``lower_<level>``/``upper_<level>`` on the natural scale.

    Notes
    -----
    As in :func:`overdispersion`: θ₀ ± z_p·√(s² + τ̂²), s = 1/(2√denominator), on
    the square-root (ratios) or arcsine (proportions) scale, back-transformed.
    """
    if statistic not in ("ratio", "proportion"):
        raise ParameterError(f"statistic must be 'ratio' or 'proportion'; found {statistic!r}")
    n = as_float_array(denominator, "denominator")
    theta = float(np.arcsin(np.sqrt(target)) if statistic == "proportion" else np.sqrt(target))
    with np.errstate(divide="ignore"):
        s = np.where(n > 0, 1 / (2 * np.sqrt(np.where(n > 0, n, 1.0))), np.nan) * np.sqrt(max(phi, 1.0))
    limits = _adjusted_limits(s, theta, tau2, statistic, confidence)
    return pd.DataFrame({"denominator": n, **{k: v for k, v in limits.items() if not k.endswith("_transformed")}})


@dataclass
class Overdispersion:
    """The result of :func:`overdispersion`: per-unit table and the fitted quantities."""

    units: pd.DataFrame
    phi: float
    tau2: float
    target: float
    n_units: int
    adjusted: bool
    scale: str
    method: str = "additive"
    estimator: str = "consistent"


OD_METHODS = ("additive", "multiplicative", "none")
#: "consistent": winsorised Paule-Mandel τ̂² and φ̂ corrected for the winsorising (the default);
#: "funnelplotr": FunnelPlotR 0.6.0's winsorised φ̂ and DerSimonian-Laird τ̂², reproduced exactly.
OD_ESTIMATORS = ("consistent", "funnelplotr")


def winsorised_normal_mean_square(fraction: float) -> float:
    """E[Z_w²] for Z ~ N(0, 1) winsorised symmetrically at its ``fraction`` and 1 − ``fraction`` quantiles.

    With c = Φ⁻¹(1 − q): E[Z_w²] = (2Φ(c) − 1) − 2cφ(c) + 2q·c² (the truncated second moment
    plus the winsorised tails); 0.6787 for q = 0.1, 1 for q = 0.

    References
    ----------
    Huber PJ, Ronchetti EM (2009). Robust Statistics, 2nd ed. Wiley, section 5.2 (consistency
    of winsorised scale estimates under the normal model).
    """
    if not 0 <= fraction < 0.5:
        raise ParameterError(f"winsorise must be at least 0 and below 0.5; found {fraction!r}")
    if fraction == 0:
        return 1.0
    c = norm.ppf(1 - fraction)
    return float((2 * norm.cdf(c) - 1) - 2 * c * norm.pdf(c) + 2 * fraction * c**2)


def _winsorised_mean_square(values: np.ndarray, fraction: float) -> float:
    """Mean square after clipping at the ``fraction`` and 1 − ``fraction`` quantiles (R type 7)."""
    low, high = np.quantile(values, [fraction, 1 - fraction])
    return float(np.mean(np.clip(values, low, high) ** 2))


def _tau2_dersimonian_laird(phi: float, s: np.ndarray) -> float:
    """FunnelPlotR's τ̂² = max(0, (Iφ̂ − (I − 1)) / (Σw − Σw²/Σw)), w = 1/s² (0 when φ̂ ≤ 1)."""
    w = 1 / s**2
    if phi <= 1:
        return 0.0
    return max(0.0, (len(s) * phi - (len(s) - 1)) / (w.sum() - (w**2).sum() / w.sum()))


def _tau2_winsorised_paule_mandel(d: np.ndarray, s: np.ndarray, fraction: float) -> float:
    """τ̂² solving  mean of winsorised (dᵢ/√(sᵢ² + τ²))²  =  E[Z_w²]  (0 if already below at τ² = 0).

    Under the random-effects model each dᵢ/√(sᵢ² + τ²) is standard normal, so the equation is
    unbiased at the true τ²; winsorising keeps a few outlying units from inflating it.
    """
    kappa = winsorised_normal_mean_square(fraction)

    def excess(tau2: float) -> float:
        return _winsorised_mean_square(d / np.sqrt(s**2 + tau2), fraction) - kappa

    if excess(0.0) <= 0:
        return 0.0
    upper = max(_winsorised_mean_square(d, fraction) / kappa, float(np.max(s**2)))
    while excess(upper) > 0:
        upper *= 4
    return float(optimize.brentq(excess, 0.0, upper, xtol=1e-14, rtol=1e-12))


def overdispersion(numerator, denominator, *, statistic: str = "ratio", target: float | None = None,
                   winsorise: float = 0.1, confidence: Sequence[float] | float = DEFAULT_LEVELS,
                   method: str = "additive", estimator: str = "consistent") -> Overdispersion:
    """Spiegelhalter's over-dispersion adjustment: winsorised z-scores, φ̂, τ̂², adjusted limits and z.

    Parameters
    ----------
    numerator, denominator : array-like or Series
        Ratios: observed O and expected E. Proportions: events r and trials n.
    statistic : {"ratio", "proportion"}
        Ratios use the square-root scale (yᵢ = √(O/E), θ₀ = √target, sᵢ = 1/(2√E));
        proportions the arcsine scale (yᵢ = asin√(r/n), θ₀ = asin√target, sᵢ = 1/(2√n)).
    target : float, optional
        On the natural scale; default 1 for ratios, Σr/Σn for proportions.
    winsorise : float
        Fraction winsorised at each end (10%: z-scores beyond the 10th and 90th
        percentiles, R quantile type 7, are set to them).
    confidence : float or sequence of float
        Levels of the adjusted limits.
    method : {"additive", "multiplicative", "none"}
        "additive": random-effects limits θ₀ ± z_p√(sᵢ² + τ̂²) (the default, as NHS
        England's and CQC's); "multiplicative": θ₀ ± z_p·√φ̂·sᵢ; "none": unadjusted
        θ₀ ± z_p·sᵢ (φ̂ and τ̂² are still estimated and reported).
    estimator : {"consistent", "funnelplotr"}
        How φ̂ and τ̂² are estimated (see Notes). "funnelplotr" reproduces FunnelPlotR
        0.6.0 exactly; "consistent" (the default) removes its downward bias.

    Returns
    -------
    Overdispersion
        ``units``: y, s, z, z_winsorised, winsorised, z_adjusted, and adjusted
        ``lower_<level>``/``upper_<level>`` on the natural scale (and, with a
        ``_transformed`` suffix, on the transformed scale); ``phi``, ``tau2``.

    Notes
    -----
    "funnelplotr": φ̂ = (1/I)Σ z_w²; τ̂² = max(0, (Iφ̂ − (I − 1)) / (Σwᵢ − Σwᵢ²/Σwᵢ)),
    wᵢ = 1/sᵢ² (DerSimonian-Laird additive random effects); τ̂² = 0 when φ̂ ≤ 1. Winsorising
    normal z-scores at 10% shrinks their mean square to κ = 0.6787 of its value
    (:func:`winsorised_normal_mean_square`), so this φ̂ and τ̂² are biased low and the
    limits too narrow: more units fall outside them than the level promises.

    "consistent": φ̂ = (1/I)Σ z_w² / κ; τ̂² is the root of the winsorised Paule-Mandel
    moment equation (1/I)Σ wins(dᵢ/√(sᵢ² + τ²))² = κ, dᵢ = yᵢ − θ₀, which is unbiased under
    the random-effects model because each dᵢ/√(sᵢ² + τ²) is then standard normal
    (0 when the left side is already ≤ κ at τ² = 0).

    Either way: limits θ₀ ± z_p√(sᵢ² + τ̂²), back-transformed by squaring (ratios) or
    sin² (proportions); adjusted z = (yᵢ − θ₀)/√(sᵢ² + τ̂²). Units with a zero or
    missing denominator are left out of the estimation and get NaN.

    References
    ----------
    Spiegelhalter DJ (2005). Handling over-dispersion of performance indicators.
    Quality and Safety in Health Care 14:347-351. FunnelPlotR 0.6.0 (NHS-R Community).
    Paule RC, Mandel J (1982). Consensus values and weighting factors. Journal of Research
    of the National Bureau of Standards 87:377-385. DerSimonian R, Kacker R (2007).
    Random-effects model for meta-analysis of clinical trials: an update. Contemporary
    Clinical Trials 28:105-114.
    """
    if estimator not in OD_ESTIMATORS:
        raise ParameterError(f"estimator must be one of {', '.join(OD_ESTIMATORS)}; found {estimator!r}")
    if statistic not in ("ratio", "proportion"):
        raise ParameterError(f"over-dispersion is for 'ratio' or 'proportion'; found {statistic!r}")
    x = as_float_array(numerator, "numerator")
    n = as_float_array(denominator, "denominator")
    valid = (n > 0) & ~np.isnan(x)
    if statistic == "proportion":
        if np.any(x[valid] > n[valid]):
            raise DataError("numerator above denominator", column="numerator",
                            expected="events no more than trials for a proportion")
        if target is None:
            target = x[valid].sum() / n[valid].sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.arcsin(np.sqrt(x / n))
        theta = float(np.arcsin(np.sqrt(target)))
    else:
        if target is None:
            target = 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.sqrt(x / n)
        theta = float(np.sqrt(target))
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(valid, 1 / (2 * np.sqrt(n)), np.nan)
        z = (y - theta) / s
    used = z[valid]
    low, high = np.quantile(used, [winsorise, 1 - winsorise])  # numpy "linear" = R type 7
    z_w = np.clip(z, low, high)
    n_units = int(valid.sum())
    phi = float(np.sum(z_w[valid] ** 2) / n_units)
    if estimator == "funnelplotr":
        tau2 = _tau2_dersimonian_laird(phi, s[valid])
    else:
        phi /= winsorised_normal_mean_square(winsorise)
        tau2 = _tau2_winsorised_paule_mandel(y[valid] - theta, s[valid], winsorise)
    if method not in OD_METHODS:
        raise ParameterError(f"method must be one of {', '.join(OD_METHODS)}; found {method!r}")
    if method == "multiplicative":
        scale_s = s * np.sqrt(max(phi, 1.0))
        applied_tau2 = 0.0
    else:
        scale_s, applied_tau2 = s, (tau2 if method == "additive" else 0.0)
    spread = np.sqrt(scale_s**2 + applied_tau2)
    columns = {"y": y, "s": s, "z": z, "z_winsorised": np.where(valid, z_w, np.nan),
               "winsorised": valid & (z != z_w), "z_adjusted": (y - theta) / spread}
    columns.update(_adjusted_limits(scale_s, theta, applied_tau2, statistic, confidence))
    units = pd.DataFrame(columns)
    if isinstance(numerator, pd.Series):
        units.index = numerator.index
    adjusted = (method == "additive" and tau2 > 0) or (method == "multiplicative" and phi > 1)
    return Overdispersion(units=units, phi=phi, tau2=tau2, target=float(target), n_units=n_units,
                          adjusted=adjusted, scale="arcsine" if statistic == "proportion" else "square root",
                          method=method, estimator=estimator)
