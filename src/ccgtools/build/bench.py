"""``make bench``: performance figures for this machine (printed, never asserted by tests).

Each vectorised ccgtools calculation is timed beside the same calculation done
the naive way (a pandas groupby-apply or a Python loop over units) in the same
run, and the ratio printed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as scipy_stats

from .. import stats

PRACTICES, BANDS, INDICATORS, UNITS_RANKED, DRAWS = 7_000, 38, 20, 50, 10_000


def best_time(function: Callable[[], object], repeats: int = 5) -> float:
    """Shortest wall time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def _synthetic_inputs(seed: int = 1):
    rng = np.random.default_rng(seed)
    population = pd.DataFrame(rng.integers(0, 600, size=(PRACTICES, BANDS)),
                              index=[f"P{i:05d}" for i in range(PRACTICES)],
                              columns=[f"band{j:02d}" for j in range(BANDS)])
    rates = pd.DataFrame(rng.uniform(0.001, 0.2, size=(BANDS, INDICATORS)), index=population.columns,
                         columns=[f"indicator{k:02d}" for k in range(INDICATORS)])
    expected = population.to_numpy() @ rates.to_numpy()
    observed = pd.DataFrame(rng.poisson(expected * rng.gamma(20, 1 / 20, size=expected.shape)),
                            index=population.index, columns=rates.columns)
    return population, rates, observed


def indirect_standardisation_vectorised(population, rates, observed) -> pd.DataFrame:
    expected = stats.expected_events(population, rates)
    return stats.indirectly_standardised_ratio(observed.stack(), expected.stack())


def indirect_standardisation_naive(population, rates, observed) -> pd.DataFrame:
    long = population.stack().rename("population").rename_axis(["practice", "band"]).reset_index()
    rows = []
    for indicator in rates.columns:
        with_rate = long.assign(rate=long["band"].map(rates[indicator]))
        expected = with_rate.groupby("practice").apply(lambda g: (g["population"] * g["rate"]).sum(),
                                                       include_groups=False)
        for practice, e in expected.items():
            o = observed.at[practice, indicator]
            lower = scipy_stats.chi2.ppf(0.025, 2 * o) / 2 if o > 0 else 0.0
            upper = scipy_stats.chi2.ppf(0.975, 2 * o + 2) / 2
            rows.append((practice, indicator, o / e, lower / e, upper / e))
    return pd.DataFrame(rows, columns=["practice", "indicator", "ratio", "lower", "upper"])


def funnel_vectorised(observed, expected):
    stats.funnel_limits(expected, 1.0, statistic="ratio")
    return stats.overdispersion(observed, expected, statistic="ratio")


def funnel_naive(observed, expected):
    """Funnel limits and φ the naive way: a root-finding per unit, a Python loop over units."""
    rows = []
    for e in expected:
        row = {}
        for level in (0.95, 0.998):
            alpha = 1 - level
            row[level] = (_scalar_funnel_count(e, 1 - alpha / 2, shift=1), _scalar_funnel_count(e, alpha / 2))
        rows.append(row)
    z = [(math.sqrt(o / e) - 1) * 2 * math.sqrt(e) for o, e in zip(observed, expected)]
    low, high = np.quantile(z, [0.1, 0.9])
    phi = sum(min(max(v, low), high) ** 2 for v in z) / len(z)
    return rows, phi


def _scalar_funnel_count(expected: float, probability: float, shift: int = 0) -> float:
    """The count on a Poisson funnel limit for one unit, by root-finding (the naive way)."""
    target = 2 * expected
    if shift:
        function = lambda o: scipy_stats.chi2.ppf(probability, 2 * o + 2) - target  # noqa: E731
    else:
        function = lambda o: scipy_stats.chi2.ppf(probability, 2 * o) - target  # noqa: E731
    try:
        return optimize.brentq(function, 1e-9, 10 * expected + 50)
    except ValueError:
        return 0.0


def ranks_vectorised(x, n):
    return stats.rank_uncertainty(x, n, n_simulations=DRAWS, seed=1)


def ranks_naive(x, n):
    rng = np.random.default_rng(1)
    ranks = []
    for _ in range(DRAWS):
        draw = pd.Series(rng.beta(x + 0.5, n - x + 0.5))
        ranks.append(draw.rank(ascending=False).to_numpy())
    ranks = np.array(ranks)
    return np.median(ranks, axis=0), np.quantile(ranks, [0.025, 0.975], axis=0)


