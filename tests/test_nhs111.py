"""ccgtools.nhs111 (loading and validation) and ccgtools.nhs111_ranking (the comparisons)."""

import pandas as pd
import pytest

from ccgtools import config, nhs111, nhs111_ranking
from ccgtools.errors import DataError, ParameterError
from ccgtools.nhs111_data import APRIL_2013_CALLS, PLANTED_UNDERPERFORMERS, make_synthetic_nhs111, write_synthetic_nhs111

from .conftest import shared_path

CONTRACTS = pd.DataFrame({"contract_code": ["A", "B", "C"], "contract_name": ["Alpha", "Beta", "Gamma"],
                          "region": ["North", "North", "South"]})


def _activity(changes: dict | None = None) -> pd.DataFrame:
    """Three contracts on two days, every measure consistent; ``changes`` edit (row, column) cells."""
    frame = pd.DataFrame({
        "date": ["2013-04-01"] * 3 + ["2013-04-02"] * 3, "contract_code": ["A", "B", "C"] * 2,
        "calls_received": [100, 200, 50, 120, 180, 60], "calls_answered": [90, 190, 45, 110, 170, 58],
        "calls_answered_60s": [81, 180, 30, 99, 150, 50], "calls_abandoned_30s": [8, 6, 4, 6, 7, 1],
        "calls_triaged": [80, 170, 40, 100, 150, 50], "callbacks_needed": [20, 30, 10, 25, 28, 12],
        "callbacks_10min": [10, 12, 2, 11, 15, 6], "warm_transfers": [5, 8, 2, 6, 9, 3]})
    frame = frame.astype(object)
    for (row, column), value in (changes or {}).items():
        frame.loc[row, column] = value
    return frame


def _load(write_csv, frame):
    return nhs111.load_activity(write_csv(frame.astype(object), "activity.csv"), contracts=CONTRACTS)


def test_loads_and_validates_the_small_fixture(write_csv):
    activity = _load(write_csv, _activity())
    assert len(activity) == 6 and activity["contract_name"].tolist()[:3] == ["Alpha", "Beta", "Gamma"]
    assert activity["period"].dt.year.unique().tolist() == [2013]


@pytest.mark.parametrize("cell,value,message,column", [
    ((2, "calls_answered"), 51, "calls_answered \\(51\\) above calls_received \\(50\\)", "calls_answered"),
    ((1, "calls_answered_60s"), 191, "calls_answered_60s \\(191\\) above calls_answered", "calls_answered_60s"),
    ((4, "calls_received"), -5, "negative count", "calls_received"),
    ((3, "callbacks_10min"), 26, "callbacks_10min \\(26\\) above callbacks_needed", "callbacks_10min"),
    ((0, "calls_triaged"), "*", "suppressed", "calls_triaged"),
    ((5, "date"), "02/04/2013", "not a date", "date"),
])
def test_row_checks_name_row_and_column(write_csv, cell, value, message, column):
    with pytest.raises(DataError, match=message) as info:
        _load(write_csv, _activity({cell: value}))
    assert info.value.row == cell[0] + 2
    assert info.value.column in (column, "period")


def test_unknown_contract_code(write_csv):
    with pytest.raises(DataError, match="unknown contract code") as info:
        _load(write_csv, _activity({(4, "contract_code"): "Z"}))
    assert (info.value.row, info.value.value) == (6, "Z")


def test_duplicate_contract_period(write_csv):
    with pytest.raises(DataError, match="repeated contract and period \\(2013-04-01\\)") as info:
        _load(write_csv, _activity({(1, "contract_code"): "A"}))
    assert info.value.row == 3


def test_all_zero_period_is_missing_not_zero_performance(write_csv):
    zeros = {(5, m): 0 for m in nhs111.MEASURES}
    usable, notes = nhs111.data_quality(_load(write_csv, _activity(zeros)), nhs111.load_indicators())
    assert len(usable) == 5
    assert "2013-04-02: 1 contract(s)" in notes.loc[0, "issue"] and notes.loc[0, "kpi"] == ""


