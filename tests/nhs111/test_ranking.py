"""ccgtools.nhs111.ranking: KPI values, bottom-fifth counts and the planted underperformers."""

import numpy as np
import pandas as pd
import pytest

from ccgtools.nhs111 import content, load, ranking
from ccgtools.nhs111.synthetic import (
    PLANTED_UNDERPERFORMERS,
)

from .small_activity import activity_frame, load_frame
from .weekly_truth import weekly_activity


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


def test_rank_intervals_cover_the_true_ranks_when_weeks_vary():
    # Known truth: 20 simulated years of 30 contracts whose weekly figures vary around their true means.
    # 95% rank intervals must contain the true rank for at least 90% of contracts. Drawing from the
    # whole year's Beta(x + ½, n − x + ½) alone gives near single-rank intervals that miss most of them.
    rng = np.random.default_rng(20250105)
    indicator = load.load_indicators()["answered_60s"]
    covered = []
    for replicate in range(20):
        activity, true_rank = weekly_activity(rng)
        ranks = ranking.kpi_ranks(activity, indicator, frequency="W", n_simulations=1000, seed=replicate)
        ranks = ranks.set_index("contract_code").loc[true_rank.index]
        covered.append((ranks["rank_lower"] <= true_rank) & (true_rank <= ranks["rank_upper"]))
    coverage = pd.concat(covered).mean()
    assert coverage >= 0.90, f"rank-interval coverage {coverage:.1%}"


def test_bottom_fifth_is_one_definition_in_weekly_counts_and_probabilities():
    # 46 contracts in a fixed order every week (answered within 60 s: 99% down to 54%).
    # The bottom fifth is the worst ⌈46/5⌉ = 10, ranks 37-46: the 37th contract is in it every week,
    # and certainly in it by rank, the 36th never.
    rows = []
    for week in pd.date_range("2013-04-07", periods=8, freq="7D"):
        for position in range(46):
            code = f"C{position + 1:02d}"
            rows.append({"period": week, "contract_code": code, "contract_name": code, "region": "R",
                         **{m: 0 for m in load.MEASURES}, "calls_answered": 1000, "calls_received": 1000,
                         "calls_answered_60s": 990 - 10 * position})
    activity = pd.DataFrame(rows)
    chosen = {"answered_60s": load.load_indicators()["answered_60s"]}
    comparison = ranking.compare_contracts(activity, chosen, n_simulations=500)
    counts = comparison.bottom_counts["answered_60s"].set_index("contract_code")["times_bottom"]
    probability = comparison.ranks["answered_60s"].set_index("contract_code")["prob_bottom"]
    assert (counts.loc["C37"], counts.loc["C36"]) == (8, 0)
    assert (probability.loc["C37"], probability.loc["C36"]) == (1.0, 0.0)
    assert (counts == 8).sum() == 10 and (probability == 1).sum() == 10


def _totals(numerators, denominators):
    """Contract totals with calls answered and answered within 60 seconds."""
    size = len(numerators)
    codes = [f"C{i}" for i in range(size)]
    return pd.DataFrame({"contract_code": codes, "contract_name": codes, "region": "R",
                         "calls_answered": pd.array(denominators, dtype="Int64"),
                         "calls_answered_60s": pd.array(numerators, dtype="Int64")})


def test_funnel_limits_do_not_reveal_a_suppressed_denominator():
    # The limits at a unit's own denominator are a function of that denominator: with 5 calls
    # suppressed, its 95% and 99.8% limits would give the 5 back.
    totals = _totals([900, 850, 4700, 1800, 2700, 930, 4], [1000, 1000, 5000, 2000, 3000, 1000, 5])
    funnel, _ = ranking.kpi_funnel(totals, load.load_indicators()["answered_60s"])
    small = funnel.set_index("contract_code").loc["C6"]
    assert bool(small["suppressed"])
    assert small[["denominator", "value", "lower_95", "upper_95", "lower_99_8", "upper_99_8"]].isna().all()
    assert funnel.set_index("contract_code").loc["C0", ["lower_95", "upper_99_8"]].notna().all()
    assert funnel["denominator"].dtype == "Int64"  # whole numbers, not floats


