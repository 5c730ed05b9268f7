"""Turning an area profile into the page: headline, sentences, tables (suppressed) and charts.

Every sentence is computed from the :class:`~ccgtools.areas.profile.AreaProfile` it describes and is no
stronger than its uncertainty: a rank is given with its interval, and called uncertain when the
interval is wide; a change is "credible" only when it is beyond chance and beyond the usual spread of
changes between areas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..page.charts import Chart, funnel_chart, list_names
from ..page.disclosure import suppress_small_counts
from ..page.show import readable_table
from ..stats.intervals import level_label, z_value
from . import charts
from .casemix import COVARIATES
from .peers import VARIABLES
from .profile import AreaProfile
from .ranks import ordinal, placed, rank_phrase
from .spine import COMPARISONS

#: The case-mix variables in the words of the headline.
ADJUSTED_WORDS = {"pct_under_15": "age structure", "pct_65_plus": "age structure", "imd_score": "deprivation",
                  "rural": "rurality"}


def adjusted_for(covariates) -> str:
    """"age structure, deprivation and rurality" from the case-mix variables allowed for (each word once)."""
    words = list(dict.fromkeys(ADJUSTED_WORDS[c] for c in covariates))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1] if words else "nothing"


def once_allowed(covariates) -> str:
    """"once its patients' deprivation is allowed for" / "… age structure, deprivation and rurality are …"."""
    words = adjusted_for(covariates)
    return f"once its patients' {words} {'are' if ' and ' in words else 'is'} allowed for"


def _row(frame: pd.DataFrame, indicator: str, area: str) -> pd.Series:
    return frame[(frame["indicator"] == indicator) & (frame["icb_code"] == area)].iloc[0]


def sentence_case(text: str) -> str:
    """The first letter upper case, the rest as written ("in line with England" → "In line with England")."""
    return text[:1].upper() + text[1:]


def rank_words(row: pd.Series, *, of: int, noun: str = "") -> str:
    """:func:`ccgtools.areas.ranks.rank_phrase` of a row of :func:`ccgtools.areas.ranks.area_ranks`."""
    return rank_phrase(row["rank"], row["rank_lower"], row["rank_upper"], of=of, noun=noun)


def ratio_interval(row: pd.Series, level: float = 0.95) -> tuple[float, float]:
    """The interval of an area's observed / expected allowing for the over-dispersion among its practices.

    Notes
    -----
    ratio × (1 ± z√(φₐ/Oₐ)), the normal approximation to the over-dispersed (quasi-Poisson) count, φₐ from
    :func:`ccgtools.areas.ranks.area_dispersion` (column ``phi`` of the ranks).
    """
    half = z_value(level) * np.sqrt(row["phi"] / row["numerator"])
    return row["adjusted_ratio"] * (1 - half), row["adjusted_ratio"] * (1 + half)


def adjusted_position(profile: AreaProfile, indicator: str) -> str:
    """"better", "worse" or "as expected": the area's observed / expected after case mix, by its 95% interval
    (allowing for the variation among its practices) against 1 and the indicator's direction."""
    row = _row(profile.ranks, indicator, profile.area)
    low, high = ratio_interval(row)
    up_good = profile.definitions[indicator].higher_is_better
    if low > 1:
        return "better" if up_good else "worse"
    if high < 1:
        return "worse" if up_good else "better"
    return "as expected"


def position_words(profile: AreaProfile, indicator: str) -> str:
    """"higher than expected for its patients (worse)" and the like."""
    position = adjusted_position(profile, indicator)
    if position == "as expected":
        return "about as expected"
    ratio = _row(profile.ranks, indicator, profile.area)["adjusted_ratio"]
    return f"{'higher' if ratio > 1 else 'lower'} than expected ({position})"


def change_phrase(row: pd.Series, previous: str) -> str:
    """What the area's change since ``previous`` was, relative to England's, in words no stronger than the test."""
    if row["verdict"]:
        return f"{row['verdict']} credibly since {previous} relative to England (beyond chance and the usual spread)"
    if row["beyond_chance"]:
        return (f"changed since {previous} by more than chance but no more than ICBs usually do, so not a credible "
                "change")
    return f"changed in line with England since {previous}"


