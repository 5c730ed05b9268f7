"""Reading and validating input files.

Every loader in ccgtools reads through :func:`read_csv_checked` and validates
with the ``check_*`` functions here, so a bad file always produces a
:class:`~ccgtools.errors.DataError` naming the file, the row (the header is
row 1, the first data row row 2), the column, the bad value and what was
expected, never a bare traceback.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .config import resolve_path
from .errors import DataError

#: Values that published NHS files use for a suppressed or missing cell.
SUPPRESSED_MARKERS = frozenset({"*", "..", ":", "-", "c", "x"})

_PARSER_LINE = re.compile(r"line (\d+)")

#: Every input file read in this process, in the order first read: a page lists these as its data.
_FILES_READ: list[Path] = []


#: Lists open in :func:`recording_reads`, each receiving the files read while it is open.
_RECORDINGS: list[list[Path]] = []


def note_read(path: Path) -> None:
    """Record that ``path`` (as resolved) was read as an input, once."""
    for files in [_FILES_READ, *_RECORDINGS]:
        if path not in files:
            files.append(path)


@contextmanager
def recording_reads():
    """The files read inside the block (each once, in order), including any also read before it."""
    files: list[Path] = []
    _RECORDINGS.append(files)
    try:
        yield files
    finally:
        _RECORDINGS.remove(files)


def files_read() -> list[Path]:
    """The input files read so far in this process (one kernel runs one briefing), in order."""
    return list(_FILES_READ)


def read_definitions(path: Path, fields: Sequence[str], make: Callable[..., object]) -> dict[str, object]:
    """Every definition in a TOML file of ``[key]`` tables, each made by ``make(key=key, **fields)``.

    A definition missing one of ``fields`` is a :class:`~ccgtools.errors.DataError` naming the file and the key.
    """
    definitions = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    out = {}
    for key, given in definitions.items():
        missing = [f for f in fields if f not in given]
        if missing:
            raise DataError(f"definition lacks {', '.join(missing)}", path=path, column=key,
                            expected=f"the fields {', '.join(fields)}")
        out[key] = make(key=key, **{f: given[f] for f in fields})
    return out


def spreadsheet_row(index_label: int) -> int:
    """Row number a spreadsheet user sees for a 0-based data row (header is row 1)."""
    return int(index_label) + 2


def read_csv_checked(
    path: str | Path,
    required_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """Read a CSV file as text, with clear errors for the usual problems.

    Every cell is read as a string with surrounding whitespace removed; blank
    cells become missing (``<NA>``). A UTF-8 byte-order mark and Windows line
    endings are accepted; a file that is not UTF-8 is read as Windows-1252,
    the encoding of CSVs saved by Excel on Windows.

    Parameters
    ----------
    path : str or Path
        The CSV file; a relative path is taken from the project root
        (:func:`ccgtools.config.resolve_path`).
    required_columns : sequence of str
        Columns that must be present (extra columns are kept).

    Returns
    -------
    pandas.DataFrame
        One row per data row, with a default RangeIndex (row ``i`` is
        spreadsheet row ``i + 2``).

    Raises
    ------
    DataError
        When the file is missing, empty, malformed, has no data rows or lacks
        a required column.
    """
    path = resolve_path(path)
    if not path.is_file():
        raise DataError("file not found", path=path,
                        expected="an existing CSV file (a relative path is taken from the project root)")
    check_text_file(path)
    frame = _read_text_csv(path)
    check_header(frame, _first_row(path), path)
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise DataError("the file has a header but no data rows", path=path,
                        expected="at least one data row")
    note_read(path)
    check_columns(frame, required_columns, path=path)
    for column in frame.columns:
        frame[column] = frame[column].str.strip().replace("", pd.NA)
    return frame


#: The first bytes of an Excel workbook (a zip file) and of an old binary .xls file.
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def _first_row(path: Path) -> list[str]:
    """The header row's fields as written (to tell a repeated name from a name that really ends ``.1``)."""
    import csv

    data = path.read_bytes()[:65_536]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return next(csv.reader(text.splitlines()[:1]), [])


