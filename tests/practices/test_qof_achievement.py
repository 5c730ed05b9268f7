"""QOF achievement tables read as NHS Digital publishes them (long, a column per measure, or fully wide as R's
``pivot_wider`` writes them, ``NA`` for missing), as a proportion indicator by practice."""

import numpy as np
import pandas as pd
import pytest

from ccgtools import cli
from ccgtools.errors import DataError, ParameterError
from ccgtools.practices import load as practice_io
from ccgtools.practices import variation


def published_long(practices: int = 40, seed: int = 7) -> pd.DataFrame:
    """A generated achievement table in the published long layout: for each practice, DM012 (numerator,
    denominator, PCAs, points) and SMOK002 (no PCAs published), and a register-only indicator DM017."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(practices):
        code = f"A{81000 + i}"
        denominator = int(rng.integers(50, 600))
        numerator, pcas = int(rng.binomial(denominator, 0.7)), int(rng.integers(0, 40))
        rows += [(code, "DM012", "ACHIEVED_POINTS", f"{rng.uniform(0, 10):.2f}"), (code, "DM012", "NUMERATOR", numerator),
                 (code, "DM012", "DENOMINATOR", denominator), (code, "DM012", "PCAS", pcas),
                 (code, "DM017", "REGISTER", denominator + 30)]
        smokers = int(rng.integers(100, 900))
        rows += [(code, "SMOK002", "NUMERATOR", int(rng.binomial(smokers, 0.9))), (code, "SMOK002", "DENOMINATOR", smokers)]
    return pd.DataFrame(rows, columns=["PRACTICE_CODE", "INDICATOR_CODE", "MEASURE", "VALUE"]).astype(str)


def as_by_measure(long: pd.DataFrame) -> pd.DataFrame:
    return long.pivot(index=["PRACTICE_CODE", "INDICATOR_CODE"], columns="MEASURE", values="VALUE").reset_index()


def as_wide(long: pd.DataFrame) -> pd.DataFrame:
    wide = long.pivot(index="PRACTICE_CODE", columns=["MEASURE", "INDICATOR_CODE"], values="VALUE")
    wide.columns = [f"{m}_{i}" for m, i in wide.columns]
    return wide.reset_index()


@pytest.mark.parametrize("shape", ["long", "by_measure", "wide"])
def test_every_shape_gives_nhs_digital_achievement_by_hand(tmp_path, shape):
    long = published_long()
    frame = {"long": long, "by_measure": as_by_measure(long), "wide": as_wide(long)}[shape]
    path = tmp_path / "achievement.csv"
    frame.to_csv(path, index=False, na_rep="NA")  # as R writes it
    values = long[long["INDICATOR_CODE"] == "DM012"].pivot(index="PRACTICE_CODE", columns="MEASURE",
                                                          values="VALUE").astype(float)
    intervention = practice_io.load_qof_achievement(path, "DM012").set_index("area_code")
    underlying = practice_io.load_qof_achievement(path, "DM012", measure="underlying").set_index("area_code")
    # NHS Digital: receiving the intervention = NUMERATOR / (DENOMINATOR + PCAs); underlying = NUMERATOR / DENOMINATOR
    expected = values["NUMERATOR"] / (values["DENOMINATOR"] + values["PCAS"])
    pd.testing.assert_series_equal(intervention["value"], 100 * expected.rename("value"), check_names=False,
                                   check_index_type=False)
    assert (underlying["denominator"] == values["DENOMINATOR"].reindex(underlying.index)).all()
    assert (intervention["count"] == values["NUMERATOR"].reindex(intervention.index)).all()
    smoking = practice_io.load_qof_achievement(path, "SMOK002")
    assert "publishes no PCAs or exceptions" in smoking.attrs["note"] and smoking["denominator"].notna().all()


def test_a_blank_pca_leaves_that_practice_out_of_the_intervention_measure_only(tmp_path):
    long = published_long()
    long.loc[(long["PRACTICE_CODE"] == "A81003") & (long["MEASURE"] == "PCAS"), "VALUE"] = "NA"
    path = tmp_path / "achievement.csv"
    long.to_csv(path, index=False)
    intervention = practice_io.load_qof_achievement(path, "DM012").set_index("area_code")
    underlying = practice_io.load_qof_achievement(path, "DM012", measure="underlying").set_index("area_code")
    assert np.isnan(intervention.loc["A81003", "denominator"]) and intervention["denominator"].notna().sum() == 39
    assert underlying["denominator"].notna().all()


def test_the_briefing_reads_an_achievement_table_and_says_which_measure(tmp_path):
    path = tmp_path / "achievement.csv"
    published_long().to_csv(path, index=False)
    briefing = variation.prepare_and_analyse("fingertips_proportion", indicator="DM012", covariates=(),
                                             fingertips_path=path, qof_measure="underlying")
    assert len(briefing.result.table) == 40
    assert any("DM012 is read as the underlying achievement net of PCAs, NUMERATOR / DENOMINATOR" in note
               for note in briefing.notes)
    with pytest.raises(ParameterError, match="parameter qof_measure = 'net'"):
        variation.prepare_and_analyse("fingertips_proportion", indicator="DM012", covariates=(), fingertips_path=path,
                                      qof_measure="net")


@pytest.mark.parametrize("shape, kind", [("long", "qof_achievement"), ("by_measure", "qof_achievement_by_measure"),
                                         ("wide", "qof_wide")])
def test_check_recognises_each_shape_and_prints_the_parameters(tmp_path, capsys, shape, kind):
    long = published_long()
    path = tmp_path / "achievement.csv"
    {"long": long, "by_measure": as_by_measure(long), "wide": as_wide(long)}[shape].to_csv(path, index=False,
                                                                                         na_rep="NA")
    assert cli.main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"(layout {kind})" in out and "units: 40 practices, 2 QOF indicators" in out
    assert 'qof_measure = "intervention"' in out and "one of 'DM012', 'SMOK002'" in out
    assert "DM012 40, SMOK002 40" in out and "no PCAs or exceptions published for SMOK002" in out


def test_an_unknown_indicator_lists_those_in_the_file(tmp_path):
    path = tmp_path / "achievement.csv"
    published_long().to_csv(path, index=False)
    with pytest.raises(DataError, match="no rows for QOF indicator 'AF006'; found 'AF006'; expected one of 'DM012', 'DM017', "
                                        "'SMOK002'") as caught:
        practice_io.load_qof_achievement(path, "AF006")
    assert caught.value.column == "INDICATOR_CODE"
    with pytest.raises(DataError, match="no NUMERATOR rows for QOF indicator 'DM017'"):
        practice_io.load_qof_achievement(path, "DM017")  # a register, not an achievement indicator
