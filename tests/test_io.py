"""ccgtools.io: reading CSVs with clear errors, and the validation helpers."""

import pandas as pd
import pytest

from ccgtools.errors import DataError
from ccgtools.io import (
    check_allowed_values,
    check_unique,
    check_unique_rows,
    read_csv_checked,
    to_counts,
)


def test_reads_text_and_blank_cells_become_missing(write_csv):
    path = write_csv("id,answer\nA, Yes \nB,\n")
    frame = read_csv_checked(path, ["id", "answer"])
    assert frame["answer"].tolist()[0] == "Yes"
    assert pd.isna(frame.loc[1, "answer"])


def test_byte_order_mark_and_windows_line_endings_load(write_csv):
    path = write_csv(b"\xef\xbb\xbfid,answer\r\nA,Yes\r\nB,No\r\n")
    frame = read_csv_checked(path, ["id", "answer"])
    assert list(frame.columns) == ["id", "answer"]
    assert frame["answer"].tolist() == ["Yes", "No"]


def test_windows_1252_file_loads(write_csv):
    path = write_csv("id,comment\nA,café – ok\n".encode("cp1252"))
    assert read_csv_checked(path)["comment"][0] == "café – ok"


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match="file not found") as info:
        read_csv_checked(tmp_path / "nowhere.csv")
    assert "nowhere.csv" in str(info.value)


@pytest.mark.parametrize("content", ["", "\n\n", "\ufeff"])
def test_empty_file(write_csv, content):
    with pytest.raises(DataError, match="empty"):
        read_csv_checked(write_csv(content))


def test_header_without_rows(write_csv):
    with pytest.raises(DataError, match="no data rows"):
        read_csv_checked(write_csv("id,answer\n"))


def test_missing_required_column_names_it_and_the_expected_header(write_csv):
    with pytest.raises(DataError) as info:
        read_csv_checked(write_csv("id,answer\nA,Yes\n"), ["id", "answer", "cluster"])
    error = info.value
    assert error.column == "cluster" and error.row == 1
    assert "cluster" in str(error) and "expected a header with the columns id, answer, cluster" in str(error)


def test_malformed_row_gives_line_number(write_csv):
    with pytest.raises(DataError, match="malformed") as info:
        read_csv_checked(write_csv("id,answer\nA,Yes\nB,No,extra\n"))
    assert info.value.row == 3


def test_unknown_value_reports_row_column_value_and_expected(write_csv):
    frame = read_csv_checked(write_csv("id,answer\nA,Yes\nB,Perhaps\n"))
    with pytest.raises(DataError) as info:
        check_allowed_values(frame, "answer", ["Yes", "No"], path="f.csv")
    message = str(info.value)
    assert info.value.row == 3
    assert "f.csv" in message and "'answer'" in message and "'Perhaps'" in message and "'Yes', 'No'" in message


def test_suppressed_marker_is_called_suppressed(write_csv):
    frame = read_csv_checked(write_csv("id,answer\nA,*\n"))
    with pytest.raises(DataError, match="suppressed"):
        check_allowed_values(frame, "answer", ["Yes", "No"])


def test_missing_value_rejected_when_required(write_csv):
    frame = read_csv_checked(write_csv("id,answer\nA,Yes\nB,\n"))
    check_allowed_values(frame, "answer", ["Yes", "No"])  # blanks allowed by default
    with pytest.raises(DataError, match="missing") as info:
        check_allowed_values(frame, "answer", ["Yes", "No"], allow_missing=False)
    assert info.value.row == 3


def test_repeated_identifier_names_both_rows(write_csv):
    frame = read_csv_checked(write_csv("id\nA\nB\nA\n"))
    with pytest.raises(DataError) as info:
        check_unique(frame, "id")
    assert info.value.row == 4 and "first seen on row 2" in str(info.value)


@pytest.mark.parametrize("value,problem", [("-3", "negative"), ("2.5", "fractional"), ("*", "suppressed"),
                                           ("ten", "not a number"), ("", "missing")])
def test_counts_reject_bad_values(write_csv, value, problem):
    frame = read_csv_checked(write_csv(f"id,n\nA,5\nB,{value}\n"))
    with pytest.raises(DataError, match=problem) as info:
        to_counts(frame, "n")
    assert info.value.row == 3 and info.value.column == "n"


def test_counts_accept_thousands_separators_and_optional_missing(write_csv):
    frame = read_csv_checked(write_csv('id,n\nA,"1,234"\nB,*\n'))
    counts = to_counts(frame, "n", allow_missing=True)
    assert counts[0] == 1234 and pd.isna(counts[1])


def test_a_key_over_several_columns_given_twice_names_both_rows_and_the_column():
    # rows 2..5 as a spreadsheet counts them; row 5 repeats row 3's (A, y); (A, x) and (B, y) are different keys
    frame = pd.DataFrame({"code": ["A", "A", "B", "A"], "part": ["x", "y", "y", "y"], "n": ["1", "2", "3", "4"]})
    with pytest.raises(DataError) as caught:
        check_unique_rows(frame, ["code", "part"], path="my.csv")
    error = caught.value
    assert (error.row, error.column, error.value) == (5, "code", "A")
    assert "code and part given twice (first seen on row 3)" in str(error)
    assert "expected one row per code and part" in str(error)


def test_a_filtered_frame_keeps_its_rows_and_the_column_can_be_named_as_written():
    # data rows 2..5; row 2 is filtered out, so row 4 repeats row 3 (B, 1)
    frame = pd.DataFrame({"contract": ["A", "B", "B", "A"], "period": ["1", "1", "1", "1"]}).iloc[1:]
    frame = frame.rename(columns={"contract": "contract_code"})
    with pytest.raises(DataError) as caught:
        check_unique_rows(frame, ["contract_code", "period"], problem="repeated", column="contract")
    assert (caught.value.row, caught.value.column, caught.value.value) == (4, "contract", "B")
    assert "repeated (first seen on row 3)" in str(caught.value)
    check_unique_rows(frame.iloc[1:], ["contract_code", "period"])  # B then A: nothing repeats