CRUDE_WORDS = {"better": "better than England", "similar": "similar to England", "worse": "worse than England"}


def _listing(parts: list[str]) -> str:
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else (parts[0] if parts else "")


def main_finding(profile: AreaProfile) -> str:
    """The main indicator: its value against England (chance only), then after case mix with its rank, in short
    sentences; "But" where the two point different ways, so the reader sees why they differ."""
    p, d = profile, profile.definition
    spine_row = p.spine.set_index("indicator").loc[p.indicator]
    rank = _row(p.ranks, p.indicator, p.area)
    crude = spine_row["comparison"]
    adjusted = adjusted_position(p, p.indicator)
    value, england = spine_row["value_percent"], spine_row["england_percent"]
    side = "higher" if value > england else "lower" if value < england else "the same as"
    first = (f"{sentence_case(d.short)}, {p.periods[1]}: {value:.1f}%, {side} than England's {england:.1f}% "
             f"({CRUDE_WORDS[crude]}).").replace("the same as than", "the same as")
    differ = (crude in ("better", "worse") and adjusted != crude) or (crude == "similar" and adjusted != "as expected")
    second = (f"{'But after' if differ else 'After'} allowing for its patients' {adjusted_for(p.covariates)}, it is "
              f"{position_words(p, p.indicator)}, {rank_words(rank, of=p.n_areas, noun='ICBs')}.")
    return f"{first} {second}"


def all_indicators_finding(profile: AreaProfile) -> str:
    """Every indicator, before and after case mix, in two counts (the spine chart and the ranks)."""
    p = profile
    counts = p.spine["comparison"].value_counts()
    before = [f"{w} on {counts[k]}" for k, w in (("better", "better than England"), ("similar", "similar"),
                                                ("worse", "worse")) if counts.get(k, 0)]
    positions = {i: adjusted_position(p, i) for i in p.definitions}
    after = []
    for key, words in (("better", "better than expected"), ("as expected", "as expected"), ("worse", "worse")):
        named = [p.definitions[i].short.lower() for i, v in positions.items() if v == key]
        if named:
            after.append(f"{words} on {len(named)} ({_listing(named)})")
    return (f"All {len(p.spine)} indicators: before allowing for its patients, {_listing(before)}; "
            f"after allowing for them, {_listing(after)}.")


def headline(profile: AreaProfile) -> list[str]:
    """The page's headline findings, each computed from the profile, in short sentences."""
    p, d = profile, profile.definition
    previous = p.periods[0]
    moved = _row(p.changes, p.indicator, p.area)
    credible_ones = p.changes[(p.changes["icb_code"] == p.area) & p.changes["credible"]]
    others = [f"{p.definitions[r.indicator].short.lower()} {r.verdict}" for r in credible_ones.itertuples()
              if r.indicator != p.indicator]
    change_line = f"Since {previous}: {d.short.lower()} {change_phrase(moved, previous).replace(f' since {previous}', '')}."
    if others:
        change_line += f" Also credible: {_listing(others)}."
    lines = [main_finding(p), change_line]
    if len(p.spine) > 1:
        lines.append(all_indicators_finding(p))
    outside = p.funnel[p.funnel["position"] != "within limits"]
    changed = p.practice_changes[p.practice_changes["credible"]]
    on_main = changed[changed["indicator"] == p.indicator]["practice_code"].nunique()
    elsewhere = changed[changed["indicator"] != p.indicator]
    line = (f"Practices: {len(outside):,} of {len(p.funnel):,} {'stands' if len(outside) == 1 else 'stand'} out on "
            f"{d.short.lower()} ({level_label(p.flag_level).replace('_', '.')}% limits)"
            + (f": {list_names(outside['practice_code'], 6)}" if len(outside) else "")
            + f". {on_main:,} changed credibly on {d.short.lower()} against the rest of the ICB")
    if len(p.definitions) > 1:
        line += f", and {len(elsewhere):,} more on the other indicators"
    lines.append(line + ".")
    m = p.movements
    if not p.movements_known:
        lines.append(f"Between the years, {len(m['closed'])} of its practices left the data (closed or merged). "
                     "How many "
                     "opened or moved between ICBs is not known: one 2019 practice file places practices in both "
                     "years. Changes compare only practices in both years.")
    elif any(m.values()):
        lines.append(f"Between the years, {len(m['closed'])} practice{'s' if len(m['closed']) != 1 else ''} left "
                     f"the data, {len(m['new'])} joined, "
                     f"{len(m['moved_in'])} moved in from another ICB and {len(m['moved_out'])} moved out. Changes "
                     "compare only practices in both years, each in its later ICB.")
    return lines