def test_a_few_impossible_abandoned_values_are_set_missing(write_csv):
    # 48 rows (8 copies of the fixture on 16 days); in row 0, 100 received and 90 answered leave at
    # most 10 abandoned, so 40 is impossible. 1 of 48 rows (2%) is below the 5% threshold: only that
    # value is set to missing and the KPI stays.
    frame = pd.concat([_activity()] * 8, ignore_index=True)
    frame["date"] = pd.date_range("2013-04-01", periods=16).repeat(3).strftime("%Y-%m-%d")
    frame.loc[0, "calls_abandoned_30s"] = 40
    usable, notes = nhs111.data_quality(_load(write_csv, frame), nhs111.load_indicators())
    assert pd.isna(usable.loc[0, "calls_abandoned_30s"]) and usable["calls_abandoned_30s"].notna().sum() == 47
    assert notes["kpi"].eq("abandoned_30s").sum() == 0
    assert notes["action"].str.contains("those values set to missing").any()


def test_widespread_impossible_abandoned_values_drop_the_kpi(write_csv):
    frame = _activity()
    frame["calls_abandoned_30s"] = frame["calls_received"]  # the IUC ADC defect: abandoned = received
    usable, notes = nhs111.data_quality(_load(write_csv, frame), nhs111.load_indicators())
    assert usable["calls_abandoned_30s"].isna().all()
    assert "abandoned_30s" in set(notes["kpi"])
    chosen = nhs111.usable_indicators(nhs111.load_indicators(), notes, ["answered_60s", "abandoned_30s"])
    assert list(chosen) == ["answered_60s"]


def test_kpi_values_by_hand(write_csv):
    activity = _load(write_csv, _activity())
    totals = nhs111_ranking.contract_totals(activity).set_index("contract_code")
    # Alpha answered 90 + 110 = 200 calls, 81 + 99 = 180 within 60 s: 90%.
    assert (totals.loc["A", "calls_answered"], totals.loc["A", "calls_answered_60s"]) == (200, 180)
    values = nhs111_ranking.kpi_values(totals.reset_index(), nhs111.load_indicators()["answered_60s"])
    alpha = values.set_index("contract_code").loc["A"]
    assert alpha["value"] == pytest.approx(0.9)
    # Wilson 95% for 180/200: 0.850594 to 0.934330 (statsmodels' proportion_confint agrees);
    # the 95% standard is above the upper limit, so Alpha is credibly short of it.
    assert alpha["lower"] == pytest.approx(0.850594, abs=1e-6) and alpha["upper"] == pytest.approx(0.934330, abs=1e-6)
    assert bool(alpha["credibly_below"]) and not bool(alpha["meets_standard"])
    abandoned = nhs111_ranking.kpi_values(totals.reset_index(), nhs111.load_indicators()["abandoned_30s"])
    # Beta abandoned 6 + 7 = 13 of 380 received = 3.4%: meets "< 5%".
    beta = abandoned.set_index("contract_code").loc["B"]
    assert beta["value"] == pytest.approx(13 / 380) and bool(beta["meets_standard"])


def test_aggregate_by_region_and_month(write_csv):
    activity = _load(write_csv, _activity())
    by_region = nhs111.aggregate(activity, ["region"], frequency="M").set_index("region")
    assert by_region.loc["North", "calls_received"] == 100 + 200 + 120 + 180
    assert by_region.loc["North", "period"] == pd.Timestamp("2013-04-30")
    national = nhs111.aggregate(activity, [])
    assert national["calls_received"].iloc[0] == 710


def test_missing_measure_stays_missing_in_totals(write_csv):
    activity = _load(write_csv, _activity())
    activity.loc[0, "callbacks_needed"] = pd.NA
    assert pd.isna(nhs111.aggregate(activity, ["contract_code"]).set_index("contract_code").loc["A", "callbacks_needed"])


def test_select_rejects_unknown_region_and_empty_period(write_csv):
    activity = _load(write_csv, _activity())
    with pytest.raises(ParameterError, match="unknown region 'Wales'"):
        nhs111.select(activity, region="Wales")
    with pytest.raises(ParameterError, match="no activity"):
        nhs111.select(activity, start="2020-01-01")
    with pytest.raises(ParameterError, match="unknown KPI"):
        nhs111.usable_indicators(nhs111.load_indicators(), pd.DataFrame(columns=["kpi"]), ["speed"])


