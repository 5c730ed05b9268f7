"""ccgtools.survey.synthetic: the seeded generator reproduces the published figures."""

import pandas as pd

from ccgtools import config
from ccgtools.survey.synthetic import make_synthetic_survey, write_synthetic_survey


def test_bundled_file_is_what_the_seeded_generator_makes(tmp_path):
    regenerated = write_synthetic_survey(tmp_path / "survey.csv")
    assert regenerated.read_bytes() == config.SURVEY_DATA.read_bytes(), "run `make data` and commit data/"


def test_generator_is_reproducible_and_seed_matters():
    pd.testing.assert_frame_equal(make_synthetic_survey(1), make_synthetic_survey(1))
    assert not make_synthetic_survey(1)["cluster"].equals(make_synthetic_survey(2)["cluster"])


def test_respondents_by_cluster_as_published(bundled):
    assert len(bundled) == 95
    counts = bundled["cluster"].value_counts()
    assert counts.to_dict() == {"North": 32, "Midlands and East": 31, "South": 20, "London": 12}
