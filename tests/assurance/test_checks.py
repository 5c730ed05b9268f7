"""ccgtools.assurance.checks: each check on small hand-made returns, then every planted manipulation on the
bundled data and the real IUC ADC defects."""

import numpy as np
import pandas as pd
import pytest

from ccgtools.assurance import checks, load

from ..conftest import real_data_path
from .small import definitions, read_returns, return_row

MONTHS = [f"2025-{m:02d}" for m in range(4, 13)]


def _reasons(findings, check):
    return findings.loc[findings["check"] == check, "reason"].tolist()


def test_a_consistent_return_has_no_consistency_finding(write_csv):
    returns = read_returns(write_csv, [return_row("2025-04")])
    assert checks.check_consistency(returns, definitions()).empty


@pytest.mark.parametrize("change,kpis,text", [
    ({"calls_answered_60s": 481}, {"answered_60s"}, "calls answered within 60 seconds 481 above calls answered 480"),
    ({"calls_received": 510}, {"answered_60s", "abandoned"}, ("calls answered + calls abandoned = 500 against calls "
                                                             "received 510")),
    ({"routine_cases": 181}, {"urgent_assessment_20min", "urgent_f2f_2h"}, "= 441 against cases 440"),
    ({"pct_answered_60s": 96.1}, {"answered_60s"}, "reported 96.1%, but 460 of 480 is 95.8%"),
    ({"urgent_f2f_2h": 41}, {"urgent_f2f_2h"}, "above urgent face-to-face consultations 40"),
])
def test_each_consistency_rule(write_csv, change, kpis, text):
    returns = read_returns(write_csv, [return_row("2025-04", **change)])
    found = checks.check_consistency(returns, definitions())
    assert set(found["kpi"]) >= kpis and (found["severity"] == "reject").all()
    assert any(text in reason for reason in found["reason"]), found["reason"].tolist()


def test_a_percentage_within_rounding_passes(write_csv):
    # 460 / 480 = 95.833...%: 95.8 is right, 95.9 is not.
    ok = read_returns(write_csv, [return_row("2025-04", pct_answered_60s=95.8)])
    assert checks.check_consistency(ok, definitions()).empty


def test_all_zero_return_is_not_reported_and_not_checked_further(write_csv):
    zero = {k: 0 for k in return_row("2025-05") if k not in ("month", "provider_code") and not k.startswith("pct")}
    rows = [return_row("2025-04"), return_row("2025-05", **zero, pct_answered_60s="", pct_abandoned="",
                                              pct_urgent_assessed_20min="", pct_urgent_f2f_2h="")]
    returns = read_returns(write_csv, rows)
    found = checks.check_not_reported(returns, definitions())
    assert len(found) == 4 and (found["period"] == pd.Timestamp("2025-05-31")).all()
    assert checks.check_consistency(returns, definitions()).empty
    assert checks.check_repeats(returns, definitions()).empty


def test_repeats_reject_a_copy_and_query_half(write_csv):
    rows = [return_row(m, calls_received=500 + i * 7, calls_answered=480 + i * 7) for i, m in enumerate(MONTHS[:3])]
    rows.append({**rows[1], "month": "2025-07"})  # a copy of May
    rows.append(return_row("2025-08", calls_received=600, calls_answered=580, calls_answered_60s=555,
                           cases=530, less_urgent_cases=250))  # urgent and abandoned counts as in April
    returns = read_returns(write_csv, rows)
    found = checks.check_repeats(returns, definitions())
    july = found[found["period"] == pd.Timestamp("2025-07-31")]
    assert (july["severity"] == "reject").all() and "exactly as in May 2025" in july["reason"].iloc[0]
    august = found[found["period"] == pd.Timestamp("2025-08-31")]
    assert (august["severity"] == "query").all() and "counts exactly as in" in august["reason"].iloc[0]


def test_defects_are_rules_failing_in_most_returns(write_csv):
    rows = [return_row(m, pct_abandoned=50.0) for m in MONTHS[:4]]
    returns = read_returns(write_csv, rows)
    consistency = checks.check_consistency(returns, definitions())
    defects = checks.defects(returns, definitions(), consistency)
    assert defects["kpi"].tolist() == ["abandoned"] and defects["share"].iloc[0] == 1.0


def _log(rows):
    frame = pd.DataFrame(rows, columns=["provider_code", "record_id", "received", "answered", "priority",
                                        "assessment_started", "assessment_completed", "face_to_face_started"])
    for column in ["received", "answered", "assessment_started", "assessment_completed", "face_to_face_started"]:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def test_recompute_counts_a_time_at_the_limit_as_within_it():
    t = pd.Timestamp("2025-04-02 19:00:00")
    s = pd.Timedelta(seconds=1)
    log = _log([
        ("P1", "a", t, t + 60 * s, "urgent", t + 60 * s + 1200 * s, t + 1560 * s, t + 1560 * s + 7200 * s),
        ("P1", "b", t, t + 61 * s, "urgent", t + 61 * s + 1201 * s, t + 61 * s + 1500 * s, None),
        ("P1", "c", t, None, None, None, None, None),
        ("P1", "d", t, t + 5 * s, "routine", t + 5 * s + 600 * s, t + 900 * s, None),
        ("P1", "e", t, t + 5 * s, None, None, None, None),
    ])
    counts = checks.recompute(log, definitions()).iloc[0]
    calls = ["calls_received", "calls_answered", "calls_abandoned", "calls_answered_60s"]
    assert counts[calls].tolist() == [5, 4, 1, 3]
    assert counts[["cases", "urgent_cases", "routine_cases", "urgent_assessed_20min"]].tolist() == [3, 2, 1, 1]
    # Face to face exactly 7,200 s after the assessment was completed: within 2 hours.
    assert counts[["urgent_f2f", "urgent_f2f_2h"]].tolist() == [1, 1]


