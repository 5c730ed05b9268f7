"""ccgtools.survey and ccgtools.survey_data: loading, validation, and the analysis."""

import numpy as np
import pandas as pd
import pytest

from ccgtools import config, survey
from ccgtools.errors import DataError, ParameterError
from ccgtools.survey_data import make_synthetic_survey, write_synthetic_survey


@pytest.fixture(scope="module")
def bundled():
    return survey.load_survey()


@pytest.fixture(scope="module")
def bundled_summary(bundled):
    return survey.question_summary(bundled).set_index("question")


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


# Published 6 March 2012 (../shared/METHODS.md): each figure with its own denominator.
@pytest.mark.parametrize("column,numerator,answered,published_percent,decimals", [
    ("q_sufficient_information", 80, 95, 84, 0),
    ("q_support_offered_satisfaction", None, None, 70.7, 1),
    ("reason_too_busy", 19, 95, 20, 0),
    ("reason_good_relationships", None, None, 26.7, 1),
])
def test_published_figures_reproduced(bundled_summary, column, numerator, answered, published_percent, decimals):
    row = bundled_summary.loc[column]
    if numerator is not None:
        assert (row["numerator"], row["answered"]) == (numerator, answered)
    assert round(100 * row["numerator"] / row["answered"], decimals) == published_percent


def test_more_than_four_fifths_dissatisfied_with_programme(bundled_summary):
    row = bundled_summary.loc["q_programme_satisfaction"]
    assert row["numerator"] / row["answered"] > 0.8


def test_item_non_response_gives_different_denominators(bundled_summary):
    assert bundled_summary.loc["reason_too_busy", "answered"] == 95
    assert bundled_summary.loc["reason_good_relationships", "answered"] < 95
    assert bundled_summary["answered"].nunique() > 2


def test_summary_interval_is_wilson_from_the_counts(bundled_summary):
    row = bundled_summary.loc["q_sufficient_information"]
    assert row["lower"] == pytest.approx(75.5704, abs=1e-4) and row["upper"] == pytest.approx(90.1915, abs=1e-4)


def test_published_comparison_all_agree_on_bundled_data(bundled):
    comparison = survey.published_comparison(survey.question_summary(bundled))
    assert len(comparison) == len(survey.PUBLISHED_FIGURES)
    assert comparison["agrees"].all()


def test_published_comparison_detects_disagreement(bundled):
    altered = bundled.copy()
    altered.loc[altered["q_sufficient_information"] == "No", "q_sufficient_information"] = "Yes"
    comparison = survey.published_comparison(survey.question_summary(altered)).set_index("statement")
    assert not comparison.iloc[0]["agrees"]


def test_published_comparison_empty_for_other_files(bundled, tmp_path):
    other = tmp_path / "mine.csv"
    other.write_text("x")
    assert survey.published_comparison(survey.question_summary(bundled), other).empty


def test_small_numbers_suppressed_in_summary(bundled):
    small = bundled.head(8)
    table = survey.question_summary(small, min_responses=10)
    assert table["suppressed"].all()
    assert table["percent"].isna().all() and table["numerator"].isna().all()


def test_likert_distribution_sums_to_100(bundled):
    table = survey.likert_distribution(bundled)
    np.testing.assert_allclose(table[list(survey.LIKERT)].sum(axis=1), 100)
    assert table["answered"].tolist() == [92, 92, 94]


def test_headline_sentences_quote_computed_numbers(bundled):
    summary = survey.question_summary(bundled)
    sentences = survey.headline_findings(summary, bundled)
    assert sentences[0].startswith("84% of responding CCGs (80 of 95 who answered)")
    assert any("58 of 95" in s for s in sentences)


def test_fpc_is_stated_in_methods():
    assert any("finite population correction was applied for a population of 254" in n
               for n in survey.methods_notes(population_size=254))
    assert any("No finite population correction" in n for n in survey.methods_notes())


def test_comments_are_a_reproducible_selection(bundled):
    assert survey.selected_comments(bundled, 3) == survey.selected_comments(bundled, 3)
    assert len(survey.selected_comments(bundled, 3)) == 3


# --- bad input: each names the file, row and column, the bad value and what was expected ---

def _write(write_csv, frame):
    return write_csv(frame, "survey.csv")


def test_unknown_likert_label(write_csv, survey_frame):
    survey_frame.loc[4, "q_programme_satisfaction"] = "Quite happy"
    with pytest.raises(DataError) as info:
        survey.load_survey(_write(write_csv, survey_frame))
    error = info.value
    assert (error.row, error.column, error.value) == (6, "q_programme_satisfaction", "Quite happy")
    assert "survey.csv" in str(error) and "'Very dissatisfied'" in str(error)


def test_repeated_respondent_id(write_csv, survey_frame):
    survey_frame.loc[10, "respondent_id"] = survey_frame.loc[2, "respondent_id"]
    with pytest.raises(DataError, match="repeated identifier") as info:
        survey.load_survey(_write(write_csv, survey_frame))
    assert (info.value.row, info.value.column) == (12, "respondent_id")


def test_unknown_cluster(write_csv, survey_frame):
    survey_frame.loc[0, "cluster"] = "Wales"
    with pytest.raises(DataError, match="unknown value") as info:
        survey.load_survey(_write(write_csv, survey_frame))
    assert (info.value.row, info.value.column, info.value.value) == (2, "cluster", "Wales")


def test_missing_column(write_csv, survey_frame):
    with pytest.raises(DataError, match="missing required column") as info:
        survey.load_survey(_write(write_csv, survey_frame.drop(columns=["provider_choice"])))
    assert info.value.column == "provider_choice"


def test_missing_and_empty_files(tmp_path, write_csv):
    with pytest.raises(DataError, match="file not found"):
        survey.load_survey(tmp_path / "absent.csv")
    with pytest.raises(DataError, match="empty"):
        survey.load_survey(write_csv(""))


def test_negative_population(write_csv, survey_frame):
    survey_frame.loc[3, "registered_population"] = -5
    with pytest.raises(DataError, match="negative count") as info:
        survey.load_survey(_write(write_csv, survey_frame))
    assert info.value.row == 5


def test_bom_and_windows_line_endings_load(write_csv, survey_frame):
    text = survey_frame.to_csv(index=False, lineterminator="\r\n")
    path = write_csv(b"\xef\xbb\xbf" + text.encode("utf-8"))
    loaded = survey.load_survey(path)
    assert len(loaded) == 95 and loaded.columns[0] == "respondent_id"


def test_unknown_grouping_and_bad_parameters():
    with pytest.raises(ParameterError, match="unknown grouping 'region'"):
        survey.validate_parameters(group_by="region", confidence=0.95, min_responses=10, population_size=None)
    with pytest.raises(ParameterError, match="confidence"):
        survey.validate_parameters(group_by="cluster", confidence=95, min_responses=10, population_size=None)


def test_population_smaller_than_sample(bundled):
    with pytest.raises(DataError, match="population size smaller"):
        survey.check_population_size(bundled, 50)
