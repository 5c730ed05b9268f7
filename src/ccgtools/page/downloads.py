"""Downloads an analyst can use: tidy CSV files and the Frictionless Data Package that describes them.

Every table a briefing publishes goes through :func:`tidy_frame` on its way to CSV (called by
:func:`ccgtools.page.show.show_table`):

* headers are snake_case, and the unit is part of the name (``_percent`` for 0-100,
  ``_ratio``, ``_per_1000``);
* numbers are numbers: counts as whole numbers, no thousands separators, no intervals written
  as text; floats are rounded to :data:`SIGNIFICANT_DIGITS` significant digits (no float noise);
* blank is missing: a value withheld by :mod:`ccgtools.page.disclosure` stays blank, with the
  table's ``suppressed`` column saying which rows were withheld;
* text that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``, tab or
  carriage return) is neutralised with a leading apostrophe.

The type of each column (integer, number, boolean, string, date) is read from the tidied
frame. Its description and unit come from one data file, ``fields.toml`` beside this module
(:func:`field_dictionary`); :func:`data_package` refuses a table with a column the dictionary
lacks, naming the table and the column, so nothing is published undocumented.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

#: The field dictionary: column name → description, unit (optional) and type (optional).
FIELDS_FILE = Path(__file__).with_name("fields.toml")
#: Significant digits kept in every published float.
SIGNIFICANT_DIGITS = 10
#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Marks a readable table uses for "withheld" and "not applicable" (blank in a CSV).
READABLE_MARKS = frozenset({"*", "–", ""})
TYPES = ("integer", "number", "boolean", "string", "date")

_SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FORMATTED_NUMBER = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


class UndocumentedField(ValueError):
    """A published table has a column that the field dictionary does not describe."""


def is_snake_case(name: object) -> bool:
    """Whether ``name`` is a snake_case header: lower-case letters and digits in words joined by ``_``."""
    return isinstance(name, str) and bool(_SNAKE_CASE.match(name))


def snake_case(heading: str) -> str:
    """A readable heading as a snake_case name: "Rate (%)" → ``rate_percent``, "A&E" → ``a_and_e``.

    Parameters
    ----------
    heading : str

    Returns
    -------
    str
        Lower case; ``%`` becomes "percent", ``&`` "and", every other run of punctuation or
        spaces one underscore; a name that would start with a digit starts with ``n_``.
    """
    text = str(heading).replace("%", " percent ").replace("&", " and ").lower()
    name = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return f"n_{name}" if name[:1].isdigit() else (name or "column")


def neutralise_formula(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would run it as a formula (=, +, -, @...)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def round_significant(values: pd.Series, digits: int = SIGNIFICANT_DIGITS) -> pd.Series:
    """Floats rounded to ``digits`` significant digits (missing and infinite values left as they are)."""
    array = values.to_numpy(dtype=float, na_value=np.nan)
    finite = np.isfinite(array) & (array != 0)
    places = np.zeros_like(array)
    places[finite] = digits - 1 - np.floor(np.log10(np.abs(array[finite])))
    rounded = array.copy()
    rounded[finite] = [round(v, int(p)) for v, p in zip(array[finite], places[finite])]
    return pd.Series(rounded, index=values.index, name=values.name)


@lru_cache(maxsize=1)
def field_dictionary() -> dict[str, dict]:
    """Every documented field: name → ``{"description", "unit" (optional), "type" (optional)}``.

    Raises
    ------
    ValueError
        When an entry has no description, or an unknown type.
    """
    entries = tomllib.loads(FIELDS_FILE.read_text(encoding="utf-8"))
    for name, entry in entries.items():
        if not entry.get("description"):
            raise ValueError(f"{FIELDS_FILE.name}: field {name!r} has no description")
        if entry.get("type", "string") not in TYPES:
            raise ValueError(f"{FIELDS_FILE.name}: field {name!r} has type {entry['type']!r}; "
                             f"expected one of {', '.join(TYPES)}")
    return entries


def field_heading(name: str) -> str:
    """The heading a page gives the column ``name`` in a chart's data table: the field dictionary's ``heading``,
    else the name itself (as in the CSV file)."""
    return str(field_dictionary().get(name, {}).get("heading", name))


def _is_text(values: pd.Series) -> bool:
    """Whether a column is held as text or Python objects (pandas' ``str`` or ``object`` dtype)."""
    return values.dtype == object or isinstance(values.dtype, pd.StringDtype)


def _is_boolean(values: pd.Series) -> bool:
    """Whether an object column holds only True/False (and missing values)."""
    present = values.dropna()
    return len(present) > 0 and all(isinstance(v, (bool, np.bool_)) for v in present)


def _is_date_text(values: pd.Series) -> bool:
    """Whether a text column holds only ISO dates (YYYY-MM-DD) and missing values."""
    present = values.dropna()
    return len(present) > 0 and all(isinstance(v, str) and _ISO_DATE.match(v) for v in present)


def field_type(values: pd.Series) -> str:
    """The Table Schema type of a tidied column: integer, number, boolean, date or string."""
    if pd.api.types.is_bool_dtype(values) or (_is_text(values) and _is_boolean(values)):
        return "boolean"
    if pd.api.types.is_integer_dtype(values):
        return "integer"
    if pd.api.types.is_float_dtype(values):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(values) or _is_date_text(values):
        return "date"
    return "string"


def _as_declared(values: pd.Series, declared: str, where: str) -> pd.Series:
    """A column converted to the type its dictionary entry declares (integer or boolean); checked to fit."""
    if declared == "integer" and pd.api.types.is_float_dtype(values):
        present = values.dropna()
        if not np.all(np.isfinite(present)) or not np.all(present == np.round(present)):
            raise ValueError(f"{where}: the field dictionary says whole numbers, but it holds "
                             f"{present[present != np.round(present)].iloc[0]!r}")
        return values.astype("Float64").astype("Int64")
    if declared == "boolean" and pd.api.types.is_integer_dtype(values):
        return values.astype("Int64").astype("boolean")  # a blanked boolean comes back as 0/1
    return values


def tidy_frame(frame: pd.DataFrame, *, table: str = "table") -> pd.DataFrame:
    """The table as it is to be written to CSV.

    Parameters
    ----------
    frame : pandas.DataFrame
        Numbers as computed, suppressed values already missing.
    table : str
        The table's name, for error messages.

    Returns
    -------
    pandas.DataFrame
        Columns declared integer or boolean in the field dictionary converted to them (whole
        floats to nullable integers), floats rounded to :data:`SIGNIFICANT_DIGITS` significant
        digits, dates as ``YYYY-MM-DD``, text that starts like a formula neutralised.

    Raises
    ------
    ValueError
        When a header is not snake_case or appears twice, or a column declared integer holds a
        fraction, naming the table and the column.
    """
    bad = [str(c) for c in frame.columns if not is_snake_case(c)]
    if bad:
        raise ValueError(f"table {table!r}: column {bad[0]!r} is not a snake_case name (e.g. "
                         f"{snake_case(bad[0])!r}); name CSV columns in lower case with underscores")
    repeated = frame.columns[frame.columns.duplicated()].tolist()
    if repeated:
        raise ValueError(f"table {table!r}: column {repeated[0]!r} appears twice")
    dictionary = field_dictionary()
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        declared = dictionary.get(column, {}).get("type")
        if declared:
            values = _as_declared(values, declared, f"table {table!r}, column {column!r}")
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna(), None)
        elif pd.api.types.is_float_dtype(values):
            values = round_significant(values)
        elif _is_text(values) and not _is_boolean(values):
            values = values.astype(object).map(lambda v: neutralise_formula(v) if isinstance(v, str) else v)
        out[column] = values
    out.attrs = dict(frame.attrs)
    return out.reset_index(drop=True)