def check_text_file(path: Path) -> None:
    """Raise DataError unless ``path`` is an existing, non-empty text file (not a workbook, not binary).

    Method: the whole file is read as bytes; an Excel signature or a NUL byte (never in CSV
    text) marks a binary file; a file of nothing but a byte-order mark and white space is empty.
    """
    if not path.is_file():
        raise DataError("file not found", path=path,
                        expected="an existing CSV file (a relative path is taken from the project root)")
    data = path.read_bytes()
    if data.startswith(_WORKBOOK_MAGIC):
        raise DataError("an Excel workbook, not a CSV file", path=path, row=1,
                        expected="a CSV file (in Excel: File > Save As > CSV UTF-8)")
    if b"\x00" in data:
        raise DataError("binary content, not a text CSV file", path=path, row=1, expected="a CSV file saved as text")
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise DataError("the file is empty", path=path, expected="a header row and at least one data row")


def read_headerless_csv(path: str | Path, names: Sequence[str]) -> pd.DataFrame:
    """Read a CSV with no header row (ODS files) as text columns ``names``, with the errors of
    :func:`read_csv_checked`: not found, empty, binary, undecodable, malformed, or a row of another width.

    Returns
    -------
    pandas.DataFrame
        Row ``i`` is the file's line ``i + 1`` (there is no header).
    """
    path = resolve_path(path)
    check_text_file(path)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            raw = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding=encoding)
            break
        except UnicodeDecodeError:
            continue
        except pd.errors.ParserError as exc:
            problem = parser_problem(exc, path)
            if "quoted" in problem.problem:
                raise problem from exc
            raise DataError("malformed CSV: a row has more fields than the first row", path=path, row=problem.row,
                            expected=f"{len(names)} comma-separated fields on every row") from exc
    else:
        raise DataError("cannot decode the file", path=path, expected="UTF-8 or Windows-1252 text")
    note_read(path)
    if raw.shape[1] != len(names):
        raise DataError(f"{raw.shape[1]} columns", path=path, row=1,
                        expected=f"the {len(names)} columns of this layout and no header row")
    raw.columns = list(names)
    for column in raw.columns:
        raw[column] = raw[column].str.strip().replace("", pd.NA)
    return raw


def check_columns(frame: pd.DataFrame, required_columns: Sequence[str], *, path: str | Path | None = None) -> None:
    """Raise DataError (row 1, the header) naming the first required column ``frame`` lacks, and all of them."""
    missing = [c for c in required_columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"missing required column(s) {', '.join(repr(c) for c in missing)}",
            path=path,
            row=1,
            column=missing[0],
            expected=f"a header with the columns {', '.join(required_columns)}",
        )


def _read_text_csv(path: Path) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
        except pd.errors.ParserError as exc:
            raise parser_problem(exc, path) from exc
    raise DataError("cannot decode the file", path=path, expected="UTF-8 or Windows-1252 text")


_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def parser_problem(exc: Exception, path: Path) -> DataError:
    """The DataError for a pandas ParserError: a row with too many fields (its line), or a quote never closed.

    pandas counts a quote's "row" from 0 at the header, so its spreadsheet row is one more.
    """
    text = str(exc)
    quote = _OPEN_QUOTE.search(text)
    if quote:
        return DataError("malformed CSV: a quoted cell is never closed (a \" without its partner)", path=path,
                         row=int(quote.group(1)) + 1, expected="every opening \" closed in the same cell")
    match = _PARSER_LINE.search(text)
    return DataError("malformed CSV: a row has more fields than the header", path=path,
                     row=int(match.group(1)) if match else None,
                     expected="the same number of comma-separated fields on every row")


_MANGLED = re.compile(r"^(.*)\.(\d+)$")


