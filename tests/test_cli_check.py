"""``ccgtools check``: which layout a file is, what it holds, its problems, and the notebook parameters to use it.

Also the real layouts of issue 14 read as published: IUC ADC daily rows, KPIs a source does not collect,
Fingertips exports of several periods, and an IMD file of several years.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ccgtools import cli, layouts
from ccgtools.errors import DataError
from ccgtools.nhs111 import load as nhs111_load
from ccgtools.nhs111 import ranking
from ccgtools.practices import load as practice_load
from ccgtools.practices import variation
from tests.conftest import real_data_path


def run_check(capsys, *arguments):
    """``ccgtools check ARGUMENTS``: (exit status, stdout, stderr)."""
    status = cli.main(["check", *map(str, arguments)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("name, kind, parameter", [
    ("survey_commissioning_support_2012_synthetic.csv", "survey", 'data_path = "data/survey_commissioning'),
    ("nhs111_daily_2013-14_synthetic.csv", "nhs111_mds_daily", 'layout = "mds"'),
    ("nhs111_contracts_2013_synthetic.csv", "contract_lookup", 'contracts_path = "data/nhs111_contracts_2013'),
    ("gp_registrations_quinary_synthetic.csv", "gp_quinary", 'registrations_path = "data/gp_registrations'),
    ("gp_practices_synthetic.csv", "practices", 'practices_path = "data/gp_practices_synthetic.csv"'),
    ("gp_events_synthetic.csv", "events", 'events_path = "data/gp_events_synthetic.csv"'),
    ("gp_reference_rates_synthetic.csv", "reference_rates", 'reference_rates_path = "data/gp_reference_rates'),
    ("gp_ground_truth_synthetic.csv", "ground_truth", 'ground_truth_path = "data/gp_ground_truth_synthetic.csv"'),
])
def test_every_bundled_file_is_recognised_with_its_parameters(capsys, name, kind, parameter):
    status, out, err = run_check(capsys, f"data/{name}")
    assert (status, err) == (0, "")
    assert f"(layout {kind})" in out and "problems: none" in out and parameter in out


@pytest.mark.parametrize("name, kind, lines", [
    ("assurance_returns_2025-26_synthetic.csv", "assurance_returns",
     ["rows: 72", "units: 6 providers", "periods: 12 months 2025-04 to 2026-03",
      'returns_path = "data/assurance_returns_2025-26_synthetic.csv"', 'layout = "ooh"', "providers_path = ...  #"]),
    ("assurance_providers_synthetic.csv", "assurance_providers",
     ["units: 6 providers", 'providers_path = "data/assurance_providers_synthetic.csv"']),
    ("assurance_records_2025-26_synthetic.csv", "assurance_records",
     ["calls from 6 providers", "periods: received 2025-04-01 to 2026-03-31",
      'records_path = "data/assurance_records_2025-26_synthetic.csv"']),
    ("assurance_ground_truth_synthetic.csv", "assurance_ground_truth",
     ["planted manipulations:", 'truth_path = "data/assurance_ground_truth_synthetic.csv"']),
])
def test_the_assurance_briefings_bundled_files_are_recognised(capsys, name, kind, lines):
    status, out, err = run_check(capsys, f"data/{name}")
    assert (status, err) == (0, "")
    assert f"(layout {kind})" in out and "problems: none" in out
    assert "Notebook parameters (notebooks/provider_data_assurance.ipynb):" in out
    for line in lines:
        assert line in out, line


ASSURANCE_RETURNS = ("month,provider_code,calls_received,calls_answered,calls_abandoned,calls_answered_60s,"
                     "pct_answered_60s,pct_abandoned,cases,urgent_cases,less_urgent_cases,routine_cases,"
                     "urgent_assessed_20min,pct_urgent_assessed_20min,urgent_f2f,urgent_f2f_2h,pct_urgent_f2f_2h\n")


ROW = "2025-04,OOH01,466,449,17,434,96.7,3.6,410,77,162,171,77,100.0,25,25,100.0\n"


@pytest.mark.parametrize("rows, problem", [
    (ROW + "2025-13,OOH01,466,449,17,434,96.7,3.6,410,77,162,171,77,100.0,25,25,100.0\n",
     "row 3, column 'month': not a month; found '2025-13'"),
    (ROW + ROW,
     "row 3, column 'provider_code': repeated provider and period (first seen on row 2); found 'OOH01'"),
    ("2025-04,OOH01,-466,449,17,434,96.7,3.6,410,77,162,171,77,100.0,25,25,100.0\n",
     "row 2, column 'calls_received': negative count"),
])
def test_a_bad_assurance_return_is_a_problem_by_row_and_column(capsys, write_csv, rows, problem):
    status, out, err = run_check(capsys, write_csv(ASSURANCE_RETURNS + rows, "returns.csv"))
    assert status == 1 and "(layout assurance_returns)" in out and problem in out, out + err


def test_a_log_with_times_out_of_order_is_a_problem_by_row_and_column(capsys, write_csv):
    log = ("provider_code,record_id,received,answered,priority,assessment_started,assessment_completed,"
           "face_to_face_started\nP1,R1,2025-04-01 01:15:49,2025-04-01 01:16:01,urgent,2025-04-01 01:22:59,"
           "2025-04-01 01:38:13,\nP1,R2,2025-04-01 02:00:00,2025-04-01 01:59:00,,,,\n")
    status, out, _ = run_check(capsys, write_csv(log, "log.csv"))
    assert status == 1 and "(layout assurance_records)" in out
    assert "row 3, column 'answered': answered before received" in out


@pytest.mark.parametrize("name, kind, lines", [
    ("iucadc_weekly_by_contract_2025-26.csv", "iucadc_weekly",
     ["rows: 532", "units: 28 contracts", "periods: 19 weeks ending 2025-11-30 to 2026-04-05", 'layout = "iucadc"']),
    ("iucadc_contract_lookup.csv", "contract_lookup", ["units: 28 contracts in 7 regions"]),
    ("gp-reg-pat-prac-all_2021-01.csv", "gp_list_sizes", ["units: 6,658 practices, 60,606,345 patients"]),
    ("fingertips_93553_imd2019_by_practice.csv", "fingertips",
     ["units: 6,545 GP practices", 'imd_path = "../shared/real-data/fingertips_93553_imd2019_by_practice.csv"']),
    ("fingertips_91547_qof_smoking_prev_gp_2022-24.csv", "fingertips",
     ["periods: 2022/23, 2023/24", 'fingertips_period = "2023/24"', "2022/23 6,378, 2023/24 6,267"]),
    ("heec_practice_prop65_imd_rurality.csv", "heec", ["units: 4,578 practices"]),
    ("ccg_to_icb_lookup.csv", "icb_lookup", ["CCGs in 42 ICBs"]),
    ("ods_epraccur_2019-12.csv", "ods_epraccur", ['ods_path = "../shared/real-data/ods_epraccur_2019-12.csv"']),
])
def test_every_real_file_is_recognised_as_published(capsys, name, kind, lines):
    status, out, _ = run_check(capsys, real_data_path(name))
    assert status == 0 and f"(layout {kind})" in out
    for line in lines:
        assert line in out


def test_the_real_weekly_file_reports_its_defect_and_missing_weeks(capsys):
    _, out, _ = run_check(capsys, real_data_path("iucadc_weekly_by_contract_2025-26.csv"))
    assert "in 179 rows abandoned equals received" in out
    assert "2026-04-05: 28 contract(s)" in out
    assert "not collected (absent or blank): callbacks_needed, callbacks_10min, warm_transfers" in out


def test_a_relative_path_is_taken_from_the_current_folder(capsys, tmp_path, monkeypatch, write_csv):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "events.csv").write_text("practice_code,indicator,events\nA,x,1\nB,x,2\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    status, out, _ = run_check(capsys, "sub/events.csv")
    # The parameter is written as a notebook reads it (relative to the project root when beside it).
    assert status == 0 and f'events_path = "{layouts.notebook_path(tmp_path / "sub" / "events.csv")}"' in out


def test_a_problem_is_shown_by_row_and_column_with_status_1(capsys, write_csv):
    path = write_csv("practice_code,indicator,events\nA,x,1\nB,x,-2\n", "events.csv")
    status, out, _ = run_check(capsys, path)
    assert status == 1
    assert "row 3, column 'events': negative count; found '-2'; expected a whole number of 0 or more" in out


def test_an_unknown_layout_names_the_nearest_and_the_columns_that_differ(capsys, write_csv):
    path = write_csv("practice_code,indicator,event_count\nA,x,1\n", "nearly.csv")
    status, out, err = run_check(capsys, path)
    assert status == 2 and out == ""
    assert "nearest: Events per practice and indicator (events)" in err
    assert "missing column(s) 'events'" in err and "column(s) it does not have 'event_count'" in err


def test_as_kind_checks_against_that_layout(capsys, write_csv):
    path = write_csv("practice_code,indicator,events\nA,x,1\n", "events.csv")
    status, _, err = run_check(capsys, path, "--as", "practices")
    assert status == 2 and "missing column(s) 'ccg_code', 'region', 'imd_score', 'rurality'" in err
    status, _, err = run_check(capsys, path, "--as", "no_such_kind")
    assert status == 2 and "unknown layout 'no_such_kind'; expected one of survey," in err


@pytest.mark.parametrize("content, wording", [
    (b"PK\x03\x04 rest of a zip", "an Excel workbook, not a CSV file"),
    (b"a,b\n\x00\x01\x02", "binary content, not a text CSV file"),
    (b"", "the file is empty"),
])
def test_unreadable_files_give_one_line_and_status_2(capsys, write_csv, content, wording):
    status, out, err = run_check(capsys, write_csv(content, "odd.csv"))
    assert status == 2 and out == "" and wording in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_the_quinary_file_also_names_the_age_sex_parameter_of_a_proportion(capsys):
    status, out, _ = run_check(capsys, "data/gp_registrations_quinary_synthetic.csv")
    assert status == 0 and 'quinary_path = "data/gp_registrations_quinary_synthetic.csv"' in out
    assert 'mode = "fingertips_proportion"' in out and "at least 100 practices" in out


def test_list_names_every_layout(capsys):
    status, out, _ = run_check(capsys, "--list")
    kinds = [line.split()[0] for line in out.splitlines()]
    expected = ["survey", "nhs111_mds_daily", "iucadc_weekly", "iucadc_daily", "contract_lookup", "gp_quinary",
                "practices", "events", "reference_rates", "ground_truth", "fingertips", "qof_prevalence",
                "qof_achievement", "qof_achievement_by_measure", "qof_wide", "heec", "gp_list_sizes", "ods_epraccur",
                "icb_lookup", "assurance_returns", "assurance_providers", "assurance_records", "assurance_ground_truth"]
    assert status == 0 and [k for k in kinds if k in expected] == expected  # in order; other briefings' follow
    assert len(kinds) == len(set(kinds))
    # The titles line up in one column, however long a layout's name.
    assert len({len(line) - len(line[len(kind):].lstrip()) for line, kind in zip(out.splitlines(), kinds)}) == 1


def test_recognition_prefers_the_most_specific_complete_layout():
    daily = ["date", "week_ending", "region", "contract", "calls_received", "calls_answered"]
    match, _ = layouts.recognise(daily, cli.layouts())
    assert match.layout.kind == "iucadc_daily"  # it also has every column the MDS layout requires
    match, _ = layouts.recognise(["date", "contract_code", "calls_received", "calls_answered"], cli.layouts())
    assert match.layout.kind == "nhs111_mds_daily"


# --- IUC ADC daily rows, and KPIs not collected --------------------------------------------------------------

DAILY = """date,week_ending,region,contract,contract_name,calls_received,calls_answered,calls_answered_60s,calls_abandoned,calls_triaged,callbacks_needed
2026-01-05,2026-01-11,North,111X1,Alpha,100,90,80,5,70,
2026-01-06,2026-01-11,North,111X1,Alpha,110,100,90,6,75,
2026-01-12,2026-01-18,North,111X1,Alpha,120,110,100,4,80,
2026-01-05,2026-01-11,North,111X2,Beta,200,190,150,8,150,
2026-01-06,2026-01-11,North,111X2,Beta,210,200,160,7,160,
2026-01-12,2026-01-18,North,111X2,Beta,220,210,170,9,170,
"""


def test_iucadc_daily_rows_load_and_sum_to_weeks(write_csv):
    path = write_csv(DAILY, "daily.csv")
    contracts = pd.DataFrame({"contract_code": ["111X1", "111X2"], "contract_name": ["Alpha", "Beta"],
                              "region": ["North", "North"]})
    activity = nhs111_load.load_activity(path, layout="auto", contracts=contracts)
    assert len(activity) == 6 and activity["callbacks_needed"].isna().all()  # a blank column: not collected
    weekly = nhs111_load.aggregate(activity, ["contract_code"], frequency="W")
    alpha = weekly[weekly["contract_code"] == "111X1"].set_index("period")
    assert alpha.loc[pd.Timestamp("2026-01-11"), "calls_received"] == 210  # 100 + 110
    assert alpha.loc[pd.Timestamp("2026-01-18"), "calls_answered_60s"] == 100


def test_check_reports_iucadc_daily_with_its_parameters(capsys, write_csv):
    status, out, _ = run_check(capsys, write_csv(DAILY, "daily.csv"))
    assert status == 0 and "(layout iucadc_daily)" in out and 'layout = "iucadc_daily"' in out
    assert "periods: 3 days 2026-01-05 to 2026-01-12" in out and "units: 2 contracts" in out


def test_a_daily_row_outside_its_week_is_refused_by_row_and_column(write_csv):
    path = write_csv(DAILY.replace("2026-01-12,2026-01-18,North,111X2", "2026-01-12,2026-01-11,North,111X2"))
    with pytest.raises(DataError) as caught:
        nhs111_load.load_activity(path, layout="iucadc_daily", contracts=None, contracts_path=path)
    assert (caught.value.row, caught.value.column) == (7, "week_ending")


def test_kpis_with_zero_denominators_are_left_out_not_a_crash(write_csv):
    frame = pd.read_csv("data/nhs111_daily_2013-14_synthetic.csv", dtype=str)
    frame = frame[frame["date"] < "2013-05-01"].assign(callbacks_needed="0", callbacks_10min="0", warm_transfers="0")
    activity = nhs111_load.load_activity(write_csv(frame, "zero.csv"),
                                         contracts_path="data/nhs111_contracts_2013_synthetic.csv")
    usable, notes = nhs111_load.data_quality(activity, nhs111_load.load_indicators())
    assert set(notes["kpi"]) == {"callback_10min", "warm_transfer"}
    chosen = nhs111_load.usable_indicators(nhs111_load.load_indicators(), notes, ["answered_60s", "callback_10min"])
    assert list(chosen) == ["answered_60s"]
    comparison = ranking.compare_contracts(usable, chosen, n_simulations=200)
    assert list(comparison.indicators) == ["answered_60s"]


def test_an_unknown_contract_names_the_lookup_file(write_csv):
    path = write_csv(DAILY, "daily.csv")
    with pytest.raises(DataError, match=r"expected a code in the contract lookup data/nhs111_contracts_2013_synth"
                                        r"etic.csv .*set contracts_path to your own lookup"):
        nhs111_load.load_activity(path, layout="iucadc_daily", contracts_path="data/nhs111_contracts_2013_synthetic.csv")


# --- Fingertips exports of several periods, and IMD of several years ----------------------------------------

FINGERTIPS_HEADER = ("Indicator ID,Indicator Name,Area Code,Area Name,Area Type,Time period,Time period Sortable,"
                     "Value,Count,Denominator\n")


def fingertips(rows: list[tuple]) -> str:
    """A Fingertips export: rows of (indicator id, area code, period, sortable, value, count, denominator)."""
    return FINGERTIPS_HEADER + "".join(f"{i},Name,{a},Practice {a},GPs,{p},{s},{v},{c},{d}\n"
                                       for i, a, p, s, v, c, d in rows)


def test_several_periods_without_a_period_are_refused_naming_them(write_csv):
    path = write_csv(fingertips([(1, "P1", "2022/23", 20220000, 10, 1, 10), (1, "P1", "2023/24", "", 20, 2, 10)]))
    with pytest.raises(DataError) as caught:
        practice_load.load_fingertips(path)
    assert caught.value.column == "Time period"
    assert "the file holds 2 periods (2022/23, 2023/24); choose one" in str(caught.value)
    assert practice_load.load_fingertips(path, period="latest")["period"].tolist() == ["2023/24"]
    assert practice_load.load_fingertips(path, period="2022/23")["value"].tolist() == [10.0]
    with pytest.raises(DataError, match=r"no rows for period '2021/22'; found '2021/22'; expected one of '2022/23', "):
        practice_load.load_fingertips(path, period="2021/22")


def test_an_imd_file_of_several_years_uses_the_latest_and_says_so(write_csv):
    practices = [f"P{i}" for i in range(1, 9)]
    counts = [5, 9, 12, 7, 30, 11, 8, 16]
    indicator = write_csv(fingertips([(1, p, "2023/24", 20230000, c, c, 100) for p, c in zip(practices, counts)]),
                          "indicator.csv")
    imd = write_csv(fingertips([(93553, p, year, int(year) * 10000, score, "", "")
                                for year in ("2015", "2019") for p, score in zip(practices, (5, 9, 30, 12, 40, 22,
                                                                                              17, 8))]), "imd.csv")
    briefing = variation.prepare_and_analyse("fingertips_proportion", indicator="x", covariates=("imd",),
                                             flag_level=0.95, fingertips_path=indicator, imd_path=imd)
    assert "The IMD file holds 2 periods; the latest, 2019, is used." in briefing.notes


def test_a_daily_iucadc_file_runs_through_the_notebook_steps_with_parameters_alone(write_csv):
    # The notebook's own calls, in its order, on IUC ADC daily rows of six contracts over four weeks, with the
    # parameters `ccgtools check` prints: no reshaping code. KPIs not collected are left out, not crashed on.
    import numpy as np

    rng = np.random.default_rng(14)
    days = pd.date_range("2026-01-05", "2026-02-01", freq="D")
    rows = []
    for number in range(1, 7):
        for day in days:
            received = int(rng.integers(200, 400))
            answered = received - int(rng.integers(0, 20))
            rows.append({"date": f"{day:%Y-%m-%d}", "week_ending": f"{day + pd.offsets.Week(weekday=6, n=0):%Y-%m-%d}",
                         "region": "North", "contract": f"111X{number}", "contract_name": f"Contract {number}",
                         "calls_received": received, "calls_answered": answered,
                         "calls_answered_60s": answered - int(rng.integers(0, answered // 4)),
                         "calls_abandoned": int(rng.integers(0, received - answered + 1)), "calls_triaged": answered,
                         "callbacks_needed": ""})
    data = write_csv(pd.DataFrame(rows), "daily.csv")
    lookup = write_csv(pd.DataFrame({"contract_code": [f"111X{n}" for n in range(1, 7)],
                                     "contract_name": [f"Contract {n}" for n in range(1, 7)],
                                     "region": ["North"] * 6}), "lookup.csv")
    indicators = nhs111_load.load_indicators()
    contracts = nhs111_load.load_contracts(lookup)
    loaded = nhs111_load.load_activity(data, layout="iucadc_daily", contracts=contracts)
    usable, notes = nhs111_load.data_quality(loaded, indicators)
    chosen = nhs111_load.usable_indicators(indicators, notes, ["answered_60s", "abandoned_30s", "callback_10min"])
    assert list(chosen) == ["answered_60s", "abandoned_30s"]  # call-backs: not collected (a blank column)
    activity = nhs111_load.select(usable, start="2026-01-05", end="2026-02-01", region="North")
    ranking.check_contract(activity, "111X3", "North")
    comparison = ranking.compare_contracts(activity, chosen, frequency="W", n_simulations=200, seed=1)
    assert len(comparison.values["answered_60s"]) == 6



# --- ccgtools fetch, against a local server on 127.0.0.1 serving ../shared/real-data/ -------------------------

@pytest.fixture
def local_server():
    """An HTTP server on 127.0.0.1 serving the real files, and a Fingertips-like API answering from them."""
    import http.server
    import threading
    import urllib.parse

    folder = real_data_path("fingertips_93553_imd2019_by_practice.csv").parent
    fingertips = {"93553": "fingertips_93553_imd2019_by_practice.csv",
                  "91547": "fingertips_91547_qof_smoking_prev_gp_2022-24.csv"}
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def do_GET(self):  # the name http.server calls
            requests.append(self.path)
            address = urllib.parse.urlparse(self.path)
            if address.path == "/api/all_data/csv/by_indicator_id":
                query = urllib.parse.parse_qs(address.query)
                name = fingertips.get(query.get("indicator_ids", [""])[0])
                if name is None or query.get("child_area_type_id") != ["7"]:
                    self.send_error(404, "no such indicator")
                    return
                self.path = "/" + name
            super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_fetch_fingertips_saves_records_and_checks_the_file(capsys, tmp_path, local_server):
    import hashlib
    import json

    base, requests = local_server
    status = cli.main(["fetch", "fingertips", "--indicator", "93553", "--area-type", "gp", "--base-url", base,
                       "--out", str(tmp_path)])
    out = capsys.readouterr().out
    saved = tmp_path / "fingertips_93553_gp.csv"
    original = real_data_path("fingertips_93553_imd2019_by_practice.csv")
    assert status == 0 and saved.read_bytes() == original.read_bytes()
    assert requests == ["/api/all_data/csv/by_indicator_id?indicator_ids=93553&child_area_type_id=7"]
    entry = json.loads((tmp_path / "sources.json").read_text(encoding="utf-8"))["fingertips_93553_gp.csv"]
    assert entry["sha256"] == hashlib.sha256(original.read_bytes()).hexdigest()
    assert entry["licence"].startswith("Open Government Licence v3.0") and entry["url"].startswith(base)
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert "(layout fingertips)" in out and "imd_path = " in out


@pytest.mark.parametrize("source, name, kind", [
    ("iucadc", "iucadc_weekly_by_contract_2025-26.csv", "iucadc_weekly"),
    ("gp-registrations", "gp-reg-pat-prac-all_2021-01.csv", "gp_list_sizes"),
    ("ods", "ods_epraccur_2019-12.csv", "ods_epraccur"),
])
def test_fetch_by_address_saves_under_the_published_name(capsys, tmp_path, local_server, source, name, kind):
    base, _ = local_server
    status = cli.main(["fetch", source, "--url", f"{base}/{name}", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0 and (tmp_path / name).read_bytes() == real_data_path(name).read_bytes()
    assert f"(layout {kind})" in out


def test_a_failed_fetch_is_one_line_and_leaves_the_earlier_file(capsys, tmp_path, local_server):
    base, _ = local_server
    earlier = tmp_path / "fingertips_1_gp.csv"
    earlier.write_text("earlier", encoding="utf-8")
    status = cli.main(["fetch", "fingertips", "--indicator", "1", "--base-url", base, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 2 and "the server answered 404" in err and len(err.splitlines()) == 1
    assert earlier.read_text(encoding="utf-8") == "earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["fingertips_1_gp.csv"]  # no partial file left behind


def test_fetch_without_its_address_says_what_is_needed(capsys, tmp_path):
    assert cli.main(["fetch", "ods", "--out", str(tmp_path)]) == 2
    assert "fetch ods needs --url: the address of the file on https://digital.nhs.uk/" in capsys.readouterr().err
    assert cli.main(["fetch", "fingertips", "--out", str(tmp_path)]) == 2
    assert "fetch fingertips needs --indicator ID" in capsys.readouterr().err


# --- NHS Digital QOF prevalence tables, long and wide (as R writes them, NA for missing) -----------------------

QOF_LONG = """PRACTICE_CODE,PRACTICE_NAME,GROUP_CODE,PATIENT_LIST_TYPE,REGISTER,PRACTICE_LIST_SIZE
P1,One,DM,17OV,70,800
P2,Two,DM,17OV,90,1000
P1,One,HYP,TOTAL,150,1000
P2,Two,HYP,TOTAL,NA,1200
P1,One,DM,TOTAL,70,1000
P2,Two,DM,TOTAL,90,1200
"""


def test_qof_long_reads_one_group_and_list_type_as_a_proportion(write_csv):
    path = write_csv(QOF_LONG, "qof.csv")
    table = practice_load.load_qof_prevalence(path, "DM", list_type="17OV")
    assert table["area_code"].tolist() == ["P1", "P2"]
    assert table["count"].tolist() == [70.0, 90.0] and table["denominator"].tolist() == [800.0, 1000.0]
    assert table["value"].tolist() == [8.75, 9.0]  # 70/800 and 90/1000, as percentages
    hypertension = practice_load.load_qof_prevalence(path, "HYP")
    assert hypertension["count"].isna().tolist() == [False, True]  # NA is missing, never zero


def test_qof_long_with_several_list_types_asks_for_one(write_csv):
    path = write_csv(QOF_LONG, "qof.csv")
    with pytest.raises(DataError) as caught:
        practice_load.load_qof_prevalence(path, "DM")
    assert caught.value.column == "PATIENT_LIST_TYPE" and "the group has 2 list types (17OV, TOTAL)" in str(caught.value)
    with pytest.raises(DataError, match=r"no rows for QOF group 'AF'; found 'AF'; expected one of 'DM', 'HYP'"):
        practice_load.load_qof_prevalence(path, "AF")


def qof_wide(rows: int = 8) -> str:
    import numpy as np

    rng = np.random.default_rng(5)
    lines = ["PRACTICE_CODE,REGISTER_DM,PRACTICE_LIST_SIZE_DM,REGISTER_HYP,PRACTICE_LIST_SIZE_HYP"]
    for number in range(1, rows + 1):
        size = int(rng.integers(2000, 9000))
        lines.append(f"P{number},{int(size * rng.uniform(0.05, 0.09))},{size},"
                     f"{'NA' if number == 3 else int(size * 0.14)},{size}")
    return "\n".join(lines) + "\n"


def test_qof_wide_as_r_writes_it_is_recognised_and_checked(capsys, write_csv):
    status, out, _ = run_check(capsys, write_csv(qof_wide(), "qof_wide.csv"))
    assert status == 0 and "(layout qof_wide)" in out
    assert "practices with a register, by group: DM 8, HYP 7" in out
    assert "indicator = ...  # the QOF group to compare, one of 'DM', 'HYP'" in out


def test_qof_register_above_list_size_is_refused_by_row_and_column(write_csv):
    path = write_csv("PRACTICE_CODE,REGISTER_DM,PRACTICE_LIST_SIZE_DM\nP1,10,100\nP2,120,100\n", "qof.csv")
    with pytest.raises(DataError) as caught:
        practice_load.load_qof_prevalence(path, "DM")
    assert (caught.value.row, caught.value.column) == (3, "REGISTER_DM")
    assert "register (120) above the list size (100)" in str(caught.value)


def test_a_wide_qof_table_and_a_several_year_imd_file_run_with_parameters_alone(write_csv):
    # The second real layout: QOF practice tables written wide by R with NA, and an IMD file of two years.
    qof = write_csv(qof_wide(), "qof_wide.csv")
    imd = write_csv(fingertips([(93553, f"P{n}", year, int(year) * 10000, score, "", "")
                                for year in ("2015", "2019")
                                for n, score in zip(range(1, 9), (5, 9, 30, 12, 40, 22, 17, 8))]), "imd.csv")
    briefing = variation.prepare_and_analyse("fingertips_proportion", indicator="HYP", covariates=("imd",),
                                             flag_level=0.95, fingertips_path=qof, imd_path=imd)
    assert len(briefing.result.table) == 7  # practice P3's NA register left out
    assert "The IMD file holds 2 periods; the latest, 2019, is used." in briefing.notes
