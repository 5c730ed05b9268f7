"""The CSV files and datapackage.json a briefing publishes: tidying, schema inference, the field dictionary."""

import json

import frictionless
import numpy as np
import pandas as pd
import pytest

from ccgtools.page import disclosure, downloads, show


def test_tidy_frame_rounds_float_noise_and_keeps_missing_values_blank():
    frame = pd.DataFrame({"percent": [19.770000000000003, 84.21052631578947, np.nan],
                          "p_value": [2.1094445143881566e-05, 0.0, 1.0],
                          "ratio": pd.array([0.30000000000000004, pd.NA, 1.0], dtype="Float64")})
    tidy = downloads.tidy_frame(frame, table="t")
    assert tidy.to_csv(index=False).splitlines() == ["percent,p_value,ratio", "19.77,2.109444514e-05,0.3",
                                                      "84.21052632,0.0,", ",1.0,1.0"]


def test_tidy_frame_stores_counts_declared_whole_as_integers_and_refuses_a_fraction():
    tidy = downloads.tidy_frame(pd.DataFrame({"list_size": [95926.0, np.nan], "observed": [824.0, 3.0]}), table="t")
    assert str(tidy["list_size"].dtype) == "Int64" and tidy.to_csv(index=False) == "list_size,observed\n95926,824\n,3\n"
    with pytest.raises(ValueError, match=r"table 'movers', column 'list_size'.*whole numbers.*1020.5"):
        downloads.tidy_frame(pd.DataFrame({"list_size": [1020.5]}), table="movers")


def test_tidy_frame_names_the_table_and_column_whose_header_is_not_snake_case():
    with pytest.raises(ValueError, match=r"table 'kpis': column 'Why it matters' .*'why_it_matters'"):
        downloads.tidy_frame(pd.DataFrame({"kpi": ["a"], "Why it matters": ["b"]}), table="kpis")


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1"])
def test_tidy_frame_neutralises_text_a_spreadsheet_would_run_as_a_formula(text):
    tidy = downloads.tidy_frame(pd.DataFrame({"contract_name": [text, "Ironhollow"]}), table="t")
    assert tidy["contract_name"].tolist() == [f"'{text}", "Ironhollow"]


def test_field_types_are_read_from_the_tidied_data():
    frame = pd.DataFrame({"contract_code": ["111C11", "111C12"], "calls": [10, 20], "percent": [1.5, 2.0],
                          "suppressed": [False, True], "agrees": [True, None], "period": ["2013-04-07", None],
                          "day": pd.to_datetime(["2013-04-07", "2013-04-08"]),
                          "rank_lower": pd.array([1, pd.NA], dtype="Int64")})
    tidy = downloads.tidy_frame(frame, table="t")
    types = {f["name"]: f["type"] for f in downloads.schema_fields(tidy)}
    assert types == {"contract_code": "string", "calls": "integer", "percent": "number", "suppressed": "boolean",
                     "agrees": "boolean", "period": "date", "day": "date", "rank_lower": "integer"}
    assert tidy["day"].tolist() == ["2013-04-07", "2013-04-08"]


def test_a_blanked_boolean_is_published_as_a_boolean():
    """Disclosure control turns a boolean column it blanks into whole numbers; the dictionary turns it back."""
    frame = pd.DataFrame({"agrees": pd.array([1, pd.NA], dtype="Int64"), "answered": [95, 3]})
    tidy = downloads.tidy_frame(frame, table="t")
    assert downloads.field_type(tidy["agrees"]) == "boolean"
    assert tidy.to_csv(index=False) == "agrees,answered\nTrue,95\n,3\n"


def test_readable_table_is_turned_back_into_data():
    readable = pd.DataFrame({"Step": ["Crude rate", "Adjusted"], "Flagged": ["4,956", "51"],
                             "Rate (%)": ["12.5", "*"], "Ran here": ["Yes", "No"], "Found by": ["–", "A check"]})
    data = downloads.readable_to_data(readable)
    assert list(data.columns) == ["step", "flagged", "rate_percent", "ran_here", "found_by"]
    assert data["flagged"].tolist() == [4956, 51] and str(data["flagged"].dtype) == "Int64"
    assert data["rate_percent"].iloc[0] == 12.5 and pd.isna(data["rate_percent"].iloc[1])
    assert data["ran_here"].tolist() == [True, False] and data["found_by"].tolist() == [None, "A check"]


