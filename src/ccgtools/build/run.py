"""``ccgtools build``: plan, execute (in parallel, or on a Dask cluster) and publish briefings atomically.

1. **Plan** (:mod:`ccgtools.build.plan`): what to build, reuse or skip.
2. **Execute** what changed with :func:`ccgtools.build.execute.execute_and_render`:
   serially, in a pool of ``--jobs`` processes, or as tasks on a Dask cluster.
3. **Publish** (:mod:`ccgtools.build.publish`) each result atomically as it arrives;
   the index and manifest are written last.

The whole build holds the reports folder's lock (:mod:`ccgtools.build.lock`), and
appends its own section to ``reports/build.log``: a header with its start time and
command, the progress lines, and a last line with its outcome and exit status.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .. import config
from ..per_build import shared_results
from .briefings import load_build_config
from .lock import build_lock
from .plan import Task, longest_first, plan, select_briefings
from .publish import Outcome, keep_failed, publish, update_manifest, write_index

#: Exit statuses of ``ccgtools build``.
EXIT_OK = 0  # every briefing built, reused or skipped
EXIT_FAILED = 1  # at least one briefing failed (a cell raised, timed out, its kernel died, bad parameters)
EXIT_CONFIG = 2  # unusable build config or command line (nothing built)
EXIT_BUSY = 3  # another build holds the reports folder's lock (nothing built)


def exit_status(outcomes: list[Outcome]) -> int:
    """:data:`EXIT_FAILED` when any briefing failed, else :data:`EXIT_OK`."""
    return EXIT_FAILED if any(o.status == "failed" for o in outcomes) else EXIT_OK


def log_header(started: str, pid: int, command: str) -> str:
    """The line opening a build's section of ``build.log``."""
    return f"==== build started {started} · pid {pid} · {command}"


def log_footer(outcome: str) -> str:
    """The line closing a build's section of ``build.log``."""
    return f"==== outcome: {outcome}"


def describe_outcome(outcomes: list[Outcome]) -> str:
    """E.g. ``failed, exit status 1 (victim)`` or ``ok, exit status 0``."""
    failed = [o.briefing.name for o in outcomes if o.status == "failed"]
    status = exit_status(outcomes)
    return (f"failed, exit status {status} ({', '.join(failed)})" if failed else f"ok, exit status {status}")


def default_command() -> str:
    """This process's command line, for the lock file and the log."""
    return shlex.join([Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]])


def _job(task: Task) -> dict:
    briefing = task.briefing
    notebook = briefing.notebook
    label = config.portable_path(notebook)
    return {"name": briefing.name, "title": briefing.title, "description": briefing.description,
            "notebook": str(notebook), "notebook_label": str(label),
            "parameters": briefing.parameters, "effective": task.parameters, "inputs": task.inputs,
            "disclosure": briefing.disclosure, "kernel_name": config.KERNEL_NAME,
            "cwd": str(config.PROJECT_ROOT), "timeout": briefing.timeout}


def _lost(name: str, exc: BaseException):
    """The result of a briefing whose worker process or Dask task was lost (the build goes on)."""
    from .execute import Rendered

    return Rendered(name, error=f"its worker was lost: {type(exc).__name__}: {exc}")


def _run_serially(jobs: list[dict]) -> Iterable:
    from .execute import execute_and_render, prepare_process

    prepare_process()
    for job in jobs:
        yield execute_and_render(job)


def _run_in_processes(jobs: list[dict], workers: int) -> Iterable:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from .execute import execute_and_render, preload

    context = multiprocessing.get_context(worker_start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["ccgtools.build.execute", "ccgtools.build.render", "papermill"])
    else:
        preload()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(execute_and_render, job): job["name"] for job in jobs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # the worker process died (e.g. killed): this briefing fails
                yield _lost(futures[future], exc)


def worker_start_method() -> str:
    """How worker processes start: ``fork`` from this process, or ``forkserver`` when forking is unsafe.

    Workers forked from this process after it has imported the execution stack once start without
    paying the imports again. But a fork copies only the calling thread: a process running other
    Python threads (a program or test calling :func:`build`, with a Dask client or a Jupyter client
    of its own) may hold a lock in one of them, and the worker would wait on it for ever. Then, and
    where fork is missing, a fork server (a fresh process, single-threaded) forks the workers.
    """
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "forkserver"


