"""Reading survey files as they arrive (CSV, Excel, SPSS ``.sav``), and drafting a codebook from one.

Every reader returns the same thing: one row per respondent, every cell as text (blank cells missing),
with SPSS value labels applied, so that the codebook's answer labels can be checked against it. An SPSS
file's own variable and value labels, or a CSV's distinct values, draft a codebook to edit
(:func:`draft_codebook`, ``ccgtools survey-codebook FILE``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataError
from ..io import note_read, read_csv_checked

#: File suffixes each reader takes.
SUFFIXES = {".csv": "CSV", ".txt": "CSV", ".xlsx": "Excel", ".xlsm": "Excel", ".sav": "SPSS", ".zsav": "SPSS"}
#: A column with at most this many distinct answers is drafted as a closed question; more, as free text.
MAX_CHOICES = 12


def _as_text(values: pd.Series) -> pd.Series:
    """A column as text: whole numbers without ".0", blanks and NaN missing, whitespace trimmed."""
    def one(value):
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            return pd.NA
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return str(int(value))
        text = str(value).strip()
        return text if text else pd.NA

    return values.astype(object).map(one).astype(object)


def _check_exists(path: Path, kind: str) -> None:
    if not path.is_file():
        raise DataError("file not found", path=path, expected=f"an existing {kind} file "
                        "(a relative path is taken from the project root)")


def read_excel(path: Path) -> pd.DataFrame:
    """The first sheet of an Excel workbook (openpyxl), header in row 1, as text."""
    _check_exists(path, "Excel")
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
    except Exception as error:  # openpyxl raises several kinds for a file that is not a workbook
        raise DataError(f"cannot be read as an Excel workbook ({type(error).__name__}: {error})", path=path,
                        expected="an .xlsx workbook with the header in row 1 of the first sheet") from None
    note_read(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise DataError("the sheet has a header but no data rows", path=path, expected="at least one data row")
    return frame.apply(_as_text)


def read_sav_with_labels(path: Path) -> tuple[pd.DataFrame, object]:
    """An SPSS file with its value labels applied (pyreadstat), as text, and its metadata."""
    import pyreadstat

    _check_exists(path, "SPSS .sav")
    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=True, formats_as_category=False)
    except Exception as error:  # pyreadstat.ReadstatError and others for a file that is not .sav
        raise DataError(f"cannot be read as an SPSS file ({type(error).__name__}: {error})", path=path,
                        expected="an SPSS .sav file") from None
    note_read(path)
    if frame.empty:
        raise DataError("the file has variables but no cases", path=path, expected="at least one case")
    return frame.apply(_as_text), meta


def read_survey_file(path: str | Path, required_columns=()) -> pd.DataFrame:
    """Read a respondent-level survey file of any supported format as text.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.xlsx`` or ``.sav`` file; a relative path is taken from the project root.
    required_columns : sequence of str
        Columns that must be present (a DataError names the first missing one, at row 1).

    Returns
    -------
    pandas.DataFrame
        One row per respondent (row ``i`` is spreadsheet row ``i + 2``), every cell text or missing;
        SPSS value labels applied.
    """
    path = config.resolve_path(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise DataError(f"unknown kind of survey file {path.suffix!r}", path=path,
                        expected="a .csv, .xlsx or .sav file")
    if kind == "CSV":
        return read_csv_checked(path, required_columns)
    frame = read_excel(path) if kind == "Excel" else read_sav_with_labels(path)[0]
    missing = [c for c in required_columns if c not in frame.columns]
    if missing:
        raise DataError(f"missing required column(s) {', '.join(repr(c) for c in missing)}", path=path, row=1,
                        column=missing[0], expected="the columns the codebook names: " + ", ".join(required_columns))
    return frame


# ------------------------------------------------------------------------------------------- drafting


def _guess(values: pd.Series, labels: dict | None, n_rows: int) -> dict:
    """A draft question (or id, or grouping) for one column, from its value labels or its distinct values."""
    answered = values.dropna()
    distinct = list(dict.fromkeys(answered))
    if labels:
        ordered = [str(v) for v in labels.values()]
        ordered += [d for d in distinct if d not in ordered]
    else:
        ordered = sorted(distinct, key=lambda v: (-int((answered == v).sum()), v))
    lower = [o.lower() for o in ordered]
    if not labels and answered.is_unique and len(answered) == n_rows:
        return {"role": "id"}
    if set(lower) <= {"yes", "no"} and len(ordered) == 2:
        yes = ordered[lower.index("yes")]
        return {"type": "yes_no", "answers": [yes, ordered[1 - lower.index("yes")]]}
    if len(ordered) > MAX_CHOICES:
        numeric = pd.to_numeric(answered, errors="coerce")
        if numeric.notna().all():
            return {"role": "number"}
        return {"type": "free_text"}
    scale_words = ("satisf", "agree", "good", "poor", "likely", "effective", "confident")
    if labels and len(ordered) in (4, 5, 7) and any(w in " ".join(lower) for w in scale_words):
        return {"type": "likert", "labels": ordered}
    return {"type": "single_choice", "answers": ordered}


def _toml(value) -> str:
    """A value written as TOML (strings, numbers, lists of them)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def draft_codebook(path: str | Path) -> str:
    """A draft codebook (TOML text) for a survey file, to be checked and edited before use.

    From an SPSS file: each variable's label becomes its question text and its value labels the answers, in
    the file's order; five- or seven-point labelled scales become Likert questions on a scale of their own.
    From a CSV or Excel file: each column's distinct values (at most :data:`MAX_CHOICES`, most common
    first) become the answers. A column unique on every row is taken for the respondent id; a numeric
    column with many values is left out (listed in a comment); text with many values is free text.

    Every guess is marked ``# check`` in the draft: the favourable end of each scale, the headline answers
    and the findings' words need a person.
    """
    path = config.resolve_path(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind == "SPSS":
        frame, meta = read_sav_with_labels(path)
        texts = dict(zip(meta.column_names, meta.column_labels))
        value_labels = meta.variable_value_labels
        title = meta.file_label or path.stem.replace("_", " ")
    else:
        frame = read_survey_file(path)
        texts, value_labels, title = {}, {}, path.stem.replace("_", " ")
    guesses = {c: _guess(frame[c], value_labels.get(c), len(frame)) for c in frame.columns}
    ids = [c for c, g in guesses.items() if g.get("role") == "id"]
    id_column = ids[0] if ids else frame.columns[0]
    lines = [f"# Draft codebook for {path.name}, written by `ccgtools survey-codebook`.",
             "# Check every line marked `# check`, then run the survey notebook with codebook_path and data_path.",
             "# The format is described in README.md, \"Use your own survey\".", "",
             "[survey]", f"title = {_toml(title)}  # check",
             'respondent = "respondent"  # check: one respondent, e.g. "CCG", "practice"',
             'respondents = "respondents"  # check: several, e.g. "CCGs"',
             f"id_column = {_toml(id_column)}", f"data = {_toml(path.name)}", "",
             "[suppression]", f"min_base = {config.SURVEY_MIN_RESPONSES}", ""]
    skipped = [c for c, g in guesses.items() if g.get("role") in ("id", "number") and c != id_column]
    if skipped:
        lines += ["# Not drafted (numbers or identifiers): " + ", ".join(skipped), ""]
    groupings = []
    for column, guess in guesses.items():
        if "type" not in guess:
            continue
        text = texts.get(column) or column.replace("_", " ")
        if guess["type"] == "likert":
            lines += [f"[scales.{column}]", f"labels = {_toml(guess['labels'])}",
                      'direction = "ascending"  # check: "ascending" if the last label is the most favourable',
                      'negative = "unfavourable"  # check: e.g. "dissatisfied"',
                      'positive = "favourable"  # check: e.g. "satisfied"', ""]
        lines += ["[[questions]]", f"column = {_toml(column)}", f"type = {_toml(guess['type'])}  # check",
                  f"text = {_toml(text)}"]
        if guess["type"] == "likert":
            lines += [f"scale = {_toml(column)}",
                      f"finding = {_toml('gave an unfavourable answer to: ' + text)}  # check"]
        elif guess["type"] == "yes_no":
            lines += [f"answers = {_toml(guess['answers'])}", f"headline = {_toml(guess['answers'][:1])}  # check",
                      f"finding = {_toml('answered ' + guess['answers'][0] + ' to: ' + text)}  # check"]
        elif guess["type"] == "single_choice":
            lines += [f"answers = {_toml(guess['answers'])}  # check the order", 'finding = "chose"  # check']
            if len(guess["answers"]) <= 8:
                groupings.append(column)
        lines.append("")
    for column in groupings:
        lines += ["[[groupings]]  # check: a breakdown to compare groups by", f"column = {_toml(column)}", ""]
    return "\n".join(lines)
