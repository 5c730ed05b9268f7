"""ccgtools.survey.groups: percentages by group with disclosure control, and tests of association."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from ccgtools.page import disclosure
from ccgtools.page.disclosure import DisclosureRule
from ccgtools.survey import groups, load


@pytest.fixture(scope="module")
def bundled():
    return load.load_survey()


def test_group_breakdown_suppresses_small_groups(bundled):
    table = groups.group_breakdown(bundled, "cluster", min_responses=13)
    london = table[table["group"] == "London"]
    assert london["suppressed"].all()  # 12 London respondents < 13
    assert london["numerator"].isna().all() and london["percent"].isna().all()
    assert not table.loc[table["group"] == "North", "suppressed"].any()
    tests = groups.association_tests(bundled, "cluster", min_responses=13)
    assert (tests["groups_left_out"] == "London").all()
    assert (tests["groups_tested"] == 3).all()


def test_group_breakdown_counts_add_up(bundled):
    table = groups.group_breakdown(bundled, "provider_choice", min_responses=1)
    first = table[table["question"] == "q_sufficient_information"]
    assert first["answered"].sum() == 95 and first["numerator"].sum() == 80


def test_chi_square_hand_worked():
    # Groups A and B, 20 each: A 10 yes / 10 no, B 16 yes / 4 no; all expected counts ≥ 5.
    # Expected yes = 13 each, no = 7 each: χ² = 2·(3²/13) + 2·(3²/7) = 1.384615 + 2.571429 = 3.956044 (1 df)
    frame = pd.DataFrame({"provider_choice": ["In-house"] * 20 + ["Private sector"] * 20,
                          "q_sufficient_information": ["No"] * 10 + ["Yes"] * 10 + ["No"] * 16 + ["Yes"] * 4})
    result = groups.association_tests(frame, "provider_choice", ("q_sufficient_information",)).iloc[0]
    assert result["test"].startswith("Chi-square")
    assert result["statistic"] == pytest.approx(3.956044, abs=1e-6)
    assert result["p_value"] == pytest.approx(scipy_stats.chi2.sf(3.956044, 1), abs=1e-6)


def test_fisher_used_when_expected_counts_small():
    # A 10 yes / 0 no, B 6 yes / 4 no: expected "no" = 2 < 5, so Fisher's exact test.
    # Two-sided p = P(tables as or less likely) = 2·C(10,6)·C(10,10)/C(20,16)... = 0.08669 (hand: 2·210/4845)
    frame = pd.DataFrame({"provider_choice": ["In-house"] * 10 + ["Private sector"] * 10,
                          "q_sufficient_information": ["No"] * 10 + ["No"] * 6 + ["Yes"] * 4})
    result = groups.association_tests(frame, "provider_choice", ("q_sufficient_information",)).iloc[0]
    assert result["test"] == "Fisher's exact test"
    assert result["p_value"] == pytest.approx(2 * 210 / 4845, abs=1e-9)




@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=4, max_size=4), st.integers(2, 15))
def test_survey_breakdown_never_leaks_a_small_group(sizes, min_base):
    # A survey whose four provider groups have the drawn sizes; every question's groups obey the rule.
    providers = np.repeat(np.array(load.PROVIDERS, dtype=object), sizes)
    if len(providers) == 0:
        return
    frame = pd.DataFrame({"provider_choice": pd.Categorical(providers, categories=load.PROVIDERS)})
    for question in load.QUESTIONS:
        frame[question.column] = pd.Categorical(np.resize(np.array(question.responses, dtype=object), len(frame)),
                                                categories=question.responses)
    table = groups.group_breakdown(frame, "provider_choice", min_responses=min_base)
    assert disclosure.published_values_leak(table, within=["question"], size_column="answered", base=True,
                                            rule=DisclosureRule(min_base=min_base)) == []
    assert table.loc[table["suppressed"], ["numerator", "percent", "lower", "upper"]].isna().all().all()


def test_bundled_breakdown_by_provider_hides_private_sector_and_one_more():
    breakdown = groups.group_breakdown(load.load_survey(), "provider_choice")
    first = breakdown[breakdown["question"] == "q_sufficient_information"].set_index("group")
    assert first.loc["Private sector", "suppressed"]  # 6 CCGs
    assert first["suppressed"].sum() == 2  # and the next smallest (In-house, 14), so 95 − rest reveals nothing
    assert first.loc["In-house", "suppressed"]
