"""Executing and rendering one briefing: the unit of work of a build, on this machine or a Dask worker.

:func:`execute_and_render` takes a plain job description (picklable, so it can be
sent to another process or machine), runs the notebook with papermill in a
temporary folder, renders it, and returns the page, the tables and the executed
notebook as text. It writes nothing to the reports folder: the coordinator
publishes the result atomically.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

#: Errors raised when a kernel fails to start (port collisions, start time-outs), worth one retry.
KERNEL_START_RETRIES = 1
#: Seconds a spare kernel may take to start and do its imports before it is given up (and replaced).
WARM_UP_LIMIT_S = 120
#: How often (seconds) a kernel being warmed is checked for being still alive.
ALIVE_CHECK_S = 0.25
#: The client nbclient uses on a warmed kernel: an asynchronous one, so that nbclient's check for a
#: dead kernel keeps running while it waits for output (a blocking client would wait for ever).
NBCLIENT_CLIENT_CLASS = "jupyter_client.asynchronous.AsyncKernelClient"


def prepare_process() -> None:
    """Make this build process cheap to start: skip jsonschema's optional URI-grammar checker.

    Installing JupyterLab brings ``rfc3987-syntax``, which builds a parser grammar on every
    import of jsonschema (about 0.8 s here; jsonschema issue 1392), and papermill, nbclient and
    nbconvert all import jsonschema. Notebook validation never uses the IRI formats it checks,
    so a build process (not a kernel) marks it unavailable before anything imports it.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


#: Run in a spare kernel before it is given a notebook: the imports every briefing makes.
#: (statsmodels is left to the briefings that use it: importing it costs about a second.)
WARM_UP = ("import numpy, pandas, scipy.stats, matplotlib\n"
           "matplotlib.use('Agg')\n"
           "import matplotlib.pyplot, seaborn\n"
           "import ccgtools.page.show, ccgtools.page.charts, ccgtools.stats\n")


class WarmKernels:
    """One spare kernel per process, started and warmed (imports done) while the previous briefing runs.

    Each briefing still gets a kernel of its own, used once and shut down: no variable,
    random state or matplotlib state passes from one briefing to the next; only the
    import of the scientific stack is paid ahead, in the background. These kernels talk
    over Unix sockets in a private temporary folder (IPC transport), so parallel kernel
    starts cannot collide on TCP ports.
    """

    def __init__(self, kernel_name: str, cwd: str):
        from concurrent.futures import ThreadPoolExecutor

        self.kernel_name, self.cwd = kernel_name, cwd
        self.pid = os.getpid()  # a process forked from this one needs its own (this one's thread is not there)
        self.background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ccgtools-warm-kernel")
        self.spare = None
        self.socket_dir = tempfile.mkdtemp(prefix="ccgtools-kernels-")
        self.started = 0

    def _start(self):
        from jupyter_client import KernelManager

        self.started += 1
        manager = KernelManager(kernel_name=self.kernel_name, transport="ipc",
                                ip=str(Path(self.socket_dir) / f"kernel{self.started}"),
                                client_class=NBCLIENT_CLIENT_CLASS)
        manager.start_kernel(cwd=self.cwd)
        try:
            warm_up(manager, WARM_UP, limit_s=WARM_UP_LIMIT_S)
        except BaseException:
            _discard(manager)
            raise
        return manager

    def prepare(self) -> None:
        """Start warming a spare kernel in the background (if none is on the way)."""
        if self.spare is None:
            self.spare = self.background.submit(self._start)

    def take(self):
        """A warmed kernel manager, or None when the spare could not be started or has died.

        A spare still warming is waited for (it checks its kernel is alive as it goes, so
        a kernel that dies ends the wait at once); a spare whose kernel died while it
        waited is discarded. None makes the caller start a fresh kernel instead.
        """
        if self.spare is None:
            return None
        future, self.spare = self.spare, None
        try:
            manager = future.result()
        except Exception:
            return None
        if not manager.is_alive():
            _discard(manager)
            return None
        return manager

    def close(self) -> None:
        manager = self.take()
        if manager is not None:
            manager.shutdown_kernel(now=True)
        self.background.shutdown(wait=True)
        shutil.rmtree(self.socket_dir, ignore_errors=True)


