"""``make bench``: performance figures for this machine (printed, never asserted by tests).

Each vectorised ccgtools calculation is timed beside the same calculation done
the naive way (a pandas groupby-apply or a Python loop over units) in the same
run, and the ratio printed. Then, in the same run, the site: the naive loop
(papermill CLI, then nbconvert CLI, per briefing), ``ccgtools build`` cold with
``--jobs 1`` and with every core, each against the naive loop, the CPU seconds
per briefing, a rebuild with nothing changed, and the marginal cost per extra
briefing on a generated sweep of 40 briefings. ``--part`` runs parts;
``--quick`` a short subset.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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


@dataclass
class Timing:
    """One timed run: wall seconds, CPU seconds of everything it started (kernels included), and
    how many briefings failed (from the build's last line; a failed briefing makes a build look fast)."""

    wall_s: float
    cpu_s: float
    failed: int = 0


def timed_command(arguments: list[str], **options) -> Timing:
    """Run a command to completion; its wall time and the CPU time of it and all it waited for.

    CPU time is the change in this process's children's resource usage (user + system): the
    command, its worker processes, the zygote and every kernel (each waited for by its parent).
    """
    import resource
    import subprocess

    import re

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: a briefing failed (counted below); anything else: no build
        raise subprocess.CalledProcessError(done.returncode, arguments, done.stdout, done.stderr)
    failed = re.search(r"failed (\d+), skipped", done.stdout)
    return Timing(wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                  int(failed.group(1)) if failed else done.returncode)


def _cli() -> list[str]:
    import sys

    return [sys.executable, "-m", "ccgtools.cli"]


def buildable_briefings(config_path=None, only: list[str] | None = None) -> list:
    """The briefings of a build config (those ``only`` names) that can be built here (their data are present)."""
    from .briefings import load_build_config
    from .plan import select_briefings

    return [b for b in select_briefings(load_build_config(config_path), only) if not b.missing_requirements()]


def _only(only: list[str] | None) -> list[str]:
    return [argument for pattern in only or [] for argument in ("--only", pattern)]


def naive_loop(briefings: list, folder) -> Timing:
    """The naive way, timed: for each briefing, the papermill CLI, then the jupyter nbconvert CLI."""
    import json
    import sys
    from pathlib import Path

    from .. import config
    from .briefings import effective_parameters

    bin_dir = Path(sys.executable).parent
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    total = Timing(0.0, 0.0)
    for briefing in briefings:
        executed = folder / f"{briefing.name}.ipynb"
        for command in ([str(bin_dir / "papermill"), str(briefing.notebook), str(executed), "-k", config.KERNEL_NAME,
                         "-y", json.dumps(effective_parameters(briefing) | briefing.parameters),
                         "--cwd", str(config.PROJECT_ROOT)],
                        [str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)]):
            step = timed_command(command)
            total = Timing(total.wall_s + step.wall_s, total.cpu_s + step.cpu_s, total.failed + step.failed)
    return total


def cold_build(reports, jobs: int, config_path=None, only: list[str] | None = None) -> Timing:
    """``ccgtools build`` into an empty reports folder with ``--jobs``."""
    arguments = [*_cli(), "build", "--reports", str(reports), "--jobs", str(jobs), "--force", *_only(only)]
    return timed_command(arguments + (["--config", str(config_path)] if config_path else []))


def rebuild(reports, config_path=None, only: list[str] | None = None) -> Timing:
    """``ccgtools build`` again, nothing having changed: every briefing reused."""
    arguments = [*_cli(), "build", "--reports", str(reports), *_only(only)]
    return timed_command(arguments + (["--config", str(config_path)] if config_path else []))


def slowest_briefings(reports, count: int = 5) -> list[tuple[str, float]]:
    """The briefings that took longest in the build of ``reports`` (from its manifest)."""
    import json
    from pathlib import Path

    entries = json.loads((Path(reports) / "manifest.json").read_text(encoding="utf-8"))["briefings"]
    durations = sorted(((name, float(e.get("duration_s") or 0)) for name, e in entries.items()), key=lambda x: -x[1])
    return durations[:count]


#: The sweep for the marginal cost: the practice-variation notebook over ten flag levels and its four
#: indicators (40 variants, of which the first N are built: every indicator among the first ten).
SWEEP_AXES = {"flag_level": (0.9, 0.925, 0.975, 0.98, 0.99, 0.995, 0.997, 0.999, 0.9995, 0.9999),
              "indicator": ("emergency_admissions", "ae_attendances", "antibiotic_items", "outpatient_referrals")}
SWEEP_NOTEBOOK = "notebooks/practice_variation.ipynb"


def write_sweep_config(folder, size: int, notebook: str = SWEEP_NOTEBOOK, axes: dict | None = None) -> Path:
    """A build config of ``size`` briefings: one notebook over the combinations of ``axes`` (cycled if short)."""
    import itertools
    import json
    from pathlib import Path

    from .. import config

    axes = axes or SWEEP_AXES
    combinations = list(itertools.product(*axes.values()))
    lines = []
    for number in range(size):
        values = dict(zip(axes, combinations[number % len(combinations)]))
        parameters = ", ".join(f"{key} = {json.dumps(value)}" for key, value in values.items())
        lines += ["[[briefing]]", f'name = "sweep_{number:03d}"', f'title = "Sweep briefing {number}"',
                  f'notebook = "{config.PROJECT_ROOT / notebook}"', f"parameters = {{ {parameters} }}", ""]
    path = Path(folder) / f"sweep_{size}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def sweep_benchmark(folder, size: int = 40, small: int = 10, jobs: int | None = None) -> dict:
    """Marginal wall cost per extra briefing: cold builds of a ``small`` and a ``size`` sweep, all cores."""
    import os
    from pathlib import Path

    jobs = jobs or os.cpu_count() or 1
    Path(folder).mkdir(parents=True, exist_ok=True)
    timings = {}
    for count in (small, size):
        config_path = write_sweep_config(folder, count)
        timings[count] = cold_build(Path(folder) / f"sweep{count}", jobs, config_path)
    return {"small": small, "size": size, "jobs": jobs, "timings": timings,
            "marginal_s": (timings[size].wall_s - timings[small].wall_s) / (size - small),
            "marginal_cpu_s": (timings[size].cpu_s - timings[small].cpu_s) / (size - small)}


