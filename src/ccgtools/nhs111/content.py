"""The NHS 111 briefing's page content: headline sentences, charts and tables from a comparison.

Sections whose analysis may not apply (the composite, the closer look at a short
window) are emitted here, heading and text together, only when their analysis ran.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config, stats
from ..errors import ParameterError
from ..page import charts as plots
from ..page import disclosure, show
from ..stats.ranking import bottom_count
from .load import Indicator, aggregate, data_span, select
from .ranking import ContractComparison, national_series


def synthetic_description(data_path: str | Path | None, activity: pd.DataFrame) -> str | None:
    """What the data are, in plain words, when they are the bundled synthetic file; None otherwise.

    Passed to :func:`ccgtools.page.show.show_title` so the page, its charts and the
    index say that the figures are invented.
    """
    if config.resolve_path(data_path, config.NHS111_ACTIVITY).resolve() != config.NHS111_ACTIVITY.resolve():
        return None
    first, last = data_span(activity)
    return (f"invented activity from {first:%-d %B %Y} to {last:%-d %B %Y} for "
            f"{activity['contract_code'].nunique()} fictional NHS 111 contracts, calibrated to the 2013 "
            "national figures; not real NHS data")


def header(activity: pd.DataFrame, region: str | None) -> tuple[str, str]:
    """The title's lede and period: the data's own first and last days (a weekly return covers its week)."""
    first, last = data_span(activity)
    period = f"{first:%-d %B %Y} to {last:%-d %B %Y}"
    return f"{activity['contract_code'].nunique()} contracts, {period}, {region or 'England'}.", period


def bottom_fifth_definition(comparison: ContractComparison) -> str:
    """The one definition of "the bottom fifth" used on the page, in words."""
    units = {int(r["rank"].notna().sum()) for r in comparison.ranks.values()}
    parts = " or ".join(f"the worst {bottom_count(u)} of {u} contracts" for u in sorted(units))
    return (f'"The bottom fifth" means {parts} (a fifth, rounded up), everywhere on this page: in the weekly '
            "counts and in the chance of the bottom fifth alike.")


def show_composite(comparison: ContractComparison) -> None:
    """The composite section (heading, text, table), only when two or more KPIs were compared."""
    if comparison.composite.empty:
        return
    show.show_section("A combined view across KPIs", [(
        f"For each contract, how far it sits from the national figure on each of the {len(comparison.indicators)} "
        "KPIs, in units of the spread expected between contracts, averaged with equal weights: below 0 is worse "
        "than average. An average hides which KPI drives it; the last column names the KPIs on which a contract "
        "is outside the adjusted funnel limits.")])
    show.show_table(show.readable_table(comparison.composite,
                                        {"contract_name": "Contract", "region": "Region",
                                         "composite_z": "Average score (below 0 = worse)",
                                         "worse_on": "Worse than expected on"}).head(10),
                    name="composite", caption="The ten contracts lowest on the combined view",
                    csv=composite_download(comparison))


def show_focus_window(usable: pd.DataFrame, indicators: dict[str, Indicator], start: str | None,
                      end: str | None, *, synthetic: bool, region: str | None = None,
                      compared: tuple[str | None, str | None] = (None, None)) -> None:
    """A closer look at a short window, day by day (heading, text, table), only when one was asked for.

    ``usable`` is the whole file (the window may fall outside the period compared, ``compared`` =
    (first day, last day), and the text then says so); only the contracts of ``region`` are counted
    when one is given.
    """
    if not start or not end:
        return
    window = focus_window(select(usable, region=region), start, end)
    text = (f"{region or 'England'}'s calls and KPIs day by day from {pd.Timestamp(start):%A %-d %B %Y} to "
            f"{pd.Timestamp(end):%A %-d %B %Y}, the window set in this briefing's parameters.")
    first, last = (pd.Timestamp(day) if day else None for day in compared)
    outside = window["period"][((window["period"] < first) if first is not None else False)
                               | ((window["period"] > last) if last is not None else False)]
    if len(outside):
        text += (f" {len(outside)} of these {len(window)} days fall outside the period compared above"
                 f"{f' (from {first:%-d %B %Y}' if first is not None else ' (up to'}"
                 f"{f' to {last:%-d %B %Y})' if last is not None else ')'}: the window is taken from the whole "
                 "file, and its days are not part of the comparison of contracts.")
    easter = pd.date_range("2013-03-28", "2013-04-02")
    if synthetic and window["period"].isin(easter).any():
        text += (" The invented data build in a surge in calls and a dip in performance over Easter 2013 "
                 "(Thursday 28 March to Tuesday 2 April).")
    show.show_section("A closer look at a short window", [text])
    show.show_table(national_table(window, indicators, frequency="D"), name="focus_window",
                    caption=f"All contracts{f' in {region}' if region else ''}, day by day",
                    csv=national_download(window, indicators, frequency="D"))


def focus_window(activity: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """The activity between ``start`` and ``end`` (inclusive); ParameterError when there is none."""
    window = activity[(activity["period"] >= pd.Timestamp(start)) & (activity["period"] <= pd.Timestamp(end))]
    if window.empty:
        raise ParameterError(f"no activity between {start} and {end}")
    return window


def planted_summary(comparison: ContractComparison, contracts: pd.DataFrame, probability: float, *,
                    region: str | None = None) -> list[str]:
    """How many planted underperformers the page found, and its false alarms (synthetic data only).

    Only the contracts of ``region`` count when one was chosen.

    Found: outside the adjusted 99.8% funnel limit on the worse side on at least
    one KPI; a false alarm is a contract that was not planted but is named so. The
    bottom-fifth criterion is reported separately: a fifth of contracts are always
    in the bottom fifth, planted or not.
    """
    if "planted_underperformer" not in contracts:
        return []
    compared = contracts[contracts["region"] == region] if region else contracts
    truth = compared.set_index("contract_code")["planted_underperformer"].astype(str).str.lower() == "true"
    planted = set(truth[truth].index)
    flagged = comparison.flagged
    outside = set(flagged.loc[flagged["reason"].str.contains("outside"), "contract_code"])
    bottom = set(flagged.loc[flagged["reason"].str.contains("probability"), "contract_code"])
    if not planted:
        return ["On this invented data none of the contracts compared was planted as an underperformer, so any "
                "contract named above is a false alarm."]
    return [(f"On this invented data the {len(planted)} planted underperformers are known: "
            f"{len(outside & planted)} of {len(planted)} {'was' if len(outside & planted) == 1 else 'were'} "
            "found outside the adjusted funnel limits, with "
            f"{_count(len(outside - planted), 'false alarm')}. {len(bottom & planted)} of {len(planted)} had at "
            f"least {probability:.0%} chance of the bottom fifth on some KPI, as did "
            f"{_count(len(bottom - planted), 'contract')} that were not planted: being near the bottom of a "
            "league table is not the same as underperforming.")]


def _count(number: int, noun: str) -> str:
    """ "1 false alarm", "2 false alarms", "no false alarms"."""
    return f"{number or 'no'} {noun}{'' if number == 1 else 's'}"


def headline(comparison: ContractComparison, notes: pd.DataFrame, planted: list[str] = (), *,
             region: str | None = None) -> list[str]:
    """Plain-English headline findings computed from the comparison and the data-quality notes.

    ``planted``: the sentences of :func:`planted_summary` (synthetic data only); ``region``:
    the region compared (None for England).
    """
    values, flagged, indicators, fits = (comparison.values, comparison.flagged, comparison.indicators,
                                         comparison.fits)
    sentences = []
    for key, indicator in indicators.items():
        table = values[key]
        national = table["numerator"].sum() / table["denominator"].sum()
        where = f"in {region}" if region else "nationally"
        text = f"{indicator.name}: {national:.1%} {where} across {int(table['value'].notna().sum())} contracts"
        if indicator.standard is not None:
            meets = int(table["meets_standard"].fillna(False).sum())
            short = int(table["credibly_below"].fillna(False).sum())
            below = table.loc[table["credibly_below"].fillna(False).astype(bool), "contract_name"] \
                if "contract_name" in table else pd.Series(dtype=object)
            named = f" ({'; '.join(map(str, below))})" if 1 <= len(below) <= 3 else ""
            text += (f"; {meets} met the standard ({indicator.standard_text}), "
                     f"{short}{named} {'was' if short == 1 else 'were'} short of it by more than the play of "
                     "chance in their own calls (this does not allow for week-to-week variation)")
        sentences.append(text + ".")
    outside = flagged[flagged["reason"].str.contains("outside")]
    bottom_only = flagged[~flagged["contract_code"].isin(outside["contract_code"])]
    if outside.empty:
        sentences.append("No contract is outside the adjusted 99.8% funnel limits on the worse side: none is "
                         "credibly worse than the rest once genuine variation between contracts is allowed for.")
    else:
        sentences.append("Credibly worse than the rest, outside the adjusted 99.8% funnel limits: "
                         + _contracts_with_kpis(outside, len(indicators)) + ".")
    if not bottom_only.empty:
        sentences.append("Often ranked near the bottom (at least an 80% chance of the bottom fifth) but within "
                         "the adjusted limits, which by itself does not show underperformance: "
                         + _contracts_with_kpis(bottom_only, len(indicators)) + ".")
    wide = [indicators[key].name.lower() for key in indicators if fits[key].phi > 1]
    if wide:
        which = "every KPI" if len(wide) == len(indicators) and len(wide) > 1 else ", ".join(wide)
        sentences.append(f"On {which}, contracts differ from one another far more than chance alone would make "
                         "them, so the funnel limits were widened for that before judging any contract.")
    sentences.extend(planted)
    for row in notes.itertuples():
        if row.kpi and row.rows:
            sentences.append(f"Left out: {indicators_label(row.kpi)} — {row.issue.lower()}.")
    return sentences


def _contracts_with_kpis(flagged: pd.DataFrame, all_kpis: int) -> str:
    """Contracts grouped by the KPIs they are flagged on: "A; B (all 3 KPIs). C (calls answered …)".

    Names are separated by semicolons (real contract names contain commas), groups by full stops.
    """
    kpis = flagged.groupby("contract_name", sort=False)["kpi"].agg(lambda k: " and ".join(k).lower())
    counts = flagged.groupby("contract_name", sort=False)["kpi"].size()
    label = kpis.where(counts < all_kpis, f"all {all_kpis} KPIs" if all_kpis > 1 else kpis)
    parts = []
    for kpi_text, names in label.groupby(label, sort=False):
        contracts = list(names.index)
        parts.append(f"{'; '.join(contracts)} ({kpi_text})")
    return ". ".join(parts)


def indicators_label(key: str) -> str:
    """A KPI's short key as words."""
    return key.replace("_", " ").replace("30s", "after 30 seconds").replace("60s", "within 60 seconds")


