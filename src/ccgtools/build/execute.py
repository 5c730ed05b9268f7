"""Executing and rendering one briefing: the unit of work of a build, on this machine or a Dask worker.

:func:`execute_and_render` takes a plain job description (picklable, so it can be
sent to another process or machine), runs the notebook with papermill in a
temporary folder, renders it, and returns the page, the tables and the executed
notebook as text. It writes nothing to the reports folder: the coordinator
publishes the result atomically.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

#: Errors raised when a kernel fails to start (port collisions, start time-outs), worth one retry.
KERNEL_START_RETRIES = 1


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
        self.background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ccgtools-warm-kernel")
        self.spare = None
        self.socket_dir = tempfile.mkdtemp(prefix="ccgtools-kernels-")
        self.started = 0

    def _start(self):
        from jupyter_client import KernelManager

        self.started += 1
        manager = KernelManager(kernel_name=self.kernel_name, transport="ipc",
                                ip=str(Path(self.socket_dir) / f"kernel{self.started}"))
        manager.start_kernel(cwd=self.cwd)
        client = manager.blocking_client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            reply = client.execute_interactive(WARM_UP, timeout=120, store_history=False)
            if reply["content"]["status"] != "ok":
                raise RuntimeError("warm-up failed")
        finally:
            client.stop_channels()
        return manager

    def prepare(self) -> None:
        """Start warming a spare kernel in the background (if none is on the way)."""
        if self.spare is None:
            self.spare = self.background.submit(self._start)

    def take(self):
        """A warmed kernel manager, or None when the spare could not be started."""
        if self.spare is None:
            return None
        future, self.spare = self.spare, None
        try:
            return future.result()
        except Exception:
            return None

    def close(self) -> None:
        manager = self.take()
        if manager is not None:
            manager.shutdown_kernel(now=True)
        self.background.shutdown(wait=True)
        shutil.rmtree(self.socket_dir, ignore_errors=True)


_WARM: WarmKernels | None = None


def warm_kernels(kernel_name: str, cwd: str) -> WarmKernels:
    """This process's :class:`WarmKernels`, created on first use and shut down when the process ends."""
    global _WARM
    if _WARM is None or (_WARM.kernel_name, _WARM.cwd) != (kernel_name, cwd):
        import atexit
        from multiprocessing import util

        _WARM = WarmKernels(kernel_name, cwd)
        atexit.register(_WARM.close)
        util.Finalize(_WARM, _WARM.close, exitpriority=10)
    return _WARM


def preload() -> None:
    """Import the execution and rendering stack once, so forked workers inherit it."""
    prepare_process()
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    from . import render  # noqa: F401


@dataclass
class Rendered:
    """The result of one briefing's execution: everything to publish, or the error."""

    name: str
    html: str = ""
    tables: dict[str, str] = field(default_factory=dict)
    notebook: str = ""
    error: str = ""
    duration_s: float = 0.0
    attempts: int = 1
    synthetic: str = ""  # what the page says of its synthetic data ("" for real data)

    @property
    def ok(self) -> bool:
        return not self.error


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
        disclosure, kernel_name, cwd.

    Returns
    -------
    Rendered
        The HTML page, CSV tables and executed notebook, or the error. A kernel that
        fails to start (not a cell that raises) is retried once.
    """
    prepare_process()
    import nbformat
    import papermill

    from .render import Provenance, briefing_facts, notebook_to_html, published_tables

    started = time.perf_counter()
    attempts = 0
    pool = warm_kernels(job["kernel_name"], job["cwd"]) if job.get("warm") else None
    with tempfile.TemporaryDirectory(prefix=f"ccgtools-{job['name']}-") as scratch:
        executed = Path(scratch) / f"{job['name']}.ipynb"
        while True:
            attempts += 1
            manager = None
            if pool is not None and attempts == 1:  # a warmed IPC kernel; a retry lets papermill start one
                pool.prepare()
                manager = pool.take()
            if pool is not None and job.get("more_to_come"):
                pool.prepare()
            try:
                papermill.execute_notebook(job["notebook"], str(executed), parameters=job["parameters"],
                                           kernel_name=job["kernel_name"], cwd=job["cwd"], progress_bar=False,
                                           log_output=False, shutdown_kernel="immediate",
                                           **({"km": manager} if manager is not None else {}))
                break
            except papermill.PapermillExecutionError as exc:
                return Rendered(job["name"], notebook=_read_text(executed), error=describe_failure(exc),
                                duration_s=time.perf_counter() - started, attempts=attempts)
            except Exception as exc:  # the kernel did not start or died: retry once, then fail this briefing
                if attempts <= KERNEL_START_RETRIES:
                    continue
                return Rendered(job["name"], error=f"kernel failed after {attempts} attempts: "
                                                   f"{describe_failure(exc)}",
                                duration_s=time.perf_counter() - started, attempts=attempts)
            finally:
                if manager is not None and manager.has_kernel:
                    manager.shutdown_kernel(now=True)
        try:
            notebook = nbformat.read(executed, as_version=4)
            make_deterministic(notebook)
            tables = published_tables(notebook)
            provenance = Provenance(title=job["title"], name=job["name"], notebook=job["notebook_label"],
                                    parameters=job["effective"], data_files=job["inputs"],
                                    disclosure_rule=job["disclosure"])
            html = notebook_to_html(notebook, provenance)
            synthetic = briefing_facts(notebook).get("synthetic", "")
        except Exception as exc:  # rendering failed: this briefing fails, the build goes on
            return Rendered(job["name"], error=f"rendering failed: {describe_failure(exc)}",
                            duration_s=time.perf_counter() - started, attempts=attempts)
        return Rendered(job["name"], html=html, tables=tables, notebook=nbformat.writes(notebook),
                        duration_s=time.perf_counter() - started, attempts=attempts, synthetic=synthetic)


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""
