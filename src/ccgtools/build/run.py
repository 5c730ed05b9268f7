"""``ccgtools build``: plan, execute (in parallel, or on a Dask cluster) and publish briefings atomically.

1. **Plan** (:mod:`ccgtools.build.plan`): what to build, reuse or skip.
2. **Execute** what changed with :func:`ccgtools.build.execute.execute_and_render`:
   serially, in a pool of ``--jobs`` processes, or as tasks on a Dask cluster.
3. **Publish** (:mod:`ccgtools.build.publish`) each result atomically as it arrives;
   the index and manifest are written last.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .. import config
from .briefings import load_build_config
from .plan import Task, plan, select_briefings
from .publish import Outcome, keep_failed, publish, update_manifest, write_index


def _job(task: Task) -> dict:
    briefing = task.briefing
    notebook = briefing.notebook
    label = notebook.relative_to(config.PROJECT_ROOT) if notebook.is_relative_to(config.PROJECT_ROOT) else notebook
    return {"name": briefing.name, "title": briefing.title, "notebook": str(notebook), "notebook_label": str(label),
            "parameters": briefing.parameters, "effective": task.parameters, "inputs": task.inputs,
            "disclosure": briefing.disclosure, "kernel_name": config.KERNEL_NAME,
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
    selected = select_briefings(briefings, only)
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
                                                  tasks[rendered.name].inputs, tables, rendered.synthetic)
                progress.line(f"{rendered.name}: published in {rendered.duration_s:.1f} s", step=True)
            else:
                keep_failed(rendered, reports_dir)
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
