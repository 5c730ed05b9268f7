"""Relative paths are taken from the project root wherever the kernel runs (issue 17).

JupyterLab runs a notebook's kernel in ``notebooks/``; papermill and the build run it in the
project root. Every loader and every path parameter must read the same file in both, and an
error must show the path as the user wrote it and where that is.
"""

import os
from pathlib import Path

import pandas as pd
import pytest

from ccgtools import config
from ccgtools.errors import DataError, ParameterError
from ccgtools.io import read_csv_checked
from ccgtools.nhs111 import load as nhs111_load
from ccgtools.practices import load as practice_load
from ccgtools.practices import variation
from ccgtools.survey.load import load_survey


@pytest.fixture
def in_notebooks_folder(monkeypatch):
    """Run the test with notebooks/ as the working folder, as JupyterLab runs a kernel."""
    monkeypatch.chdir(config.NOTEBOOKS_DIR)
    assert not Path("data").exists(), "notebooks/ must not have a data/ folder of its own for this test"


def _relative_to_root(path: Path) -> str:
    """``path`` written relative to the project root (e.g. "../../tmp/x.csv")."""
    return os.path.relpath(path, config.PROJECT_ROOT)


def test_relative_path_is_taken_from_the_project_root(in_notebooks_folder):
    assert config.resolve_path("data/x.csv") == config.PROJECT_ROOT / "data" / "x.csv"
    assert config.resolve_path(" data/x.csv ") == config.PROJECT_ROOT / "data" / "x.csv"
    assert config.resolve_path("../shared/real-data/x.csv") == config.SHARED_DIR / "real-data" / "x.csv"


def test_absolute_path_and_default_are_kept(tmp_path):
    assert config.resolve_path(tmp_path / "x.csv") == tmp_path / "x.csv"
    assert config.resolve_path(None, config.SURVEY_DATA) == config.SURVEY_DATA
    assert config.resolve_path("", config.SURVEY_DATA) == config.SURVEY_DATA


def test_no_path_and_no_default_is_a_parameter_error():
    with pytest.raises(ParameterError, match="no file given"):
        config.resolve_path(None)
    with pytest.raises(ParameterError, match="no file given"):
        practice_load.load_fingertips("")


def test_shown_path_gives_the_path_as_written_and_where_it_is(tmp_path):
    shown = config.shown_path(config.PROJECT_ROOT / "data" / "x.csv")
    assert shown == f"data/x.csv ({config.PROJECT_ROOT / 'data' / 'x.csv'})"
    assert config.shown_path(config.SHARED_DIR / "a.csv").startswith("../shared/a.csv (")
    # Written as if from notebooks/: the message shows where that led from the project root.
    assert config.shown_path(config.resolve_path("../data/x.csv")).startswith("../data/x.csv (")
    outside = Path("/nowhere-near/the/project.csv")
    assert config.shown_path(outside) == str(outside)


def test_missing_file_error_shows_the_path_as_written_and_as_resolved(in_notebooks_folder):
    with pytest.raises(DataError, match="file not found") as info:
        load_survey("data/my_survey.csv")
    message = str(info.value)
    assert "data/my_survey.csv" in message
    assert str(config.PROJECT_ROOT / "data" / "my_survey.csv") in message
    assert "project root" in message
    assert info.value.path == str(config.PROJECT_ROOT / "data" / "my_survey.csv")


def test_missing_kpi_definitions_are_a_data_error_naming_the_file(in_notebooks_folder):
    with pytest.raises(DataError, match="file not found") as info:
        nhs111_load.load_indicators("my_kpis.toml")
    assert f"my_kpis.toml ({config.PROJECT_ROOT / 'my_kpis.toml'})" in str(info.value)


def test_read_csv_checked_resolves_from_the_project_root(in_notebooks_folder):
    frame = read_csv_checked("data/nhs111_contracts_2013_synthetic.csv", ["contract_code"])
    assert len(frame) == 46


