"""ccgtools.survey.advice: next steps computed from the results. Majorities only when the whole interval
clears 50%, options ranked only when their intervals separate, groups treated differently only when the
adjusted tests say so, a unit's changes acted on only when its adjusted tests say so."""

from dataclasses import replace

import pandas as pd
import pytest

from ccgtools.stats import proportion_ci
from ccgtools.survey import advice, analysis, codebook, compare, groups, load, weighting

from .conftest import STAKEHOLDER_CODEBOOK

BOOK = codebook.read_codebook()
STAKEHOLDER_BOOK = codebook.read_codebook(STAKEHOLDER_CODEBOOK)
CORE = ("q_sufficient_information", "q_programme_satisfaction")
REASONS = [o.column for o in BOOK.question("reasons").options]


def _summary(lowers, columns=CORE):
    """A question summary whose rows have the given lower limits (percent = lower + 8, upper = lower + 16)."""
    return pd.DataFrame({"question": pd.Series(list(columns[:len(lowers)]), dtype=object),
                         "finding": [f"finding {i}" for i in range(len(lowers))],
                         "percent": [lo + 8 for lo in lowers], "lower": lowers, "upper": [lo + 16 for lo in lowers],
                         "suppressed": False})


def _reasons(rows):
    """Rows of reason options: (percent, lower, upper) for the first reasons of the codebook."""
    return pd.DataFrame([{"question": REASONS[i], "finding": f"reason {i}", "percent": p, "lower": lo, "upper": hi,
                          "suppressed": False} for i, (p, lo, hi) in enumerate(rows)])


NONE_DIFFER = pd.DataFrame({"finding": ["x"], "p_value": [0.2], "differs": [False]})


def _steps(summary, tests=NONE_DIFFER, **options):
    return advice.next_steps(summary, tests, BOOK, **{"group_label": "cluster", "respondents": 95, **options})


def test_a_majority_is_acted_on_only_when_its_lower_limit_is_above_half():
    steps = _steps(_summary([45.0, 60.0]))
    # q_programme_satisfaction counts the dissatisfied (the unfavourable side of its scale): "Act on".
    assert steps[0].startswith("Act on what most responding CCGs said: 68% of those that answered finding 1 "
                               "(95% confidence interval 60% to 76%, a majority even at its lower end)")
    assert not any("finding 0" in s for s in steps)  # 53% (45% to 61%) is not a clear majority


def test_a_lower_limit_of_exactly_half_is_not_a_majority():
    assert _steps(_summary([50.0]))[0].startswith("No answer is given by a majority of responding CCGs")
    assert _steps(_summary([50.1]))[0].startswith("Follow up what most responding CCGs said")  # yes/no: no direction


def test_the_other_majorities_are_named_with_their_denominator_and_interval():
    steps = _steps(_summary([60.0, 55.0]))
    assert steps[1] == "Also a majority of those that answered, even at the lower end of the interval: 63% finding 1 " \
                       "(55% to 71%)."
    three = _steps(_summary([60.0, 55.0, 52.0], columns=CORE + ("q_support_offered_satisfaction",)))
    assert three[1].endswith(": 63% finding 1 (55% to 71%); and 60% finding 2 (52% to 68%).")


def test_a_favourable_majority_is_built_on_not_acted_against(stakeholders):
    summary = _summary([60.0], columns=("q_plans",))
    steps = advice.next_steps(summary, NONE_DIFFER, STAKEHOLDER_BOOK, group_label="stakeholder type", respondents=80)
    assert steps[0].startswith("Build on what most responding stakeholders said")


def test_reasons_are_ranked_only_when_the_intervals_separate():
    # A codebook whose reasons are not tied to the provider choice: the pooled rows are judged.
    untied = replace(BOOK, questions=tuple(replace(q, not_compared_by=()) if q.name == "reasons" else q
                                           for q in BOOK.questions))
    overlapping = _reasons([(33, 24, 43), (31, 22, 41)])
    separate = _reasons([(60, 50, 70), (20, 12, 30)])

    def steps(rows):
        return advice.next_steps(rows, NONE_DIFFER, untied, group_label="cluster", respondents=95)

    assert any(s.startswith("Do not rank the reasons for the choice of provider") for s in steps(overlapping))
    assert any("“Too busy to explore alternatives”, stands clear" in s for s in steps(separate))


def test_tied_reasons_are_judged_within_the_largest_choice_not_pooled(bundled):
    summary = analysis.question_summary(bundled)
    pooled_only = advice.next_steps(summary, NONE_DIFFER, BOOK, group_label="cluster", respondents=95)
    assert not any("reasons for the choice" in s for s in pooled_only)  # never judged on the pooled rows
    steps = advice.next_steps(summary, NONE_DIFFER, BOOK, group_label="cluster", respondents=95, responses=bundled)
    # Among the 58 PCT-cluster choosers: good relationships 24 (41%, 29.6% to 54.2%) and no credible local
    # alternative 22 (38%, 26.6% to 50.8%) overlap, so the reasons are not ranked.
    from statsmodels.stats.proportion import proportion_confint

    top, second = proportion_confint(24, 58, method="wilson"), proportion_confint(22, 58, method="wilson")
    assert top[0] < second[1]
    assert any(s.startswith("Do not rank the reasons for the choice of provider") for s in steps)


def test_groups_are_treated_alike_unless_an_adjusted_test_says_they_differ():
    differ = pd.DataFrame({"finding": ["were dissatisfied"], "p_value": [0.001], "differs": [True]})
    alike = _steps(_summary([]))
    unlike = _steps(_summary([]), differ)
    assert any(s.startswith("Do not plan differently by cluster") and "does not show they are alike" in s
               for s in alike)
    assert any("CCGs that were dissatisfied" in s for s in unlike)
    assert not any(s.startswith("Do not plan differently") for s in unlike)


