"""The 2012 survey: headline percentages with their intervals, per question, answer and provider."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import config
from ..page import disclosure
from ..stats import proportion_ci
from .load import LIKERT, PROVIDERS, QUESTIONS, question


def question_summary(
    responses: pd.DataFrame,
    columns: tuple[str, ...] | None = None,
    *,
    confidence: float = 0.95,
    population_size: int | None = None,
    min_responses: int = config.SURVEY_MIN_RESPONSES,
) -> pd.DataFrame:
    """Headline percentage of each question, with its own denominator and Wilson interval.

    Parameters
    ----------
    responses : pandas.DataFrame
        From :func:`load_survey`.
    columns : tuple of str, optional
        Question columns to summarise; all by default.
    confidence : float
        Confidence level of the interval.
    population_size : int, optional
        Number of units in the population surveyed (e.g. CCGs in England); applies
        the finite population correction when given.
    min_responses : int
        Results based on fewer answers are suppressed (percentage and interval NaN,
        ``suppressed`` True).

    Returns
    -------
    pandas.DataFrame
        One row per question: question, finding, numerator, answered,
        not_answered, percent, lower, upper (percentages), suppressed.

    Notes
    -----
    Wilson score interval (Newcombe 1998); see :func:`ccgtools.stats.proportion_ci`.
    """
    items = QUESTIONS if columns is None else tuple(question(c) for c in columns)
    numerator = pd.Series([int(responses[q.column].isin(q.headline).sum()) for q in items])
    answered = pd.Series([int(responses[q.column].notna().sum()) for q in items])
    proportion, lower, upper = proportion_ci(numerator, answered, confidence,
                                             population_size=population_size)
    table = pd.DataFrame({
        "question": [q.column for q in items],
        "question_text": [q.text for q in items],
        "finding": [q.finding for q in items],
        "numerator": numerator.astype("Int64"),
        "answered": answered.astype("Int64"),
        "not_answered": len(responses) - answered,
        "percent": 100 * proportion,
        "lower": 100 * lower,
        "upper": 100 * upper,
    })
    table = disclosure.suppress_small_bases(table, "answered", dependent=["numerator", "percent", "lower", "upper"],
                                            rule=disclosure.DisclosureRule(min_base=min_responses))
    table.attrs["confidence"] = confidence
    table.attrs["population_size"] = population_size
    return table


def likert_distribution(responses: pd.DataFrame) -> pd.DataFrame:
    """Percentage of answers in each Likert category, per Likert question.

    Returns
    -------
    pandas.DataFrame
        Index: question text; columns: the five categories (percent of those who
        answered, summing to 100) and ``answered``.
    """
    rows = {}
    for item in (q for q in QUESTIONS if q.kind == "likert"):
        counts = responses[item.column].value_counts().reindex(list(LIKERT), fill_value=0)
        answered = int(counts.sum())
        row = 100 * counts / answered if answered else counts * np.nan
        rows[item.text] = pd.concat([row.astype(float), pd.Series({"answered": answered})])
    table = pd.DataFrame(rows).T
    table["answered"] = table["answered"].astype(int)
    return table


def provider_choice_summary(responses: pd.DataFrame, *, confidence: float = 0.95,
                            min_responses: int = config.SURVEY_MIN_RESPONSES) -> pd.DataFrame:
    """Number and percentage of CCGs choosing each kind of support provider, with Wilson intervals."""
    counts = responses["provider_choice"].value_counts().reindex(list(PROVIDERS), fill_value=0)
    answered = int(counts.sum())
    proportion, lower, upper = proportion_ci(counts, pd.Series(answered, index=counts.index), confidence)
    table = pd.DataFrame({"provider": counts.index, "ccgs": counts.to_numpy(),
                          "answered": answered, "percent": 100 * proportion.to_numpy(),
                          "lower": 100 * lower.to_numpy(), "upper": 100 * upper.to_numpy()})
    if answered < min_responses:
        table[["percent", "lower", "upper"]] = np.nan
    return table


REASON_COLUMNS = tuple(q.column for q in QUESTIONS if q.kind == "reason")


def reasons_summary(responses: pd.DataFrame, **options) -> pd.DataFrame:
    """:func:`question_summary` of the reasons for the choice of provider, with a short ``reason`` label.

    Each reason is a tick-box with its own non-response, so each has its own
    denominator; percentages are of the CCGs that answered that item and do not
    sum to 100 (several reasons may be given).
    """
    table = question_summary(responses, REASON_COLUMNS, **options)
    reason = table["question_text"].str.removeprefix("Reason for your choice: ")
    return table.assign(reason=reason.str[:1].str.upper() + reason.str[1:])
