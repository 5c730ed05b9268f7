"""The build plan (light, no scientific imports): what to build, reuse or skip, and why.

Expands the build config's sweeps, checks each briefing's parameters against its
notebook, hashes its inputs, and compares the cache key (notebook, parameters,
input data, ccgtools' code) with the manifest of the last build: unchanged
briefings are reused, so a rebuild with nothing changed takes well under a second.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..errors import ConfigError
from .briefings import Briefing, cache_key, code_fingerprint, effective_parameters, input_files, load_build_config

@dataclass
class Task:
    """One briefing in the plan: what to do with it and why."""

    briefing: Briefing
    action: str  # "build", "reuse", "skip" or "invalid"
    reason: str = ""
    parameters: dict = field(default_factory=dict)
    inputs: list[dict] = field(default_factory=list)
    key: str = ""
    #: Seconds this briefing took in the last build that ran it (from the manifest), None if never run.
    last_duration_s: float | None = None


def manifest_path(reports_dir: Path) -> Path:
    return reports_dir / "manifest.json"


def read_manifest(reports_dir: Path) -> dict:
    """The manifest of the last build (empty when there is none)."""
    path = manifest_path(reports_dir)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"briefings": {}}


def plan(briefings: list[Briefing], reports_dir: Path, *, force: bool = False) -> list[Task]:
    """Decide, per briefing, whether to build it, reuse the published one, or skip it."""
    previous = read_manifest(reports_dir)["briefings"]
    code = code_fingerprint()
    tasks = []
    for briefing in briefings:
        missing = briefing.missing_requirements()
        if missing:
            tasks.append(Task(briefing, "skip", "not built: needs " + ", ".join(str(p) for p in missing)
                              + " (not present on this machine)"))
            continue
        try:
            parameters = effective_parameters(briefing)
        except ConfigError as exc:
            tasks.append(Task(briefing, "invalid", str(exc)))
            continue
        inputs = input_files(parameters)
        key = cache_key(briefing, parameters, inputs, code)
        last = previous.get(briefing.name, {})
        current = (last.get("key") == key and last.get("status") == "ok"
                   and (reports_dir / f"{briefing.name}.html").is_file())
        action, reason = ("reuse", "unchanged since the last build") if current and not force else (
            "build", "forced" if current else ("new" if not last else "changed or last build failed"))
        duration = last.get("duration_s")
        tasks.append(Task(briefing, action, reason, parameters, inputs, key,
                          float(duration) if isinstance(duration, (int, float)) and duration > 0 else None))
    return tasks


def expected_durations(tasks: list[Task]) -> list[float]:
    """Each task's expected run time: its last one, else the mean of its notebook's, else infinity.

    A briefing never built before is expected to take as long as the other variants of its notebook
    took last time (a sweep's new variant); one whose notebook has never run is put first (it may
    be the longest of all).
    """
    by_notebook: dict[Path, list[float]] = {}
    for task in tasks:
        if task.last_duration_s is not None:
            by_notebook.setdefault(task.briefing.notebook, []).append(task.last_duration_s)
    expected = []
    for task in tasks:
        known = by_notebook.get(task.briefing.notebook)
        expected.append(task.last_duration_s if task.last_duration_s is not None
                        else sum(known) / len(known) if known else float("inf"))
    return expected


def longest_first(tasks: list[Task]) -> list[Task]:
    """The tasks in the order to start them: longest expected first (ties in config order).

    With several workers, starting the longest briefings first keeps one long briefing from
    starting last and running alone while the other workers sit idle (the longest-processing-
    time-first rule, Graham 1969, within 4/3 of the best schedule).
    """
    expected = expected_durations(tasks)
    order = sorted(range(len(tasks)), key=lambda i: -expected[i])
    return [tasks[i] for i in order]


def select_briefings(briefings: list[Briefing], only: list[str] | None) -> list[Briefing]:
    """The briefings named by ``--only``: names or glob patterns (``practice_variation_*``), in config order.

    Parameters
    ----------
    briefings : list of Briefing
        Every briefing of the build config.
    only : list of str or None
        Names and shell-style patterns (``*``, ``?``, ``[...]``); None or empty selects all.

    Raises
    ------
    ConfigError
        A name or pattern that matches no briefing (naming it, and the names the config has).
    """
    if not only:
        return briefings
    names = [b.name for b in briefings]
    unmatched = [pattern for pattern in only if not any(fnmatch.fnmatchcase(n, pattern) for n in names)]
    if unmatched:
        raise ConfigError(f"--only {', '.join(repr(p) for p in unmatched)} matches no briefing; the config has "
                          f"{', '.join(sorted(names))}")
    return [b for b in briefings if any(fnmatch.fnmatchcase(b.name, pattern) for pattern in only)]


def describe_plan(config_path: str | Path | None = None, reports_dir: str | Path | None = None, *,
                  only: list[str] | None = None, force: bool = False) -> list[str]:
    """The plan as lines of text, for ``ccgtools build --list``."""
    briefings = select_briefings(load_build_config(config_path), only)
    reports_dir = config.resolve_path(reports_dir, config.REPORTS_DIR)
    lines = []
    for task in plan(briefings, reports_dir, force=force):
        overrides = ", ".join(f"{k}={v!r}" for k, v in task.briefing.parameters.items()) or "defaults"
        lines.append(f"{task.briefing.name:<45} {task.action:<7} {task.briefing.notebook.name} ({overrides})"
                     + (f" — {task.reason}" if task.reason and task.action != "build" else ""))
    return lines