def warm_up(manager, code: str, *, limit_s: float) -> None:
    """Run ``code`` in a just-started kernel, checking all the while that the kernel is alive.

    Parameters
    ----------
    manager : jupyter_client.KernelManager
        The manager of a kernel that has been started.
    code : str
        What to run (the imports every briefing makes).
    limit_s : float
        Seconds allowed for the kernel to answer and run ``code``.

    Raises
    ------
    RuntimeError
        The kernel died (noticed within :data:`ALIVE_CHECK_S`) or ``code`` raised.
    TimeoutError
        The kernel did not finish within ``limit_s``.
    """
    from queue import Empty

    deadline = time.monotonic() + limit_s
    client = manager.blocking_client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=limit_s)  # raises at once if the kernel dies meanwhile
        request = client.execute(code, silent=True, store_history=False)
        while True:
            try:
                reply = client.get_shell_msg(timeout=ALIVE_CHECK_S)
            except Empty:
                if not manager.is_alive():
                    raise RuntimeError("the spare kernel died while warming up") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the spare kernel did not warm up within {limit_s:g} s") from None
                continue
            if reply["parent_header"].get("msg_id") == request:
                break
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"warm-up failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")
    finally:
        client.stop_channels()


def _discard(manager) -> None:
    """Shut a kernel down (killing it), whatever state it is in."""
    try:
        manager.shutdown_kernel(now=True)
    except Exception:  # already dead and cleaned up
        pass


_WARM: WarmKernels | None = None


def warm_kernels(kernel_name: str, cwd: str) -> WarmKernels:
    """This process's :class:`WarmKernels`, created on first use and shut down when the process ends.

    A worker forked from a process that has one gets its own: the parent's background
    thread does not exist in the child, so work given to the inherited pool would never run.
    """
    global _WARM
    if _WARM is None or (_WARM.pid, _WARM.kernel_name, _WARM.cwd) != (os.getpid(), kernel_name, cwd):
        import atexit
        from multiprocessing import util

        _WARM = WarmKernels(kernel_name, cwd)
        atexit.register(_WARM.close)
        util.Finalize(_WARM, _WARM.close, exitpriority=10)
    return _WARM


#: The papermill engine the build uses (registered by :func:`register_engine`).
ENGINE_NAME = "ccgtools"


def register_engine() -> None:
    """Register :data:`ENGINE_NAME`: papermill's nbclient engine, saving the notebook once, at the end.

    Papermill writes (and validates) the whole output notebook as every cell starts and ends, which
    for a briefing of 20 cells with inline SVG charts is dozens of full writes nobody reads: the
    build reads the notebook once, when it has run. The final save (in papermill's ``finally``,
    so also after an error, a time-out or a dead kernel) still happens, so what ran is kept.
    """
    from papermill.engines import NBClientEngine, papermill_engines

    class SaveAtEndEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            nb_man.save = lambda **_: None  # the per-cell saves; notebook_complete() saves for real
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            finally:
                del nb_man.save

    papermill_engines.register(ENGINE_NAME, SaveAtEndEngine)


def preload() -> None:
    """Import the execution and rendering stack once, so forked workers inherit it."""
    prepare_process()
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    from . import render  # noqa: F401


def zygote_address(job: dict) -> str | None:
    """The zygote to fork this briefing's kernel from, or None to start kernels the usual way.

    The coordinator's zygote (``job["zygote"]``) when it started one on this machine; else, for
    a job with ``warm`` set on a system that can fork (a Dask worker), this process's own zygote,
    started on first use and kept for the next briefings given to the same worker.
    """
    from .zygote import fork_available, own_zygote

    if not job.get("warm") or not fork_available():
        return None
    if job.get("zygote"):
        return job["zygote"]
    own = own_zygote(job["kernel_name"], job["cwd"])
    return own.address if own is not None else None


def zygote_kernel_manager(kernel_name: str, address: str, ip: str):
    """A kernel manager (not started) whose kernel will be forked from the zygote at ``address``.

    It talks to its kernel over Unix sockets at ``ip`` (IPC transport), so parallel kernel starts
    cannot collide on TCP ports; nbclient starts it, with the briefing's working folder.
    """
    from .zygote import kernel_manager

    return kernel_manager(kernel_name, address, transport="ipc", ip=ip, client_class=NBCLIENT_CLIENT_CLASS)


