"""ccgtools.survey.readers: CSV, Excel and SPSS files, and a codebook drafted from a .sav that round-trips."""

import pandas as pd
import pyreadstat
import pytest

from ccgtools import cli
from ccgtools.errors import DataError
from ccgtools.survey import analysis, codebook, load, readers
from ccgtools.survey.synthetic import make_synthetic_survey

LIKERT = ("Very dissatisfied", "Fairly dissatisfied", "Neither satisfied nor dissatisfied", "Fairly satisfied",
          "Very satisfied")


def _as_sav(frame: pd.DataFrame, path):
    """The 2012 survey as SPSS would export it: numeric codes with value labels and variable labels."""
    coded, value_labels = frame.copy(), {}
    for column in frame.columns:
        if column in ("respondent_id", "comment", "registered_population"):
            continue
        values = frame[column].dropna().unique()
        labels = list(LIKERT) if set(values) <= set(LIKERT) else sorted(values)
        codes = {label: i + 1 for i, label in enumerate(labels)}
        coded[column] = frame[column].map(codes).astype(float)
        value_labels[column] = {float(i + 1): label for i, label in enumerate(labels)}
    coded["comment"] = frame["comment"].fillna("")
    coded["registered_population"] = frame["registered_population"].astype(float)
    pyreadstat.write_sav(coded, str(path), column_labels={c: c.replace("_", " ").capitalize() for c in frame.columns},
                         variable_value_labels=value_labels)


def test_a_sav_with_value_labels_drafts_a_codebook_that_runs_the_analysis(tmp_path, capsys):
    frame = make_synthetic_survey()
    sav = tmp_path / "returns.sav"
    _as_sav(frame, sav)
    assert cli.main(["survey-codebook", str(sav), "--out", str(tmp_path / "returns.codebook.toml")]) == 0
    book = codebook.read_codebook(tmp_path / "returns.codebook.toml")
    kinds = {q.name: q.kind for q in book.questions}
    assert kinds["q_sufficient_information"] == "yes_no"
    assert kinds["q_programme_satisfaction"] == "likert" and kinds["provider_choice"] == "single_choice"
    assert book.scales["q_programme_satisfaction"].labels == LIKERT  # the file's order, not alphabetical
    assert book.id_column == "respondent_id" and book.data == sav.resolve()
    responses = load.load_survey(None, book)  # the file the codebook names
    summary = analysis.question_summary(responses).set_index("question")
    # The same answers as the CSV: 15 of 95 said yes; 76 of 92 were dissatisfied (the negative half of the scale).
    assert summary.loc["q_sufficient_information", ["numerator", "answered"]].tolist() == [15, 95]
    assert summary.loc["q_programme_satisfaction", ["numerator", "answered"]].tolist() == [76, 92]


def test_excel_and_csv_read_the_same(tmp_path, survey_frame):
    survey_frame.to_excel(tmp_path / "s.xlsx", index=False)
    survey_frame.to_csv(tmp_path / "s.csv", index=False)
    from_excel = load.load_survey(tmp_path / "s.xlsx")
    from_csv = load.load_survey(tmp_path / "s.csv")
    assert from_excel["q_programme_satisfaction"].equals(from_csv["q_programme_satisfaction"])
    assert (from_excel["registered_population"] == from_csv["registered_population"]).all()


def test_csv_drafts_from_distinct_values(tmp_path, survey_frame):
    survey_frame.to_csv(tmp_path / "s.csv", index=False)
    text = readers.draft_codebook(tmp_path / "s.csv")
    (tmp_path / "s.codebook.toml").write_text(text)
    book = codebook.read_codebook(tmp_path / "s.codebook.toml")
    assert book.question("cluster").kind == "single_choice"
    assert set(book.question("cluster").answers) == {"London", "North", "Midlands and East", "South"}
    assert book.question("comment").kind == "free_text"


def test_unknown_suffix_and_a_file_that_is_not_sav(tmp_path):
    (tmp_path / "s.dta").write_text("x")
    with pytest.raises(DataError, match="unknown kind of survey file"):
        readers.read_survey_file(tmp_path / "s.dta")
    (tmp_path / "s.sav").write_text("not spss")
    with pytest.raises(DataError, match="cannot be read as an SPSS file") as info:
        readers.read_survey_file(tmp_path / "s.sav")
    assert "s.sav" in str(info.value)
