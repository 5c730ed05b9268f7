"""Seeded generator of the synthetic England-sized practice set for the area profiles.

Invented but England-shaped: about 6,500 GP practices in 42 integrated care boards (ICBs) in the
seven NHS regions (as many ICBs per region as in England), each practice with a list size, its
patients' age structure (% under 15, % aged 65+), an IMD 2019-like deprivation score and a
rurality; two financial years (2022/23 and 2023/24) of four QOF-like proportion indicators
(numerator and denominator per practice) made from a logistic model of the covariates, an ICB
effect, practice-level extra variation (over-dispersion) in level and in change, and a national
trend. Planted, so that the briefing has something real to find: three ICBs whose indicator truly
changed between the years, practices that are true outliers, and practices whose position truly
changed. Between the years some practices close, a few open, and some move to another ICB of the
same region. Practice codes start with "S" and ICB codes with "SQ" (not used for real ones).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import config

SEED = 2024
PERIODS = ("2022/23", "2023/24")
#: The seven NHS England regions and how many ICBs each has (as in England since July 2022: 42 in all).
REGIONS = {"North East and Yorkshire": 4, "North West": 3, "Midlands": 11, "East of England": 6, "London": 5,
           "South East": 6, "South West": 7}
#: Invented place names, one per ICB, in region order.
PLACES = ("Tyneford", "Wharrow", "Humbermoor", "Castleby",
          "Mersley", "Pennock", "Lunesdale",
          "Trentholm", "Severnbridge", "Avonley", "Charnwick", "Peakmoor", "Wreaking", "Dovecote", "Blackbrook",
          "Nenford", "Leamhurst", "Arrowfield",
          "Fenland Vale", "Colnebury", "Stourmouth", "Wensum", "Ouseley", "Leaford",
          "Thamesgate", "Walbrook", "Fleetmoor", "Ravensgrove", "Brentside",
          "Medway Downs", "Wealdon", "Solentbury", "Arunvale", "Kennetham", "Chilterne",
          "Tamarton", "Exeleigh", "Mendip Vale", "Cotsbury", "Purbeck Moor", "Camelford", "Severn Levels")
#: Per indicator: national proportion in the first year (logit scale centre), log-odds per 10 IMD points,
#: per 5 points of % aged 65+, per 3 points of % under 15, for a rural practice; national change
#: (log-odds) to the second year (each ICB's own change adds N(0, ICB_CHANGE_SD²)); SD of the ICB effect; SD of the practice effect (over-dispersion)
#: and of practice-level change; and the denominator as a share of the list (``over65``: the 65+ list).
MODEL = {
    "smoking": dict(level=0.145, imd=0.30, age65=-0.12, under15=0.02, rural=-0.06, trend=-0.04, icb_sd=0.07,
                    practice_sd=0.16, change_sd=0.05, share=0.82),
    "flu_65": dict(level=0.78, imd=-0.18, age65=0.06, under15=0.0, rural=0.10, trend=-0.06, icb_sd=0.08,
                   practice_sd=0.20, change_sd=0.06, share="over65"),
    "cervical_screening": dict(level=0.71, imd=-0.22, age65=0.05, under15=-0.03, rural=0.08, trend=-0.01,
                               icb_sd=0.06, practice_sd=0.14, change_sd=0.05, share=0.27),
    "bp_control": dict(level=0.66, imd=-0.06, age65=0.02, under15=0.0, rural=0.03, trend=0.05, icb_sd=0.05,
                       practice_sd=0.15, change_sd=0.06, share="hypertension"),
}
#: Planted true changes between the years in whole ICBs: (ICB number 1-42, indicator, log-odds change).
PLANTED_ICB_CHANGES = ((9, "smoking", -0.22), (25, "flu_65", -0.30), (36, "cervical_screening", 0.25))
PLANTED_OUTLIER_SHARE = 0.004
PLANTED_OUTLIER_EFFECT = 0.70
PLANTED_CHANGE_SHARE = 0.003
PLANTED_CHANGE_EFFECT = 0.65
#: Shares of the first year's practices that close, and that move to another ICB of their region; new practices.
CLOSE_SHARE, MOVE_SHARE, NEW_SHARE = 0.012, 0.006, 0.006
#: SD (log-odds) of the ICBs' own changes between the years: the usual spread of area changes.
ICB_CHANGE_SD = 0.03

FILES = {"icbs": "england_icbs_synthetic.csv", "practices": "england_practices_synthetic.csv",
         "indicators": "england_indicators_synthetic.csv", "ground_truth": "england_ground_truth_synthetic.csv"}


def _icbs() -> pd.DataFrame:
    """The 42 invented ICBs: code SQ01-SQ42, name and region."""
    regions = [region for region, count in REGIONS.items() for _ in range(count)]
    return pd.DataFrame({"icb_code": [f"SQ{i:02d}" for i in range(1, len(PLACES) + 1)],
                         "icb_name": [f"NHS {place} ICB" for place in PLACES], "region": regions})


def _practices(icbs: pd.DataFrame, n_practices: int, rng: np.random.Generator) -> pd.DataFrame:
    """First-year practices with their ICB, list size, age structure, deprivation and rurality."""
    k = len(icbs)
    weights = rng.gamma(6.0, 1.0, k)
    per_icb = rng.multinomial(n_practices, weights / weights.sum())
    icb_index = np.repeat(np.arange(k), per_icb)
    imd_mean, age_mean = rng.uniform(11, 34, k), rng.uniform(12, 24, k)
    young_mean, rural_share = rng.uniform(14, 20, k), rng.beta(1.2, 2.5, k)
    size_factor = np.exp(rng.normal(0, 0.2, k))
    n = len(icb_index)
    rural = rng.random(n) < rural_share[icb_index]
    return pd.DataFrame({
        "practice_code": [f"S{i:05d}" for i in range(1, n + 1)],
        "icb_code": icbs["icb_code"].to_numpy()[icb_index],
        "list_size": np.clip(np.round(9_000 * size_factor[icb_index] * np.exp(rng.normal(0, 0.55, n))
                                      * np.where(rural, 0.6, 1.0)), 900, 60_000).astype(int),
        "pct_under_15": np.clip(rng.normal(young_mean[icb_index], 3.0, n), 5, 30).round(1),
        "pct_65_plus": np.clip(rng.normal(age_mean[icb_index] + np.where(rural, 4, 0), 4.0, n), 2, 40).round(1),
        "imd_score": np.clip(rng.normal(imd_mean[icb_index] - np.where(rural, 5, 0), 8.0, n), 2, 70).round(1),
        "rurality": np.where(rural, "Rural", "Urban"),
    })


def _second_year(first: pd.DataFrame, icbs: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    """The second year's practices: some closed, some moved within their region, a few new, lists grown."""
    n = len(first)
    closes = rng.random(n) < CLOSE_SHARE
    moves = ~closes & (rng.random(n) < MOVE_SHARE)
    second = first.loc[~closes].copy()
    region_of = icbs.set_index("icb_code")["region"]
    moved_codes = first.loc[moves, "practice_code"]
    for code in moved_codes:  # a handful of practices: each to another ICB of its region
        own = second.loc[second["practice_code"] == code, "icb_code"].iloc[0]
        choices = icbs.loc[(icbs["region"] == region_of[own]) & (icbs["icb_code"] != own), "icb_code"].to_numpy()
        second.loc[second["practice_code"] == code, "icb_code"] = rng.choice(choices)
    second["list_size"] = np.round(second["list_size"] * np.exp(rng.normal(0.015, 0.03, len(second)))).astype(int)
    second["pct_65_plus"] = np.clip(second["pct_65_plus"] + rng.normal(0.2, 0.3, len(second)), 2, 40).round(1)
    new_count = int(round(NEW_SHARE * n))
    new = first.sample(new_count, random_state=int(rng.integers(2**31))).copy()
    new["practice_code"] = [f"S{i:05d}" for i in range(n + 1, n + new_count + 1)]
    new["list_size"] = np.round(new["list_size"] * 0.5).astype(int).clip(900)
    return pd.concat([second, new], ignore_index=True), {"closed": first.loc[closes, "practice_code"].tolist(),
                                                         "moved": moved_codes.tolist(),
                                                         "new": new["practice_code"].tolist()}


