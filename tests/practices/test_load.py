"""ccgtools.practice_io: the bundled practice files and the real published layouts."""

import csv

import pandas as pd
import pytest

from ccgtools import config
from ccgtools.errors import DataError
from ccgtools.practices import load as practice_io
from ccgtools.practices.synthetic import (
    AGE_GROUPS,
    PRACTICE_FILES,
    write_synthetic_practices,
)

from ..conftest import real_data_path


def _quinary_rows(code="Z00001", patients=10):
    return [{"PUBLICATION": "P", "EXTRACT_DATE": "01JAN2021", "TYPE": "GP", "CCG_CODE": "X", "ONS_CCG_CODE": "E",
             "CODE": code, "POSTCODE": "ZZ99 9ZZ", "SEX": sex, "AGE_GROUP_5": age, "NUMBER_OF_PATIENTS": patients}
            for sex in ("MALE", "FEMALE") for age in AGE_GROUPS]


def test_bundled_files_are_what_the_generator_makes(tmp_path):
    written = write_synthetic_practices(tmp_path)
    for key, path in written.items():
        assert path.read_bytes() == (config.DATA_DIR / PRACTICE_FILES[key]).read_bytes(), key


def test_quinary_loads_as_practice_by_band_matrix(write_csv):
    rows = _quinary_rows("Z00001", 10) + _quinary_rows("Z00002", 3)
    rows.append({**rows[0], "SEX": "ALL", "AGE_GROUP_5": "ALL", "NUMBER_OF_PATIENTS": 400})  # totals row: dropped
    matrix = practice_io.load_quinary(write_csv(pd.DataFrame(rows)))
    assert matrix.shape == (2, 40)
    assert matrix.loc["Z00001"].sum() == 400 and matrix.loc["Z00002", "FEMALE 95+"] == 3


@pytest.mark.parametrize("column,value,message", [("AGE_GROUP_5", "95_99", "unknown value"),
                                                  ("SEX", "UNKNOWN", "unknown value"),
                                                  ("NUMBER_OF_PATIENTS", "*", "suppressed"),
                                                  ("NUMBER_OF_PATIENTS", "-4", "negative"),
                                                  ("NUMBER_OF_PATIENTS", "4.5", "fractional")])
def test_quinary_bad_cells(write_csv, column, value, message):
    rows = _quinary_rows()
    rows[7][column] = value
    with pytest.raises(DataError, match=message) as info:
        practice_io.load_quinary(write_csv(pd.DataFrame(rows)))
    assert (info.value.row, info.value.column) == (9, column)


def test_quinary_repeated_band(write_csv):
    rows = _quinary_rows() + _quinary_rows()[:1]
    with pytest.raises(DataError, match="given twice") as info:
        practice_io.load_quinary(write_csv(pd.DataFrame(rows)))
    assert info.value.row == 42


def test_events_checks(write_csv):
    good = pd.DataFrame({"practice_code": ["A", "B"], "indicator": ["x", "x"], "events": [3, 4]})
    assert practice_io.load_events(write_csv(good), registered=pd.Index(["A", "B"])).loc["B", "x"] == 4
    with pytest.raises(DataError, match="events but no registered patients") as info:
        practice_io.load_events(write_csv(good), registered=pd.Index(["A"]))
    assert info.value.row == 3 and info.value.value == "B"
    with pytest.raises(DataError, match="given twice"):
        practice_io.load_events(write_csv(good.assign(practice_code=["A", "A"])))
    with pytest.raises(DataError, match="fractional"):
        practice_io.load_events(write_csv(good.assign(events=["3", "4.2"])))


