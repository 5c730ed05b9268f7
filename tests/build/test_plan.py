"""ccgtools.build.plan and the scheduling in run: longest briefings first, spares only on a free core."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from ccgtools.build.briefings import Briefing, load_build_config
from ccgtools.build.plan import Task, expected_durations, longest_first, plan
from ccgtools.build.run import spare_kernels_wanted, worker_start_method

from .tiny_site import write_config


def _task(name: str, notebook: str, last: float | None) -> Task:
    return Task(Briefing(name, name.title(), Path(notebook)), "build", last_duration_s=last)


def test_longest_known_briefings_start_first_ties_in_config_order():
    tasks = [_task("a", "x.ipynb", 2.0), _task("b", "y.ipynb", 9.0), _task("c", "z.ipynb", 2.0),
             _task("d", "w.ipynb", 5.5)]
    assert [t.briefing.name for t in longest_first(tasks)] == ["b", "d", "a", "c"]


def test_a_new_sweep_variant_is_expected_to_take_as_long_as_its_siblings():
    tasks = [_task("sweep_1", "sweep.ipynb", 3.0), _task("sweep_2", "sweep.ipynb", 5.0),
             _task("sweep_new", "sweep.ipynb", None), _task("other", "other.ipynb", 3.5)]
    assert expected_durations(tasks) == [3.0, 5.0, 4.0, 3.5]
    assert [t.briefing.name for t in longest_first(tasks)] == ["sweep_2", "sweep_new", "other", "sweep_1"]


def test_a_notebook_never_run_goes_first():
    tasks = [_task("known", "a.ipynb", 60.0), _task("never", "b.ipynb", None)]
    assert [t.briefing.name for t in longest_first(tasks)] == ["never", "known"]


def test_plan_reads_each_briefings_last_duration_from_the_manifest(tmp_path):
    toml = write_config(tmp_path, {"slow": {}, "quick": {}, "new": {}})
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "manifest.json").write_text(json.dumps({"briefings": {
        "slow": {"key": "k", "status": "ok", "duration_s": 7.25},
        "quick": {"key": "k", "status": "failed", "duration_s": 0.5}}}))
    tasks = {t.briefing.name: t for t in plan(load_build_config(toml), reports)}
    assert {name: t.last_duration_s for name, t in tasks.items()} == {"slow": 7.25, "quick": 0.5, "new": None}


def test_spare_kernels_only_when_a_core_is_left_for_them():
    assert spare_kernels_wanted(1, 2) and spare_kernels_wanted(3, 4)
    assert not spare_kernels_wanted(2, 2) and not spare_kernels_wanted(4, 4)


def test_workers_come_from_a_fork_server_while_other_threads_run():
    # Forking a process that runs other threads can copy a lock held by one of them: the worker
    # would wait on it for ever (as a build called from a program with a Dask client once did).
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert worker_start_method() == "forkserver"
    finally:
        stop.set()
        other.join()
