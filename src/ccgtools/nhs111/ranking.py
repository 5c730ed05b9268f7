"""Comparing NHS 111 contracts fairly: KPIs with intervals, funnels, ranks with uncertainty, SPC.

Every function takes the canonical activity or its totals (:mod:`ccgtools.nhs111.load`)
and a KPI definition, and returns a new DataFrame; nothing loops over contracts
in Python except the small simulation of the "bottom 20%" count, which loops
over periods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import stats
from ..errors import ParameterError
from ..page import disclosure
from .load import Indicator, aggregate

CONTRACT_KEYS = ["contract_code", "contract_name", "region"]


def _as_floats(values) -> np.ndarray:
    """Nullable counts as floats, missing as NaN."""
    return values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def kpi_counts(totals: pd.DataFrame, indicator: Indicator) -> tuple[np.ndarray, np.ndarray]:
    """The KPI's numerator and denominator columns as float arrays (missing as NaN)."""
    return _as_floats(totals[indicator.numerator]), _as_floats(totals[indicator.denominator])


def contract_totals(activity: pd.DataFrame) -> pd.DataFrame:
    """Measures summed over the whole period, one row per contract."""
    return aggregate(activity, CONTRACT_KEYS)


def kpi_values(totals: pd.DataFrame, indicator: Indicator, *, confidence: float = 0.95) -> pd.DataFrame:
    """Each contract's KPI with its Wilson interval, against the national standard.

    Returns
    -------
    pandas.DataFrame
        contract_code, contract_name, region, numerator, denominator, value,
        lower, upper (proportions), standard, meets_standard, credibly_below
        (the whole interval on the wrong side of the standard). Contracts with no
        denominator have NaN and are not judged.

    Notes
    -----
    Wilson score interval (Newcombe 1998).
    """
    numerator, denominator = kpi_counts(totals, indicator)
    value, lower, upper = stats.proportion_ci(numerator, denominator, confidence)
    table = totals[CONTRACT_KEYS].assign(numerator=numerator, denominator=denominator, value=value,
                                         lower=lower, upper=upper, standard=indicator.standard)
    if indicator.standard is None:
        table["meets_standard"] = pd.NA
        table["credibly_below"] = pd.NA
    elif indicator.higher_is_better:
        table["meets_standard"] = (table["value"] >= indicator.standard).where(table["value"].notna())
        table["credibly_below"] = (table["upper"] < indicator.standard).where(table["value"].notna())
    else:
        table["meets_standard"] = (table["value"] < indicator.standard).where(table["value"].notna())
        table["credibly_below"] = (table["lower"] >= indicator.standard).where(table["value"].notna())
    return table


def kpi_funnel(totals: pd.DataFrame, indicator: Indicator) -> tuple[pd.DataFrame, stats.Overdispersion]:
    """Over-dispersion-adjusted funnel of one KPI against call volume.

    Returns
    -------
    (table, fit)
        ``table``: contract keys, numerator, denominator, value, z_adjusted,
        adjusted limits at 95% and 99.8%, and ``position`` ("worse than expected",
        "better than expected" or "within limits", judged against the adjusted
        99.8% limits and the KPI's direction); ``fit``: φ̂, τ̂², target.

    Notes
    -----
    Spiegelhalter (2005) on the arcsine scale with 10% winsorisation; target
    the overall proportion. See :func:`ccgtools.stats.overdispersion`.
    """
    numerator, denominator = kpi_counts(totals, indicator)
    fit = stats.overdispersion(numerator, denominator, statistic="proportion")
    units = fit.units
    with np.errstate(divide="ignore", invalid="ignore"):
        value = numerator / denominator
    high = value > units["upper_99_8"].to_numpy()
    low = value < units["lower_99_8"].to_numpy()
    worse, better = (low, high) if indicator.higher_is_better else (high, low)
    position = np.select([np.isnan(value), worse, better], ["not assessed", "worse than expected",
                                                            "better than expected"], default="within limits")
    table = totals[CONTRACT_KEYS].assign(
        numerator=numerator, denominator=denominator, value=value, z_adjusted=units["z_adjusted"].to_numpy(),
        lower_95=units["lower_95"].to_numpy(), upper_95=units["upper_95"].to_numpy(),
        lower_99_8=units["lower_99_8"].to_numpy(), upper_99_8=units["upper_99_8"].to_numpy(), position=position)
    return disclosure.suppress_small_counts(table, ["numerator", "denominator"], dependent=["value", "z_adjusted"]), fit