def _run_on_dask(jobs: list[dict], scheduler: str) -> Iterable:
    from distributed import Client, as_completed

    from .execute import execute_and_render

    with Client(scheduler) as client:
        # Earlier jobs (the longest) get higher priority; each worker forks kernels from a zygote of its own.
        futures = [client.submit(execute_and_render, job, pure=False, priority=len(jobs) - number)
                   for number, job in enumerate(jobs)]
        names = {future.key: job["name"] for future, job in zip(futures, jobs)}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # the task was lost (e.g. its worker died too often)
                yield _lost(names[future.key], exc)


class _Progress:
    """A progress bar on a terminal (tqdm), plain lines otherwise; every line also goes to the log file.

    The log file is appended to: each build writes its own section, opened by
    :func:`log_header` and closed by :func:`log_footer`.
    """

    def __init__(self, log: Callable[[str], None], log_file: Path, header: str):
        self.log, self.handle = log, open(log_file, "a", encoding="utf-8")
        self.bar = None
        self.record(header)

    def record(self, text: str) -> None:
        """Write a line to the log file only (it has already been shown)."""
        self.handle.write(text + "\n")
        self.handle.flush()

    def start_bar(self, total: int) -> None:
        """Show a progress bar for ``total`` briefings when writing to a terminal."""
        if total and sys.stderr.isatty() and self.log is print:
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

    def close(self, outcome: str) -> None:
        """Close the bar, and the log section with its outcome."""
        if self.bar is not None:
            self.bar.close()
        self.record(log_footer(outcome))
        self.handle.close()


def build(config_path: str | Path | None = None, reports_dir: str | Path | None = None, *,
          only: list[str] | None = None, jobs: int | None = None, force: bool = False,
          dask_scheduler: str | None = None, log: Callable[[str], None] = print,
          timeout: float | None = None, wait: float = 0.0, command: str | None = None) -> list[Outcome]:
    """Render the briefings of a build config and publish the site.

    Parameters
    ----------
    config_path : path, optional
        Build config (default ``briefings.toml`` in the project root).
    reports_dir : path, optional
        Where to publish (default ``reports/``).
    only : list of str, optional
        Names or glob patterns of the briefings to consider; the others keep their last state.
    jobs : int, optional
        Briefings executed at once (default: the number of cores).
    force : bool
        Rebuild even what is unchanged.
    dask_scheduler : str, optional
        Address of a Dask distributed scheduler to run the briefings on.
    log : callable
        Receives one line of progress at a time.
    timeout : float, optional
        Time limit (seconds) for briefings that set none in the config (replaces ``[build] timeout``).
    wait : float
        Seconds to wait for another build of the same reports folder to finish (0: give up at once).
    command : str, optional
        The command line recorded in the lock file and ``build.log`` (default: this process's).

    Returns
    -------
    list of Outcome
        One per briefing considered.

    Raises
    ------
    ConfigError
        An unusable config, or an ``--only`` name or pattern that matches no briefing.
    BuildBusy
        Another build held the reports folder's lock for longer than ``wait``.
    """
    briefings = load_build_config(config_path, default_timeout=timeout)
    reports_dir = config.resolve_path(reports_dir, config.REPORTS_DIR)
    reports_dir.mkdir(parents=True, exist_ok=True)
    selected = select_briefings(briefings, only)
    notices: list[str] = []

    def notice(line: str) -> None:
        log(line)
        notices.append(line)

    with build_lock(reports_dir, wait=wait, command=command or default_command(), log=notice) as holder:
        started = time.perf_counter()  # the build's own time, not the wait for the lock
        progress = _Progress(log, reports_dir / "build.log", log_header(holder.started, holder.pid, holder.command))
        for line in notices:
            progress.record(line)
        try:
            ordered = _build_locked(briefings, selected, reports_dir, progress, jobs=jobs, force=force,
                                    dask_scheduler=dask_scheduler, started=started)
        except BaseException as exc:
            progress.close(f"stopped by {type(exc).__name__}: {exc}")
            raise
        progress.close(describe_outcome(ordered))
    return ordered


