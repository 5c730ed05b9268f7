"""The synthetic England practice set (:mod:`ccgtools.areas.synthetic`): bundled files as generated, England-shaped."""

from __future__ import annotations

import pandas as pd

from ccgtools import config
from ccgtools.areas.synthetic import FILES, PLANTED_ICB_CHANGES, REGIONS, write_synthetic_areas


def test_bundled_files_are_what_the_generator_makes(tmp_path):
    written = write_synthetic_areas(tmp_path)
    for key, name in FILES.items():
        assert written[key].read_bytes() == (config.DATA_DIR / name).read_bytes(), name


def test_england_shaped_and_modest_in_size():
    icbs = pd.read_csv(config.DATA_DIR / FILES["icbs"])
    practices = pd.read_csv(config.DATA_DIR / FILES["practices"])
    assert len(icbs) == 42 and icbs["region"].value_counts().to_dict() == REGIONS
    first = practices[practices["period"] == "2022/23"]
    assert 6_300 <= len(first) <= 6_700
    assert 40_000_000 < first["list_size"].sum() < 80_000_000
    assert sum((config.DATA_DIR / n).stat().st_size for n in FILES.values()) < 3_000_000


def test_closures_moves_and_plants_are_recorded_and_visible_in_the_data():
    practices = pd.read_csv(config.DATA_DIR / FILES["practices"])
    truth = pd.read_csv(config.DATA_DIR / FILES["ground_truth"]).fillna("")
    wide = practices.pivot(index="practice_code", columns="period", values="icb_code")
    closed = set(wide.index[wide["2023/24"].isna()])
    new = set(wide.index[wide["2022/23"].isna()])
    moved = set(wide.index[wide["2022/23"].notna() & wide["2023/24"].notna() & (wide["2022/23"] != wide["2023/24"])])
    assert closed == set(truth.loc[truth["kind"] == "closed", "code"]) and closed
    assert new == set(truth.loc[truth["kind"] == "new", "code"]) and new
    assert moved == set(truth.loc[truth["kind"] == "moved", "code"]) and moved
    planted = truth[(truth["level"] == "icb") & (truth["kind"] == "planted change")]
    assert len(planted) == len(PLANTED_ICB_CHANGES)
    assert (truth["kind"] == "planted outlier").sum() >= 20