def check_header(frame: pd.DataFrame, header: Sequence[str], path: Path) -> None:
    """DataError (row 1) for a header that repeats a column name, or is one column holding ``;`` or tab separators.

    Method: pandas renames a repeated ``x`` to ``x.1``; a column so named whose stem is also a column
    is a repeat. A single column whose name contains ``;`` or a tab is a file saved with another
    separator (European Excel writes ``;``).
    """
    for column in frame.columns:
        match = _MANGLED.match(str(column))
        if match and match.group(1) in frame.columns and column not in header:
            raise DataError("a column name appears twice in the header", path=path, row=1, column=match.group(1),
                            expected="each column once")
    if len(frame.columns) == 1:
        name = str(frame.columns[0])
        for separator, word in ((";", "semicolons"), ("\t", "tabs")):
            if separator in name:
                raise DataError(f"the columns are separated by {word}, not commas", path=path, row=1,
                                expected="a comma-separated file (in Excel: Save As, CSV UTF-8 (comma delimited))")


def check_allowed_values(
    frame: pd.DataFrame,
    column: str,
    allowed: Iterable[str],
    *,
    path: str | Path | None = None,
    allow_missing: bool = True,
) -> None:
    """Raise DataError at the first cell of ``column`` not in ``allowed``.

    Missing cells pass when ``allow_missing`` (item non-response).
    """
    allowed = list(allowed)
    values = frame[column]
    bad = values.notna() & ~values.isin(allowed)
    if not allow_missing:
        bad |= values.isna()
    if bad.any():
        label = bad.idxmax()
        value = values.loc[label]
        if pd.isna(value):
            problem = "a required value is missing"
            value = None
        elif value in SUPPRESSED_MARKERS:
            problem = "a suppressed cell cannot be used here"
        else:
            problem = "unknown value"
        raise DataError(problem, path=path, row=spreadsheet_row(label), column=column, value=value,
                        expected="one of " + ", ".join(repr(a) for a in allowed))


def check_unique(frame: pd.DataFrame, column: str, *, path: str | Path | None = None) -> None:
    """Raise DataError at the first repeat of a value that must be unique (an id)."""
    values = frame[column]
    if values.isna().any():
        label = values.isna().idxmax()
        raise DataError("an identifier is missing", path=path, row=spreadsheet_row(label),
                        column=column, expected="a unique identifier on every row")
    repeated = values.duplicated(keep="first")
    if repeated.any():
        label = repeated.idxmax()
        first = values[values == values.loc[label]].index[0]
        raise DataError(
            f"repeated identifier (first seen on row {spreadsheet_row(first)})",
            path=path, row=spreadsheet_row(label), column=column, value=values.loc[label],
            expected="each identifier once",
        )


def check_unique_rows(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    path: str | Path | None = None,
    problem: str | None = None,
    column: str | None = None,
    expected: str | None = None,
) -> None:
    """Raise DataError at the first row whose values in ``columns`` repeat an earlier row's (a key given twice).

    The one check of a key over several columns (practice, sex and age group; contract and period),
    beside :func:`check_unique` for a single identifier column.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows as read (index label ``i`` is spreadsheet row ``i + 2``); it may be a filtered subset.
    columns : sequence of str
        The key columns, as named in ``frame``.
    path : str or Path, optional
        The file, named in the error.
    problem : str, optional
        The wording of the error; default "``a, b and c`` given twice". The first row holding the
        same key is added in brackets.
    column : str, optional
        The column to name in the error, as the user's file writes it; default ``columns[0]``.
    expected : str, optional
        What was expected; default "one row per ``a, b and c``".

    Raises
    ------
    DataError
        Naming the file, the repeating row, ``column``, its value and the row it first appeared on.
    """
    columns = list(columns)
    repeated = frame.duplicated(columns, keep="first")
    if not repeated.any():
        return
    position = int(repeated.to_numpy().argmax())
    keys = [tuple(None if pd.isna(v) else v for v in row) for row in frame[columns].astype(object).to_numpy()]
    label, first = frame.index[position], frame.index[keys.index(keys[position])]
    words = ", ".join(columns[:-1]) + f" and {columns[-1]}" if len(columns) > 1 else columns[0]
    shown = column or columns[0]
    value = frame.loc[label, columns[0]] if column is None or column not in frame else frame.loc[label, column]
    raise DataError(f"{problem or words + ' given twice'} (first seen on row {spreadsheet_row(first)})", path=path,
                    row=spreadsheet_row(label), column=shown, value=None if pd.isna(value) else value,
                    expected=expected or f"one row per {words}")


