"""Change between the two years, for areas and for practices, beyond chance and the usual spread of changes.

Like is compared with like: an area's change is over the practices open in both years, each counted
in the area it belongs to in the later year (so a practice that moved is compared in its new area in
both years, and a practice that closed or opened is left out of the change). Each year's ratio is
observed / expected against that year's England model, so the change is relative to England's own
change; :func:`england_change` gives England's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..stats.change import credible_change, sqrt_ratio_scale
from .indicators import AreaIndicator


def membership(practices: pd.DataFrame, periods: tuple[str, str]) -> pd.DataFrame:
    """Each practice's ICB in the earlier and later year and what happened to it.

    Returns
    -------
    pandas.DataFrame
        Indexed by practice_code: icb_previous, icb_current (missing when not open that year), status:
        "continuing" (same ICB), "moved" (another ICB), "closed" (gone by the later year), "new" (opened).
    """
    previous, current = periods
    wide = practices.pivot(index="practice_code", columns="period", values="icb_code")
    out = pd.DataFrame({"icb_previous": wide.get(previous), "icb_current": wide.get(current)}, index=wide.index)
    out = out[out["icb_previous"].notna() | out["icb_current"].notna()]
    status = np.select([out["icb_current"].isna(), out["icb_previous"].isna(),
                        out["icb_previous"] != out["icb_current"]], ["closed", "new", "moved"], default="continuing")
    return out.assign(status=status)


def area_movements(members: pd.DataFrame, area: str) -> dict[str, list[str]]:
    """The practices that closed in, opened in, moved into and moved out of ``area`` between the years."""
    return {"closed": sorted(members.index[(members["status"] == "closed") & (members["icb_previous"] == area)]),
            "new": sorted(members.index[(members["status"] == "new") & (members["icb_current"] == area)]),
            "moved_in": sorted(members.index[(members["status"] == "moved") & (members["icb_current"] == area)]),
            "moved_out": sorted(members.index[(members["status"] == "moved") & (members["icb_previous"] == area)])}


def _both_years(table: pd.DataFrame, members: pd.DataFrame, periods: tuple[str, str]) -> pd.DataFrame:
    """Practice rows open in both years, wide by year (numerator/expected per year), with the later ICB."""
    open_both = members.index[members["status"].isin(("continuing", "moved"))]
    rows = table[table["practice_code"].isin(open_both)]
    wide = rows.pivot_table(index=["indicator", "practice_code"], columns="period",
                            values=["numerator", "denominator", "expected"], aggfunc="sum")
    wide.columns = [f"{value}_{'previous' if period == periods[0] else 'current'}" for value, period in wide.columns]
    wide = wide.dropna().reset_index()
    return wide.join(members["icb_current"], on="practice_code")


def _direction(frame: pd.DataFrame, definitions: dict[str, AreaIndicator]) -> pd.Series:
    """"improved" / "worsened" for a credible change by the indicator's direction; "" otherwise."""
    better_up = frame["indicator"].map(lambda i: definitions[i].higher_is_better)
    improved = (frame["direction"] == "up") == better_up
    return pd.Series(np.where(frame["credible"], np.where(improved, "improved", "worsened"), ""), index=frame.index)


def _test(frame: pd.DataFrame, level: float, definitions, shift: pd.Series | None = None) -> pd.DataFrame:
    """Test each row's change; ``shift`` (per row, on the square-root scale) is taken off the later year first."""
    parts = []
    for _, group in frame.groupby("indicator", sort=False):
        y1, s1 = sqrt_ratio_scale(group["numerator_previous"], group["expected_previous"])
        y2, s2 = sqrt_ratio_scale(group["numerator_current"], group["expected_current"])
        if shift is not None:
            y2 = y2 - shift.loc[group.index].to_numpy()
        tested = credible_change(y1, s1, y2, s2, level=level, index=group.index)
        parts.append(group.join(tested.drop(columns="direction")).assign(direction=tested["direction"],
                                                                         tau2=tested.attrs["tau2"]))
    out = pd.concat(parts)
    out["ratio_previous"] = out["numerator_previous"] / out["expected_previous"]
    out["ratio_current"] = out["numerator_current"] / out["expected_current"]
    out["verdict"] = _direction(out, definitions)
    return out


