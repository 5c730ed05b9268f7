"""ccgtools.survey.groups: percentages by group with disclosure control, and tests of association."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from ccgtools.page import disclosure
from ccgtools.page.disclosure import DisclosureRule
from ccgtools.survey import analysis, groups, load


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
@example([0, 0, 0, 2], 3).via("found in a clean clone: one answering group, the rest empty")
@example([3, 0, 0, 0], 4)
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


def _recovered_by_subtraction(breakdown, totals, truth):
    """Independent check: suppressed cells of each question recovered from the published total.

    ``truth`` holds every group's true numerator and base. Subtracting the published groups from the
    published total gives the suppressed groups' summed numerator and base; a cell is recovered when only
    one suppressed group has answers, or when the summed numerator is 0 or equals the summed base (every
    suppressed group 0% or 100%) — unless the total alone already says 0% or 100%, or no group is shown.
    """
    problems = []
    for column, rows in breakdown.groupby("question", sort=False):
        hidden = rows["suppressed"].to_numpy(bool)
        if hidden.all() or not hidden.any():
            continue
        total_num, total_base = int(totals.loc[column, "numerator"]), int(totals.loc[column, "answered"])
        if total_num in (0, total_base):
            continue
        shown = rows[~rows["suppressed"]]
        left_num = total_num - int(shown["numerator"].sum())
        left_base = total_base - int(shown["answered"].sum())
        true_bases = truth.loc[(column, list(rows.loc[rows["suppressed"], "group"])), "answered"]
        if (true_bases > 0).sum() == 1 or left_num in (0, left_base):
            problems.append(column)
    return problems


def _truth(frame, group_by):
    parts = []
    for label in load.GROUPINGS[group_by]:
        part = analysis.question_summary(frame[frame[group_by] == label], min_responses=1)
        parts.append(part.assign(group=label))
    return pd.concat(parts).set_index(["question", "group"])


def test_bundled_breakdown_by_provider_recovers_nothing_from_the_totals():
    # Before: "too busy" was 19 of 58 PCT, 0 of 17 Undecided and 19 in total, so Private sector and
    # In-house (suppressed together) were 0 of 6 and 0 of 14.
    bundled = load.load_survey()
    for group_by in ("provider_choice", "cluster"):
        breakdown = groups.group_breakdown(bundled, group_by)
        totals = analysis.question_summary(bundled).set_index("question")
        assert _recovered_by_subtraction(breakdown, totals, _truth(bundled, group_by)) == []


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=4, max_size=4), st.integers(2, 15),
       st.lists(st.floats(0, 1), min_size=4, max_size=4))
def test_breakdown_never_leaks_by_subtraction_from_the_published_totals(sizes, min_base, shares):
    # Four clusters of the drawn sizes, each answering "No" (the headline) in the drawn share.
    clusters = np.repeat(np.array(load.CLUSTERS, dtype=object), sizes)
    if len(clusters) == 0:
        return
    answers = np.concatenate([np.where(np.arange(n) < round(s * n), "No", "Yes") for n, s in zip(sizes, shares)])
    frame = pd.DataFrame({"cluster": pd.Categorical(clusters, categories=load.CLUSTERS),
                          "provider_choice": "In-house",
                          "q_sufficient_information": pd.Categorical(answers, categories=load.YES_NO)})
    table = groups.group_breakdown(frame, "cluster", ("q_sufficient_information",), min_responses=min_base)
    totals = analysis.question_summary(frame, ("q_sufficient_information",), min_responses=1).set_index("question")
    truth = pd.concat([analysis.question_summary(frame[frame["cluster"] == c], ("q_sufficient_information",),
                                                 min_responses=1).assign(group=c)
                       for c in load.CLUSTERS]).set_index(["question", "group"])
    assert _recovered_by_subtraction(table, totals, truth) == []
    assert disclosure.published_values_leak(table, within=["question"], size_column="answered", base=True,
                                            rule=DisclosureRule(min_base=min_base)) == []


def test_holm_matches_statsmodels_and_hand_worked():
    from statsmodels.stats.multitest import multipletests
    p = [0.043, 0.01, 0.5, np.nan, 0.02]
    # Hand: sorted 0.01, 0.02, 0.043, 0.5 (m = 4): 0.04, 0.06, max(0.06, 0.086) = 0.086, max(0.086, 0.5) = 0.5.
    np.testing.assert_allclose(groups.holm_adjust(p), [0.086, 0.04, 0.5, np.nan, 0.06])
    present = [x for x in p if not np.isnan(x)]
    np.testing.assert_allclose(groups.holm_adjust(present), multipletests(present, method="holm")[1])


def test_association_tests_adjust_and_say_which_differ(bundled):
    # The adjusted p-values are Holm's (statsmodels' multipletests) over the tests that ran: by cluster
    # every question is tested, the 4 questions and the 6 reasons of the questionnaire.
    from statsmodels.stats.multitest import multipletests

    tests = groups.association_tests(bundled, "cluster")
    ran = tests["p_value"].notna()
    assert ran.sum() == len(load.QUESTIONS) == 10 and tests.attrs["tests_run"] == 10
    rejected, holm, _, _ = multipletests(tests.loc[ran, "p_value"], alpha=0.05, method="holm")
    np.testing.assert_allclose(tests.loc[ran, "p_adjusted"], holm)
    assert tests.loc[ran, "differs"].tolist() == rejected.tolist()


def test_reasons_not_tested_or_broken_down_by_provider(bundled):
    # A reason like "too busy" could only be given by PCT-cluster choosers: true by construction.
    tests = groups.association_tests(bundled, "provider_choice")
    assert not tests["question"].str.startswith("reason_").any()
    breakdown = groups.group_breakdown(bundled, "provider_choice")
    assert not breakdown["question"].str.startswith("reason_").any()
    assert groups.association_tests(bundled, "cluster")["question"].str.startswith("reason_").sum() == 6


def test_undecided_left_out_of_reason_tests():
    # 20 undecided CCGs all saying "Yes" would make the groups differ; they had no choice to give a reason for.
    frame = pd.DataFrame({"cluster": ["North"] * 40 + ["South"] * 20,
                          "provider_choice": ["In-house"] * 20 + ["Undecided"] * 20 + ["In-house"] * 20,
                          "reason_value_for_money": ["No"] * 10 + ["Yes"] * 10 + ["Yes"] * 20
                                                    + ["No"] * 10 + ["Yes"] * 10})
    result = groups.association_tests(frame, "cluster", ("reason_value_for_money",)).iloc[0]
    assert result["p_value"] == pytest.approx(1.0)  # 10 of 20 in both clusters once undecided are out


def test_breakdown_keeps_its_disclosure_rules(bundled):
    breakdown = groups.group_breakdown(bundled, "cluster")
    assert disclosure.rules_applied(breakdown) == [DisclosureRule().describe_bases(), disclosure.SECONDARY_RULE]
