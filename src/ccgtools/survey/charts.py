"""Survey charts: diverging bars for any Likert scale, and one unit against all and against its last survey.

Drawn with matplotlib's object API in the page kit's style (:func:`ccgtools.page.charts.drawing`, no
pyplot), phone width first, each with alt text and a one-sentence reading computed from its data, and
shown with :func:`ccgtools.page.show.show_chart`.
"""

from __future__ import annotations

import pandas as pd
import seaborn as sns

from ..page.charts import (
    FONT_PT,
    LIKERT_COLOURS,
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_DARK_GREY,
    Chart,
    _rows_figure,
    drawing,
    legend_below,
    wrap,
)


def _colours(count: int) -> list:
    if count == 5:
        return list(LIKERT_COLOURS)
    return [tuple(c) for c in sns.color_palette("RdBu", count)]


def likert_chart(distribution: pd.DataFrame, *, respondents: str, name: str, title: str) -> Chart:
    """Diverging stacked bars of Likert questions on one scale, centred on its neutral answer.

    Parameters
    ----------
    distribution : pandas.DataFrame
        From :func:`ccgtools.survey.analysis.likert_distribution`: one row per question, the scale's
        percentages from the least to the most favourable, ``answered``; ``attrs["scale"]`` its scale.

    Notes
    -----
    Half of the neutral category (when the scale has one) is drawn on each side of zero (Robbins &
    Heiberger 2011, "Plotting Likert and other rating scales"); the extremes are hatched so that meaning
    does not rest on colour alone.
    """
    scale = distribution.attrs["scale"]
    labels = list(scale.ordered)
    values = distribution[labels]
    negative_share = values[list(scale.negative_labels)].sum(axis=1)
    positive_share = values[list(scale.positive_labels)].sum(axis=1)
    offset = negative_share + (values[scale.neutral] / 2 if scale.neutral else 0)
    rows = [wrap(f"{q} (n = {n:,})", 44) for q, n in zip(distribution.index, distribution["answered"])]
    hatches = ["///"] + [""] * (len(labels) - 2) + ["xx"]
    with drawing():
        figure, axes = _rows_figure(rows or ["No question had enough answers to show"], bar_in=0.34,
                                    footer_in=1.6 + 0.3 * len(labels))
        for ax, (_, row), left_edge in zip(axes, values.iterrows(), -offset.to_numpy()):
            left = left_edge
            for colour, hatch, label in zip(_colours(len(labels)), hatches, labels):
                share = row[label]
                ax.barh([0], [share], left=left, color=colour, edgecolor="white", hatch=hatch, label=label)
                if share >= 15:
                    ax.text(left + share / 2, 0, f"{share:.0f}%", ha="center", va="center",
                            bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none"})
                left += share
            ax.axvline(0, color=NHS_DARK_GREY, linewidth=1)
        axes[-1].set_xlim(-100, 100)
        axes[-1].set_xticks(range(-100, 101, 50), [f"{abs(t)}%" for t in range(-100, 101, 50)])
        axes[-1].set_xlabel(wrap(f"Percentage of {respondents} that answered: {scale.negative} to the left of the "
                                 f"line, {scale.positive} to the right", 46))
        legend_below(axes[0])
    parts = [f"{q}: {d:.0f}% {scale.negative}, {p:.0f}% {scale.positive} of {n:,} who answered"
             for q, d, p, n in zip(distribution.index, negative_share, positive_share, distribution["answered"])]
    alt = (f"Diverging stacked bar chart, one bar per question, {scale.negative} answers to the left of zero and "
           f"{scale.positive} to the right. " + "; ".join(parts) + ".")
    if distribution.empty:
        summary = "No question had enough answers to show (fewer than the disclosure threshold)."
    else:
        most, least = negative_share.idxmax(), negative_share.idxmin()
        negative = scale.negative[:1].upper() + scale.negative[1:]
        if least == most:
            summary = f"{negative} answers: {negative_share[most]:.0f}% of those that answered “{most}”."
        else:
            summary = (f"{negative} answers ranged from {negative_share[least]:.0f}% of those that answered "
                       f"“{least}” to {negative_share[most]:.0f}% for “{most}”"
                       + (" (gaps this small may be chance: see the intervals in the table below)."
                          if negative_share[most] - negative_share[least] < 10 else "."))
    data = values.round(1).assign(answered=distribution["answered"]).rename_axis("question").reset_index()
    data.attrs = dict(distribution.attrs)
    data.attrs.pop("scale", None)
    return Chart(figure, alt, data, name, title=title, summary=summary)


#: How each comparison is drawn: marker, fill, colour and vertical offset within its row.
_MARKERS = {"focus": ("o", NHS_DARK_BLUE, NHS_DARK_BLUE, 0.22), "others": ("D", "white", NHS_DARK_GREY, 0.0),
            "previous": ("s", "white", NHS_BLUE, -0.22)}


def comparison_chart(table: pd.DataFrame, *, focus: str, name: str, title: str, respondents: str,
                     units: str = "units", confidence: float = 0.95) -> Chart:
    """One unit's headline percentage on each question beside the other units' and its own last survey's, with intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`ccgtools.survey.compare.focus_comparison`: question_text, role ("focus", "others",
        "previous"), group (its words), percent, lower, upper (suppressed rows have no percent).
    units : str
        The compared units' noun in the plural, from the codebook (e.g. "CCGs").
    """
    questions = list(dict.fromkeys(table["question_text"]))
    shown = table.dropna(subset=["percent"])
    with drawing():
        figure, axes = _rows_figure([wrap(q, 44) for q in questions] or ["(none)"], bar_in=0.55,
                                    footer_in=1.9)
        for ax, question in zip(axes, questions):
            ax.set_ylim(-0.5, 0.5)
            for row in shown[shown["question_text"] == question].itertuples():
                marker, face, edge, y = _MARKERS[row.role]
                ax.errorbar([row.percent], [y], xerr=[[row.percent - row.lower], [row.upper - row.percent]],
                            fmt=marker, markerfacecolor=face, markeredgecolor=edge, ecolor=edge, markersize=7,
                            capsize=3, linewidth=1.2, label=row.group)
        axes[-1].set_xlim(0, 100)
        axes[-1].set_xticks(range(0, 101, 25), [f"{t}%" for t in range(0, 101, 25)])
        axes[-1].set_xlabel(wrap(f"Percentage of {respondents} giving the headline answer; lines show the "
                                 f"{100 * confidence:g}% confidence interval", 46))
        handles, labels = [], []
        for ax in axes:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                if label not in labels:
                    handles.append(handle)
                    labels.append(label)
        figure.legend(handles, labels, loc="outside lower left", ncol=1, frameon=False, fontsize=FONT_PT)
    focus_rows = shown[shown["role"] == "focus"].set_index("question_text")
    all_rows = shown[shown["role"] == "others"].set_index("question_text")
    gaps = (focus_rows["percent"] - all_rows["percent"]).dropna()
    parts = [f"{q}: " + ", ".join(f"{r.group} {r.percent:.0f}%" for r in shown[shown["question_text"] == q].itertuples())
             for q in questions]
    previous = "previous" in set(shown["role"])
    alt = (f"Dot chart, one row per question: {focus} beside the other {units}" + (" and its previous survey" if previous
                                                                             else "")
           + ", with intervals. " + "; ".join(parts) + ".")
    if gaps.empty:
        summary = f"No question had enough answers about {focus} to compare."
    else:
        widest = gaps.abs().idxmax()
        summary = (f"{focus}'s largest gap from the other {units} is on “{widest}”: {focus_rows.loc[widest, 'percent']:.0f}% "
                   f"against {all_rows.loc[widest, 'percent']:.0f}%; the tests in the table below say which gaps are "
                   "more than chance.")
    data = table[["question", "question_text", "group", "answered", "percent", "lower", "upper"]].rename(
        columns={"lower": "ci_lower_percent", "upper": "ci_upper_percent"})
    data["percent"] = data["percent"].round(1)
    data.attrs = dict(table.attrs)
    return Chart(figure, alt, data, name, title=title, summary=summary)

