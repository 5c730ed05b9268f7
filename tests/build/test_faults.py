"""Fault injection: a kernel killed mid-briefing, a cell that hangs past its limit, a spare kernel killed.

Each build is a real ``ccgtools build`` process on tiny notebooks (``tiny_site``); each
test asserts that the build ends within its limits, with the right exit status, the
failed briefing's last good page still published and marked out of date, and the
other briefings built and left unmarked. Bounds on time are generous: the faults they
guard against hung the build for minutes or for ever.
"""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest
from bs4 import BeautifulSoup

from ccgtools.build.execute import CellWatch, WarmKernels, describe_fault
from ccgtools.build.run import EXIT_FAILED, EXIT_OK
from ccgtools.build.zygote import SWITCH

from .tiny_site import manifest, read_pid, start_cli, wait_for, write_config

#: Seconds the hanging cells would sleep: far longer than any bound below, so a build that waits
#: for them (instead of stopping them) fails the test.
FOREVER = 600.0
#: The time limit of the briefing whose cell hangs.
LIMIT_S = 3
#: Generous bound on how long a build may take to notice a fault and finish the other briefings.
BOUND_S = 90


def _status_text(index_html: str, title: str) -> str:
    """The status paragraph of one briefing on the index page."""
    soup = BeautifulSoup(index_html, "html.parser")
    for item in soup.select("li.ccg-briefing"):
        if item.h2.get_text(strip=True) == title:
            return item.select_one("p.ccg-status").get_text(" ", strip=True)
    raise AssertionError(f"{title} is not on the index")


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    """A good build of three briefings, then one where a kernel is killed and a cell hangs past its limit."""
    root = tmp_path_factory.mktemp("faults")
    reports = root / "reports"
    names = ("killed", "hangs", "steady")
    good = write_config(root, {name: {"sleep_s": 0.0} for name in names}, file_name="good.toml")
    first = start_cli("--config", str(good), "--reports", str(reports), "--jobs", "1")
    assert first.wait(timeout=BOUND_S) == EXIT_OK, first.communicate()
    before = {name: (reports / f"{name}.html").read_bytes() for name in names}

    pid_file = root / "killed.pid"
    faulty_config = write_config(root, {"killed": {"sleep_s": FOREVER, "pid_file": str(pid_file)},
                                        "hangs": {"sleep_s": FOREVER}, "steady": {"sleep_s": 0.5}},
                                 extra={"hangs": {"timeout": LIMIT_S}}, file_name="faulty.toml")
    started = time.monotonic()
    second = start_cli("--config", str(faulty_config), "--reports", str(reports), "--jobs", "1", "--force")
    kernel = wait_for(lambda: read_pid(pid_file), BOUND_S, "the briefing's kernel writing its pid")
    time.sleep(0.5)  # well inside the sleeping cell
    os.kill(kernel, signal.SIGKILL)
    killed_at = time.monotonic()
    try:
        out, err = second.communicate(timeout=BOUND_S)
    except Exception:
        second.kill()
        raise
    return {"reports": reports, "before": before, "status": second.returncode, "out": out, "err": err,
            "after_kill_s": time.monotonic() - killed_at, "total_s": time.monotonic() - started,
            "manifest": manifest(reports), "index": (reports / "index.html").read_text()}


@pytest.mark.e2e
def test_build_with_faults_ends_within_its_limits_with_status_1(faulty):
    assert faulty["status"] == EXIT_FAILED, faulty["err"]
    # killed kernel noticed, hanging cell stopped at 3 s, steady built: nowhere near the 600 s sleeps
    assert faulty["after_kill_s"] < BOUND_S and faulty["total_s"] < BOUND_S


@pytest.mark.e2e
def test_killed_kernel_fails_its_briefing_naming_the_cause(faulty):
    entry = faulty["manifest"]["killed"]
    assert entry["status"] == "failed" and entry["error"].startswith("kernel died in cell 3 (import os, time)")
    assert "killed: FAILED: kernel died in cell 3" in faulty["out"]


@pytest.mark.e2e
def test_cell_past_the_limit_times_out_naming_limit_and_cell(faulty):
    entry = faulty["manifest"]["hangs"]
    assert entry["status"] == "failed" and entry["error"] == f"timed out after {LIMIT_S} s in cell 3 (import os, time)"
    assert LIMIT_S <= entry["duration_s"] < LIMIT_S + 30  # stopped at its limit, not at the end of the sleep


