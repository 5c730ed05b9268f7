"""Seeded generator of the bundled synthetic provider-assurance data: a year of monthly returns and
record-level logs for six invented out-of-hours providers, with planted manipulations and their truth.

Synthetic: no provider is a real one and no figure is a real provider's. Each provider answers calls
(an exponential wait whose mean is set by its true share answered within 60 seconds), abandons a few,
and turns most answered calls into cases of three priorities; each case has a clinical assessment (a
gamma-distributed delay after the call is answered) and some a face-to-face consultation (a gamma delay
after the assessment ends). Volumes and waits have a winter peak and month-to-month noise beyond
chance. The return is what the provider sends the commissioner: counts per month computed from its own
records, less the 0 to 2 records per month entered after it compiled the return (a benign difference
the reconciliation tolerance allows). The log is the commissioner's record-level extract.

Planted manipulations (:data:`PLANTED`), each in named provider-months:

* ``inflated``: the return's calls answered within 60 seconds raised to just above 95%; the log is true.
* ``times_shifted``: most records just over a time limit moved just inside it, in the log and the return.
* ``copied``: the return repeats an earlier month's figures; the log is true.
* ``missing_days``: whole days removed from the log and the return.
* ``totals_wrong``: a total in the return that does not add up to its parts.
* ``reclassified``: urgent cases (the late ones first) recorded as less urgent, in the log and the return.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

from .. import config

SEED = 2025
MONTHS = pd.period_range("2025-04", "2026-03", freq="M")

#: (code, invented name, calls a month, true share answered in 60 s, abandoned, urgent share,
#:  urgent assessed in 20 min, urgent face to face in 2 h)
PROVIDERS = (
    ("OOH01", "Harrowfield Urgent Care", 520, 0.955, 0.035, 0.22, 0.93, 0.95),
    ("OOH02", "Blackwater Night Doctors", 430, 0.900, 0.055, 0.20, 0.90, 0.93),
    ("OOH03", "Kestrel Out of Hours", 900, 0.935, 0.040, 0.26, 0.90, 0.96),
    ("OOH04", "Mossley Vale GP Co-operative", 360, 0.968, 0.030, 0.21, 0.96, 0.94),
    ("OOH05", "Saltmarsh Health Partnership", 470, 0.920, 0.045, 0.23, 0.89, 0.92),
    ("OOH06", "Thornbury Evening Doctors", 300, 0.945, 0.038, 0.19, 0.92, 0.95),
)

#: The planted manipulations: (provider, month, manipulation type, KPI or "", what was done).
PLANTED = (
    *(("OOH02", m, "inflated", "answered_60s", ("calls answered within 60 seconds raised to just above 95% "
       "in the return")) for m in ("2025-10", "2025-11", "2025-12", "2026-01", "2026-02")),
    ("OOH03", "2025-07", "times_shifted", "answered_60s", ("80% of calls answered in 61-72 seconds recorded "
     "as answered in 49-60 seconds")),
    ("OOH03", "2026-01", "times_shifted", "urgent_assessment_20min", ("80% of urgent assessments started "
     "in 20-25 minutes recorded as started in 15-20 minutes")),
    ("OOH01", "2026-02", "copied", "", "the return repeats January 2026's figures"),
    ("OOH06", "2025-11", "copied", "", "the return repeats June 2025's figures"),
    ("OOH04", "2025-06", "missing_days", "", "4 days left out of the log and the return"),
    ("OOH06", "2026-02", "missing_days", "", "3 days left out of the log and the return"),
    ("OOH05", "2025-08", "totals_wrong", "", "calls received 23 more than answered plus abandoned"),
    ("OOH01", "2025-10", "totals_wrong", "", ("less urgent cases 14 more, so the priorities do not add up "
     "to all cases")),
    ("OOH05", "2026-02", "reclassified", "urgent_assessment_20min", ("late urgent cases and 30% of the "
     "others recorded as less urgent")),
    ("OOH02", "2025-06", "reclassified", "urgent_assessment_20min", ("late urgent cases and 50% of the "
     "others recorded as less urgent")),
)
MANIPULATIONS = ("inflated", "times_shifted", "copied", "missing_days", "totals_wrong", "reclassified")

RETURN_FILE = config.DATA_DIR / "assurance_returns_2025-26_synthetic.csv"
LOG_FILE = config.DATA_DIR / "assurance_records_2025-26_synthetic.csv"
TRUTH_FILE = config.DATA_DIR / "assurance_ground_truth_synthetic.csv"
PROVIDERS_FILE = config.DATA_DIR / "assurance_providers_synthetic.csv"

LOG_COLUMNS = ("provider_code", "record_id", "received", "answered", "priority", "assessment_started",
               "assessment_completed", "face_to_face_started")
RETURN_COLUMNS = ("month", "provider_code", "calls_received", "calls_answered", "calls_abandoned",
                  "calls_answered_60s", "pct_answered_60s", "pct_abandoned", "cases", "urgent_cases",
                  "less_urgent_cases", "routine_cases", "urgent_assessed_20min", "pct_urgent_assessed_20min",
                  "urgent_f2f", "urgent_f2f_2h", "pct_urgent_f2f_2h")
PRIORITIES = ("urgent", "less urgent", "routine")


def _gamma_scale(limit: float, share: float, shape: float) -> float:
    """The scale of a gamma(shape) delay with ``share`` of its mass within ``limit``."""
    return limit / sps.gamma.ppf(share, shape)


def _month_records(rng: np.random.Generator, provider: tuple, month: pd.Period, season: float) -> pd.DataFrame:
    """Every call of one provider in one month, with its hidden delays (seconds)."""
    _, _, volume, answer60, abandoned, urgent, urgent20, f2f2h = provider
    days = pd.date_range(month.start_time, month.end_time.normalize(), freq="D")
    weekend = days.day_of_week >= 5
    weights = np.where(weekend, 2.2, 1.0)
    daily_mean = volume * (1 + 0.12 * season) * weights / weights.sum() * rng.lognormal(0, 0.05)
    per_day = rng.poisson(daily_mean)
    day = np.repeat(days.to_numpy(), per_day)
    n = len(day)
    received = pd.to_datetime(day) + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s")
    noise = rng.lognormal(0, 0.06)  # the month's performance beyond chance
    mean_wait = 60 / -np.log(1 - answer60) * noise * (1 + 0.06 * season)
    wait = np.ceil(rng.exponential(mean_wait, n))
    is_answered = rng.random(n) >= abandoned * noise
    priority = rng.choice(np.array(["urgent", "less urgent", "routine"]), n,
                          p=[urgent, 0.38, 0.62 - urgent])
    has_case = is_answered & (rng.random(n) < 0.92)
    limits = {"urgent": (1200, urgent20), "less urgent": (3600, 0.95), "routine": (21_600, 0.95)}
    assess = np.zeros(n)
    for level, (limit, share) in limits.items():
        rows = priority == level
        scale = _gamma_scale(limit, min(share / noise ** 0.5, 0.995), 2.0)
        assess[rows] = np.ceil(rng.gamma(2.0, scale, rows.sum()))
    duration = np.ceil(rng.gamma(4.0, 180, n))
    f2f_need = rng.random(n) < np.select([priority == "urgent", priority == "less urgent"], [0.35, 0.25], 0.15)
    f2f_limits = {"urgent": (7200, f2f2h), "less urgent": (21_600, 0.95), "routine": (86_400, 0.95)}
    f2f = np.zeros(n)
    for level, (limit, share) in f2f_limits.items():
        rows = priority == level
        f2f[rows] = np.ceil(rng.gamma(3.0, _gamma_scale(limit, min(share / noise ** 0.5, 0.995), 3.0), rows.sum()))
    frame = pd.DataFrame({"received": received, "wait": np.where(is_answered, wait, np.nan),
                          "priority": np.where(has_case, priority, None),
                          "assess": np.where(has_case, assess, np.nan),
                          "duration": np.where(has_case, duration, np.nan),
                          "f2f": np.where(has_case & f2f_need, f2f, np.nan)})
    return frame.sort_values("received", kind="stable", ignore_index=True)


def _shift_inside(values: pd.Series, rng, limit: float, beyond: float, inside: float, share: float) -> pd.Series:
    """Move ``share`` of the values in (limit, limit + beyond] to (limit - inside, limit]."""
    moved = values.notna() & (values > limit) & (values <= limit + beyond) & (rng.random(len(values)) < share)
    out = values.copy()
    out[moved] = limit - np.floor(rng.random(int(moved.sum())) * inside)
    return out


def _apply_record_manipulations(frame: pd.DataFrame, rng, kind: str, kpi: str, month: pd.Period) -> pd.DataFrame:
    if kind == "times_shifted" and kpi == "answered_60s":
        frame["wait"] = _shift_inside(frame["wait"], rng, 60, 12, 12, 0.8)
    elif kind == "times_shifted":
        urgent = frame["priority"] == "urgent"
        shifted = _shift_inside(frame.loc[urgent, "assess"], rng, 1200, 300, 300, 0.8)
        frame.loc[urgent, "assess"] = shifted
    elif kind == "missing_days":
        days = 4 if month.month == 6 else 3
        start = int(rng.integers(3, month.days_in_month - days - 2))
        dropped = frame["received"].dt.day.between(start, start + days - 1)
        frame = frame[~dropped].reset_index(drop=True)
    elif kind == "reclassified":
        urgent = frame["priority"] == "urgent"
        late = urgent & (frame["assess"] > 1200)
        others = urgent & ~late & (rng.random(len(frame)) < (0.5 if month.month == 6 else 0.3))
        frame.loc[late | others, "priority"] = "less urgent"
    return frame


def _summarise(frame: pd.DataFrame) -> dict:
    """The provider's own monthly figures from its records (with the hidden delays)."""
    answered = frame["wait"].notna()
    urgent = frame["priority"] == "urgent"
    f2f = urgent & frame["f2f"].notna()
    counts = {
        "calls_received": len(frame), "calls_answered": int(answered.sum()),
        "calls_abandoned": int((~answered).sum()), "calls_answered_60s": int((frame["wait"] <= 60).sum()),
        "cases": int(frame["priority"].notna().sum()), "urgent_cases": int(urgent.sum()),
        "less_urgent_cases": int((frame["priority"] == "less urgent").sum()),
        "routine_cases": int((frame["priority"] == "routine").sum()),
        "urgent_assessed_20min": int((urgent & (frame["assess"] <= 1200)).sum()),
        "urgent_f2f": int(f2f.sum()), "urgent_f2f_2h": int((f2f & (frame["f2f"] <= 7200)).sum()),
    }
    return _with_percentages(counts)


