"""The area profile's own charts: the spine chart, the area among all areas by rank, and among its similar areas.

Drawn like :mod:`ccgtools.page.charts` (matplotlib's object API, no pyplot, inside its style), each
returned as a :class:`ccgtools.page.charts.Chart` with alt text, a one-sentence reading computed from
its data, and the table behind it, for :func:`ccgtools.page.show.show_chart`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..page.charts import (
    NHS_DARK_BLUE,
    NHS_DARK_GREY,
    NHS_LIGHT_BLUE,
    Chart,
    drawing,
    legend_below,
    list_names,
    new_figure,
    wrap,
)
from .spine import COMPARISONS

RANGE_COLOUR, MIDDLE_COLOUR = "#D8DDE0", "#AEB7BD"


def spine_positions(spine: pd.DataFrame) -> pd.DataFrame:
    """Where each indicator's marks sit on the spine: England at 0, better to the right, the furthest area at ±1.

    Notes
    -----
    As Fingertips' spine chart: each indicator is scaled on its own so that England is in the middle and
    the area furthest from England (either side) is at the end; indicators where lower is better are
    mirrored, so that right is always better.
    """
    sign = np.where(spine["higher_is_better"], 1.0, -1.0)
    centre = spine["england_percent"]
    reach = np.maximum((spine["highest_percent"] - centre).abs(), (spine["lowest_percent"] - centre).abs())
    reach = reach.where(reach > 0, 1.0)

    def place(column: str) -> pd.Series:
        return sign * (spine[column] - centre) / reach

    ends = np.sort(np.column_stack([place("lowest_percent"), place("highest_percent")]), axis=1)
    middle = np.sort(np.column_stack([place("q25_percent"), place("q75_percent")]), axis=1)
    interval = np.sort(np.column_stack([place("ci_lower_percent"), place("ci_upper_percent")]), axis=1)
    return pd.DataFrame({"value": place("value_percent"), "range_low": ends[:, 0], "range_high": ends[:, 1],
                         "middle_low": middle[:, 0], "middle_high": middle[:, 1], "ci_low": interval[:, 0],
                         "ci_high": interval[:, 1]}, index=spine.index)


def spine_chart(spine: pd.DataFrame, *, area_name: str, n_areas: int, period: str, name: str = "spine_chart") -> Chart:
    """Fingertips-style spine chart: the area on every indicator against England and the range across areas.

    Parameters
    ----------
    spine : pandas.DataFrame
        From :func:`ccgtools.areas.spine.spine_table`.

    Notes
    -----
    Each row: the range across all areas (light bar), the middle half of areas (darker bar), England
    (the vertical line) and the area's value with its 95% interval, its marker's colour and shape
    from its comparison with England (:data:`ccgtools.areas.spine.COMPARISONS`, the funnel test of
    :func:`ccgtools.stats.funnel.funnel_significance`).
    """
    at = spine_positions(spine)
    rows = len(spine)
    y = np.arange(rows)
    with drawing():
        figure, ax = new_figure(2.0 + 0.8 * rows)
        ax.barh(y, at["range_high"] - at["range_low"], left=at["range_low"], height=0.5, color=RANGE_COLOUR,
                label=f"Range across the {n_areas} areas")
        ax.barh(y, at["middle_high"] - at["middle_low"], left=at["middle_low"], height=0.5, color=MIDDLE_COLOUR,
                label="Middle half of areas")
        ax.axvline(0, color=NHS_DARK_BLUE, linewidth=1.6, label="England")
        ax.hlines(y, at["ci_low"], at["ci_high"], color="#212B32", linewidth=2, zorder=2,
                  label="This ICB: 95% interval (black line)")
        for key, (words, colour, marker) in COMPARISONS.items():
            chosen = (spine["comparison"] == key).to_numpy()
            if chosen.any():
                ax.scatter(at["value"][chosen], y[chosen], marker=marker, s=90, color=colour, edgecolor="white",
                           linewidth=0.8, zorder=3, label=f"This ICB: {words[:1].lower()}{words[1:]}")
        ax.set_yticks(y, [f"{wrap(label, 18)}\n{value:.1f}% (Eng. {england:.1f}%)" for label, value, england in
                          zip(spine["label"], spine["value_percent"], spine["england_percent"])])
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="y", visible=False)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_xlim(-1.12, 1.12)
        ax.set_xticks([-1, 0, 1], ["Worse", "England", "Better"])
        for tick, align in zip(ax.get_xticklabels(), ("left", "center", "right")):
            tick.set_horizontalalignment(align)  # the end words stay inside the chart on a phone
        legend_below(ax)
    counts = spine["comparison"].value_counts()
    parts = [f"{COMPARISONS[k][0][:1].lower()}{COMPARISONS[k][0][1:]} on {counts[k]} "
             f"({list_names(spine.loc[spine['comparison'] == k, 'label'].str.lower())})"
             for k in ("better", "similar", "worse") if counts.get(k, 0)]
    if rows == 1:
        summary = (f"In {period}, {area_name} was {COMPARISONS[spine['comparison'].iloc[0]][0][:1].lower()}"
                   f"{COMPARISONS[spine['comparison'].iloc[0]][0][1:]} on {spine['label'].iloc[0].lower()}, compared "
                   "allowing for chance (Fingertips' 95% test).")
    else:
        summary = (f"In {period}, {area_name} was " + "; ".join(parts)
                   + f" of {rows} indicators, compared with England allowing for chance (Fingertips' 95% test).")
    alt = ("Spine chart of " + f"{rows} indicators for {area_name} in {period}: for each, the range across {n_areas} "
           "areas, the middle half, England's value and the area's value coloured and shaped by its comparison "
           "with England. " + "; ".join(f"{r.label}: {r.value_percent:.1f}% against England {r.england_percent:.1f}%, "
                                         f"{COMPARISONS[r.comparison][0]}" for r in spine.itertuples()) + ".")
    data = spine[["label", "value_percent", "ci_lower_percent", "ci_upper_percent", "england_percent", "lowest_percent",
                  "highest_percent"]].round(2).rename(columns={"label": "indicator", "lowest_percent": "lowest_area_percent",
                                                     "highest_percent": "highest_area_percent"})
    data["compared_with_england"] = [COMPARISONS[c][0] for c in spine["comparison"]]
    return Chart(figure, alt, data, name, title=f"{area_name} against England, {period}", summary=summary)


def inner_ticks(ax, low: float, high: float, bins: int = 5) -> None:
    """Set the x range to [low, high] with a margin, and keep only ticks at least a quarter step inside it, so that
    no tick label reaches the chart's edge (whatever width the chart is finally laid out at)."""
    from matplotlib.ticker import MaxNLocator

    span = max(high - low, 1e-9)
    lo, hi = low - 0.06 * span, high + 0.06 * span
    ticks = MaxNLocator(bins).tick_values(lo, hi)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else span
    ax.set_xlim(lo, hi)
    ax.set_xticks([t for t in ticks if lo + 0.25 * step <= t <= hi - 0.25 * step])


