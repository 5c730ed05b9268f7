"""``ccgtools check`` on survey files: each bundled codebook's file is recognised, loaded with that codebook,
and described with the notebook parameters that read it (codebook_path and data_path)."""

import pytest

from ccgtools import cli, layouts


def _check(capsys, *arguments):
    status = cli.main(["check", *map(str, arguments)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("data, kind, codebook, lines", [
    ("survey_commissioning_support_2012_synthetic.csv", "survey", "survey_commissioning_support_2012.codebook.toml",
     ["rows: 95", "units: 95 responding CCGs", "periods: one survey",
      "respondents by cluster: London 12, North 32, Midlands and East 31, South 20"]),
    ("survey_ccg_360_stakeholder_synthetic.csv", "survey_ccg_360_stakeholder", "survey_ccg_360_stakeholder.codebook.toml",
     ["responding stakeholders", "periods: 2 surveys: 2024, 2025", "respondents by stakeholder type: Member GP practice",
      "focus = ...  # one CCG to compare with all and its previous survey: abbeyvale_ccg, brackenford_ccg,"]),
])
def test_bundled_survey_files_are_recognised_with_their_codebook(capsys, data, kind, codebook, lines):
    status, out, err = _check(capsys, f"data/{data}")
    assert (status, err) == (0, "")
    assert f"(layout {kind})" in out and "problems: none" in out
    assert "Notebook parameters (notebooks/survey_commissioning_support.ipynb):" in out
    assert f'codebook_path = "data/{codebook}"' in out and f'data_path = "data/{data}"' in out
    for line in lines:
        assert line in out, line


def test_the_stakeholder_row_count_is_the_files(capsys):
    import pandas as pd

    rows = len(pd.read_csv("data/survey_ccg_360_stakeholder_synthetic.csv"))
    _, out, _ = _check(capsys, "data/survey_ccg_360_stakeholder_synthetic.csv")
    assert f"rows: {rows:,}" in out


def test_a_survey_file_with_a_bad_answer_is_a_problem_naming_row_and_column(capsys, write_csv, survey_frame):
    survey_frame.loc[4, "q_programme_satisfaction"] = "Quite happy"
    status, out, err = _check(capsys, write_csv(survey_frame, "survey.csv"))
    assert status == 1
    assert "q_programme_satisfaction" in out + err and "Quite happy" in out + err and "Traceback" not in out + err


def test_a_survey_missing_a_codebook_column_names_the_nearest_codebook(capsys, write_csv, survey_frame):
    status, out, err = _check(capsys, write_csv(survey_frame.drop(columns=["provider_choice"]), "survey.csv"))
    assert status == 2 and out == ""
    assert "nearest: Commissioning support in the January 2012 survey" in err and "'provider_choice'" in err


def test_every_bundled_codebook_is_a_layout():
    kinds = [layout.kind for layout in cli.layouts()]
    assert kinds[0] == "survey" and "survey_ccg_360_stakeholder" in kinds
    header = ["respondent_id", "year", "ccg", "stakeholder_type", "q_engagement"]
    _, nearest = layouts.recognise(header, cli.layouts())
    assert nearest.layout.kind == "survey_ccg_360_stakeholder"
