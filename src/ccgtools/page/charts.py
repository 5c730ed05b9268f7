"""Charts for briefings, drawn for a phone first, each with a text alternative and a one-sentence reading.

Every chart function returns a :class:`Chart`: the matplotlib figure, an alt text that says what the
chart shows (never a placeholder), one sentence computed from its data for under the chart, its
title (published as HTML, so it wraps and is never cut), and the table of numbers behind it.
:func:`ccgtools.page.show.show_chart` publishes them as an inline SVG whose text stays text.

Legibility. Figures are :data:`FIGURE_WIDTH_IN` inches wide (480 CSS px when shown at natural
size) with every text at least :data:`FONT_PT` points; on a 375-px phone the chart is shown
343 px wide, so text is at least 12 × 4/3 × 343 / 480 ≈ 11.4 CSS px. Legends sit below the plot,
never over data. Only the units the text names are labelled (at most :data:`MAX_LABELS`), moved
clear of each other and of every marker, with leader lines (:func:`place_labels`);
:func:`ccgtools.page.chart_check.layout_problems` checks the result.

Nothing here changes matplotlib's global state: figures are built with
:class:`matplotlib.figure.Figure` (no pyplot, no backend) inside :func:`chart_style`, a local
``rc_context``. Colours come from colour-blind-safe palettes and meaning never rests on colour alone.
"""

from __future__ import annotations

import io
import re
import textwrap
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_LIGHT_BLUE = "#41B6E6"
NHS_DARK_GREY = "#425563"
TEXT_COLOUR = "#212B32"
#: ColorBrewer RdBu (5 classes), colour-blind safe, with a neutral grey centre.
LIKERT_COLOURS = ("#CA0020", "#F4A582", "#D9D9D9", "#92C5DE", "#0571B0")

#: Width of every chart, in inches (480 CSS px at natural size).
FIGURE_WIDTH_IN = 5.0
#: Smallest text in any chart, in points.
FONT_PT = 12
#: At most this many units are named on a chart; the rest are in the table under it.
MAX_LABELS = 15
#: Longest unit name written on an axis; longer names are shortened with "…" (the table has them whole).
MAX_NAME_CHARS = 24
#: Point clouds with more markers than this are drawn as an image inside the SVG.
RASTERISE_ABOVE = 150
#: Group id of the "synthetic data" watermark, which lies across the chart on purpose.
WATERMARK_GID = "ccg-watermark"


@dataclass
class Chart:
    """A figure with its text alternative, its title and reading, and the data it shows."""

    figure: Figure
    alt_text: str
    data: pd.DataFrame
    name: str
    title: str = ""
    #: One sentence, computed from the data, saying what the chart shows (printed under it).
    summary: str = ""


def chart_style(salt: str = "ccgtools") -> dict:
    """The rc settings every chart is drawn and saved with (seaborn's whitegrid, NHS colours, 12-pt text).

    ``salt`` seeds the SVG element ids, so two charts inlined in one page never share an id and the
    same chart always gets the same ids (byte-identical pages).
    """
    return {**sns.axes_style("whitegrid"),
            "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans", "Arial", "Liberation Sans"],
            "font.size": FONT_PT, "axes.titlesize": FONT_PT, "axes.labelsize": FONT_PT,
            "xtick.labelsize": FONT_PT, "ytick.labelsize": FONT_PT, "legend.fontsize": FONT_PT,
            "legend.title_fontsize": FONT_PT, "figure.titlesize": FONT_PT,
            "axes.edgecolor": NHS_DARK_GREY, "text.color": TEXT_COLOUR, "axes.labelcolor": TEXT_COLOUR,
            "xtick.color": TEXT_COLOUR, "ytick.color": TEXT_COLOUR,
            "figure.dpi": 96, "savefig.dpi": 192, "svg.fonttype": "none", "svg.hashsalt": salt}


@contextmanager
def drawing(salt: str = "ccgtools"):
    """Draw inside the chart style without touching the session's matplotlib settings."""
    with mpl.rc_context(chart_style(salt)):
        yield


def new_figure(height_in: float) -> tuple[Figure, object]:
    """A phone-width figure with one axes, laid out by matplotlib's constrained layout (nothing cut)."""
    with drawing():
        figure = Figure(figsize=(FIGURE_WIDTH_IN, height_in), layout="constrained")
        FigureCanvasAgg(figure)  # a canvas to measure text with; no pyplot, no backend switch
        ax = figure.add_subplot()
        ax.tick_params(which="both", labelsize=FONT_PT)
    return figure, ax