def test_bottom_fifth_count_by_hand():
    # Five contracts over four weeks; E is always worst, D always second worst; bottom fifth of 5 = 1.
    rows = []
    for week in pd.date_range("2013-04-07", periods=4, freq="7D"):
        for code, answered_60s in zip("ABCDE", (95, 94, 93, 80, 50)):
            rows.append({"period": week, "contract_code": code, "contract_name": code, "region": "R",
                         **{m: 0 for m in nhs111.MEASURES}, "calls_answered": 100, "calls_received": 100,
                         "calls_answered_60s": answered_60s})
    activity = pd.DataFrame(rows)
    counts = nhs111_ranking.bottom_fifth_counts(activity, nhs111.load_indicators()["answered_60s"],
                                                n_simulations=400, seed=1).set_index("contract_code")
    assert counts.loc["E", "times_bottom"] == 4 and counts.loc["D", "times_bottom"] == 0
    assert counts["chance_expected"].sum() == pytest.approx(4, abs=0.01)  # one contract per week by construction
    assert bool(counts.loc["E", "beyond_chance"])


# --- the bundled synthetic data ---

def test_bundled_files_are_what_the_generator_makes(tmp_path):
    contracts_path, activity_path = write_synthetic_nhs111(tmp_path)
    assert contracts_path.read_bytes() == config.NHS111_CONTRACTS.read_bytes()
    assert activity_path.read_bytes() == config.NHS111_ACTIVITY.read_bytes()


def test_synthetic_data_calibrated_to_2013_national_figures():
    contracts, activity = make_synthetic_nhs111()
    assert len(contracts) == 46
    assert contracts["population"].min() == 138_000 and contracts["population"].max() == 5_800_000
    month = activity.assign(month=activity["date"].str[:7]).groupby("month").sum(numeric_only=True)
    march, april = month.loc["2013-03"], month.loc["2013-04"]
    assert april["calls_received"] == APRIL_2013_CALLS
    assert round(100 * march["calls_answered_60s"] / march["calls_answered"]) == 84
    assert round(100 * march["calls_abandoned_30s"] / march["calls_received"]) == 8
    assert round(100 * march["callbacks_10min"] / march["callbacks_needed"]) == 37
    assert round(100 * april["calls_answered_60s"] / april["calls_answered"]) == 87
    assert round(100 * april["calls_abandoned_30s"] / april["calls_received"]) == 4
    assert round(100 * april["callbacks_10min"] / april["callbacks_needed"]) == 47


def test_planted_underperformers_are_found_by_the_ranks():
    indicators = nhs111.load_indicators()
    usable, notes = nhs111.data_quality(nhs111.load_activity(), indicators)
    chosen = nhs111.usable_indicators(indicators, notes, ["answered_60s"])
    comparison = nhs111_ranking.compare_contracts(usable, chosen, notes, n_simulations=500)
    flagged = set(comparison.flagged["contract_name"])
    assert set(PLANTED_UNDERPERFORMERS) <= flagged


# --- the real IUC ADC sample ---

def test_real_iucadc_defect_detected_and_kpi_left_out():
    path = shared_path("real-data", "iucadc_weekly_by_contract_2025-26.csv")
    lookup = shared_path("real-data", "iucadc_contract_lookup.csv")
    activity = nhs111.load_activity(path, layout="iucadc", contracts=nhs111.load_contracts(lookup))
    assert activity["contract_code"].nunique() == 28
    usable, notes = nhs111.data_quality(activity, nhs111.load_indicators())
    assert "abandoned_30s" in set(notes["kpi"])
    zero_note = notes.loc[notes["issue"].str.startswith("All measures zero"), "issue"].iloc[0]
    assert "2026-04-05: 28 contract(s)" in zero_note and "2025-12-28: 1 contract(s)" in zero_note
    assert len(usable) == len(activity) - 29
    chosen = nhs111.usable_indicators(nhs111.load_indicators(), notes, ["answered_60s", "abandoned_30s"])
    assert list(chosen) == ["answered_60s"]