def _label_rows(ax, labels: list[str]) -> None:
    """One row per area from the top (row i at y = i), labelled ``labels``, without tick marks or row grid."""
    ax.set_yticks(range(len(labels)), labels)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    ax.set_ylim(len(labels) - 0.5, -0.5)


def icb_short(name: str) -> str:
    """An ICB's name as a chart label: "NHS Herefordshire and Worcestershire ICB" → "Herefordshire & Worcestershire"
    (wrapped by the chart, never cut)."""
    for long, short in (("NHS ", ""), (" Integrated Care Board", ""), (" ICB", ""), (" and ", " & ")):
        name = name.replace(long, short)
    return name.strip()


def rank_chart(ranks: pd.DataFrame, *, area: str, names: pd.Series, label: str, title: str,
               name: str = "rank_chart", units: str = "areas", cue: str = "1 = best") -> Chart:
    """Every area's rank (1 = best) with its 95% rank interval, the profiled area picked out and named.

    Parameters
    ----------
    ranks : pandas.DataFrame
        One indicator's rows of :func:`ccgtools.areas.ranks.area_ranks` (rank: the place of the observed ratio).
    names : pandas.Series
        Area code → name.
    cue : str
        The direction in words for the axis ("1 = best: fewer smokers than expected").

    Notes
    -----
    Goldstein & Spiegelhalter (1996), "League tables and their limitations", JRSS A 159:385. Ordered by rank
    (ties by code), the order of the table under it; only the profiled area is named on the chart.
    """
    from .ranks import rank_phrase

    shown = ranks.sort_values(["rank", "icb_code"], kind="stable").reset_index(drop=True)
    count = len(shown)
    own = shown["icb_code"] == area
    y = np.arange(count)
    with drawing():
        figure, ax = new_figure(1.9 + 0.16 * count)
        ax.hlines(y[~own], shown.loc[~own, "rank_lower"], shown.loc[~own, "rank_upper"], color=NHS_LIGHT_BLUE,
                  linewidth=3, label="Other areas: 95% rank interval")
        ax.scatter(shown.loc[~own, "rank"], y[~own], color=NHS_DARK_GREY, s=14, zorder=3)
        ax.hlines(y[own], shown.loc[own, "rank_lower"], shown.loc[own, "rank_upper"], color="#CA0020", linewidth=5,
                  label="This ICB: 95% rank interval")
        ax.scatter(shown.loc[own, "rank"], y[own], color="#CA0020", marker="D", s=40, zorder=4)
        _label_rows(ax, [wrap(icb_short(names[c]), 16) if c == area else "" for c in shown["icb_code"]])
        ax.set_xlim(0.5, count + 0.5)
        ax.set_xlabel(wrap(f"Rank after case mix ({cue})", 34))
        legend_below(ax)
    row = shown[own].iloc[0]
    summary = (f"{names[area]} is {rank_phrase(row['rank'], row['rank_lower'], row['rank_upper'], of=count)} "
               f"after case mix; the wider a bar, the less surely that {units[:-1] if units.endswith('s') else units} "
               "can be placed.")
    alt = (f"Rank chart of {count} {units} on {label} after case mix, each with its 95% rank interval, ordered by "
           f"rank. {names[area]} is highlighted: rank {row['rank']:.0f}, interval {row['rank_lower']:.0f} to "
           f"{row['rank_upper']:.0f}.")
    data = shown.assign(icb_name=shown["icb_code"].map(names),
                        observed_per_100_expected=(100 * shown["adjusted_ratio"]).round(1))[
        ["icb_code", "icb_name", "observed_per_100_expected", "rank", "rank_lower", "rank_upper"]].rename(
        columns={"rank": "icb_rank", "rank_lower": "icb_rank_lower", "rank_upper": "icb_rank_upper"})
    return Chart(figure, alt, data, name, title=title, summary=summary)


