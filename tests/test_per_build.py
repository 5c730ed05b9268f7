"""ccgtools.per_build: results computed once per build, reused only for the same key, never outside a build."""

import os
import pickle

import pandas as pd
import pytest

from ccgtools import io, per_build


@pytest.fixture
def fresh_reads(monkeypatch):
    monkeypatch.setattr(io, "_FILES_READ", [])


def _counting(result, path=None):
    calls = []

    def compute():
        calls.append(1)
        if path is not None:
            io.note_read(path)
        return result

    return compute, calls


def test_outside_a_build_every_result_is_computed(monkeypatch):
    monkeypatch.delenv(per_build.ENVIRONMENT_VARIABLE, raising=False)
    compute, calls = _counting(pd.DataFrame({"a": [1]}))
    per_build.computed_once("thing", {"x": 1}, compute)
    per_build.computed_once("thing", {"x": 1}, compute)
    assert len(calls) == 2


def test_in_a_build_the_same_key_is_computed_once_and_names_its_files(tmp_path, fresh_reads):
    source = tmp_path / "input.csv"
    source.write_text("a\n1\n")
    frame = pd.DataFrame({"a": [1.5, 2.5]}, index=["p", "q"])
    with per_build.shared_results() as folder:
        compute, calls = _counting(frame, source)
        first = per_build.computed_once("thing", {"file": per_build.file_key(source)}, compute)
        io._FILES_READ.clear()  # the next briefing: a fresh kernel has read nothing
        again = per_build.computed_once("thing", {"file": per_build.file_key(source)}, compute)
        assert len(calls) == 1
        pd.testing.assert_frame_equal(again, first)
        assert io.files_read() == [source]  # its footer lists the file its figures come from
        assert len(list(folder.glob("thing-*.pickle"))) == 1
        source.write_text("a\n2\n")  # a changed file is a new key
        per_build.computed_once("thing", {"file": per_build.file_key(source)}, compute)
        assert len(calls) == 2
        per_build.computed_once("thing", {"file": per_build.file_key(source), "level": 0.95}, compute)
        assert len(calls) == 3
    assert not folder.exists()
    assert per_build.ENVIRONMENT_VARIABLE not in os.environ


def test_an_unreadable_result_is_computed_again(fresh_reads):
    with per_build.shared_results() as folder:
        compute, calls = _counting({"value": 1})
        per_build.computed_once("thing", {}, compute)
        [kept] = folder.glob("thing-*.pickle")
        kept.write_bytes(b"not a pickle")
        assert per_build.computed_once("thing", {}, compute) == {"value": 1}
        assert len(calls) == 2
        with open(kept, "rb") as handle:  # and the good copy replaces the bad one
            assert pickle.load(handle) == ([], {"value": 1})


def test_a_failed_computation_keeps_nothing(fresh_reads):
    def broken():
        raise ValueError("bad file")

    with per_build.shared_results() as folder:
        with pytest.raises(ValueError, match="bad file"):
            per_build.computed_once("thing", {}, broken)
        assert not any(folder.iterdir())
