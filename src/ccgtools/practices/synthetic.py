"""Seeded generator of the synthetic GP practice dataset for the variation briefing.

England-shaped but invented: practice codes start with "Z" (not used for real
GP practices). Each practice has a CCG, a region, an IMD 2019-like deprivation
score and a rurality; patients by sex and five-year age band in the layout of
NHS Digital's "Patients registered at a GP practice" quinary file; and yearly
event counts for four indicators generated from age-sex reference rates, a
deprivation effect, practice-level extra variation (over-dispersion) and a
small planted set of true outliers. Student-town practices (young lists) and
coastal practices (old lists) make crude and adjusted rankings disagree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import config

AGE_GROUPS = tuple(f"{a}_{a + 4}" for a in range(0, 95, 5)) + ("95+",)
SEXES = ("MALE", "FEMALE")
ENGLAND_REGIONS = ("North East and Yorkshire", "North West", "Midlands", "East of England", "London",
                   "South East", "South West")
INDICATORS = ("emergency_admissions", "ae_attendances", "antibiotic_items", "outpatient_referrals")
#: Log rate ratio per standard deviation of IMD score, and for a rural practice.
DEPRIVATION_EFFECT = {"emergency_admissions": 0.18, "ae_attendances": 0.15, "antibiotic_items": 0.10,
                      "outpatient_referrals": 0.05}
RURAL_EFFECT = {"emergency_admissions": 0.0, "ae_attendances": -0.12, "antibiotic_items": 0.0,
                "outpatient_referrals": 0.0}
PRACTICE_SD = 0.07  # practice-level extra variation (log scale): the over-dispersion
PLANTED_SHARE = 0.015
PLANTED_EFFECT = np.log(1.6)


def _age_midpoints() -> np.ndarray:
    return np.array([a + 2.5 for a in range(0, 95, 5)] + [97.5])


def base_rates() -> pd.DataFrame:
    """Events per registered patient per year by indicator, sex and age group (invented, plausible shapes)."""
    age = _age_midpoints()
    shapes = {
        "emergency_admissions": 0.022 * np.exp(0.04 * (age - 30)) + np.where(age < 5, 0.10, 0.0),
        "ae_attendances": 0.26 + np.where(age < 5, 0.22, 0) + np.where((age > 15) & (age < 25), 0.12, 0)
        + np.where(age > 80, 0.30, 0),
        "antibiotic_items": 0.45 + np.where(age < 10, 0.40, 0) + np.where(age > 70, 0.55, 0),
        "outpatient_referrals": 0.08 + 0.0045 * age,
    }
    sex_factor = {"emergency_admissions": (1.05, 0.95), "ae_attendances": (1.02, 0.98),
                  "antibiotic_items": (0.80, 1.20), "outpatient_referrals": (0.92, 1.08)}
    rows = []
    for indicator, rate in shapes.items():
        for sex, factor in zip(SEXES, sex_factor[indicator]):
            rows.extend({"indicator": indicator, "sex": sex, "age_group": band, "rate": r * factor}
                        for band, r in zip(AGE_GROUPS, rate))
    return pd.DataFrame(rows)


def _age_profiles(rng: np.random.Generator, kinds: np.ndarray) -> np.ndarray:
    """Share of each practice's list in each of the 40 sex-age bands (rows sum to 1)."""
    age = _age_midpoints()
    england = np.exp(-((age - 40) / 38) ** 2) * np.where(age > 85, 0.5, 1.0)
    student = england + 6.0 * np.exp(-((age - 21) / 3.5) ** 2)
    coastal = england * np.exp(0.022 * (age - 40)) + 0.6 * np.exp(-((age - 72) / 9) ** 2)
    base = {"ordinary": england, "student": student, "coastal": coastal}
    profiles = np.empty((len(kinds), 2 * len(age)))
    for i, kind in enumerate(kinds):
        shape = base[kind] * rng.lognormal(0, 0.12, size=len(age))
        both = np.concatenate([shape * 0.99, shape * np.where(age > 70, 1.15, 1.0)])
        profiles[i] = both / both.sum()
    return profiles


