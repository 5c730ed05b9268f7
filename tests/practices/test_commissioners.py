"""Practices grouped by their real commissioner: ODS commissioner code, then NHS England's CCG-to-ICB lookup."""

import csv

import pandas as pd
import pytest

from ccgtools.errors import DataError
from ccgtools.practices import commissioners
from tests.conftest import real_data_path


def _epraccur_row(code, commissioner, status="A"):
    row = [""] * 27
    row[0], row[1], row[12], row[14], row[25] = code, f"Practice {code}", status, commissioner, "4"
    return ",".join(f'"{v}"' for v in row)


@pytest.fixture
def files(write_csv):
    ods = write_csv("\n".join([_epraccur_row("A1", "00K"), _epraccur_row("A2", "00K", status="C"),
                               _epraccur_row("B1", "99Z")]) + "\n", "epraccur.csv")
    lookup = write_csv("\ufeffCCG Code,ICB Code,ICB NAME\n00K,QHM,NHS North East ICB\n01A,QOP,NHS Elsewhere ICB\n",
                       "lookup.csv")
    return ods, lookup


def test_each_practice_gets_its_commissioner_and_icb_closed_practices_included(files):
    table = commissioners.practice_commissioners(*files).set_index("practice_code")
    assert table.loc["A1", "icb_name"] == "NHS North East ICB" and table.loc["A2", "ccg_code"] == "00K"
    assert pd.isna(table.loc["B1", "icb_name"])  # 99Z is not in the lookup


def test_frame_takes_the_commissioner_and_counts_practices_not_found(files):
    frame = pd.DataFrame({"practice_code": ["A1", "B1", "Z9"], "ccg_code": [None, None, None], "region": "England"})
    out, unmatched = commissioners.with_commissioners(frame, commissioners.practice_commissioners(*files))
    assert out["ccg_code"].tolist()[:2] == ["00K", "99Z"] and pd.isna(out["ccg_code"].iloc[2])
    assert out["region"].iloc[0] == "NHS North East ICB" and unmatched == 1


def test_a_lookup_without_its_columns_names_them(write_csv):
    with pytest.raises(DataError, match="ICB NAME"):
        commissioners.load_icb_lookup(write_csv("CCG Code,ICB Code\n00K,QHM\n", "lookup.csv"))


def test_real_qof_practices_almost_all_found_in_ods_2019():
    # Independent count with the csv module: QOF 2023/24 practices absent from the December 2019 ODS file.
    ods = real_data_path("ods_epraccur_2019-12.csv")
    qof = real_data_path("fingertips_91547_qof_smoking_prev_gp_2022-24.csv")
    with ods.open(encoding="utf-8-sig", newline="") as handle:
        in_ods = {row[0] for row in csv.reader(handle)}
    with qof.open(encoding="utf-8-sig", newline="") as handle:
        practices = {row["Area Code"] for row in csv.DictReader(handle)
                     if row["Time period"] == "2023/24" and row["Area Type"] in ("GPs", "GP")}
    missing = practices - in_ods
    table = commissioners.practice_commissioners(ods, real_data_path("ccg_to_icb_lookup.csv"))
    found = table[table["practice_code"].isin(practices)]
    assert len(practices) - len(found) == len(missing)
    assert found["icb_name"].notna().all()  # every 2019 commissioner of these practices maps to an ICB