def _denominator(practices: pd.DataFrame, share, rng: np.random.Generator) -> np.ndarray:
    size = practices["list_size"].to_numpy(float)
    if share == "over65":
        base = size * practices["pct_65_plus"].to_numpy() / 100
    elif share == "hypertension":
        base = size * (0.06 + 0.45 * practices["pct_65_plus"].to_numpy() / 100)
    else:
        base = size * share * (1 - 0.3 * (practices["pct_under_15"].to_numpy() - 17) / 100)
    return np.maximum(np.round(base * np.exp(rng.normal(0, 0.03, len(size)))), 1).astype(int)


def make_synthetic_areas(n_practices: int = 6_500, *, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """The four tables: ``icbs``, ``practices`` (one row per practice and year), ``indicators`` (one row per
    practice, year and indicator: numerator, denominator) and ``ground_truth`` (what was planted)."""
    rng = np.random.default_rng(seed)
    icbs = _icbs()
    first = _practices(icbs, n_practices, rng)
    second, events = _second_year(first, icbs, rng)
    years = {PERIODS[0]: first, PERIODS[1]: second}
    everyone = pd.Index(pd.concat([first["practice_code"], second["practice_code"]]).unique())
    truth = [{"level": "practice", "code": code, "indicator": "", "kind": kind, "effect": 0.0}
             for kind, codes in events.items() for code in codes]
    truth += [{"level": "icb", "code": icbs["icb_code"].iloc[number - 1], "indicator": indicator,
               "kind": "planted change", "effect": effect} for number, indicator, effect in PLANTED_ICB_CHANGES]
    rows = []
    for indicator, m in MODEL.items():
        icb_effect = pd.Series(rng.normal(0, m["icb_sd"], len(icbs)), index=icbs["icb_code"])
        icb_change = pd.Series(rng.normal(0, ICB_CHANGE_SD, len(icbs)), index=icbs["icb_code"])
        practice_effect = pd.Series(rng.normal(0, m["practice_sd"], len(everyone)), index=everyone)
        change = pd.Series(rng.normal(0, m["change_sd"], len(everyone)), index=everyone)
        outliers = everyone[rng.random(len(everyone)) < PLANTED_OUTLIER_SHARE]
        signs = rng.choice([-1.0, 1.0], len(outliers))
        practice_effect[outliers] += signs * PLANTED_OUTLIER_EFFECT
        changers = everyone[rng.random(len(everyone)) < PLANTED_CHANGE_SHARE].difference(outliers)
        change_signs = rng.choice([-1.0, 1.0], len(changers))
        change[changers] += change_signs * PLANTED_CHANGE_EFFECT
        truth += [{"level": "practice", "code": c, "indicator": indicator, "kind": "planted outlier", "effect": s * PLANTED_OUTLIER_EFFECT}
                  for c, s in zip(outliers, signs)]
        truth += [{"level": "practice", "code": c, "indicator": indicator, "kind": "planted change",
                   "effect": s * PLANTED_CHANGE_EFFECT} for c, s in zip(changers, change_signs)]
        planted = {icbs["icb_code"].iloc[n - 1]: e for n, i, e in PLANTED_ICB_CHANGES if i == indicator}
        for year, (period, frame) in enumerate(years.items()):
            codes = frame["practice_code"]
            logit = (np.log(m["level"] / (1 - m["level"])) + m["imd"] * (frame["imd_score"].to_numpy() - 21) / 10
                     + m["age65"] * (frame["pct_65_plus"].to_numpy() - 17) / 5
                     + m["under15"] * (frame["pct_under_15"].to_numpy() - 17) / 3
                     + m["rural"] * (frame["rurality"].to_numpy() == "Rural")
                     + icb_effect[frame["icb_code"]].to_numpy() + practice_effect[codes].to_numpy()
                     + year * (m["trend"] + change[codes].to_numpy() + icb_change[frame["icb_code"]].to_numpy()
                               + frame["icb_code"].map(planted).fillna(0.0).to_numpy()))
            denominator = _denominator(frame, m["share"], rng)
            numerator = rng.binomial(denominator, 1 / (1 + np.exp(-logit)))
            rows.append(pd.DataFrame({"practice_code": codes.to_numpy(), "period": period, "indicator": indicator,
                                      "numerator": numerator, "denominator": denominator}))
    practices = pd.concat([frame.assign(period=period) for period, frame in years.items()], ignore_index=True)
    practices = practices[["practice_code", "period", "icb_code", "list_size", "pct_under_15", "pct_65_plus",
                           "imd_score", "rurality"]]
    return {"icbs": icbs, "practices": practices, "indicators": pd.concat(rows, ignore_index=True),
            "ground_truth": pd.DataFrame(truth)}


def write_synthetic_areas(directory: str | Path | None = None, *, n_practices: int = 6_500,
                          seed: int = SEED) -> dict[str, Path]:
    """Write the four files (:data:`FILES`) into ``directory`` (default ``data/``); returns their paths."""
    directory = config.resolve_path(directory, config.DATA_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    frames = make_synthetic_areas(n_practices, seed=seed)
    paths = {}
    for key, name in FILES.items():
        paths[key] = directory / name
        frames[key].to_csv(paths[key], index=False, lineterminator="\n")
    return paths