def test_reconciliation_tolerance(write_csv):
    returns = read_returns(write_csv, [return_row("2025-04"), return_row("2025-05")])
    recorded = returns[["provider_code", "period"]].assign(
        calls_received=[502, 497], calls_answered=[480, 480], calls_abandoned=[22, 17])
    found = checks.check_reconciliation(returns, recorded, definitions())
    # 500 against 502 is within the tolerance of 2.5 (0.5% of 502); 20 against 17 is beyond 2.
    assert set(found["period"]) == {pd.Timestamp("2025-05-31")}
    assert "calls abandoned: the return says 20, the records give 17" in found["reason"].iloc[0]


def test_coverage_finds_empty_days():
    rng = np.random.default_rng(1)
    days = [d for d in pd.date_range("2025-04-01", "2025-05-31") if not (pd.Timestamp("2025-05-10") <= d
                                                                        <= pd.Timestamp("2025-05-11"))]
    received = [d + pd.Timedelta(seconds=int(s)) for d in days for s in rng.integers(0, 86_400, 20)]
    log = pd.DataFrame({"provider_code": "P1", "received": received})
    returns = pd.DataFrame({"provider_code": "P1", "period": pd.to_datetime(["2025-04-30", "2025-05-31"])})
    found = checks.check_coverage(log, returns, definitions())
    assert set(found["period"]) == {pd.Timestamp("2025-05-31")}
    assert "2 days with no record at all (10, 11 May)" in found["reason"].iloc[0]


@pytest.fixture(scope="module")
def bundled():
    inputs = load.load_inputs(load.RETURNS, providers_path=load.PROVIDERS, records_path=load.RECORDS,
                              truth_path=load.TRUTH)
    return checks.assess(inputs.returns, inputs.definitions, inputs.records), inputs.truth


def test_every_planted_manipulation_is_found_and_clean_returns_accepted(bundled):
    assessment, truth = bundled
    by_type, _by_check = checks.score(assessment, truth)
    planted = by_type[by_type["manipulation"] != "none (clean)"].set_index("manipulation")
    assert set(planted.index) == {"inflated", "times_shifted", "copied", "missing_days", "totals_wrong",
                                  "reclassified"}
    assert (planted["rate"] == 1.0).all(), planted
    clean = by_type.set_index("manipulation").loc["none (clean)"]
    assert clean["provider_periods"] == 57 and clean["flagged"] / clean["provider_periods"] <= 0.05


@pytest.mark.parametrize("kind,check", [("inflated", "reconciliation"), ("inflated", "just_above"),
                                        ("times_shifted", "bunching"), ("copied", "repeats"),
                                        ("missing_days", "coverage"), ("totals_wrong", "consistency"),
                                        ("reclassified", "case_mix")])
def test_each_manipulation_is_found_by_the_check_meant_for_it(bundled, kind, check):
    assessment, truth = bundled
    planted = set(zip(*truth.loc[truth["manipulation"] == kind, ["provider_code", "month"]].T.to_numpy()))
    found = assessment.findings[assessment.findings["check"] == check]
    hit = set(zip(found["provider_code"], found["period"].dt.strftime("%Y-%m")))
    assert planted <= hit


def test_decisions_follow_the_worst_finding(bundled):
    assessment, _ = bundled
    periods = assessment.periods.set_index(["provider_code", "period"])
    assert periods.loc[("OOH06", pd.Timestamp("2025-11-30")), "decision"] == "reject"  # a copy
    assert periods.loc[("OOH04", pd.Timestamp("2025-06-30")), "decision"] == "query"  # missing days
    assert periods.loc[("OOH04", pd.Timestamp("2025-04-30")), "decision"] == "accept"


def test_real_iucadc_abandoned_defect_and_all_zero_weeks_are_flagged():
    path = real_data_path("iucadc_weekly_by_contract_2025-26.csv")
    returns = load.load_returns(path, layout="iucadc")
    assessment = checks.assess(returns, load.load_definitions().for_layout("iucadc"))
    assert "reconciliation" not in assessment.checks_run and "bunching" not in assessment.checks_run
    # The abandoned-calls defect: impossible in every return with activity, so rejected throughout.
    assert set(assessment.defects["kpi"]) == {"abandoned"}
    assert (assessment.defects["failing"] == 503).all()
    abandoned = assessment.decisions[assessment.decisions["kpi"] == "abandoned"]
    assert (abandoned["decision"] == "reject").all()
    # The all-zero weeks: every contract in the week ending 5 April 2026, and 111AI5 on 28 December 2025.
    zero = assessment.findings[assessment.findings["check"] == "not_reported"].drop_duplicates(
        ["provider_code", "period"])
    assert len(zero) == 29
    assert set(zero.loc[zero["period"] == pd.Timestamp("2025-12-28"), "provider_code"]) == {"111AI5"}
    # Calls answered within 60 seconds is consistent in every week with activity.
    answered = assessment.findings[(assessment.findings["kpi"] == "answered_60s")
                                   & (assessment.findings["check"] == "consistency")]
    assert answered.empty
    assert (assessment.periods["decision"] == "reject").sum() == 29
