"""Expected counts for every practice from its patients (case mix): indirect standardisation by regression.

For each indicator and year a binomial logistic regression of the practices' proportions on their
patients' age structure, deprivation and rurality, fitted across England, gives each practice the
count it would have if it performed like an average practice with its patients; an area's expected
count is the sum over its practices, so its observed / expected ratio is adjusted for case mix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError

#: The case-mix variables, in words for the page.
COVARIATES = {"pct_under_15": "% of patients under 15", "pct_65_plus": "% aged 65 and over",
              "imd_score": "deprivation (IMD score)", "rural": "rural practice"}


def design_matrix(practices: pd.DataFrame, covariates=tuple(COVARIATES)) -> np.ndarray:
    """Intercept and the chosen case-mix variables, each continuous one standardised (mean 0, SD 1) across the rows;
    "rural" is 1 for a rural practice."""
    columns = [np.ones(len(practices))]
    for name in covariates:
        if name == "rural":
            columns.append((practices["rurality"].to_numpy() == "Rural").astype(float))
            continue
        values = practices[name].to_numpy(float)
        spread = values.std()
        columns.append((values - values.mean()) / (spread if spread > 0 else 1.0))
    return np.column_stack(columns)


def logistic_fit(events, trials, x: np.ndarray, *, iterations: int = 25, tolerance: float = 1e-10) -> np.ndarray:
    """Coefficients of a binomial logistic regression (events of trials on ``x``), by iteratively reweighted
    least squares.

    Parameters
    ----------
    events, trials : array-like
        Counts per row (trials > 0).
    x : numpy.ndarray
        Design matrix (rows × coefficients), with an intercept column.

    Returns
    -------
    numpy.ndarray
        Maximum-likelihood coefficients on the log-odds scale. A column with no variation is given 0.

    Notes
    -----
    Newton-Raphson (Fisher scoring, the canonical link): β ← β + (XᵀWX)⁻¹Xᵀ(y − nμ), W = nμ(1 − μ),
    until the largest step is below ``tolerance``. Fitted with an intercept, Σ nᵢμ̂ᵢ = Σ yᵢ, so the
    expected counts add up to the observed total.

    References
    ----------
    McCullagh P, Nelder JA (1989). Generalized Linear Models, 2nd ed. Chapman & Hall, section 4.4.
    """
    y, n = np.asarray(events, float), np.asarray(trials, float)
    p0 = y.sum() / n.sum()
    if not 0 < p0 < 1:
        raise DataError(f"every practice has {'none' if p0 == 0 else 'all'} of its patients counted", column="numerator",
                        expected="an indicator that varies, to compare practices and areas on")
    keep = np.ptp(x, axis=0) > 0
    keep[0] = True
    xs = x[:, keep]
    beta = np.zeros(xs.shape[1])
    beta[0] = np.log(p0 / (1 - p0))
    for _ in range(iterations):
        mu = 1 / (1 + np.exp(-(xs @ beta)))
        weight = n * mu * (1 - mu)
        step = np.linalg.solve(xs.T @ (xs * weight[:, None]), xs.T @ (y - n * mu))
        beta = beta + step
        if np.max(np.abs(step)) < tolerance:
            break
    full = np.zeros(x.shape[1])
    full[keep] = beta
    return full


def expected_counts(practices: pd.DataFrame, counts: pd.DataFrame, covariates=tuple(COVARIATES)) -> pd.DataFrame:
    """Every practice's observed and expected count, per indicator and period, with its ICB that year.

    Parameters
    ----------
    practices : pandas.DataFrame
        From :func:`ccgtools.areas.load.load_area_practices`.
    counts : pandas.DataFrame
        From :func:`ccgtools.areas.load.load_area_indicators`; rows with a missing count are left out.
    covariates : sequence of str
        Keys of :data:`COVARIATES` to allow for; practices missing one of them are left out.

    Returns
    -------
    pandas.DataFrame
        practice_code, period, indicator, icb_code, numerator, denominator, expected (n × the fitted
        proportion of a practice with its case mix: indirect standardisation by regression).

    References
    ----------
    Indirect standardisation by a regression model of the reference population: Breslow NE, Day NE
    (1987). Statistical Methods in Cancer Research II, IARC, chapter 2; PHE Technical Guide,
    "Standardisation" (indirect standardisation, O/E).
    """
    merged = counts.dropna(subset=["numerator", "denominator"])
    merged = merged[merged["denominator"] > 0].merge(practices, on=["practice_code", "period"], how="inner")
    needed = [c if c != "rural" else "rurality" for c in covariates]
    merged = merged.dropna(subset=needed)
    parts = []
    for (indicator, period), group in merged.groupby(["indicator", "period"], sort=True):
        x = design_matrix(group, covariates)
        beta = logistic_fit(group["numerator"], group["denominator"], x)
        fitted = 1 / (1 + np.exp(-(x @ beta)))
        parts.append(group.assign(expected=group["denominator"].to_numpy() * fitted))
    table = pd.concat(parts, ignore_index=True)
    return table[["practice_code", "period", "indicator", "icb_code", "numerator", "denominator", "expected",
                  "list_size"]]
