"""ccgtools.nhs111.synthetic: the bundled files are the generator's, calibrated to 2013's figures."""

from ccgtools.nhs111.synthetic import (
    APRIL_2013_CALLS,
    make_synthetic_nhs111,
    write_synthetic_nhs111,
)

from ccgtools import config


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