def _with_percentages(counts: dict) -> dict:
    def pct(numerator: str, denominator: str) -> float:
        return round(100 * counts[numerator] / counts[denominator], 1) if counts[denominator] else float("nan")

    return {**counts, "pct_answered_60s": pct("calls_answered_60s", "calls_answered"),
            "pct_abandoned": pct("calls_abandoned", "calls_received"),
            "pct_urgent_assessed_20min": pct("urgent_assessed_20min", "urgent_cases"),
            "pct_urgent_f2f_2h": pct("urgent_f2f_2h", "urgent_f2f")}


def _log_rows(frame: pd.DataFrame, code: str, start: int) -> pd.DataFrame:
    """The records as the commissioner's extract holds them: timestamps to the second."""
    seconds = pd.to_timedelta
    answered = frame["received"] + seconds(frame["wait"], unit="s")
    started = answered + seconds(frame["assess"], unit="s")
    completed = started + seconds(frame["duration"], unit="s")
    seen = completed + seconds(frame["f2f"], unit="s")

    def text(stamps: pd.Series) -> pd.Series:
        return stamps.dt.strftime("%Y-%m-%d %H:%M:%S").where(stamps.notna(), "")

    return pd.DataFrame({"provider_code": code,
                         "record_id": [f"{code}-{i:06d}" for i in range(start, start + len(frame))],
                         "received": text(frame["received"]), "answered": text(answered),
                         "priority": frame["priority"].fillna(""), "assessment_started": text(started),
                         "assessment_completed": text(completed), "face_to_face_started": text(seen)})


