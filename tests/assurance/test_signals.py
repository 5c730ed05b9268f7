"""ccgtools.assurance.signals: each test against hand-worked values, scipy, and simulation with known truth."""

import itertools

import numpy as np
import pytest
from scipy import stats as sps

from ccgtools.assurance import signals


def test_bins_are_closed_on_the_right_so_a_time_at_the_limit_is_within_it():
    bins = signals.threshold_bins([58, 59, 60, 60, 61, 70, 71, 20, 100, 101], 60, bin_width=10, fit_range=40)
    assert bins["lower"].tolist() == [20, 30, 40, 50, 60, 70, 80, 90]
    # (50, 60] holds 58, 59, 60, 60; (60, 70] holds 61, 70; (70, 80] holds 71; 20 and 101 lie outside (20, 100].
    assert bins["count"].tolist() == [0, 0, 0, 4, 2, 1, 0, 1]


def test_flat_counts_give_an_even_split_and_scipys_binomial_p_value():
    # 30 records in every one-second bin, then 20 extra just inside the limit.
    durations = np.repeat(np.arange(21, 101), 30).astype(float)
    durations = np.concatenate([durations, np.full(20, 58.0)])
    result = signals.bunching_test(durations, 60, bin_width=1, window=10, fit_range=40)
    assert result.share_expected == pytest.approx(0.5, abs=1e-9)
    assert (result.inside, result.outside) == (320, 300)
    assert result.p_value == pytest.approx(sps.binomtest(320, 620, 0.5, alternative="greater").pvalue, rel=1e-12)


def test_exponential_counts_give_the_hand_worked_share():
    # Counts exactly proportional to exp(-x/20) (scaled so rounding is negligible): the log-quadratic fit
    # recovers the curve, and the expected share inside is sum(e^(-x/20), inside) / sum(window).
    centres = np.arange(20.5, 100.5)
    counts = np.round(1e6 * np.exp(-centres / 20)).astype(int)
    durations = np.repeat(np.arange(21, 101), counts).astype(float)
    result = signals.bunching_test(durations, 60, bin_width=1, window=10, fit_range=40)
    inside = np.exp(-np.arange(50.5, 60.5) / 20).sum()
    window = np.exp(-np.arange(50.5, 70.5) / 20).sum()
    assert result.share_expected == pytest.approx(inside / window, rel=1e-4)
    assert result.p_value > 0.05


def test_bunching_is_calibrated_under_the_null_and_finds_a_planted_shift():
    rng = np.random.default_rng(13)
    null, planted = [], []
    for _ in range(300):
        waits = np.ceil(rng.exponential(20, 3000))
        null.append(signals.bunching_test(waits, 60, bin_width=1, window=10, fit_range=40).p_value)
        moved = (waits > 60) & (waits <= 72) & (rng.random(len(waits)) < 0.8)
        shifted = np.where(moved, 60 - np.floor(rng.random(len(waits)) * 12), waits)
        planted.append(signals.bunching_test(shifted, 60, bin_width=1, window=10, fit_range=40).p_value)
    null, planted = np.array(null), np.array(planted)
    assert 0.02 <= (null < 0.05).mean() <= 0.08  # near the nominal 5%
    assert (null < 0.001).mean() <= 0.01
    assert (planted < 0.001).mean() >= 0.95


def test_too_few_records_give_no_p_value():
    result = signals.bunching_test([59.0, 61.0], 60, bin_width=1, window=10, fit_range=40)
    assert np.isnan(result.p_value)


def test_digit_preference_against_the_hand_worked_chi_square():
    # 100 counts: 28 end in 0, 22 in 5, the other 50 spread 6 or 7 over the other eight digits.
    tally = [28, 6, 7, 6, 7, 22, 6, 6, 6, 6]
    counts = [100 + d + 10 * i for d, n in enumerate(tally) for i in range(n)]
    result = signals.digit_preference_test(counts)
    expected = sum((t - 10) ** 2 / 10 for t in tally)  # (324 + 4 × 16 + 2 × 9 + 144 + 2 × 16) / 10 = 58.2
    assert result.statistic == pytest.approx(expected) and result.statistic == pytest.approx(58.2)
    assert result.p_value == pytest.approx(sps.chi2.sf(58.2, 9))
    assert result.commonest == 0 and result.counts == tuple(tally)


def test_digit_preference_false_alarm_rate_on_uniform_digits():
    rng = np.random.default_rng(5)
    p = [signals.digit_preference_test(rng.integers(100, 5000, 120)).p_value for _ in range(1000)]
    assert 0.005 <= np.mean(np.array(p) < 0.05) <= 0.08