def legend_below(ax, *, columns: int = 1) -> None:
    """Put the legend under the plot, outside it, where it can cover no data (constrained layout makes room)."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.figure.legend(handles, labels, loc="outside lower left", ncol=columns, frameon=False,
                         handlelength=1.6)


def short_name(name, limit: int = MAX_NAME_CHARS) -> str:
    """A unit's name, shortened with "…" when longer than ``limit`` characters."""
    text = str(name)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def wrap(text, width: int) -> str:
    """Wrap ``text`` onto lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def list_names(names, limit: int = 8) -> str:
    """"A, B and C", or "A, B, … and 4 more" beyond ``limit`` names."""
    names = [str(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    if len(names) > limit:
        return f"{', '.join(names[:limit])} and {len(names) - limit} more"
    return f"{', '.join(names[:-1])} and {names[-1]}"


def to_svg(chart: Chart, *, label: str) -> str:
    """The chart as an inline SVG element: text kept as text, ``role="img"`` and ``label`` as its name.

    The XML prologue and the fixed width and height are removed so that the page's CSS sizes it.
    """
    buffer = io.StringIO()
    with drawing(salt=chart.name), _layout_once(chart.figure):
        chart.figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "ccgtools"})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)  # RDF about the file, not the chart
    svg = _prefix_ids(svg, re.sub(r"[^A-Za-z0-9_-]", "-", chart.name))
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
                 lambda m: f'<svg{m.group(1)} class="ccg-chart" role="img" aria-label="{_attribute(label)}"',
                 svg, count=1)
    return svg


@contextmanager
def _layout_once(figure: Figure):
    """Lay the figure out once for one save: matplotlib's ``savefig`` draws a constrained-layout figure
    twice (a layout pass, then the drawing), each running the layout solver, which is most of the cost
    of a chart; the second solve finds the positions of the first, so it is skipped."""
    engine = figure.get_layout_engine()
    if engine is None:
        yield
        return
    solve = engine.execute
    own = vars(engine).get("execute")  # already wrapped on this engine (restored after)
    solved = []

    def execute_once(fig):
        if not solved:
            solved.append(True)
            return solve(fig)
        return None

    engine.execute = execute_once
    try:
        yield
    finally:
        if own is None:
            del engine.execute
        else:
            engine.execute = own


def _prefix_ids(svg: str, prefix: str) -> str:
    """Give every element id in ``svg`` (and every reference to it) the chart's name as a prefix, so that
    several charts inlined in one page never share an id ("figure_1", "axes_1" … are matplotlib's own)."""
    ids = set(re.findall(r' id="([^"]+)"', svg))
    if not ids:
        return svg

    def rename(match: re.Match) -> str:
        before, name, after = match.groups()
        return f"{before}{prefix}-{name}{after}" if name in ids else match.group(0)

    svg = re.sub(r'( id=")([^"]+)(")', rename, svg)
    return re.sub(r'((?:url\(|href=")#)([^)"]+)([)"])', rename, svg)


def _attribute(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))


def _rows_figure(labels: list[str], *, bar_in: float, footer_in: float) -> tuple[Figure, list]:
    """A figure with one short axes per row, each titled with its (wrapped) label, sharing the x axis."""
    lines = [label.count("\n") + 1 for label in labels]
    heights = [bar_in + 0.22 * n + 0.1 for n in lines]
    figure = Figure(figsize=(FIGURE_WIDTH_IN, sum(heights) + footer_in), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(labels), 1, sharex=True, squeeze=False,
                           gridspec_kw={"height_ratios": [1] * len(labels)})[:, 0]
    for ax, label in zip(axes, labels):
        ax.set_title(label, loc="left", fontsize=FONT_PT)
        ax.set_yticks([])
        ax.set_ylim(-0.5, 0.5)
        ax.grid(axis="y", visible=False)
    for ax in axes[:-1]:
        ax.tick_params(axis="x", labelbottom=False)
    return figure, list(axes)


def percentage_bars(summary: pd.DataFrame, *, label_column: str, title: str | None = None,
                    name: str = "percentages", xlabel: str = "Percentage of CCGs that answered") -> Chart:
    """Horizontal bars of percentages with their 95% confidence intervals, largest first.

    Parameters
    ----------
    summary : pandas.DataFrame
        Columns ``label_column``, ``percent``, ``lower``, ``upper`` and ``answered``
        (as from :func:`ccgtools.survey.analysis.question_summary`); suppressed rows (NaN
        percent) are left out of the chart and named in the alt text.
    """
    shown = summary.dropna(subset=["percent"]).sort_values("percent", ascending=False)
    labels = [wrap(f"{t} (n = {n:,})", 44) for t, n in zip(shown[label_column], shown["answered"])]
    with drawing():
        figure, axes = _rows_figure(labels or ["(none)"], bar_in=0.3, footer_in=1.0)
        for ax, (p, lo, hi) in zip(axes, shown[["percent", "lower", "upper"]].to_numpy()):
            ax.barh([0], [p], color=NHS_BLUE, height=0.6)
            ax.errorbar([p], [0], xerr=[[p - lo], [hi - p]], fmt="none", ecolor=NHS_DARK_GREY, capsize=4,
                        linewidth=1.2)
            ax.annotate(f"{p:.0f}%", (hi, 0), xytext=(7, 0), textcoords="offset points", va="center")
        axes[-1].set_xlim(0, 118)
        axes[-1].set_xticks(range(0, 101, 25), [f"{t}%" for t in range(0, 101, 25)])
        axes[-1].set_xlabel(wrap(xlabel + "; lines show the 95% confidence interval", 46))
    parts = [f"{t}: {p:.0f}% ({lo:.0f}% to {hi:.0f}%)" for t, p, lo, hi in
             zip(shown[label_column], shown["percent"], shown["lower"], shown["upper"])]
    alt = "Bar chart, largest first, with confidence intervals. " + "; ".join(parts) + "."
    left_out = summary.loc[summary["percent"].isna(), label_column].tolist()
    if left_out:
        alt += f" Not shown (fewer answers than the disclosure threshold): {', '.join(map(str, left_out))}."
    sentence = "No group had enough answers to show." if shown.empty else _bars_sentence(shown, label_column)
    data = shown[[label_column, "answered", "percent", "lower", "upper"]].round(1)
    return Chart(figure, alt, data, name, title=title or "", summary=sentence)