def expected_false_alarms(profile: AreaProfile) -> tuple[int, float]:
    """The number of ICB change tests across the whole set (ICBs × indicators) and the false alarms chance alone
    would give at the page's level (tests × (1 − level))."""
    tests = len(profile.changes)
    return tests, tests * (1 - profile.change_level)


def truth_check(profile: AreaProfile) -> list[str]:
    """On the synthetic data: what was planted in this ICB and its practices, whether the page found it, and every
    verdict that was not planted called a false alarm (nothing for real data)."""
    if profile.truth is None:
        return []
    p, truth = profile, profile.truth
    level = f"{100 * p.change_level:g}%"
    planted = truth[(truth["level"] == "icb") & (truth["code"] == p.area) & (truth["kind"] == "planted change")]
    planted_on = set(planted["indicator"])
    lines = []
    for indicator, definition in p.definitions.items():
        row = _row(p.changes, indicator, p.area)
        label = definition.short.lower()
        if indicator in planted_on:
            lines.append(f"A true change in {label} was planted here: the test "
                         + ("found it." if row["credible"] else "missed it."))
        elif row["credible"]:
            lines.append(f"No change in {label} was planted here, so its '{row['verdict']} credibly' verdict is a "
                         "false alarm.")
    if not lines:
        lines.append("No change was planted in this ICB, and the test flagged none.")
    elif not planted_on:
        lines.append("No change was planted in this ICB on any indicator.")
    tests, chance = expected_false_alarms(p)
    flagged = p.changes[p.changes["credible"]]
    all_planted = truth[(truth["level"] == "icb") & (truth["kind"] == "planted change")]
    hits = flagged.merge(all_planted, left_on=["icb_code", "indicator"], right_on=["code", "indicator"])
    lines.append(f"Across all {tests} ICB-and-indicator tests at the {level} level, chance alone gives about "
                 f"{chance:.1f} false alarm{'s' if round(chance, 1) != 1 else ''}. The set flags {len(flagged)}: "
                 f"{len(hits)} of the {len(all_planted)} planted changes and {len(flagged) - len(hits)} false "
                 f"alarm{'s' if len(flagged) - len(hits) != 1 else ''}.")
    outliers = truth[(truth["level"] == "practice") & (truth["kind"] == "planted outlier")
                     & (truth["indicator"] == p.indicator)]
    mine = set(outliers["code"]) & set(p.funnel["practice_code"])
    flagged_practices = set(p.funnel.loc[p.funnel["position"] != "within limits", "practice_code"])
    false = sorted(flagged_practices - mine)
    if p.indicator in planted_on:
        extra = (f"; also flagged, though not planted as outliers: {list_names(false, 6)} (the change planted in the "
                 "whole ICB moves its practices too)")
    else:
        extra = f"; flagged but not planted (false alarm{'s' if len(false) != 1 else ''}): {list_names(false, 6)}"
    lines.append(f"Practices on {p.definition.short.lower()}: {len(mine)} planted outlier{'s' if len(mine) != 1 else ''} "
                 f"here, {len(mine & flagged_practices)} flagged" + (extra if false else "") + ".")
    return lines


# ------------------------------------------------------------------ charts


def spine_chart(profile: AreaProfile) -> Chart:
    """The spine chart of every indicator for the area."""
    return charts.spine_chart(profile.spine, area_name=profile.area_name, n_areas=profile.n_areas,
                              period=profile.periods[1])