def funnel_limit_grid(funnel: pd.DataFrame, fit: stats.Overdispersion, points: int = 200) -> pd.DataFrame:
    """Adjusted limits along a grid spanning the contracts' call volumes, for drawing the funnel."""
    denominators = funnel["denominator"].dropna()
    grid = np.geomspace(max(denominators.min() * 0.8, 1.0), denominators.max() * 1.25, points)
    return stats.adjusted_funnel_limits(grid, fit.target, fit.tau2, statistic="proportion")


def kpi_charts(comparison: ContractComparison, kind: str) -> list:
    """One chart per KPI: ``kind`` is "funnel", "ranks" or "bottom_fifth"."""
    charts = []
    for key, indicator in comparison.indicators.items():
        if kind == "funnel":
            funnel, fit = comparison.funnels[key], comparison.fits[key]
            charts.append(_renamed(plots.funnel_chart(
                funnel, funnel_limit_grid(funnel, fit), target=fit.target, label_column="contract_name",
                title=indicator.name, xlabel=f"Calls ({indicator.denominator.replace('_', ' ')}, log scale)",
                ylabel=f"{indicator.name} (%)", name=f"funnel_{key}", higher_is_better=indicator.higher_is_better,
                units="contracts"), FUNNEL_COLUMNS))
        elif kind == "ranks":
            chart = plots.caterpillar_chart(comparison.ranks[key], label_column="contract_name",
                                            title=f"{indicator.name}: rank with 95% interval", name=f"ranks_{key}")
            charts.append(replace(chart, data=ranks_download(chart.data)))
        elif kind == "bottom_fifth":
            charts.append(_renamed(plots.observed_against_chance_chart(
                comparison.bottom_counts[key], label_column="contract_name", name=f"bottom_fifth_{key}",
                title=f"{indicator.name}: periods in the bottom fifth, against chance"), {"periods": "periods_compared"}))
        else:
            raise ParameterError(f"unknown chart kind {kind!r}; expected funnel, ranks or bottom_fifth")
    return charts