def _bars_sentence(shown: pd.DataFrame, label_column: str) -> str:
    """What a bar chart of percentages shows: the leader only when its interval clears the next one's."""
    top = shown.iloc[0]
    share = f"“{top[label_column]}” at {top['percent']:.0f}% (95% interval {top['lower']:.0f}% to {top['upper']:.0f}%)"
    if len(shown) == 1:
        return f"Only {share} had enough answers to show."
    runner = shown.iloc[1]
    if top["lower"] > runner["upper"]:
        return f"The largest share, {share}, stands clear of the rest: its interval does not overlap the next one's."
    tied = shown[shown["upper"] >= top["lower"]]
    others = len(tied) - 1
    which = (f"all {others} others" if len(tied) == len(shown) else f"the next {others}") if others > 1 else "the next"
    return (f"The largest share, {share}, is not clearly ahead: its interval overlaps those of {which} "
            f"(from {tied['percent'].min():.0f}% to {tied['percent'].max():.0f}%), so the order among them may be "
            "chance.")


def _scatter_kwargs(count: int) -> dict:
    """Dense point clouds become an image inside the SVG; sparse ones stay vector."""
    return {"rasterized": count > RASTERISE_ABOVE}


def marker_extents(ax) -> np.ndarray:
    """Pixel extents (x0, y0, x1, y1) of every scatter marker and line marker drawn in ``ax``."""
    points_to_px = ax.figure.dpi / 72
    parts = [np.empty((0, 4))]
    for collection in ax.collections:
        if isinstance(collection, PathCollection) and len(collection.get_offsets()):
            xy = collection.get_offset_transform().transform(np.asarray(collection.get_offsets(), dtype=float))
            half = np.sqrt(np.resize(collection.get_sizes(), len(xy))) / 2 * points_to_px
            parts.append(np.column_stack([xy[:, 0] - half, xy[:, 1] - half, xy[:, 0] + half, xy[:, 1] + half]))
    for line in ax.lines:
        if line.get_visible() and line.get_marker() not in (None, "None", "", " "):
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
            half = line.get_markersize() / 2 * points_to_px
            parts.append(np.column_stack([xy[:, 0] - half, xy[:, 1] - half, xy[:, 0] + half, xy[:, 1] + half]))
    boxes = np.vstack(parts)
    return boxes[np.isfinite(boxes).all(axis=1)]


def overlaps_any(box, boxes: np.ndarray, tolerance: float = 1.0) -> bool:
    """Whether pixel box (x0, y0, x1, y1) overlaps any row of ``boxes`` by more than ``tolerance`` both ways."""
    if not len(boxes):
        return False
    width = np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0])
    height = np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1])
    return bool(((width > tolerance) & (height > tolerance)).any())


#: Where a label may go, nearest first: distance from its marker (pixels) and direction (degrees).
_LABEL_RADII = (6, 14, 26, 42, 62, 88, 120)
_LABEL_ANGLES = (0, 180, 45, 315, 135, 225, 90, 270)


def place_labels(ax, points: pd.DataFrame) -> int:
    """Name the units in ``points`` (columns x, y, label, in data coordinates) beside their markers.

    Each label takes the nearest of a ring of candidate positions around its marker (growing
    radii, eight directions) that stays inside the plot and overlaps no marker and no label
    already placed: greedy point-feature label placement (Christensen, Marks & Shieber 1995,
    "An empirical study of algorithms for point-feature label placement", ACM TOG 14:203). A label
    placed away from its marker gets a leader line. A unit with no free position is not named
    (it is in the table under the chart).

    Returns
    -------
    int
        How many labels were placed.
    """
    figure = ax.figure
    figure.draw_without_rendering()  # settle the layout first: positions are computed in pixels
    renderer = figure.canvas.get_renderer()
    markers = marker_extents(ax)
    inside = ax.bbox
    placed: list[np.ndarray] = []
    to_data = ax.transData.inverted()
    for row in points.itertuples():
        anchor = ax.transData.transform((row.x, row.y))
        probe = ax.text(0, 0, row.label, fontsize=FONT_PT, transform=None)
        extent = probe.get_window_extent(renderer)
        probe.remove()
        width, height = extent.width, extent.height
        spot = _free_spot(anchor, width, height, markers, np.array(placed).reshape(-1, 4), inside)
        if spot is None:
            continue
        box, radius = spot
        placed.append(box)
        x, y = to_data.transform(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2))
        ax.text(x, y, row.label, fontsize=FONT_PT, ha="center", va="center", zorder=5)
        if radius > 10:
            edge = (np.clip(anchor[0], box[0], box[2]), np.clip(anchor[1], box[1], box[3]))
            line = to_data.transform([anchor, edge])
            ax.plot(line[:, 0], line[:, 1], color=NHS_DARK_GREY, linewidth=0.8, zorder=4, scalex=False, scaley=False)
    return len(placed)