def rank_chart(profile: AreaProfile) -> Chart:
    """Every ICB's rank on the main indicator, this one picked out."""
    names = profile.values.drop_duplicates("icb_code").set_index("icb_code")["icb_name"]
    ranks = profile.ranks[profile.ranks["indicator"] == profile.indicator]
    return charts.rank_chart(ranks, area=profile.area, names=names, label=profile.definition.label,
                             title=f"All {profile.n_areas} ICBs ranked on {profile.definition.label}, after case mix",
                             units="ICBs", cue=rank_cue(profile.definition.cue))


def rank_cue(cue: str) -> str:
    """"lower = fewer smokers, better" → "1 = best: fewer smokers than expected"."""
    return f"1 = best: {cue.split(',')[0].split('= ', 1)[-1]} than expected"


def peer_table(profile: AreaProfile, indicator: str | None = None) -> pd.DataFrame:
    """The area and its similar areas on one indicator: crude value (%) with its 95% interval and rank among them.

    Notes
    -----
    Similar areas are matched on their populations, so they are compared on crude values (see
    :func:`ccgtools.areas.profile.crude_expected`). Interval: value × (1 ± 1.96√(φₐ/Oₐ)), the normal
    approximation to the over-dispersed (quasi-Poisson) count, φₐ from :func:`ccgtools.areas.ranks.area_dispersion`.
    """
    indicator = indicator or profile.indicator
    rows = profile.peer_ranks[profile.peer_ranks["indicator"] == indicator].copy()
    observed = profile.values[profile.values["indicator"] == indicator].set_index("icb_code")
    rows["icb_name"] = rows["icb_code"].map(observed["icb_name"])
    rows["value_percent"] = 100 * rows["icb_code"].map(observed["numerator"] / observed["denominator"])
    half = z_value(0.95) * np.sqrt(rows["phi"] / rows["numerator"])
    rows["interval_lower_percent"] = rows["value_percent"] * (1 - half)
    rows["interval_upper_percent"] = rows["value_percent"] * (1 + half)
    rows["england_percent"] = float(profile.spine.set_index("indicator").loc[indicator, "england_percent"])
    rows["higher_is_better"] = profile.definitions[indicator].higher_is_better
    return rows.sort_values(["rank", "icb_code"]).reset_index(drop=True)


def peers_chart(profile: AreaProfile) -> Chart:
    """The area among its most similar areas on the main indicator."""
    d = profile.definition
    return charts.peers_chart(peer_table(profile), area=profile.area, label=d.label,
                              title=f"{profile.area_name} and its {len(profile.similar)} most similar ICBs: "
                                    f"{d.label}", xlabel=f"{d.short} (%): {d.cue}")


def funnel(profile: AreaProfile) -> Chart:
    """The area's practices on the adjusted, over-dispersed funnel of all practices in England."""
    d = profile.definition
    hidden = suppress_small_counts(profile.funnel, ["numerator"], dependent=["value"])["value"].isna().to_numpy()
    chart = funnel_chart(profile.funnel, profile.funnel_limits, target=1.0, percent=False,
                         title=f"{profile.area_name}'s practices: {d.label}, observed / expected after case mix",
                         xlabel="Expected count for the practice's patients",
                         ylabel=f"Observed / expected ({d.cue.split(',')[0]})",
                         label_column="practice_code", name="practice_funnel", higher_is_better=d.higher_is_better,
                         levels=("95", level_label(profile.flag_level)), units="practices")
    data = chart.data.rename(columns={"denominator": "expected_count", "value": "observed_over_expected",
                                      "position": "funnel_position"})
    data = data.rename(columns={c: ("lower" if c.startswith("lower_") else "upper") + "_flag_limit_ratio"
                                for c in data.columns if c.startswith(("lower_", "upper_"))})
    data.loc[hidden, "observed_over_expected"] = np.nan  # with its expected count it would reveal a small count
    chart.data = data.assign(suppressed=hidden)
    funnel_axis(chart)
    return chart


# ------------------------------------------------------------------ tables


