"""Recognising which supported file layout an input file is, by its header (``ccgtools check``).

The shared base of ``ccgtools check`` and of ``layout = "auto"``: a :class:`Layout` says which
columns a layout must have (exact names, or one of several spellings), and how to validate and
describe a file in it. Layouts are *declared* by the briefing packages that read them
(``survey.layouts``, ``nhs111.layouts``, ``practices.layouts``) and *assembled* by the command line
(layer 5), because this module, in the shared base, may not import a briefing package.

Recognition reads only the first line of the file (with the same encodings as
:func:`ccgtools.io.read_csv_checked`: UTF-8 with or without a byte-order mark, else
Windows-1252). A file matches a layout when its header has every required column; when several
layouts match, the most specific (the one requiring most columns) wins. A file matching none is
described against the *nearest* layout: the one with the largest share of its required columns
present.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .errors import DataError

#: Bytes read to recognise a file (its header and a little more).
SNIFF_BYTES = 65_536
#: The first bytes of an Excel workbook (a zip file) and of an old binary .xls file.
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


@dataclass
class Found:
    """What validating a file found: rows, units, periods, notes and the notebook parameters to use it.

    ``parameters`` maps each notebook parameter to its value (the file's path as a notebook takes
    it, and settings such as ``layout``); ``notebook`` is the notebook that reads the file.
    """

    rows: int
    units: str
    periods: str = ""
    notes: list[str] = field(default_factory=list)
    parameters: dict[str, object] = field(default_factory=dict)
    notebook: str = ""


@dataclass(frozen=True)
class Layout:
    """One supported file layout.

    Parameters
    ----------
    kind : str
        Short name used by ``ccgtools check --as KIND``, e.g. ``"iucadc_weekly"``.
    title : str
        What the file is, in words.
    columns : tuple
        Required columns: each a name, or a tuple of names of which any one will do
        (``("region", "region_name")``).
    optional : tuple of str
        Columns the layout may have (reported as known, not as unexpected).
    width : int, optional
        For a file with no header row (ODS files): its number of fields.
    check : callable
        ``check(path, shown) -> Found``: loads the file with the briefing's own loader (raising
        :class:`~ccgtools.errors.DataError` at the first problem) and describes it; ``shown`` is
        the path as a notebook parameter should give it.
    """

    kind: str
    title: str
    columns: tuple = ()
    optional: tuple[str, ...] = ()
    width: int | None = None
    check: Callable[[Path, str], Found] | None = None

    @property
    def known_columns(self) -> set[str]:
        """Every column name the layout knows (required in any spelling, or optional)."""
        names = set(self.optional)
        for column in self.columns:
            names.update(column if isinstance(column, tuple) else (column,))
        return names

    def missing(self, header: Sequence[str]) -> list[str]:
        """Required columns absent from ``header`` (an alternative shown as ``a or b``)."""
        present = set(header)
        out = []
        for column in self.columns:
            names = column if isinstance(column, tuple) else (column,)
            if not present.intersection(names):
                out.append(" or ".join(names))
        return out


@dataclass(frozen=True)
class Match:
    """A layout compared with a file's header: the columns missing and those it does not know."""

    layout: Layout
    missing: tuple[str, ...]
    unexpected: tuple[str, ...]
    score: float

    @property
    def complete(self) -> bool:
        return not self.missing


def read_header(path: str | Path) -> list[str]:
    """The first row of a CSV file, each field stripped; DataError naming the file when it has none.

    Method: read at most :data:`SNIFF_BYTES` bytes; refuse a binary file (a NUL byte, or an Excel
    workbook's signature) and an empty one; decode as UTF-8 (a byte-order mark dropped), else as
    Windows-1252; parse the first line with :mod:`csv`.

    Raises
    ------
    DataError
        File not found, empty, binary, an Excel workbook, or not decodable text.
    """
    path = config.resolve_path(path)
    if not path.is_file():
        raise DataError("file not found", path=path,
                        expected="an existing CSV file (a relative path is taken from the project root)")
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(_WORKBOOK_MAGIC):
        raise DataError("an Excel workbook, not a CSV file", path=path, row=1,
                        expected="a CSV file (in Excel: File > Save As > CSV UTF-8)")
    if b"\x00" in head:
        raise DataError("binary content, not a text CSV file", path=path, row=1,
                        expected="a CSV file saved as text")
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise DataError("the file is empty", path=path, expected="a header row and at least one data row")
    text = decode(head, path)
    first = next(csv.reader(text.lstrip("\ufeff").splitlines()[:1]), [])
    return [name.strip() for name in first]