def _free_spot(anchor, width: float, height: float, markers: np.ndarray, placed: np.ndarray, inside):
    """The nearest candidate box for a label of ``width`` × ``height`` pixels, and its distance; or None."""
    for radius in _LABEL_RADII:
        for angle in _LABEL_ANGLES:
            dx, dy = np.cos(np.radians(angle)), np.sin(np.radians(angle))
            cx = anchor[0] + dx * (radius + width / 2)
            cy = anchor[1] + dy * (radius + height / 2)
            box = np.array([cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2])
            if (box[0] < inside.x0 + 2 or box[2] > inside.x1 - 2 or box[1] < inside.y0 + 2
                    or box[3] > inside.y1 - 2):
                continue
            # 2 px clear of every marker: the layout solved when the SVG is saved may shift things by a pixel.
            if not overlaps_any(box, markers, tolerance=-2.0) and not overlaps_any(box, placed, tolerance=-2.0):
                return box, radius
    return None


def funnel_chart(table: pd.DataFrame, limits: pd.DataFrame, *, target: float, title: str, xlabel: str,
                 ylabel: str, label_column: str, name: str, percent: bool = True,
                 higher_is_better: bool = True, levels: tuple[str, str] = ("95", "99_8"),
                 units: str = "units") -> Chart:
    """Funnel plot: each unit's value against its denominator, with adjusted 95% and 99.8% limits.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per unit: ``label_column``, denominator, value and position
        ("worse than expected", "better than expected", "within limits", or "above/below the limits").
    limits : pandas.DataFrame
        denominator and ``lower_<level>``/``upper_<level>`` for each of ``levels`` along a grid.
    levels : (str, str)
        Column suffixes of the inner and outer limits (as :func:`ccgtools.stats.level_label`).
    units : str
        What the points are, in the plural ("contracts", "practices"), for the sentence under the chart.

    Notes
    -----
    Spiegelhalter (2005), "Funnel plots for comparing institutional performance", Stat Med 24:1185.
    Units outside the outer limits are drawn with their own marker (the finding does not rest on
    colour); the :data:`MAX_LABELS` furthest outside are named, the rest are in the table.
    """
    scale = 100 if percent else 1
    levels = tuple(dict.fromkeys(levels))  # one pair of lines when the flag level is itself 95%
    outer = levels[-1]
    words = [level.replace("_", ".") + "%" for level in levels]
    markers = {"within limits": ("o", NHS_BLUE), "worse than expected": ("v", "#CA0020"),
               "better than expected": ("^", "#0571B0"), "above the limits": ("^", "#CA0020"),
               "below the limits": ("v", "#0571B0")}
    drawn = table.dropna(subset=["value", "denominator"])
    with drawing():
        figure, ax = new_figure(5.6)
        for column, style, word in zip(levels, (":", "--")[-len(levels):], words):
            ax.plot(limits["denominator"], scale * limits[f"lower_{column}"], style, color=NHS_DARK_GREY,
                    linewidth=1.2, label=f"{word} limits")
            ax.plot(limits["denominator"], scale * limits[f"upper_{column}"], style, color=NHS_DARK_GREY,
                    linewidth=1.2)
        ax.axhline(scale * target, color=NHS_DARK_BLUE, linewidth=1,
                   label=f"Overall: {scale * target:.1f}" + ("%" if percent else ""))
        for position, (marker, colour) in markers.items():
            subset = drawn[drawn["position"] == position]
            if not subset.empty:
                ax.scatter(subset["denominator"], scale * subset["value"], marker=marker, s=40, color=colour,
                           edgecolor="white", linewidth=0.5, label=position.capitalize(), zorder=3,
                           **_scatter_kwargs(len(drawn)))
        ax.set_xscale("log")
        ax.set_xlabel(wrap(xlabel, 44))
        ax.set_ylabel(wrap(ylabel, 36))
        legend_below(ax)
        named = _furthest_outside(drawn, limits, outer, scale).head(MAX_LABELS)
        labelled = place_labels(ax, pd.DataFrame({"x": named["denominator"], "y": scale * named["value"],
                                                  "label": [wrap(short_name(n, 30), 16) for n in named[label_column]]}))
    outside = drawn[drawn["position"] != "within limits"]
    parts, brief = [], []
    for position in (p for p in markers if p != "within limits"):
        names = drawn.loc[drawn["position"] == position, label_column].astype(str).tolist()
        if names:
            parts.append(f"{len(names)} {position}: {list_names(names, 20)}")
            brief.append(f"{len(names)} {position}" + (f" ({list_names(names, 5)})" if len(names) <= 5 else ""))
    alt = (f"Funnel plot of {len(drawn)} {units}: {ylabel.lower()} against {xlabel.lower()}, with "
           f"{' and '.join(words)} limits adjusted for over-dispersion, centred on {scale * target:.1f}"
           f"{'%' if percent else ''}. " + ("; ".join(parts) if parts else f"All within the {words[-1]} limits")
           + ".")
    summary = (f"All {len(drawn):,} {units} lie within the {words[-1]} limits." if outside.empty else
               f"{len(outside):,} of {len(drawn):,} {units} {'lies' if len(outside) == 1 else 'lie'} outside the "
               f"{words[-1]} limits"
               + (f" ({labelled} named on the chart, all in the table below it)" if labelled < len(outside) else "")
               + ": " + " and ".join(brief) + ".")
    bounds = [f"lower_{outer}", f"upper_{outer}"]
    data = table[[label_column, "denominator", "value", *bounds, "position"]].copy()
    data[["value", *bounds]] = (scale * data[["value", *bounds]]).round(2)
    return Chart(figure, alt, data, name, title=title, summary=summary)


