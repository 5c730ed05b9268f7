"""Fixtures for the survey tests: the bundled survey and its summary."""

import pytest

from ccgtools.survey import analysis, load


@pytest.fixture(scope="module")
def bundled():
    return load.load_survey()


@pytest.fixture(scope="module")
def bundled_summary(bundled):
    return analysis.question_summary(bundled).set_index("question")