def test_practices_checks(write_csv):
    good = pd.DataFrame({"practice_code": ["A", "B"], "ccg_code": ["C", "C"], "region": ["R", "R"],
                         "imd_score": ["10.5", "20"], "rurality": ["Urban", "Rural"]})
    assert practice_io.load_practices(write_csv(good))["imd_score"].tolist() == [10.5, 20.0]
    with pytest.raises(DataError, match="repeated identifier"):
        practice_io.load_practices(write_csv(good.assign(practice_code=["A", "A"])))
    with pytest.raises(DataError, match="suppressed value") as info:
        practice_io.load_practices(write_csv(good.assign(imd_score=["*", "2"])))
    assert info.value.column == "imd_score"
    with pytest.raises(DataError, match="unknown value"):
        practice_io.load_practices(write_csv(good.assign(rurality=["Town", "Rural"])))


def test_reference_rates_cover_every_band():
    rates = practice_io.load_reference_rates()
    assert rates.shape == (40, 4) and rates.notna().all().all()


def _raw_rows(path, *, header: bool = True) -> list:
    """The file's rows read with the csv module alone (an independent count of what the loader should keep):
    dictionaries by column name, or lists of cells for a file without a header row."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle)) if header else list(csv.reader(handle))


GP_AREA_TYPES = ("GPs", "GP")  # Fingertips' two labels for GP practices


def test_real_fingertips_qof_smoking():
    path = real_data_path("fingertips_91547_qof_smoking_prev_gp_2022-24.csv")
    data = practice_io.load_fingertips(path, period="2023/24")
    raw = [r for r in _raw_rows(path) if r["Area Type"] in GP_AREA_TYPES and r["Time period"] == "2023/24"]
    assert len(raw) > 6000 and len(data) == len(raw)
    assert data["count"].sum() == pytest.approx(sum(float(r["Count"]) for r in raw))
    assert data["count"].notna().all() and all(r["Count"].strip() for r in raw)
    assert data["lower_95"].isna().all() and not any(r["Lower CI 95.0 limit"].strip() for r in raw)  # blank in 2023/24


def test_real_fingertips_imd_uses_area_type_gp():
    path = real_data_path("fingertips_93553_imd2019_by_practice.csv")
    data = practice_io.load_fingertips(path)
    raw = [r for r in _raw_rows(path) if r["Area Type"] in GP_AREA_TYPES]
    assert len(raw) > 6000 and len(data) == len(raw) and data["value"].between(0, 100).all()
    assert set(data["area_code"]) == {r["Area Code"] for r in raw}


def test_real_heec_and_list_sizes_and_epraccur():
    heec_path = real_data_path("heec_practice_prop65_imd_rurality.csv")
    heec = practice_io.load_heec(heec_path)
    raw_heec = _raw_rows(heec_path)
    assert len(heec) == len(raw_heec) > 4000 and set(heec["rurality"]) == {r["Practice.Rurality"] for r in raw_heec}
    sizes_path = real_data_path("gp-reg-pat-prac-all_2021-01.csv")
    sizes = practice_io.load_list_sizes(sizes_path)
    totals = [r for r in _raw_rows(sizes_path) if r["SEX"] == "ALL" and r["AGE"] == "ALL"]
    assert len(sizes) == len(totals) > 6000
    assert sizes["list_size"].sum() == sum(int(r["NUMBER_OF_PATIENTS"]) for r in totals)
    ods_path = real_data_path("ods_epraccur_2019-12.csv")
    ods = practice_io.load_epraccur(ods_path)
    # ODS columns 13 (status) and 26 (prescribing setting), counted from the header-less raw file.
    active_gps = [r for r in _raw_rows(ods_path, header=False) if r[12] == "A" and r[25] == "4"]
    assert (ods["prescribing_setting"] == "4").all() and (ods["status_code"] == "A").all()
    assert len(ods) == len(active_gps) > 6000


def test_epraccur_with_a_header_is_refused(write_csv):
    header = ",".join(practice_io.EPRACCUR_COLUMNS)
    row = ",".join(["A81001", "X"] + [""] * 23 + ["4", ""])
    with pytest.raises(DataError, match="header row"):
        practice_io.load_epraccur(write_csv(header + "\n" + row + "\n"))
