"""The exceptions ccgtools raises: one small hierarchy, messages a person can act on.

Imported inside an IPython kernel (JupyterLab, papermill), this module also registers
a handler that shows a :class:`CcgtoolsError` as its one-line message instead of a
long traceback; ``%tb`` in the next cell prints the full traceback. The cell still
fails as any error does, so Run All stops there and papermill reports the cell.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .config import shown_path


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
        self.shown_path = None if path is None else shown_path(path)
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.path is not None:
            where.append(f"file {self.shown_path}")
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


#: The note under a ccgtools error in a notebook.
FULL_TRACEBACK_NOTE = "(ccgtools error. For the full traceback, run %tb in a new cell.)"


def notebook_message(shell, etype, value, tb, tb_offset=None) -> list[str]:
    """Show a ccgtools error in an IPython kernel as its message and a note on %tb.

    An IPython custom exception handler (``set_custom_exc``). IPython does not
    show what such a handler returns, so it shows the message itself, through
    the shell's ``_showtraceback`` (which ipykernel sends to the notebook as the
    cell's error output, so the cell fails as usual). The exception is kept as the
    last one (``sys.last_value`` and so on), so ``%tb`` prints its full traceback
    and ``%debug`` opens it.

    Parameters
    ----------
    shell : IPython.core.interactiveshell.InteractiveShell
        The shell the error happened in.
    etype, value, tb
        The exception type, the exception and its traceback.
    tb_offset : int, optional
        Unused: the message has no traceback to offset.

    Returns
    -------
    list of str
        The structured traceback IPython shows in the cell's error output.
    """
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb
    if sys.version_info >= (3, 12):
        sys.last_exc = value
    message = [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}", FULL_TRACEBACK_NOTE]
    shell._showtraceback(etype, value, message)
    return message


def register_notebook_handler() -> bool:
    """Show ccgtools errors as one message when running inside an IPython kernel.

    Does nothing outside a kernel: in plain Python, pytest or a terminal IPython,
    errors keep their usual traceback. IPython is not imported here; it is used
    only when the process has already imported it.

    Returns
    -------
    bool
        True when the handler was registered.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, "kernel", None) is None:
        return False
    shell.set_custom_exc((CcgtoolsError,), notebook_message)
    return True


register_notebook_handler()
