"""Bad area-profile inputs (:mod:`ccgtools.areas.load`): each a DataError naming the file, row, column and problem."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ccgtools.areas import load
from ccgtools.errors import DataError

ICBS = "icb_code,icb_name,region\nQ1,NHS One ICB,North West\nQ2,NHS Two ICB,London\n"
PRACTICES = ("practice_code,period,icb_code,list_size,pct_under_15,pct_65_plus,imd_score,rurality\n"
             "S1,2022/23,Q1,5000,17.0,18.0,20.5,Urban\nS1,2023/24,Q1,5100,17.0,18.2,20.5,Urban\n")
INDICATORS = ("practice_code,period,indicator,numerator,denominator\n"
              "S1,2022/23,smoking,600,4000\nS1,2023/24,smoking,580,4100\n")
HEADER = {"icbs": ICBS.splitlines()[0], "practices": PRACTICES.splitlines()[0], "indicators": INDICATORS.splitlines()[0]}
LOADERS = {"icbs": load.load_icbs, "practices": load.load_area_practices, "indicators": load.load_area_indicators}
VALID = {"icbs": ICBS, "practices": PRACTICES, "indicators": INDICATORS}


@dataclass(frozen=True)
class Case:
    loader: str
    content: object
    row: int | None
    column: str | None
    wording: str


def shape_cases():
    cases = []
    for name, text in VALID.items():
        first = HEADER[name].split(",")[0]
        cases += [
            (f"{name}-not-found", Case(name, None, None, None, "file not found")),
            (f"{name}-empty", Case(name, "", None, None, "the file is empty")),
            (f"{name}-binary", Case(name, b"\x00\x01binary", 1, None, "binary content, not a text CSV file")),
            (f"{name}-workbook", Case(name, b"PK\x03\x04workbook", 1, None, "an Excel workbook, not a CSV file")),
            (f"{name}-header-only", Case(name, HEADER[name] + "\n", None, None, "the file has a header but no data rows")),
            (f"{name}-missing-column", Case(name, "".join(line.split(",", 1)[1] + "\n" for line in text.splitlines()),
                                            1, first, f"missing required column(s) '{first}'")),
            (f"{name}-semicolons", Case(name, text.replace(",", ";"), 1, None, "separated by semicolons")),
        ]
    return cases


VALUE_CASES = [
    ("icbs-repeated", Case("icbs", ICBS + "Q1,NHS Again ICB,London\n", 4, "icb_code", "repeated identifier")),
    ("icbs-no-region", Case("icbs", "icb_code,icb_name,region\nQ1,NHS One ICB,\n", 2, "region",
                            "a required value is missing")),
    ("practices-repeated-year", Case("practices", PRACTICES + "S1,2023/24,Q2,10,1,1,1,Urban\n", 4, "period",
                                     "repeated practice and period")),
    ("practices-list-text", Case("practices", PRACTICES.replace("5100", "many"), 3, "list_size", "not a number")),
    ("practices-list-zero", Case("practices", PRACTICES.replace("5100", "0"), 3, "list_size",
                                 "a practice with no registered patients")),
    ("practices-percent-above-100", Case("practices", PRACTICES.replace("18.2", "118.2"), 3, "pct_65_plus",
                                         "a percentage above 100")),
    ("practices-imd-negative", Case("practices", PRACTICES.replace("20.5,Urban\nS1", "-3,Urban\nS1"), 2, "imd_score",
                                    "negative value")),
    ("practices-rurality", Case("practices", PRACTICES.replace("Urban\nS1", "Town\nS1"), 2, "rurality",
                                "unknown value")),
    ("practices-no-icb", Case("practices", PRACTICES.replace("2023/24,Q1", "2023/24,"), 3, "icb_code",
                              "a required value is missing")),
    ("indicators-above-denominator", Case("indicators", INDICATORS.replace("580,4100", "5800,4100"), 3, "numerator",
                                          "numerator above its denominator")),
    ("indicators-fraction", Case("indicators", INDICATORS.replace("580,", "580.5,"), 3, "numerator",
                                 "fractional count")),
    ("indicators-negative", Case("indicators", INDICATORS.replace("4000", "-4000"), 2, "denominator",
                                 "negative count")),
    ("indicators-repeated", Case("indicators", INDICATORS + "S1,2023/24,smoking,1,2\n", 4, "indicator",
                                 "repeated practice, period and indicator")),
    ("indicators-no-indicator", Case("indicators", INDICATORS.replace("2023/24,smoking", "2023/24,"), 3, "indicator",
                                     "a required value is missing")),
]


def _write(tmp_path, case: Case):
    path = tmp_path / f"{case.loader}.csv"
    if case.content is not None:
        path.write_bytes(case.content if isinstance(case.content, bytes) else case.content.encode("utf-8"))
    return path


@pytest.mark.parametrize("name,case", shape_cases() + VALUE_CASES, ids=[n for n, _ in shape_cases() + VALUE_CASES])
def test_bad_area_file_names_file_row_column_and_problem(tmp_path, name, case):
    path = _write(tmp_path, case)
    with pytest.raises(DataError) as info:
        LOADERS[case.loader](path)
    error = info.value
    assert case.wording in str(error)
    assert error.path is not None and path.name in str(error)
    assert error.row == case.row
    assert error.column == case.column


def test_a_suppressed_count_is_missing_not_zero(tmp_path):
    path = tmp_path / "indicators.csv"
    path.write_text(INDICATORS.replace("580,4100", "*,4100"), encoding="utf-8")
    counts = load.load_area_indicators(path)
    assert counts["numerator"].isna().tolist() == [False, True]


@pytest.mark.parametrize("practices,indicators,row,column,wording", [
    (PRACTICES.replace("2023/24,Q1", "2023/24,Q9"), INDICATORS, 3, "icb_code", "an ICB not in the ICB file"),
    (PRACTICES, INDICATORS + "S7,2023/24,smoking,1,10\n", 4, "practice_code", "a practice and period not in the"),
    (PRACTICES.splitlines()[0] + "\n" + PRACTICES.splitlines()[1] + "\n",
     INDICATORS.splitlines()[0] + "\n" + INDICATORS.splitlines()[1] + "\n", None, "period", "only one period"),
])
def test_files_that_disagree_are_refused_by_name(tmp_path, practices, indicators, row, column, wording):
    (tmp_path / "i.csv").write_text(ICBS, encoding="utf-8")
    (tmp_path / "p.csv").write_text(practices, encoding="utf-8")
    (tmp_path / "c.csv").write_text(indicators, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load.load_area_data(tmp_path / "i.csv", tmp_path / "p.csv", tmp_path / "c.csv")
    assert wording in str(info.value) and info.value.row == row and info.value.column == column


def test_an_indicator_without_a_definition_is_refused_naming_it(tmp_path):
    from ccgtools.areas.indicators import definitions_for

    with pytest.raises(DataError, match="indicator\\(s\\) without a definition: obesity"):
        definitions_for(["smoking", "obesity"], path=tmp_path / "c.csv")


REAL_FINGERTIPS = ("Indicator ID,Area Code,Area Type,Time period,Value,Count,Denominator\n"
                   "91547,A1,GPs,2022/23,10,10,100\n91547,A1,GPs,2023/24,11,11,100\n")


@pytest.mark.parametrize("text,row,column,wording", [
    (REAL_FINGERTIPS.replace("2023/24,11,11", "2023/24,11,111"), 3, "Count", "Count above its Denominator"),
    (REAL_FINGERTIPS.replace("GPs", "ICBs"), None, "Area Type", "no rows for GP practices"),
    (REAL_FINGERTIPS.replace("2023/24", "2021/22"), None, "Time period", "no GP rows for period '2023/24'"),
    (REAL_FINGERTIPS + "91547,A1,GPs,2023/24,12,12,100\n", 4, "Area Code", "a practice appears twice in one period"),
    (REAL_FINGERTIPS.replace(",10,100", ",ten,100"), 2, "Count", "not a number"),
])
def test_bad_real_fingertips_file_is_refused_by_name(tmp_path, text, row, column, wording):
    from ccgtools.areas.real import load_fingertips_counts

    path = tmp_path / "fingertips.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_fingertips_counts(path, ("2022/23", "2023/24"))
    assert wording in str(info.value) and info.value.row == row and info.value.column == column


@pytest.mark.parametrize("text,row,column,wording", [
    ("CCG Code,ICB Code,ICB NAME\n00K,QHM,NHS North\n00K,QHM,NHS North\n", 3, "CCG Code", "a CCG appears twice"),
    ("CCG Code,ICB Code,ICB NAME\n00K,,NHS North\n", 2, "ICB Code", "a required value is missing"),
    ("CCG Code,ICB NAME\n00K,NHS North\n", 1, "ICB Code", "missing required column(s) 'ICB Code'"),
])
def test_bad_icb_lookup_is_refused_by_name(tmp_path, text, row, column, wording):
    from ccgtools.areas.real import load_icb_lookup

    path = tmp_path / "lookup.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_icb_lookup(path)
    assert wording in str(info.value) and info.value.row == row and info.value.column == column


def test_a_real_mode_without_its_files_is_refused_naming_the_parameter():
    from ccgtools.areas.profile import prepare_and_analyse
    from ccgtools.errors import ParameterError

    with pytest.raises(ParameterError, match="parameter fingertips_path = None: mode 'fingertips' needs it"):
        prepare_and_analyse("QOP", mode="fingertips")
