"""Loading a respondent-level survey file and checking it against its codebook.

What the survey asked, how its answers are labelled and how respondents are grouped is in its codebook
(:mod:`ccgtools.survey.codebook`); this module reads the file (:mod:`ccgtools.survey.readers`: CSV,
Excel or SPSS), checks every column and label the codebook names, and derives the banded groupings.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataError, ParameterError
from ..io import check_allowed_values, check_unique, to_counts
from ..page.downloads import snake_case
from .codebook import Codebook, read_codebook
from .readers import read_survey_file


def _codebook(codebook: Codebook | str | Path | None) -> Codebook:
    return codebook if isinstance(codebook, Codebook) else read_codebook(codebook)


def load_survey(path: str | Path | None = None, codebook: Codebook | str | Path | None = None) -> pd.DataFrame:
    """Load a respondent-level survey file and check it against its codebook.

    Parameters
    ----------
    path : str or Path, optional
        CSV, Excel (.xlsx) or SPSS (.sav) file, one row per respondent. Default: the file the codebook names.
    codebook : Codebook or path, optional
        The survey's codebook; default the 2012 commissioning-support survey's.

    Returns
    -------
    pandas.DataFrame
        The responses: answer columns categorical in the codebook's order (blank answers missing: item
        non-response), banded groupings added (e.g. ``population_band`` from ``registered_population``).
        ``attrs["codebook"]`` is the codebook, ``attrs["path"]`` the file read.

    Raises
    ------
    DataError
        A missing or unreadable file, a column the codebook names that the file lacks, a repeated
        respondent id, an answer or group label the codebook does not list, a bad number.
    """
    book = _codebook(codebook)
    path = config.resolve_path(path, book.data or config.SURVEY_DATA)
    raw = read_survey_file(path, book.required_columns)
    check_unique(raw, book.id_column, path=path)
    responses = raw.copy()
    for grouping in book.groupings:
        if grouping.source:
            numbers = to_counts(raw, grouping.source, path=path)
            responses[grouping.source] = numbers
            edges = [*grouping.edges, np.inf]
            responses[grouping.name] = pd.Categorical(
                pd.cut(numbers.astype(float), edges, right=False, labels=grouping.values), categories=grouping.values)
        else:
            check_allowed_values(raw, grouping.name, grouping.values, path=path,
                                 allow_missing=not _is_required_group(book, grouping.name))
            responses[grouping.name] = pd.Categorical(raw[grouping.name], categories=grouping.values)
    for question in book.questions:
        if question.kind == "free_text":
            continue
        for column in question.columns:
            check_allowed_values(raw, column, question.answers, path=path)
            responses[column] = pd.Categorical(raw[column], categories=question.answers)
    for column, shares in book.margins.items():
        if column not in {g.name for g in book.groupings}:
            check_allowed_values(raw, column, list(shares), path=path, allow_missing=False)
    if book.period_column:
        responses[book.period_column] = to_counts(raw, book.period_column, path=path)
    responses.attrs.update(codebook=book, path=path)
    return responses


def _is_required_group(book: Codebook, name: str) -> bool:
    """Groups a weighting margin or comparison depends on must be given on every row."""
    return name in book.margins or name in book.weight_within or name == book.unit_column or (
        name == book.groupings[0].name if book.groupings and not any(q.column == name for q in book.questions)
        else False)


def grouping_names(book: Codebook) -> tuple[str, ...]:
    return tuple(g.name for g in book.groupings)


def resolve_group_by(book: Codebook, group_by: str | None) -> str | None:
    """The grouping to break down by: ``group_by``, or the codebook's first when blank; None without any."""
    if not group_by:
        return book.groupings[0].name if book.groupings else None
    if group_by not in grouping_names(book):
        raise ParameterError(f"unknown grouping {group_by!r} for the survey of {book.path.name}; expected one of "
                             + (", ".join(grouping_names(book)) or "none (the codebook declares no [[groupings]])"))
    return group_by


def with_grouping(responses: pd.DataFrame, group_by: str) -> pd.Series:
    """The grouping column ``group_by`` of the responses, validated against their codebook."""
    resolve_group_by(responses.attrs["codebook"], group_by)
    return responses[group_by]


def validate_parameters(*, group_by: str | None = None, confidence: float = 0.95, min_responses: int | None = None,
                        population_size: int | None = None, weighting: str = "auto",
                        trim: float | None = None) -> None:
    """Check the briefing's parameters by name (:data:`ccgtools.survey.parameters.RULES`), raising ParameterError
    naming the parameter, its value and what was expected."""
    from ..parameters import check_parameters
    from .parameters import RULES

    check_parameters({"confidence": confidence, "min_responses": min_responses, "population_size": population_size,
                      "weighting": weighting, "trim": trim}, RULES)
    if group_by is not None and not isinstance(group_by, str):
        raise ParameterError(f"group_by must be the name of one of the codebook's groupings; found {group_by!r}")


def check_population_size(responses: pd.DataFrame, population_size: int | None) -> None:
    """Raise DataError when the population is smaller than the number of respondents."""
    if population_size is not None and population_size < len(responses):
        raise DataError("population size smaller than the number of respondents",
                        column="population_size", value=population_size,
                        expected=f"at least {len(responses)}")


def in_scope(responses: pd.DataFrame, *, focus: str = "", period: int | None = None) -> pd.DataFrame:
    """The respondents a briefing describes: those of ``focus`` (a value of the codebook's comparison unit, or
    that value in snake_case, e.g. "abbeyvale_ccg" for "Abbeyvale CCG", as a sweep names its briefings),
    in ``period`` (default: the latest), or every respondent when the codebook has no comparison.

    Raises
    ------
    ParameterError
        A focus or period the file does not have, naming those it has.
    """
    book: Codebook = responses.attrs["codebook"]
    if not book.period_column:
        if focus:
            raise ParameterError(f"focus={focus!r} needs a [comparison] unit in the codebook {book.path.name}")
        return responses
    periods = sorted(int(p) for p in responses[book.period_column].dropna().unique())
    chosen = periods[-1] if period in (None, "") else int(period)
    if chosen not in periods:
        raise ParameterError(f"period={period!r} is not in the file; it has {', '.join(map(str, periods))}")
    scope = responses[responses[book.period_column] == chosen]
    if focus:
        units = list(responses[book.unit_column].cat.categories if hasattr(responses[book.unit_column], "cat")
                     else sorted(responses[book.unit_column].dropna().unique()))
        by_slug = {snake_case(str(u)): u for u in units}
        focus = focus if focus in units else by_slug.get(focus, focus)
        if focus not in units:
            raise ParameterError(f"focus={focus!r} is not a {book.unit_column} in the file; expected one of "
                                 + ", ".join(map(str, units)))
        scope = scope[scope[book.unit_column] == focus]
    out = scope.copy()
    out.attrs.update(responses.attrs, period=chosen, focus=focus, periods=tuple(periods))
    return out
