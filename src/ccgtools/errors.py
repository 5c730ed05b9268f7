"""The exceptions ccgtools raises: one small hierarchy, messages a person can act on."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class CcgtoolsError(Exception):
    """Base class of every error ccgtools raises on purpose."""


class DataError(CcgtoolsError, ValueError):
    """Input data that cannot be used as it is.

    The message names the file, the row (as a spreadsheet user counts it: the
    header is row 1, the first data row is row 2), the column, the bad value
    and what was expected. Each part is also kept as an attribute.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        expected: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = None if path is None else str(path)
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.path is not None:
            where.append(f"file {self.path}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = self.problem
        if where:
            text = f"{', '.join(where)}: {text}"
        if self.value is not None:
            text += f"; found {self.value!r}"
        if self.expected is not None:
            text += f"; expected {self.expected}"
        return text


class ParameterError(CcgtoolsError, ValueError):
    """A notebook or function parameter outside what is allowed."""


class ConfigError(CcgtoolsError):
    """A build configuration file that cannot be used."""