def build_benchmarks(parts: set[str], folder, only: list[str] | None = None) -> None:
    """Print the site-build figures asked for in ``parts`` (naive, builds, sweep), each with its ratio.

    ``only``: names or patterns of the default site's briefings to build (default: all that can be).
    """
    import os
    from pathlib import Path

    folder = Path(folder)
    cores = os.cpu_count() or 1
    briefings = buildable_briefings(only=only)
    only = [b.name for b in briefings] if only else None
    count = len(briefings)
    naive = None
    cold: dict[int, Timing] = {}

    def row(name: str, timing: Timing, built: int) -> None:
        ratio = f"{naive.wall_s / timing.wall_s:>8.1f}x" if naive is not None else f"{'':>9}"
        per = f"{timing.cpu_s / built:>15.2f}" if built else f"{'':>15}"
        warning = f"  ({timing.failed} FAILED)" if timing.failed else ""
        print(f"{name:<66} {timing.wall_s:>8.2f} {ratio} {timing.cpu_s:>8.1f} {per}{warning}", flush=True)

    if parts & {"naive", "builds"}:
        print(f"{'site build':<66} {'wall s':>8} {'vs naive':>9} {'CPU s':>8} {'CPU s/briefing':>15}", flush=True)
    if "naive" in parts:
        naive = naive_loop(briefings, folder / "naive")
        row(f"naive: papermill CLI then jupyter nbconvert CLI, {count} briefings", naive, count)
    if "builds" in parts:
        for jobs in ([1, cores] if "quick" not in parts else [cores]):
            cold[jobs] = cold_build(folder / f"jobs{jobs}", jobs, only=only)
            row(f"ccgtools build, cold, {count} briefings, --jobs {jobs}", cold[jobs], count)
        row("rebuild with nothing changed", rebuild(folder / f"jobs{cores}", only=only), 0)
        if 1 in cold and cores in cold and cores > 1:
            print(f"{'all ' + str(cores) + ' cores against --jobs 1':<66} {cold[1].wall_s / cold[cores].wall_s:>8.2f}x")
        slowest = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in slowest_briefings(folder / f"jobs{cores}"))
        print(f"slowest briefings (--jobs {cores}): {slowest}", flush=True)
    if "sweep" in parts:
        result = sweep_benchmark(folder / "sweep")
        small, size = result["small"], result["size"]
        print()
        print(f"{'sweep of ' + SWEEP_NOTEBOOK + ' (generated config)':<66} {'wall s':>8} {'CPU s':>9}")
        for built, timing in result["timings"].items():
            warning = f"  ({timing.failed} FAILED)" if timing.failed else ""
            print(f"{'cold build, ' + str(built) + ' briefings, --jobs ' + str(result['jobs']):<66} "
                  f"{timing.wall_s:>8.2f} {timing.cpu_s:>9.1f}{warning}", flush=True)
        print(f"{f'marginal cost per extra briefing ({small} -> {size})':<66} {result['marginal_s']:>8.2f} "
              f"{result['marginal_cpu_s']:>9.2f}", flush=True)


#: The parts of ``make bench``; ``--quick`` runs the calculations, England and one cold build.
PARTS = ("calculations", "england", "naive", "builds", "sweep")


def calculation_benchmarks() -> None:
    """Each vectorised calculation beside the naive one, timed in the same run."""
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
        print(f"{name:<72} {fast_s:>11.4f} {slow_s:>9.2f} {slow_s / fast_s:>8.0f}x", flush=True)


def main(argv: list[str] | None = None) -> None:
    """Print the benchmark tables (all parts, or those chosen)."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m ccgtools.build.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--part", action="append", choices=PARTS,
                        help="run only this part (repeat for several); default: all")
    parser.add_argument("--quick", action="store_true",
                        help="calculations, England-scale analysis and one cold build on all cores (no naive loop, "
                             "no --jobs 1, no sweep)")
    parser.add_argument("--only", action="append", metavar="NAME_OR_PATTERN",
                        help="build only these briefings of the default site (as ccgtools build --only)")
    args = parser.parse_args(argv)
    parts = set(args.part or PARTS)
    if args.quick:
        parts = {"calculations", "england", "builds", "quick"}
    if "calculations" in parts:
        calculation_benchmarks()
    if "england" in parts:
        seconds, bands = practice_variation_england()
        print(f"{'practice variation analysis, 6,500 practices x ' + str(bands) + ' bands x 4 indicators':<72} "
              f"{seconds:>11.4f} {'(target < 1 s)':>19}", flush=True)
    if parts & {"naive", "builds", "sweep"}:
        print()
        with tempfile.TemporaryDirectory(prefix="ccgtools-bench-") as scratch:
            build_benchmarks(parts, scratch, args.only)


if __name__ == "__main__":
    main()