def standing_table(profile: AreaProfile) -> pd.DataFrame:
    """One row per indicator: value and England, comparison, observed per 100 expected after case mix with its rank
    and interval among all ICBs, the rank among similar ICBs (on the value), and the change verdict (numbers for
    the CSV)."""
    p = profile
    rows = []
    for indicator, definition in p.definitions.items():
        spine_row = p.spine.set_index("indicator").loc[indicator]
        rank, peer = _row(p.ranks, indicator, p.area), _row(p.peer_ranks, indicator, p.area)
        moved = _row(p.changes, indicator, p.area)
        rows.append({"indicator": sentence_case(definition.label), "value_percent": spine_row["value_percent"],
                     "england_percent": spine_row["england_percent"],
                     "compared_with_england": COMPARISONS[spine_row["comparison"]][0],
                     "observed_per_100_expected": round(100 * rank["adjusted_ratio"], 1),
                     "icb_rank": int(rank["rank"]),
                     "icb_rank_lower": int(rank["rank_lower"]), "icb_rank_upper": int(rank["rank_upper"]),
                     "icbs_ranked": int(rank["areas"]),
                     "rank_among_similar": int(peer["rank"]), "rank_among_similar_lower": int(peer["rank_lower"]),
                     "rank_among_similar_upper": int(peer["rank_upper"]), "similar_ranked": int(peer["areas"]),
                     "change_since_previous_year": moved["verdict"] or (
                         "beyond chance only" if moved["beyond_chance"] else "in line with England")})
    return pd.DataFrame(rows)


def rank_cell(rank: int, lower: int, upper: int, of: int) -> str:
    """A rank for a table cell, by the rule of :func:`ccgtools.areas.ranks.rank_phrase`: "27th (19th–31st)",
    "2nd" when the interval has no width, "Not placed (3rd–30th)" when it is too wide to place."""
    if not placed(lower, upper, of):
        return f"Not placed ({ordinal(lower)}–{ordinal(upper)})"
    return ordinal(rank) if lower == upper else f"{ordinal(rank)} ({ordinal(lower)}–{ordinal(upper)})"


def standing_readable(table: pd.DataFrame) -> pd.DataFrame:
    """The standing table in words for the page."""
    return pd.DataFrame({
        "Indicator": table["indicator"],
        "Value (England)": [f"{v:.1f}% ({e:.1f}%)" for v, e in zip(table["value_percent"], table["england_percent"])],
        "Against England": table["compared_with_england"],
        "After case mix (100 = expected)": [f"{r:.1f}" for r in table["observed_per_100_expected"]],
        "Rank of all ICBs, after case mix": [rank_cell(*v) for v in zip(
            table["icb_rank"], table["icb_rank_lower"], table["icb_rank_upper"], table["icbs_ranked"])],
        "Rank among similar ICBs, on the value": [rank_cell(*v) for v in zip(
            table["rank_among_similar"], table["rank_among_similar_lower"], table["rank_among_similar_upper"],
            table["similar_ranked"])],
        "Change since last year": table["change_since_previous_year"].map(sentence_case),
    })


def similar_table(profile: AreaProfile) -> pd.DataFrame:
    """The area and its similar areas with the matching variables (numbers for the CSV), the area first."""
    own = profile.variables.loc[[profile.area]].assign(distance=0.0, similarity_rank=0)
    icbs = profile.values.drop_duplicates("icb_code").set_index("icb_code")[["icb_name", "region"]]
    both = pd.concat([own.join(icbs), profile.similar])
    out = both.reset_index(names="icb_code")[["similarity_rank", "icb_code", "icb_name", "region", "distance",
                                              *VARIABLES, "practices"]]
    out = out.round({"distance": 2, "pct_under_15": 1, "pct_65_plus": 1, "imd_score": 1, "pct_rural": 1,
                     "mean_list_size": 0})
    out = out.drop(columns=[c for c in VARIABLES if out[c].isna().all()])
    return out.rename(columns={"pct_under_15": "under_15_percent", "pct_65_plus": "aged_65_plus_percent",
                               "imd_score": "mean_imd_score", "pct_rural": "rural_patients_percent"})


def similar_reading(profile: AreaProfile) -> str:
    """How close the similar ICBs are, against the typical distance between any two ICBs."""
    d = profile.similar["distance"]
    return (f"Distances are in standard deviations across all {profile.n_areas} ICBs (0 = identical). Its similar ICBs "
            f"are {d.min():.2f} to {d.max():.2f} away; any two ICBs are typically {profile.typical_distance:.2f} "
            + ("apart, so even the least similar of them is nearer than a typical pair." if d.max() < profile.typical_distance
               else "apart, so the least similar of them is no nearer than a typical pair: compare with care."))


