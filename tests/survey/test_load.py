"""ccgtools.survey.load: reading a respondent file, with errors naming file, row and column."""

import pytest

from ccgtools.errors import DataError, ParameterError
from ccgtools.survey import load


def _write(write_csv, frame):
    return write_csv(frame, "survey.csv")


def test_unknown_likert_label(write_csv, survey_frame):
    survey_frame.loc[4, "q_programme_satisfaction"] = "Quite happy"
    with pytest.raises(DataError) as info:
        load.load_survey(_write(write_csv, survey_frame))
    error = info.value
    assert (error.row, error.column, error.value) == (6, "q_programme_satisfaction", "Quite happy")
    assert "survey.csv" in str(error) and "'Very dissatisfied'" in str(error)


def test_repeated_respondent_id(write_csv, survey_frame):
    survey_frame.loc[10, "respondent_id"] = survey_frame.loc[2, "respondent_id"]
    with pytest.raises(DataError, match="repeated identifier") as info:
        load.load_survey(_write(write_csv, survey_frame))
    assert (info.value.row, info.value.column) == (12, "respondent_id")


def test_unknown_cluster(write_csv, survey_frame):
    survey_frame.loc[0, "cluster"] = "Wales"
    with pytest.raises(DataError, match="unknown value") as info:
        load.load_survey(_write(write_csv, survey_frame))
    assert (info.value.row, info.value.column, info.value.value) == (2, "cluster", "Wales")


def test_missing_column(write_csv, survey_frame):
    with pytest.raises(DataError, match="missing required column") as info:
        load.load_survey(_write(write_csv, survey_frame.drop(columns=["provider_choice"])))
    assert info.value.column == "provider_choice"


def test_missing_and_empty_files(tmp_path, write_csv):
    with pytest.raises(DataError, match="file not found"):
        load.load_survey(tmp_path / "absent.csv")
    with pytest.raises(DataError, match="empty"):
        load.load_survey(write_csv(""))


def test_negative_population(write_csv, survey_frame):
    survey_frame.loc[3, "registered_population"] = -5
    with pytest.raises(DataError, match="negative count") as info:
        load.load_survey(_write(write_csv, survey_frame))
    assert info.value.row == 5


def test_bom_and_windows_line_endings_load(write_csv, survey_frame):
    text = survey_frame.to_csv(index=False, lineterminator="\r\n")
    path = write_csv(b"\xef\xbb\xbf" + text.encode("utf-8"))
    loaded = load.load_survey(path)
    assert len(loaded) == 95 and loaded.columns[0] == "respondent_id"


def test_unknown_grouping_and_bad_parameters():
    from ccgtools.survey import codebook

    with pytest.raises(ParameterError, match="unknown grouping 'region'"):
        load.resolve_group_by(codebook.read_codebook(), "region")
    with pytest.raises(ParameterError, match="weighting"):
        load.validate_parameters(weighting="raked")
    with pytest.raises(ParameterError, match="confidence"):
        load.validate_parameters(group_by="cluster", confidence=95, min_responses=10, population_size=None)


def test_population_smaller_than_sample(bundled):
    with pytest.raises(DataError, match="population size smaller"):
        load.check_population_size(bundled, 50)


def test_the_codebook_rides_along_uncopied(bundled):
    """pandas deep-copies ``DataFrame.attrs`` on every operation; the codebook (read once, never changed) is
    passed on as itself, and every derived frame still carries it."""
    import copy

    book = bundled.attrs["codebook"]
    assert copy.deepcopy(book) is book
    derived = bundled[bundled.columns[:3]].head(5).copy()
    assert derived.attrs["codebook"] is book
    assert copy.deepcopy(bundled.attrs)["codebook"] is book
