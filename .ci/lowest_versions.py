"""Install the lowest versions pyproject.toml allows into a scratch venv and run the unit tests there.

Not run by ``.ci/run``: it downloads about a gigabyte of wheels and takes several minutes. Run it
by hand after raising or lowering a minimum version::

    python3 .ci/lowest_versions.py /tmp/ccgtools-lowest          # then: pytest -m "not e2e"
    python3 .ci/lowest_versions.py /tmp/ccgtools-lowest -- -x tests/stats

Every requirement declared as ``name>=X`` (runtime, and the ``dev`` and ``dask`` extras) is pinned
to ``name==X`` with a pip constraints file; packages the project does not declare are left to pip.
The venv is reused when it already exists. Exit status: pytest's.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
EXTRAS = ("dev", "dask")
_MINIMUM = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][A-Za-z0-9.]*)\s*$")


def lowest_pins(pyproject: Path = PROJECT / "pyproject.toml", extras=EXTRAS) -> list[str]:
    """``name==minimum`` for every ``name>=minimum`` requirement of the project and ``extras``.

    Returns
    -------
    list of str
        One pin per declared requirement, in the order declared.
    """
    project = tomllib.loads(pyproject.read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"].get(extra, [])
    pins = []
    for requirement in requirements:
        match = _MINIMUM.match(requirement)
        if match is None:
            raise SystemExit(f"cannot pin {requirement!r}: declare it as name>=version")
        pins.append(f"{match.group(1)}=={match.group(2)}")
    return pins


def _run(*command: str) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=PROJECT)


def main(argv: list[str]) -> int:
    """Build (or reuse) the venv at ``argv[0]`` at the lowest versions, then run pytest in it."""
    if not argv:
        raise SystemExit(__doc__)
    venv, pytest_args = Path(argv[0]), argv[2:] if argv[1:2] == ["--"] else argv[1:]
    python = venv / "bin" / "python"
    if not python.exists():
        _run(sys.executable, "-m", "venv", str(venv))
        constraints = venv / "lowest-constraints.txt"
        constraints.write_text("\n".join(lowest_pins()) + "\n")
        _run(str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        _run(str(python), "-m", "pip", "install", "--quiet", "-c", str(constraints), "-e",
             f"{PROJECT}[{','.join(EXTRAS)}]")
        _run(str(python), "-m", "ipykernel", "install", "--sys-prefix", "--name", "ccgtools")
    _run(str(python), "-m", "pip", "list", "--format=freeze")
    return subprocess.run([str(python), "-m", "pytest", "-p", "no:cacheprovider",
                           *(pytest_args or ["-m", "not e2e"])], check=False, cwd=PROJECT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
