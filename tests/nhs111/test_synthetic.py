"""ccgtools.nhs111.synthetic: the bundled files are the generator's, calibrated to 2013's figures."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ccgtools import config
from ccgtools.nhs111.synthetic import (
    APRIL_2013_CALLS,
    CONTRACTS,
    PLANTED_UNDERPERFORMERS,
    make_synthetic_nhs111,
    write_synthetic_nhs111,
)

from ..conftest import real_data_path


def test_bundled_files_are_what_the_generator_makes(tmp_path):
    contracts_path, activity_path = write_synthetic_nhs111(tmp_path)
    assert contracts_path.read_bytes() == config.NHS111_CONTRACTS.read_bytes()
    assert activity_path.read_bytes() == config.NHS111_ACTIVITY.read_bytes()


def test_synthetic_data_calibrated_to_2013_national_figures():
    contracts, activity = make_synthetic_nhs111()
    assert len(contracts) == 46
    assert contracts["population"].min() == 138_000 and contracts["population"].max() == 5_800_000
    month = activity.assign(month=activity["date"].str[:7]).groupby("month").sum(numeric_only=True)
    march, april = month.loc["2013-03"], month.loc["2013-04"]
    assert april["calls_received"] == APRIL_2013_CALLS
    assert round(100 * march["calls_answered_60s"] / march["calls_answered"]) == 84
    assert round(100 * march["calls_abandoned_30s"] / march["calls_received"]) == 8
    assert round(100 * march["callbacks_10min"] / march["callbacks_needed"]) == 37
    assert round(100 * april["calls_answered_60s"] / april["calls_answered"]) == 87
    assert round(100 * april["calls_abandoned_30s"] / april["calls_received"]) == 4
    assert round(100 * april["callbacks_10min"] / april["callbacks_needed"]) == 47


def _logits(activity, numerator, denominator):
    totals = activity.groupby("contract_code")[[numerator, denominator]].sum()
    share = totals[numerator] / totals[denominator]
    return np.log(share / (1 - share))


def test_each_kpi_has_its_own_contract_effect():
    # One shared contract effect made the three KPIs agree almost perfectly (Spearman ρ ≥ 0.99), so
    # "worse on all 3 KPIs" was built in. Each KPI's contract effect is now its own (correlation 0.4).
    _, activity = make_synthetic_nhs111()
    kpis = [_logits(activity, "calls_answered_60s", "calls_answered"),
            -_logits(activity, "calls_abandoned_30s", "calls_received"),
            _logits(activity, "callbacks_10min", "callbacks_needed")]
    for first, second in ((0, 1), (0, 2), (1, 2)):
        assert abs(stats.spearmanr(kpis[first], kpis[second]).statistic) < 0.8


def test_contract_effects_have_the_stated_correlation():
    from ccgtools.nhs111.synthetic import contract_effects

    effects = contract_effects(np.random.default_rng(5), 20_000)
    assert np.corrcoef(effects, rowvar=False)[np.triu_indices(3, 1)] == pytest.approx([0.4] * 3, abs=0.03)
    assert effects.std(axis=0) == pytest.approx([0.35] * 3, abs=0.01)


#: The NHS 111 contract areas of 2013 (and their usual short forms): no synthetic contract may bear one.
REAL_2013_AREAS = {
    "Isle of Wight", "Yorkshire and the Humber", "North East", "North West", "Greater Manchester", "Cumbria",
    "Lancashire", "Cheshire and Merseyside", "West Midlands", "Birmingham and Solihull", "Black Country",
    "Coventry and Warwickshire", "Staffordshire", "Shropshire and Telford", "Derbyshire", "Nottinghamshire",
    "Leicester, Leicestershire and Rutland", "Lincolnshire", "Northamptonshire", "Cambridgeshire and Peterborough",
    "Norfolk", "Suffolk", "North Essex", "South Essex", "Hertfordshire", "Bedfordshire and Luton", "Milton Keynes",
    "North West London", "North Central London", "North East London", "South East London", "South West London",
    "Kent and Medway", "Surrey", "Sussex", "Hampshire", "Thames Valley", "Wiltshire", "Dorset", "Devon",
    "Cornwall and Isles of Scilly", "Somerset", "Gloucestershire", "Bristol, North Somerset and South Gloucestershire",
    "Bath and North East Somerset", "Swindon", "Luton and Bedfordshire", "London", "Midlands", "Cornwall",
}


def _real_names_among(names: set[str], real: set[str]) -> list[str]:
    """The invented names that are, or contain, a real contract area's name."""
    words = {name.lower() for name in real}
    return [n for n in names if n.lower() in words or any(r.lower() in n.lower() for r in real if len(r) > 8)]


def test_synthetic_contracts_are_not_named_after_real_iucadc_contracts():
    lookup = real_data_path(config.IUCADC_LOOKUP.name)
    contracts, _ = make_synthetic_nhs111()
    real = set(pd.read_csv(lookup, encoding="utf-8-sig")["contract_name"])
    assert len(real) > 20 and not _real_names_among(set(contracts["contract_name"]), real)


def test_synthetic_contracts_have_invented_names_and_keep_their_sizes():
    contracts, _ = make_synthetic_nhs111()
    names = set(contracts["contract_name"])
    assert len(names) == 46
    assert not _real_names_among(names, set(REAL_2013_AREAS))
    assert set(PLANTED_UNDERPERFORMERS) <= names
    assert sorted(contracts["population"]) == sorted(p for _, _, p, _ in CONTRACTS)
    assert contracts.groupby("region").size().to_dict() == {"London": 5, "Midlands and East": 19, "North": 7,
                                                           "South": 15}
