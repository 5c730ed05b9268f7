"""``ccgtools build``: plan, execute (in parallel, or on a Dask cluster) and publish briefings atomically.

1. **Plan** (light, no scientific imports): expand the build config's sweeps, check
   each briefing's parameters against its notebook, hash its inputs, and compare the
   cache key (notebook, parameters, input data, ccgtools' code) with the manifest:
   unchanged briefings are reused, so a rebuild with nothing changed takes well
   under a second.
2. **Execute** what changed with :func:`ccgtools.execute.execute_and_render`:
   serially, in a pool of ``--jobs`` processes, or as tasks on a Dask cluster.
3. **Publish** each result atomically as it arrives: staged, then moved into place;
   a failure keeps the last good page, marked out of date in the index with the
   cell and the error. The index and manifest are written last, atomically.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import __version__, config
from .buildconfig import (Briefing, cache_key, code_fingerprint, effective_parameters, input_files,
                          load_build_config)
from .errors import ConfigError

VERSIONED = ("python", "ccgtools", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn",
             "papermill", "nbconvert", "nbclient", "ipykernel")


@dataclass
class Task:
    """One briefing in the plan: what to do with it and why."""

    briefing: Briefing
    action: str  # "build", "reuse", "skip" or "invalid"
    reason: str = ""
    parameters: dict = field(default_factory=dict)
    inputs: list[dict] = field(default_factory=list)
    key: str = ""


@dataclass
class Outcome:
    """What happened to one briefing in a build."""

    briefing: Briefing
    status: str  # "ok" (built), "reused", "failed" or "skipped"
    error: str = ""
    duration_s: float = 0.0
    inputs: list[dict] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)


def _manifest_path(reports_dir: Path) -> Path:
    return reports_dir / "manifest.json"


def read_manifest(reports_dir: Path) -> dict:
    """The manifest of the last build (empty when there is none)."""
    path = _manifest_path(reports_dir)
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
        tasks.append(Task(briefing, action, reason, parameters, inputs, key))
    return tasks


def _job(task: Task) -> dict:
    briefing = task.briefing
    from .disclosure import DEFAULT_RULE

    notebook = briefing.notebook
    label = notebook.relative_to(config.PROJECT_ROOT) if notebook.is_relative_to(config.PROJECT_ROOT) else notebook
    return {"name": briefing.name, "title": briefing.title, "notebook": str(notebook), "notebook_label": str(label),
            "parameters": briefing.parameters, "effective": task.parameters, "inputs": task.inputs,
            "disclosure": briefing.disclosure or DEFAULT_RULE.describe(), "kernel_name": config.KERNEL_NAME,
            "cwd": str(config.PROJECT_ROOT)}


def _run_serially(jobs: list[dict]) -> Iterable:
    from .execute import execute_and_render, prepare_process

    prepare_process()
    for job in jobs:
        yield execute_and_render(job)


def _run_in_processes(jobs: list[dict], workers: int) -> Iterable:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from .execute import execute_and_render, preload

    # Workers are forked from this process after it has imported the execution stack once, so
    # they start without paying the imports again; elsewhere than Linux, forkserver does the same.
    preload()
    method = "fork" if sys.platform.startswith("linux") else "forkserver"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(execute_and_render, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def _run_on_dask(jobs: list[dict], scheduler: str) -> Iterable:
    from distributed import Client, as_completed

    from .execute import execute_and_render

    with Client(scheduler) as client:
        futures = client.map(execute_and_render, jobs, pure=False)
        for future in as_completed(futures):
            yield future.result()


def publish(rendered, reports_dir: Path) -> list[str]:
    """Move a successful rendering into ``reports/`` atomically; returns the CSV paths published.

    The page, its tables and executed notebook are written to a staging folder first;
    the briefing's folder is swapped in with renames, then the page replaced.
    """
    name = rendered.name
    staging = reports_dir / ".staging" / name
    shutil.rmtree(staging, ignore_errors=True)
    (staging / name).mkdir(parents=True)
    for table_name, csv_text in rendered.tables.items():
        (staging / name / f"{table_name}.csv").write_text(csv_text, encoding="utf-8")
    (staging / name / f"{name}.ipynb").write_text(rendered.notebook, encoding="utf-8")
    (staging / f"{name}.html").write_text(rendered.html, encoding="utf-8")
    target, old = reports_dir / name, reports_dir / ".staging" / f"{name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging / name, target)
    os.replace(staging / f"{name}.html", reports_dir / f"{name}.html")
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    (reports_dir / "_failed" / f"{name}.ipynb").unlink(missing_ok=True)
    return [f"{name}/{t}.csv" for t in rendered.tables]


def _keep_failed(rendered, reports_dir: Path) -> None:
    if rendered.notebook:
        folder = reports_dir / "_failed"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{rendered.name}.ipynb").write_text(rendered.notebook, encoding="utf-8")


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def versions() -> dict:
    """Versions of Python and of the packages a briefing's numbers depend on (no imports needed)."""
    found = {"python": sys.version.split()[0], "ccgtools": __version__}
    for name in VERSIONED[2:]:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def update_manifest(reports_dir: Path, briefings: list[Briefing], tasks: dict[str, Task],
                    outcomes: list[Outcome]) -> dict:
    """Merge this build's outcomes into ``reports/manifest.json`` (reused briefings keep their entry)."""
    manifest = read_manifest(reports_dir)
    entries = manifest.setdefault("briefings", {})
    package_versions = versions()
    for outcome in outcomes:
        if outcome.status == "reused":
            continue
        b, task = outcome.briefing, tasks[outcome.briefing.name]
        previous = entries.get(b.name, {})
        has_page = (reports_dir / f"{b.name}.html").is_file()
        entries[b.name] = {
            "title": b.title, "description": b.description, "status": outcome.status, "error": outcome.error,
            "stale": outcome.status == "failed" and has_page, "html": f"{b.name}.html" if has_page else "",
            "tables": outcome.tables if outcome.status == "ok" else previous.get("tables", []),
            "inputs": task.inputs if outcome.status == "ok" else previous.get("inputs", []),
            "parameters": task.parameters, "key": task.key if outcome.status == "ok" else previous.get("key", ""),
            "duration_s": round(outcome.duration_s, 2), "versions": package_versions,
        }
    configured = [b.name for b in briefings]
    manifest["briefings"] = {k: entries[k] for k in configured if k in entries}
    _write_atomically(_manifest_path(reports_dir), json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
    return manifest


def write_index(reports_dir: Path, manifest: dict, *, title: str = "NHS commissioning briefings") -> Path:
    """Write ``reports/index.html`` listing every briefing with its status (atomically)."""
    import jinja2

    from .render import stylesheet

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                                     autoescape=True)
    rows = list(manifest["briefings"].values())
    html = environment.get_template("index.html.j2").render(
        title=title, briefings=rows, failed=sum(r["status"] == "failed" for r in rows),
        css=stylesheet(), version=__version__)
    path = reports_dir / "index.html"
    _write_atomically(path, html)
    return path


