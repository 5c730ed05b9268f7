"""Seeded generator of the bundled synthetic NHS 111 dataset (2013-14, Minimum Data Set measures).

Synthetic: no figure is a real contract's, and no contract is a real one. The
contract landscape mirrors 2013 in size only (46 contracts in the four 2013 NHS
England regions, resident populations from 138,000, as the Isle of Wight had, to
5.8 million, as Yorkshire and the Humber had), but every contract has an
invented, place-like name that is no real NHS 111 contract area; and the
national totals are calibrated to the figures reported in
2013 (``../shared/METHODS.md``): March 2013 84% of answered calls answered
within 60 seconds, 8% abandoned, 37% of call-backs within 10 minutes; April
2013 566,532 calls, 87%, 4%, 47%. Easter 2013 (Thursday 28 March to Tuesday 2
April) is a surge with a dip in performance. Each KPI has its own contract
effect, only partly correlated with the others (:data:`EFFECT_CORRELATION`), so
agreement between KPIs is not built in. A few contracts are planted as true
underperformers on all three KPIs; the truth is written beside the data for tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, special

from .. import config

# (invented area name, region, resident population, provider type); sizes and regions as the 2013 contracts.
CONTRACTS = (
    ("Isle of Carrow", "South", 138_000, "Ambulance trust"),
    ("Greater Hallowmoor", "North", 5_800_000, "Ambulance trust"),
    ("Tynewold and Brackenmouth", "North", 2_600_000, "Ambulance trust"),
    ("Westfell", "North", 4_200_000, "Ambulance trust"),
    ("Greater Cottonby", "North", 2_700_000, "Ambulance trust"),
    ("Skarnfell", "North", 500_000, "GP cooperative"),
    ("Lanmoor Ridings", "North", 1_460_000, "Ambulance trust"),
    ("Mersevale and Ashcombe", "North", 2_450_000, "Ambulance trust"),
    ("Mercot Vale", "Midlands and East", 2_900_000, "NHS Direct"),
    ("Brummerton and Solby", "Midlands and East", 1_280_000, "NHS Direct"),
    ("Ironhollow", "Midlands and East", 1_150_000, "NHS Direct"),
    ("Covenbridge", "Midlands and East", 850_000, "NHS Direct"),
    ("Stavenshire", "Midlands and East", 1_100_000, "NHS Direct"),
    ("Wrekinford", "Midlands and East", 470_000, "GP cooperative"),
    ("Dervale Peaks", "Midlands and East", 1_020_000, "GP cooperative"),
    ("Trentwick", "Midlands and East", 1_090_000, "Ambulance trust"),
    ("Leystone and Rutmere", "Midlands and East", 1_000_000, "Ambulance trust"),
    ("Fenholme", "Midlands and East", 720_000, "Ambulance trust"),
    ("Nenford", "Midlands and East", 700_000, "GP cooperative"),
    ("Camfen and Petermarsh", "Midlands and East", 850_000, "NHS Direct"),
    ("Broadmere", "Midlands and East", 880_000, "Independent sector"),
    ("Orwellby", "Midlands and East", 730_000, "NHS Direct"),
    ("North Saxmarsh", "Midlands and East", 900_000, "NHS Direct"),
    ("South Saxmarsh", "Midlands and East", 780_000, "NHS Direct"),
    ("Hartwood", "Midlands and East", 1_120_000, "Independent sector"),
    ("Bedlow and Lutmere", "Midlands and East", 630_000, "NHS Direct"),
    ("Kenbury New Town", "Midlands and East", 250_000, "NHS Direct"),
    ("Thamesgate Highbarrow", "London", 1_900_000, "Independent sector"),
    ("Thamesgate Kingsmere", "London", 1_250_000, "GP cooperative"),
    ("Thamesgate Marshend", "London", 1_800_000, "Ambulance trust"),
    ("Thamesgate Ryewell", "London", 1_700_000, "Ambulance trust"),
    ("Thamesgate Combe Heath", "London", 1_400_000, "Independent sector"),
    ("Kentmarsh and Medlow", "South", 1_750_000, "Ambulance trust"),
    ("Surwold", "South", 1_130_000, "NHS Direct"),
    ("Downsmere", "South", 1_600_000, "NHS Direct"),
    ("Hamblevale", "South", 1_350_000, "Ambulance trust"),
    ("Upper Isisvale", "South", 2_200_000, "Ambulance trust"),
    ("Plainsbury", "South", 480_000, "GP cooperative"),
    ("Dorrow Coast", "South", 750_000, "Ambulance trust"),
    ("Dartholm", "South", 1_130_000, "Independent sector"),
    ("Tamarend and the Outer Isles", "South", 540_000, "Independent sector"),
    ("Levelsmoor", "South", 530_000, "GP cooperative"),
    ("Cotsbury", "South", 600_000, "Ambulance trust"),
    ("Avonport and Kingsvale", "South", 920_000, "GP cooperative"),
    ("Aquaford", "South", 180_000, "GP cooperative"),
    ("Swinbury", "South", 210_000, "GP cooperative"),
)

#: Contracts planted as truly worse than the rest on every KPI (for tests, the page and the data README).
PLANTED_UNDERPERFORMERS = ("Ironhollow", "North Saxmarsh", "Downsmere", "Camfen and Petermarsh")

START, END = "2013-03-01", "2014-03-31"
EASTER = pd.date_range("2013-03-28", "2013-04-02")

#: National calibration targets: month -> (answered within 60 s, abandoned after 30 s, call-backs within 10 min).
CALIBRATION = {"2013-03": (0.84, 0.08, 0.37), "2013-04": (0.87, 0.04, 0.47)}
APRIL_2013_CALLS = 566_532
#: Later months, not published nationally here: a plausible steady improvement.
#: Contract effects on the logit scale: SD, correlation between any two KPIs, and the planted shift.
EFFECT_SD, EFFECT_CORRELATION, PLANTED_SHIFT = 0.35, 0.4, 0.9
KPIS = ("answered_60s", "abandoned_30s", "callback_10min")
LATER = {"answered_60s": (0.90, 0.955), "abandoned_30s": (0.03, 0.012), "callback_10min": (0.50, 0.62)}


def contracts_table() -> pd.DataFrame:
    """The 46 contracts: code, area name, region, resident population, provider type."""
    frame = pd.DataFrame(CONTRACTS, columns=["contract_name", "region", "population", "provider_type"])
    frame.insert(0, "contract_code", [f"111C{i:02d}" for i in range(1, len(frame) + 1)])
    return frame


def _calibrated_offset(weights: np.ndarray, logits: np.ndarray, target: float) -> float:
    """The shift of all logits that makes the weighted mean probability equal ``target``."""
    return optimize.brentq(lambda shift: np.average(special.expit(logits + shift), weights=weights) - target,
                           -20, 20)


def contract_effects(rng: np.random.Generator, contracts: int) -> np.ndarray:
    """Each contract's effect on each KPI (logit scale, positive = better): multivariate normal.

    SD :data:`EFFECT_SD` for every KPI and correlation :data:`EFFECT_CORRELATION`
    between any two, so a contract good on one KPI tends to be a little better on
    the others, as real providers are, without all KPIs telling one story.
    """
    k = len(KPIS)
    correlation = np.full((k, k), EFFECT_CORRELATION) + (1 - EFFECT_CORRELATION) * np.eye(k)
    return rng.multivariate_normal(np.zeros(k), EFFECT_SD ** 2 * correlation, size=contracts)


def make_synthetic_nhs111(seed: int = 2013) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily synthetic 111 activity per contract, 1 March 2013 to 31 March 2014.

    Returns
    -------
    (contracts, activity) : tuple of DataFrame
        ``contracts`` as :func:`contracts_table` plus ``planted_underperformer``;
        ``activity`` one row per contract and day with the MDS measures.
    """
    rng = np.random.default_rng(seed)
    contracts = contracts_table()
    contracts["planted_underperformer"] = contracts["contract_name"].isin(PLANTED_UNDERPERFORMERS)
    days = pd.date_range(START, END)
    n_c, n_d = len(contracts), len(days)
    # Calls: 111 was rolling out in spring 2013, so volume ramps up; weekends and Easter are busier.
    rollout = np.clip(0.45 + 0.55 * (np.arange(n_d) / 200), 0.45, 1.0)
    weekday = np.where(days.day_of_week >= 5, 1.9, 1.0) * np.where(days.isin(EASTER), 1.6, 1.0)
    shape = contracts["population"].to_numpy()[:, None] * (rollout * weekday)[None, :]
    april = (days >= "2013-04-01") & (days <= "2013-04-30")
    expected_calls = shape * APRIL_2013_CALLS / shape[:, april].sum()
    received = rng.poisson(expected_calls * rng.gamma(40, 1 / 40, size=(n_c, n_d)))
    received[:, april] = _rescale_to_total(received[:, april], APRIL_2013_CALLS)

    planted = contracts["planted_underperformer"].to_numpy()[:, None]
    effects = contract_effects(rng, n_c) - PLANTED_SHIFT * planted  # (contracts, KPIs), positive = better
    easter_dip = np.where(days.isin(EASTER), -0.9, 0.0)[None, :]
    months = days.strftime("%Y-%m")

    def rates(kind: str, better_high: bool, weights: np.ndarray) -> np.ndarray:
        sign = 1 if better_high else -1
        noise = rng.normal(0, 0.25, size=(n_c, n_d))
        logits = sign * (effects[:, [KPIS.index(kind)]] + easter_dip + noise)
        out = np.empty((n_c, n_d))
        later_months = sorted(set(months) - set(CALIBRATION))
        for month in sorted(set(months)):
            cols = months == month
            if month in CALIBRATION:
                target = CALIBRATION[month][KPIS.index(kind)]
            else:
                start, end = LATER[kind]
                target = start + (end - start) * later_months.index(month) / max(len(later_months) - 1, 1)
            shift = _calibrated_offset(weights[:, cols].ravel() + 1e-9, logits[:, cols].ravel(), target)
            out[:, cols] = special.expit(logits[:, cols] + shift)
        return out

    # Each rate is calibrated with its own denominator as the weight, so that the national
    # monthly figure is the target.
    abandoned = rng.binomial(received, rates("abandoned_30s", False, received))
    answered = received - abandoned - rng.binomial(received - abandoned, 0.005)
    answered_60s = rng.binomial(answered, rates("answered_60s", True, answered))
    triaged = rng.binomial(answered, 0.82)
    callbacks_needed = rng.binomial(triaged, 0.18)
    callbacks_10min = rng.binomial(callbacks_needed, rates("callback_10min", True, callbacks_needed))
    warm_transfers = rng.binomial(callbacks_needed, 0.35)
    activity = pd.DataFrame({
        "date": np.tile(days.strftime("%Y-%m-%d"), n_c),
        "contract_code": np.repeat(contracts["contract_code"].to_numpy(), n_d),
        "calls_received": received.ravel(), "calls_answered": answered.ravel(),
        "calls_answered_60s": answered_60s.ravel(), "calls_abandoned_30s": abandoned.ravel(),
        "calls_triaged": triaged.ravel(), "callbacks_needed": callbacks_needed.ravel(),
        "callbacks_10min": callbacks_10min.ravel(), "warm_transfers": warm_transfers.ravel(),
    })
    return contracts, activity


def _rescale_to_total(counts: np.ndarray, total: int) -> np.ndarray:
    """Scale counts to sum exactly to ``total`` (largest-remainder rounding)."""
    scaled = counts * total / counts.sum()
    floors = np.floor(scaled).astype(int)
    shortfall = total - floors.sum()
    order = np.argsort(-(scaled - floors), axis=None, kind="stable")[:shortfall]
    flat = floors.ravel()
    flat[order] += 1
    return flat.reshape(counts.shape)


def write_synthetic_nhs111(directory: str | Path | None = None, seed: int = 2013) -> tuple[Path, Path]:
    """Write the contracts and activity files (default: the bundled ones in ``data/``)."""
    directory = config.resolve_path(directory, config.DATA_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    contracts, activity = make_synthetic_nhs111(seed)
    contracts_path = directory / config.NHS111_CONTRACTS.name
    activity_path = directory / config.NHS111_ACTIVITY.name
    contracts.to_csv(contracts_path, index=False, lineterminator="\n")
    activity.to_csv(activity_path, index=False, lineterminator="\n")
    return contracts_path, activity_path
