"""Area ranks with intervals (:mod:`ccgtools.areas.ranks`): the dispersion factor by hand, and intervals that widen with it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ccgtools.areas.indicators import AreaIndicator
from ccgtools.areas.ranks import area_dispersion, area_ranks

DEFINITION = {"x": AreaIndicator("x", "x", "X", "n", "d", False, "test")}


def test_dispersion_is_the_pearson_estimate_worked_by_hand():
    table = pd.DataFrame({"indicator": "x", "icb_code": ["A", "A", "A"], "numerator": [30.0, 50.0, 20.0],
                          "denominator": [1_000.0] * 3, "expected": [40.0, 40.0, 20.0]})
    # r = 100/100 = 1; Pearson = (30−40)²/40 + (50−40)²/40 + 0 = 5; φ = 5/(3 − 1) = 2.5 (floor 1 − 100/3000 below it).
    out = area_dispersion(table)
    assert out["phi"].iloc[0] == pytest.approx(2.5)
    calm = table.assign(numerator=[40.0, 40.0, 20.0])
    assert area_dispersion(calm)["phi"].iloc[0] == pytest.approx(1 - 100 / 3_000)  # floored at binomial


def test_intervals_widen_when_practices_disagree_and_rank_one_is_best():
    rng = np.random.default_rng(1)
    rows = []
    for i, ratio in enumerate(np.linspace(0.8, 1.2, 10)):
        expected = np.full(20, 500.0)
        spread = 0.02 if i != 5 else 0.4  # area 5's practices disagree wildly
        observed = rng.poisson(expected * ratio * np.exp(rng.normal(0, spread, 20)))
        rows.append(pd.DataFrame({"indicator": "x", "icb_code": f"A{i}", "numerator": observed.astype(float),
                                  "denominator": 10_000.0, "expected": expected}))
    ranks = area_ranks(pd.concat(rows, ignore_index=True), DEFINITION, n_simulations=2_000).set_index("icb_code")
    width = ranks["rank_upper"] - ranks["rank_lower"]
    assert width["A5"] > width.drop("A5").max()
    assert ranks.loc["A0", "rank"] == 1  # lowest ratio, and lower is better
    assert (ranks["rank_lower"] <= ranks["rank"]).all() and (ranks["rank"] <= ranks["rank_upper"]).all()
    among = area_ranks(pd.concat(rows, ignore_index=True), DEFINITION, among=["A0", "A9"], n_simulations=500)
    assert among.set_index("icb_code")["rank"].to_dict() == {"A0": 1.0, "A9": 2.0}
