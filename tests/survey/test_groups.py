"""ccgtools.survey.groups: percentages by group with disclosure control, and tests of association (hand-worked,
against scipy and statsmodels, and against recovery by subtraction from the published totals)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from statsmodels.stats.multitest import multipletests

from ccgtools.page import disclosure
from ccgtools.page.disclosure import DisclosureRule
from ccgtools.survey import analysis, codebook, groups

BOOK = codebook.read_codebook()
CLUSTERS = BOOK.grouping("cluster").values
PROVIDERS = BOOK.question("provider_choice").answers
YES_NO = BOOK.question("q_sufficient_information").answers


def _survey(columns: dict) -> pd.DataFrame:
    """A hand-made respondent frame described by the bundled 2012 codebook."""
    frame = pd.DataFrame(columns)
    frame.attrs["codebook"] = BOOK
    return frame


def test_group_breakdown_suppresses_small_groups(bundled):
    table = groups.group_breakdown(bundled, "cluster", min_responses=13)
    london = table[table["group"] == "London"]
    assert london["suppressed"].all()  # 12 London respondents < 13
    assert london["numerator"].isna().all() and london["percent"].isna().all()
    assert not table.loc[table["group"] == "North", "suppressed"].any()
    tests = groups.association_tests(bundled, "cluster", min_responses=13, exact=True)
    # every withheld group is left out of the test: London (too small) and any group withheld with it
    hidden = table[table["suppressed"]].groupby("question")["group"].agg(lambda g: ", ".join(g))
    assert (tests.set_index("question")["groups_left_out"] == hidden.reindex(tests["question"])).all()
    assert tests["groups_left_out"].str.contains("London").all()


def test_group_breakdown_counts_add_up(bundled):
    table = groups.group_breakdown(bundled, "provider_choice", min_responses=1)
    first = table[table["question"] == "q_sufficient_information"]
    assert first["answered"].sum() == 95 and first["numerator"].sum() == 80


def test_chi_square_hand_worked():
    # Groups A and B, 20 each: A 10 yes / 10 no, B 16 yes / 4 no; all expected counts ≥ 5.
    # Expected yes = 13 each, no = 7 each: χ² = 2·(3²/13) + 2·(3²/7) = 1.384615 + 2.571429 = 3.956044 (1 df)
    frame = _survey({"provider_choice": ["In-house"] * 20 + ["Private sector"] * 20,
                     "q_sufficient_information": ["No"] * 10 + ["Yes"] * 10 + ["No"] * 16 + ["Yes"] * 4})
    result = groups.association_tests(frame, "provider_choice", ("q_sufficient_information",), exact=True).iloc[0]
    assert result["test"].startswith("Chi-square")
    assert result["statistic"] == pytest.approx(3.956044, abs=1e-6)
    assert result["p_value"] == pytest.approx(scipy_stats.chi2.sf(3.956044, 1), abs=1e-6)


def test_fisher_used_when_expected_counts_small():
    # A 10 "No" / 0 "Yes", B 6 / 4: expected "Yes" = 2 < 5, so Fisher's exact test. With the margins fixed
    # (16 No, 4 Yes, 10 per group) the tables as or less likely than the observed one are A holding 0 or 4
    # of the Yes answers: P = 2·C(10,0)·C(10,4)/C(20,4) = 2·210/4845 = 0.086687.
    frame = _survey({"provider_choice": ["In-house"] * 10 + ["Private sector"] * 10,
                     "q_sufficient_information": ["No"] * 10 + ["No"] * 6 + ["Yes"] * 4})
    result = groups.association_tests(frame, "provider_choice", ("q_sufficient_information",), exact=True).iloc[0]
    assert result["test"] == "Fisher's exact test"
    assert result["p_value"] == pytest.approx(2 * 210 / 4845, abs=1e-9)


def test_freeman_halton_estimate_is_close_to_the_exact_value():
    # Three groups of 10 answering "No" 10, 7 and 4 times: expected "Yes" counts are 3 (< 5), so the
    # Monte Carlo Freeman-Halton test. Hand: the exact p-value sums the hypergeometric probabilities of every
    # 3 × 2 table with the same margins that is no more likely than the observed one.
    from itertools import product
    from math import comb

    frame = _survey({"provider_choice": ["In-house"] * 10 + ["Private sector"] * 10 + ["Undecided"] * 10,
                     "q_sufficient_information": ["No"] * 10 + ["No"] * 7 + ["Yes"] * 3 + ["No"] * 4 + ["Yes"] * 6})
    result = groups.association_tests(frame, "provider_choice", ("q_sufficient_information",), exact=True).iloc[0]
    assert result["test"].startswith("Fisher's exact test (Monte Carlo")
    total_yes = 9

    def probability(yes):
        return np.prod([comb(10, y) for y in yes]) / comb(30, total_yes)

    observed = probability((0, 3, 6))
    exact = sum(probability(t) for t in product(range(11), repeat=3)
                if sum(t) == total_yes and probability(t) <= observed * (1 + 1e-7))
    assert result["p_value"] == pytest.approx(exact, abs=0.005)  # 100,000 tables: standard error below 0.0016


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=4, max_size=4), st.integers(2, 15))
@example([0, 0, 0, 2], 3).via("found in a clean clone: one answering group, the rest empty")
@example([3, 0, 0, 0], 4)
def test_survey_breakdown_never_leaks_a_small_group(sizes, min_base):
    # A survey whose four provider groups have the drawn sizes; every question's groups obey the rule.
    providers = np.repeat(np.array(PROVIDERS, dtype=object), sizes)
    if len(providers) == 0:
        return
    columns = {"provider_choice": pd.Categorical(providers, categories=PROVIDERS)}
    for item in analysis.headline_items(BOOK):
        columns[item.column] = pd.Categorical(np.resize(np.array(item.question.answers, dtype=object), len(providers)),
                                              categories=item.question.answers)
    table = groups.group_breakdown(_survey(columns), "provider_choice", min_responses=min_base)
    assert disclosure.published_values_leak(table, within=["question"], size_column="answered", base=True,
                                            rule=DisclosureRule(min_base=min_base)) == []
    assert table.loc[table["suppressed"], ["numerator", "percent", "lower", "upper"]].isna().all().all()


def test_bundled_breakdown_by_provider_hides_private_sector_and_one_more(bundled):
    breakdown = groups.group_breakdown(bundled, "provider_choice")
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
    for label in BOOK.grouping(group_by).values:
        subset = frame[frame[group_by] == label]
        subset.attrs = dict(frame.attrs)
        parts.append(analysis.question_summary(subset, min_responses=1).assign(group=label))
    return pd.concat(parts).set_index(["question", "group"])


def test_subtraction_check_finds_a_leak_when_only_one_group_is_hidden():
    # The check itself can fail: London alone suppressed is recovered as total minus the rest.
    breakdown = pd.DataFrame({"question": ["q"] * 2, "group": ["London", "North"], "suppressed": [True, False],
                              "numerator": [np.nan, 5], "answered": [np.nan, 20]})
    totals = pd.DataFrame({"numerator": [8], "answered": [30]}, index=["q"])
    truth = pd.DataFrame({"answered": [10, 20]}, index=pd.MultiIndex.from_tuples([("q", "London"), ("q", "North")]))
    assert _recovered_by_subtraction(breakdown, totals, truth) == ["q"]


@pytest.mark.parametrize("group_by", ["provider_choice", "cluster"])
def test_bundled_breakdown_recovers_nothing_from_the_totals(bundled, group_by):
    # Before: "too busy" was 19 of 58 PCT, 0 of 17 Undecided and 19 in total, so Private sector and
    # In-house (suppressed together) were 0 of 6 and 0 of 14.
    breakdown = groups.group_breakdown(bundled, group_by)
    totals = analysis.question_summary(bundled).set_index("question")
    assert _recovered_by_subtraction(breakdown, totals, _truth(bundled, group_by)) == []


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=4, max_size=4), st.integers(2, 15),
       st.lists(st.floats(0, 1), min_size=4, max_size=4))
def test_breakdown_never_leaks_by_subtraction_from_the_published_totals(sizes, min_base, shares):
    # Four clusters of the drawn sizes, each answering "No" (the headline) in the drawn share.
    clusters = np.repeat(np.array(CLUSTERS, dtype=object), sizes)
    if len(clusters) == 0:
        return
    answers = np.concatenate([np.where(np.arange(n) < round(s * n), "No", "Yes") for n, s in zip(sizes, shares)])
    frame = _survey({"cluster": pd.Categorical(clusters, categories=CLUSTERS),
                     "provider_choice": "In-house",
                     "q_sufficient_information": pd.Categorical(answers, categories=YES_NO)})
    only = ("q_sufficient_information",)
    table = groups.group_breakdown(frame, "cluster", only, min_responses=min_base)
    totals = analysis.question_summary(frame, only, min_responses=1).set_index("question")
    truth = []
    for c in CLUSTERS:
        subset = frame[frame["cluster"] == c]
        subset.attrs = dict(frame.attrs)
        truth.append(analysis.question_summary(subset, only, min_responses=1).assign(group=c))
    assert _recovered_by_subtraction(table, totals, pd.concat(truth).set_index(["question", "group"])) == []
    assert disclosure.published_values_leak(table, within=["question"], size_column="answered", base=True,
                                            rule=DisclosureRule(min_base=min_base)) == []


def test_holm_matches_statsmodels_and_hand_worked():
    p = [0.043, 0.01, 0.5, np.nan, 0.02]
    # Hand: sorted 0.01, 0.02, 0.043, 0.5 (m = 4): 0.04, 0.06, max(0.06, 0.086) = 0.086, max(0.086, 0.5) = 0.5.
    np.testing.assert_allclose(groups.holm_adjust(p), [0.086, 0.04, 0.5, np.nan, 0.06])
    present = [x for x in p if not np.isnan(x)]
    np.testing.assert_allclose(groups.holm_adjust(present), multipletests(present, method="holm")[1])
    assert np.isnan(groups.holm_adjust([np.nan, np.nan])).all()


def test_association_tests_adjust_and_say_which_differ(bundled):
    # The adjusted p-values are Holm's (statsmodels' multipletests) over the tests that ran: by cluster
    # every figure is tested, the 4 questions and the 6 reasons of the questionnaire.
    tests = groups.association_tests(bundled, "cluster", exact=True)
    ran = tests["p_value"].notna()
    assert ran.sum() == len(analysis.headline_items(BOOK)) == 10 and tests.attrs["tests_run"] == 10
    rejected, holm, _, _ = multipletests(tests.loc[ran, "p_value"], alpha=0.05, method="holm")
    np.testing.assert_allclose(tests.loc[ran, "p_adjusted"], holm)
    assert tests.loc[ran, "differs"].tolist() == rejected.tolist()


def test_a_planted_difference_is_found_after_adjustment():
    # North 30 of 40 "No", South 5 of 40: χ² on 1 df is about 31, far below 0.05 even times 4 questions.
    frame = _survey({"cluster": ["North"] * 40 + ["South"] * 40,
                     "q_sufficient_information": ["No"] * 30 + ["Yes"] * 10 + ["No"] * 5 + ["Yes"] * 35,
                     "q_programme_satisfaction": ["Fairly satisfied"] * 80})
    tests = groups.association_tests(frame, "cluster", ("q_sufficient_information", "q_programme_satisfaction"),
                                     exact=True)
    tests = tests.set_index("question")
    assert bool(tests.loc["q_sufficient_information", "differs"])
    assert pd.isna(tests.loc["q_programme_satisfaction", "differs"])  # everyone satisfied: nothing to test


def test_reasons_not_tested_or_broken_down_by_provider(bundled):
    # A reason like "too busy" could only be given by PCT-cluster choosers: true by construction.
    tests = groups.association_tests(bundled, "provider_choice", exact=True)
    assert not tests["question"].str.startswith("reason_").any()
    breakdown = groups.group_breakdown(bundled, "provider_choice")
    assert not breakdown["question"].str.startswith("reason_").any()
    assert groups.association_tests(bundled, "cluster")["question"].str.startswith("reason_").sum() == 6


def test_undecided_left_out_of_reason_tests():
    # 20 undecided CCGs all saying "Yes" would make the groups differ; they had no choice to give a reason for.
    frame = _survey({"cluster": ["North"] * 40 + ["South"] * 20,
                     "provider_choice": ["In-house"] * 20 + ["Undecided"] * 20 + ["In-house"] * 20,
                     "reason_value_for_money": ["No"] * 10 + ["Yes"] * 10 + ["Yes"] * 20 + ["No"] * 10 + ["Yes"] * 10})
    result = groups.association_tests(frame, "cluster", ("reason_value_for_money",), exact=True).iloc[0]
    assert result["p_value"] == pytest.approx(1.0)  # 10 of 20 in both clusters once undecided are out


def test_weighted_test_runs_on_effective_counts():
    # Weights 1 and 3 alternating within each group: Kish's deff = n·Σw²/(Σw)² = 20·100/40² = 1.25, so the
    # effective base of each group of 20 is 16; the weighted "No" shares are 0.75 and 0.25 (all weight-3 rows
    # answer "No" in North, "Yes" in South), so the effective table is [[12, 4], [4, 12]]: χ² = 8.0.
    answers_north = ["Yes", "No"] * 10
    answers_south = ["No", "Yes"] * 10
    frame = _survey({"cluster": ["North"] * 20 + ["South"] * 20,
                     "q_sufficient_information": answers_north + answers_south})
    weights = pd.Series([1.0, 3.0] * 20)
    result = groups.association_tests(frame, "cluster", ("q_sufficient_information",), weights=weights,
                                      exact=True).iloc[0]
    expected = scipy_stats.chi2_contingency(np.array([[12, 4], [4, 12]]), correction=False)
    assert result["statistic"] == pytest.approx(8.0) == pytest.approx(expected.statistic)
    assert result["p_value"] == pytest.approx(expected.pvalue)


def test_breakdown_keeps_its_disclosure_rules(bundled):
    breakdown = groups.group_breakdown(bundled, "cluster")
    assert disclosure.rules_applied(breakdown) == [DisclosureRule(min_base=BOOK.min_base).describe_bases(),
                                                   disclosure.SECONDARY_RULE]


def test_the_footer_states_every_rule_that_withheld_a_group(stakeholders, bundled):
    from ccgtools.page.disclosure import rules_applied
    from ccgtools.survey import weighting

    raking = weighting.survey_weights(stakeholders)
    weighted = groups.group_breakdown(stakeholders, "stakeholder_type", weights=raking.weights)
    rules = " ".join(rules_applied(weighted))
    assert "every respondent (or none) gave an answer is withheld" in rules  # the codebook's hide_unanimous
    assert "Where any group of a question is withheld, all its groups are" in rules
    plain = " ".join(rules_applied(groups.group_breakdown(bundled, "cluster")))
    assert "every respondent (or none)" not in plain and "all its groups are" not in plain
