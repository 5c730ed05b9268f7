"""Researchers in JupyterLab (issue 17): every notebook runs top to bottom where JupyterLab runs it.

JupyterLab starts a notebook's kernel in ``notebooks/`` with the kernel named by the notebook's own
kernelspec; the build runs notebooks from the project root with a kernel it chooses. These tests run
each notebook the JupyterLab way (papermill with ``notebooks/`` as the working folder and no kernel
name, so the kernelspec decides), on its defaults and on one changed parameter; check that ccgtools
errors reach a notebook as one message without hiding the failure from papermill or the build; that
``make setup`` strips outputs on commit; and, in Debian's Chromium, that Run All in the real JupyterLab
leaves no cell in error (timing each notebook).
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from ccgtools import config

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))
KERNEL = {"display_name": "Python (ccgtools)", "language": "python", "name": "ccgtools"}
BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _output_text(notebook) -> str:
    """Every stream, text/plain and text/html output of an executed notebook (HTML unescaped), as one string."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output["text"])
            elif "data" in output:
                parts += [output["data"].get("text/plain", ""), html.unescape(output["data"].get("text/html", ""))]
    return "\n".join(parts)


# ------------------------------------------------------------------ the notebooks as tracked in git


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_tracked_notebook_is_clean_and_names_the_ccgtools_kernel(path):
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata["kernelspec"] == KERNEL
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), "outputs saved in the notebook"
    guide = notebook.cells[0]
    assert guide.cell_type == "markdown" and "notebook-only" in guide.metadata.get("tags", [])
    assert "How to run it" in guide.source and "Parameters that go together" in guide.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_cells_only_set_parameters_and_call_the_package(path):
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            lines = [line.strip() for line in cell.source.splitlines()]
            assert not any(line.startswith(("def ", "for ", "while ", "class ")) for line in lines), cell.source


def _make_setup(repo: Path) -> str:
    """Run the project's ``make setup`` in the git repository ``repo`` with this venv; its output.

    The setup stamp is taken as up to date (``-o``), so only the git-filter step runs.
    """
    shutil.copy(config.PROJECT_ROOT / "Makefile", repo / "Makefile")
    return subprocess.run(["make", "-s", "-C", str(repo), "-o", ".venv/.setup-stamp", f"BIN={BIN}", "setup"],
                          capture_output=True, text=True, check=True).stdout


def _staged(repo: Path, path: str) -> str:
    """The text git would commit for ``path`` after ``git add`` (through the nbstripout filter)."""
    subprocess.run(["git", "-C", str(repo), "add", path], check=True)
    return subprocess.run(["git", "-C", str(repo), "show", f":{path}"], capture_output=True, text=True,
                          check=True).stdout


def test_make_setup_installs_nbstripout_as_a_git_filter(tmp_path):
    if not (shutil.which("git") and shutil.which("make")):
        pytest.skip("git and make are needed to check the nbstripout filter")
    repo = tmp_path / "clone"
    (repo / "notebooks").mkdir(parents=True)
    original = config.NOTEBOOKS_DIR / "survey_commissioning_support.ipynb"
    tracked = repo / "notebooks" / original.name
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    assert "stripped on commit" in _make_setup(repo)
    # As JupyterLab saves it after Run All: outputs, counts, timings and the kernel's language_info.
    notebook = nbformat.read(original, as_version=4)
    for number, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
        cell.execution_count = number + 1
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="result\n")]
        cell.metadata["execution"] = {"iopub.status.busy": "2026-11-24T02:00:00.000Z"}
    notebook.metadata["language_info"] = {"name": "python", "version": "3.11.7", "mimetype": "text/x-python",
                                          "file_extension": ".py", "pygments_lexer": "ipython3",
                                          "codemirror_mode": {"name": "ipython", "version": 3},
                                          "nbconvert_exporter": "python"}
    nbformat.write(notebook, tracked)
    assert _staged(repo, f"notebooks/{original.name}") == original.read_text(encoding="utf-8")
    # Run again, it changes nothing (the filter is already there).
    assert _make_setup(repo) == ""


# ------------------------------------------------------------------ ccgtools errors in a notebook


