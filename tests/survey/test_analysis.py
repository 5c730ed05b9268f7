"""ccgtools.survey.analysis and compare: the 2012 figures from its codebook, and the planted stakeholder changes."""

import numpy as np
import pandas as pd
import pytest

from ccgtools.stats import proportion_ci
from ccgtools.survey import analysis, compare, load, weighting


def test_published_2012_figures_with_their_own_denominators(bundled_summary):
    assert bundled_summary.loc["q_sufficient_information", ["numerator", "answered"]].tolist() == [80, 95]
    assert round(bundled_summary.loc["q_support_offered_satisfaction", "percent"], 1) == 70.7
    # Reasons: undecided CCGs (17) are not asked, so not in the base nor in not_answered.
    busy = bundled_summary.loc["reason_too_busy"]
    assert busy["answered"] + busy["not_answered"] == 95 - 17


def test_unweighted_intervals_are_plain_wilson(bundled):
    summary = analysis.question_summary(bundled, population_size=254).set_index("question")
    row = summary.loc["q_programme_satisfaction"]
    _, lower, upper = proportion_ci(row["numerator"], row["answered"], population_size=254)
    assert (row["lower"], row["upper"]) == pytest.approx((100 * lower, 100 * upper))
    assert row["design_effect"] == pytest.approx(1) and row["effective_base"] == row["answered"]


def test_weighted_estimate_is_the_weighted_share(stakeholders):
    raking = weighting.survey_weights(stakeholders)
    summary = analysis.question_summary(stakeholders, weights=raking.weights).set_index("question")
    answered = stakeholders["q_plans"].notna()
    hit = stakeholders["q_plans"].isin(["Tend to agree", "Strongly agree"])
    w = raking.weights[answered]
    # weighted percentages are published to whole numbers (disclosure), the design effect to 2 dp
    assert summary.loc["q_plans", "percent"] == round(100 * np.average(hit[answered], weights=w))
    assert summary.loc["q_plans", "design_effect"] == round(weighting.kish_design_effect(w), 2)
    assert summary.loc["q_plans", "design_effect"] > 1


def test_planted_decline_is_found_and_a_steady_ccg_is_not_flagged_against_its_past(stakeholders):
    raking = weighting.survey_weights(stakeholders)
    declined = compare.focus_comparison(stakeholders, load.in_scope(stakeholders, focus="greyholme_ccg"),
                                        weights=raking.weights)
    past = declined.tests[declined.tests["comparison"].str.contains("2024")]
    assert past["differs"].sum() >= 3 and (past.loc[past["differs"].astype(bool), "difference_points"] < 0).all()
    steady = compare.focus_comparison(stakeholders, load.in_scope(stakeholders, focus="Abbeyvale CCG"),
                                      weights=raking.weights)
    assert not steady.tests[steady.tests["comparison"].str.contains("2024")]["differs"].astype(bool).any()
    assert set(steady.table["role"]) == {"focus", "others", "previous"}


def test_reasons_are_reported_within_each_choice_on_its_own_base(bundled):
    from ccgtools.survey import analysis as survey_analysis

    book = bundled.attrs["codebook"]
    reasons = book.question("reasons")
    table = survey_analysis.options_within(bundled, reasons)
    # Counted by hand from the file: the base of each choice is the number of CCGs that made it.
    chosen = bundled["provider_choice"].astype(object)
    pct = table[table["within"] == "PCT cluster commissioning support"].set_index("question")
    assert (pct["answered"] == int((chosen == "PCT cluster commissioning support").sum())).all()
    too_busy = int(((chosen == "PCT cluster commissioning support") & (bundled["reason_too_busy"] == "Yes")).sum())
    assert pct.loc["reason_too_busy", "numerator"] == too_busy
    assert pct.loc["reason_too_busy", "percent"] == pytest.approx(100 * too_busy / pct.loc["reason_too_busy", "answered"])
    # Choices made by fewer than the threshold are merged with the next smallest, never shown alone.
    sizes = chosen[chosen != "Undecided"].value_counts()
    small = [c for c, n in sizes.items() if n < book.min_base]
    assert small and not set(small) & set(table["within"])
    assert (table.loc[~table["suppressed"], "answered"] >= book.min_base).all()
    # Every choice shown, added up, is every CCG that chose: nothing left for subtraction to recover.
    first = table[table["question"] == "reason_too_busy"]
    assert first["answered"].sum() == int(sizes.sum())
    assert first["numerator"].sum() == int(((chosen != "Undecided") & (bundled["reason_too_busy"] == "Yes")).sum())


def test_paired_options_test_is_mcnemars_exact_test_on_the_discordant_pairs(bundled):
    from scipy.stats import binomtest

    from ccgtools.survey import analysis as survey_analysis

    chose = bundled[bundled["provider_choice"] == "PCT cluster commissioning support"]
    result = survey_analysis.paired_options_test(chose, "reason_good_relationships", "reason_no_local_alternative")
    yes_a = chose["reason_good_relationships"] == "Yes"
    yes_b = chose["reason_no_local_alternative"] == "Yes"
    b, c = int((yes_a & ~yes_b).sum()), int((~yes_a & yes_b).sum())
    assert (result["only_first"], result["only_second"]) == (b, c)
    # Independent reference: the exact two-sided binomial test of b successes in b + c at one half.
    assert result["p_value"] == round(binomtest(b, b + c, 0.5).pvalue, 2)
    # Same respondents, clearly different: 10 tick A only, none tick B only.
    frame = pd.DataFrame({"a": ["Yes"] * 10 + ["No"] * 10, "b": ["No"] * 20})
    assert survey_analysis.paired_options_test(frame, "a", "b")["p_value"] == round(2 * 0.5 ** 10, 2)


def test_weighted_likert_chart_totals_are_the_tables_figures(stakeholders):
    """Whole-number category shares must add up to the favourable share the tables quote (rounding each category
    on its own gave 84% on the chart beside 83% in the table)."""
    raking = weighting.survey_weights(stakeholders)
    summary = analysis.question_summary(stakeholders, weights=raking.weights).set_index("question")
    book = stakeholders.attrs["codebook"]
    checked = 0
    for questions in analysis.scales_used(book):
        distribution = analysis.likert_distribution(stakeholders, questions, weights=raking.weights)
        for question in questions:
            row = distribution.loc[question.text]
            assert row[list(question.scale.ordered)].sum() == 100
            assert row[list(question.headline)].sum() == summary.loc[question.column, "percent"], question.column
            checked += 1
    assert checked >= 5


def test_whole_shares_keep_each_sides_rounded_total():
    from ccgtools.survey.codebook import Scale

    scale = Scale("agree", ("Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"), "ascending",
                  "disagree", "agree")
    share = pd.Series([10.4, 20.4, 5.4, 40.4, 23.4], index=scale.ordered)
    whole = analysis.whole_shares(share, scale)
    assert whole.sum() == 100 and (whole == whole.round()).all()
    assert whole[["Strongly disagree", "Disagree"]].sum() == 31  # 30.8 rounded
    assert whole[["Agree", "Strongly agree"]].sum() == 64  # 63.8 rounded
    assert whole["Neither"] == 5
    assert (abs(whole - share) < 1).all()