def _number(value: float, places: int) -> str:
    return "–" if pd.isna(value) else f"{value:,.{places}f}"


def similar_readable(table: pd.DataFrame) -> pd.DataFrame:
    """The similar-areas table in words (a matching variable the data do not have is left out)."""
    out = {"": ["This ICB" if r == 0 else str(int(r)) for r in table["similarity_rank"]],
           "ICB": table["icb_name"], "Region": table["region"],
           "Distance": [_number(d, 2) for d in table["distance"]]}
    for column, heading, places in (("under_15_percent", "% under 15", 1), ("aged_65_plus_percent", "% 65+", 1),
                                    ("mean_imd_score", "IMD score", 1), ("rural_patients_percent", "% rural", 0),
                                    ("mean_list_size", "Average list", 0)):
        if column in table:
            out[heading] = [_number(v, places) for v in table[column]]
    return pd.DataFrame(out)


def change_table(profile: AreaProfile) -> pd.DataFrame:
    """Per indicator: the area's adjusted ratio in each year, the test, the verdict, and England's crude change."""
    p = profile
    own = p.changes[p.changes["icb_code"] == p.area].set_index("indicator")
    england = p.england.set_index("indicator")
    rows = []
    for indicator, definition in p.definitions.items():
        r, e = own.loc[indicator], england.loc[indicator]
        rows.append({"indicator": sentence_case(definition.label), "practices_compared": int(r["practices"]),
                     "ratio_previous_year": r["ratio_previous"], "ratio_current_year": r["ratio_current"],
                     "z_chance": r["z_chance"], "z_allowing_spread": r["z"],
                     "change_beyond_chance": bool(r["beyond_chance"]), "change_credible": bool(r["credible"]),
                     "verdict": r["verdict"] or "no credible change",
                     "england_previous_year_percent": e["previous_percent"],
                     "england_current_year_percent": e["current_percent"]})
    return pd.DataFrame(rows)


def change_readable(table: pd.DataFrame, periods: tuple[str, str]) -> pd.DataFrame:
    previous, current = periods
    return pd.DataFrame({
        "Indicator": table["indicator"],
        f"{previous} (100 = expected)": [f"{100 * v:.1f}" for v in table["ratio_previous_year"]],
        f"{current} (100 = expected)": [f"{100 * v:.1f}" for v in table["ratio_current_year"]],
        "Beyond chance?": np.where(table["change_beyond_chance"], "Yes", "No"),
        "Beyond the usual spread too?": np.where(table["change_credible"], "Yes", "No"),
        "Verdict": table["verdict"].map(sentence_case),
        f"England {previous} → {current}": [f"{a:.1f}% → {b:.1f}%" for a, b in
                                            zip(table["england_previous_year_percent"],
                                                table["england_current_year_percent"])],
    })


def practice_changes_table(profile: AreaProfile) -> pd.DataFrame:
    """The area's practices whose change was credible against the rest of the ICB (any indicator), suppressed."""
    p = profile
    rows = p.practice_changes[p.practice_changes["credible"]].copy()
    rows["indicator"] = rows["indicator"].map(lambda i: sentence_case(p.definitions[i].label))
    out = rows[["practice_code", "indicator", "numerator_previous", "numerator_current", "ratio_previous",
                "ratio_current", "verdict"]].sort_values(["indicator", "practice_code"]).reset_index(drop=True)
    out = out.rename(columns={"numerator_previous": "observed_previous_year", "numerator_current": "observed_current_year",
                              "ratio_previous": "ratio_previous_year", "ratio_current": "ratio_current_year"})
    return suppress_small_counts(out, ["observed_previous_year", "observed_current_year"],
                                 dependent=["ratio_previous_year", "ratio_current_year"])