def _furthest_outside(drawn: pd.DataFrame, limits: pd.DataFrame, outer: str, scale: float) -> pd.DataFrame:
    """Units outside the limits, furthest first (distance beyond the limit, in limit widths)."""
    outside = drawn[drawn["position"] != "within limits"]
    if outside.empty:
        return outside
    grid = limits["denominator"].to_numpy()
    lower = np.interp(outside["denominator"], grid, limits[f"lower_{outer}"])
    upper = np.interp(outside["denominator"], grid, limits[f"upper_{outer}"])
    value = outside["value"].to_numpy()
    beyond = np.maximum(lower - value, value - upper) / np.maximum(upper - lower, 1e-12)
    return outside.assign(_beyond=beyond).sort_values("_beyond", ascending=False, kind="stable")


def caterpillar_chart(ranks: pd.DataFrame, *, label_column: str, title: str, name: str,
                      bottom_fraction: float = 0.2, probability: float = 0.8, units: str = "contracts") -> Chart:
    """Ranks with their 95% intervals (1 = best), ordered by median rank.

    Parameters
    ----------
    ranks : pandas.DataFrame
        ``label_column``, median_rank, rank_lower, rank_upper, prob_bottom.
    probability : float
        Units at least this likely to be in the bottom fifth are named (at most :data:`MAX_LABELS`).

    Notes
    -----
    The shaded band is the bottom ⌈n × ``bottom_fraction``⌉ ranks, the definition used everywhere
    (:func:`ccgtools.stats.ranking.bottom_count`). Goldstein & Spiegelhalter (1996), "League tables
    and their limitations", JRSS A 159:385.
    """
    from ..stats.ranking import bottom_count

    shown = ranks.dropna(subset=["median_rank"]).sort_values("median_rank", kind="stable")
    count = len(shown)
    bottom = int(bottom_count(count, bottom_fraction))
    likely = shown[shown["prob_bottom"] >= probability].sort_values("prob_bottom", ascending=False, kind="stable")
    named = set(likely[label_column].head(MAX_LABELS))
    y = np.arange(count)
    with drawing():
        figure, ax = new_figure(1.9 + 0.24 * count)
        ax.axvspan(count - bottom + 0.5, count + 0.5, color="#F4A582", alpha=0.4,
                   label=f"Bottom fifth (worst {bottom} ranks)")
        ax.hlines(y, shown["rank_lower"], shown["rank_upper"], color=NHS_LIGHT_BLUE, linewidth=3,
                  label="95% interval")
        ax.scatter(shown["median_rank"], y, color=NHS_DARK_BLUE, s=16, zorder=3, label="Median rank")
        ax.set_yticks(y, [short_name(v) if v in named else "" for v in shown[label_column]])
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="y", visible=False)
        ax.set_ylim(count - 0.5, -0.5)
        ax.set_xlim(0.5, count + 0.5)
        ax.set_xlabel("Rank (1 = best)")
        legend_below(ax)
    wide = shown[(shown["rank_upper"] - shown["rank_lower"]) >= count / 4]
    alt = (f"Caterpillar chart of {count} ranks with 95% intervals. Best: {shown[label_column].iloc[0]} "
           f"(median rank {shown['median_rank'].iloc[0]:.0f}); worst: {shown[label_column].iloc[-1]}. "
           f"{len(likely)} have at least a {probability:.0%} probability of the bottom fifth"
           + (f": {', '.join(map(str, likely[label_column]))}" if len(likely) else "")
           + f". {len(wide)} have a rank interval spanning a quarter or more of the table.")
    summary = (f"{len(likely)} of {count} {units} are at least {probability:.0%} likely to be in the bottom fifth"
               + (f" (named on the chart): {list_names(likely[label_column], MAX_LABELS)}" if len(likely) else "")
               + (f"; {len(wide)} have rank intervals spanning a quarter or more of the table, so their position "
                  "is uncertain." if len(wide) else "."))
    data = shown[[label_column, "median_rank", "rank_lower", "rank_upper", "prob_bottom"]].round(3)
    return Chart(figure, alt, data, name, title=title, summary=summary)


