"""ccgtools.assurance.synthetic: the bundled files are the generator's, and the plants are as documented."""

import numpy as np
import pandas as pd

from ccgtools.assurance import load, synthetic


def test_bundled_files_are_what_the_generator_makes(tmp_path):
    written = synthetic.write_synthetic_assurance(tmp_path)
    bundled = {"providers": load.PROVIDERS, "returns": load.RETURNS, "records": load.RECORDS, "truth": load.TRUTH}
    for key, path in written.items():
        assert path.read_bytes() == bundled[key].read_bytes(), key


def test_a_year_for_six_providers_with_every_kind_of_manipulation():
    data = synthetic.make_synthetic_assurance()
    assert len(data["returns"]) == 72 and data["returns"]["month"].nunique() == 12
    truth = data["truth"]
    assert set(truth["manipulation"]) - {""} == set(synthetic.MANIPULATIONS)
    assert (truth["manipulation"] == "").sum() == 57
    assert len(data["records"]) > 30_000


def test_clean_returns_match_an_independent_count_of_their_records():
    # The generator counts from its hidden delays; here the written timestamps are counted afresh.
    data = synthetic.make_synthetic_assurance()
    records = data["records"].replace("", np.nan)
    times = {c: pd.to_datetime(records[c]) for c in ("received", "answered", "assessment_started")}
    month = times["received"].dt.strftime("%Y-%m")
    waited = (times["answered"] - times["received"]).dt.total_seconds()
    counted = pd.DataFrame({"provider_code": records["provider_code"], "month": month,
                            "calls": 1, "within_60": (waited <= 60).astype(int)}).groupby(
        ["provider_code", "month"]).sum()
    clean = data["returns"].merge(data["truth"], on=["provider_code", "month"])
    clean = clean[clean["manipulation"] == ""].set_index(["provider_code", "month"])
    difference = (clean["calls_received"] - counted.loc[clean.index, "calls"]).abs()
    assert difference.max() <= 2  # the 0 to 2 records entered after the return was compiled
    assert (clean["calls_answered_60s"] - counted.loc[clean.index, "within_60"]).abs().max() <= 2


def test_plants_are_what_the_truth_file_says():
    data = synthetic.make_synthetic_assurance()
    returns = data["returns"].set_index(["provider_code", "month"])
    counts = [c for c in returns.columns if not c.startswith("pct_")]
    assert (returns.loc[("OOH01", "2026-02"), counts] == returns.loc[("OOH01", "2026-01"), counts]).all()
    assert (returns.loc[("OOH06", "2025-11"), counts] == returns.loc[("OOH06", "2025-06"), counts]).all()
    august = returns.loc[("OOH05", "2025-08")]
    assert august["calls_received"] - august["calls_answered"] - august["calls_abandoned"] == 23
    inflated = returns.loc[[("OOH02", m) for m in ("2025-10", "2025-11", "2025-12", "2026-01", "2026-02")]]
    share = inflated["calls_answered_60s"] / inflated["calls_answered"]
    assert ((share >= 0.95) & (share < 0.96)).all()


def test_the_seed_changes_the_data_but_not_the_plan():
    first, other = synthetic.make_synthetic_assurance(1), synthetic.make_synthetic_assurance(2)
    assert not first["returns"].equals(other["returns"])
    assert first["truth"].equals(other["truth"])


def test_evaluate_pools_the_score_over_seeds(tmp_path):
    by_type, by_check = synthetic.evaluate([1], tmp_path)
    rows = by_type.set_index("manipulation")
    assert rows["provider_periods"].sum() == 72 and rows.loc["none (clean)", "provider_periods"] == 57
    assert (rows["flagged"] <= rows["provider_periods"]).all()
    assert by_check.set_index("check").loc["Repeated figures", "copied"] == 2