def test_outside_a_kernel_ccgtools_errors_keep_their_usual_traceback():
    script = ("import sys, ccgtools.errors as e\n"
              "print(e.register_notebook_handler(), 'IPython' in sys.modules, sys.excepthook is sys.__excepthook__)\n"
              "from IPython.core.interactiveshell import InteractiveShell\n"
              "InteractiveShell.instance()\n"
              "print(e.register_notebook_handler())\n"
              "from ccgtools.survey.load import load_survey\n"
              "load_survey('data/nope.csv')\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=config.NOTEBOOKS_DIR)
    assert run.stdout.split() == ["False", "False", "True", "False"]
    assert run.returncode == 1
    assert "Traceback (most recent call last)" in run.stderr and "read_csv_checked" in run.stderr
    assert "ccgtools.errors.DataError: file data/nope.csv" in run.stderr


@pytest.fixture
def kernel():
    """A ccgtools kernel started in notebooks/, as JupyterLab starts one; shut down afterwards."""
    from jupyter_client import KernelManager

    manager = KernelManager(kernel_name="ccgtools")
    manager.start_kernel(cwd=str(config.NOTEBOOKS_DIR))
    client = manager.blocking_client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def _run(client, code: str) -> tuple[dict, list[dict]]:
    """Execute ``code``; the reply's content and the iopub messages' contents and types."""
    messages = []
    reply = client.execute_interactive(code, timeout=120,
                                       output_hook=lambda m: messages.append({"type": m["msg_type"], **m["content"]}))
    return reply["content"], messages


@pytest.mark.e2e
def test_in_a_kernel_a_ccgtools_error_is_one_message_and_tb_shows_the_rest(kernel):
    reply, messages = _run(kernel, "from ccgtools.survey.load import load_survey\nload_survey('data/nope.csv')")
    assert reply["status"] == "error" and reply["ename"] == "DataError"
    (error,) = [m for m in messages if m["type"] == "error"]
    shown = "\n".join(error["traceback"])
    assert len(error["traceback"]) == 2, shown
    assert "DataError" in shown and "file data/nope.csv" in shown and str(config.PROJECT_ROOT) in shown
    assert "%tb" in shown and "read_csv_checked" not in shown and "Traceback" not in shown
    _, messages = _run(kernel, "%tb")
    full = "".join(m.get("text", "") for m in messages) + "".join("".join(m.get("traceback", [])) for m in messages)
    assert "read_csv_checked" in full and "load_survey" in full
    # Other errors keep IPython's full traceback.
    reply, messages = _run(kernel, "def inner():\n    return 1 / 0\ninner()")
    assert reply["ename"] == "ZeroDivisionError"
    (error,) = [m for m in messages if m["type"] == "error"]
    assert "inner()" in "\n".join(error["traceback"])


@pytest.mark.e2e
def test_the_build_still_sees_a_cell_with_a_ccgtools_error_as_failed(tmp_path):
    from ccgtools.build.execute import execute_and_render

    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": KERNEL})
    notebook.cells = [nbformat.v4.new_code_cell("data_path = 'data/nope.csv'", metadata={"tags": ["parameters"]}),
                      nbformat.v4.new_code_cell("from ccgtools.survey.load import load_survey\nload_survey(data_path)"),
                      nbformat.v4.new_code_cell("print('after the error')")]
    path = tmp_path / "fails.ipynb"
    nbformat.write(notebook, path)
    rendered = execute_and_render({"name": "fails", "notebook": str(path), "parameters": {},
                                   "kernel_name": config.KERNEL_NAME, "cwd": str(config.PROJECT_ROOT)})
    assert not rendered.ok
    assert "raised DataError" in rendered.error and "file data/nope.csv" in rendered.error
    executed = nbformat.reads(rendered.notebook, as_version=4)
    assert "after the error" not in _output_text(executed)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert len(errors) == 1 and errors[0]["ename"] == "DataError"


# ------------------------------------------------------------------ every notebook, run as JupyterLab runs it

#: notebook: (parameters, text expected in the outputs, text that must not be there)
RUNS = {
    "survey defaults": ("survey_commissioning_support", {}, ["Headline answers by cluster"], []),
    "survey by provider": ("survey_commissioning_support", {"group_by": "provider_choice"},
                           ["Headline answers by provider choice"], ["Headline answers by cluster"]),
    "survey 360 stakeholders": ("survey_commissioning_support",
                                {"codebook_path": "data/survey_ccg_360_stakeholder.codebook.toml", "data_path": "",
                                 "group_by": "stakeholder_type", "focus": "Coldmere CCG"},
                                ["Coldmere CCG beside the other CCGs and its previous survey", "design effect"],
                                ["Headline answers by cluster", "emerging CCGs"]),
    "nhs111 defaults": ("nhs111_contract_ranking", {}, ["nationally across 46 contracts", "All contracts, day by day"],
                        []),
    "nhs111 London": ("nhs111_contract_ranking", {"region": "London"},
                      ["in London across 5 contracts", "All contracts in London, day by day",
                       "none of the contracts compared was planted"],
                      ["nationally", "All contracts, day by day", "planted underperformers are known"]),
    "practices defaults": ("practice_variation", {}, ["indicator: emergency admissions"], []),
    "practices A&E": ("practice_variation", {"indicator": "ae_attendances"}, ["indicator: A&E attendances"],
                      ["emergency admissions"]),
    "assurance defaults": ("provider_data_assurance", {}, ["72 monthly returns from 6 providers"], []),
    "areas defaults": ("area_profile", {}, ["NHS Severnbridge ICB: area profile",
                                            "Since 2022/23: smoking (15+) improved credibly"], []),
    "areas another ICB": ("area_profile", {"area": "SQ25", "indicator": "flu_65"},
                          ["NHS Thamesgate ICB: area profile", "Flu jab (65+), 2023/24:",
                           "Since 2022/23: flu jab (65+) worsened credibly"], ["Smoking (15+), 2023/24:"]),
    "assurance without records": ("provider_data_assurance", {"records_path": "", "truth_path": ""},
                                  ["checked for consistency and over time (no record-level logs)"],
                                  ["checked against the commissioner's record-level logs"]),
}


def test_every_notebook_is_run_on_its_defaults_and_on_a_changed_parameter():
    defaults = {name for name, parameters, _, _ in RUNS.values() if not parameters}
    changed = {name for name, parameters, _, _ in RUNS.values() if parameters}
    notebooks = {path.stem for path in NOTEBOOKS}
    assert defaults == notebooks and changed == notebooks, "add the notebook to RUNS"


@pytest.mark.e2e
@pytest.mark.parametrize("run", list(RUNS))
def test_notebook_runs_in_notebooks_folder_with_its_own_kernel(run, tmp_path):
    import papermill

    name, parameters, expected, unexpected = RUNS[run]
    executed = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(str(config.NOTEBOOKS_DIR / f"{name}.ipynb"), str(executed), parameters=parameters,
                               cwd=str(config.NOTEBOOKS_DIR), kernel_name=None, progress_bar=False)
    notebook = nbformat.read(executed, as_version=4)
    assert notebook.metadata["papermill"]["parameters"] == parameters
    assert notebook.metadata["kernelspec"]["name"] == "ccgtools"
    text = _output_text(notebook)
    for phrase in expected:
        assert phrase in text, phrase
    for phrase in unexpected:
        assert phrase not in text, phrase


@pytest.mark.e2e
def test_a_highlight_outside_the_region_is_refused_with_names(tmp_path):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as info:
        papermill.execute_notebook(str(config.NOTEBOOKS_DIR / "nhs111_contract_ranking.ipynb"),
                                   str(tmp_path / "out.ipynb"), cwd=str(config.NOTEBOOKS_DIR), progress_bar=False,
                                   parameters={"region": "London", "highlight_contract": "111C11"})
    assert info.value.ename == "ParameterError"
    assert "'111C11' is not among the contracts compared in London" in info.value.evalue
    assert "111C28 (Thamesgate Highbarrow)" in info.value.evalue


# ------------------------------------------------------------------ Run All in the real JupyterLab

#: Notebook settings for the test's own JupyterLab: every cell in the page (no windowing), no autosave.
LAB_SETTINGS = {"@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
                "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False}}
RUN_ALL_TIMEOUT_S = 240


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab on a copy of notebooks/ (the tracked files are never touched), on 127.0.0.1 with a token.

    The kernel runs in the copy's notebooks/ folder, as ``make lab`` runs it, so relative paths are
    taken from the project root or not at all.
    """
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(config.NOTEBOOKS_DIR, root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    if shutil.which("git") and shutil.which("make"):  # so that the saved notebooks can be staged
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        _make_setup(root)
    for name, values in LAB_SETTINGS.items():
        (root / "settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "settings" / name).write_text(json.dumps(values), encoding="utf-8")
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / "config"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces")}
    command = [str(BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--MappingKernelManager.default_kernel_name=ccgtools", "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # as `make lab` does, only when running as root
    log = (root / "jupyterlab.log").open("w")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_server(port, server, root / "jupyterlab.log")
        yield f"http://127.0.0.1:{port}", token, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_for_server(port: int, server: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"JupyterLab stopped: {log.read_text()[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise RuntimeError(f"JupyterLab did not start in {timeout} s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def lab_browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does this)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


#: Each code cell of the notebook in view: its execution count and the types of its outputs.
CELLS_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = [];
  for (const cell of panel.content.model.cells) {
    if (cell.type !== 'code') continue;
    const outputs = cell.outputs.toJSON();
    cells.push({count: cell.executionCount,
                errors: outputs.filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue)});
  }
  return {kernel: panel.sessionContext.kernelDisplayName, status: panel.sessionContext.kernelDisplayStatus,
          cells: cells};
}"""


#: True when Run All has finished: the kernel is idle and every code cell ran, or one failed (Run All stops there).
DONE_JS = """() => {
  const state = (%s)();
  const ran = state.cells.every(c => c.count);
  const failed = state.cells.some(c => c.errors.length);
  return state.status === 'idle' && (ran || failed);
}""" % CELLS_JS


def _notebook_state(page) -> dict:
    return page.evaluate(CELLS_JS)


#: True once a run has started: the kernel is busy or a code cell has an execution count.
STARTED_JS = """() => { const state = (%s)(); return state.status !== 'idle' || state.cells.some(c => c.count); }""" % (
    CELLS_JS)


def _click_run_all(page, attempts: int = 3) -> float:
    """Choose Run > Run All Cells in the menu bar; the time of the click that started the run.

    A Lumino menu now and then takes a click made the moment it opens as a click on nothing;
    the menu is then closed and the choice made again (the notebook has not run, so nothing
    runs twice).
    """
    for _ in range(attempts):
        page.get_by_role("menubar").get_by_role("menuitem", name="Run", exact=True).click()
        item = page.get_by_role("menu").get_by_role("menuitem", name="Run All Cells", exact=True)
        item.hover()
        clicked = time.perf_counter()
        item.click()
        try:
            page.wait_for_function(STARTED_JS, timeout=10_000, polling=100)
            return clicked
        except Exception:
            print("Run All Cells started nothing; choosing it again")
            page.keyboard.press("Escape")
    raise AssertionError(f"Run > Run All Cells started nothing in {attempts} attempts")


def _open_and_run_all(page, url: str, token: str, name: str) -> float:
    """Open ``name`` in JupyterLab, wait for its kernel, Run All from the Run menu; seconds until all ran."""
    page.goto(f"{url}/lab/tree/notebooks/{name}?token={token}")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.kernelDisplayStatus === 'idle'",
        timeout=120_000)
    started = _click_run_all(page)
    try:
        page.wait_for_function(DONE_JS, timeout=RUN_ALL_TIMEOUT_S * 1000, polling=200)
    except Exception as exc:  # say where it stopped, not just that it timed out
        raise AssertionError(f"{name}: Run All did not finish in {RUN_ALL_TIMEOUT_S} s; "
                             f"{json.dumps(_notebook_state(page))}") from exc
    return time.perf_counter() - started


def _save_and_stage(page, root: Path, original: Path) -> list[str]:
    """Save the notebook from JupyterLab (File > Save Notebook), stage it; what is wrong with the staged text."""
    if not (root / ".git").is_dir():
        return []
    page.get_by_role("menubar").get_by_role("menuitem", name="File", exact=True).click()
    page.get_by_role("menu").get_by_role("menuitem", name=re.compile(r"^Save Notebook(?! As)")).click()
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=60_000)
    saved = root / "notebooks" / original.name
    if '"output_type"' not in saved.read_text(encoding="utf-8"):
        return [f"{original.name}: the saved notebook has no outputs, so stripping was not tested"]
    if _staged(root, f"notebooks/{original.name}") != original.read_text(encoding="utf-8"):
        return [f"{original.name}: saved after Run All, it would not be committed as the clean notebook"]
    return []


@pytest.mark.e2e
def test_run_all_in_jupyterlab_leaves_no_cell_in_error(jupyterlab, lab_browser, record_property):
    url, token, root = jupyterlab
    timings, problems = {}, []
    for path in NOTEBOOKS:
        page = lab_browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            timings[path.stem] = _open_and_run_all(page, url, token, path.name)
            state = _notebook_state(page)
            if state["kernel"] != "Python (ccgtools)":
                problems.append(f"{path.name}: kernel {state['kernel']!r}")
            for number, cell in enumerate(state["cells"], start=1):
                if cell["errors"] or not cell["count"]:
                    problems.append(f"{path.name}, code cell {number}: "
                                    + ("; ".join(cell["errors"]) or "did not run"))
            rendered = page.locator(".jp-OutputArea-output").all_inner_texts()
            problems += [f"{path.name}: an output shows a traceback" for text in rendered if "Traceback" in text]
            problems += _save_and_stage(page, root, path)
        finally:
            page.close()
    for name, seconds in timings.items():
        record_property(f"run_all_seconds_{name}", round(seconds, 1))
        print(f"Run All in JupyterLab: {name}: {seconds:.1f} s")
    assert problems == []
    assert set(timings) == {p.stem for p in NOTEBOOKS}