def observed_against_chance_chart(counts: pd.DataFrame, *, label_column: str, title: str, name: str,
                                  top: int = MAX_LABELS) -> Chart:
    """Times each unit was in the bottom fifth, beside the count expected by chance (with its 95th percentile)."""
    shown = counts.head(top).iloc[::-1]
    y = np.arange(len(shown))
    with drawing():
        figure, ax = new_figure(2.1 + 0.3 * len(shown))
        ax.barh(y, shown["times_bottom"], color=NHS_BLUE, height=0.6, label="Periods in the bottom fifth")
        ax.errorbar(shown["chance_expected"], y,
                    xerr=[np.zeros(len(shown)), shown["chance_upper"] - shown["chance_expected"]],
                    fmt="D", color=TEXT_COLOUR, markersize=4, capsize=3,
                    label=wrap("By chance alone: expected, to its 95th percentile", 40))
        ends = np.maximum(shown["times_bottom"].to_numpy(), shown["chance_upper"].to_numpy())
        for i, (times, end) in enumerate(zip(shown["times_bottom"], ends)):
            ax.annotate(f"{times:.0f}", (end, i), xytext=(7, 0), textcoords="offset points", va="center")
        ax.set_xlim(0, max(float(ends.max()) * 1.15 + 1.5, 1.0))
        ax.set_yticks(y, [short_name(v) for v in shown[label_column]])
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Number of periods")
        legend_below(ax)
    beyond = counts.loc[counts["beyond_chance"], label_column].tolist()
    periods = int(counts["periods"].max())
    alt = (f"Bar chart of how many of {periods} periods each of the {len(shown)} most often "
           f"bottom-ranked units spent in the bottom fifth, with the count expected by chance. "
           f"{len(beyond)} were there more often than chance explains"
           + (f": {', '.join(map(str, beyond))}" if beyond else "") + ".")
    summary = (f"{len(beyond)} of {len(counts)} were in the bottom fifth more often than chance alone would "
               f"put them there (out of {periods} periods)" + (f": {list_names(beyond, MAX_LABELS)}." if beyond else "."))
    return Chart(figure, alt, counts.round(2), name, title=title, summary=summary)


