"""Weekly NHS 111 activity whose true contract means are known, for simulation tests."""

import numpy as np
import pandas as pd
from scipy import special

from ccgtools.nhs111 import load


def weekly_activity(rng: np.random.Generator, *, contracts: int = 30, weeks: int = 52, between: float = 0.3,
                    within: float = 0.25) -> tuple[pd.DataFrame, pd.Series]:
    """Canonical weekly activity and each contract's true rank on calls answered within 60 seconds.

    Each contract has a true mean on the logit scale (normal, SD ``between``); every week
    adds a national shift and the contract's own departure (normal, SD ``within``), then
    binomial noise at 200-5,000 calls a week. True rank 1 = highest true mean.
    """
    codes = [f"K{i:02d}" for i in range(contracts)]
    truth = rng.normal(0, between, contracts)
    calls = rng.poisson(rng.integers(200, 5000, contracts)[None, :] * np.ones((weeks, 1)))
    week_effect = rng.normal(0, 0.1, (weeks, 1))
    p = special.expit(1.5 + truth[None, :] + week_effect + rng.normal(0, within, (weeks, contracts)))
    within_60s = rng.binomial(calls, p)
    periods = pd.date_range("2025-01-05", periods=weeks, freq="7D")
    frame = pd.DataFrame({"period": np.repeat(periods, contracts), "contract_code": np.tile(codes, weeks),
                          "region": "R", **{m: pd.array([pd.NA] * (weeks * contracts), dtype="Int64")
                                             for m in load.MEASURES}})
    frame["contract_name"] = frame["contract_code"]
    frame["calls_received"] = pd.array(calls.ravel(), dtype="Int64")
    frame["calls_answered"] = pd.array(calls.ravel(), dtype="Int64")
    frame["calls_answered_60s"] = pd.array(within_60s.ravel(), dtype="Int64")
    true_rank = pd.Series((-truth).argsort().argsort() + 1, index=codes)
    return frame[["period", "contract_code", "contract_name", "region", *load.MEASURES]], true_rank