def _build_locked(briefings: list, selected: list, reports_dir: Path, progress: _Progress, *, jobs: int | None,
                  force: bool, dask_scheduler: str | None, started: float) -> list[Outcome]:
    """Plan, execute and publish, holding the reports folder's lock (see :func:`build`)."""
    tasks = {t.briefing.name: t for t in plan(selected, reports_dir, force=force)}
    outcomes = {name: Outcome(t.briefing, "reused") for name, t in tasks.items() if t.action == "reuse"}
    outcomes |= {name: Outcome(t.briefing, "skipped", t.reason) for name, t in tasks.items() if t.action == "skip"}
    outcomes |= {name: Outcome(t.briefing, "failed", t.reason) for name, t in tasks.items() if t.action == "invalid"}
    to_build = longest_first([t for t in tasks.values() if t.action == "build"])
    progress.start_bar(len(to_build))
    for outcome in outcomes.values():
        if outcome.status != "reused":
            progress.line(f"{outcome.briefing.name}: {outcome.status}: {outcome.error}")
    if to_build:
        with shared_results() as shared:  # England-wide results computed once for many briefings (per_build)
            _execute_and_publish(to_build, tasks, outcomes, reports_dir, progress, jobs=jobs,
                                 dask_scheduler=dask_scheduler, shared=shared)
    ordered = [outcomes[b.name] for b in selected]
    if any(o.status != "reused" for o in ordered) or not (reports_dir / "index.html").is_file():
        manifest = update_manifest(reports_dir, briefings, tasks, ordered)
        write_index(reports_dir, manifest)
    counts = {s: sum(o.status == s for o in ordered) for s in ("ok", "reused", "failed", "skipped")}
    progress.line(f"Built {counts['ok']}, reused {counts['reused']}, failed {counts['failed']}, skipped "
                  f"{counts['skipped']} in {time.perf_counter() - started:.1f} s.")
    progress.line(f"Index: {reports_dir / 'index.html'}")
    return ordered


def _execute_and_publish(to_build: list[Task], tasks: dict, outcomes: dict, reports_dir: Path, progress: _Progress,
                         *, jobs: int | None, dask_scheduler: str | None, shared: Path) -> None:
    """Run the briefings to build (on workers here or on Dask) and publish each as it arrives."""
    workers = max(1, min(jobs or os.cpu_count() or 1, len(to_build)))
    job_list = [_job(t) for t in to_build]
    zygote = None if dask_scheduler else _start_zygote()
    spares = spare_kernels_wanted(workers, os.cpu_count() or 1)
    for number, job in enumerate(job_list):
        job["warm"] = True
        job["zygote"] = zygote.address if zygote is not None else None
        # Without a zygote, a spare warmed kernel is worth starting if more will follow and a core is free.
        job["more_to_come"] = spares and number < len(job_list) - workers
        job["per_build"] = str(shared)  # a worker on another machine finds no such folder and computes all
    where = (f"on Dask at {dask_scheduler}" if dask_scheduler else
             f"with {workers} worker{'s' if workers > 1 else ''}")
    reusing = sum(t.action == "reuse" for t in tasks.values())
    progress.line(f"Building {len(to_build)} briefing(s) {where}; reusing {reusing}.")
    runner = (_run_on_dask(job_list, dask_scheduler) if dask_scheduler else
              _run_in_processes(job_list, workers) if workers > 1 else _run_serially(job_list))
    try:
        _publish_results(runner, tasks, outcomes, reports_dir, progress)
    finally:
        if zygote is not None:
            zygote.stop()


def spare_kernels_wanted(workers: int, cores: int) -> bool:
    """Whether workers should warm spare kernels (only without a zygote): only if a core is left for them.

    A spare imports the whole stack; warmed on a core a worker is using, it slows that worker's
    briefing by about as much as it saves the next one.
    """
    return workers < cores


def _start_zygote():
    """Start the build's zygote (imports once, forks a kernel per briefing), or None where there can be none."""
    from .zygote import for_kernel

    return for_kernel(config.KERNEL_NAME, str(config.PROJECT_ROOT))


def _publish_results(runner: Iterable, tasks: dict, outcomes: dict, reports_dir: Path, progress: _Progress) -> None:
    """Publish each result as it arrives, recording its outcome and a progress line."""
    for rendered in runner:
        briefing = tasks[rendered.name].briefing
        if rendered.ok:
            tables = publish(rendered, reports_dir)
            outcomes[rendered.name] = Outcome(briefing, "ok", "", rendered.duration_s,
                                              tasks[rendered.name].inputs, tables, rendered.synthetic,
                                              rendered.facts)
            progress.line(f"{rendered.name}: published in {rendered.duration_s:.1f} s", step=True)
        else:
            keep_failed(rendered, reports_dir)
            outcomes[rendered.name] = Outcome(briefing, "failed", rendered.error, rendered.duration_s)
            kept = (f" (what ran is kept in {reports_dir / '_failed' / f'{rendered.name}.ipynb'})"
                    if rendered.notebook else "")
            progress.line(f"{rendered.name}: FAILED: {rendered.error}{kept}", step=True)
