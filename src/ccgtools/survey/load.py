"""The 2012 survey of CCGs on commissioning support: its questions, and loading and checking a file.

The NAPC / NHS Alliance survey of emerging clinical commissioning groups
(January 2012, reported 6 March 2012) asked CCGs how satisfied they were with
the commissioning-support programme, the support being offered, and the
information they had about their choices. The questions are declared here as
data; the synthetic respondent-level file in ``data/`` is made by
:mod:`ccgtools.survey.synthetic`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataError, ParameterError
from ..io import check_allowed_values, check_unique, read_csv_checked, to_counts

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


def with_grouping(responses: pd.DataFrame, group_by: str) -> pd.Series:
    """The grouping column ``group_by``, validated."""
    validate_parameters(group_by=group_by, confidence=0.95, min_responses=1, population_size=None)
    return responses[group_by]


def validate_parameters(*, group_by: str, confidence: float, min_responses: int,
                        population_size: int | None) -> None:
    """Check the briefing's parameters by name (:data:`ccgtools.survey.parameters.RULES`), raising ParameterError
    naming the parameter, its value and what was expected."""
    from ..parameters import check_parameters
    from .parameters import RULES

    if group_by not in GROUPINGS:
        raise ParameterError(f"unknown grouping {group_by!r}; expected one of {', '.join(GROUPINGS)}")
    check_parameters({"group_by": group_by, "confidence": confidence, "min_responses": min_responses,
                      "population_size": population_size}, RULES)
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