@pytest.mark.e2e
def test_failed_briefings_keep_their_last_good_page_marked_out_of_date(faulty):
    reports = faulty["reports"]
    for name in ("killed", "hangs"):
        assert (reports / f"{name}.html").read_bytes() == faulty["before"][name]
        assert faulty["manifest"][name]["stale"] is True
        assert _status_text(faulty["index"], name.title()).startswith(
            "Out of date: the latest build of this briefing failed; the page linked is the last one that built.")
        assert (reports / "_failed" / f"{name}.ipynb").is_file()  # what ran, for the analyst


@pytest.mark.e2e
def test_other_briefing_still_builds_and_is_not_marked(faulty):
    entry = faulty["manifest"]["steady"]
    assert entry["status"] == "ok" and entry["stale"] is False and entry["parameters"]["sleep_s"] == 0.5
    assert _status_text(faulty["index"], "Steady").startswith("Current: the latest build found")
    assert "steady: published" in faulty["out"]
    assert not (faulty["reports"] / "_failed" / "steady.ipynb").exists()


def _kernels_of(pid: int) -> list[psutil.Process]:
    return [p for p in psutil.Process(pid).children(recursive=True)
            if any("ipykernel" in part for part in p.cmdline())]


def _has_numpy(process: psutil.Process) -> bool:
    try:
        return any("numpy" in m.path for m in process.memory_maps())
    except psutil.Error:
        return False


@pytest.mark.e2e
def test_spare_kernel_killed_while_warming_is_replaced_not_waited_for(tmp_path):
    # Without the zygote (switched off, as where fork is missing), with --jobs 1 the spare kernel for
    # "second" is warmed (numpy, pandas, matplotlib...) while "first" runs. Killed in the middle of its
    # imports, it must be replaced at once: the build used to wait for the warm-up's reply for 120 s.
    reports, pid_file = tmp_path / "reports", tmp_path / "first.pid"
    toml = write_config(tmp_path, {"first": {"sleep_s": 15.0, "pid_file": str(pid_file)},
                                    "second": {"sleep_s": 0.0}})
    build = start_cli("--config", str(toml), "--reports", str(reports), "--jobs", "1", env={SWITCH: "0"})
    try:
        running = wait_for(lambda: read_pid(pid_file), BOUND_S, "the first briefing's kernel writing its pid")
        spare = wait_for(lambda: next((k for k in _kernels_of(build.pid) if k.pid != running and _has_numpy(k)),
                                      None), 15, "the spare kernel importing numpy")
        spare.kill()
        killed_at = time.monotonic()
        out, err = build.communicate(timeout=BOUND_S)
    finally:
        build.kill()
    assert build.returncode == EXIT_OK, out + err
    assert time.monotonic() - killed_at < 60  # "first" sleeps 15 s; the old wait was 120 s
    assert not spare.is_running()
    entries = manifest(reports)
    assert [entries[n]["status"] for n in ("first", "second")] == ["ok", "ok"]
    assert not any(e["stale"] for e in entries.values())


class _Cell:
    def __init__(self, source):
        self.source = source


class _DeadManager:
    def __init__(self):
        self.shut_down = False

    def is_alive(self):
        return False

    def shutdown_kernel(self, now=False):
        self.shut_down = True


class _DoneFuture:
    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def test_spare_that_died_after_warming_is_discarded_not_handed_out():
    pool = WarmKernels.__new__(WarmKernels)  # no background thread: only take() is exercised
    dead = _DeadManager()
    pool.spare = _DoneFuture(dead)
    assert pool.take() is None and dead.shut_down and pool.spare is None


def test_cell_watch_gives_each_cell_what_is_left_of_the_limit():
    watch = CellWatch(10)
    assert watch.timeout(None) == 10 and not watch.expired()
    watch.deadline = time.monotonic() + 0.2  # nearly spent: still at least one second, never zero
    assert watch.timeout(None) == 1
    watch.deadline = time.monotonic() - 1
    assert watch.expired() and watch.timeout(None) == 1
    assert CellWatch(None).timeout(None) is None and not CellWatch(None).expired()


def test_cell_watch_names_the_running_cell():
    watch = CellWatch(5)
    watch.on_cell_execute(cell=_Cell("\n  x = 1\ny = 2"), cell_index=0)
    assert watch.where() == "cell 1 (x = 1)"
    watch.on_cell_execute(cell=_Cell("time.sleep(60)"), cell_index=2)
    assert watch.where() == "cell 2 (time.sleep(60))"