def test_standard_band_hand_worked():
    bands = signals.standard_band([95, 94, 96, 93], [100, 100, 100, 100], 0.95, higher_is_better=True,
                                  band_share=0.01)
    assert bands.tolist() == ["just inside", "just outside", "", ""]
    lower = signals.standard_band([5, 6, 4, 7], [100, 100, 100, 100], 0.05, higher_is_better=False,
                                  band_share=0.01)
    assert lower.tolist() == ["just inside", "just outside", "", ""]
    wide = signals.standard_band([950, 954, 955, 946], [1000] * 4, 0.95, higher_is_better=True, band_share=0.005)
    assert wide.tolist() == ["just inside", "just inside", "", "just outside"]  # k = 5 events


def test_poisson_binomial_tail_equals_the_binomial_and_brute_force():
    assert signals.poisson_binomial_sf(3, [0.3] * 8) == pytest.approx(sps.binom.sf(2, 8, 0.3))
    probs = [0.1, 0.5, 0.25, 0.9]
    brute = sum(np.prod([p if hit else 1 - p for p, hit in zip(probs, outcome)])
                for outcome in itertools.product([0, 1], repeat=4) if sum(outcome) >= 2)
    assert signals.poisson_binomial_sf(2, probs) == pytest.approx(brute)
    assert signals.poisson_binomial_sf(0, probs) == pytest.approx(1.0)


def test_just_inside_chance_follows_the_providers_usual_level():
    # A provider at 90% every period has almost no chance of 95-96%; one at 95.5% has a good chance.
    n = np.full(12, 500)
    low = signals.just_inside_chance(np.full(12, 450), n, 0.95, higher_is_better=True, band_share=0.01)
    near = signals.just_inside_chance(np.full(12, 477), n, 0.95, higher_is_better=True, band_share=0.01)
    assert low.max() < 1e-3 and 0.2 < near.min() < 0.8  # (474.5 - 450) / √(500 × 0.09) = 3.65 SD away


def test_just_above_is_calibrated_by_simulation_and_finds_five_gamed_months():
    rng = np.random.default_rng(8)
    alarms = found = 0
    for _ in range(400):
        level = rng.uniform(0.93, 0.97)
        n = rng.integers(300, 600, 12)
        x = rng.binomial(n, np.clip(level + rng.normal(0, 0.01, 12), 0, 1))
        bands = signals.standard_band(x, n, 0.95, higher_is_better=True, band_share=0.01)
        chance = signals.just_inside_chance(x, n, 0.95, higher_is_better=True, band_share=0.01)
        inside, _, p = signals.just_above_test(bands, chance)
        alarms += inside >= 4 and p < 0.0001
        # A provider at about 90.5% that puts five months just above 95%.
        n = rng.integers(350, 500, 12)
        x = rng.binomial(n, np.clip(0.905 + rng.normal(0, 0.01, 12), 0, 1))
        for month in range(5, 10):
            x[month] = max(x[month], int(np.ceil(0.95 * n[month])) + rng.integers(0, max(1, int(0.01 * n[month]))))
        bands = signals.standard_band(x, n, 0.95, higher_is_better=True, band_share=0.01)
        inside, _, p = signals.just_above_test(bands, signals.just_inside_chance(x, n, 0.95, higher_is_better=True,
                                                                                   band_share=0.01))
        found += inside >= 4 and p < 0.0001
    assert alarms / 400 <= 0.02 and found / 400 >= 0.95


def test_stability_test_hand_worked():
    x, n = np.array([50, 50, 50, 50]), np.array([100, 100, 100, 100])
    statistic, df, p = signals.stability_test(x, n)
    assert (statistic, df) == (0.0, 3) and p == 0.0
    x = np.array([40, 60, 50])
    statistic, df, p = signals.stability_test(x, np.array([100, 100, 100]))
    assert statistic == pytest.approx((100 + 100 + 0) / 25) and p == pytest.approx(sps.chi2.cdf(8, 2))


def test_case_mix_test_is_fishers_exact_test_one_sided():
    _odds, p = signals.case_mix_test(0, [10, 50, 40], [200, 400, 400])
    assert p == pytest.approx(sps.fisher_exact([[10, 90], [200, 800]], alternative="less").pvalue)
    # Hand-worked hypergeometric: P(X <= 10) for X ~ Hypergeom(M=1100, n=210, N=100).
    assert p == pytest.approx(sps.hypergeom.cdf(10, 1100, 210, 100))
    assert np.isnan(signals.case_mix_test(0, [0, 0, 0], [1, 2, 3])[1])
