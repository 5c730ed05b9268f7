"""ccgtools.nhs111.load: the MDS and IUC ADC layouts, row checks naming row and column, data quality."""

import csv
from collections import Counter

import pandas as pd
import pytest

from ccgtools.errors import DataError, ParameterError
from ccgtools.nhs111 import load

from ..conftest import real_data_path
from .small_activity import activity_frame, load_frame


def test_loads_and_validates_the_small_fixture(write_csv):
    activity = load_frame(write_csv, activity_frame())
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
        load_frame(write_csv, activity_frame({cell: value}))
    assert info.value.row == cell[0] + 2
    assert info.value.column in (column, "period")


def test_unknown_contract_code(write_csv):
    with pytest.raises(DataError, match="unknown contract code") as info:
        load_frame(write_csv, activity_frame({(4, "contract_code"): "Z"}))
    assert (info.value.row, info.value.value) == (6, "Z")


def test_duplicate_contract_period(write_csv):
    with pytest.raises(DataError, match="repeated contract and period \\(2013-04-01\\)") as info:
        load_frame(write_csv, activity_frame({(1, "contract_code"): "A"}))
    assert info.value.row == 3


def test_all_zero_period_is_missing_not_zero_performance(write_csv):
    zeros = {(5, m): 0 for m in load.MEASURES}
    usable, notes = load.data_quality(load_frame(write_csv, activity_frame(zeros)), load.load_indicators())
    assert len(usable) == 5
    assert "2013-04-02: 1 contract(s)" in notes.loc[0, "issue"] and notes.loc[0, "kpi"] == ""


def test_a_few_impossible_abandoned_values_are_set_missing(write_csv):
    # 48 rows (8 copies of the fixture on 16 days); in row 0, 100 received and 90 answered leave at
    # most 10 abandoned, so 40 is impossible. 1 of 48 rows (2%) is below the 5% threshold: only that
    # value is set to missing and the KPI stays.
    frame = pd.concat([activity_frame()] * 8, ignore_index=True)
    frame["date"] = pd.date_range("2013-04-01", periods=16).repeat(3).strftime("%Y-%m-%d")
    frame.loc[0, "calls_abandoned_30s"] = 40
    usable, notes = load.data_quality(load_frame(write_csv, frame), load.load_indicators())
    assert pd.isna(usable.loc[0, "calls_abandoned_30s"]) and usable["calls_abandoned_30s"].notna().sum() == 47
    assert notes["kpi"].eq("abandoned_30s").sum() == 0
    assert notes["action"].str.contains("those values set to missing").any()


def test_widespread_impossible_abandoned_values_drop_the_kpi(write_csv):
    frame = activity_frame()
    frame["calls_abandoned_30s"] = frame["calls_received"]  # the IUC ADC defect: abandoned = received
    usable, notes = load.data_quality(load_frame(write_csv, frame), load.load_indicators())
    assert usable["calls_abandoned_30s"].isna().all()
    assert "abandoned_30s" in set(notes["kpi"])
    chosen = load.usable_indicators(load.load_indicators(), notes, ["answered_60s", "abandoned_30s"])
    assert list(chosen) == ["answered_60s"]


def test_aggregate_by_region_and_month(write_csv):
    activity = load_frame(write_csv, activity_frame())
    by_region = load.aggregate(activity, ["region"], frequency="M").set_index("region")
    assert by_region.loc["North", "calls_received"] == 100 + 200 + 120 + 180
    assert by_region.loc["North", "period"] == pd.Timestamp("2013-04-30")
    national = load.aggregate(activity, [])
    assert national["calls_received"].iloc[0] == 710


def test_missing_measure_stays_missing_in_totals(write_csv):
    activity = load_frame(write_csv, activity_frame())
    activity.loc[0, "callbacks_needed"] = pd.NA
    assert pd.isna(load.aggregate(activity, ["contract_code"]).set_index("contract_code").loc["A", "callbacks_needed"])


def test_select_rejects_unknown_region_and_empty_period(write_csv):
    activity = load_frame(write_csv, activity_frame())
    with pytest.raises(ParameterError, match="unknown region 'Wales'"):
        load.select(activity, region="Wales")
    with pytest.raises(ParameterError, match="no activity"):
        load.select(activity, start="2020-01-01")
    with pytest.raises(ParameterError, match="unknown KPI"):
        load.usable_indicators(load.load_indicators(), pd.DataFrame(columns=["kpi"]), ["speed"])


def _zero_weeks(path) -> tuple[Counter, list]:
    """Rows whose five measures are all zero (weeks not yet reported), by week, counted with the csv module;
    and every row of the file."""
    measures = ("calls_received", "calls_answered", "calls_answered_60s", "calls_abandoned", "calls_triaged")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    return Counter(r["week_ending"] for r in rows if all(float(r[m] or 0) == 0 for m in measures)), rows


def test_real_iucadc_defect_detected_and_kpi_left_out():
    path = real_data_path("iucadc_weekly_by_contract_2025-26.csv")
    lookup = real_data_path("iucadc_contract_lookup.csv")
    activity = load.load_activity(path, layout="iucadc", contracts=load.load_contracts(lookup))
    zero_weeks, rows = _zero_weeks(path)
    assert activity["contract_code"].nunique() == len({r["contract_code"] for r in rows})
    usable, notes = load.data_quality(activity, load.load_indicators())
    assert "abandoned_30s" in set(notes["kpi"])  # the file's calls_abandoned equals calls_received
    assert sum(r["calls_abandoned"] == r["calls_received"] for r in rows) > 0.05 * len(rows)
    zero_note = notes.loc[notes["issue"].str.startswith("All measures zero"), "issue"].iloc[0]
    assert zero_weeks and all(f"{week}: {n} contract(s)" in zero_note for week, n in zero_weeks.items())
    assert len(usable) == len(activity) - sum(zero_weeks.values())
    chosen = load.usable_indicators(load.load_indicators(), notes, ["answered_60s", "abandoned_30s"])
    assert list(chosen) == ["answered_60s"]