def spc_charts(activity: pd.DataFrame, indicators: dict[str, Indicator], *, frequency: str = "W",
               contract_code: str | None = None) -> list:
    """An XmR chart per KPI, for England (or the region chosen) and, when given, one contract."""
    charts = []
    for key, indicator in indicators.items():
        charts.append(_renamed(plots.spc_chart(national_series(activity, indicator, frequency=frequency),
                                               title=f"{indicator.name}: all contracts", ylabel="%",
                                               name=f"spc_{key}_all"), SPC_COLUMNS))
        if contract_code:
            name = activity.loc[activity["contract_code"] == contract_code, "contract_name"].iloc[0]
            charts.append(_renamed(plots.spc_chart(national_series(activity, indicator, frequency=frequency,
                                                                   contract_code=contract_code),
                                                   title=f"{indicator.name}: {name}", ylabel="%",
                                                   name=f"spc_{key}_{contract_code}"), SPC_COLUMNS))
    return charts


#: The columns of a funnel chart's data as named in its CSV file (the unit in the name).
FUNNEL_COLUMNS = {"denominator": "calls", "value": "percent", "lower_99_8": "lower_limit_99_8_percent",
                  "upper_99_8": "upper_limit_99_8_percent", "position": "funnel_position"}
#: The columns of an SPC chart's data as named in its CSV file.
SPC_COLUMNS = {"value": "percent", "mean": "mean_percent", "lower_limit": "lower_limit_percent",
               "upper_limit": "upper_limit_percent"}