def test_contract_table_suppresses_a_small_numerator_behind_a_large_base():
    # 3 call-backs within 10 minutes out of 500: the calls are not small, but 500 × 0.6% gives the 3 back.
    totals = _totals([3, 400], [500, 600]).rename(columns={"calls_answered": "callbacks_needed",
                                                           "calls_answered_60s": "callbacks_10min"})
    chosen = {"callback_10min": load.load_indicators()["callback_10min"]}
    values = {"callback_10min": ranking.kpi_values(totals, chosen["callback_10min"])}
    funnels = {"callback_10min": values["callback_10min"].assign(position="within limits")}
    ranks = {"callback_10min": totals[ranking.CONTRACT_KEYS].assign(median_rank=[2.0, 1.0], rank_lower=[2, 1],
                                                                    rank_upper=[2, 1], prob_bottom=[1.0, 0.0])}
    comparison = ranking.ContractComparison(chosen, values, funnels, {}, ranks, {}, pd.DataFrame(), pd.DataFrame())
    table = content.ranking_table(comparison).set_index("contract_code")
    assert table.loc["C0", ["events", "percent", "lower", "upper"]].isna().all()
    assert table.loc["C1", "percent"] == pytest.approx(400 / 6)


def test_composite_only_when_there_is_more_than_one_kpi():
    totals = _totals([900, 850, 4700, 1800, 2700], [1000, 1000, 5000, 2000, 3000])
    indicator = load.load_indicators()["answered_60s"]
    funnel, _ = ranking.kpi_funnel(totals, indicator)
    assert ranking.composite({"answered_60s": funnel}, {"answered_60s": indicator}).empty


def test_spc_leaves_out_part_weeks_at_either_end():
    # Daily data from Wednesday 3 April to Monday 6 May 2013: the weeks ending 7 April (5 days) and
    # 12 May (1 day) are partial; the four whole weeks ending 14 April to 5 May are charted.
    days = pd.date_range("2013-04-03", "2013-05-06")
    activity = pd.DataFrame({"period": days, "contract_code": "A", "contract_name": "A", "region": "R",
                             **{m: pd.array([100] * len(days), dtype="Int64") for m in load.MEASURES}})
    activity["calls_answered_60s"] = pd.array(90 - (days.day % 7), dtype="Int64")
    series = ranking.national_series(activity, load.load_indicators()["answered_60s"], frequency="W")
    assert list(series["period"].dt.strftime("%d %b")) == ["14 Apr", "21 Apr", "28 Apr", "05 May"]


def test_header_dates_are_the_data_own_days_not_week_ending_labels():
    rng = np.random.default_rng(1)
    activity, _ = weekly_activity(rng, contracts=3, weeks=4)  # weeks ending Sunday 5 January to 26 January 2025
    lede, period = content.header(activity, None)
    assert period == "30 December 2024 to 26 January 2025"
    assert lede == "3 contracts, 30 December 2024 to 26 January 2025, England."


def test_planted_summary_counts_found_and_false_alarms():
    flagged = pd.DataFrame({"contract_code": ["P1", "P2", "X1", "P3", "X2"], "contract_name": list("abcde"),
                            "kpi": "k", "value": 0.5,
                            "reason": ["outside the adjusted 99.8% limit",
                                       "outside the adjusted 99.8% limit; 90% probability",
                                       "outside the adjusted 99.8% limit", "85% probability of the bottom fifth",
                                       "95% probability of the bottom fifth"]})
    comparison = ranking.ContractComparison({}, {}, {}, {}, {}, {}, pd.DataFrame(), flagged)
    contracts = pd.DataFrame({"contract_code": ["P1", "P2", "P3", "P4", "X1", "X2", "X3"],
                              "planted_underperformer": ["True"] * 4 + ["False"] * 3})
    (sentence,) = content.planted_summary(comparison, contracts, 0.8)
    assert "2 of 4 were found outside the adjusted funnel limits, with 1 false alarm." in sentence
    assert "2 of 4 had at least 80% chance of the bottom fifth on some KPI, as did 1 contract that" in sentence
    assert content.planted_summary(comparison, contracts.drop(columns="planted_underperformer"), 0.8) == []


def test_synthetic_description_only_for_the_bundled_file():
    activity = load.load_activity()
    text = content.synthetic_description(None, activity)
    assert "fictional NHS 111 contracts" in text and "not real NHS data" in text
    assert content.synthetic_description("elsewhere/iucadc.csv", activity) is None


def test_bottom_fifth_count_leaves_out_a_part_week():
    # Monday 1 April to Monday 15 April 2013: two whole weeks and one day of a third; the day is not a week.
    days = pd.date_range("2013-04-01", "2013-04-15")
    activity = pd.DataFrame({"period": np.repeat(days, 5), "contract_code": list("ABCDE") * len(days),
                             "region": "R", **{m: 100 for m in load.MEASURES}})
    activity["contract_name"] = activity["contract_code"]
    activity["calls_answered_60s"] = np.tile([95, 94, 93, 92, 50], len(days))
    counts = ranking.bottom_fifth_counts(activity, load.load_indicators()["answered_60s"], n_simulations=200)
    assert set(counts["periods"]) == {2} and counts.set_index("contract_code").loc["E", "times_bottom"] == 2


