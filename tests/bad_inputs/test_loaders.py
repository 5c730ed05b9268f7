"""Bad input files for every loader: each raises DataError naming the user's file, row and column, with its wording.

Two tables. ``SHAPE_CASES``: the same seven file-level faults (not found, empty, binary, an Excel
workbook, a header without rows, a missing column, a malformed row) for every loader, built from one
small valid file per loader. ``CELL_CASES``: a bad cell (or row) in a file of each layout. Every case
states the row (the header is row 1) and column expected, worked out by hand from the file written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from ccgtools import config
from ccgtools.errors import DataError
from ccgtools.nhs111 import load as nhs111
from ccgtools.practices import commissioners
from ccgtools.practices import load as practices
from ccgtools.survey import load as survey
from ccgtools.survey.synthetic import make_synthetic_survey
from tests.nhs111.small_activity import CONTRACTS

EPRACCUR_ROW = ('"A{n}","PRACTICE {n}","Y63","Q74","ADDRESS","STREET","TOWN","COUNTY","","TS1 1AA","19740401","",'
                '"A","B","00K","20130401","","01642 000000","","","","0","","00K","","4",""')


def epraccur_rows(*numbers: int) -> str:
    return "".join(EPRACCUR_ROW.format(n=n) + "\n" for n in numbers)


def survey_text() -> str:
    return make_synthetic_survey().head(3).to_csv(index=False)


QOF_LONG = "PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\n"
QOF_BY_MEASURE = "PRACTICE_CODE,INDICATOR_CODE,NUMERATOR,DENOMINATOR,PCAS\n"

#: loader name → (function of a path, a small valid file, its first required column)
LOADERS = {
    "survey": (survey.load_survey, survey_text, "respondent_id"),
    "nhs111_mds": (lambda p: nhs111.load_activity(p, contracts=CONTRACTS),
                   lambda: "date,contract_code,calls_received,calls_answered\n2013-04-01,A,10,9\n2013-04-01,B,20,18\n",
                   "date"),
    "iucadc_weekly": (lambda p: nhs111.load_activity(p, layout="iucadc", contracts=CONTRACTS),
                      lambda: "week_ending,contract_code,calls_received,calls_answered\n2026-01-04,A,10,9\n", "week_ending"),
    "iucadc_daily": (lambda p: nhs111.load_activity(p, layout="iucadc_daily", contracts=CONTRACTS),
                     lambda: "date,week_ending,contract_code,calls_received,calls_answered\n2026-01-01,2026-01-04,A,10,9\n",
                     "date"),
    "contracts": (nhs111.load_contracts, lambda: "contract_code,contract_name,region\nA,Alpha,North\n", "contract_code"),
    "quinary": (practices.load_quinary, lambda: "CODE,SEX,AGE_GROUP_5,NUMBER_OF_PATIENTS\nA1,MALE,0_4,10\n", "CODE"),
    "practices": (practices.load_practices,
                  lambda: "practice_code,ccg_code,region,imd_score,rurality\nA1,00K,North,20.5,Urban\n", "practice_code"),
    "events": (practices.load_events, lambda: "practice_code,indicator,events\nA1,x,3\n", "practice_code"),
    "reference_rates": (practices.load_reference_rates, lambda: "indicator,sex,age_group,rate\nx,MALE,0_4,0.1\n",
                        "indicator"),
    "ground_truth": (lambda p: practices.load_ground_truth(p, "x"),
                     lambda: "practice_code,indicator,planted_outlier\nA1,x,True\n", "practice_code"),
    "fingertips": (practices.load_fingertips,
                   lambda: ("Indicator ID,Area Code,Area Name,Area Type,Time period,Value,Count,Denominator\n"
                            "1,A1,One,GPs,2023/24,10,1,10\n"), "Indicator ID"),
    "heec": (practices.load_heec, lambda: '"Practice.Code","prop65","IMD","Practice.Rurality"\n"A1",20,30,"Urban"\n',
             "Practice.Code"),
    "list_sizes": (practices.load_list_sizes, lambda: "CODE,CCG_CODE,SEX,AGE,NUMBER_OF_PATIENTS\nA1,00K,ALL,ALL,100\n",
                   "CODE"),
    "icb_lookup": (commissioners.load_icb_lookup, lambda: "CCG Code,ICB Code,ICB NAME\n00K,QHM,NHS North\n", "CCG Code"),
    "epraccur": (practices.load_epraccur, lambda: epraccur_rows(1, 2), None),
    "qof": (lambda p: practices.load_qof_prevalence(p, "DM"),
            lambda: "PRACTICE_CODE,GROUP_CODE,REGISTER,PRACTICE_LIST_SIZE\nA1,DM,7,100\n", "PRACTICE_CODE"),
    "qof_achievement": (lambda p: practices.load_qof_achievement(p, "DM012"),
                        lambda: QOF_LONG + "A1,DM012,NUMERATOR,7\nA1,DM012,DENOMINATOR,10\nA1,DM012,PCAS,1\n",
                        "PRACTICE_CODE"),
}


def without_first_column(text: str) -> str:
    """The file with its first field removed from every line (a missing column; for ODS, one field fewer)."""
    return "".join(line.split(",", 1)[1] + "\n" for line in text.splitlines())


def with_a_long_row(text: str) -> tuple[str, int]:
    """The file with a third line that has one field more than the first: (text, that line's number)."""
    lines = text.splitlines()
    return "\n".join([lines[0], lines[1], lines[1] + ",extra", *lines[2:]]) + "\n", 3


@dataclass(frozen=True)
class Case:
    loader: str
    content: object  # text or bytes; None: the file does not exist
    row: int | None
    column: str | None
    wording: str


def shape_cases() -> list[tuple[str, Case]]:
    cases = []
    for name, (_, valid, first) in LOADERS.items():
        text = valid()
        long_text, long_row = with_a_long_row(text)
        header_only = (text.splitlines()[0] + "\n") if first else None
        cases += [
            (f"{name}-not-found", Case(name, None, None, None, "file not found")),
            (f"{name}-empty", Case(name, "", None, None, "the file is empty")),
            (f"{name}-blank-lines-and-bom", Case(name, b"\xef\xbb\xbf\r\n \r\n", None, None, "the file is empty")),
            (f"{name}-binary", Case(name, b"\x00\x01\x02binary\xff", 1, None, "binary content, not a text CSV file")),
            (f"{name}-workbook", Case(name, b"PK\x03\x04\x14\x00workbook", 1, None, "an Excel workbook, not a CSV file")),
            (f"{name}-malformed", Case(name, long_text, long_row, None, "malformed CSV: a row has more fields than the")),
        ]
        lines = text.splitlines()
        cases.append((f"{name}-open-quote", Case(name, "\n".join([lines[0], lines[-1], '"never closed,x'])
                                                 + "\n", 3, None, "malformed CSV: a quoted cell is never closed")))
        if first:
            columns = lines[0].split(",")
            cases += [
                (f"{name}-repeated-column", Case(name, "\n".join([lines[0] + "," + columns[-1], *(
                    line + ",x" for line in lines[1:])]) + "\n", 1, columns[-1].strip('"'),
                    "a column name appears twice in the header")),
                (f"{name}-semicolons", Case(name, "\n".join(line.replace(",", ";") for line in lines) + "\n", 1,
                                            None, "the columns are separated by semicolons, not commas")),
            ]
            cases += [
                (f"{name}-header-only", Case(name, header_only, None, None, "the file has a header but no data rows")),
                (f"{name}-missing-column", Case(name, without_first_column(text), 1, first,
                                                f"missing required column(s) '{first}'")),
            ]
        else:
            cases += [
                (f"{name}-header-row", Case(name, ",".join(practices.EPRACCUR_COLUMNS) + "\n" + text, 1, None,
                                            "the file has a header row")),
                (f"{name}-missing-column", Case(name, without_first_column(text), 1, None, "26 columns")),
            ]
    return cases


def survey_with(**changes) -> str:
    """The synthetic survey's first three rows with cells changed: {column: (row index, value)}."""
    frame = make_synthetic_survey().head(3).astype(object)
    for column, (index, value) in changes.items():
        frame.loc[index, column] = value
    return frame.to_csv(index=False)


MDS = "date,contract_code,calls_received,calls_answered,calls_answered_60s,callbacks_needed,callbacks_10min\n"
CELL_CASES = [
    ("survey-unknown-cluster", Case("survey", lambda: survey_with(cluster=(1, "Wales")), 3, "cluster",
                                    "unknown value; found 'Wales'; expected one of 'London'")),
    ("survey-repeated-id", Case("survey", lambda: survey_with(respondent_id=(2, make_synthetic_survey().loc[0,
                                "respondent_id"])), 4, "respondent_id", "repeated identifier (first seen on row 2)")),
    ("survey-population-text", Case("survey", lambda: survey_with(registered_population=(0, "lots")), 2,
                                    "registered_population", "not a number; found 'lots'")),
    ("survey-population-negative", Case("survey", lambda: survey_with(registered_population=(1, "-5")), 3,
                                        "registered_population", "negative count")),
    ("survey-likert-label", Case("survey", lambda: survey_with(q_programme_satisfaction=(0, "Quite happy")), 2,
                                 "q_programme_satisfaction", "unknown value; found 'Quite happy'")),
    ("survey-suppressed-cluster", Case("survey", lambda: survey_with(cluster=(0, "*")), 2, "cluster",
                                       "a suppressed cell cannot be used here")),
    ("survey-missing-cluster", Case("survey", lambda: survey_with(cluster=(2, "")), 4, "cluster",
                                    "a required value is missing")),
    ("mds-not-a-date", Case("nhs111_mds", MDS + "2013-04-01,A,10,9,8,2,1\n01/04/2013,B,10,9,8,2,1\n", 3, "date",
                            "not a date; found '01/04/2013'; expected a date written YYYY-MM-DD")),
    ("mds-impossible-date", Case("nhs111_mds", MDS + "2013-02-30,A,10,9,8,2,1\n", 2, "date", "not a date; found "
                                 "'2013-02-30'")),
    ("mds-date-2099", Case("nhs111_mds", MDS + "2013-04-01,A,10,9,8,2,1\n2099-04-01,A,10,9,8,2,1\n", 3, "date",
                           "date outside the plausible range; found '2099-04-01'")),
    ("mds-date-1900", Case("nhs111_mds", MDS + "1900-04-01,A,10,9,8,2,1\n", 2, "date",
                           "date outside the plausible range; found '1900-04-01'; expected a date from 1948-07-05")),
    ("mds-missing-date", Case("nhs111_mds", MDS + "2013-04-01,A,10,9,8,2,1\n,B,10,9,8,2,1\n", 3, "date",
                              "a required date is missing")),
    ("mds-negative", Case("nhs111_mds", MDS + "2013-04-01,A,-10,9,8,2,1\n", 2, "calls_received", "negative count")),
    ("mds-fraction", Case("nhs111_mds", MDS + "2013-04-01,A,10,9.5,8,2,1\n", 2, "calls_answered", "fractional count")),
    ("mds-suppressed", Case("nhs111_mds", MDS + "2013-04-01,A,10,*,8,2,1\n", 2, "calls_answered", "suppressed count")),
    ("mds-text-count", Case("nhs111_mds", MDS + "2013-04-01,A,10,nine,8,2,1\n", 2, "calls_answered",
                            "not a number; found 'nine'")),
    ("mds-partly-blank-measure", Case("nhs111_mds", MDS + "2013-04-01,A,10,9,8,2,1\n2013-04-01,B,10,9,,2,1\n", 3,
                                      "calls_answered_60s", "a required count is missing")),
    ("mds-answered-above-received", Case("nhs111_mds", MDS + "2013-04-01,A,10,11,8,2,1\n", 2, "calls_answered",
                                         "calls_answered (11) above calls_received (10)")),
    ("mds-60s-above-answered", Case("nhs111_mds", MDS + "2013-04-01,A,10,9,10,2,1\n", 2, "calls_answered_60s",
                                    "calls_answered_60s (10) above calls_answered (9)")),
    ("mds-callbacks-nested", Case("nhs111_mds", MDS + "2013-04-01,A,10,9,8,2,3\n", 2, "callbacks_10min",
                                  "callbacks_10min (3) above callbacks_needed (2)")),
    ("mds-repeated-period", Case("nhs111_mds", MDS + "2013-04-01,A,10,9,8,2,1\n2013-04-01,A,10,9,8,2,1\n", 3,
                                 "contract_code", "repeated contract and period (2013-04-01)")),
    ("mds-unknown-contract", Case("nhs111_mds", MDS + "2013-04-01,Z,10,9,8,2,1\n", 2, "contract_code",
                                  "unknown contract code; found 'Z'")),
    ("weekly-bad-week", Case("iucadc_weekly", "week_ending,contract_code,calls_received,calls_answered\n"
                             "2026-13-04,A,10,9\n", 2, "week_ending", "not a date; found '2026-13-04'")),
    ("weekly-2099", Case("iucadc_weekly", "week_ending,contract_code,calls_received,calls_answered\n"
                         "2099-01-04,A,10,9\n", 2, "week_ending", "date outside the plausible range")),
    ("daily-week-mismatch", Case("iucadc_daily", "date,week_ending,contract_code,calls_received,calls_answered\n"
                                 "2026-01-01,2026-01-04,A,10,9\n2026-01-05,2026-01-04,A,10,9\n", 3, "week_ending",
                                 "the week ending is not the end of the week holding the date")),
    ("daily-alias-contract-unknown", Case("iucadc_daily", "date,week_ending,contract,calls_received,calls_answered\n"
                                          "2026-01-01,2026-01-04,Q,10,9\n", 2, "contract",
                                          "unknown contract code; found 'Q'")),
    ("contracts-repeated", Case("contracts", "contract_code,contract_name,region\nA,Alpha,North\nA,Again,South\n", 3,
                                "contract_code", "repeated identifier (first seen on row 2); found 'A'")),
    ("contracts-no-region", Case("contracts", "contract_code,contract_name,area\nA,Alpha,North\n", 1, "region",
                                 "missing required column(s) 'region'")),
    ("contracts-population", Case("contracts", "contract_code,contract_name,region,population\nA,Alpha,North,1.5\n",
                                  2, "population", "fractional count")),
    ("quinary-sex", Case("quinary", "CODE,SEX,AGE_GROUP_5,NUMBER_OF_PATIENTS\nA1,MALE,0_4,10\nA1,M,5_9,3\n", 3, "SEX",
                         "unknown value; found 'M'")),
    ("quinary-age", Case("quinary", "CODE,SEX,AGE_GROUP_5,NUMBER_OF_PATIENTS\nA1,MALE,0-4,10\n", 2, "AGE_GROUP_5",
                         "unknown value; found '0-4'")),
    ("quinary-twice", Case("quinary", "CODE,SEX,AGE_GROUP_5,NUMBER_OF_PATIENTS\nA1,MALE,0_4,10\nA1,MALE,0_4,11\n", 3,
                           "CODE", "practice, sex and age group given twice")),
    ("quinary-suppressed", Case("quinary", "CODE,SEX,AGE_GROUP_5,NUMBER_OF_PATIENTS\nA1,MALE,0_4,*\n", 2,
                                "NUMBER_OF_PATIENTS", "suppressed count")),
    ("practices-rurality", Case("practices", "practice_code,ccg_code,region,imd_score,rurality\n"
                                "A1,00K,North,20,Town\n", 2, "rurality", "unknown value; found 'Town'")),
    ("practices-imd", Case("practices", "practice_code,ccg_code,region,imd_score,rurality\nA1,00K,North,high,Urban\n",
                           2, "imd_score", "not a number; found 'high'")),
    ("practices-repeated", Case("practices", "practice_code,ccg_code,region,imd_score,rurality\n"
                                "A1,00K,North,20,Urban\nA1,00K,North,21,Urban\n", 3, "practice_code",
                                "repeated identifier")),
    ("events-twice", Case("events", "practice_code,indicator,events\nA1,x,3\nA1,x,4\n", 3, "practice_code",
                          "practice and indicator given twice")),
    ("events-negative", Case("events", "practice_code,indicator,events\nA1,x,3\nB1,x,-4\n", 3, "events",
                             "negative count")),
    ("rates-sex", Case("reference_rates", "indicator,sex,age_group,rate\nx,MALE,0_4,0.1\nx,ALL,0_4,0.1\n", 3, "sex",
                       "unknown value; found 'ALL'")),
    ("rates-twice", Case("reference_rates", "indicator,sex,age_group,rate\nx,MALE,0_4,0.1\nx,MALE,0_4,0.2\n", 3,
                         "indicator", "indicator, sex and age group given twice")),
    ("rates-negative", Case("reference_rates", "indicator,sex,age_group,rate\nx,MALE,0_4,-0.1\n", 2, "rate",
                            "negative value")),
    ("truth-flag", Case("ground_truth", "practice_code,indicator,planted_outlier\nA1,x,yes\n", 2, "planted_outlier",
                        "unknown value; found 'yes'; expected one of 'True', 'False'")),
    ("truth-twice", Case("ground_truth", "practice_code,indicator,planted_outlier\nA1,x,True\nA1,x,False\n", 3,
                         "practice_code", "repeated identifier")),
    ("fingertips-no-gp-rows", Case("fingertips", "Indicator ID,Area Code,Area Name,Area Type,Time period,Value,Count,"
                                   "Denominator\n1,E92000001,England,England,2023/24,10,1,10\n", None, "Area Type",
                                   "no rows for area type GPs or GP; expected rows for GP practices; the file has "
                                   "area types 'England'")),
    ("fingertips-periods", Case("fingertips", "Indicator ID,Area Code,Area Name,Area Type,Time period,Value,Count,"
                                "Denominator\n1,A1,One,GPs,2022/23,10,1,10\n1,A1,One,GPs,2023/24,10,1,10\n", None,
                                "Time period", "the file holds 2 periods (2022/23, 2023/24); choose one")),
    ("fingertips-value", Case("fingertips", "Indicator ID,Area Code,Area Name,Area Type,Time period,Value,Count,"
                              "Denominator\n1,A1,One,GPs,2023/24,ten,1,10\n", 2, "Value", "not a number; found 'ten'")),
    ("fingertips-repeated-area", Case("fingertips", "Indicator ID,Area Code,Area Name,Area Type,Time period,Value,"
                                      "Count,Denominator\n1,A1,One,GPs,2023/24,10,1,10\n1,A1,One,GP,2023/24,10,1,10\n",
                                      3, "Area Code", "repeated identifier")),
    ("heec-rurality", Case("heec", '"Practice.Code","prop65","IMD","Practice.Rurality"\n"A1",20,30,"Town"\n', 2,
                           "Practice.Rurality", "unknown value; found 'Town'")),
    ("heec-prop65", Case("heec", '"Practice.Code","prop65","IMD","Practice.Rurality"\n"A1",NA,30,"Urban"\n', 2,
                         "prop65", "not a number; found 'NA'")),
    ("list-sizes-repeated", Case("list_sizes", "CODE,CCG_CODE,SEX,AGE,NUMBER_OF_PATIENTS\nA1,00K,ALL,ALL,100\n"
                                 "A1,00K,ALL,ALL,200\n", 3, "CODE", "repeated identifier")),
    ("list-sizes-count", Case("list_sizes", "CODE,CCG_CODE,SEX,AGE,NUMBER_OF_PATIENTS\nA1,00K,ALL,ALL,1e9x\n", 2,
                              "NUMBER_OF_PATIENTS", "not a number")),
    ("icb-repeated", Case("icb_lookup", "CCG Code,ICB Code,ICB NAME\n00K,QHM,North\n00K,QHN,Other\n", 3, "CCG Code",
                          "repeated identifier")),
    ("epraccur-repeated", Case("epraccur", epraccur_rows(1, 1), 3, "organisation_code", "repeated identifier")),
    ("qof-register-text", Case("qof", "PRACTICE_CODE,GROUP_CODE,REGISTER,PRACTICE_LIST_SIZE\nA1,DM,seven,100\n", 2,
                               "REGISTER", "not a number; found 'seven'")),
    ("qof-register-negative", Case("qof", "PRACTICE_CODE,GROUP_CODE,REGISTER,PRACTICE_LIST_SIZE\nA1,DM,-7,100\n",
                                   2, "REGISTER", "negative count")),
    ("qof-no-list-size", Case("qof", "PRACTICE_CODE,GROUP_CODE,REGISTER\nA1,DM,7\n", 1, "PRACTICE_LIST_SIZE",
                              "missing required column(s) 'PRACTICE_LIST_SIZE'")),
    ("qof-repeated-practice", Case("qof", "PRACTICE_CODE,GROUP_CODE,REGISTER,PRACTICE_LIST_SIZE\nA1,DM,7,100\n"
                                   "A1,DM,8,100\n", 3, "PRACTICE_CODE", "repeated identifier")),
    ("qof-wide-no-group", Case("qof", "PRACTICE_CODE,REGISTER_HYP,PRACTICE_LIST_SIZE_HYP\nA1,7,100\n", 1,
                               "REGISTER_DM", "no columns REGISTER_DM and PRACTICE_LIST_SIZE_DM; expected a QOF group "
                               "of the file: 'HYP'")),
    ("qof-wide-fraction", Case("qof", "PRACTICE_CODE,REGISTER_DM,PRACTICE_LIST_SIZE_DM\nA1,7.5,100\n", 2,
                               "REGISTER_DM", "fractional count")),
    ("achievement-numerator-text", Case("qof_achievement", QOF_LONG + "A1,DM012,DENOMINATOR,10\n"
                                        "A1,DM012,NUMERATOR,seven\n", 3, "VALUE", "not a number; found 'seven'")),
    ("achievement-pcas-negative", Case("qof_achievement", QOF_LONG + "A1,DM012,NUMERATOR,7\nA1,DM012,DENOMINATOR,10\n"
                                       "A1,DM012,PCAS,-1\n", 4, "VALUE", "negative count")),
    ("achievement-denominator-fraction", Case("qof_achievement", QOF_LONG + "A1,DM012,NUMERATOR,7\n"
                                              "A1,DM012,DENOMINATOR,10.5\n", 3, "VALUE", "fractional count")),
    ("achievement-numerator-above", Case("qof_achievement", QOF_LONG + "A1,DM012,DENOMINATOR,10\nB1,DM012,DENOMINATOR,5\n"
                                         "A1,DM012,NUMERATOR,7\nB1,DM012,NUMERATOR,6\n", 5, "VALUE",
                                         "numerator (6) above the denominator (5)")),
    ("achievement-measure-twice", Case("qof_achievement", QOF_LONG + "A1,DM012,NUMERATOR,7\nA1,DM012,DENOMINATOR,10\n"
                                       "A1,DM012,NUMERATOR,8\n", 4, "PRACTICE_CODE",
                                       "practice and measure given twice for the indicator (first seen on row 2)")),
    ("achievement-measure-missing", Case("qof_achievement", QOF_LONG + "A1,DM012,NUMERATOR,7\nA1,DM012,,10\n", 3,
                                         "MEASURE", "a required value is missing")),
    ("achievement-practice-missing", Case("qof_achievement", QOF_LONG + "A1,DM012,NUMERATOR,7\n,DM012,DENOMINATOR,10\n",
                                          3, "PRACTICE_CODE", "a required value is missing")),
    ("achievement-no-value-column", Case("qof_achievement", "PRACTICE_CODE,INDICATOR_CODE,MEASURE\nA1,DM012,NUMERATOR\n",
                                         1, "VALUE", "missing required column(s) 'VALUE'")),
    ("achievement-unknown-indicator", Case("qof_achievement", QOF_LONG + "A1,AF006,NUMERATOR,7\n", None,
                                           "INDICATOR_CODE", "no rows for QOF indicator 'DM012'; found 'DM012'; "
                                           "expected one of 'AF006'")),
    ("achievement-register-only", Case("qof_achievement", QOF_LONG + "A1,DM012,REGISTER,70\n", None, "MEASURE",
                                       "no NUMERATOR rows for QOF indicator 'DM012'")),
    ("achievement-by-measure-twice", Case("qof_achievement", QOF_BY_MEASURE + "A1,DM012,7,10,1\nA1,DM012,8,10,1\n",
                                          3, "PRACTICE_CODE", "repeated identifier (first seen on row 2)")),
    ("achievement-by-measure-above", Case("qof_achievement", QOF_BY_MEASURE + "A1,DM012,11,10,1\n", 2, "NUMERATOR",
                                          "numerator (11) above the denominator (10)")),
    ("achievement-by-measure-text", Case("qof_achievement", QOF_BY_MEASURE + "A1,DM012,7,10,none\n", 2, "PCAS",
                                         "not a number; found 'none'")),
    ("achievement-wide-no-indicator", Case("qof_achievement", "PRACTICE_CODE,NUMERATOR_AF006,DENOMINATOR_AF006\nA1,7,10\n",
                                           1, "NUMERATOR_DM012", "no columns NUMERATOR_DM012 and DENOMINATOR_DM012; "
                                           "expected a QOF indicator of the file: 'AF006'")),
    ("achievement-wide-fraction", Case("qof_achievement", "PRACTICE_CODE,NUMERATOR_DM012,DENOMINATOR_DM012\nA1,7,10.5\n",
                                       2, "DENOMINATOR_DM012", "fractional count")),
]


def expected_path(tmp_path, name):
    return str(tmp_path / name)


@pytest.mark.parametrize("case", [c for _, c in shape_cases()] + [c for _, c in CELL_CASES],
                         ids=[i for i, _ in shape_cases()] + [i for i, _ in CELL_CASES])
def test_bad_file_names_file_row_column_and_problem(tmp_path, case):
    loader = LOADERS[case.loader][0]
    path = tmp_path / "my file.csv"
    content = case.content() if callable(case.content) else case.content
    if content is not None:
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    with pytest.raises(DataError) as caught:
        loader(path)
    error = caught.value
    assert error.path == str(path), f"named {error.path}"
    assert (error.row, error.column) == (case.row, case.column), str(error)
    assert case.wording in str(error), str(error)
    assert str(error).startswith(f"file {config.shown_path(path)}")  # as written from the project root, and where


def test_the_unknown_contract_names_the_lookup_it_was_looked_up_in(tmp_path):
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("contract_code,contract_name,region\nA,Alpha,North\n", encoding="utf-8")
    activity = tmp_path / "activity.csv"
    activity.write_text("date,contract_code,calls_received,calls_answered\n2013-04-01,B,10,9\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        nhs111.load_activity(activity, contracts_path=lookup)
    assert re.search(rf"expected a code in the contract lookup {re.escape(config.shown_path(lookup))} \(set contracts_path",
                     str(caught.value))


def test_windows_1252_ods_file_is_read(tmp_path):
    path = tmp_path / "epraccur.csv"
    path.write_bytes(epraccur_rows(1, 2).replace("PRACTICE 1", "PRACTICE CAFÉ").encode("cp1252"))
    assert practices.load_epraccur(path)["name"].tolist() == ["PRACTICE CAFÉ", "PRACTICE 2"]


def test_the_suite_has_at_least_100_file_cases():
    assert len(shape_cases()) + len(CELL_CASES) >= 100


@pytest.mark.parametrize("text, column, wording", [
    ("[answered_60s\nname = 'x'\n", None, "not valid TOML"),
    ("[answered_60s]\nname = 'x'\ndirection = 'up'\n", "answered_60s", "direction must be 'higher' or 'lower'"),
    ("[answered_60s]\nname = 'x'\ndirection = 'higher'\n", "answered_60s",
     "KPI [answered_60s]: missing field(s) denominator, numerator, source, standard_text, why"),
    (("[a]\nname = 'x'\nnumerator = 'n'\ndenominator = 'd'\ndirection = 'higher'\nstandard_text = ''\nwhy = ''\n"
      "source = ''\ncolour = 'red'\n"), "a", "KPI [a]: unknown field(s) colour"),
])
def test_bad_kpi_definitions_name_the_file_and_kpi(tmp_path, text, column, wording):
    path = tmp_path / "indicators.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        nhs111.load_indicators(path)
    assert (caught.value.path, caught.value.column) == (str(path), column)
    assert wording in str(caught.value)