class _Progress:
    """A progress bar on a terminal (tqdm), plain lines otherwise; every line also goes to the log file."""

    def __init__(self, total: int, log: Callable[[str], None], log_file: Path):
        self.log, self.handle = log, open(log_file, "w", encoding="utf-8")
        self.bar = None
        if total and sys.stderr.isatty() and log is print:
            try:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="briefing", file=sys.stderr)
            except ImportError:
                self.bar = None

    def line(self, text: str, *, step: bool = False) -> None:
        self.handle.write(text + "\n")
        self.handle.flush()
        if self.bar is not None:
            self.bar.write(text)
            if step:
                self.bar.update(1)
        else:
            self.log(text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.handle.close()


def build(config_path: str | Path | None = None, reports_dir: str | Path | None = None, *,
          only: list[str] | None = None, jobs: int | None = None, force: bool = False,
          dask_scheduler: str | None = None, log: Callable[[str], None] = print) -> list[Outcome]:
    """Render the briefings of a build config and publish the site.

    Parameters
    ----------
    config_path : path, optional
        Build config (default ``briefings.toml`` in the project root).
    reports_dir : path, optional
        Where to publish (default ``reports/``).
    only : list of str, optional
        Names of the briefings to consider; the others keep their last state.
    jobs : int, optional
        Briefings executed at once (default: the number of cores).
    force : bool
        Rebuild even what is unchanged.
    dask_scheduler : str, optional
        Address of a Dask distributed scheduler to run the briefings on.
    log : callable
        Receives one line of progress at a time.

    Returns
    -------
    list of Outcome
        One per briefing considered.
    """
    started = time.perf_counter()
    briefings = load_build_config(config_path)
    reports_dir = config.resolve_path(reports_dir, config.REPORTS_DIR)
    reports_dir.mkdir(parents=True, exist_ok=True)
    selected = _select(briefings, only)
    tasks = {t.briefing.name: t for t in plan(selected, reports_dir, force=force)}
    outcomes = {name: Outcome(t.briefing, "reused") for name, t in tasks.items() if t.action == "reuse"}
    outcomes |= {name: Outcome(t.briefing, "skipped", t.reason) for name, t in tasks.items() if t.action == "skip"}
    outcomes |= {name: Outcome(t.briefing, "failed", t.reason) for name, t in tasks.items() if t.action == "invalid"}
    to_build = [t for t in tasks.values() if t.action == "build"]
    progress = _Progress(len(to_build), log, reports_dir / "build.log")
    for outcome in outcomes.values():
        if outcome.status != "reused":
            progress.line(f"{outcome.briefing.name}: {outcome.status}: {outcome.error}")
    if to_build:
        workers = max(1, min(jobs or os.cpu_count() or 1, len(to_build)))
        job_list = [_job(t) for t in to_build]
        for number, job in enumerate(job_list):  # a spare warmed kernel is worth starting if more will follow
            job["warm"] = True
            job["more_to_come"] = number < len(job_list) - workers
        where = (f"on Dask at {dask_scheduler}" if dask_scheduler else
                 f"with {workers} worker{'s' if workers > 1 else ''}")
        progress.line(f"Building {len(to_build)} briefing(s) {where}; reusing {sum(t.action == 'reuse' for t in tasks.values())}.")
        runner = (_run_on_dask(job_list, dask_scheduler) if dask_scheduler else
                  _run_in_processes(job_list, workers) if workers > 1 else _run_serially(job_list))
        for rendered in runner:
            briefing = tasks[rendered.name].briefing
            if rendered.ok:
                tables = publish(rendered, reports_dir)
                outcomes[rendered.name] = Outcome(briefing, "ok", "", rendered.duration_s,
                                                  tasks[rendered.name].inputs, tables)
                progress.line(f"{rendered.name}: published in {rendered.duration_s:.1f} s", step=True)
            else:
                _keep_failed(rendered, reports_dir)
                outcomes[rendered.name] = Outcome(briefing, "failed", rendered.error, rendered.duration_s)
                progress.line(f"{rendered.name}: FAILED: {rendered.error}", step=True)
    ordered = [outcomes[b.name] for b in selected]
    if any(o.status != "reused" for o in ordered) or not (reports_dir / "index.html").is_file():
        manifest = update_manifest(reports_dir, briefings, tasks, ordered)
        write_index(reports_dir, manifest)
    counts = {s: sum(o.status == s for o in ordered) for s in ("ok", "reused", "failed", "skipped")}
    progress.line(f"Built {counts['ok']}, reused {counts['reused']}, failed {counts['failed']}, skipped "
                  f"{counts['skipped']} in {time.perf_counter() - started:.1f} s.")
    progress.line(f"Index: {reports_dir / 'index.html'}")
    progress.close()
    return ordered


def _select(briefings: list[Briefing], only: list[str] | None) -> list[Briefing]:
    if not only:
        return briefings
    names = {b.name for b in briefings}
    unknown = [n for n in only if n not in names]
    if unknown:
        raise ConfigError(f"unknown briefing name(s) {', '.join(unknown)}; the config has {', '.join(sorted(names))}")
    return [b for b in briefings if b.name in only]


def describe_plan(config_path: str | Path | None = None, reports_dir: str | Path | None = None, *,
                  only: list[str] | None = None, force: bool = False) -> list[str]:
    """The plan as lines of text, for ``ccgtools build --list``."""
    briefings = _select(load_build_config(config_path), only)
    reports_dir = config.resolve_path(reports_dir, config.REPORTS_DIR)
    lines = []
    for task in plan(briefings, reports_dir, force=force):
        overrides = ", ".join(f"{k}={v!r}" for k, v in task.briefing.parameters.items()) or "defaults"
        lines.append(f"{task.briefing.name:<45} {task.action:<7} {task.briefing.notebook.name} ({overrides})"
                     + (f" — {task.reason}" if task.reason and task.action != "build" else ""))
    return lines