def area_change(table: pd.DataFrame, members: pd.DataFrame, periods: tuple[str, str],
                definitions: dict[str, AreaIndicator], *, level: float = 0.95) -> pd.DataFrame:
    """Each area's change in its case-mix-adjusted ratio between the years, tested with
    :func:`ccgtools.stats.change.credible_change` across all areas.

    Returns
    -------
    pandas.DataFrame
        indicator, icb_code, practices (open in both years), numerator/expected per year, ratio_previous,
        ratio_current, change (on the square-root scale), z_chance, z, beyond_chance, credible,
        verdict ("improved", "worsened" or "" when not credible), tau2.

    Notes
    -----
    Square-root scale for standardised ratios: yₜ = √(Oₜ/Eₜ), sₜ = 1/(2√Eₜ); dₐ = y₂ − y₁ compared
    with the random-effects mean change across areas, allowing for chance and the spread of changes
    (Spiegelhalter 2005, Stat Med 24:1185).
    """
    wide = _both_years(table, members, periods)
    sums = wide.groupby(["indicator", "icb_current"], sort=False).agg(
        practices=("practice_code", "size"), numerator_previous=("numerator_previous", "sum"),
        expected_previous=("expected_previous", "sum"), numerator_current=("numerator_current", "sum"),
        expected_current=("expected_current", "sum")).reset_index().rename(columns={"icb_current": "icb_code"})
    return _test(sums, level, definitions).reset_index(drop=True)


def practice_change(table: pd.DataFrame, members: pd.DataFrame, periods: tuple[str, str],
                    definitions: dict[str, AreaIndicator], *, level: float = 0.998,
                    areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each practice's change between the years against the rest of its area, tested across all practices in
    England open in both years.

    Parameters
    ----------
    areas : pandas.DataFrame, optional
        :func:`area_change` of the same data: each practice's change is then measured from its area's change
        (dᵢ − dₐ), so that a practice is flagged when it moved differently from its area, not because its
        whole area moved. Without it, changes are measured from England's.

    Returns
    -------
    pandas.DataFrame
        As :func:`area_change`, one row per indicator and practice, with practice_code and icb_code (later year),
        area_change (dₐ, 0 without ``areas``), denominator_ratio (later / earlier patients counted) and
        like_for_like (:func:`like_for_like`: False when that ratio is beyond 1.25 either way, and then not credible).
    """
    wide = _both_years(table, members, periods).rename(columns={"icb_current": "icb_code"})
    if areas is None:
        wide["area_change"] = 0.0
    else:
        wide = wide.merge(areas[["indicator", "icb_code", "change"]].rename(columns={"change": "area_change"}),
                          on=["indicator", "icb_code"], how="left")
    tested = _test(wide, level, definitions, shift=wide["area_change"]).reset_index(drop=True)
    return like_for_like(tested, definitions)


#: A practice whose patients counted (the indicator's denominator) changed by more than this factor between the
#: years (up or down) is not compared like for like: a merger, a split or very fast list growth.
LIKE_FOR_LIKE_FACTOR = 1.25


def like_for_like(tested: pd.DataFrame, definitions: dict[str, AreaIndicator],
                  factor: float = LIKE_FOR_LIKE_FACTOR) -> pd.DataFrame:
    """Mark practices whose denominator changed by more than ``factor`` between the years as not like for like
    (column ``like_for_like``); their change is not called credible (``credible`` False, no verdict)."""
    ratio = tested["denominator_current"] / tested["denominator_previous"]
    same = ratio.between(1 / factor, factor)
    out = tested.assign(like_for_like=same.to_numpy(), denominator_ratio=ratio.to_numpy())
    out["credible"] = out["credible"] & out["like_for_like"]
    out["verdict"] = _direction(out, definitions)
    return out


def england_change(table: pd.DataFrame, periods: tuple[str, str], *, level: float = 0.95) -> pd.DataFrame:
    """England's crude value in each year and whether the difference is beyond chance (two-proportion z-test).

    Returns
    -------
    pandas.DataFrame
        indicator, previous_percent, current_percent, difference_points, p_value, beyond_chance.

    References
    ----------
    Altman DG et al. (2000). Statistics with Confidence, 2nd ed., BMJ Books, chapter 6 (difference of two
    independent proportions).
    """
    sums = table.groupby(["indicator", "period"])[["numerator", "denominator"]].sum()
    rows = []
    for indicator in table["indicator"].unique():
        (x1, n1), (x2, n2) = (sums.loc[(indicator, p)].to_numpy() for p in periods)
        p1, p2 = x1 / n1, x2 / n2
        pooled = (x1 + x2) / (n1 + n2)
        z = (p2 - p1) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        p_value = float(2 * norm.sf(abs(z)))
        rows.append({"indicator": indicator, "previous_percent": 100 * p1, "current_percent": 100 * p2,
                     "difference_points": 100 * (p2 - p1), "p_value": p_value, "beyond_chance": p_value < 1 - level})
    return pd.DataFrame(rows)