def make_synthetic_assurance(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """The bundled data as DataFrames: ``providers``, ``returns``, ``records`` and ``truth``.

    Returns
    -------
    dict of DataFrame
        providers (provider_code, provider_name), returns (one row per provider and month, the columns
        of :data:`RETURN_COLUMNS`), records (one row per call, :data:`LOG_COLUMNS`), truth (one row per
        provider and month: ``manipulation`` empty when clean, ``kpi``, ``detail``).
    """
    rng = np.random.default_rng(seed)
    planted = {(p, m): (kind, kpi, detail) for p, m, kind, kpi, detail in PLANTED}
    returns, logs, truth = [], [], []
    for provider in PROVIDERS:
        code = provider[0]
        figures: dict[str, dict] = {}
        next_id = 1
        for month in MONTHS:
            label = str(month)
            season = np.cos(2 * np.pi * (month.month - 1) / 12)  # peak in January
            frame = _month_records(rng, provider, month, season)
            kind, kpi, detail = planted.get((code, label), ("", "", ""))
            frame = _apply_record_manipulations(frame, rng, kind, kpi, month)
            late = np.zeros(len(frame), dtype=bool)
            late[rng.choice(len(frame), int(rng.integers(0, 3)), replace=False)] = True
            counts = _summarise(frame[~late])
            if kind == "inflated":
                band = max(1, int(0.01 * counts["calls_answered"]))
                raised = int(np.ceil(0.95 * counts["calls_answered"])) + int(rng.integers(0, band))
                counts["calls_answered_60s"] = max(counts["calls_answered_60s"], raised)
                counts = _with_percentages({k: v for k, v in counts.items() if not k.startswith("pct_")})
            elif kind == "copied":
                source = {"OOH01": "2026-01", "OOH06": "2025-06"}[code]
                counts = dict(figures[source])
            elif kind == "totals_wrong" and code == "OOH05":
                counts["calls_received"] += 23
                counts = _with_percentages({k: v for k, v in counts.items() if not k.startswith("pct_")})
            elif kind == "totals_wrong":
                counts["less_urgent_cases"] += 14
            figures[label] = counts
            returns.append({"month": label, "provider_code": code, **counts})
            logs.append(_log_rows(frame, code, next_id))
            next_id += len(frame)
            truth.append({"provider_code": code, "month": label, "manipulation": kind, "kpi": kpi,
                          "detail": detail})
    providers = pd.DataFrame([(p[0], p[1]) for p in PROVIDERS], columns=["provider_code", "provider_name"])
    returns_frame = pd.DataFrame(returns)[list(RETURN_COLUMNS)]
    return {"providers": providers, "returns": returns_frame,
            "records": pd.concat(logs, ignore_index=True)[list(LOG_COLUMNS)], "truth": pd.DataFrame(truth)}


def write_synthetic_assurance(directory: str | Path | None = None, seed: int = SEED) -> dict[str, Path]:
    """Write the four files (providers, returns, records, ground truth) and return their paths."""
    folder = Path(directory) if directory is not None else config.DATA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    data = make_synthetic_assurance(seed)
    paths = {"providers": folder / PROVIDERS_FILE.name, "returns": folder / RETURN_FILE.name,
             "records": folder / LOG_FILE.name, "truth": folder / TRUTH_FILE.name}
    for key, path in paths.items():
        data[key].to_csv(path, index=False, lineterminator="\n")
    return paths


def evaluate(seeds, directory: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Detection and false-alarm rates pooled over data made with other ``seeds`` (written under ``directory``).

    Returns ``(by_type, by_check)`` as :func:`ccgtools.assurance.checks.score`, summed over the seeds: per
    manipulation type the returns planted and flagged; per check, how many of each it flagged.
    """
    from .checks import assess, score
    from .load import (
        load_definitions,
        load_providers,
        load_records,
        load_returns,
        load_truth,
    )

    definitions = load_definitions().for_layout("ooh")
    types, by_check = [], []
    for seed in seeds:
        paths = write_synthetic_assurance(Path(directory) / f"seed_{seed}", seed=seed)
        providers = load_providers(paths["providers"])
        assessment = assess(load_returns(paths["returns"], providers=providers), definitions,
                            load_records(paths["records"], providers=providers))
        one_type, one_check = score(assessment, load_truth(paths["truth"]))
        types.append(one_type)
        by_check.append(one_check.set_index("check").apply(lambda c: c.str.split(" of ").str[0].astype(int)))
    pooled = pd.concat(types).groupby("manipulation", sort=False)[["provider_periods", "flagged"]].sum()
    pooled["rate"] = pooled["flagged"] / pooled["provider_periods"]
    return pooled.reset_index(), sum(by_check).reset_index()


if __name__ == "__main__":  # python -m ccgtools.assurance.synthetic: regenerate the bundled files
    for written in write_synthetic_assurance().values():
        print(written)