def make_synthetic_practices(n_practices: int = 1000, *, regions: tuple[str, ...] = ("North East and Yorkshire",),
                             seed: int = 1991) -> dict[str, pd.DataFrame]:
    """Build the practices, their registered patients, events, reference rates and ground truth.

    Parameters
    ----------
    n_practices : int
        1,000 for the bundled region; about 6,500 for England (with all seven regions).
    regions : tuple of str
        NHS regions to spread the practices over.
    seed : int
        Seed of numpy's ``default_rng``.

    Returns
    -------
    dict of DataFrame
        ``practices``, ``registrations`` (quinary layout), ``events``,
        ``reference_rates`` and ``ground_truth``.
    """
    rng = np.random.default_rng(seed)
    codes = np.array([f"Z{10001 + i:05d}" for i in range(n_practices)])
    region = rng.choice(np.array(regions), size=n_practices)
    ccg_number = rng.integers(1, 1 + max(8, n_practices // 90), size=n_practices)
    ccg = np.array([f"{r[:1]}{n:02d}" for r, n in zip(region, ccg_number)])
    kinds = rng.choice(np.array(["ordinary", "student", "coastal"]), p=[0.90, 0.03, 0.07], size=n_practices)
    imd = np.clip(rng.gamma(3.2, 7.0, size=n_practices), 2, 75)
    rural = rng.random(n_practices) < np.where(kinds == "coastal", 0.6, 0.2)
    list_size = np.clip(rng.lognormal(np.log(8000), 0.5, size=n_practices), 1500, 45000).round().astype(int)
    list_size = np.where(kinds == "student", list_size * 2, list_size)
    profiles = _age_profiles(rng, kinds)
    patients = rng.multinomial(list_size, profiles)
    bands = [(s, a) for s in SEXES for a in AGE_GROUPS]
    practices = pd.DataFrame({"practice_code": codes, "ccg_code": ccg, "region": region,
                              "imd_score": imd.round(2), "rurality": np.where(rural, "Rural", "Urban"),
                              "list_type": kinds})
    registrations = pd.DataFrame({
        "PUBLICATION": "GP_PRAC_PAT_LIST_SYNTHETIC", "EXTRACT_DATE": "01JAN2021", "TYPE": "GP",
        "CCG_CODE": np.repeat(ccg, len(bands)), "ONS_CCG_CODE": "E38999999", "CODE": np.repeat(codes, len(bands)),
        "POSTCODE": "ZZ99 9ZZ", "SEX": np.tile([b[0] for b in bands], n_practices),
        "AGE_GROUP_5": np.tile([b[1] for b in bands], n_practices), "NUMBER_OF_PATIENTS": patients.ravel()})
    rates = base_rates()
    imd_z = (imd - imd.mean()) / imd.std()
    event_columns, truth = {}, []
    for indicator in INDICATORS:
        band_rates = rates[rates["indicator"] == indicator].set_index(["sex", "age_group"]).loc[bands, "rate"]
        expected = patients @ band_rates.to_numpy()
        planted = rng.random(n_practices) < PLANTED_SHARE
        direction = rng.choice([-1, 1], size=n_practices)
        log_effect = (DEPRIVATION_EFFECT[indicator] * imd_z + RURAL_EFFECT[indicator] * rural
                      + rng.normal(0, PRACTICE_SD, size=n_practices) + planted * direction * PLANTED_EFFECT)
        event_columns[indicator] = rng.poisson(expected * np.exp(log_effect))
        truth.append(pd.DataFrame({"practice_code": codes, "indicator": indicator, "planted_outlier": planted,
                                   "direction": np.where(planted, np.where(direction > 0, "high", "low"), "")}))
    events = pd.DataFrame(event_columns, index=codes).rename_axis("practice_code").reset_index().melt(
        id_vars="practice_code", var_name="indicator", value_name="events")
    # Reference rates: the age-sex rates scaled so that, over this population, expected = observed
    # for each indicator (as national rates would be for England as a whole).
    totals = events.groupby("indicator")["events"].sum()
    reference = rates.copy()
    for indicator in INDICATORS:
        band_rates = rates[rates["indicator"] == indicator].set_index(["sex", "age_group"]).loc[bands, "rate"]
        scale = totals[indicator] / (patients @ band_rates.to_numpy()).sum()
        reference.loc[reference["indicator"] == indicator, "rate"] *= scale
    reference["rate"] = reference["rate"].round(8)
    return {"practices": practices, "registrations": registrations, "events": events,
            "reference_rates": reference, "ground_truth": pd.concat(truth, ignore_index=True)}


PRACTICE_FILES = {"practices": "gp_practices_synthetic.csv",
                  "registrations": "gp_registrations_quinary_synthetic.csv",
                  "events": "gp_events_synthetic.csv",
                  "reference_rates": "gp_reference_rates_synthetic.csv",
                  "ground_truth": "gp_ground_truth_synthetic.csv"}


def write_synthetic_practices(directory: str | Path | None = None, *, n_practices: int = 1000,
                              england: bool = False, seed: int = 1991) -> dict[str, Path]:
    """Write the five files (default: the bundled region, 1,000 practices, into ``data/``).

    ``england=True`` spreads the practices over all seven NHS regions (use with ~6,500 practices).
    """
    directory = config.resolve_path(directory, config.DATA_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    frames = make_synthetic_practices(n_practices, regions=ENGLAND_REGIONS if england else ENGLAND_REGIONS[:1],
                                      seed=seed)
    paths = {}
    for key, name in PRACTICE_FILES.items():
        paths[key] = directory / name
        frames[key].to_csv(paths[key], index=False, lineterminator="\n")
    return paths