def _renamed(chart: plots.Chart, columns: dict[str, str]) -> plots.Chart:
    """``chart`` with the columns of the data it publishes renamed (the drawing is unchanged)."""
    return replace(chart, data=chart.data.rename(columns=columns))


def ranks_download(data: pd.DataFrame) -> pd.DataFrame:
    """A rank chart's data as published: whole-number rank limits and the chance of the bottom fifth as a
    percentage (``bottom_fifth_percent``, as in ``contract_kpis.csv``)."""
    out = data.assign(rank_lower=disclosure.whole_counts(data["rank_lower"]),
                      rank_upper=disclosure.whole_counts(data["rank_upper"]),
                      prob_bottom=100 * data["prob_bottom"])
    return out.rename(columns={"prob_bottom": "bottom_fifth_percent"})


def composite_download(comparison: ContractComparison) -> pd.DataFrame:
    """The combined view as published: each KPI's score in a column named by its key (``z_answered_60s``)."""
    return comparison.composite.rename(columns={i.name: f"z_{key}" for key, i in comparison.indicators.items()})


def ranking_download(comparison: ContractComparison) -> pd.DataFrame:
    """:func:`ranking_table` as published in ``contract_kpis.csv``: the KPI's key beside its name, the rank
    interval as two whole numbers, every column named with its unit."""
    table = ranking_table(comparison)
    keys = {i.name: key for key, i in comparison.indicators.items()}
    out = table.drop(columns="rank_interval").rename(columns={
        "lower": "ci_lower_percent", "upper": "ci_upper_percent", "funnel": "funnel_position",
        "percent_bottom_fifth": "bottom_fifth_percent"})
    out.insert(out.columns.get_loc("kpi"), "kpi_code", table["kpi"].map(keys))
    out.attrs = dict(table.attrs)
    return out


def ranking_table(comparison: ContractComparison) -> pd.DataFrame:
    """One row per contract and KPI: events and calls, value with interval, funnel position, rank interval,
    P(bottom fifth); small counts suppressed with everything on the row that would reveal them."""
    parts = []
    for key, indicator in comparison.indicators.items():
        values = comparison.values[key].set_index("contract_code")
        funnel = comparison.funnels[key].set_index("contract_code")
        ranks = comparison.ranks[key].set_index("contract_code")
        parts.append(pd.DataFrame({
            "contract_name": values["contract_name"], "kpi": indicator.name,
            "events": disclosure.whole_counts(values["numerator"]),
            "calls": disclosure.whole_counts(values["denominator"]),
            "percent": 100 * values["value"],
            "lower": 100 * values["lower"], "upper": 100 * values["upper"],
            "funnel": funnel["position"], "median_rank": ranks["median_rank"],
            "rank_interval": ranks["rank_lower"].astype("Int64").astype(str) + " to "
            + ranks["rank_upper"].astype("Int64").astype(str),
            "rank_lower": disclosure.whole_counts(ranks["rank_lower"]),
            "rank_upper": disclosure.whole_counts(ranks["rank_upper"]),
            "percent_bottom_fifth": 100 * ranks["prob_bottom"]}).reset_index())
    table = pd.concat(parts, ignore_index=True).sort_values(["kpi", "median_rank"], ignore_index=True)
    # The percentage and its interval reveal the events as well as the calls: both are checked.
    return disclosure.suppress_small_counts(table, ["events", "calls"], dependent=["percent", "lower", "upper"])


def national_download(activity: pd.DataFrame, indicators: dict[str, Indicator], *,
                      frequency: str = "D") -> pd.DataFrame:
    """:func:`national_table` as published: the period's date, calls received and each KPI in a column
    named ``<key>_percent`` (not rounded for reading)."""
    totals = aggregate(activity, [], frequency=frequency)
    table = pd.DataFrame({"period": totals["period"], "calls_received": totals["calls_received"]})
    for key, indicator in indicators.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            table[f"{key}_percent"] = (100 * totals[indicator.numerator].astype(float)
                                       / totals[indicator.denominator].astype(float))
    return table


def national_table(activity: pd.DataFrame, indicators: dict[str, Indicator], *, frequency: str = "D") -> pd.DataFrame:
    """England's calls and each KPI per period (e.g. the days of Easter 2013)."""
    totals = aggregate(activity, [], frequency=frequency)
    table = pd.DataFrame({"period": totals["period"].dt.strftime("%a %d %b %Y"),
                          "calls_received": totals["calls_received"]})
    for indicator in indicators.values():
        with np.errstate(divide="ignore", invalid="ignore"):
            table[indicator.name + " (%)"] = (100 * totals[indicator.numerator].astype(float)
                                              / totals[indicator.denominator].astype(float)).round(1)
    return table
