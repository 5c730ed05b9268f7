"""Each area's rank on each indicator after case mix, with a rank interval that includes real variation.

The rank is of the case-mix-adjusted ratio (observed / expected). Its interval comes from
:func:`ccgtools.stats.ranking.rank_uncertainty` (Goldstein & Spiegelhalter 1996) with each area's counts
scaled by its own over-dispersion among its practices, so that the interval carries the variation
between practices as well as chance; an area of a few large, very different practices is placed
less surely than its size alone suggests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..stats.ranking import rank_uncertainty
from .indicators import AreaIndicator


def area_dispersion(table: pd.DataFrame) -> pd.DataFrame:
    """Each area's over-dispersion factor φ among its practices, per indicator (quasi-likelihood).

    Parameters
    ----------
    table : pandas.DataFrame
        One period's practice rows: indicator, icb_code, numerator, denominator, expected.

    Returns
    -------
    pandas.DataFrame
        indicator, icb_code, numerator, expected, phi.

    Notes
    -----
    With rₐ = Oₐ/Eₐ the area's ratio, φₐ = Σᵢ (Oᵢ − Eᵢrₐ)² / (Eᵢrₐ) / (kₐ − 1) over its kₐ practices
    (the Pearson estimate of a quasi-Poisson dispersion), so that φₐ·Oₐ estimates the variance of the
    area's total. It is floored at 1 − pₐ (pₐ = Oₐ/nₐ), the variance a binomial count would have, so
    that an area is never placed more surely than chance allows; an area with one practice gets that floor.

    References
    ----------
    McCullagh P, Nelder JA (1989). Generalized Linear Models, 2nd ed., section 4.5 (quasi-likelihood,
    Pearson estimate of dispersion). Spiegelhalter DJ (2005). Qual Saf Health Care 14:347 (multiplicative
    over-dispersion).
    """
    sums = table.groupby(["indicator", "icb_code"], sort=False)[["numerator", "denominator", "expected"]].sum()
    ratio = (sums["numerator"] / sums["expected"]).rename("ratio")
    rows = table.join(ratio, on=["indicator", "icb_code"])
    fitted = rows["expected"] * rows["ratio"]
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = ((rows["numerator"] - fitted) ** 2 / fitted).where(fitted > 0, 0.0)
    grouped = rows.assign(pearson=pearson).groupby(["indicator", "icb_code"], sort=False)
    k = grouped.size()
    phi = grouped["pearson"].sum() / (k - 1).where(k > 1)
    floor = 1 - sums["numerator"] / sums["denominator"]
    out = sums[["numerator", "expected"]].copy()
    out["phi"] = np.fmax(phi.reindex(out.index).fillna(0.0), floor)
    return out.reset_index()


def area_ranks(table: pd.DataFrame, definitions: dict[str, AreaIndicator], *, among=None,
               n_simulations: int = 2_000, seed: int = 2024) -> pd.DataFrame:
    """Rank (1 = best) of each area on each indicator after case mix, with its 95% rank interval.

    Parameters
    ----------
    table : pandas.DataFrame
        One period's practice rows (indicator, icb_code, numerator, denominator, expected).
    among : sequence of str, optional
        Rank only these areas against each other (e.g. an area and its 10 most similar); default all.

    Returns
    -------
    pandas.DataFrame
        indicator, icb_code, numerator, expected, adjusted_ratio, phi, rank (:func:`league_rank`), median_rank,
        rank_lower, rank_upper, prob_bottom, areas.

    Notes
    -----
    Draws Gamma(Oₐ/φₐ + ½, 1)/(Eₐ/φₐ) for each area (:func:`ccgtools.stats.ranking.rank_uncertainty`
    on the scaled counts: variance ≈ φₐOₐ/Eₐ²), ranks every draw by the indicator's direction, and
    reports the 2.5th to 97.5th percentile ranks. The rank itself is the place of the observed ratio
    (:func:`league_rank`: one definition, the order of every table and chart), and the interval is widened to
    include it where the simulation does not. Seeded: the same inputs give the same intervals.
    """
    dispersion = area_dispersion(table)
    if among is not None:
        dispersion = dispersion[dispersion["icb_code"].isin(list(among))]
    parts = []
    for indicator, group in dispersion.groupby("indicator", sort=False):
        ranks = rank_uncertainty(group["numerator"] / group["phi"], group["expected"] / group["phi"],
                                 statistic="ratio", higher_is_better=definitions[indicator].higher_is_better,
                                 n_simulations=n_simulations, seed=seed, labels=group.index)
        ranks["adjusted_ratio"] = (group["numerator"] / group["expected"]).to_numpy()
        parts.append(pd.concat([group[["indicator", "icb_code", "numerator", "expected", "phi"]],
                                ranks.drop(columns="value")], axis=1)
                     .assign(areas=len(group)))
    out = pd.concat(parts, ignore_index=True)
    out = league_rank(out, definitions)
    return out[["indicator", "icb_code", "numerator", "expected", "adjusted_ratio", "phi", "rank", "median_rank", "rank_lower", "rank_upper",
                "prob_bottom", "areas"]]


def league_rank(ranks: pd.DataFrame, definitions: dict[str, AreaIndicator]) -> pd.DataFrame:
    """Whole-number rank (1 = best) of each area's observed adjusted ratio within its indicator, ties by code.

    The one rank the page quotes and orders by; its interval (rank_lower, rank_upper) is widened, if need be,
    to include it.
    """
    out = ranks.copy()
    sign = out["indicator"].map(lambda i: -1.0 if definitions[i].higher_is_better else 1.0)
    key = out.assign(_key=sign * out["adjusted_ratio"]).sort_values(["indicator", "_key", "icb_code"], kind="stable")
    out.loc[key.index, "rank"] = key.groupby("indicator", sort=False).cumcount().to_numpy() + 1
    out["rank"] = out["rank"].astype(int)
    out["rank_lower"] = np.fmin(out["rank_lower"], out["rank"]).astype(int)
    out["rank_upper"] = np.fmax(out["rank_upper"], out["rank"]).astype(int)
    return out


def ordinal(n: float) -> str:
    """1 → "1st", 22 → "22nd", 13 → "13th"."""
    n = int(round(n))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


#: A rank is "placed with confidence" when its 95% interval spans no more than this share of the table
#: (the one rule for ranks among all ICBs and among similar ICBs).
PLACED_SHARE = 1 / 3


def placed(lower: float, upper: float, of: int) -> bool:
    """True when the rank interval lower..upper spans at most :data:`PLACED_SHARE` of the ``of`` places."""
    return (upper - lower + 1) <= max(PLACED_SHARE * of, 1)


def rank_phrase(rank: float, lower: float, upper: float, *, of: int, noun: str = "") -> str:
    """"7th of 42 ICBs (could be 3rd to 15th)"; "not placed with confidence (anywhere from 3rd to 30th of 42 ICBs)"
    when the interval is wider than :data:`PLACED_SHARE` of the table; "2nd of 11" when it has no width."""
    total = f"{of} {noun}".strip()
    if not placed(lower, upper, of):
        return f"not placed with confidence (anywhere from {ordinal(lower)} to {ordinal(upper)} of {total})"
    if lower == upper:
        return f"{ordinal(rank)} of {total}"
    return f"{ordinal(rank)} of {total} (could be {ordinal(lower)} to {ordinal(upper)})"
