"""Expected counts from case mix (:mod:`ccgtools.areas.casemix`) against statsmodels' binomial GLM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ccgtools.areas.casemix import design_matrix, expected_counts, logistic_fit
from ccgtools.errors import DataError


def practices(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"practice_code": [f"P{i}" for i in range(n)], "period": "2023/24",
                         "icb_code": rng.choice(["I1", "I2", "I3"], n), "list_size": rng.integers(2_000, 15_000, n),
                         "pct_under_15": rng.normal(17, 3, n), "pct_65_plus": rng.normal(18, 4, n),
                         "imd_score": rng.normal(22, 8, n), "rurality": rng.choice(["Rural", "Urban"], n, p=[0.3, 0.7])})


def test_logistic_fit_matches_statsmodels_glm():
    import statsmodels.api as sm

    frame = practices()
    rng = np.random.default_rng(5)
    x = design_matrix(frame)
    trials = rng.integers(200, 3_000, len(frame)).astype(float)
    truth = np.array([-1.5, 0.1, -0.2, 0.3, -0.1])
    events = rng.binomial(trials.astype(int), 1 / (1 + np.exp(-(x @ truth)))).astype(float)
    ours = logistic_fit(events, trials, x)
    reference = sm.GLM(np.column_stack([events, trials - events]), x, family=sm.families.Binomial()).fit()
    assert ours == pytest.approx(reference.params, abs=1e-8)


def test_expected_counts_add_up_to_the_observed_total_and_follow_the_covariates():
    frame = practices()
    rng = np.random.default_rng(9)
    denominator = rng.integers(300, 2_000, len(frame))
    p = 1 / (1 + np.exp(-(-1.8 + 0.04 * (frame["imd_score"] - 22))))
    counts = pd.DataFrame({"practice_code": frame["practice_code"], "period": "2023/24", "indicator": "smoking",
                           "numerator": rng.binomial(denominator, p).astype(float),
                           "denominator": denominator.astype(float)})
    table = expected_counts(frame, counts)
    assert table["expected"].sum() == pytest.approx(table["numerator"].sum(), rel=1e-9)
    deprived = table.merge(frame[["practice_code", "imd_score"]])
    rate = deprived["expected"] / deprived["denominator"]
    assert np.corrcoef(rate, deprived["imd_score"])[0, 1] > 0.95


def test_missing_counts_are_left_out_not_zero():
    frame = practices(20)
    counts = pd.DataFrame({"practice_code": frame["practice_code"], "period": "2023/24", "indicator": "smoking",
                           "numerator": [np.nan] + [50.0] * 19, "denominator": [400.0] * 20})
    counts.loc[1, "numerator"] = 80.0
    table = expected_counts(frame, counts)
    assert "P0" not in set(table["practice_code"]) and len(table) == 19


def test_an_indicator_with_no_events_says_so():
    frame = practices(10)
    counts = pd.DataFrame({"practice_code": frame["practice_code"], "period": "2023/24", "indicator": "smoking",
                           "numerator": 0.0, "denominator": 100.0})
    with pytest.raises(DataError, match="none of its patients counted"):
        expected_counts(frame, counts)