def to_numbers(
    frame: pd.DataFrame,
    column: str,
    *,
    path: str | Path | None = None,
    allow_missing: bool = False,
    whole: bool = False,
) -> pd.Series:
    """Convert a text column to non-negative numbers, or raise DataError at the first bad cell.

    Thousands separators are accepted. A suppressed marker (``*``, ``..``) or blank is
    missing data, never zero: it is an error unless ``allow_missing``, and then becomes
    missing. With ``whole`` the numbers must be whole (counts).

    Returns
    -------
    pandas.Series
        Nullable ``Int64`` when ``whole``, else ``float64``; same index as ``frame``.
    """
    noun = "count" if whole else "value"
    text = frame[column]
    numbers = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    bad = numbers.isna() | (numbers < 0)
    if whole:
        bad |= numbers % 1 != 0
    for label in text.index[bad]:
        value = text.loc[label]
        if pd.isna(value) or value in SUPPRESSED_MARKERS:
            if allow_missing:
                continue
            problem = f"suppressed {noun}" if pd.notna(value) else f"a required {noun} is missing"
        elif pd.isna(numbers.loc[label]):
            problem = "not a number"
        elif numbers.loc[label] < 0:
            problem = f"negative {noun}"
        else:
            problem = f"fractional {noun}"
        raise DataError(problem, path=path, row=spreadsheet_row(label), column=column,
                        value=None if pd.isna(value) else value,
                        expected="a whole number of 0 or more" if whole else "a number of 0 or more")
    if whole:
        return numbers.astype("Float64").round().astype("Int64")
    return numbers.astype(float)


def to_counts(
    frame: pd.DataFrame,
    column: str,
    *,
    path: str | Path | None = None,
    allow_missing: bool = False,
) -> pd.Series:
    """Convert a text column to non-negative whole numbers (:func:`to_numbers` with ``whole=True``).

    Returns
    -------
    pandas.Series
        Nullable ``Int64`` counts, same index as ``frame``.
    """
    return to_numbers(frame, column, path=path, allow_missing=allow_missing, whole=True)


#: The earliest date a ccgtools input may hold: the NHS began on 5 July 1948.
FIRST_PLAUSIBLE_DATE = dt.date(1948, 7, 5)


def last_plausible_date(today: dt.date | None = None) -> dt.date:
    """The latest date an input may hold: a year after ``today`` (published data are never later)."""
    today = today or dt.date.today()
    return today.replace(year=today.year + 1) if not (today.month == 2 and today.day == 29) else \
        dt.date(today.year + 1, 2, 28)


def to_dates(frame: pd.DataFrame, column: str, *, path: str | Path | None = None,
             today: dt.date | None = None) -> pd.Series:
    """Parse a column of dates written YYYY-MM-DD, or raise DataError at the first bad cell.

    Method: :func:`pandas.to_datetime` with the exact format (so ``2013-02-30`` is not a date),
    then a plausibility range: from :data:`FIRST_PLAUSIBLE_DATE` to a year after ``today``
    (:func:`last_plausible_date`), so a mistyped year such as 2099 is refused by name instead of
    being analysed (and plotted as a special cause).

    Returns
    -------
    pandas.Series
        ``datetime64`` values, same index as ``frame``.
    """
    text = frame[column]
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if parsed.isna().any():
        label = parsed.isna().idxmax()
        value = text.loc[label]
        raise DataError("not a date" if pd.notna(value) else "a required date is missing", path=path,
                        row=spreadsheet_row(label), column=column, value=None if pd.isna(value) else value,
                        expected="a date written YYYY-MM-DD")
    first, last = pd.Timestamp(FIRST_PLAUSIBLE_DATE), pd.Timestamp(last_plausible_date(today))
    outside = (parsed < first) | (parsed > last)
    if outside.any():
        label = outside.idxmax()
        raise DataError("date outside the plausible range", path=path, row=spreadsheet_row(label), column=column,
                        value=text.loc[label], expected=f"a date from {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    return parsed
