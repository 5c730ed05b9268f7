"""The file layout the survey briefing reads, declared for ``ccgtools check`` (see :mod:`ccgtools.layouts`)."""

from __future__ import annotations

from pathlib import Path

from ..layouts import Found, Hint, Layout
from .load import QUESTIONS, REQUIRED_COLUMNS

NOTEBOOK = "notebooks/survey_commissioning_support.ipynb"


def check_survey(path: Path, shown: str) -> Found:
    """Load a respondent-level survey with :func:`ccgtools.survey.load.load_survey` and describe it."""
    from .load import load_survey

    responses = load_survey(path)
    clusters = responses["cluster"].value_counts().reindex(responses["cluster"].cat.categories).dropna()
    unanswered = {q.column: int(responses[q.column].isna().sum()) for q in QUESTIONS}
    notes = ["respondents by cluster: " + ", ".join(f"{c} {int(n)}" for c, n in clusters.items())]
    gaps = {c: n for c, n in unanswered.items() if n}
    if gaps:
        notes.append("unanswered (item non-response, left out of that question): "
                     + ", ".join(f"{c} {n}" for c, n in gaps.items()))
    return Found(rows=len(responses), units=f"{len(responses):,} responding CCGs", periods="one survey",
                 notes=notes, parameters={"data_path": shown,
                                          "population_size": Hint("the number of CCGs surveyed (a whole number), or None")},
                 notebook=NOTEBOOK)


LAYOUTS = (
    Layout("survey", "Commissioning-support survey, one row per responding CCG", tuple(REQUIRED_COLUMNS),
           check=check_survey),
)
