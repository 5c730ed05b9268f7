"""Scale-out: a 40-briefing sweep built on a local two-worker Dask cluster started by the test.

The same plan and publication as a local build: the coordinator (``ccgtools build --dask-scheduler``)
sends each job to a worker, the worker runs the notebook in a kernel forked from a zygote of its own
and returns the rendered page, and the coordinator publishes it. Tiny notebooks (``tiny_site``) keep
it cheap. The cluster and the build run in processes of their own, so this test process starts no
Dask threads (a later test that forks would inherit them).
"""

from __future__ import annotations

import subprocess
import sys
import time

import psutil
import pytest

from ccgtools.build.run import EXIT_OK

from .tiny_site import manifest, start_cli, write_config

SWEEP = 40
#: Generous bound on the whole sweep (it takes about 20 s on 2 cores).
BOUND_S = 240

#: A local cluster of two single-threaded worker processes; prints the scheduler's address, then
#: runs until its standard input is closed.
CLUSTER = """
import sys
from distributed import LocalCluster
with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
    print(cluster.scheduler_address, flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def cluster():
    process = subprocess.Popen([sys.executable, "-c", CLUSTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        address = process.stdout.readline().strip()
        assert address.startswith("tcp://"), "the local Dask cluster did not start"
        yield process, address
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def _zygotes_under(pid: int) -> set[int]:
    """Zygotes among the descendants of ``pid`` (not their kernels, forks with the same command line)."""
    found = {}
    try:
        for process in psutil.Process(pid).children(recursive=True):
            try:
                if "ccgtools.build.zygote" in " ".join(process.cmdline()):
                    found[process.pid] = process.ppid()
            except psutil.Error:
                continue
    except psutil.Error:
        return set()
    return {child for child, parent in found.items() if parent not in found}


@pytest.mark.e2e
def test_a_forty_briefing_sweep_builds_on_a_two_worker_dask_cluster(tmp_path, cluster):
    process, address = cluster
    toml = write_config(tmp_path, {f"area_{number:02d}": {"sleep_s": 0.0} for number in range(SWEEP)})
    reports = tmp_path / "reports"
    build = start_cli("--config", str(toml), "--reports", str(reports), "--dask-scheduler", address)
    zygotes: set[int] = set()
    deadline = time.monotonic() + BOUND_S
    while build.poll() is None and time.monotonic() < deadline:
        zygotes |= _zygotes_under(process.pid)
        time.sleep(0.1)
    try:
        out, err = build.communicate(timeout=5)
    finally:
        build.kill()
    assert build.returncode == EXIT_OK, out + err
    assert f"Building {SWEEP} briefing(s) on Dask at {address}" in out
    entries = manifest(reports)
    assert sorted(entries) == [f"area_{number:02d}" for number in range(SWEEP)]
    assert all(entry["status"] == "ok" for entry in entries.values())
    assert all((reports / f"{name}.html").is_file() for name in entries)
    assert "slept 0.0" in (reports / "area_17.html").read_text(encoding="utf-8")  # a worker's output, published
    assert len(zygotes) == 2  # each worker ran its share in kernels forked from a zygote of its own