def not_like_for_like(profile: AreaProfile) -> str:
    """The practices whose patients counted changed too much between the years for their change to be compared."""
    from .change import LIKE_FOR_LIKE_FACTOR

    rows = profile.practice_changes[~profile.practice_changes["like_for_like"]]
    codes = sorted(rows["practice_code"].unique())
    share = round(100 * (LIKE_FOR_LIKE_FACTOR - 1))
    if not codes:
        return (f"Every practice's patients counted changed by less than {share}% between the years, so each "
                "practice's change compares like with like.")
    return (f"{len(codes)} practice{'s' if len(codes) != 1 else ''}' patients counted rose or fell by more than "
            f"{share}% between the years on at least one indicator (a merger, split or fast list growth): "
            f"{list_names(codes, 8)}. Their change on that indicator is not like for like, so it is not tested.")


def practice_changes_readable(table: pd.DataFrame, periods: tuple[str, str]) -> pd.DataFrame:
    """The credible practice changes in words (ratios as 100 = expected; withheld values as *)."""
    previous, current = periods
    scaled = table.assign(ratio_previous_year=100 * table["ratio_previous_year"],
                          ratio_current_year=100 * table["ratio_current_year"],
                          verdict=table["verdict"].map(sentence_case))
    return readable_table(scaled, {"practice_code": "Practice", "indicator": "Indicator",
                                   "ratio_previous_year": f"{previous} (100 = expected)",
                                   "ratio_current_year": f"{current} (100 = expected)",
                                   "verdict": "Against the rest of the ICB"})


def outliers_readable(table: pd.DataFrame) -> pd.DataFrame:
    """The practices outside the limits in words."""
    return readable_table(table.assign(observed_over_expected=100 * table["observed_over_expected"],
                                       funnel_position=table["funnel_position"].map(sentence_case)),
                          {"practice_code": "Practice", "list_size": "Registered patients",
                           "patients_counted": "Patients counted", "observed": "Observed",
                           "expected_count": "Expected for its patients",
                           "observed_over_expected": "Observed as % of expected", "funnel_position": "Position"})


def outliers_table(profile: AreaProfile) -> pd.DataFrame:
    """The area's practices outside the flagging limits on the main indicator (suppressed), furthest first."""
    rows = profile.funnel[profile.funnel["position"] != "within limits"]
    rows = rows.reindex(rows["z_adjusted"].abs().sort_values(ascending=False).index)
    out = rows[["practice_code", "list_size", "patients_counted", "numerator", "expected", "value",
                "position"]].rename(columns={"numerator": "observed", "expected": "expected_count",
                                             "value": "observed_over_expected", "position": "funnel_position"}
                                    ).reset_index(drop=True)
    return suppress_small_counts(out, ["observed"], dependent=["expected_count", "observed_over_expected"])


def movements_table(profile: AreaProfile) -> pd.DataFrame:
    """The practices that closed, opened, moved in or moved out between the years."""
    words = {"closed": "Not in the later year's data (closed or merged)",
             "new": "New in the later year's data (opened, or first reported)",
             "moved_in": "Moved in from another ICB", "moved_out": "Moved out to another ICB"}
    rows = [{"practice_code": code, "what_happened": words[kind]} for kind, codes in profile.movements.items()
            for code in codes]
    return pd.DataFrame(rows, columns=["practice_code", "what_happened"])


def movements_readable(table: pd.DataFrame) -> pd.DataFrame:
    """The practices that closed, opened or moved, in words."""
    return table.rename(columns={"practice_code": "Practice", "what_happened": "What happened"})


def funnel_reading(profile: AreaProfile) -> str:
    """What the funnel's limits allow for, with the size of the usual spread in words."""
    return (f"The limits allow for chance and for the usual spread between practices in England on "
            f"{profile.definition.label}: practices vary {np.sqrt(profile.funnel_phi):.1f} times as much as chance "
            f"alone would make them, after their patients are allowed for.")


