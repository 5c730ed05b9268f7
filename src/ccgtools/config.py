"""Paths and settings, in one place.

Every path is derived from this file's location, never from the current
working directory, so a notebook executed by papermill (which sets its own
working directory) or opened in JupyterLab finds the same data. Every function
that reads a path also takes it as an argument with one of these as default.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

#: The project root: the folder holding ``pyproject.toml``, ``data/``, ``notebooks/``.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
BUILD_CONFIG = PROJECT_ROOT / "briefings.toml"

#: Shared reference material beside the project (read-only; may be absent).
SHARED_DIR = PROJECT_ROOT.parent / "shared"

#: The bundled synthetic survey of CCGs (see data/README.md).
SURVEY_DATA = DATA_DIR / "survey_commissioning_support_2012_synthetic.csv"
SURVEY_SEED = 20120306

#: The bundled synthetic NHS 111 data, 2013-14 (see data/README.md).
NHS111_CONTRACTS = DATA_DIR / "nhs111_contracts_2013_synthetic.csv"
NHS111_ACTIVITY = DATA_DIR / "nhs111_daily_2013-14_synthetic.csv"
NHS111_SEED = 2013
#: Real IUC ADC sample and its contract lookup, beside the project (may be absent).
IUCADC_SAMPLE = SHARED_DIR / "real-data" / "iucadc_weekly_by_contract_2025-26.csv"
IUCADC_LOOKUP = SHARED_DIR / "real-data" / "iucadc_contract_lookup.csv"

#: Jupyter kernel used to execute briefings (the interpreter running ccgtools).
KERNEL_NAME = "python3"

#: Default statistical disclosure rule for surveys: results based on fewer
#: than this many responses are not published (GP Patient Survey rule).
SURVEY_MIN_RESPONSES = 10


def resolve_path(path: str | Path | None, default: Path | None = None) -> Path:
    """Return ``path`` as an absolute Path, taking a relative path from the project root.

    The one place where ccgtools turns a path parameter into a file: every loader
    calls it, so ``"data/my_survey.csv"`` means the same file whether the kernel runs
    in the project root (papermill, the build) or in ``notebooks/`` (JupyterLab).

    Parameters
    ----------
    path : str or Path or None
        The path as the user wrote it: absolute, relative to the project root, or
        starting with ``~``.
    default : Path, optional
        Returned when ``path`` is None or empty.

    Returns
    -------
    Path
        An absolute path (the file need not exist).

    Raises
    ------
    ParameterError
        When ``path`` is None or empty and there is no default.
    """
    if path is None or str(path).strip() == "":
        if default is None:
            from .errors import ParameterError

            raise ParameterError("no file given (the path is None or empty); expected the path of an input "
                                 f"file, absolute or relative to the project root {PROJECT_ROOT}")
        return default
    candidate = Path(str(path).strip()).expanduser()
    if not candidate.is_absolute():
        # normpath, not resolve(): "../shared/x.csv" stays beside this checkout even through a symlink
        candidate = Path(os.path.normpath(PROJECT_ROOT / candidate))
    return candidate


def shown_path(path: str | Path) -> str:
    """A resolved path as a person reads it: as written from the project root, and where that is.

    ``/work/main/data/x.csv`` is shown ``data/x.csv (/work/main/data/x.csv)``; a path beside
    the project (in its parent folder, such as ``shared/``, or ``../data/x.csv`` written as if
    from ``notebooks/``) likewise, ``../data/x.csv (/work/data/x.csv)``; any other path as it is.

    Parameters
    ----------
    path : str or Path
        A path returned by :func:`resolve_path` (or any path).

    Returns
    -------
    str
        The text used in error messages.
    """
    absolute = Path(path).expanduser()
    if not absolute.is_absolute():
        absolute = PROJECT_ROOT / absolute
    beside = PROJECT_ROOT.parent if len(PROJECT_ROOT.parent.parts) > 1 else PROJECT_ROOT  # never all of "/"
    if not absolute.is_relative_to(beside):
        return str(path)
    relative = Path(os.path.relpath(absolute, PROJECT_ROOT)).as_posix()
    return f"{relative} ({absolute})"


def portable_path(path: str | Path) -> str:
    """``path`` as recorded on pages and in the manifest: relative to the project root with forward slashes
    ("data/x.csv", "../shared/real-data/y.csv"), as written when it was given relative, so that the same
    inputs give the same page in any checkout; an absolute path is made relative to the project root."""
    if not Path(path).is_absolute():
        return Path(os.path.normpath(path)).as_posix()
    return Path(os.path.relpath(path, PROJECT_ROOT)).as_posix()


def sha256_of(path: Path) -> str:
    """SHA-256 checksum of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