def kpi_ranks(totals: pd.DataFrame, indicator: Indicator, *, n_simulations: int = 10_000, seed: int = 2013,
              bottom_fraction: float = 0.2) -> pd.DataFrame:
    """Rank of each contract (1 = best) with its 95% interval and the probability of the bottom fifth.

    Notes
    -----
    Simulation from each contract's Beta(x + ½, n − x + ½) (Goldstein & Spiegelhalter 1996);
    see :func:`ccgtools.stats.rank_uncertainty`.
    """
    numerator, denominator = kpi_counts(totals, indicator)
    ranks = stats.rank_uncertainty(numerator, denominator, higher_is_better=indicator.higher_is_better,
                                   n_simulations=n_simulations, seed=seed, bottom_fraction=bottom_fraction)
    return pd.concat([totals[CONTRACT_KEYS].reset_index(drop=True), ranks.reset_index(drop=True)], axis=1)


def bottom_fifth_counts(activity: pd.DataFrame, indicator: Indicator, *, frequency: str = "W",
                        n_simulations: int = 2_000, seed: int = 2013, fraction: float = 0.2) -> pd.DataFrame:
    """How often each contract was in the bottom fifth of a period's league table, beside chance.

    The count a commissioner makes ("the number of times in the bottom 20%") is
    set beside the same count when every contract performs exactly at the
    national level of each period and only chance (binomial variation at each
    contract's own call volume) moves it. Small contracts swing more, so they land
    in the bottom fifth more often by chance alone.

    Returns
    -------
    pandas.DataFrame
        contract keys, periods (ranked), times_bottom, chance_expected, chance_upper
        (95th percentile under chance), beyond_chance (times_bottom > chance_upper).
    """
    periodic = aggregate(activity, CONTRACT_KEYS, frequency=frequency)
    numerator = periodic.pivot(index="period", columns="contract_code", values=indicator.numerator)
    denominator = periodic.pivot(index="period", columns="contract_code", values=indicator.denominator)
    x, n = _as_floats(numerator), _as_floats(denominator)
    valid = (n > 0) & ~np.isnan(x)
    sign = -1.0 if indicator.higher_is_better else 1.0

    def bottom(values: np.ndarray) -> np.ndarray:
        badness = np.where(valid, sign * values, np.nan)  # the worse the contract, the larger
        ranked = np.argsort(np.argsort(np.where(np.isnan(badness), -np.inf, badness), axis=-1), axis=-1)
        ranked_count = valid.sum(axis=-1, keepdims=True)
        worst_position = ranked - (valid.shape[-1] - ranked_count)  # 0 for best valid contract
        return valid & (worst_position >= np.ceil((1 - fraction) * ranked_count))

    with np.errstate(divide="ignore", invalid="ignore"):
        observed = bottom(x / n)
        national = np.nansum(np.where(valid, x, 0), axis=1) / np.nansum(np.where(valid, n, 0), axis=1)
    rng = np.random.default_rng(seed)
    trials = np.where(valid, n, 0).astype(np.int64)
    chance = np.zeros((n_simulations, x.shape[1]))
    for start in range(0, n_simulations, 250):
        size = min(250, n_simulations - start)
        draws = rng.binomial(trials, national[:, None], size=(size, *trials.shape))
        with np.errstate(divide="ignore", invalid="ignore"):
            chance[start:start + size] = bottom(draws / np.where(trials > 0, trials, np.nan)).sum(axis=1)
    keys = periodic.drop_duplicates("contract_code").set_index("contract_code")[["contract_name", "region"]]
    table = pd.DataFrame({"contract_code": numerator.columns, "periods": valid.sum(axis=0),
                          "times_bottom": observed.sum(axis=0), "chance_expected": chance.mean(axis=0),
                          "chance_upper": np.quantile(chance, 0.95, axis=0)})
    table = table.join(keys, on="contract_code")
    table["beyond_chance"] = table["times_bottom"] > table["chance_upper"]
    return table[["contract_code", "contract_name", "region", "periods", "times_bottom", "chance_expected",
                  "chance_upper", "beyond_chance"]].sort_values("times_bottom", ascending=False, ignore_index=True)


def composite(funnels: dict[str, pd.DataFrame], indicators: dict[str, Indicator]) -> pd.DataFrame:
    """A composite view: each contract's adjusted z-score per KPI, signed so that positive is better, and their mean.

    Notes
    -----
    Equal weights; the mean of over-dispersion-adjusted z-scores (Spiegelhalter
    2005). A composite hides which KPI drives it: read it with the per-KPI funnels.
    """
    columns = {}
    for key, table in funnels.items():
        sign = 1 if indicators[key].higher_is_better else -1
        columns[indicators[key].name] = sign * table.set_index("contract_code")["z_adjusted"]
    scores = pd.DataFrame(columns)
    keys = next(iter(funnels.values())).set_index("contract_code")[["contract_name", "region"]]
    out = keys.join(scores)
    out["composite_z"] = scores.mean(axis=1)
    out["worse_on"] = [", ".join(indicators[k].name for k, t in funnels.items()
                                 if t.set_index("contract_code").loc[code, "position"] == "worse than expected")
                       for code in out.index]
    return out.sort_values("composite_z").reset_index()