@dataclass
class Rendered:
    """The result of one briefing's execution: everything to publish, or the error."""

    name: str
    html: str = ""
    tables: dict[str, str] = field(default_factory=dict)
    datapackage: str = ""  # the tables' Frictionless Data Package descriptor (JSON), "" when there are none
    notebook: str = ""
    error: str = ""
    duration_s: float = 0.0
    attempts: int = 1
    synthetic: str = ""  # what the page says of its synthetic data ("" for real data)
    facts: dict = field(default_factory=dict)  # title, geography, period and first finding, for the index

    @property
    def ok(self) -> bool:
        return not self.error


def first_line(source: str, width: int = 80) -> str:
    """The first non-blank line of a cell's source, cut to ``width`` characters."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    return lines[0][:width] if lines else ""


class CellWatch:
    """Which code cell a briefing is running, and how much of its time limit is left.

    Given to nbclient (through papermill) as its ``on_cell_execute`` hook and its
    ``timeout_func``: each cell may run for what is left of the briefing's limit, so
    the briefing as a whole stops at its limit, in whichever cell it then is.

    Parameters
    ----------
    limit_s : float or None
        The briefing's time limit in seconds, counted from the creation of the watch;
        None for no limit.
    """

    def __init__(self, limit_s: float | None):
        self.limit_s = limit_s
        self.deadline = None if limit_s is None else time.monotonic() + limit_s
        self.cell_number = 0  # code cells started so far: the running cell's execution count
        self.cell_source = ""

    def on_cell_execute(self, cell, cell_index: int) -> None:
        """nbclient hook: a code cell is about to run."""
        self.cell_number += 1
        self.cell_source = first_line(cell.source)

    def timeout(self, cell) -> int | None:
        """nbclient ``timeout_func``: whole seconds left (at least 1), or None without a limit."""
        if self.deadline is None:
            return None
        return max(1, math.ceil(self.deadline - time.monotonic()))

    def expired(self) -> bool:
        """Whether the briefing's time limit has passed."""
        return self.deadline is not None and time.monotonic() >= self.deadline

    def where(self) -> str:
        """The running cell as the failure message names it, e.g. ``cell 3 (time.sleep(60))``."""
        return f"cell {self.cell_number}" + (f" ({self.cell_source})" if self.cell_source else "")


def describe_fault(exc: BaseException, watch: CellWatch) -> str | None:
    """The message for a briefing stopped by its time limit or by its kernel's death, else None.

    Parameters
    ----------
    exc : BaseException
        What papermill raised.
    watch : CellWatch
        The briefing's cell watch (which cell ran, the limit).

    Returns
    -------
    str or None
        ``"timed out after N s in cell K (...)"``, ``"kernel died in cell K (...)"``,
        or None when ``exc`` is neither, or no cell had started (a kernel that failed to
        start, which is worth a retry).
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if watch.cell_number == 0:
        return None
    if isinstance(exc, CellTimeoutError) and watch.expired():
        return f"timed out after {watch.limit_s:g} s in {watch.where()}"
    if isinstance(exc, DeadKernelError):
        return f"kernel died in {watch.where()} (killed, or out of memory)"
    return None


def describe_failure(exc: BaseException) -> str:
    """One line naming the cell and the error, for the terminal and the index."""
    import papermill

    if isinstance(exc, papermill.PapermillExecutionError):
        first_line = exc.source.strip().splitlines()[0] if exc.source.strip() else ""
        return f"cell {exc.exec_count} ({first_line[:80]}) raised {exc.ename}: {exc.evalue}"
    return f"{type(exc).__name__}: {exc}"


def make_deterministic(notebook) -> None:
    """Remove what differs between two runs of the same notebook: cell ids, timings, papermill's clock."""
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    papermill_metadata = notebook.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "exception", "input_path", "output_path",
                "environment_variables", "version"):
        papermill_metadata.pop(key, None)


