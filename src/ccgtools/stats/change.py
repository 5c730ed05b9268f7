"""Change between two periods beyond chance and beyond the usual spread of changes (Spiegelhalter 2005).

Each unit's change on a variance-stabilised scale is compared with the overall change, allowing
for its sampling error in both periods and for the between-unit spread of changes (over-dispersion),
estimated exactly as for levels in :func:`ccgtools.stats.funnel.overdispersion`. A change is
*credible* only when it exceeds both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .funnel import _tau2_winsorised_paule_mandel
from .intervals import as_float_array, z_value


def sqrt_ratio_scale(observed, expected) -> tuple[np.ndarray, np.ndarray]:
    """Standardised ratios on the square-root scale: y = √(O/E), s = 1/(2√E) (NaN where E ≤ 0).

    References
    ----------
    Spiegelhalter DJ (2005). Handling over-dispersion of performance indicators. Qual Saf Health Care 14:347.
    """
    o, e = as_float_array(observed, "observed"), as_float_array(expected, "expected")
    valid = (e > 0) & ~np.isnan(o)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(valid, np.sqrt(o / e), np.nan)
        s = np.where(valid, 1 / (2 * np.sqrt(e)), np.nan)
    return y, s


def credible_change(y1, s1, y2, s2, *, level: float = 0.95, winsorise: float = 0.1,
                    centre: float | None = None, index=None) -> pd.DataFrame:
    """Which units changed credibly between two periods: beyond chance and beyond the usual spread of changes.

    Parameters
    ----------
    y1, s1, y2, s2 : array-like
        Each unit's value and its null standard error in the first and second period, on a
        variance-stabilised scale (:func:`sqrt_ratio_scale` for standardised ratios; asin√p and
        1/(2√n) for proportions). Units missing in either period get NaN and are left out.
    level : float
        Two-sided level of the test (0.95: |z| > 1.96).
    winsorise : float
        Fraction of z-scores winsorised at each end when estimating the spread of changes.
    centre : float, optional
        The overall change; by default the random-effects mean of the changes (weights 1/(sᵢ² + τ̂²)).

    Returns
    -------
    pandas.DataFrame
        change (d = y₂ − y₁), se_chance (√(s₁² + s₂²)), centre (d̄), z_chance ((d − d̄)/√(s₁² + s₂²)),
        z ((d − d̄)/√(s₁² + s₂² + τ̂²_d)), beyond_chance (|z_chance| > z_level), credible (|z| > z_level),
        direction ("up", "down" or "" when not credible); the fitted τ̂²_d is in ``.attrs["tau2"]``.

    Notes
    -----
    dᵢ = y₂ᵢ − y₁ᵢ with sampling variance s₁ᵢ² + s₂ᵢ²; τ̂²_d solves the winsorised Paule-Mandel
    equation mean of winsorised ((dᵢ − d̄)/√(s₁ᵢ² + s₂ᵢ² + τ²))² = E[Z_w²] (as
    :func:`ccgtools.stats.funnel.overdispersion` with its consistent estimator), and d̄ and τ̂²_d
    are updated in turn (twice). A unit's change is credible when |dᵢ − d̄| / √(s₁ᵢ² + s₂ᵢ² + τ̂²_d)
    exceeds z at ``level``: beyond chance and beyond the usual spread of changes.

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Statistics in
    Medicine 24:1185-1202 (section on changes over time). Paule RC, Mandel J (1982). J Res Natl Bur
    Stand 87:377-385.
    """
    if not 0.5 <= level < 1:
        raise ParameterError(f"level must be from 0.5 and below 1; found {level!r}")
    y1, s1 = as_float_array(y1, "y1"), as_float_array(s1, "s1")
    y2, s2 = as_float_array(y2, "y2"), as_float_array(s2, "s2")
    d = y2 - y1
    variance = s1**2 + s2**2
    valid = ~np.isnan(d) & (variance > 0)
    if valid.sum() < 3:
        raise ParameterError(f"{int(valid.sum())} units with values in both periods; expected at least 3 to "
                             "estimate the usual spread of changes")
    dv, sv = d[valid], np.sqrt(variance[valid])
    fixed_centre = centre is not None
    mean = float(centre) if fixed_centre else float(np.sum(dv / sv**2) / np.sum(1 / sv**2))
    tau2 = 0.0
    for _ in range(2):
        tau2 = _tau2_winsorised_paule_mandel(dv - mean, sv, winsorise)
        if not fixed_centre:
            weights = 1 / (sv**2 + tau2)
            mean = float(np.sum(weights * dv) / np.sum(weights))
    threshold = z_value(level)
    with np.errstate(invalid="ignore"):
        z_chance = np.where(valid, (d - mean) / np.sqrt(variance), np.nan)
        z = np.where(valid, (d - mean) / np.sqrt(variance + tau2), np.nan)
    credible = np.abs(z) > threshold
    out = pd.DataFrame({"change": d, "se_chance": np.sqrt(variance), "centre": mean, "z_chance": z_chance, "z": z,
                        "beyond_chance": np.abs(z_chance) > threshold, "credible": credible,
                        "direction": np.where(credible, np.where(z > 0, "up", "down"), "")}, index=index)
    out.attrs["tau2"] = float(tau2)
    return out