def national_series(activity: pd.DataFrame, indicator: Indicator, *, frequency: str = "W",
                    contract_code: str | None = None) -> pd.DataFrame:
    """The KPI per period for England (or one contract), with the XmR chart's limits and flags.

    Notes
    -----
    XmR chart with the Making Data Count rules (:func:`ccgtools.stats.xmr`),
    improvement in the KPI's direction.
    """
    rows = activity if contract_code is None else activity[activity["contract_code"] == contract_code]
    series = aggregate(rows, [], frequency=frequency)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (series[indicator.numerator].astype(float) / series[indicator.denominator].astype(float))
    series = series.assign(value=value).dropna(subset=["value"])
    chart = stats.xmr(series["value"].to_numpy(), improvement=indicator.direction)
    return pd.concat([series[["period"]].reset_index(drop=True), chart], axis=1)


def credibly_underperforming(funnels: dict[str, pd.DataFrame], ranks: dict[str, pd.DataFrame],
                             indicators: dict[str, Indicator], *, probability: float = 0.8) -> pd.DataFrame:
    """Contracts credibly below the rest on any KPI: outside the adjusted 99.8% limits on the worse
    side, or with at least ``probability`` of being in the bottom fifth.

    Returns
    -------
    pandas.DataFrame
        contract_code, contract_name, kpi, value, reason; one row per contract and KPI.
    """
    rows = []
    for key, indicator in indicators.items():
        funnel = funnels[key].set_index("contract_code")
        rank = ranks[key].set_index("contract_code")
        for code in funnel.index:
            reasons = []
            if funnel.loc[code, "position"] == "worse than expected":
                reasons.append("outside the adjusted 99.8% limit")
            if rank.loc[code, "prob_bottom"] >= probability:
                reasons.append(f"{rank.loc[code, 'prob_bottom']:.0%} probability of the bottom fifth")
            if reasons:
                rows.append({"contract_code": code, "contract_name": funnel.loc[code, "contract_name"],
                             "kpi": indicator.name, "value": funnel.loc[code, "value"],
                             "reason": "; ".join(reasons)})
    return pd.DataFrame(rows, columns=["contract_code", "contract_name", "kpi", "value", "reason"])


@dataclass
class ContractComparison:
    """Everything the 111 briefing shows, per KPI where it applies."""

    indicators: dict[str, Indicator]
    values: dict[str, pd.DataFrame]
    funnels: dict[str, pd.DataFrame]
    fits: dict[str, stats.Overdispersion]
    ranks: dict[str, pd.DataFrame]
    bottom_counts: dict[str, pd.DataFrame]
    composite: pd.DataFrame
    flagged: pd.DataFrame


def compare_contracts(activity: pd.DataFrame, indicators: dict[str, Indicator], *,
                      frequency: str = "W", n_simulations: int = 10_000, seed: int = 2013,
                      probability: float = 0.8, confidence: float = 0.95) -> ContractComparison:
    """Run every comparison of the briefing for each KPI (see the functions above for methods)."""
    totals = contract_totals(activity)
    values, funnels, fits, ranks, bottoms = {}, {}, {}, {}, {}
    for key, indicator in indicators.items():
        values[key] = kpi_values(totals, indicator, confidence=confidence)
        funnels[key], fits[key] = kpi_funnel(totals, indicator)
        ranks[key] = kpi_ranks(totals, indicator, n_simulations=n_simulations, seed=seed)
        bottoms[key] = bottom_fifth_counts(activity, indicator, frequency=frequency,
                                           n_simulations=max(200, n_simulations // 10), seed=seed)
    flagged = credibly_underperforming(funnels, ranks, indicators, probability=probability)
    return ContractComparison(indicators, values, funnels, fits, ranks, bottoms, composite(funnels, indicators),
                              flagged)


def check_contract(activity: pd.DataFrame, contract_code: str | None) -> None:
    """ParameterError unless ``contract_code`` is None or a contract in the data."""
    if contract_code and contract_code not in set(activity["contract_code"]):
        raise ParameterError(f"unknown contract {contract_code!r}; expected one of "
                             + ", ".join(sorted(activity["contract_code"].unique())))


def focus_window(activity: pd.DataFrame, start: str | None, end: str | None) -> pd.DataFrame:
    """The activity between ``start`` and ``end`` (inclusive); empty when no window is asked for."""
    if not start or not end:
        return activity.iloc[0:0]
    window = activity[(activity["period"] >= pd.Timestamp(start)) & (activity["period"] <= pd.Timestamp(end))]
    if window.empty:
        raise ParameterError(f"no activity between {start} and {end}")
    return window