def _shift_sentence(series: pd.DataFrame, scale: float, unit: str) -> str:
    """When a third or more of the points are special causes, the level moved over the period: say so, so that
    a sustained change is not read as many separate events ("" otherwise)."""
    special = series["variation"].astype(str).str.startswith("special cause")
    if len(series) < 12 or special.mean() < 1 / 3:
        return ""
    quarter = max(len(series) // 4, 1)
    start, end = (scale * series["value"].iloc[:quarter].mean(), scale * series["value"].iloc[-quarter:].mean())
    return (f" Most points are outside limits fitted to the whole period because the level itself moved (from about "
            f"{start:.1f}{unit} in the first quarter of the periods to {end:.1f}{unit} in the last): read this as a "
            "sustained change, not as many separate events.")


def spc_chart(series: pd.DataFrame, *, title: str, ylabel: str, name: str, percent: bool = True) -> Chart:
    """XmR (statistical process control) chart: the series, its mean and process limits, special causes by shape.

    Parameters
    ----------
    series : pandas.DataFrame
        From :func:`ccgtools.stats.xmr` with a ``period`` column.

    Notes
    -----
    NHS England & Improvement (2019), "Making data count"; rules as :func:`ccgtools.stats.xmr`.
    """
    import matplotlib.dates as mdates

    scale = 100 if percent else 1
    provisional = bool(series["provisional"].any())
    with drawing():
        figure, ax = new_figure(4.4)
        ax.plot(series["period"], scale * series["value"], color=NHS_DARK_GREY, linewidth=1, marker="o",
                markersize=3, label="Value")
        ax.plot(series["period"], scale * series["mean"], color=NHS_DARK_BLUE, linewidth=1, label="Mean")
        ax.plot(series["period"], scale * series["upper_limit"], "--", color=NHS_DARK_GREY, linewidth=1,
                label="Process limits" + (" (provisional: fewer than 12 points)" if provisional else ""))
        ax.plot(series["period"], scale * series["lower_limit"], "--", color=NHS_DARK_GREY, linewidth=1)
        styles = {"special cause improvement": ("^", "#0571B0"), "special cause concern": ("v", "#CA0020"),
                  "special cause neutral": ("s", "#7B3294")}
        for variation, (marker, colour) in styles.items():
            subset = series[series["variation"] == variation]
            if not subset.empty:
                ax.scatter(subset["period"], scale * subset["value"], marker=marker, color=colour, s=36, zorder=3,
                           label=variation.capitalize())
        locator = mdates.AutoDateLocator(maxticks=4)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_ylabel(ylabel)
        legend_below(ax)
    counts = series["variation"].value_counts()
    last = series.iloc[-1]
    first_date, last_date = f"{series['period'].iloc[0]:%d %B %Y}", f"{series['period'].iloc[-1]:%d %B %Y}"
    unit = "%" if percent else ""
    alt = (f"Statistical process control chart of {len(series)} periods from {first_date} to {last_date}: "
           f"mean {scale * last['mean']:.1f}{unit}, process limits {scale * last['lower_limit']:.1f} to "
           f"{scale * last['upper_limit']:.1f}. {counts.get('special cause improvement', 0)} points show special "
           f"cause improvement and {counts.get('special cause concern', 0)} special cause concern; the latest "
           f"value is {scale * last['value']:.1f} ({last['variation']}).")
    summary = (f"The latest value, {scale * last['value']:.1f}{unit} ({last_date}), is "
               + ("within the process limits" if last["lower_limit"] <= last["value"] <= last["upper_limit"]
                  else "outside the process limits")
               + f"; {counts.get('special cause concern', 0)} of {len(series)} periods signal a concern and "
               f"{counts.get('special cause improvement', 0)} an improvement."
               + (" The limits are provisional (fewer than 12 points)." if provisional else "")
               + _shift_sentence(series, scale, unit))
    data = series[["period", "value", "mean", "lower_limit", "upper_limit", "rule", "variation"]].copy()
    data[["value", "mean", "lower_limit", "upper_limit"]] = (scale * data[["value", "mean", "lower_limit",
                                                                          "upper_limit"]]).round(2)
    data["period"] = data["period"].dt.strftime("%Y-%m-%d")
    return Chart(figure, alt, data, name, title=title, summary=summary)


#: Marker, colour and words for each assurance decision (meaning carried by shape as well as colour).
DECISION_STYLES = {"accept": ("o", "#768692", "Accept"), "query": ("^", "#ED8B00", "Query"),
                   "reject": ("X", "#CA0020", "Reject")}


def decision_grid_chart(decisions: pd.DataFrame, *, row_column: str, period_column: str, label_column: str,
                        title: str, name: str, units: str = "providers") -> Chart:
    """A grid of accept / query / reject decisions: one row per unit, one column per period.

    Parameters
    ----------
    decisions : pandas.DataFrame
        One row per unit and period: ``row_column`` (the unit's label on the axis, kept short, e.g. a
        code), ``period_column`` (datetime), ``label_column`` (the period's label for the table) and
        ``decision`` ("accept", "query" or "reject").

    Notes
    -----
    Each decision has its own marker shape (circle, triangle, cross) as well as colour. At most four
    period ticks are labelled, so labels never crowd on a phone.
    """
    table = decisions.sort_values([row_column, period_column], kind="stable")
    rows = list(dict.fromkeys(table[row_column]))
    periods = sorted(table[period_column].unique())
    x = table[period_column].map({p: i for i, p in enumerate(periods)}).to_numpy()
    y = table[row_column].map({r: i for i, r in enumerate(rows)}).to_numpy()
    with drawing():
        figure, ax = new_figure(1.9 + 0.3 * len(rows))
        for decision, (marker, colour, words) in DECISION_STYLES.items():
            chosen = (table["decision"] == decision).to_numpy()
            if chosen.any():
                count = int(chosen.sum())
                ax.scatter(x[chosen], y[chosen], marker=marker, s=46 if decision != "accept" else 16, color=colour,
                           linewidths=0, label=f"{words} ({count})", zorder=3)
        ax.set_yticks(range(len(rows)), [short_name(r, 12) for r in rows])
        step = max(1, int(np.ceil(len(periods) / 4)))
        ticks = list(range(0, len(periods), step))
        ax.set_xticks(ticks, [pd.Timestamp(periods[i]).strftime("%b %Y") for i in ticks])
        ax.set_xlim(-0.6, len(periods) - 0.4)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.grid(False)
        ax.set_xlabel("Period")
        legend_below(ax, columns=3)
    counts = table["decision"].value_counts()
    flagged = table[table["decision"] != "accept"]
    worst = flagged.groupby(row_column).size().sort_values(ascending=False, kind="stable")
    parts = [f"{counts.get(d, 0)} {d}" for d in DECISION_STYLES]
    alt = (f"Grid of {len(table)} decisions, {len(rows)} {units} by {len(periods)} periods: " + ", ".join(parts)
           + "." + (f" Most flagged: {', '.join(f'{k} ({v})' for k, v in worst.head(5).items())}."
                    if len(worst) else ""))
    summary = (f"Of {len(table)} returns, {counts.get('accept', 0)} are accepted, {counts.get('query', 0)} to be "
               f"queried and {counts.get('reject', 0)} rejected"
               + (f"; {worst.index[0]} has the most flagged ({worst.iloc[0]})." if len(worst) else "."))
    data = table[[row_column, label_column, "decision"]].reset_index(drop=True)
    return Chart(figure, alt, data, name, title=title, summary=summary)


def threshold_histogram_chart(bins: pd.DataFrame, *, limit: float, window: float, unit_seconds: float,
                              unit: str, title: str, name: str) -> Chart:
    """Recorded times around a time limit: counts per bin, the smooth fit, the limit and the window tested.

    Parameters
    ----------
    bins : pandas.DataFrame
        From :func:`ccgtools.assurance.signals.bunching_test`: ``lower``, ``upper`` (seconds), ``count``,
        ``fitted`` (the smooth counts) and ``in_fit``.
    unit_seconds, unit : float, str
        The axis unit (1, "seconds" or 60, "minutes").
    """
    centre = ((bins["lower"] + bins["upper"]) / 2) / unit_seconds
    width = (bins["upper"] - bins["lower"]).iloc[0] / unit_seconds
    limit_u, window_u = limit / unit_seconds, window / unit_seconds
    with drawing():
        figure, ax = new_figure(4.6)
        ax.axvspan(limit_u - window_u, limit_u + window_u, color="#F4A582", alpha=0.35, label="Window tested")
        ax.bar(centre, bins["count"], width=width * 0.9, color=NHS_BLUE, label="Records")
        ax.plot(centre, bins["fitted"], "--", color=TEXT_COLOUR, linewidth=1.6, label="Smooth pattern (fitted)")
        ax.axvline(limit_u, color="#CA0020", linewidth=1.6, label=f"Limit ({limit_u:g} {unit})")
        ax.set_xlabel(f"Time taken ({unit})")
        ax.set_ylabel("Records")
        legend_below(ax, columns=2)
    inside = int(bins.loc[(bins["upper"] <= limit) & (bins["upper"] > limit - window), "count"].sum())
    outside = int(bins.loc[(bins["lower"] >= limit) & (bins["lower"] < limit + window), "count"].sum())
    expected_in = float(bins.loc[(bins["upper"] <= limit) & (bins["upper"] > limit - window), "fitted"].sum())
    expected_out = float(bins.loc[(bins["lower"] >= limit) & (bins["lower"] < limit + window), "fitted"].sum())
    alt = (f"Bar chart of recorded times from {centre.min() - width / 2:g} to {centre.max() + width / 2:g} {unit}, "
           f"with the smooth pattern fitted around the {limit_u:g}-{unit} limit: {inside} records in the "
           f"{window_u:g} {unit} just inside the limit and {outside} just over it, where the smooth pattern "
           f"gives about {expected_in:.0f} and {expected_out:.0f}.")
    summary = (f"{inside} records fall in the {window_u:g} {unit} just inside the limit and {outside} just over it; "
               f"the smooth pattern around the limit gives about {expected_in:.0f} and {expected_out:.0f}.")
    data = bins.assign(fitted=bins["fitted"].round(2))[["lower", "upper", "count", "fitted", "in_fit"]]
    return Chart(figure, alt, data, name, title=title, summary=summary)


def reported_against_records_chart(table: pd.DataFrame, *, standard: float | None, title: str, name: str,
                                   ylabel: str) -> Chart:
    """A KPI as the provider reported it and as the records give it, period by period (percentages).

    Parameters
    ----------
    table : pandas.DataFrame
        ``period`` (datetime), ``reported`` and ``records`` (proportions), ``period_label``.
    """
    import matplotlib.dates as mdates

    with drawing():
        figure, ax = new_figure(4.4)
        ax.plot(table["period"], 100 * table["records"], color=NHS_DARK_BLUE, marker="o", markersize=5,
                linewidth=1.4, label="From the records")
        ax.plot(table["period"], 100 * table["reported"], color="#CA0020", marker="^", markersize=6,
                linewidth=1.4, linestyle="--", label="As reported")
        if standard is not None:
            ax.axhline(100 * standard, color=NHS_DARK_GREY, linewidth=1, linestyle=":",
                       label=f"Standard ({100 * standard:g}%)")
        locator = mdates.AutoDateLocator(maxticks=4)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_ylabel(ylabel)
        legend_below(ax, columns=2)
    gap = 100 * (table["reported"] - table["records"])
    widest = gap.abs().idxmax()
    differs = table[gap.abs() >= 0.05]
    alt = (f"Line chart of {len(table)} periods, the KPI as reported and as the records give it. "
           f"They differ in {len(differs)} periods"
           + (f": {', '.join(differs['period_label'])}" if len(differs) else "") + ".")
    summary = (f"The widest gap is in {table.loc[widest, 'period_label']}: reported "
               f"{100 * table.loc[widest, 'reported']:.1f}%, records {100 * table.loc[widest, 'records']:.1f}%."
               if len(differs) else "The return and the records agree in every period.")
    data = table[["period_label", "reported", "records"]].assign(
        reported=lambda d: (100 * d["reported"]).round(2), records=lambda d: (100 * d["records"]).round(2))
    return Chart(figure, alt, data, name, title=title, summary=summary)
