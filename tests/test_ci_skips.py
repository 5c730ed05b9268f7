"""The test suite's own promises: under CI=true no test skips silently, and the summary names every skip."""

import os
import subprocess
import sys
import tomllib

from ccgtools import config

SKIPPING_SUITE = '''
import pytest

def test_needs_a_missing_file():
    pytest.skip("the real file is not on this machine")

@pytest.mark.skipif(True, reason="no browser here")
def test_needs_a_browser():
    pass

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_known_bug():
    assert False

def test_runs():
    assert True
'''


def _run_suite(tmp_path, ci: str | None) -> subprocess.CompletedProcess:
    """Run a small suite that skips, with tests/ci_plugin.py loaded as tests/conftest.py loads it."""
    (tmp_path / "test_skipping.py").write_text(SKIPPING_SUITE)
    environment = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        environment["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-ra", "-p", "tests.ci_plugin", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), str(tmp_path)],
                          check=False, capture_output=True, text=True, cwd=config.PROJECT_ROOT, env=environment,
                          timeout=120)


def test_skips_are_listed_with_their_reasons_outside_ci(tmp_path):
    result = _run_suite(tmp_path, ci=None)
    assert result.returncode == 0, result.stdout
    assert "SKIPPED" in result.stdout and "the real file is not on this machine" in result.stdout
    assert "no browser here" in result.stdout
    assert "1 passed, 2 skipped, 1 xfailed" in result.stdout


def test_every_skip_fails_under_ci_true(tmp_path):
    result = _run_suite(tmp_path, ci="true")
    assert result.returncode == 1, result.stdout
    assert "skipped under CI=true, where every test must run: the real file is not on this machine" in result.stdout
    assert "skipped under CI=true, where every test must run: no browser here" in result.stdout
    # A skip in the body fails; one in setup (a skipif mark) is an error; an expected failure stays expected.
    assert "1 failed, 1 passed, 1 xfailed, 1 error" in result.stdout


def test_the_project_asks_pytest_for_skip_reasons_and_loads_the_plugin():
    addopts = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "-ra" in addopts["addopts"].split()  # -r a: a summary line for every skip, with its reason
    conftest = (config.PROJECT_ROOT / "tests" / "conftest.py").read_text()
    assert 'pytest_plugins = ["tests.ci_plugin"]' in conftest
