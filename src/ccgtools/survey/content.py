"""The 2012 survey's page content: headline sentences, the published-figures check, comments, methods."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config


@dataclass(frozen=True)
class PublishedFigure:
    """A headline figure from the March 2012 report, for comparison."""

    column: str
    statement: str
    published: str  # as printed
    decimals: int  # precision of the printed percentage
    published_percent: float | None = None  # None when only a bound was printed
    at_least_percent: float | None = None


PUBLISHED_FIGURES: tuple[PublishedFigure, ...] = (
    PublishedFigure("q_sufficient_information", "Not given sufficient information about the choices",
                    "84% (80 of 95)", 0, published_percent=84.0),
    PublishedFigure("q_programme_satisfaction", "Dissatisfied with the commissioning support programme",
                    "more than four fifths", 0, at_least_percent=80.0),
    PublishedFigure("q_support_offered_satisfaction", "Dissatisfied with the support being offered",
                    "70.7%", 1, published_percent=70.7),
    PublishedFigure("reason_too_busy", "Chose the PCT-cluster offer: too busy to explore alternatives",
                    "20% (19 of 95)", 0, published_percent=20.0),
    PublishedFigure("reason_good_relationships", "Chose the PCT-cluster offer: good relationships with PCT staff",
                    "26.7%", 1, published_percent=26.7),
)

METHODS = (
    "Percentages use each question's own denominator (the CCGs that answered it); blanks are item non-response.",
    "Confidence intervals: Wilson score interval (Newcombe 1998), with the finite population "
    "correction (Kish effective sample size) when a population size is given.",
    "Differences between groups: Pearson's chi-square test, or Fisher's exact test when any expected "
    "count is below 5 (Cochran 1954).",
)


def is_bundled_survey(path: str | Path | None) -> bool:
    """True when ``path`` is the bundled synthetic survey (built to match the published figures)."""
    return config.resolve_path(path, config.SURVEY_DATA).resolve() == config.SURVEY_DATA.resolve()


def published_comparison(summary: pd.DataFrame, data_path: str | Path | None = None) -> pd.DataFrame:
    """Set this analysis' headline figures beside the figures published in March 2012.

    The comparison only means something for the bundled survey, which was made
    to reproduce the published figures; for any other file an empty table is
    returned.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`question_summary` (all questions).
    data_path : str or Path, optional
        The file the summary came from (default: the bundled survey).

    Returns
    -------
    pandas.DataFrame
        One row per published figure: statement, published, this_analysis
        ("80 of 95, 84.2%"), agrees (bool: equal at the published precision, or
        above the published bound).
    """
    if not is_bundled_survey(data_path):
        return pd.DataFrame(columns=["statement", "published", "numerator", "answered", "percent", "agrees"])
    indexed = summary.set_index("question")
    rows = []
    for figure in PUBLISHED_FIGURES:
        row = indexed.loc[figure.column]
        percent = 100 * row["numerator"] / row["answered"] if row["answered"] else np.nan
        if figure.published_percent is not None:
            agrees = round(percent, figure.decimals) == figure.published_percent
        else:
            agrees = percent > figure.at_least_percent
        rows.append({"statement": figure.statement, "published": figure.published,
                     "numerator": int(row["numerator"]), "answered": int(row["answered"]),
                     "percent": percent, "agrees": bool(agrees)})
    return pd.DataFrame(rows)


def headline_findings(summary: pd.DataFrame, responses: pd.DataFrame, *, top: int = 4) -> list[str]:
    """Plain-English headline sentences, computed from the summary.

    The satisfaction and information questions come first, then the most
    common reason for the choice of provider, then the split of providers.
    Suppressed results are not quoted.
    """
    confidence = summary.attrs.get("confidence", 0.95)
    level = f"{100 * confidence:g}%"
    usable = summary[~summary["suppressed"]]
    core = usable[~usable["question"].str.startswith("reason_")]
    reasons = usable[usable["question"].str.startswith("reason_")].sort_values("percent", ascending=False)
    sentences = [
        f"{row.percent:.0f}% of responding CCGs ({row.numerator} of {row.answered} who answered) "
        f"{row.finding} ({level} confidence interval {row.lower:.1f}% to {row.upper:.1f}%)."
        for row in core.head(top).itertuples()
    ]
    if not reasons.empty:
        best = reasons.iloc[0]
        sentences.append(
            f"The most common reason given for the choice of provider: {best.numerator} of "
            f"{best.answered} CCGs ({best.percent:.0f}%) {best.finding.removeprefix('chose their provider ')}."
        )
    providers = responses["provider_choice"].value_counts()
    answered = int(providers.sum())
    if answered >= config.SURVEY_MIN_RESPONSES:
        leader = providers.idxmax()
        sentences.append(
            f"{providers.max()} of {answered} CCGs ({100 * providers.max() / answered:.0f}%) had chosen "
            f"{leader.lower() if leader != 'PCT cluster commissioning support' else 'the PCT-cluster commissioning support offer'}."
        )
    return sentences


def methods_notes(*, confidence: float = 0.95, population_size: int | None = None,
                  min_responses: int = config.SURVEY_MIN_RESPONSES) -> list[str]:
    """The methods statements for this run of the briefing, saying whether the FPC was applied."""
    notes = [METHODS[0],
             f"{100 * confidence:g}% confidence intervals: Wilson score interval (Newcombe 1998).",
             METHODS[2],
             f"Results based on fewer than {min_responses} answers are suppressed (shown as *)."]
    if population_size is None:
        notes.append("No finite population correction was applied: the intervals treat the respondents "
                     "as a sample from a large population of CCGs.")
    else:
        notes.append(f"The finite population correction was applied for a population of {population_size:,} "
                     "CCGs (Kish effective sample size); intervals are narrower because a large share of "
                     "all CCGs answered. This assumes the respondents are like the CCGs that did not answer.")
    return notes


def selected_comments(responses: pd.DataFrame, n: int = 6, *, seed: int = config.SURVEY_SEED) -> list[str]:
    """A reproducible random selection of non-blank free-text comments (raw text; escape on output)."""
    comments = responses["comment"].dropna()
    comments = comments[comments.str.len() > 0]
    if len(comments) <= n:
        return comments.tolist()
    return comments.sample(n=n, random_state=np.random.default_rng(seed)).tolist()