@pytest.mark.parametrize("heading, name", [("Rate (%)", "rate_percent"), ("A&E attendances", "a_and_e_attendances"),
                                           ("Lower 95%", "lower_95_percent"), ("2nd reason", "n_2nd_reason")])
def test_snake_case(heading, name):
    assert downloads.snake_case(heading) == name and downloads.is_snake_case(name)


def test_every_dictionary_entry_is_a_snake_case_name_with_a_description():
    dictionary = downloads.field_dictionary()
    assert len(dictionary) > 50
    assert all(downloads.is_snake_case(name) and entry["description"] for name, entry in dictionary.items())


def test_an_undocumented_field_is_refused_naming_the_table_and_column():
    with pytest.raises(downloads.UndocumentedField, match=r"table 'contract_kpis': column 'mystery_percent' is not in "
                                                          r"the field dictionary"):
        downloads.data_package("b", "B", [{"name": "contract_kpis", "caption": "c",
                                           "fields": [{"name": "percent", "type": "number"},
                                                      {"name": "mystery_percent", "type": "number"}]}])


def _payload(monkeypatch, table, **options):
    shown = []
    monkeypatch.setattr(show, "display", lambda data, **kw: shown.append(data))
    show.show_table(table, name="t", caption="A table", **options)
    return shown[0][show.TABLE_MIMETYPE]


def test_show_table_publishes_the_numbers_when_given_and_a_readable_table_turned_back_otherwise(monkeypatch):
    numbers = pd.DataFrame({"flagged": [4956.0], "percent": [12.345678901234]})
    readable = show.readable_table(numbers, {"flagged": "Flagged", "percent": "Percent"})
    assert _payload(monkeypatch, readable, csv=numbers)["csv"] == "flagged,percent\n4956,12.3456789\n"
    payload = _payload(monkeypatch, readable)
    assert payload["csv"] == "flagged,percent\n4956,12.3\n"
    assert payload["fields"] == [{"name": "flagged", "type": "integer"}, {"name": "percent", "type": "number"}]


def test_suppressed_values_stay_blank_in_the_csv(monkeypatch):
    counts = pd.DataFrame({"calls": [3.0, 120.0], "events": [1.0, 60.0]}).assign(percent=lambda t: 100 * t.events / t.calls)
    published = disclosure.suppress_small_counts(counts, ["calls", "events"], dependent=["percent"])
    csv = _payload(monkeypatch, published)["csv"]
    assert csv.splitlines() == ["calls,events,percent,suppressed", ",,,True", "120,60,50.0,False"]


def test_data_package_validates_with_frictionless(tmp_path, monkeypatch):
    frame = disclosure.suppress_small_counts(
        pd.DataFrame({"contract_name": ["=cmd", "B"], "calls": [3, 400], "events": [1, 200],
                      "percent": [100 / 3, 50.0], "period": pd.to_datetime(["2013-04-07", "2013-04-14"])}),
        ["calls", "events"], dependent=["percent"])
    payload = _payload(monkeypatch, frame)
    (tmp_path / "t.csv").write_text(payload["csv"], encoding="utf-8")
    package = downloads.data_package("a_briefing", "A briefing", [{**payload, "caption": "A table"}],
                                     description="What it is.")
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["type", "note", "fieldName"])
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert fields["percent"]["unit"] == "percent" and fields["calls"]["type"] == "integer"
    assert "Counts of 1 to 7 are withheld" in package["resources"][0]["description"]
    (tmp_path / "t.csv").write_text(payload["csv"].replace("400", '"4,00"'), encoding="utf-8")
    assert not frictionless.validate(tmp_path / "datapackage.json").valid  # a count stored as text is caught


def test_a_chart_publishes_its_csv_while_the_page_keeps_the_words_of_its_table(monkeypatch):
    from ccgtools.page.charts import Chart, new_figure

    figure, ax = new_figure(2)
    ax.plot([0, 1], [0, 1])
    data = pd.DataFrame({"question": ["Q1"], "Very dissatisfied": [44.6]})
    shown = []
    monkeypatch.setattr(show, "display", lambda payload, **kw: shown.append(payload))
    show.show_chart(Chart(figure, "A line.", data, "likert"),
                    csv=data.rename(columns={"question": "question_text", "Very dissatisfied": "very_dissatisfied_percent"}))
    table = shown[-1]
    assert '<th scope="col">Very dissatisfied</th>' in table["text/html"]
    assert table[show.TABLE_MIMETYPE]["csv"] == "question_text,very_dissatisfied_percent\nQ1,44.6\n"