def execute_and_render(job: dict) -> Rendered:
    """Execute a notebook with papermill and render it; never raises for the briefing's own failure.

    Parameters
    ----------
    job : dict
        name, notebook (path), parameters (the overrides to inject), effective
        (all parameters, for the footer), inputs (files with checksums), title,
        disclosure, kernel_name, cwd; optionally timeout (seconds the notebook may run,
        None for no limit), warm (fork the kernel from a zygote, see :mod:`ccgtools.build.zygote`,
        or where fork is unavailable use warmed spare kernels), zygote (the address of the
        coordinator's zygote), more_to_come (prepare a spare for the next briefing) and per_build (the
        build's folder of shared results, :mod:`ccgtools.per_build`).

    Returns
    -------
    Rendered
        The HTML page, CSV tables and executed notebook, or the error. A kernel that
        fails to start (not a cell that raises) is retried once; a notebook that runs
        past its time limit, or whose kernel dies, fails at once ("timed out after N s
        in cell K", "kernel died in cell K") and is not retried.
    """
    prepare_process()
    import nbformat
    import papermill

    from ..per_build import ENVIRONMENT_VARIABLE

    if job.get("per_build"):  # the build's shared results, for the kernel (it inherits this environment)
        os.environ[ENVIRONMENT_VARIABLE] = job["per_build"]

    register_engine()
    from .render import Provenance, briefing_facts, first_finding, notebook_to_html, published_package, published_tables

    started = time.perf_counter()
    attempts = 0
    zygote = zygote_address(job)
    pool = warm_kernels(job["kernel_name"], job["cwd"]) if job.get("warm") and zygote is None else None
    with tempfile.TemporaryDirectory(prefix=f"ccgtools-{job['name']}-") as scratch, \
            tempfile.TemporaryDirectory(prefix="ccgk-") as sockets:  # short: Unix socket paths are limited
        executed = Path(scratch) / f"{job['name']}.ipynb"
        while True:
            attempts += 1
            manager = None
            if zygote is not None and attempts == 1:  # forked from the zygote; a retry lets papermill start one
                try:
                    manager = zygote_kernel_manager(job["kernel_name"], zygote, str(Path(sockets) / "k"))
                except Exception:  # e.g. no such kernel: papermill's own start fails and is counted
                    manager = None
            if pool is not None and attempts == 1:  # a warmed IPC kernel; a retry lets papermill start one
                pool.prepare()
                manager = pool.take()
            if pool is not None and job.get("more_to_come"):
                pool.prepare()
            watch = CellWatch(job.get("timeout"))
            try:
                papermill.execute_notebook(job["notebook"], str(executed), parameters=job["parameters"],
                                           engine_name=ENGINE_NAME,
                                           kernel_name=job["kernel_name"], cwd=job["cwd"], progress_bar=False,
                                           log_output=False, shutdown_kernel="immediate",
                                           timeout_func=watch.timeout, on_cell_execute=watch.on_cell_execute,
                                           **({"km": manager} if manager is not None else {}))
                break
            except papermill.PapermillExecutionError as exc:
                return Rendered(job["name"], notebook=_read_text(executed), error=describe_failure(exc),
                                duration_s=time.perf_counter() - started, attempts=attempts)
            except Exception as exc:  # timed out, the kernel died, or it did not start (retried once)
                fault = describe_fault(exc, watch)
                if fault is not None:
                    return Rendered(job["name"], notebook=_read_text(executed), error=fault,
                                    duration_s=time.perf_counter() - started, attempts=attempts)
                if attempts <= KERNEL_START_RETRIES:
                    continue
                return Rendered(job["name"], error=f"kernel failed after {attempts} attempts: "
                                                   f"{describe_failure(exc)}",
                                duration_s=time.perf_counter() - started, attempts=attempts)
            finally:
                if manager is not None and manager.has_kernel:
                    _discard(manager)
        try:
            notebook = nbformat.read(executed, as_version=4)
            make_deterministic(notebook)
            tables = published_tables(notebook)
            package = published_package(notebook, job["name"], job["title"], job.get("description", ""))
            provenance = Provenance(title=job["title"], name=job["name"], notebook=job["notebook_label"],
                                    parameters=job["effective"], data_files=job["inputs"],
                                    disclosure_rule=job["disclosure"])
            html = notebook_to_html(notebook, provenance)
            facts = {**briefing_facts(notebook), "finding": first_finding(notebook)}
            synthetic = facts.get("synthetic", "")
        except Exception as exc:  # rendering failed: this briefing fails, the build goes on
            return Rendered(job["name"], error=f"rendering failed: {describe_failure(exc)}",
                            duration_s=time.perf_counter() - started, attempts=attempts)
        return Rendered(job["name"], html=html, tables=tables, notebook=nbformat.writes(notebook),
                        datapackage=json.dumps(package, indent=2, ensure_ascii=False) + "\n" if tables else "",
                        duration_s=time.perf_counter() - started, attempts=attempts, synthetic=synthetic,
                        facts=facts)


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""