def test_fault_before_any_cell_is_a_start_failure_worth_a_retry():
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    watch = CellWatch(5)
    assert describe_fault(DeadKernelError("Kernel died"), watch) is None  # no cell started: retried
    watch.on_cell_execute(cell=_Cell("import os"), cell_index=1)
    assert describe_fault(DeadKernelError("Kernel died"), watch).startswith("kernel died in cell 1 (import os)")
    # an IOPub time-out before the limit is not called the briefing's time-out
    assert describe_fault(CellTimeoutError("Timeout waiting for IOPub output"), watch) is None
    watch.deadline = time.monotonic() - 1
    timed_out = describe_fault(CellTimeoutError("Cell execution timed out"), watch)
    assert timed_out == "timed out after 5 s in cell 1 (import os)"


def _worker_dies_on(job):
    """Stand-in for execute_and_render: the worker process running "dies" is killed outright."""
    from ccgtools.build.execute import Rendered

    if job["name"] == "dies":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(2)  # still running when the other worker dies
    return Rendered(job["name"], html="<p>ok</p>")


def test_a_lost_worker_process_fails_its_briefing_instead_of_crashing_the_build(monkeypatch):
    from ccgtools.build import execute, run

    monkeypatch.setattr(execute, "execute_and_render", _worker_dies_on)
    results = {r.name: r for r in run._run_in_processes([{"name": "dies"}, {"name": "lives"}], workers=2)}
    assert set(results) == {"dies", "lives"}
    assert not results["dies"].ok and results["dies"].error.startswith("its worker was lost: BrokenProcessPool")


def test_a_forked_worker_gets_its_own_warm_kernels_not_its_parents(tmp_path):
    # A build forks its workers; if the parent had warmed kernels itself (a one-briefing build runs
    # in-process), the child inherited a pool whose thread does not exist there, and waited for ever.
    from ccgtools.build.execute import warm_kernels

    parent = warm_kernels("python3", str(tmp_path))
    assert parent.background.submit(lambda: "thread started").result(timeout=10)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            pool = warm_kernels("python3", str(tmp_path))
            ok = pool is not parent and pool.background.submit(lambda: 42).result(timeout=10) == 42
        except BaseException:
            ok = False
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    assert os.read(read, 1) == b"1"
    assert warm_kernels("python3", str(tmp_path)) is parent  # the parent keeps its own


def _zygote_of(pid: int) -> psutil.Process | None:
    return next((p for p in psutil.Process(pid).children() if "ccgtools.build.zygote" in " ".join(p.cmdline())),
                None)


@pytest.mark.e2e
def test_zygote_killed_while_importing_is_not_waited_for_and_kernels_start_as_usual(tmp_path):
    # The build's zygote is killed in the middle of its imports: the kernel start waiting for it, and
    # every later one, must start a kernel the usual way at once, and every briefing still build.
    reports = tmp_path / "reports"
    toml = write_config(tmp_path, {name: {"sleep_s": 0.0} for name in ("first", "second", "third")})
    build = start_cli("--config", str(toml), "--reports", str(reports), "--jobs", "1")
    try:
        zygote = wait_for(lambda: _zygote_of(build.pid), BOUND_S, "the build starting its zygote")
        wait_for(lambda: _has_numpy(zygote), 15, "the zygote importing numpy", interval=0.01)
        zygote.kill()
        killed_at = time.monotonic()
        out, err = build.communicate(timeout=BOUND_S)
    finally:
        build.kill()
    assert build.returncode == EXIT_OK, out + err
    assert time.monotonic() - killed_at < 45  # the wait for a zygote is 60 s
    assert [e["status"] for e in manifest(reports).values()] == ["ok", "ok", "ok"]  # kernels started as usual


@pytest.mark.e2e
def test_running_kernels_outlive_a_zygote_killed_mid_build(tmp_path):
    # A kernel forked from the zygote is independent of it: the zygote killed while a briefing runs
    # (by the out-of-memory killer, say) leaves that briefing to finish.
    reports, pid_file = tmp_path / "reports", tmp_path / "first.pid"
    toml = write_config(tmp_path, {"first": {"sleep_s": 3.0, "pid_file": str(pid_file)}, "second": {"sleep_s": 0.0}})
    build = start_cli("--config", str(toml), "--reports", str(reports), "--jobs", "1")
    try:
        zygote = wait_for(lambda: _zygote_of(build.pid), BOUND_S, "the build starting its zygote")
        kernel = wait_for(lambda: read_pid(pid_file), BOUND_S, "the first briefing's kernel writing its pid")
        assert psutil.Process(kernel).ppid() == zygote.pid  # forked from the zygote
        zygote.kill()
        out, err = build.communicate(timeout=BOUND_S)
    finally:
        build.kill()
    assert build.returncode == EXIT_OK, out + err
    assert [manifest(reports)[n]["status"] for n in ("first", "second")] == ["ok", "ok"]
