"""ccgtools.nhs111.ranking: KPI values, bottom-fifth counts and the planted underperformers."""

import pandas as pd
import pytest
from ccgtools.nhs111.synthetic import (
    PLANTED_UNDERPERFORMERS,
)

from ccgtools.nhs111 import load, ranking

from .small_activity import activity_frame, load_frame


def test_kpi_values_by_hand(write_csv):
    activity = load_frame(write_csv, activity_frame())
    totals = ranking.contract_totals(activity).set_index("contract_code")
    # Alpha answered 90 + 110 = 200 calls, 81 + 99 = 180 within 60 s: 90%.
    assert (totals.loc["A", "calls_answered"], totals.loc["A", "calls_answered_60s"]) == (200, 180)
    values = ranking.kpi_values(totals.reset_index(), load.load_indicators()["answered_60s"])
    alpha = values.set_index("contract_code").loc["A"]
    assert alpha["value"] == pytest.approx(0.9)
    # Wilson 95% for 180/200: 0.850594 to 0.934330 (statsmodels' proportion_confint agrees);
    # the 95% standard is above the upper limit, so Alpha is credibly short of it.
    assert alpha["lower"] == pytest.approx(0.850594, abs=1e-6) and alpha["upper"] == pytest.approx(0.934330, abs=1e-6)
    assert bool(alpha["credibly_below"]) and not bool(alpha["meets_standard"])
    abandoned = ranking.kpi_values(totals.reset_index(), load.load_indicators()["abandoned_30s"])
    # Beta abandoned 6 + 7 = 13 of 380 received = 3.4%: meets "< 5%".
    beta = abandoned.set_index("contract_code").loc["B"]
    assert beta["value"] == pytest.approx(13 / 380) and bool(beta["meets_standard"])


def test_bottom_fifth_count_by_hand():
    # Five contracts over four weeks; E is always worst, D always second worst; bottom fifth of 5 = 1.
    rows = []
    for week in pd.date_range("2013-04-07", periods=4, freq="7D"):
        for code, answered_60s in zip("ABCDE", (95, 94, 93, 80, 50)):
            rows.append({"period": week, "contract_code": code, "contract_name": code, "region": "R",
                         **{m: 0 for m in load.MEASURES}, "calls_answered": 100, "calls_received": 100,
                         "calls_answered_60s": answered_60s})
    activity = pd.DataFrame(rows)
    counts = ranking.bottom_fifth_counts(activity, load.load_indicators()["answered_60s"],
                                                n_simulations=400, seed=1).set_index("contract_code")
    assert counts.loc["E", "times_bottom"] == 4 and counts.loc["D", "times_bottom"] == 0
    assert counts["chance_expected"].sum() == pytest.approx(4, abs=0.01)  # one contract per week by construction
    assert bool(counts.loc["E", "beyond_chance"])


def test_planted_underperformers_are_found_by_the_ranks():
    indicators = load.load_indicators()
    usable, notes = load.data_quality(load.load_activity(), indicators)
    chosen = load.usable_indicators(indicators, notes, ["answered_60s"])
    comparison = ranking.compare_contracts(usable, chosen, n_simulations=500)
    flagged = set(comparison.flagged["contract_name"])
    assert set(PLANTED_UNDERPERFORMERS) <= flagged