def decode(data: bytes, path: Path) -> str:
    """``data`` as text: UTF-8 (with or without a byte-order mark), else Windows-1252.

    A cut in the middle of a multi-byte character at the end of a partial read is ignored.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[:exc.start].decode("utf-8-sig")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise DataError("cannot decode the file", path=path, expected="UTF-8 or Windows-1252 text") from None


def compare(layout: Layout, header: Sequence[str]) -> Match:
    """Compare a header with one layout.

    Method: a layout with a header scores the share of its required columns present, less 0.01 per
    column it does not know (so, of two layouts equally present, the one explaining more of the
    header is nearer). A header-less layout (``width``) matches when the row has exactly ``width``
    fields and none of them is a column name of the layout's own file (which would be a header).
    """
    if layout.width is not None:
        fits = (len(header) == layout.width and not any(h.lower() in layout.known_columns for h in header)
                and bool(header) and header[0].isalnum())
        missing = () if fits else (f"{layout.width} fields and no header row (found {len(header)} fields)",)
        return Match(layout, missing, (), 1.0 if fits else 0.0)
    missing = tuple(layout.missing(header))
    unexpected = tuple(h for h in header if h and h not in layout.known_columns)
    required = max(len(layout.columns), 1)
    score = (required - len(missing)) / required - 0.01 * len(unexpected)
    return Match(layout, missing, unexpected, score)


def recognise(header: Sequence[str], layouts: Iterable[Layout]) -> tuple[Match | None, Match | None]:
    """The layout a header is, and else the nearest one: ``(match, nearest)``, one of them None.

    Method: every complete match, a layout with a header before one without (a header row is a
    stronger sign than a number of fields), then the most specific (most required columns), then the
    highest score; with none, the highest-scoring comparison (see :func:`compare`).
    """
    comparisons = [compare(layout, header) for layout in layouts]
    complete = [m for m in comparisons if m.complete]
    if complete:
        best = max(complete, key=lambda m: (m.layout.width is None, len(m.layout.columns), m.score))
        return best, None
    if not comparisons:
        return None, None
    return None, max(comparisons, key=lambda m: m.score)


def by_kind(kind: str, layouts: Sequence[Layout]) -> Layout:
    """The layout named ``kind``; ParameterError listing the kinds there are otherwise."""
    for layout in layouts:
        if layout.kind == kind:
            return layout
    from .errors import ParameterError

    raise ParameterError(f"unknown layout {kind!r}; expected one of {', '.join(x.kind for x in layouts)}")


def describe_mismatch(path: Path, nearest: Match | None) -> str:
    """A sentence naming the nearest layout and the columns that differ."""
    if nearest is None or nearest.score <= 0:
        return (f"{config.shown_path(path)}: not a layout ccgtools reads (no layout has any of its columns); "
                "`ccgtools check --list` lists them")
    parts = [(f"{config.shown_path(path)}: not a supported layout; nearest: {nearest.layout.title} "
              f"({nearest.layout.kind})")]
    if nearest.missing:
        parts.append("missing column(s) " + ", ".join(repr(c) for c in nearest.missing))
    if nearest.unexpected:
        parts.append("column(s) it does not have " + ", ".join(repr(c) for c in nearest.unexpected[:12])
                     + (f" and {len(nearest.unexpected) - 12} more" if len(nearest.unexpected) > 12 else ""))
    return "; ".join(parts)


def notebook_path(path: Path) -> str:
    """How a notebook parameter should give ``path``: relative to the project root when inside it or
    beside it (``../shared/real-data/x.csv``, as ``briefings.toml`` writes it), else absolute."""
    path = Path(os.path.normpath(Path(path).absolute()))
    if path.is_relative_to(config.PROJECT_ROOT.parent) and len(config.PROJECT_ROOT.parent.parts) > 1:
        return Path(os.path.relpath(path, config.PROJECT_ROOT)).as_posix()
    return str(path)


class Hint(str):
    """A parameter value ``ccgtools check`` cannot know (e.g. "your contract lookup"): printed as a comment."""


def parameter_line(name: str, value: object) -> str:
    """One notebook parameter as a line to paste into the parameters cell (a :class:`Hint` as a comment)."""
    if isinstance(value, Hint):
        return f"{name} = ...  # {value}"
    if isinstance(value, str):
        return f'{name} = "{value}"'
    return f"{name} = {value!r}"
