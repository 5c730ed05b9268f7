"""ccgtools.build.execute: one briefing's execution, its retry on a kernel that will not start, determinism."""

import nbformat

from ccgtools import config
from ccgtools.build.execute import KERNEL_START_RETRIES, execute_and_render, make_deterministic


def test_kernel_that_cannot_start_is_retried_once_then_fails_this_briefing_only():
    job = {"name": "x", "title": "X", "notebook": str(config.NOTEBOOKS_DIR / "survey_commissioning_support.ipynb"),
           "notebook_label": "n", "parameters": {}, "effective": {}, "inputs": [], "disclosure": "",
           "kernel_name": "no-such-kernel", "cwd": str(config.PROJECT_ROOT)}
    rendered = execute_and_render(job)
    assert not rendered.ok and rendered.attempts == KERNEL_START_RETRIES + 1 == 2
    assert "kernel failed after 2 attempts" in rendered.error and "no-such-kernel" in rendered.error


def test_make_deterministic_removes_ids_and_timings():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1"), nbformat.v4.new_markdown_cell("x")])
    notebook.cells[0].metadata["papermill"] = {"start_time": "2026-01-01T00:00:00"}
    notebook.cells[0].metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
    notebook.metadata["papermill"] = {"start_time": "t", "end_time": "t", "duration": 1.0, "parameters": {"a": 1}}
    make_deterministic(notebook)
    assert [c["id"] for c in notebook.cells] == ["cell-0", "cell-1"]
    assert notebook.cells[0].metadata == {}
    assert notebook.metadata["papermill"] == {"parameters": {"a": 1}}


def test_the_warm_up_imports_what_it_names():
    # A spare kernel that fails its warm-up is silently replaced by a cold one: the build still works,
    # only slower. Run the warm-up code in a fresh interpreter so a renamed module is caught here.
    import subprocess
    import sys

    from ccgtools.build.execute import WARM_UP

    done = subprocess.run([sys.executable, "-c", WARM_UP], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
