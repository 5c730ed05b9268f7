"""A tiny briefing for fault-injection tests: a notebook that can write its kernel's pid and sleep.

Fast (no scientific imports in the notebook), so a build of a few of these takes seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat

#: The cell that can hang: it writes the kernel's process id, then sleeps.
SLOW_CELL = ("import os, time\n"
             "if pid_file:\n"
             "    open(pid_file, 'w').write(str(os.getpid()))\n"
             "time.sleep(sleep_s)\n"
             "print('slept', sleep_s)")


def write_notebook(folder: Path) -> Path:
    """Write ``fault.ipynb``: parameters ``sleep_s`` and ``pid_file``, then :data:`SLOW_CELL`."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("sleep_s = 0.0  # seconds the second cell sleeps\n"
                                  "pid_file = \"\"  # where it writes its kernel's process id",
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(SLOW_CELL),
        nbformat.v4.new_markdown_cell("# A tiny briefing\n\nIt sleeps when asked to."),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "fault.ipynb"
    nbformat.write(notebook, path)
    return path


def write_config(folder: Path, briefings: dict[str, dict], *, file_name: str = "briefings.toml",
                 extra: dict[str, dict] | None = None, build: str = "") -> Path:
    """A build config of tiny briefings: name → parameters; ``extra`` adds keys (e.g. timeout) per name."""
    notebook = folder / "fault.ipynb"
    if not notebook.is_file():
        write_notebook(folder)
    lines = [build] if build else []
    for name, parameters in briefings.items():
        values = ", ".join(f"{key} = {json.dumps(value)}" for key, value in parameters.items())
        lines += ["[[briefing]]", f'name = "{name}"', f'title = "{name.title()}"', f'notebook = "{notebook}"',
                  f"parameters = {{ {values} }}"]
        lines += [f"{key} = {json.dumps(value)}" for key, value in (extra or {}).get(name, {}).items()]
    path = folder / file_name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start_cli(*arguments: str, env: dict | None = None) -> subprocess.Popen:
    """``ccgtools build ARGUMENTS`` in a new process (its output captured as text); ``env`` adds variables."""
    import os

    return subprocess.Popen([sys.executable, "-m", "ccgtools.cli", "build", *arguments],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env} if env else None)


def wait_for(condition, timeout: float, what: str, interval: float = 0.05):
    """Poll ``condition()`` until it returns something true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def read_pid(path: Path) -> int | None:
    """The process id a briefing wrote, or None while it has not."""
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text else None


def manifest(reports: Path) -> dict:
    """The briefings of ``reports/manifest.json``."""
    return json.loads((reports / "manifest.json").read_text())["briefings"]
