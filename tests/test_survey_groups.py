"""ccgtools.survey_groups: percentages by group with disclosure control, and tests of association."""

import pandas as pd
import pytest
from scipy import stats as scipy_stats

from ccgtools import survey, survey_groups


@pytest.fixture(scope="module")
def bundled():
    return survey.load_survey()


def test_group_breakdown_suppresses_small_groups(bundled):
    table = survey_groups.group_breakdown(bundled, "cluster", min_responses=13)
    london = table[table["group"] == "London"]
    assert london["suppressed"].all()  # 12 London respondents < 13
    assert london["numerator"].isna().all() and london["percent"].isna().all()
    assert not table.loc[table["group"] == "North", "suppressed"].any()
    tests = survey_groups.association_tests(bundled, "cluster", min_responses=13)
    assert (tests["groups_left_out"] == "London").all()
    assert (tests["groups_tested"] == 3).all()


def test_group_breakdown_counts_add_up(bundled):
    table = survey_groups.group_breakdown(bundled, "provider_choice", min_responses=1)
    first = table[table["question"] == "q_sufficient_information"]
    assert first["answered"].sum() == 95 and first["numerator"].sum() == 80


def test_chi_square_hand_worked():
    # Groups A and B, 20 each: A 10 yes / 10 no, B 16 yes / 4 no; all expected counts ≥ 5.
    # Expected yes = 13 each, no = 7 each: χ² = 2·(3²/13) + 2·(3²/7) = 1.384615 + 2.571429 = 3.956044 (1 df)
    frame = pd.DataFrame({"provider_choice": ["In-house"] * 20 + ["Private sector"] * 20,
                          "q_sufficient_information": ["No"] * 10 + ["Yes"] * 10 + ["No"] * 16 + ["Yes"] * 4})
    result = survey_groups.association_tests(frame, "provider_choice", ("q_sufficient_information",)).iloc[0]
    assert result["test"].startswith("Chi-square")
    assert result["statistic"] == pytest.approx(3.956044, abs=1e-6)
    assert result["p_value"] == pytest.approx(scipy_stats.chi2.sf(3.956044, 1), abs=1e-6)


def test_fisher_used_when_expected_counts_small():
    # A 10 yes / 0 no, B 6 yes / 4 no: expected "no" = 2 < 5, so Fisher's exact test.
    # Two-sided p = P(tables as or less likely) = 2·C(10,6)·C(10,10)/C(20,16)... = 0.08669 (hand: 2·210/4845)
    frame = pd.DataFrame({"provider_choice": ["In-house"] * 10 + ["Private sector"] * 10,
                          "q_sufficient_information": ["No"] * 10 + ["No"] * 6 + ["Yes"] * 4})
    result = survey_groups.association_tests(frame, "provider_choice", ("q_sufficient_information",)).iloc[0]
    assert result["test"] == "Fisher's exact test"
    assert result["p_value"] == pytest.approx(2 * 210 / 4845, abs=1e-9)
