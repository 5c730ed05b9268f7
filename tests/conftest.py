"""Shared fixtures: small explicit inputs, and the shared reference folder beside the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccgtools import build, config
from ccgtools.survey.synthetic import make_synthetic_survey

SHARED = config.SHARED_DIR


def shared_path(*parts: str) -> Path:
    """A file under ../shared/, skipping the test (with the reason) when the folder is absent."""
    path = SHARED.joinpath(*parts)
    if not SHARED.is_dir():
        pytest.skip(f"../shared/ is not beside the project ({SHARED}); reference data unavailable")
    assert path.exists(), f"expected reference file missing: {path}"
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