def peers_chart(peers: pd.DataFrame, *, area: str, label: str, title: str, xlabel: str,
                name: str = "similar_areas_chart") -> Chart:
    """The area and its most similar areas: crude value (%) with its 95% interval, England's value as a line.

    Parameters
    ----------
    peers : pandas.DataFrame
        One indicator's rows for the area and its similar areas (:func:`ccgtools.areas.content.peer_table`):
        icb_code, icb_name, value_percent, interval_lower_percent, interval_upper_percent, england_percent, rank,
        rank_lower, rank_upper (among them, 1 = best), higher_is_better.
    """
    from .ranks import rank_phrase

    shown = peers.sort_values(["rank", "icb_code"], kind="stable").reset_index(drop=True)
    own = (shown["icb_code"] == area).to_numpy()
    y = np.arange(len(shown))
    england = float(shown["england_percent"].iloc[0])
    with drawing():
        figure, ax = new_figure(2.1 + 0.5 * len(shown))
        ax.axvline(england, color=NHS_DARK_BLUE, linewidth=1.2, label=f"England ({england:.1f}%)")
        ax.hlines(y, shown["interval_lower_percent"], shown["interval_upper_percent"], color=NHS_LIGHT_BLUE,
                  linewidth=3, label="95% interval")
        ax.scatter(shown.loc[~own, "value_percent"], y[~own], color=NHS_DARK_GREY, s=22, zorder=3,
                   label="Similar ICB")
        ax.scatter(shown.loc[own, "value_percent"], y[own], color="#CA0020", marker="D", s=46, zorder=4,
                   label="This ICB")
        _label_rows(ax, [wrap(icb_short(n), 20) for n in shown["icb_name"]])
        ax.set_xlabel(wrap(xlabel, 30))
        inner_ticks(ax, min(shown["interval_lower_percent"].min(), england),
                    max(shown["interval_upper_percent"].max(), england))
        legend_below(ax)
    row = shown[own].iloc[0]
    summary = (f"Among itself and its {len(shown) - 1} most similar ICBs, {row['icb_name']} is "
               f"{rank_phrase(row['rank'], row['rank_lower'], row['rank_upper'], of=len(shown))} on the value "
               "before case mix (their populations are alike), best at the top.")
    alt = (f"Dot chart of {len(shown)} areas on {label}, value in per cent with 95% intervals, best first, England "
           f"{england:.1f}%: " + "; ".join(f"{r.icb_name} {r.value_percent:.1f}%" for r in shown.itertuples()) + ".")
    data = shown[["icb_code", "icb_name", "value_percent", "interval_lower_percent", "interval_upper_percent", "rank",
                  "rank_lower", "rank_upper"]].round(
        {"value_percent": 1, "interval_lower_percent": 1, "interval_upper_percent": 1}).rename(columns={
            "interval_lower_percent": "ci_lower_percent", "interval_upper_percent": "ci_upper_percent",
            "rank": "rank_among_similar", "rank_lower": "rank_among_similar_lower",
            "rank_upper": "rank_among_similar_upper"})
    return Chart(figure, alt, data, name, title=title, summary=summary)
