"""The file layouts the survey briefing reads, declared for ``ccgtools check`` (see :mod:`ccgtools.layouts`).

One layout per codebook bundled in ``data/`` (``*.codebook.toml``): a file is recognised by the columns its
codebook requires, loaded with that codebook, and described with the notebook parameters that read it
(``codebook_path`` and ``data_path``, and ``focus`` for a survey that compares units).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from .. import config
from ..layouts import Found, Hint, Layout, notebook_path
from ..page.downloads import snake_case
from .codebook import DEFAULT_CODEBOOK, Codebook, read_codebook

NOTEBOOK = "notebooks/survey_commissioning_support.ipynb"


def check_survey(path: Path, shown: str, *, codebook_path: Path | None = None) -> Found:
    """Load a respondent-level survey with :func:`ccgtools.survey.load.load_survey` and its codebook, and
    describe it: respondents, periods, item non-response and the parameters to give the notebook."""
    from .load import load_survey

    book: Codebook = read_codebook(codebook_path)
    responses = load_survey(path, book)
    notes = []
    if book.groupings:
        first = book.groupings[0]
        counts = responses[first.name].value_counts()
        notes.append(f"respondents by {first.label}: " + ", ".join(f"{g} {int(counts.get(g, 0))}" for g in first.values
                                                                     if counts.get(g, 0)))
    unanswered = {c: int(responses[c].isna().sum()) for q in book.questions if q.kind != "free_text" for c in q.columns}
    gaps = {c: n for c, n in unanswered.items() if n}
    if gaps:
        notes.append("unanswered (item non-response, left out of that question): "
                     + ", ".join(f"{c} {n}" for c, n in gaps.items()))
    periods = "one survey"
    if book.period_column:
        years = sorted(int(p) for p in responses[book.period_column].dropna().unique())
        periods = f"{len(years)} surveys: " + ", ".join(map(str, years))
    parameters: dict[str, object] = {"codebook_path": notebook_path(book.path), "data_path": shown}
    if book.population_size is None and not book.margins:
        parameters["population_size"] = Hint(f"the number of {book.respondents} surveyed (a whole number), or None")
    if book.unit_column:
        units = [snake_case(str(u)) for u in responses[book.unit_column].dropna().unique()]
        unit = book.column_labels.get(book.unit_column, book.unit_column)
        parameters["focus"] = Hint(f"one {unit} to compare with all and its previous survey: "
                                   + ", ".join(sorted(units)) + ' (or "" for none)')
    return Found(rows=len(responses), units=f"{len(responses):,} responding {book.respondents}", periods=periods,
                 notes=notes, parameters=parameters, notebook=NOTEBOOK)


def _bundled_codebooks() -> list[Path]:
    """The codebooks in ``data/``, the default (2012) survey's first."""
    others = sorted(p for p in config.DATA_DIR.glob("*.codebook.toml") if p.resolve() != DEFAULT_CODEBOOK.resolve())
    return [DEFAULT_CODEBOOK, *others]


def _layout(path: Path) -> Layout:
    book = read_codebook(path)
    kind = "survey" if path == DEFAULT_CODEBOOK else path.name.removesuffix(".codebook.toml")
    return Layout(kind, f"{book.title}: one row per responding {book.respondent} (codebook {path.name})",
                  book.required_columns, check=partial(check_survey, codebook_path=path))


LAYOUTS = tuple(_layout(path) for path in _bundled_codebooks())