@pytest.mark.parametrize(("setting", "value", "words"), [
    ("probability", 1.5, "probability_bottom"), ("seed", -1, "seed"), ("n_simulations", 10, "n_simulations"),
    ("frequency", "Y", "frequency")])
def test_compare_contracts_refuses_a_bad_setting_by_its_parameter_name(setting, value, words):
    from ccgtools.errors import ParameterError

    with pytest.raises(ParameterError, match=words):
        ranking.compare_contracts(pd.DataFrame(), {}, **{setting: value})


def _bottom_fifth_reference(x: np.ndarray, n: np.ndarray, *, higher_is_better: bool, n_simulations: int, seed: int,
                            fraction: float = 0.2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The bottom-fifth count written plainly, one period and one simulation at a time (slow, for checking).

    Per period: rank the contracts with data from worst to best and take the worst ⌈fraction × m⌉.
    Chance: the same binomial draws as the vectorised function (same seed, drawn in the same blocks).
    """
    from ccgtools.stats.ranking import bottom_count

    periods, units = x.shape
    valid = (n > 0) & ~np.isnan(x)
    sign = -1.0 if higher_is_better else 1.0

    def bottom_of(rates: np.ndarray) -> np.ndarray:
        chosen = np.zeros((periods, units), dtype=bool)
        for period in range(periods):
            members = [u for u in range(units) if valid[period, u]]
            worst_first = sorted(members, key=lambda u: sign * rates[period, u], reverse=True)
            for unit in worst_first[:int(bottom_count(len(members), fraction))]:
                chosen[period, unit] = True
        return chosen

    with np.errstate(divide="ignore", invalid="ignore"):
        observed = bottom_of(x / n).sum(axis=0)
    national = [sum(x[p, u] for u in range(units) if valid[p, u]) / sum(n[p, u] for u in range(units) if valid[p, u])
                for p in range(periods)]
    rng = np.random.default_rng(seed)
    trials = np.where(valid, n, 0).astype(np.int64)
    chance = np.zeros((n_simulations, units))
    for start in range(0, n_simulations, 250):
        size = min(250, n_simulations - start)
        draws = rng.binomial(trials, np.array(national)[:, None], size=(size, *trials.shape))
        for offset, draw in enumerate(draws):
            with np.errstate(divide="ignore", invalid="ignore"):
                chance[start + offset] = bottom_of(draw / np.where(trials > 0, trials, np.nan)).sum(axis=0)
    return observed, chance.mean(axis=0), np.quantile(chance, 0.95, axis=0)


@pytest.mark.parametrize("seed", [3, 4])
def test_vectorised_bottom_fifth_count_equals_the_plain_loop_on_random_data(seed):
    # 13 contracts over 9 weeks with distinct prime call volumes (so no two rates can tie), a few
    # contract-weeks with no calls (left out of that week's ranking), and a random share answered.
    rng = np.random.default_rng(seed)
    primes = np.array([p for p in range(400, 3000) if all(p % d for d in range(2, int(p ** 0.5) + 1))])
    weeks, codes = pd.date_range("2013-04-07", periods=9, freq="7D"), [f"C{i:02d}" for i in range(13)]
    answered = rng.choice(primes, size=(len(weeks), len(codes)), replace=False)
    answered[rng.random(answered.shape) < 0.08] = 0
    within = rng.binomial(answered, rng.uniform(0.7, 0.95, size=len(codes)))
    activity = pd.DataFrame({"period": np.repeat(weeks, len(codes)), "contract_code": codes * len(weeks),
                             "region": "R", **{m: 0 for m in load.MEASURES}})
    activity["contract_name"] = activity["contract_code"]
    activity["calls_answered"], activity["calls_answered_60s"] = answered.ravel(), within.ravel()
    activity["calls_received"] = activity["calls_answered"]
    counts = ranking.bottom_fifth_counts(activity, load.load_indicators()["answered_60s"], n_simulations=300,
                                         seed=seed).set_index("contract_code").loc[codes]
    observed, expected, upper = _bottom_fifth_reference(within.astype(float), answered.astype(float),
                                                        higher_is_better=True, n_simulations=300, seed=seed)
    np.testing.assert_array_equal(counts["times_bottom"].to_numpy(), observed)
    np.testing.assert_allclose(counts["chance_expected"].to_numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(counts["chance_upper"].to_numpy(), upper, rtol=1e-12)
    assert observed.sum() > 0 and expected.sum() > 0  # the comparison is not of empty counts