BUNDLED = {
    "survey": lambda: load_survey("data/survey_commissioning_support_2012_synthetic.csv"),
    "nhs111 contracts": lambda: nhs111_load.load_contracts("data/nhs111_contracts_2013_synthetic.csv"),
    "nhs111 activity": lambda: nhs111_load.load_activity(
        "data/nhs111_daily_2013-14_synthetic.csv", contracts_path="data/nhs111_contracts_2013_synthetic.csv"),
    "nhs111 indicators": lambda: nhs111_load.load_indicators("src/ccgtools/nhs111/indicators.toml"),
    "registrations": lambda: practice_load.load_quinary("data/gp_registrations_quinary_synthetic.csv"),
    "practices": lambda: practice_load.load_practices("data/gp_practices_synthetic.csv"),
    "events": lambda: practice_load.load_events("data/gp_events_synthetic.csv"),
    "reference rates": lambda: practice_load.load_reference_rates("data/gp_reference_rates_synthetic.csv"),
    "ground truth": lambda: practice_load.load_ground_truth("data/gp_ground_truth_synthetic.csv",
                                                           "emergency_admissions"),
}


@pytest.mark.parametrize("loader", list(BUNDLED))
def test_every_bundled_loader_reads_a_relative_path_from_notebooks(in_notebooks_folder, loader):
    loaded = BUNDLED[loader]()
    assert len(loaded) > 0


def test_ground_truth_loads_the_planted_outliers_of_one_indicator():
    truth = practice_load.load_ground_truth("data/gp_ground_truth_synthetic.csv", "ae_attendances")
    table = pd.read_csv(config.DATA_DIR / "gp_ground_truth_synthetic.csv")
    expected = table[table["indicator"] == "ae_attendances"].set_index("practice_code")["planted_outlier"]
    assert truth.dtype == bool and truth.equals(expected.astype(bool).rename("planted_outlier"))


def test_ground_truth_with_a_bad_flag_names_row_and_column(write_csv):
    path = write_csv("practice_code,indicator,planted_outlier\nZ1,ae_attendances,False\nZ2,ae_attendances,maybe\n")
    with pytest.raises(DataError, match="unknown value") as info:
        practice_load.load_ground_truth(path, "ae_attendances")
    assert (info.value.row, info.value.column, info.value.value) == (3, "planted_outlier", "maybe")


FINGERTIPS = ("Indicator ID,Area Code,Area Name,Area Type,Time period,Value,Count,Denominator\n"
              "91547,A1,Practice one,GPs,2023/24,10.0,10,100\n")
HEEC = "Practice.Code,prop65,IMD,Practice.Rurality\nA1,20.5,30.1,Urban\n"
LIST_SIZES = "CODE,CCG_CODE,SEX,AGE,NUMBER_OF_PATIENTS\nA1,C1,ALL,ALL,1000\n"
EPRACCUR = ",".join(["A1", "PRACTICE ONE"] + [""] * 10 + ["A"] + [""] * 12 + ["4", ""]) + "\n"  # 27 columns


@pytest.mark.parametrize("loader, content", [
    (practice_load.load_fingertips, FINGERTIPS),
    (practice_load.load_heec, HEEC),
    (practice_load.load_list_sizes, LIST_SIZES),
    (practice_load.load_epraccur, EPRACCUR),
], ids=["fingertips", "heec", "list_sizes", "epraccur"])
def test_real_data_loaders_take_relative_paths_from_the_project_root(in_notebooks_folder, tmp_path, loader,
                                                                       content):
    path = tmp_path / "file.csv"
    path.write_text(content, encoding="utf-8")
    assert len(loader(_relative_to_root(path))) == 1
    with pytest.raises(DataError, match="file not found") as info:
        loader(_relative_to_root(tmp_path / "absent.csv"))
    assert str(tmp_path / "absent.csv") in str(info.value)


def test_the_practice_briefing_reads_its_ground_truth_from_notebooks(in_notebooks_folder):
    # The failure of issue 17: FileNotFoundError 'data/gp_ground_truth_synthetic.csv' in JupyterLab.
    briefing = variation.prepare_and_analyse(
        "age_sex_events", indicator="antibiotic_items", covariates=("imd",),
        registrations_path="data/gp_registrations_quinary_synthetic.csv",
        practices_path="data/gp_practices_synthetic.csv", events_path="data/gp_events_synthetic.csv",
        reference_rates_path="data/gp_reference_rates_synthetic.csv",
        ground_truth_path="data/gp_ground_truth_synthetic.csv")
    assert briefing.truth is not None and briefing.truth.any()
