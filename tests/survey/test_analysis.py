"""ccgtools.survey.analysis: percentages with their own denominators and Wilson intervals."""

import csv

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccgtools import config
from ccgtools.survey import analysis, load


@pytest.mark.parametrize("column,numerator,answered,published_percent,decimals", [
    ("q_sufficient_information", 80, 95, 84, 0),
    ("q_support_offered_satisfaction", None, None, 70.7, 1),
    ("reason_too_busy", 19, 95, 20, 0),
    ("reason_good_relationships", None, None, 26.7, 1),
])
def test_published_figures_reproduced(bundled, column, numerator, answered, published_percent, decimals):
    # The published definition: headline answers among all respondents who answered (undecided included).
    item = load.question(column)
    row = {"numerator": int(bundled[column].isin(item.headline).sum()), "answered": int(bundled[column].notna().sum())}
    if numerator is not None:
        assert (row["numerator"], row["answered"]) == (numerator, answered)
    assert round(100 * row["numerator"] / row["answered"], decimals) == published_percent


def test_more_than_four_fifths_dissatisfied_with_programme(bundled_summary):
    row = bundled_summary.loc["q_programme_satisfaction"]
    assert row["numerator"] / row["answered"] > 0.8


def test_item_non_response_gives_different_denominators(bundled_summary):
    assert bundled_summary.loc["q_sufficient_information", "answered"] == 95
    assert bundled_summary.loc["q_programme_satisfaction", "answered"] < 95
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
    # The numbers who answered, recounted from the raw file with the csv module (non-blank cells).
    with open(config.SURVEY_DATA, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    likert = [q for q in load.QUESTIONS if q.kind == "likert"]
    assert table["answered"].tolist() == [sum(1 for r in rows if r[q.column].strip()) for q in likert]
    assert table.attrs["withheld"] == []


def test_small_likert_and_provider_results_are_withheld(bundled):
    # 8 CCGs: every Likert question and the provider question rest on fewer than 10 answers.
    likert = analysis.likert_distribution(bundled.head(8))
    assert likert.empty and len(likert.attrs["withheld"]) == 3
    providers = analysis.provider_choice_summary(bundled.head(8), min_responses=10)
    assert providers["suppressed"].all()
    assert providers[["ccgs", "answered", "percent", "lower", "upper"]].isna().all().all()
    assert not analysis.provider_choice_summary(bundled)["suppressed"].any()


def test_undecided_ccgs_are_not_in_the_reasons_denominators(bundled):
    # 17 undecided CCGs all answered "too busy" (No): 95 answered, 78 of them had chosen.
    summary = analysis.question_summary(bundled).set_index("question")
    chosen = int((bundled["provider_choice"] != "Undecided").sum())
    assert chosen == 78
    assert summary.loc["reason_too_busy", "answered"] == 78
    assert summary.loc["reason_too_busy", "numerator"] == 19
    assert summary.loc["q_sufficient_information", "answered"] == 95


def test_not_answered_is_suppressed_with_its_base(bundled):
    # not_answered = rows - answered would give the suppressed base back.
    table = analysis.question_summary(bundled.head(8), min_responses=10)
    assert table["not_answered"].isna().all()


def test_fpc_narrows_the_interval_as_kish(bundled):
    # n = 95 of N = 254: f² = (254 − 95) / 253; effective n = 95 / f² = 151.16; Wilson 80 of 95 at that n.
    import math
    from statistics import NormalDist
    z = NormalDist().inv_cdf(0.975)
    n_eff = 95 * 253 / 159
    p = 80 / 95
    centre = (p + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
    half = z * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff ** 2)) / (1 + z * z / n_eff)
    row = analysis.question_summary(bundled, population_size=254).set_index("question").loc["q_sufficient_information"]
    assert row["lower"] == pytest.approx(100 * (centre - half), abs=1e-6)
    assert row["upper"] == pytest.approx(100 * (centre + half), abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(2, 15), st.data())
def test_no_small_base_is_published_or_recoverable_from_not_answered(bundled, n, min_base, data):
    # The first n CCGs, each answer left blank with a drawn chance. The page publishes the number of
    # respondents (n) and the provider table (undecided CCGs are asked no reason), so a suppressed base
    # would come back as (those asked) − not_answered if not_answered were published beside it.
    frame = bundled.head(n).copy()
    for item in load.QUESTIONS:
        blank = data.draw(st.lists(st.booleans(), min_size=n, max_size=n), label=item.column)
        frame.loc[frame.index[blank], item.column] = np.nan
    summary = analysis.question_summary(frame, min_responses=min_base).set_index("question")
    choosers = frame["provider_choice"] != "Undecided"
    for item in load.QUESTIONS:
        asked = choosers if item.kind == "reason" else pd.Series(True, index=frame.index)
        answered = int((frame[item.column].notna() & asked).sum())  # counted here from the responses
        row = summary.loc[item.column]
        assert row["suppressed"] == (answered < min_base), item.column
        if row["suppressed"]:
            assert pd.isna(row[["answered", "not_answered", "numerator", "percent", "lower", "upper"]]).all()
        else:
            assert row["answered"] == answered and row["not_answered"] == int(asked.sum()) - answered
