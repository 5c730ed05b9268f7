"""ccgtools.survey.analysis: percentages with their own denominators and Wilson intervals."""

import numpy as np
import pytest

from ccgtools.survey import analysis, load


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


def test_small_numbers_suppressed_in_summary(bundled):
    small = bundled.head(8)
    table = analysis.question_summary(small, min_responses=10)
    assert table["suppressed"].all()
    assert table["percent"].isna().all() and table["numerator"].isna().all()


def test_likert_distribution_sums_to_100(bundled):
    table = analysis.likert_distribution(bundled)
    np.testing.assert_allclose(table[list(load.LIKERT)].sum(axis=1), 100)
    assert table["answered"].tolist() == [92, 92, 94]