def readable_to_data(table: pd.DataFrame) -> pd.DataFrame:
    """A readable (text) table turned back into data, for a table published without its numbers.

    Headings become snake_case names (:func:`snake_case`); the marks ``*`` and ``–`` become blank;
    a column of formatted numbers ("2,377", "0.5") becomes numbers (whole ones integers); a column
    of Yes/No becomes booleans. Passing the numbers themselves (``show_table(..., csv=...)``) is
    better: this recovers only what the text kept.
    """
    out = pd.DataFrame(index=table.index)
    for heading in table.columns:
        values = table[heading]
        if _is_text(values) and all(isinstance(v, str) or pd.isna(v) for v in values):
            marked = values.astype(object).where(values.notna(), "").isin(READABLE_MARKS)
            present = values[~marked].astype(str)
            values = values.astype(object).where(~marked, None)
            if len(present) and present.map(lambda v: bool(_FORMATTED_NUMBER.match(v))).all():
                numbers = pd.to_numeric(values.map(lambda v: v.replace(",", "") if isinstance(v, str) else v),
                                        errors="coerce")
                whole = not present.str.contains(".", regex=False).any()
                values = numbers.astype("Int64") if whole else numbers
            elif len(present) and present.isin(["Yes", "No"]).all():
                values = values.map({"Yes": True, "No": False}).astype("boolean")
        out[snake_case(heading)] = values
    out.attrs = dict(table.attrs)
    return out


