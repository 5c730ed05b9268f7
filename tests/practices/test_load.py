"""ccgtools.practice_io: the bundled practice files and the real published layouts."""

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

from ..conftest import shared_path


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


def test_real_fingertips_qof_smoking():
    data = practice_io.load_fingertips(shared_path("real-data", "fingertips_91547_qof_smoking_prev_gp_2022-24.csv"),
                                       period="2023/24")
    assert len(data) == 6267 and data["count"].notna().all()
    assert data["lower_95"].isna().all()  # Fingertips leaves the 2023/24 GP limits blank


def test_real_fingertips_imd_uses_area_type_gp():
    data = practice_io.load_fingertips(shared_path("real-data", "fingertips_93553_imd2019_by_practice.csv"))
    assert len(data) == 6545 and data["value"].between(0, 100).all()


def test_real_heec_and_list_sizes_and_epraccur():
    heec = practice_io.load_heec(shared_path("real-data", "heec_practice_prop65_imd_rurality.csv"))
    assert len(heec) == 4578 and set(heec["rurality"]) == {"Urban", "Rural"}
    sizes = practice_io.load_list_sizes(shared_path("real-data", "gp-reg-pat-prac-all_2021-01.csv"))
    assert len(sizes) == 6658 and sizes["list_size"].sum() == 60_606_345
    ods = practice_io.load_epraccur(shared_path("real-data", "ods_epraccur_2019-12.csv"))
    assert (ods["prescribing_setting"] == "4").all() and (ods["status_code"] == "A").all() and len(ods) > 6000


def test_epraccur_with_a_header_is_refused(write_csv):
    header = ",".join(practice_io.EPRACCUR_COLUMNS)
    row = ",".join(["A81001", "X"] + [""] * 23 + ["4", ""])
    with pytest.raises(DataError, match="header row"):
        practice_io.load_epraccur(write_csv(header + "\n" + row + "\n"))
