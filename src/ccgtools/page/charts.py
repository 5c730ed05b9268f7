"""Charts for briefings, each returned with a text alternative made from its data.

Every chart function returns a :class:`Chart`: the matplotlib figure, an alt
text that says what the chart shows (never a placeholder), and the table of
numbers behind it, so that :func:`ccgtools.page.show.show_chart` can publish all
three. Colours come from colour-blind-safe palettes and every bar is also
labelled with its value, so no meaning is carried by colour alone.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # briefings are rendered headless; JupyterLab still shows inline PNGs

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_LIGHT_BLUE = "#41B6E6"
NHS_DARK_GREY = "#425563"
#: ColorBrewer RdBu (5 classes), colour-blind safe, with a neutral grey centre.
LIKERT_COLOURS = ("#CA0020", "#F4A582", "#D9D9D9", "#92C5DE", "#0571B0")


@dataclass
class Chart:
    """A figure with its text alternative and the data it shows."""

    figure: plt.Figure
    alt_text: str
    data: pd.DataFrame
    name: str
    #: Crop to the drawn content when saving (needed when a legend sits outside the axes; costs a second draw).
    tight: bool = False


def _theme() -> None:
    sns.set_theme(style="whitegrid", font="DejaVu Sans", font_scale=0.95,
                  rc={"axes.edgecolor": NHS_DARK_GREY, "text.color": "#212B32",
                      "axes.labelcolor": "#212B32", "figure.dpi": 100})


def likert_diverging_bars(distribution: pd.DataFrame, *, title: str | None = None) -> Chart:
    """Diverging stacked bar chart of Likert items, centred on the neutral category.

    Parameters
    ----------
    distribution : pandas.DataFrame
        From :func:`ccgtools.survey.analysis.likert_distribution`: one row per question,
        the five category percentages in order (most negative first) and
        ``answered``.

    Notes
    -----
    Half of the neutral category is drawn on each side of zero (Robbins &
    Heiberger 2011, "Plotting Likert and other rating scales").
    """
    _theme()
    categories = [c for c in distribution.columns if c != "answered"]
    values = distribution[categories]
    negative = values.iloc[:, :2].sum(axis=1) + values.iloc[:, 2] / 2
    labels = [f"{q}\n(n = {n:,})" for q, n in zip(_wrap_all(distribution.index, 48), distribution["answered"])]
    fig, ax = plt.subplots(figsize=(9, 1.1 + 1.0 * len(values)))
    left = -negative.to_numpy()
    hatches = ("///", "..", "", "", "xx")  # the extremes are also patterned: meaning not by colour alone
    for colour, hatch, category in zip(LIKERT_COLOURS, hatches, categories):
        width = values[category].to_numpy()
        bars = ax.barh(labels, width, left=left, color=colour, edgecolor="white", hatch=hatch, label=category)
        for bar, share in zip(bars, width):
            if share >= 6:
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2,
                        f"{share:.0f}%", ha="center", va="center", fontsize=9, color="#212B32",
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.9})
        left = left + width
    ax.axvline(0, color=NHS_DARK_GREY, linewidth=1)
    ax.set_xlim(-100, 100)
    ax.set_xticks(range(-100, 101, 25), [f"{abs(t)}%" for t in range(-100, 101, 25)])
    ax.set_xlabel("Percentage of CCGs that answered (dissatisfied to the left, satisfied to the right)")
    ax.invert_yaxis()
    ax.legend(ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.28), frameon=False, fontsize=9)
    if title:
        ax.set_title(title, loc="left")
    fig.tight_layout()
    dissatisfied = values.iloc[:, :2].sum(axis=1)
    parts = [f"{q}: {d:.0f}% dissatisfied (fairly or very) of {n:,} who answered"
             for q, d, n in zip(distribution.index, dissatisfied, distribution["answered"])]
    alt = ("Diverging stacked bar chart of satisfaction, one bar per question, dissatisfied answers "
           "to the left of zero and satisfied to the right. " + "; ".join(parts) + ".")
    data = values.round(1).assign(answered=distribution["answered"]).rename_axis("question").reset_index()
    return Chart(fig, alt, data, "likert_satisfaction", tight=True)


def percentage_bars(summary: pd.DataFrame, *, label_column: str, title: str | None = None,
                    name: str = "percentages", xlabel: str = "Percentage of CCGs that answered") -> Chart:
    """Horizontal bars of percentages with their confidence intervals, largest first.

    Parameters
    ----------
    summary : pandas.DataFrame
        Columns ``label_column``, ``percent``, ``lower``, ``upper`` and ``answered``
        (as from :func:`ccgtools.survey.analysis.question_summary`); suppressed rows (NaN
        percent) are left out of the chart and named in the alt text.
    """
    _theme()
    shown = summary.dropna(subset=["percent"]).sort_values("percent", ascending=False)
    labels = [f"{t} (n = {n:,})" for t, n in zip(_wrap_all(shown[label_column], 45), shown["answered"])]
    fig, ax = plt.subplots(figsize=(9, 1.0 + 0.55 * max(len(shown), 1)))
    ax.barh(labels, shown["percent"], color=NHS_BLUE)
    ax.errorbar(shown["percent"], labels,
                xerr=[shown["percent"] - shown["lower"], shown["upper"] - shown["percent"]],
                fmt="none", ecolor=NHS_DARK_GREY, capsize=3, linewidth=1)
    for y, (p, hi) in enumerate(zip(shown["percent"], shown["upper"])):
        ax.text(hi + 1.5, y, f"{p:.0f}%", va="center", fontsize=9)
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel + " (bars: 95% confidence interval)")
    ax.invert_yaxis()
    if title:
        ax.set_title(title, loc="left")
    fig.tight_layout()
    parts = [f"{t}: {p:.0f}% ({lo:.0f}% to {hi:.0f}%)" for t, p, lo, hi in
             zip(shown[label_column], shown["percent"], shown["lower"], shown["upper"])]
    alt = "Bar chart, largest first, with confidence intervals. " + "; ".join(parts) + "."
    left_out = summary.loc[summary["percent"].isna(), label_column].tolist()
    if left_out:
        alt += f" Not shown (fewer answers than the disclosure threshold): {', '.join(map(str, left_out))}."
    data = shown[[label_column, "answered", "percent", "lower", "upper"]].round(1)
    return Chart(fig, alt, data, name)


def _wrap_all(texts, width: int) -> list[str]:
    return ["\n".join(textwrap.wrap(str(t), width)) for t in texts]


def funnel_chart(table: pd.DataFrame, limits: pd.DataFrame, *, target: float, title: str, xlabel: str,
                 ylabel: str, label_column: str, name: str, percent: bool = True,
                 higher_is_better: bool = True, levels: tuple[str, str] = ("95", "99_8")) -> Chart:
    """Funnel plot: each unit's value against its denominator, with adjusted 95% and 99.8% limits.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per unit: ``label_column``, denominator, value and position
        ("worse than expected", "better than expected", "within limits").
    limits : pandas.DataFrame
        denominator and ``lower_<level>``/``upper_<level>`` for each of ``levels`` along a grid.
    levels : (str, str)
        Column suffixes of the inner and outer limits (as :func:`ccgtools.stats.level_label`).

    Notes
    -----
    Units outside the 99.8% limits are drawn with a different marker and named,
    so the finding does not rest on colour.
    """
    _theme()
    scale = 100 if percent else 1
    fig, ax = plt.subplots(figsize=(9, 5.5))
    inner, outer = levels
    for column, style in ((inner, ":"), (outer, "--")):
        ax.plot(limits["denominator"], scale * limits[f"lower_{column}"], style, color=NHS_DARK_GREY, linewidth=1.2,
                label=f"{column.replace('_', '.')}% limits (adjusted for over-dispersion)")
        ax.plot(limits["denominator"], scale * limits[f"upper_{column}"], style, color=NHS_DARK_GREY, linewidth=1.2)
    ax.axhline(scale * target, color=NHS_DARK_BLUE, linewidth=1, label=f"Overall {scale * target:.1f}"
               + ("%" if percent else ""))
    markers = {"within limits": ("o", NHS_BLUE), "worse than expected": ("v", "#CA0020"),
               "better than expected": ("^", "#0571B0"), "above the limits": ("^", "#CA0020"),
               "below the limits": ("v", "#0571B0")}
    for position, (marker, colour) in markers.items():
        subset = table[table["position"] == position]
        if not subset.empty:
            ax.scatter(subset["denominator"], scale * subset["value"], marker=marker, s=46, color=colour,
                       edgecolor="white", linewidth=0.6, label=position.capitalize(), zorder=3)
    for row in table[table["position"] != "within limits"].itertuples():
        ax.annotate(str(getattr(row, label_column)), (row.denominator, scale * row.value), fontsize=8,
                    xytext=(4, 4), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    ax.legend(fontsize=8, loc="best", frameon=True)
    fig.tight_layout()
    outside = []
    for position in (p for p in markers if p != "within limits"):
        names = table.loc[table["position"] == position, label_column].astype(str).tolist()
        if names:
            shown = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
            outside.append(f"{len(names)} {position}: {shown}")
    words = [level.replace("_", ".") + "%" for level in levels]
    alt = (f"Funnel plot of {int(table['value'].notna().sum())} units: {ylabel.lower()} against {xlabel.lower()}, "
           f"with {words[0]} and {words[1]} limits adjusted for over-dispersion, centred on {scale * target:.1f}"
           f"{'%' if percent else ''}. " + ("; ".join(outside) if outside else f"All within the {words[1]} limits")
           + ".")
    bounds = [f"lower_{outer}", f"upper_{outer}"]
    data = table[[label_column, "denominator", "value", *bounds, "position"]].copy()
    data[["value", *bounds]] = (scale * data[["value", *bounds]]).round(2)
    return Chart(fig, alt, data, name)


def caterpillar_chart(ranks: pd.DataFrame, *, label_column: str, title: str, name: str,
                      bottom_fraction: float = 0.2) -> Chart:
    """Ranks with their 95% intervals (1 = best), ordered by median rank.

    Parameters
    ----------
    ranks : pandas.DataFrame
        ``label_column``, median_rank, rank_lower, rank_upper, prob_bottom.
    """
    _theme()
    shown = ranks.dropna(subset=["median_rank"]).sort_values("median_rank")
    units = len(shown)
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.2 * units))
    y = range(units)
    ax.hlines(list(y), shown["rank_lower"], shown["rank_upper"], color=NHS_LIGHT_BLUE, linewidth=3)
    ax.scatter(shown["median_rank"], list(y), color=NHS_DARK_BLUE, s=18, zorder=3, label="Median rank")
    cut = (1 - bottom_fraction) * units
    ax.axvspan(cut, units + 0.5, color="#F4A582", alpha=0.35, label=f"Bottom {bottom_fraction:.0%}")
    ax.set_yticks(list(y), [str(v) for v in shown[label_column]], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0.5, units + 0.5)
    ax.set_xlabel("Rank (1 = best) with 95% interval")
    ax.set_title(title, loc="left")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    wide = shown[(shown["rank_upper"] - shown["rank_lower"]) >= units / 4]
    likely = shown[shown["prob_bottom"] >= 0.8]
    alt = (f"Caterpillar chart of {units} ranks with 95% intervals. Best: {shown[label_column].iloc[0]} "
           f"(median rank {shown['median_rank'].iloc[0]:.0f}); worst: {shown[label_column].iloc[-1]}. "
           f"{len(likely)} have at least an 80% probability of the bottom {bottom_fraction:.0%}"
           + (f": {', '.join(map(str, likely[label_column]))}" if len(likely) else "")
           + f". {len(wide)} have a rank interval spanning a quarter or more of the table.")
    data = shown[[label_column, "median_rank", "rank_lower", "rank_upper", "prob_bottom"]].round(3)
    return Chart(fig, alt, data, name)


def observed_against_chance_chart(counts: pd.DataFrame, *, label_column: str, title: str, name: str,
                                  top: int = 15) -> Chart:
    """Times each unit was in the bottom fifth, beside the count expected by chance (with its 95th percentile)."""
    _theme()
    shown = counts.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.32 * len(shown)))
    y = range(len(shown))
    ax.barh(list(y), shown["times_bottom"], color=NHS_BLUE, label="Times in the bottom 20%")
    ax.errorbar(shown["chance_expected"], list(y),
                xerr=[np.zeros(len(shown)), shown["chance_upper"] - shown["chance_expected"]],
                fmt="D", color="#212B32", markersize=4, capsize=3, label="By chance alone: expected, to 95th percentile")
    for i, row in enumerate(shown.itertuples()):
        ax.text(row.times_bottom + 0.3, i, f"{row.times_bottom:.0f}", va="center", fontsize=8)
    ax.set_yticks(list(y), [str(v) for v in shown[label_column]], fontsize=8)
    ax.set_xlabel("Number of periods")
    ax.set_title(title, loc="left")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    beyond = counts.loc[counts["beyond_chance"], label_column].tolist()
    alt = (f"Bar chart of how many of {int(counts['periods'].max())} periods each of the {top} most often "
           f"bottom-ranked units spent in the bottom 20%, with the count expected by chance. "
           f"{len(beyond)} were there more often than chance explains"
           + (f": {', '.join(map(str, beyond))}" if beyond else "") + ".")
    return Chart(fig, alt, counts.round(2), name)


def spc_chart(series: pd.DataFrame, *, title: str, ylabel: str, name: str, percent: bool = True) -> Chart:
    """XmR chart: the series, its mean and process limits, special-cause points marked by shape.

    Parameters
    ----------
    series : pandas.DataFrame
        From :func:`ccgtools.stats.xmr` with a ``period`` column.
    """
    _theme()
    scale = 100 if percent else 1
    fig, ax = plt.subplots(figsize=(9, 4.2))
    ax.plot(series["period"], scale * series["value"], color=NHS_DARK_GREY, linewidth=1, marker="o", markersize=3)
    ax.plot(series["period"], scale * series["mean"], color=NHS_DARK_BLUE, linewidth=1, label="Mean")
    ax.plot(series["period"], scale * series["upper_limit"], "--", color=NHS_DARK_GREY, linewidth=1,
            label="Process limits")
    ax.plot(series["period"], scale * series["lower_limit"], "--", color=NHS_DARK_GREY, linewidth=1)
    styles = {"special cause improvement": ("^", "#0571B0"), "special cause concern": ("v", "#CA0020"),
              "special cause neutral": ("s", "#7B3294")}
    for variation, (marker, colour) in styles.items():
        subset = series[series["variation"] == variation]
        if not subset.empty:
            ax.scatter(subset["period"], scale * subset["value"], marker=marker, color=colour, s=36, zorder=3,
                       label=variation.capitalize())
    ax.set_ylabel(ylabel)
    ax.set_title(title + (" (provisional limits: fewer than 12 points)" if series["provisional"].any() else ""),
                 loc="left")
    ax.legend(fontsize=8, loc="best")
    fig.autofmt_xdate()
    fig.tight_layout()
    counts = series["variation"].value_counts()
    last = series.iloc[-1]
    alt = (f"XmR chart of {len(series)} periods from {series['period'].iloc[0]:%d %B %Y} to "
           f"{series['period'].iloc[-1]:%d %B %Y}: mean {scale * last['mean']:.1f}, process limits "
           f"{scale * last['lower_limit']:.1f} to {scale * last['upper_limit']:.1f}. "
           f"{counts.get('special cause improvement', 0)} points show special cause improvement and "
           f"{counts.get('special cause concern', 0)} special cause concern; the latest value is "
           f"{scale * last['value']:.1f} ({last['variation']}).")
    data = series[["period", "value", "mean", "lower_limit", "upper_limit", "rule", "variation"]].copy()
    data[["value", "mean", "lower_limit", "upper_limit"]] = (scale * data[["value", "mean", "lower_limit",
                                                                          "upper_limit"]]).round(2)
    data["period"] = data["period"].dt.strftime("%Y-%m-%d")
    return Chart(fig, alt, data, name)