def test_a_low_response_rate_is_a_caution():
    steps = _steps(_summary([]), population_size=254)
    assert steps[-1].startswith("Only 95 of 254 CCGs answered (37%)")  # 95 / 254 = 0.374
    high = _steps(_summary([]), respondents=200, population_size=254)  # 79%
    assert not any("answered (" in s for s in high)


def test_bundled_2012_next_steps_match_the_data(bundled):
    # Each majority quoted is recomputed here with statsmodels' Wilson interval and the finite population
    # correction (factor (N − n)/(N − 1) on the variance, i.e. the interval on n·(N − 1)/(N − n) answers).
    summary = analysis.question_summary(bundled, population_size=254)
    steps = advice.next_steps(summary, groups.association_tests(bundled, "cluster"), BOOK, group_label="cluster",
                              respondents=95, population_size=254)
    quoted = " ".join(s for s in steps if "of those that answered" in s)
    counts = {"q_sufficient_information": (80, 95), "q_programme_satisfaction": (76, 92),
              "q_support_offered_satisfaction": (65, 92), "q_choice_information_satisfaction": (68, 94)}
    for column, (yes, n) in counts.items():  # every headline question is a majority even at its lower end
        _, lower, upper = proportion_ci(yes, n, population_size=254)
        assert 100 * lower > 50
        finding = BOOK.question(column).finding
        assert f"{100 * yes / n:.0f}%{' of those that answered' if column == CORE[0] else ''} {finding}" in quoted
        assert f"{100 * lower:.0f}% to {100 * upper:.0f}%" in quoted
    assert steps[0].startswith("Follow up what most responding CCGs said: 84% of those that answered had not been "
                               "given sufficient information")  # yes/no: the codebook gives no direction
    # 65 / 92 = 70.7%; hand-checked against the Wilson interval with the FPC (62.7% to 77.5%).
    assert "71% were dissatisfied with the commissioning support being offered (63% to 77%)" in quoted


def test_fpc_interval_is_wilson_on_the_inflated_base():
    from statsmodels.stats.proportion import proportion_confint

    # Independent check of the FPC the steps quote: Wilson on n·(N − 1)/(N − n) answers.
    n, big_n = 92, 254
    inflated = n * (big_n - 1) / (big_n - n)
    lower, upper = proportion_confint(65 / 92 * inflated, inflated, method="wilson")
    _, ours_lower, ours_upper = proportion_ci(65, 92, population_size=254)
    assert (ours_lower, ours_upper) == pytest.approx((lower, upper), abs=1e-9)


def test_a_declining_unit_is_told_to_ask_what_changed_and_a_steady_one_is_not(stakeholders):
    raking = weighting.survey_weights(stakeholders)
    declined = compare.focus_comparison(stakeholders, load.in_scope(stakeholders, focus="greyholme_ccg"),
                                        weights=raking.weights)
    summary = analysis.question_summary(load.in_scope(stakeholders, focus="greyholme_ccg"))
    steps = advice.next_steps(summary, NONE_DIFFER, STAKEHOLDER_BOOK, group_label="stakeholder type", respondents=72,
                              comparison=declined)
    assert any(s.startswith("Ask Greyholme CCG's stakeholders what has changed since 2024") for s in steps)
    steady = compare.focus_comparison(stakeholders, load.in_scope(stakeholders, focus="abbeyvale_ccg"),
                                      weights=raking.weights)
    steps = advice.next_steps(summary, NONE_DIFFER, STAKEHOLDER_BOOK, group_label="stakeholder type", respondents=72,
                              comparison=steady)
    [step] = [s for s in steps if s.startswith("Do not act on the gaps between Abbeyvale CCG and its own survey of "
                                               "2024 (gaps from ")]
    gaps = steady.tests.loc[steady.tests["comparison"].str.contains("2024"), "difference_points"]
    assert f"{abs(gaps.max()):.0f} points higher)" in step  # the spread is the data's
    assert not any("what has changed" in s for s in steps)


def test_no_difference_covers_only_what_was_tested():
    import numpy as np

    from ccgtools.survey.advice import tested_scope

    tests = pd.DataFrame({"p_value": [0.23, 0.5, np.nan], "differs": pd.array([False, False, pd.NA], dtype="boolean"),
                          "groups_left_out": ["Private sector, In-house", "In-house, Private sector", ""]})
    words = tested_scope(tests, "CCGs")
    assert words.startswith(" Only 2 of 3 questions could be tested: on the others, fewer than two groups")
    assert words.endswith(" In-house and Private sector were left out of every test (withheld to protect "
                          "confidentiality).")
    everything = tests.iloc[:2].assign(groups_left_out="")
    assert tested_scope(everything, "CCGs") == ""


def test_p_values_read_as_published():
    import numpy as np

    from ccgtools.survey.content import p_value_text

    tests = pd.DataFrame({"p_value": [0.0, 0.23, np.nan], "p_adjusted": [0.0, 0.05, np.nan],
                          "differs": pd.array([True, True, pd.NA], dtype="boolean")})
    shown = p_value_text(tests)
    assert shown["p_value"].tolist()[:2] == ["<0.01", "0.23"] and pd.isna(shown["p_value"].iloc[2])
    assert shown["p_adjusted"].tolist()[:2] == ["<0.01", "<0.05"] and pd.isna(shown["p_adjusted"].iloc[2])
    assert p_value_text(tests.assign(differs=False))["p_adjusted"].tolist()[:2] == ["<0.01", "0.05"]
