"""The 2012 survey: headline percentages with their intervals, per question, answer and provider."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import config
from ..page import disclosure
from ..stats import proportion_ci
from .load import LIKERT, PROVIDERS, QUESTIONS, question

#: The provider label of CCGs that had not yet chosen: they cannot have a reason for a choice.
UNDECIDED = "Undecided"

#: A survey result as published: its base (those who answered), what derives from it, and the
#: complement that would give a withheld base back (respondents asked minus ``answered``).
SURVEY_RESULT = disclosure.TableColumns(base="answered", derived=("numerator", "percent", "lower", "upper"),
                                        complements=("not_answered",))


def reasons_only_for_choosers(responses: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``responses`` with the reasons for the choice blanked for undecided CCGs.

    The reason items ask why a CCG chose its provider. A CCG that had not chosen
    (``provider_choice`` "Undecided") cannot have a reason, so its answers to these
    items (in the bundled file, "No" or blank) are treated as not applicable and
    left out of every denominator of "chose their provider because ...".

    Parameters
    ----------
    responses : pandas.DataFrame
        From :func:`ccgtools.survey.load.load_survey`.

    Returns
    -------
    pandas.DataFrame
        The same rows, with the reason columns missing where the CCG was undecided.
    """
    out = responses.copy()
    undecided = (out["provider_choice"] == UNDECIDED).to_numpy(dtype=bool)
    if not undecided.any():
        return out
    for item in (q for q in QUESTIONS if q.kind == "reason"):
        out.loc[undecided, item.column] = np.nan
    return out


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
        Results based on fewer answers are suppressed (counts, ``not_answered``,
        percentage and interval missing, ``suppressed`` True): ``not_answered`` is
        the number of rows minus ``answered`` and would reveal a suppressed base.

    Returns
    -------
    pandas.DataFrame
        One row per question: question, finding, numerator, answered,
        not_answered, percent, lower, upper (percentages), suppressed.

    Notes
    -----
    Wilson score interval (Newcombe 1998); see :func:`ccgtools.stats.proportion_ci`.
    The reasons for the choice of provider are summarised over the CCGs that had
    chosen (:func:`reasons_only_for_choosers`): undecided CCGs are in no reason's
    denominator, nor in its ``not_answered``.
    """
    items = QUESTIONS if columns is None else tuple(question(c) for c in columns)
    responses = reasons_only_for_choosers(responses)
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
        "not_answered": pd.Series([int(_eligible(responses, q).sum()) for q in items]) - answered,
        "percent": 100 * proportion,
        "lower": 100 * lower,
        "upper": 100 * upper,
    })
    table = disclosure.publish_table(table, SURVEY_RESULT, rule=disclosure.DisclosureRule(min_base=min_responses))
    table.attrs["confidence"] = confidence
    table.attrs["population_size"] = population_size
    return table


def _eligible(responses: pd.DataFrame, item) -> pd.Series:
    """The rows asked ``item``: every row, except undecided CCGs for the reasons for the choice."""
    if item.kind == "reason":
        return responses["provider_choice"] != UNDECIDED
    return pd.Series(True, index=responses.index)


def likert_distribution(responses: pd.DataFrame, *,
                        min_responses: int = config.SURVEY_MIN_RESPONSES) -> pd.DataFrame:
    """Percentage of answers in each Likert category, per Likert question, for the chart.

    Parameters
    ----------
    responses : pandas.DataFrame
        From :func:`ccgtools.survey.load.load_survey`.
    min_responses : int
        Questions answered by fewer are withheld (:func:`ccgtools.page.disclosure.publish_table`)
        and left out of the table: a chart has no way to show a withheld bar.

    Returns
    -------
    pandas.DataFrame
        Index: question text; columns: the five categories (percent of those who
        answered, summing to 100) and ``answered``. ``attrs["withheld"]`` lists the
        questions left out, and the disclosure rule applied is recorded.
    """
    rows = []
    for item in (q for q in QUESTIONS if q.kind == "likert"):
        counts = responses[item.column].value_counts().reindex(list(LIKERT), fill_value=0)
        answered = int(counts.sum())
        row = 100 * counts / answered if answered else counts * np.nan
        rows.append({"question": item.text, **row.astype(float).to_dict(), "answered": answered})
    table = disclosure.publish_table(pd.DataFrame(rows), disclosure.TableColumns(base="answered", derived=LIKERT),
                                     rule=disclosure.DisclosureRule(min_base=min_responses))
    shown = table[~table["suppressed"]]
    out = shown.drop(columns="suppressed").set_index("question").rename_axis(None)
    out["answered"] = out["answered"].astype(int)
    out.attrs.update(table.attrs, withheld=table.loc[table["suppressed"], "question"].tolist())
    return out


def provider_choice_summary(responses: pd.DataFrame, *, confidence: float = 0.95,
                            min_responses: int = config.SURVEY_MIN_RESPONSES) -> pd.DataFrame:
    """Number and percentage of CCGs choosing each kind of support provider, with Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per provider: provider, ccgs, answered, percent, lower, upper, suppressed.
        When fewer than ``min_responses`` CCGs answered, every count and percentage is withheld
        (:func:`ccgtools.page.disclosure.publish_table`).
    """
    counts = responses["provider_choice"].value_counts().reindex(list(PROVIDERS), fill_value=0)
    answered = int(counts.sum())
    proportion, lower, upper = proportion_ci(counts, pd.Series(answered, index=counts.index), confidence)
    table = pd.DataFrame({"provider": counts.index, "ccgs": counts.to_numpy(),
                          "answered": answered, "percent": 100 * proportion.to_numpy(),
                          "lower": 100 * lower.to_numpy(), "upper": 100 * upper.to_numpy()})
    return disclosure.publish_table(table, PROVIDER_RESULT, rule=disclosure.DisclosureRule(min_base=min_responses))


#: The provider table: every row is a share of the same base, the CCGs that answered the question.
PROVIDER_RESULT = disclosure.TableColumns(base="answered", derived=("ccgs", "percent", "lower", "upper"))


REASON_COLUMNS = tuple(q.column for q in QUESTIONS if q.kind == "reason")


def reasons_summary(responses: pd.DataFrame, **options) -> pd.DataFrame:
    """:func:`question_summary` of the reasons for the choice of provider, with a short ``reason`` label.

    Each reason is a tick-box with its own non-response, so each has its own
    denominator; percentages are of the CCGs that had chosen a provider and answered
    that item (undecided CCGs are left out, :func:`reasons_only_for_choosers`), and
    do not sum to 100 (several reasons may be given).
    """
    table = question_summary(responses, REASON_COLUMNS, **options)
    reason = table["question_text"].str.removeprefix("Reason for your choice: ")
    return table.assign(reason=reason.str[:1].str.upper() + reason.str[1:])
