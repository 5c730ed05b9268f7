"""An area profile end to end on the bundled synthetic England set: what was planted is found, and the words
on the page are no stronger than the analysis."""

from __future__ import annotations

import pandas as pd
import pytest

from ccgtools.areas import advice, change, content, profile
from ccgtools.areas.load import load_area_data
from ccgtools.areas.synthetic import FILES, PLANTED_ICB_CHANGES
from ccgtools.config import DATA_DIR
from ccgtools.errors import ParameterError


@pytest.fixture(scope="module")
def data():
    return load_area_data(*(DATA_DIR / FILES[k] for k in ("icbs", "practices", "indicators", "ground_truth")))


@pytest.fixture(scope="module")
def severnbridge(data):
    return profile.analyse(data, "SQ09", n_simulations=1_000)


def test_planted_icb_changes_are_credible_and_in_the_planted_direction(severnbridge):
    changes = severnbridge.changes.set_index(["icb_code", "indicator"])
    for number, indicator, effect in PLANTED_ICB_CHANGES:
        row = changes.loc[(f"SQ{number:02d}", indicator)]
        assert row["credible"], (number, indicator)
        higher_is_better = severnbridge.definitions[indicator].higher_is_better
        assert row["verdict"] == ("improved" if (effect > 0) == higher_is_better else "worsened")
    # Far more changes are beyond chance than are credible: the usual spread between ICBs matters.
    assert changes["beyond_chance"].sum() > 3 * changes["credible"].sum()


def test_planted_practice_changes_are_mostly_found_with_few_false_alarms(data, severnbridge):
    from ccgtools.areas import casemix

    table = casemix.expected_counts(data.practices, data.counts)
    members = change.membership(data.practices, data.periods)
    areas = change.area_change(table, members, data.periods, severnbridge.definitions)
    practices = change.practice_change(table, members, data.periods, severnbridge.definitions, level=0.998,
                                       areas=areas)
    truth = data.truth[data.truth["kind"] == "planted change"]
    tested = truth.merge(practices, left_on=["code", "indicator"], right_on=["practice_code", "indicator"])
    assert tested["credible"].mean() > 0.6
    flagged = practices[practices["credible"]]
    planted = set(zip(truth["code"], truth["indicator"]))
    false_alarms = sum((c, i) not in planted for c, i in zip(flagged["practice_code"], flagged["indicator"]))
    assert false_alarms / len(practices) < 0.004  # nominal 0.2% two-sided at 99.8%


def test_moves_and_closures_are_handled(data, severnbridge):
    members = change.membership(data.practices, data.periods)
    assert set(members["status"]) == {"continuing", "moved", "closed", "new"}
    mover = members[members["status"] == "moved"].iloc[0]
    moves = change.area_movements(members, mover["icb_current"])
    assert mover.name in moves["moved_in"]
    assert mover.name in change.area_movements(members, mover["icb_previous"])["moved_out"]
    # The change compares practices open in both years, each in its later ICB.
    compared = severnbridge.changes.set_index(["icb_code", "indicator"])["practices"]
    open_both = members[members["status"].isin(("continuing", "moved"))].groupby("icb_current").size()
    assert compared.xs("smoking", level="indicator").sort_index().tolist() == open_both.sort_index().tolist()


def test_the_headline_says_rank_with_its_range_and_the_change_verdict(severnbridge):
    lines = content.headline(severnbridge)
    rank = severnbridge.ranks.set_index(["indicator", "icb_code"]).loc[("smoking", "SQ09")]
    assert f"{content.ordinal(rank['rank'])} of 42 ICBs" in lines[0]
    assert "allowing for its patients' age structure, deprivation and rurality" in lines[0]
    assert "improved credibly relative to England" in lines[1]
    assert "A true change in smoking (15+) was planted here: the test found it." in content.truth_check(severnbridge)
    assert advice.next_steps(severnbridge)


