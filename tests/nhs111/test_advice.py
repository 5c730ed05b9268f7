"""Next steps for commissioners, written from the comparison: query only what lies outside the widened limits."""

from types import SimpleNamespace

import pandas as pd

from ccgtools.nhs111 import advice, load


def _comparison(flagged_rows, short=0, compared=10):
    indicators = {key: ind for key, ind in load.load_indicators().items() if key == "answered_60s"}
    flagged = pd.DataFrame(flagged_rows, columns=["contract_code", "contract_name", "kpi", "value", "reason"])
    values = {"answered_60s": pd.DataFrame({"value": [0.9] * compared,
                                            "credibly_below": [True] * short + [False] * (compared - short)})}
    return SimpleNamespace(flagged=flagged, indicators=indicators, values=values)


NO_NOTES = pd.DataFrame(columns=["issue", "rows", "action", "kpi"])


def test_contract_outside_the_limits_is_queried_on_its_kpis_and_the_bottom_fifth_only_watched():
    comparison = _comparison([
        ("A", "Alpha", "Calls answered within 60 seconds", 0.8, "outside the adjusted 99.8% limits"),
        ("A", "Alpha", "Calls abandoned after 30 seconds", 0.1, "outside the adjusted 99.8% limits"),
        ("B", "Beta", "Calls answered within 60 seconds", 0.85, "probability of the bottom fifth 0.9"),
    ])
    steps = advice.next_steps(comparison, NO_NOTES)
    assert steps[0].startswith("Query Alpha on calls answered within 60 seconds and calls abandoned after 30 "
                               "seconds:")
    assert steps[1].startswith("1 contract is often ranked in the bottom fifth but within the limits (Beta). "
                               "League-table position alone does not show underperformance")
    assert not any(s.startswith("Query Beta") for s in steps)


def test_nothing_outside_the_limits_says_no_contract_should_be_singled_out():
    steps = advice.next_steps(_comparison([]), NO_NOTES)
    assert len(steps) == 1 and steps[0].startswith("No contract lies outside the funnel limits.")
    assert "not assurance" in steps[0]  # an empty list of queries is not a clean bill of health


def test_a_widespread_shortfall_is_called_system_wide_only_when_half_or_more_fall_short():
    assert any("system-wide" in s for s in advice.next_steps(_comparison([], short=5), NO_NOTES))
    assert not any("system-wide" in s for s in advice.next_steps(_comparison([], short=4), NO_NOTES))


def test_a_kpi_left_out_for_impossible_values_becomes_a_request_to_the_data_provider():
    notes = pd.DataFrame([{"issue": "Calls abandoned exceed the calls received but not answered in 3 of 3 rows",
                           "rows": 3, "action": "left out", "kpi": "abandoned_30s"}])
    steps = advice.next_steps(_comparison([]), notes)
    assert steps[-1] == ("Ask the data's provider to correct “abandoned after 30 seconds” before it is used to judge "
                         "contracts: calls abandoned exceed the calls received but not answered in 3 of 3 rows.")
