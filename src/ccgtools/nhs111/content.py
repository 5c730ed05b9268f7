"""The NHS 111 briefing's page content: headline sentences, charts and tables from a comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import stats
from ..errors import ParameterError
from ..page import charts as plots
from ..page import disclosure
from .load import Indicator, aggregate
from .ranking import ContractComparison, national_series


def headline(comparison: ContractComparison, notes: pd.DataFrame) -> list[str]:
    """Plain-English headline findings computed from the comparison and the data-quality notes."""
    values, flagged, indicators, fits = (comparison.values, comparison.flagged, comparison.indicators,
                                         comparison.fits)
    sentences = []
    for key, indicator in indicators.items():
        table = values[key]
        national = table["numerator"].sum() / table["denominator"].sum()
        text = f"{indicator.name}: {national:.1%} nationally across {int(table['value'].notna().sum())} contracts"
        if indicator.standard is not None:
            meets = int(table["meets_standard"].fillna(False).sum())
            text += (f"; {meets} met the standard ({indicator.standard_text}), "
                     f"{int(table['credibly_below'].fillna(False).sum())} were credibly short of it")
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
        sentences.append("Reliably near the bottom of the league table (high probability of the bottom fifth) but "
                         "within the adjusted limits, so the gap may be small: "
                         + _contracts_with_kpis(bottom_only, len(indicators)) + ".")
    for key in indicators:
        fit = fits[key]
        if fit.phi > 1:
            sentences.append(f"{indicators[key].name}: contracts differ far more than chance alone would make "
                             f"them (over-dispersion φ = {fit.phi:,.1f}), so the funnel limits were widened "
                             "before judging any contract.")
            break
    for row in notes.itertuples():
        if row.kpi and row.rows:
            sentences.append(f"Left out: {indicators_label(row.kpi)} — {row.issue.lower()}.")
    return sentences


def _contracts_with_kpis(flagged: pd.DataFrame, all_kpis: int) -> str:
    """Contracts grouped by the KPIs they are flagged on: "A, B (all 3 KPIs); C (calls answered …)"."""
    kpis = flagged.groupby("contract_name", sort=False)["kpi"].agg(lambda k: ", ".join(k).lower())
    counts = flagged.groupby("contract_name", sort=False)["kpi"].size()
    label = kpis.where(counts < all_kpis, f"all {all_kpis} KPIs" if all_kpis > 1 else kpis)
    parts = []
    for kpi_text, names in label.groupby(label, sort=False):
        contracts = list(names.index)
        parts.append(f"{', '.join(contracts)} ({kpi_text})")
    return "; ".join(parts)


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
            charts.append(plots.funnel_chart(
                funnel, funnel_limit_grid(funnel, fit), target=fit.target, label_column="contract_name",
                title=indicator.name, xlabel=f"Calls ({indicator.denominator.replace('_', ' ')}, log scale)",
                ylabel=f"{indicator.name} (%)", name=f"funnel_{key}", higher_is_better=indicator.higher_is_better))
        elif kind == "ranks":
            charts.append(plots.caterpillar_chart(comparison.ranks[key], label_column="contract_name",
                                                  title=f"{indicator.name}: rank with 95% interval",
                                                  name=f"ranks_{key}"))
        elif kind == "bottom_fifth":
            charts.append(plots.observed_against_chance_chart(
                comparison.bottom_counts[key], label_column="contract_name", name=f"bottom_fifth_{key}",
                title=f"{indicator.name}: times in the bottom 20%, and by chance"))
        else:
            raise ParameterError(f"unknown chart kind {kind!r}; expected funnel, ranks or bottom_fifth")
    return charts


def spc_charts(activity: pd.DataFrame, indicators: dict[str, Indicator], *, frequency: str = "W",
               contract_code: str | None = None) -> list:
    """An XmR chart per KPI, for England (or the region chosen) and, when given, one contract."""
    charts = []
    for key, indicator in indicators.items():
        charts.append(plots.spc_chart(national_series(activity, indicator, frequency=frequency),
                                      title=f"{indicator.name}: all contracts", ylabel="%",
                                      name=f"spc_{key}_all"))
        if contract_code:
            name = activity.loc[activity["contract_code"] == contract_code, "contract_name"].iloc[0]
            charts.append(plots.spc_chart(national_series(activity, indicator, frequency=frequency,
                                                          contract_code=contract_code),
                                          title=f"{indicator.name}: {name}", ylabel="%",
                                          name=f"spc_{key}_{contract_code}"))
    return charts


def ranking_table(comparison: ContractComparison) -> pd.DataFrame:
    """One row per contract and KPI: value with interval, funnel position, rank interval, P(bottom fifth)."""
    parts = []
    for key, indicator in comparison.indicators.items():
        values = comparison.values[key].set_index("contract_code")
        funnel = comparison.funnels[key].set_index("contract_code")
        ranks = comparison.ranks[key].set_index("contract_code")
        parts.append(pd.DataFrame({
            "contract_name": values["contract_name"], "kpi": indicator.name,
            "calls": values["denominator"].astype("Int64"), "percent": 100 * values["value"],
            "lower": 100 * values["lower"], "upper": 100 * values["upper"],
            "funnel": funnel["position"], "median_rank": ranks["median_rank"],
            "rank_interval": ranks["rank_lower"].astype("Int64").astype(str) + " to "
            + ranks["rank_upper"].astype("Int64").astype(str),
            "percent_bottom_fifth": 100 * ranks["prob_bottom"]}).reset_index())
    table = pd.concat(parts, ignore_index=True).sort_values(["kpi", "median_rank"], ignore_index=True)
    return disclosure.suppress_small_counts(table, ["calls"], dependent=["percent", "lower", "upper"])


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