def test_rank_phrase_is_only_as_strong_as_its_interval_by_one_rule():
    from ccgtools.areas.ranks import placed, rank_phrase

    assert rank_phrase(7, 2, 30, of=42).startswith("not placed with confidence (anywhere from 2nd to 30th")
    assert rank_phrase(7, 3, 15, of=42) == "7th of 42 (could be 3rd to 15th)"  # 13 places: at most a third of 42
    assert rank_phrase(1, 1, 1, of=42) == "1st of 42"  # no "1st to 1st"
    # The same rule for 11 similar ICBs: 3 places is a third of 11 or less, 4 is more.
    assert placed(2, 4, 11) and not placed(2, 5, 11)
    assert rank_phrase(3, 2, 5, of=11).startswith("not placed with confidence")
    assert [content.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd"]


def test_the_rank_quoted_is_the_order_of_the_observed_ratio_and_inside_its_interval(severnbridge):
    for indicator, group in severnbridge.ranks.groupby("indicator"):
        better_high = severnbridge.definitions[indicator].higher_is_better
        by_ratio = group.sort_values("adjusted_ratio", ascending=not better_high)["icb_code"].tolist()
        assert group.sort_values("rank")["icb_code"].tolist() == by_ratio
        assert sorted(group["rank"]) == list(range(1, len(group) + 1))
        assert ((group["rank_lower"] <= group["rank"]) & (group["rank"] <= group["rank_upper"])).all()
    chart = content.rank_chart(severnbridge)
    assert chart.data["icb_rank"].tolist() == list(range(1, 43))  # the table is in rank order too
    assert chart.data["observed_per_100_expected"].is_monotonic_increasing  # smoking: lower is better


def test_similar_icbs_are_ranked_on_their_crude_values(severnbridge):
    peers = content.peer_table(severnbridge)
    observed = severnbridge.values[severnbridge.values["indicator"] == "smoking"].set_index("icb_code")
    crude = 100 * observed["numerator"] / observed["denominator"]
    assert peers["value_percent"].round(6).tolist() == crude.loc[peers["icb_code"]].round(6).tolist()
    assert peers["value_percent"].is_monotonic_increasing  # rank 1 = fewest smokers
    england = severnbridge.spine.set_index("indicator").loc["smoking", "england_percent"]
    assert peers["england_percent"].eq(england).all()


def test_the_headline_reconciles_england_and_case_mix(data):
    # SQ11: fewer smokers than England, but more than expected for its patients.
    result = profile.analyse(data, "SQ11", n_simulations=500)
    first = content.headline(result)[0]
    assert "(better than England)" in first and "But after allowing" in first and "higher than expected (worse)" in first


def test_look_first_only_from_the_adjusted_result_and_at_most_once(data):
    for area in ("SQ03", "SQ11"):
        result = profile.analyse(data, area, n_simulations=500)
        steps = advice.next_steps(result)
        firsts = [s for s in steps if s.startswith("Look first")]
        assert len(firsts) <= 1
        worse = [i for i in result.definitions if content.adjusted_position(result, i) == "worse"]
        assert bool(firsts) == bool(worse)
        for step in firsts:
            assert any(result.definitions[i].label in step for i in worse)
            assert "most similar ICBs it is" in step


def test_a_credible_change_that_was_not_planted_is_called_a_false_alarm(data):
    result = profile.analyse(data, "SQ26", n_simulations=500)
    flagged = result.changes[(result.changes["icb_code"] == "SQ26") & result.changes["credible"]]
    planted = set(result.truth.loc[(result.truth["code"] == "SQ26") & (result.truth["level"] == "icb"), "indicator"])
    unplanted = [i for i in flagged["indicator"] if i not in planted]
    lines = content.truth_check(result)
    for indicator in unplanted:
        assert any(result.definitions[indicator].short.lower() in line and "false alarm" in line for line in lines)
    tests, chance = content.expected_false_alarms(result)
    assert tests == 42 * 4 and chance == pytest.approx(168 * (1 - 0.998))
    assert any(f"about {chance:.1f} false alarms" in line for line in lines)


def test_the_change_level_defaults_to_that_of_practices(severnbridge):
    assert severnbridge.change_level == severnbridge.flag_level == 0.998


def test_change_phrase_distinguishes_credible_chance_only_and_in_line():
    credible = pd.Series({"verdict": "worsened", "beyond_chance": True})
    chance = pd.Series({"verdict": "", "beyond_chance": True})
    none = pd.Series({"verdict": "", "beyond_chance": False})
    assert content.change_phrase(credible, "2022/23").startswith("worsened credibly since 2022/23")
    assert "so not a credible change" in content.change_phrase(chance, "2022/23")
    assert content.change_phrase(none, "2022/23") == "changed in line with England since 2022/23"


def test_similar_icbs_exclude_the_area_and_the_peer_ranks_cover_eleven(severnbridge):
    assert len(severnbridge.similar) == 10 and "SQ09" not in severnbridge.similar.index
    peers = severnbridge.peer_ranks[severnbridge.peer_ranks["indicator"] == "smoking"]
    assert len(peers) == 11 and set(peers["icb_code"]) == {"SQ09", *severnbridge.similar.index}


def test_unknown_area_or_indicator_is_refused_by_name(data):
    with pytest.raises(ParameterError, match="parameter area = 'XX1': not an ICB in the data; expected one of SQ01"):
        profile.analyse(data, "XX1")
    with pytest.raises(ParameterError, match="parameter indicator = 'obesity'"):
        profile.analyse(data, "SQ01", indicator="obesity")


def test_bad_parameters_are_refused_before_loading():
    with pytest.raises(ParameterError, match="flag_level"):
        profile.prepare_and_analyse("SQ01", flag_level=0.9, icbs_path="x.csv", practices_path="y.csv",
                                    indicators_path="z.csv")
    with pytest.raises(ParameterError, match="indicator"):
        profile.prepare_and_analyse("SQ01", indicator="obesity", icbs_path="x.csv", practices_path="y.csv",
                                    indicators_path="z.csv")


def test_every_notebook_parameter_has_a_rule():
    from ccgtools import config
    from ccgtools.areas import parameters
    from ccgtools.build.briefings import notebook_defaults

    assert set(notebook_defaults(config.NOTEBOOKS_DIR / parameters.NOTEBOOK)) == set(parameters.RULES)


def test_a_profile_from_the_builds_shared_results_is_the_profile_computed_alone(monkeypatch):
    """Within a build the England-wide results are computed by the first area's briefing and reused by the next
    (ccgtools.per_build); the next area's profile must be exactly what it computes on its own."""
    import dataclasses

    from ccgtools import io, per_build

    paths = dict(zip(("icbs_path", "practices_path", "indicators_path", "ground_truth_path"),
                     (str(DATA_DIR / FILES[k]) for k in ("icbs", "practices", "indicators", "ground_truth"))))
    monkeypatch.delenv(per_build.ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.setattr(io, "_FILES_READ", [])
    alone = profile.prepare_and_analyse("SQ02", **paths)
    read_alone = io.files_read()
    with per_build.shared_results() as folder:
        profile.prepare_and_analyse("SQ01", **paths)  # computes and keeps the England-wide results
        assert len(list(folder.glob("area-england-*.pickle"))) == 1
        io._FILES_READ.clear()
        shared = profile.prepare_and_analyse("SQ02", **paths)
    assert io.files_read() == read_alone and len(read_alone) == 4
    assert shared.synthetic == alone.synthetic
    for item in dataclasses.fields(alone.profile):
        mine, theirs = getattr(shared.profile, item.name), getattr(alone.profile, item.name)
        if isinstance(theirs, pd.DataFrame):
            pd.testing.assert_frame_equal(mine, theirs, obj=item.name)
        elif item.name != "definitions":
            assert mine == theirs or (mine != mine and theirs != theirs), item.name  # NaN equals NaN here


def test_advice_on_no_credible_change_names_what_moved_beyond_chance(data):
    """The advice must not say movements were "within chance" where the change table says "beyond chance"."""
    for area in ("SQ02", "SQ11"):
        p = profile.analyse(data, area, n_simulations=500)
        mine = p.changes[p.changes["icb_code"] == area]
        if mine["credible"].any():
            continue
        step = next(s for s in advice.next_steps(p) if s.startswith("No indicator changed credibly"))
        for row in mine.itertuples():
            label = p.definitions[row.indicator].label
            assert label in step
        beyond = mine[mine["beyond_chance"].astype(bool)]
        assert ("moved by more than chance" in step) == (len(beyond) > 0)
        assert ("moved within chance" in step) == (len(beyond) < len(mine))
        return
    pytest.fail("no area without a credible change among those tried")
