"""The 2012 survey of CCGs on commissioning support: questions, loading, analysis.

The NAPC / NHS Alliance survey of emerging clinical commissioning groups
(January 2012, reported 6 March 2012) asked CCGs how satisfied they were with
the commissioning-support programme, the support being offered, and the
information they had about their choices. The questions are declared here as
data; the synthetic respondent-level file in ``data/`` is made by
:mod:`ccgtools.survey_data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import config, disclosure
from .errors import DataError, ParameterError
from .io import check_allowed_values, check_unique, read_csv_checked, to_counts
from .stats import proportion_ci

CLUSTERS = ("London", "North", "Midlands and East", "South")
YES_NO = ("Yes", "No")
LIKERT = (
    "Very dissatisfied",
    "Fairly dissatisfied",
    "Neither satisfied nor dissatisfied",
    "Fairly satisfied",
    "Very satisfied",
)
DISSATISFIED = LIKERT[:2]
PROVIDERS = (
    "PCT cluster commissioning support",
    "Private sector",
    "In-house",
    "Undecided",
)
POPULATION_BANDS = ("Under 100,000", "100,000 to 249,999", "250,000 to 499,999", "500,000 and over")
_POPULATION_EDGES = (0, 100_000, 250_000, 500_000, np.inf)


@dataclass(frozen=True)
class Question:
    """One survey item.

    ``headline`` holds the responses counted in the item's headline percentage
    (e.g. both dissatisfied categories); ``finding`` completes the sentence
    "x% of responding CCGs ...".
    """

    column: str
    text: str
    kind: str  # "yes_no", "likert" or "reason"
    headline: tuple[str, ...]
    finding: str

    @property
    def responses(self) -> tuple[str, ...]:
        return LIKERT if self.kind == "likert" else YES_NO


QUESTIONS: tuple[Question, ...] = (
    Question("q_sufficient_information",
             "Have you been given sufficient information about the choices of commissioning support available?",
             "yes_no", ("No",), "had not been given sufficient information about the choices of support available"),
    Question("q_programme_satisfaction",
             "How satisfied are you with the commissioning support programme?",
             "likert", DISSATISFIED, "were dissatisfied with the commissioning support programme"),
    Question("q_support_offered_satisfaction",
             "How satisfied are you with the commissioning support being offered to you?",
             "likert", DISSATISFIED, "were dissatisfied with the commissioning support being offered"),
    Question("q_choice_information_satisfaction",
             "How satisfied are you with the information about your choices of support?",
             "likert", DISSATISFIED, "were dissatisfied with the information about their choices"),
    Question("reason_too_busy", "Reason for your choice: too busy to explore alternatives",
             "reason", ("Yes",), "chose their provider because they were too busy to explore alternatives"),
    Question("reason_good_relationships", "Reason for your choice: good relationships with PCT support staff",
             "reason", ("Yes",), "chose their provider because of good relationships with PCT support staff"),
    Question("reason_value_for_money", "Reason for your choice: value for money",
             "reason", ("Yes",), "chose their provider for value for money"),
    Question("reason_quality_of_offer", "Reason for your choice: quality of the offer",
             "reason", ("Yes",), "chose their provider for the quality of the offer"),
    Question("reason_no_local_alternative", "Reason for your choice: no credible local alternative",
             "reason", ("Yes",), "chose their provider because there was no credible local alternative"),
    Question("reason_clinical_control", "Reason for your choice: wanted clinical control of support",
             "reason", ("Yes",), "chose their provider to keep clinical control of their support"),
)

REQUIRED_COLUMNS = ("respondent_id", "cluster", "registered_population", "provider_choice",
                    *(q.column for q in QUESTIONS), "comment")

GROUPINGS = {
    "cluster": CLUSTERS,
    "population_band": POPULATION_BANDS,
    "provider_choice": PROVIDERS,
}


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


def question(column: str) -> Question:
    """The :class:`Question` stored in ``column``."""
    for item in QUESTIONS:
        if item.column == column:
            return item
    raise ParameterError(f"unknown survey question {column!r}; expected one of "
                         + ", ".join(q.column for q in QUESTIONS))


def load_survey(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate a respondent-level survey file.

    Parameters
    ----------
    path : str or Path, optional
        CSV with one row per responding CCG (see ``data/README.md`` for the
        data dictionary). Defaults to the bundled synthetic survey.

    Returns
    -------
    pandas.DataFrame
        The responses, with ``registered_population`` as integers, a derived
        ``population_band`` and categorical answer columns; blank answers are
        missing (item non-response).

    Raises
    ------
    DataError
        A missing or empty file, a missing column, a repeated respondent id,
        an unknown cluster, provider or answer label, or a bad population.
    """
    path = config.resolve_path(path, config.SURVEY_DATA)
    raw = read_csv_checked(path, REQUIRED_COLUMNS)
    check_unique(raw, "respondent_id", path=path)
    check_allowed_values(raw, "cluster", CLUSTERS, path=path, allow_missing=False)
    check_allowed_values(raw, "provider_choice", PROVIDERS, path=path)
    for item in QUESTIONS:
        check_allowed_values(raw, item.column, item.responses, path=path)
    population = to_counts(raw, "registered_population", path=path)
    responses = raw.assign(registered_population=population)
    responses["population_band"] = pd.cut(population.astype(float), _POPULATION_EDGES,
                                          right=False, labels=POPULATION_BANDS)
    for column, categories in (("cluster", CLUSTERS), ("provider_choice", PROVIDERS)):
        responses[column] = pd.Categorical(responses[column], categories=categories)
    for item in QUESTIONS:
        responses[item.column] = pd.Categorical(responses[item.column], categories=item.responses)
    return responses


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


def with_grouping(responses: pd.DataFrame, group_by: str) -> pd.Series:
    """The grouping column ``group_by``, validated."""
    validate_parameters(group_by=group_by, confidence=0.95, min_responses=1, population_size=None)
    return responses[group_by]


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


def validate_parameters(*, group_by: str, confidence: float, min_responses: int,
                        population_size: int | None) -> None:
    """Check the briefing's parameters, raising ParameterError with what was expected."""
    if group_by not in GROUPINGS:
        raise ParameterError(f"unknown grouping {group_by!r}; expected one of {', '.join(GROUPINGS)}")
    if not 0.5 <= float(confidence) < 1:
        raise ParameterError(f"confidence must be at least 0.5 and below 1; found {confidence!r}")
    if int(min_responses) < 1:
        raise ParameterError(f"min_responses must be 1 or more; found {min_responses!r}")
    if population_size is not None and int(population_size) < 1:
        raise ParameterError(f"population_size must be a positive number of units or None; found {population_size!r}")


def check_population_size(responses: pd.DataFrame, population_size: int | None) -> None:
    """Raise DataError when the population is smaller than the number of respondents."""
    if population_size is not None and population_size < len(responses):
        raise DataError("population size smaller than the number of respondents",
                        column="population_size", value=population_size,
                        expected=f"at least {len(responses)}")
