"""Fixtures for the survey tests: the bundled surveys, loaded from their codebooks."""

import pytest

from ccgtools import config
from ccgtools.survey import analysis, codebook, load

STAKEHOLDER_CODEBOOK = config.DATA_DIR / "survey_ccg_360_stakeholder.codebook.toml"


@pytest.fixture(scope="module")
def bundled():
    return load.load_survey()


@pytest.fixture(scope="module")
def bundled_summary(bundled):
    return analysis.question_summary(bundled).set_index("question")


@pytest.fixture(scope="module")
def stakeholders():
    return load.load_survey(None, codebook.read_codebook(STAKEHOLDER_CODEBOOK))
