"""Charts for briefings, each returned with a text alternative made from its data.

Every chart function returns a :class:`Chart`: the matplotlib figure, an alt
text that says what the chart shows (never a placeholder), and the table of
numbers behind it, so that :func:`ccgtools.publish.show_chart` can publish all
three. Colours come from colour-blind-safe palettes and every bar is also
labelled with its value, so no meaning is carried by colour alone.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # briefings are rendered headless; JupyterLab still shows inline PNGs

import matplotlib.pyplot as plt  # noqa: E402
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


def _theme() -> None:
    sns.set_theme(style="whitegrid", font="DejaVu Sans", font_scale=0.95,
                  rc={"axes.edgecolor": NHS_DARK_GREY, "text.color": "#212B32",
                      "axes.labelcolor": "#212B32", "figure.dpi": 100})


def likert_diverging_bars(distribution: pd.DataFrame, *, title: str | None = None) -> Chart:
    """Diverging stacked bar chart of Likert items, centred on the neutral category.

    Parameters
    ----------
    distribution : pandas.DataFrame
        From :func:`ccgtools.survey.likert_distribution`: one row per question,
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
    for colour, category in zip(LIKERT_COLOURS, categories):
        width = values[category].to_numpy()
        bars = ax.barh(labels, width, left=left, color=colour, edgecolor="white", label=category)
        for bar, share in zip(bars, width):
            if share >= 6:
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2,
                        f"{share:.0f}%", ha="center", va="center", fontsize=9,
                        color="white" if colour in (LIKERT_COLOURS[0], LIKERT_COLOURS[4]) else "#212B32")
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
    return Chart(fig, alt, data, "likert_satisfaction")


def percentage_bars(summary: pd.DataFrame, *, label_column: str, title: str | None = None,
                    name: str = "percentages", xlabel: str = "Percentage of CCGs that answered") -> Chart:
    """Horizontal bars of percentages with their confidence intervals, largest first.

    Parameters
    ----------
    summary : pandas.DataFrame
        Columns ``label_column``, ``percent``, ``lower``, ``upper`` and ``answered``
        (as from :func:`ccgtools.survey.question_summary`); suppressed rows (NaN
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