def practice_variation_england() -> tuple[float, int]:
    """Time the practice-variation analysis (not plotting) for an England-sized synthetic set."""
    from ..practices import variation
    from ..practices.synthetic import ENGLAND_REGIONS, INDICATORS, make_synthetic_practices

    frames = make_synthetic_practices(6_500, regions=ENGLAND_REGIONS)
    registrations = frames["registrations"]
    population = registrations.assign(band=registrations["SEX"] + " " + registrations["AGE_GROUP_5"]).pivot(
        index="CODE", columns="band", values="NUMBER_OF_PATIENTS")
    events = frames["events"].pivot(index="practice_code", columns="indicator", values="events")
    rates = frames["reference_rates"].assign(band=lambda f: f["sex"] + " " + f["age_group"]).pivot(
        index="band", columns="indicator", values="rate")

    def analyse() -> None:
        for indicator in INDICATORS:
            frame = variation.practice_frame(frames["practices"], population, events, rates, indicator)
            variation.analyse_indicator(frame, indicator, covariates=("imd", "rural"))

    return best_time(analyse, repeats=3), population.shape[1]


def _timed_command(arguments: list[str], **options) -> float:
    import subprocess

    started = time.perf_counter()
    subprocess.run(arguments, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **options)
    return time.perf_counter() - started


def build_benchmarks() -> list[tuple[str, float]]:
    """Whole-site builds: cold with 1 and 2 workers, a no-change rebuild, and the naive CLI loop."""
    import json
    import shutil
    import sys
    import tempfile
    from pathlib import Path

    from .. import config
    from .briefings import effective_parameters, load_build_config

    bin_dir = Path(sys.executable).parent
    ccgtools_cli = [sys.executable, "-m", "ccgtools.cli"]
    briefings = [b for b in load_build_config() if not b.missing_requirements()]
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for jobs in (1, 2):
            reports = Path(scratch) / f"jobs{jobs}"
            seconds = _timed_command([*ccgtools_cli, "build", "--reports", str(reports), "--jobs", str(jobs)])
            results.append((f"cold full build, {len(briefings)} briefings, --jobs {jobs}", seconds))
        seconds = _timed_command([*ccgtools_cli, "build", "--reports", str(Path(scratch) / "jobs2")])
        results.append(("rebuild with nothing changed", seconds))
        naive_dir = Path(scratch) / "naive"
        naive_dir.mkdir()
        started = time.perf_counter()
        for briefing in briefings:
            executed = naive_dir / f"{briefing.name}.ipynb"
            _timed_command([str(bin_dir / "papermill"), str(briefing.notebook), str(executed), "-k", config.KERNEL_NAME,
                            "-y", json.dumps(effective_parameters(briefing) | briefing.parameters),
                            "--cwd", str(config.PROJECT_ROOT)])
            _timed_command([str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
        results.append((f"naive: papermill CLI then jupyter nbconvert CLI, {len(briefings)} briefings",
                        time.perf_counter() - started))
        shutil.rmtree(naive_dir, ignore_errors=True)
    return results


def main() -> None:
    """Print the benchmark tables."""
    population, rates, observed = _synthetic_inputs()
    expected_one = stats.expected_events(population, rates.iloc[:, 0])[rates.columns[0]]
    observed_one = observed.iloc[:, 0]
    rng = np.random.default_rng(2)
    rank_n = rng.integers(200, 5_000, size=UNITS_RANKED)
    rank_x = rng.binomial(rank_n, 0.8)
    cases = [
        (f"indirect standardisation, {PRACTICES:,} practices x {BANDS} bands x {INDICATORS} indicators",
         lambda: indirect_standardisation_vectorised(population, rates, observed),
         lambda: indirect_standardisation_naive(population, rates, observed), 1),
        (f"funnel limits + over-dispersion, {PRACTICES:,} units",
         lambda: funnel_vectorised(observed_one, expected_one),
         lambda: funnel_naive(observed_one.to_numpy(), expected_one.to_numpy()), 1),
        (f"rank simulation, {DRAWS:,} draws x {UNITS_RANKED} units",
         lambda: ranks_vectorised(rank_x, rank_n), lambda: ranks_naive(rank_x, rank_n), 1),
    ]
    print(f"{'calculation':<72} {'ccgtools s':>11} {'naive s':>9} {'speed-up':>9}")
    for name, fast, slow, slow_repeats in cases:
        fast_s = best_time(fast)
        slow_s = best_time(slow, repeats=slow_repeats)
        print(f"{name:<72} {fast_s:>11.4f} {slow_s:>9.2f} {slow_s / fast_s:>8.0f}x")
    seconds, bands = practice_variation_england()
    print(f"{'practice variation analysis, 6,500 practices x ' + str(bands) + ' bands x 4 indicators':<72} "
          f"{seconds:>11.4f} {'(target < 2 s)':>19}")
    print()
    builds = build_benchmarks()
    naive = builds[-1][1]
    print(f"{'site build':<72} {'seconds':>11} {'vs naive':>9}")
    for name, seconds in builds:
        print(f"{name:<72} {seconds:>11.2f} {naive / seconds:>8.1f}x")


if __name__ == "__main__":
    main()
