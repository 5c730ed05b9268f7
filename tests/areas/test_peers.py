"""Nearest neighbours (:mod:`ccgtools.areas.peers`) on hand-made areas whose distances are worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ccgtools.areas.peers import area_variables, similar_areas
from ccgtools.errors import ParameterError


def hand_made() -> pd.DataFrame:
    # Two variables, five areas: x = 0, 1, 0, 3, 6 and y = 0, 0, 2, 4, 4 (both with mean 2).
    return pd.DataFrame({"x": [0.0, 1.0, 0.0, 3.0, 6.0], "y": [0.0, 0.0, 2.0, 4.0, 4.0]},
                        index=["A", "B", "C", "D", "E"])


def test_neighbours_are_nearest_on_standardised_variables_worked_by_hand():
    frame = hand_made()
    # x: mean 2, population SD √((4+1+4+1+16)/5) = √5.2; y: mean 2, SD √((4+4+0+4+4)/5) = √3.2.
    # From A (0, 0): B differs by 1 in x → d = 1/√5.2 = 0.4385; C by 2 in y → 2/√3.2 = 1.1180;
    # D by (3, 4) → √(9/5.2 + 16/3.2) = √(1.7308 + 5) = 2.5944; E by (6, 4) → √(36/5.2 + 5) = 3.4528.
    found = similar_areas(frame, "A", n=3, weights={"x": 1.0, "y": 1.0})
    assert found.index.tolist() == ["B", "C", "D"]
    assert found["distance"].to_numpy() == pytest.approx([0.43853, 1.11803, 2.59437], abs=1e-5)
    assert found["similarity_rank"].tolist() == [1, 2, 3]


def test_weights_change_the_choice():
    frame = hand_made()
    # With x weighted 0, A's neighbours are by y alone: B (0), then C (y = 2); D and E tie at y = 4.
    found = similar_areas(frame, "A", n=2, weights={"x": 0.0, "y": 1.0})
    assert found.index.tolist() == ["B", "C"]
    assert found["distance"].iloc[0] == 0


def test_the_area_itself_is_never_its_own_neighbour_and_ties_go_by_code():
    frame = pd.DataFrame({"x": [1.0, 2.0, 0.0, 2.0]}, index=["M", "Z", "N", "B"])
    found = similar_areas(frame, "M", n=3, weights={"x": 1.0})
    assert "M" not in found.index
    assert found.index.tolist() == ["B", "N", "Z"]  # all at the same distance: by code


def test_unknown_area_and_too_many_neighbours_are_refused():
    frame = hand_made()
    with pytest.raises(ParameterError, match="'Q' is not among the 5 areas"):
        similar_areas(frame, "Q", weights={"x": 1.0, "y": 1.0})
    with pytest.raises(ParameterError, match="n = 5"):
        similar_areas(frame, "A", n=5, weights={"x": 1.0, "y": 1.0})


def test_area_variables_are_list_weighted():
    practices = pd.DataFrame({"practice_code": ["P1", "P2", "P3"], "icb_code": ["I1", "I1", "I2"],
                              "list_size": [1000.0, 3000.0, 2000.0], "pct_under_15": [10.0, 20.0, 15.0],
                              "pct_65_plus": [30.0, 10.0, 20.0], "imd_score": [40.0, 20.0, 5.0],
                              "rurality": ["Rural", "Urban", "Urban"]})
    out = area_variables(practices)
    # I1: under 15 = (1000×10 + 3000×20)/4000 = 17.5; 65+ = (30000 + 30000)/4000 = 15; IMD = 100000/4000 = 25;
    # rural = 1000/4000 = 25%; mean list = 2000.
    assert out.loc["I1", ["pct_under_15", "pct_65_plus", "imd_score", "pct_rural", "mean_list_size"]].tolist() == \
        pytest.approx([17.5, 15.0, 25.0, 25.0, 2000.0])
    assert out.loc["I2", "pct_rural"] == 0
    assert np.isclose(out["patients"].sum(), 6000)


def test_typical_distance_is_the_median_over_every_pair_of_areas():
    import itertools

    import numpy as np
    import pandas as pd

    from ccgtools.areas.peers import typical_distance

    rng = np.random.default_rng(7)
    variables = pd.DataFrame(rng.normal(size=(9, 2)) * [3, 0.5], columns=["a", "b"])
    z = (variables - variables.mean()) / variables.std(ddof=0)
    pairs = [np.sqrt(((z.iloc[i] - z.iloc[j]) ** 2).sum()) for i, j in itertools.combinations(range(9), 2)]
    assert typical_distance(variables, {"a": 1.0, "b": 1.0}) == pytest.approx(np.median(pairs))
