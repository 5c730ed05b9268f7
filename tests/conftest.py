"""Shared fixtures: small explicit inputs, the shipped reference tables, and the real NHS files beside the project."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ccgtools import build, config
from ccgtools.survey.synthetic import make_synthetic_survey

# Under CI=true a skipped test fails (tests/ci_plugin.py); `-ra` lists every skip's reason locally.
pytest_plugins = ["tests.ci_plugin"]

SHARED = config.SHARED_DIR
REAL_DATA = SHARED / "real-data"
#: PHE's and FunnelPlotR's published reference tables, shipped with the tests (see its README.md).
REFERENCE = Path(__file__).parent / "reference"


def reference_path(*parts: str) -> Path:
    """A shipped reference table under tests/reference/ (always present: never skips)."""
    path = REFERENCE.joinpath(*parts)
    assert path.is_file(), f"shipped reference table missing: {path}"
    return path


def real_data_path(name: str) -> Path:
    """A real NHS file under ../shared/real-data/, skipping the test (with the reason) when it is absent.

    The real files may not be copied into the project. Under CI=true the skip fails instead
    (tests/ci_plugin.py), because CI always has ../shared/ beside the clone.
    """
    path = REAL_DATA / name
    if not path.is_file():
        pytest.skip(f"real NHS file {name} not on this machine (expected in {REAL_DATA})")
    return path


@pytest.fixture
def survey_frame():
    """The synthetic survey as a DataFrame of text, ready to be altered by a test."""
    return make_synthetic_survey().astype(object)


@pytest.fixture
def write_csv(tmp_path):
    """Write a DataFrame (or raw text) to a CSV in a temporary folder and return its path."""

    def write(content, name: str = "input.csv", **to_csv) -> Path:
        path = tmp_path / name
        if isinstance(content, (str, bytes)):
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        else:
            content.to_csv(path, index=False, **to_csv)
        return path

    return write


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The project's own build config rendered once into a temporary reports folder: (folder, outcomes)."""
    reports = tmp_path_factory.mktemp("reports")
    outcomes = build.build(reports_dir=reports, log=lambda line: None)
    return reports, outcomes


def run_in_fresh_python(code: str, *, hash_seed: str = "4242") -> str:
    """Run ``code`` in a new Python interpreter (another hash seed, no state of this one); return its stdout.

    For reproducibility claims: a result that must be the same on every run is computed again in a
    process that shares nothing with the test's own (string hashing, random-number generators,
    caches), so a dependence on any of them shows up as a difference.
    """
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=environment,
                          cwd=config.PROJECT_ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
