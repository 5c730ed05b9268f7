"""Next steps from the survey: majorities only when the whole interval clears 50%, reasons ranked only when
their intervals separate, groups treated differently only when the adjusted tests say so."""

import pandas as pd

from ccgtools.survey import advice


def _summary(lowers):
    return pd.DataFrame({"question": pd.Series([f"q{i}" for i in range(len(lowers))], dtype=object),
                         "finding": [f"finding {i}" for i in range(len(lowers))],
                         "percent": [lo + 8 for lo in lowers], "lower": lowers, "upper": [lo + 16 for lo in lowers],
                         "suppressed": False})


def _reasons(rows):
    return pd.DataFrame(rows, columns=["reason", "percent", "lower", "upper"]).assign(suppressed=False)


TESTS_NONE_DIFFER = pd.DataFrame({"finding": ["x"], "p_value": [0.2], "differs": [False]})


def test_a_majority_is_acted_on_only_when_its_lower_limit_is_above_half():
    steps = advice.next_steps(_summary([45.0, 60.0]), _reasons([]), TESTS_NONE_DIFFER, group_label="cluster",
                              respondents=95)
    assert steps[0].startswith("Act on what most CCGs said: 68% of those that answered finding 1 (95% interval 60% "
                               "to 76%")
    assert not any("finding 0" in s for s in steps)  # 53% (45% to 61%) is not a clear majority


def test_no_clear_majority_says_so():
    steps = advice.next_steps(_summary([40.0]), _reasons([]), TESTS_NONE_DIFFER, group_label="cluster",
                              respondents=95)
    assert steps[0].startswith("No answer is given by a clear majority")


def test_reasons_are_ranked_only_when_the_intervals_separate():
    overlapping = _reasons([("cost", 33, 24, 43), ("quality", 31, 22, 41)])
    separate = _reasons([("cost", 60, 50, 70), ("quality", 20, 12, 30)])
    assert any("Do not rank the reasons" in s for s in advice.next_steps(
        _summary([]), overlapping, TESTS_NONE_DIFFER, group_label="cluster", respondents=95))
    assert any("“cost”, stands clear" in s for s in advice.next_steps(
        _summary([]), separate, TESTS_NONE_DIFFER, group_label="cluster", respondents=95))


def test_groups_are_treated_alike_unless_an_adjusted_test_says_they_differ():
    differ = pd.DataFrame({"finding": ["were dissatisfied"], "p_value": [0.001], "differs": [True]})
    alike = advice.next_steps(_summary([]), _reasons([]), TESTS_NONE_DIFFER, group_label="cluster", respondents=95)
    unlike = advice.next_steps(_summary([]), _reasons([]), differ, group_label="cluster", respondents=95)
    assert any(s.startswith("Do not single out any cluster group") and "does not show they are alike" in s
               for s in alike)
    assert any("CCGs that were dissatisfied" in s for s in unlike)


def test_a_low_response_rate_is_a_caution():
    steps = advice.next_steps(_summary([]), _reasons([]), TESTS_NONE_DIFFER, group_label="cluster", respondents=95,
                              population_size=254)
    assert steps[-1].startswith("Only 95 of 254 CCGs answered (37%)")
    high = advice.next_steps(_summary([]), _reasons([]), TESTS_NONE_DIFFER, group_label="cluster", respondents=200,
                             population_size=254)
    assert not any("answered (" in s for s in high)
