"""ccgtools.assurance.load: definitions as data, returns in two layouts and the record log, with errors that
name the file, row and column."""

import pandas as pd
import pytest

from ccgtools.assurance import load
from ccgtools.errors import DataError, ParameterError

from ..conftest import real_data_path
from .small import PROVIDERS, read_returns, return_row


def test_definitions_declare_kpis_rules_and_checks():
    definitions = load.load_definitions()
    assert set(definitions.kpis) == {"answered_60s", "abandoned", "urgent_assessment_20min", "urgent_f2f_2h"}
    assert definitions.kpis["answered_60s"].timing["limit_seconds"] == 60
    iucadc = definitions.for_layout("iucadc")
    assert set(iucadc.kpis) == {"answered_60s", "abandoned"}
    assert "cases_add_up" not in iucadc.rules and "meets_60s_flag" in iucadc.rules
    assert "meets_60s_flag" not in definitions.for_layout("ooh").rules


def test_a_bad_definition_is_named(tmp_path):
    path = tmp_path / "d.toml"
    path.write_text('[kpi.x]\nname = "X"\nnumerator = "a"\ndenominator = "b"\ndirection = "up"\nstandard = 0.9\n'
                    'standard_text = "t"\nsource = "s"\n')
    with pytest.raises(DataError, match="direction must be") as info:
        load.load_definitions(path)
    assert info.value.column == "kpi.x"
    path.write_text('[rule.r]\nkind = "ratio"\n')
    with pytest.raises(DataError, match="unknown rule kind"):
        load.load_definitions(path)


def test_bundled_returns_and_records_load():
    returns = load.load_returns(providers=load.load_providers())
    assert len(returns) == 72 and returns["provider_code"].nunique() == 6
    assert returns["period"].min() == pd.Timestamp("2025-04-30") and returns["period_label"].iloc[0] == "Apr 2025"
    records = load.load_records()
    assert records["record_id"].is_unique and records["received"].notna().all()
    assert set(records["priority"].dropna()) == {"urgent", "less urgent", "routine"}


@pytest.mark.parametrize("change,column,message", [
    ({"month": "April 2025"}, "month", "not a month"),
    ({"calls_received": -1}, "calls_received", "negative count"),
    ({"urgent_cases": 10.5}, "urgent_cases", "fractional count"),
    ({"provider_code": "P9"}, "provider_code", "unknown provider code"),
    ({"pct_abandoned": "about 4"}, "pct_abandoned", "not a number"),
])
def test_bad_return_rows_are_named(write_csv, change, column, message):
    rows = [return_row("2025-04"), {**return_row("2025-05"), **change}]
    with pytest.raises(DataError, match=message) as info:
        read_returns(write_csv, rows)
    assert (info.value.row, info.value.column) == (3, column)
    assert "returns.csv" in str(info.value)


def test_a_repeated_provider_and_period_is_an_error(write_csv):
    with pytest.raises(DataError, match="repeated provider and period") as info:
        read_returns(write_csv, [return_row("2025-04"), return_row("2025-04")])
    assert info.value.row == 3


def test_a_missing_column_is_named(write_csv):
    frame = pd.DataFrame([return_row("2025-04")]).drop(columns="urgent_f2f")
    with pytest.raises(DataError, match="missing required column") as info:
        load.load_returns(write_csv(frame), providers=PROVIDERS)
    assert info.value.row == 1


def _records(**changes):
    row = {"provider_code": "P1", "record_id": "r1", "received": "2025-04-01 18:00:00",
           "answered": "2025-04-01 18:00:30", "priority": "urgent", "assessment_started": "2025-04-01 18:10:00",
           "assessment_completed": "2025-04-01 18:20:00", "face_to_face_started": ""}
    second = {**row, "record_id": "r2", **changes}
    return pd.DataFrame([row, second])


@pytest.mark.parametrize("change,column,message", [
    ({"received": "01/04/2025 18:00"}, "received", "not a date and time"),
    ({"answered": "2025-04-01 17:59:59"}, "answered", "answered before received"),
    ({"priority": "emergency"}, "priority", "unknown value"),
    ({"record_id": "r1"}, "record_id", "repeated identifier"),
    ({"provider_code": "P7"}, "provider_code", "unknown provider code"),
    ({"received": ""}, "received", "a required time is missing"),
])
def test_bad_records_are_named(write_csv, change, column, message):
    with pytest.raises(DataError, match=message) as info:
        load.load_records(write_csv(_records(**change), "log.csv"), providers=PROVIDERS)
    assert (info.value.row, info.value.column) == (3, column)


def test_load_inputs_checks_its_parameters():
    with pytest.raises(ParameterError, match="OOH99.*expected one of OOH01 \\(Harrowfield Urgent Care\\)"):
        load.load_inputs(load.RETURNS, providers_path=load.PROVIDERS, highlight_provider="OOH99")
    with pytest.raises(ParameterError, match="no record-level log"):
        load.load_inputs("x.csv", layout="iucadc", records_path=load.RECORDS)
    with pytest.raises(ParameterError, match="needs providers_path"):
        load.load_inputs(load.RETURNS, providers_path="")
    with pytest.raises(ParameterError, match="layout must be"):
        load.load_inputs(load.RETURNS, layout="mds")


def test_real_iucadc_returns_load_as_published():
    path = real_data_path("iucadc_weekly_by_contract_2025-26.csv")
    returns = load.load_returns(path, layout="iucadc")
    assert len(returns) == 532 and returns["provider_code"].nunique() == 28
    assert returns["period_label"].iloc[0] == "week ending 30 Nov 2025"
    assert returns["pct_abandoned"].isna().sum() == 29  # blank in the all-zero weeks