def methods(profile: AreaProfile) -> list[str]:
    """The methods and references of the analysis that ran."""
    level = f"{100 * profile.flag_level:g}%"
    return ([f"Data: {profile.source}"] if profile.source else []) + [
        "Values and comparison with England: each ICB's value is its practices' pooled proportion with a Wilson 95% "
        "interval; it is compared with England by the funnel test (Wilson limits at 95% and 99.8% around England's "
        "value, PHE calculate_funnel_limits; Spiegelhalter 2005), as Fingertips compares areas with England.",
        "Case mix: for each indicator and year, a binomial logistic regression across every practice in England of "
        f"the proportion on {', '.join(COVARIATES[c] for c in profile.covariates)} (continuous variables "
        "standardised; fitted by iteratively reweighted least squares, McCullagh & Nelder 1989) gives each practice "
        "its expected count; an ICB's ratio is observed / expected summed over its practices (indirect "
        "standardisation by regression). Sex is not in the data, so it is not allowed for"
        + ("; nor is age, which the data do not give for every practice." if "pct_65_plus" not in profile.covariates
           else "."),
        f"Ranks: Goldstein & Spiegelhalter (1996) by simulation, {profile.n_simulations:,} seeded draws of each ICB's "
        "ratio from "
        "Gamma(O/φ + ½)/(E/φ), with φ the ICB's own over-dispersion among its practices (Pearson estimate, "
        "quasi-likelihood), so the interval includes the variation between practices, not chance alone. The rank "
        "quoted is the place of the ICB's observed ratio (the order of every table and chart); a rank is 'placed "
        "with confidence' when its interval spans at most a third of the places, among all ICBs and among similar "
        "ICBs alike.",
        f"Similar ICBs: the {len(profile.similar)} nearest neighbours on "
        + ", ".join(VARIABLES[v] for v in profile.peer_variables) + ", each standardised across "
        "all ICBs (mean 0, SD 1) and weighted equally, by Euclidean distance (CIPFA nearest neighbours; NHS "
        "RightCare 'Similar 10'). Average practice size describes how care is organised, not the patients. "
        "Because similar ICBs are already alike in population, they are compared on their values before case mix "
        "(as RightCare compares them); ranking them after case mix would allow for the population twice.",
        "Practices: observed / expected against funnel limits fitted on every practice in England and widened for "
        "over-dispersion (square-root scale, additive random effects with a winsorised Paule-Mandel estimate; "
        f"Spiegelhalter 2005, Qual Saf Health Care 14:347); flagged beyond the {level} limits.",
        "Change: on the square-root scale of each year's observed / expected, dᵢ = y₂ − y₁ with sampling variance "
        "s₁² + s₂², compared with the average change across ICBs (for practices: with their own ICB's change), allowing "
        "for the usual spread of changes estimated as for levels (Spiegelhalter 2005, Stat Med 24:1185). Credible "
        f"when beyond z at {100 * profile.change_level:g}% for ICBs and {level} for practices: with "
        f"{len(profile.changes)} ICB tests (ICBs × indicators), a 95% level would give about "
        f"{0.05 * len(profile.changes):.0f} false alarms by chance alone, {100 * profile.change_level:g}% about "
        f"{(1 - profile.change_level) * len(profile.changes):.1f}. Only practices open in both years count, each in "
        "the ICB it belongs to in the later year; a practice whose patients counted changed by more than 25% "
        "(a merger, split or fast growth) is not tested.",
    ]


def lede(profile: AreaProfile, n_similar: int) -> str:
    """The sentence under the title: the ICB, its region, practices, indicators, years and comparators."""
    p = profile
    count = len(p.definitions)
    return (f"{len(p.funnel):,} practices, {count} indicator{'s' if count != 1 else ''}, {p.periods[0]} and "
            f"{p.periods[1]}; compared with England and its {n_similar} most similar ICBs.")


def funnel_axis(chart: Chart) -> Chart:
    """Plain numbers on the funnel's logarithmic axis, major ticks only (minor labels crowd a short range)."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax = chart.figure.axes[0]
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    return chart


def index_group(profile: AreaProfile) -> str:
    """The heading the site index files this page under: real ones together; synthetic ones by invented region
    (the synthetic set borrows NHS England's region names for its invented ICBs, and the heading says so)."""
    return ("Area profiles on real data" if profile.source else
            f"Area profiles (synthetic data): invented ICBs placed in {profile.region}")


def show_index_group(profile: AreaProfile) -> None:
    """Attach the index heading to the page's facts (nothing visible): the build groups area pages by region."""
    from IPython.display import display

    from ..page.show import FACTS_MIMETYPE

    display({"text/html": "", "text/plain": "", FACTS_MIMETYPE: {"group": index_group(profile)}}, raw=True)
