"""The real published files read as area-profile inputs (:mod:`ccgtools.areas.real`), checked against the files."""

from __future__ import annotations

import pandas as pd
import pytest

from ccgtools.areas import content, profile
from ccgtools.areas.real import load_fingertips_counts, load_real_area_data
from tests.conftest import real_data_path

FILES = ("fingertips_91547_qof_smoking_prev_gp_2022-24.csv", "fingertips_93553_imd2019_by_practice.csv",
         "ods_epraccur_2019-12.csv", "ccg_to_icb_lookup.csv", "gp-reg-pat-prac-all_2021-01.csv")


@pytest.fixture(scope="module")
def real():
    paths = [real_data_path(name) for name in FILES]
    return load_real_area_data(*paths, heec_path=real_data_path("heec_practice_prop65_imd_rurality.csv"))


def test_counts_match_the_fingertips_rows():
    path = real_data_path(FILES[0])
    counts = load_fingertips_counts(path, ("2022/23", "2023/24"))
    raw = pd.read_csv(path, dtype=str)
    gp = raw[(raw["Area Type"] == "GPs") & (raw["Time period"] == "2022/23")]
    row = gp[gp["Area Code"] == "A81001"].iloc[0]
    mine = counts[(counts["practice_code"] == "A81001") & (counts["period"] == "2022/23")].iloc[0]
    assert (mine["numerator"], mine["denominator"]) == (float(row["Count"]), float(row["Denominator"]))
    assert counts.groupby("period").size().to_dict() == {"2022/23": 6_378, "2023/24": 6_267}


def test_england_has_42_icbs_in_its_seven_regions(real):
    assert len(real.icbs) == 42
    assert real.icbs["region"].value_counts().to_dict() == {
        "Midlands": 11, "South West": 7, "East of England": 6, "South East": 6, "London": 5,
        "North East and Yorkshire": 4, "North West": 3}
    assert real.covariates == ("imd_score",)
    assert any("left out" in note for note in real.notes)


def test_a_real_profile_allows_only_for_deprivation_and_says_so(real):
    result = profile.analyse(real, "QOP", n_simulations=500)
    lines = content.headline(result)
    assert "after allowing for its patients' deprivation," in lines[0]
    assert "age structure" not in lines[0]
    # One 2019 practice file places practices in both years: openings and moves are not known, never "0".
    assert not result.movements_known
    assert any("is not known" in line for line in lines)
    assert not any("moved in" in line or " joined" in line for line in lines)
    assert any("Glossop" in note and "2019" in note for note in result.notes)
    assert result.truth is None and len(result.similar) == 10
    assert any("nor is age" in m for m in content.methods(result))


def test_a_long_icb_name_keeps_every_chart_legible(real):
    from ccgtools.page.chart_check import layout_problems

    result = profile.analyse(real, "QHM", n_simulations=500)  # NHS North East and North Cumbria ICB
    for chart in (content.spine_chart(result), content.rank_chart(result), content.peers_chart(result),
                  content.funnel(result)):
        assert layout_problems(chart.figure) == [], chart.name
