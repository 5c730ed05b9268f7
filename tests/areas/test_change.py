"""Practice changes across a merger or fast list growth are not like for like, and are not called credible."""

from __future__ import annotations

import pandas as pd

from ccgtools.areas.change import LIKE_FOR_LIKE_FACTOR, like_for_like
from ccgtools.areas.indicators import definitions_for


def test_a_practice_whose_patients_counted_jumped_is_not_tested():
    definitions = definitions_for(["smoking"])
    tested = pd.DataFrame({"indicator": "smoking", "practice_code": ["A", "B", "C", "D"],
                           "denominator_previous": [1000, 1000, 1000, 1000],
                           "denominator_current": [1100, 1300, 790, 1250],  # +10%, +30%, −21% (÷1.27), +25%
                           "credible": [True, True, True, True], "direction": ["up", "up", "down", "down"]})
    out = like_for_like(tested, definitions)
    assert out["like_for_like"].tolist() == [True, False, False, True]
    assert out["credible"].tolist() == [True, False, False, True]
    # Smoking: lower is better, so up is "worsened"; a change not tested has no verdict.
    assert out["verdict"].tolist() == ["worsened", "", "", "improved"]
    assert LIKE_FOR_LIKE_FACTOR == 1.25
