"""One build at a time per reports folder (``reports/build.lock``), and ``build.log`` keeping every run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ccgtools import cli
from ccgtools.build.lock import LOCK_NAME, BuildBusy, build_lock, parse_holder
from ccgtools.build.run import EXIT_BUSY, EXIT_FAILED, EXIT_OK

from .tiny_site import read_pid, start_cli, wait_for, write_config

#: A process that takes the lock of the folder argv[1], says so, and sleeps; with argv[2] == "fork", it
#: first forks a child (as the build's worker pool does) that outlives it and prints the child's pid.
HOLDER = """
import os, sys, time
from pathlib import Path
from ccgtools.build.lock import build_lock
with build_lock(Path(sys.argv[1]), command="holder"):
    child = os.fork() if sys.argv[2] == "fork" else None
    if child == 0:
        time.sleep(60)
        os._exit(0)
    print("held", child, flush=True)
    time.sleep(float(sys.argv[3]))
"""


def _hold(folder, *, fork=False, seconds=60.0) -> tuple[subprocess.Popen, int | None]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), "fork" if fork else "-", str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    line = holder.stdout.readline().split()
    assert line[0] == "held", line
    return holder, (int(line[1]) if line[1] != "None" else None)


def test_lock_file_names_the_holder_and_is_removed_after(tmp_path):
    with build_lock(tmp_path, command="ccgtools build --force", log=lambda line: None) as me:
        held = parse_holder((tmp_path / LOCK_NAME).read_text())
        assert held == me and held.pid == os.getpid() and held.command == "ccgtools build --force"
        assert len(held.started) == len("2026-11-24 06:00:01 +0000")
    assert not (tmp_path / LOCK_NAME).exists()


def test_second_build_in_the_same_process_is_refused_at_once(tmp_path):
    with build_lock(tmp_path, command="first", log=lambda line: None):
        started = time.monotonic()
        with pytest.raises(BuildBusy, match=f"another build is running on {tmp_path} \\(pid {os.getpid()}"):
            with build_lock(tmp_path, log=lambda line: None):
                pass
        assert time.monotonic() - started < 2


def test_second_build_waits_up_to_its_limit_then_gives_up(tmp_path):
    holder, _ = _hold(tmp_path)
    try:
        lines = []
        started = time.monotonic()
        with pytest.raises(BuildBusy, match=f"pid {holder.pid}.*holder.*after waiting 1 s"):
            with build_lock(tmp_path, wait=1, log=lines.append):
                pass
        assert 1 <= time.monotonic() - started < 10
        assert lines and lines[0].startswith("Waiting up to 1 s for the build running on")
    finally:
        holder.kill()
        holder.wait()


def test_second_build_waiting_starts_when_the_first_finishes(tmp_path):
    holder, _ = _hold(tmp_path, seconds=1.0)
    started = time.monotonic()
    with build_lock(tmp_path, wait=60, command="second", log=lambda line: None) as me:
        assert time.monotonic() - started >= 0.5  # it did wait for the first
        assert holder.wait(timeout=10) == 0  # which finished normally
        assert parse_holder((tmp_path / LOCK_NAME).read_text()) == me


def test_lock_left_by_a_crashed_build_is_taken_over_and_says_so(tmp_path):
    holder, _ = _hold(tmp_path)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert parse_holder((tmp_path / LOCK_NAME).read_text()).pid == holder.pid  # the file is still there
    lines = []
    with build_lock(tmp_path, log=lines.append):
        pass
    assert len(lines) == 1 and f"left by a build that ended without releasing it (pid {holder.pid}" in lines[0]
    assert "that process is gone" in lines[0]


def test_a_worker_forked_by_a_crashed_build_does_not_keep_the_lock(tmp_path):
    holder, child = _hold(tmp_path, fork=True)
    try:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        os.kill(child, 0)  # the forked child is still running...
        # ...yet the lock is free: the child closes its copy of the lock as it starts (register_at_fork), which on
        # a busy machine can come a moment after the parent said "held"; a child that kept it would time out here.
        with build_lock(tmp_path, wait=10, log=lambda line: None):
            os.kill(child, 0)
    finally:
        os.kill(child, signal.SIGKILL)


# --- end to end: a second `ccgtools build` during a first ---

@pytest.mark.e2e
def test_second_cli_build_during_a_first_exits_3_or_waits_for_it(tmp_path):
    reports, pid_file = tmp_path / "reports", tmp_path / "slow.pid"
    toml = write_config(tmp_path, {"slow": {"sleep_s": 8.0, "pid_file": str(pid_file)}})
    first = start_cli("--config", str(toml), "--reports", str(reports))
    try:
        wait_for(lambda: read_pid(pid_file), 90, "the first build running its briefing")
        started = time.monotonic()
        refused = subprocess.run([sys.executable, "-m", "ccgtools.cli", "build", "--config", str(toml),
                                  "--reports", str(reports), "--force"], capture_output=True, text=True, timeout=60)
        assert refused.returncode == EXIT_BUSY and time.monotonic() - started < 20
        assert f"another build is running on {reports} (pid {first.pid}" in refused.stderr
        assert "Use --wait SECONDS" in refused.stderr and refused.stdout == ""
        assert first.poll() is None  # the refusal came while the first was still running
        waited = subprocess.run([sys.executable, "-m", "ccgtools.cli", "build", "--config", str(toml),
                                 "--reports", str(reports), "--wait", "90"], capture_output=True, text=True,
                                timeout=120)
        first_out, first_err = first.communicate(timeout=90)
    finally:
        first.kill()
    assert first.returncode == EXIT_OK, first_err
    assert waited.returncode == EXIT_OK and "Waiting up to 90 s" in waited.stdout
    log = (reports / "build.log").read_text().splitlines()
    headers = [line for line in log if line.startswith("==== build started")]
    footers = [line for line in log if line.startswith("==== outcome:")]
    # two runs, each in its own section (the refused one did not run and wrote nothing), in order
    assert len(headers) == 2 and f"pid {first.pid}" in headers[0] and "--wait 90" in headers[1]
    assert footers == ["==== outcome: ok, exit status 0"] * 2
    assert log.index(footers[0]) < log.index(headers[1])
    assert not (reports / LOCK_NAME).exists()


@pytest.mark.e2e
def test_build_log_keeps_every_run_with_its_outcome(tmp_path):
    from ccgtools.build import build

    toml = write_config(tmp_path, {"quick": {"sleep_s": 0.0}, "limited": {"sleep_s": 30.0}},
                        extra={"limited": {"timeout": 1}})
    reports = tmp_path / "reports"
    quiet = {"log": lambda line: None}
    build(toml, reports, command="first run", **quiet)
    build(toml, reports, only=["quick"], command="second run", **quiet)
    status = cli.main(["build", "--config", str(toml), "--reports", str(reports), "--only", "quick", "limited"])
    assert status == EXIT_FAILED
    log = (reports / "build.log").read_text()
    sections = log.split("==== build started ")[1:]
    assert [s.splitlines()[0].split(" · ")[-1] for s in sections] == [
        "first run", "second run",
        f"ccgtools build --config {toml} --reports {reports} --only quick limited"]
    assert sections[0].rstrip().endswith("==== outcome: failed, exit status 1 (limited)")
    assert sections[1].rstrip().endswith("==== outcome: ok, exit status 0")
    assert "limited: FAILED: timed out after 1 s in cell 3" in sections[2]


def test_lock_file_is_json_with_pid_and_start_time(tmp_path):
    with build_lock(tmp_path, command="x", log=lambda line: None):
        record = json.loads((tmp_path / LOCK_NAME).read_text())
    assert set(record) == {"pid", "started", "command"} and record["pid"] == os.getpid()