def schema_fields(frame: pd.DataFrame) -> list[dict]:
    """``[{"name", "type"}, ...]`` for every column of a tidied frame (see :func:`field_type`)."""
    return [{"name": str(column), "type": field_type(frame[column])} for column in frame.columns]


def documented(fields: Sequence[Mapping], *, table: str) -> list[dict]:
    """The fields with their description and unit from the field dictionary.

    Raises
    ------
    UndocumentedField
        When a field is not in the dictionary, naming the table and the column.
    """
    dictionary = field_dictionary()
    out = []
    for field in fields:
        entry = dictionary.get(field["name"])
        if entry is None:
            raise UndocumentedField(
                f"table {table!r}: column {field['name']!r} is not in the field dictionary "
                f"(src/ccgtools/page/{FIELDS_FILE.name}): add its description and unit there")
        out.append({"name": field["name"], "type": field["type"], "description": entry["description"],
                    **({"unit": entry["unit"]} if entry.get("unit") else {})})
    return out


def _sentence(text: str) -> str:
    """``text`` ending with a full stop (unless it already ends a sentence)."""
    return text if text.rstrip().endswith((".", "?", "!")) else f"{text}."


def resource_name(table: str) -> str:
    """A Data Package resource name for a table: lower case, letters, digits, ``_``, ``-`` and ``.`` only."""
    return re.sub(r"[^a-z0-9._-]+", "_", table.lower())


def data_package(name: str, title: str, tables: Sequence[Mapping], *, description: str = "") -> dict:
    """The Frictionless Data Package descriptor (``datapackage.json``) of one briefing's CSV files.

    Parameters
    ----------
    name : str
        The briefing's name (its folder).
    title : str
        The briefing's title.
    tables : sequence of mapping
        One per CSV, in page order: ``name``, ``caption``, ``fields`` (``[{"name", "type"}]``)
        and optionally ``disclosure`` (the rules applied, in words).
    description : str
        What the briefing is.

    Returns
    -------
    dict
        A tabular data package: every CSV as a resource with its path, title (the caption),
        description, format, encoding and table schema (each field with its type,
        description and unit).

    Raises
    ------
    UndocumentedField
        When a table has a column the field dictionary lacks.
    """
    resources = []
    for table in tables:
        rules = " ".join(table.get("disclosure") or [])
        resources.append({
            "name": resource_name(table["name"]), "path": f"{table['name']}.csv", "profile": "tabular-data-resource",
            "title": table["caption"],
            "description": _sentence(table["caption"]) + (f" Disclosure control: {rules} Withheld values are "
                                                          "blank." if rules else ""),
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": documented(table["fields"], table=table["name"]), "missingValues": [""]},
        })
    return {"profile": "tabular-data-package", "name": resource_name(name), "title": title,
            **({"description": description} if description else {}), "resources": resources}
