"""Results computed once per build and reused by every briefing of that build that needs the same ones.

The 42 area profiles of a build read the same England-wide files and fit the same England-wide models
(case mix, ranks, changes) before each turns to its own ICB: about a second of work, the same in
every briefing. ``ccgtools build`` makes a private folder for the length of the build and names it
in the environment variable :data:`ENVIRONMENT_VARIABLE`; every kernel the build starts inherits it.
:func:`computed_once` keeps a result there, under a key made of everything the result depends on
(the input files by content, the settings), so the next briefing with the same key loads it instead
of computing it again.

Nothing else passes between briefings: each still runs in a fresh kernel, and a result is a pure
function of its key. Outside a build (a notebook in JupyterLab, a Dask worker on another machine)
the variable is not set, and every result is computed as usual. The folder is removed when the
build ends, so a cold build never finds results from an earlier one.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from . import config

#: Names the build's folder of shared results (set by ``ccgtools build`` for its kernels).
ENVIRONMENT_VARIABLE = "CCGTOOLS_PER_BUILD_RESULTS"

T = TypeVar("T")


def file_key(path) -> dict:
    """A file as part of a key: its path as given and the SHA-256 of its bytes (so a changed file is a new key)."""
    if not path:
        return {"path": None}
    resolved = config.resolve_path(path)
    return {"path": str(path), "sha256": config.sha256_of(resolved) if resolved.is_file() else None}


def computed_once(kind: str, key: dict, compute: Callable[[], T]) -> T:
    """``compute()``, or the result an earlier briefing of the same build computed for the same ``kind`` and
    ``key``.

    Parameters
    ----------
    kind : str
        What the result is (e.g. "area-england"), part of its file name.
    key : dict
        Everything the result depends on, JSON-serialisable: input files by content (:func:`file_key`),
        parameters, settings.
    compute : callable
        Makes the result; it may raise (nothing is kept then). The result must be picklable.

    Notes
    -----
    The input files ``compute`` read (:func:`ccgtools.io.files_read`) are kept with the result and noted as
    read again when it is reused, so that every page's footer lists the files its figures come from.
    The result is written to a temporary file and renamed into place, so a briefing never reads half a
    result; two briefings that compute the same result at once both write it, and either copy serves. A
    result that cannot be read back (or written) is computed again, never an error of the briefing.
    """
    from . import io  # here, not above: the build process imports this module and never pandas

    folder = os.environ.get(ENVIRONMENT_VARIABLE)
    if not folder or not Path(folder).is_dir():
        return compute()
    text = json.dumps({"kind": kind, "key": key}, sort_keys=True, default=str)
    path = Path(folder) / f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:32]}.pickle"
    try:
        with open(path, "rb") as handle:
            read, result = pickle.load(handle)
    except Exception:  # not there yet, or unreadable: compute it
        pass
    else:
        for file in read:  # the page lists the files its results come from, as if it had read them itself
            io.note_read(Path(file))
        return result
    with io.recording_reads() as files:
        result = compute()
    read = [str(file) for file in files]
    temporary = None
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{kind}-", suffix=".tmp", delete=False) as handle:
            temporary = Path(handle.name)
            pickle.dump((read, result), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except Exception:  # a full disk or a result that cannot be pickled: the next briefing computes it too
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    return result


@contextmanager
def shared_results():
    """For the length of the block: a private folder of shared results, named in :data:`ENVIRONMENT_VARIABLE`
    for every process started in it; then the variable is restored and the folder removed."""
    before = os.environ.get(ENVIRONMENT_VARIABLE)
    with tempfile.TemporaryDirectory(prefix="ccgtools-per-build-") as folder:  # mode 0700: this user only
        os.environ[ENVIRONMENT_VARIABLE] = folder
        try:
            yield Path(folder)
        finally:
            if before is None:
                os.environ.pop(ENVIRONMENT_VARIABLE, None)
            else:
                os.environ[ENVIRONMENT_VARIABLE] = before
