"""Comparing NHS 111 contracts fairly: KPIs with intervals, funnels, ranks with uncertainty, SPC.

Every function takes the canonical activity or its totals (:mod:`ccgtools.nhs111.load`)
and a KPI definition, and returns a new DataFrame; nothing loops over contracts
in Python. "The bottom fifth" is :func:`ccgtools.stats.ranking.bottom_count`
everywhere: the weekly count and the rank probability use the same number of
contracts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import stats
from ..errors import ParameterError
from ..page import disclosure
from ..stats.ranking import in_bottom, period_bootstrap_ranks
from .load import Indicator, aggregate, data_span

#: Funnel columns that would reveal a suppressed count: the limits are computed at the unit's own denominator.
FUNNEL_DEPENDENT = ["value", "z_adjusted", "lower_95", "upper_95", "lower_99_8", "upper_99_8"]

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
        numerator=disclosure.whole_counts(numerator), denominator=disclosure.whole_counts(denominator),
        value=value,
        z_adjusted=units["z_adjusted"].to_numpy(),
        lower_95=units["lower_95"].to_numpy(), upper_95=units["upper_95"].to_numpy(),
        lower_99_8=units["lower_99_8"].to_numpy(), upper_99_8=units["upper_99_8"].to_numpy(), position=position)
    return disclosure.suppress_small_counts(table, ["numerator", "denominator"], dependent=FUNNEL_DEPENDENT), fit


def period_counts(activity: pd.DataFrame, indicator: Indicator, frequency: str = "W") -> tuple[pd.DataFrame, ...]:
    """The KPI's numerator and denominator per period (rows) and contract (columns, by contract code)."""
    periodic = aggregate(activity, CONTRACT_KEYS, frequency=frequency)
    numerator = periodic.pivot(index="period", columns="contract_code", values=indicator.numerator)
    denominator = periodic.pivot(index="period", columns="contract_code", values=indicator.denominator)
    return numerator, denominator


def kpi_ranks(activity: pd.DataFrame, indicator: Indicator, *, frequency: str = "W", n_simulations: int = 10_000,
              seed: int = 2013, bottom_fraction: float = 0.2) -> pd.DataFrame:
    """Rank of each contract (1 = best) with its 95% interval and the probability of the bottom fifth.

    Notes
    -----
    A bootstrap of whole periods (weeks by default): each replicate resamples the
    periods with replacement, recomputes every contract's KPI and ranks them, so
    the intervals carry the real variation from week to week as well as chance
    (Goldstein & Spiegelhalter 1996; see :func:`ccgtools.stats.ranking.period_bootstrap_ranks`).
    """
    numerator, denominator = period_counts(activity, indicator, frequency)
    ranks = period_bootstrap_ranks(_as_floats(numerator), _as_floats(denominator),
                                   higher_is_better=indicator.higher_is_better, n_simulations=n_simulations,
                                   seed=seed, bottom_fraction=bottom_fraction, labels=numerator.columns)
    keys = aggregate(activity, CONTRACT_KEYS)[CONTRACT_KEYS]
    return keys.join(ranks, on="contract_code").reset_index(drop=True)


def bottom_fifth_counts(activity: pd.DataFrame, indicator: Indicator, *, frequency: str = "W",
                        n_simulations: int = 2_000, seed: int = 2013, fraction: float = 0.2) -> pd.DataFrame:
    """How often each contract was in the bottom fifth of a period's league table, beside chance.

    The count a commissioner makes ("the number of times in the bottom 20%") is
    made over the periods the data cover in full, and set beside the same count when every contract performs exactly at the
    national level of each period and only chance (binomial variation at each
    contract's own call volume) moves it. Small contracts swing more, so they land
    in the bottom fifth more often by chance alone.

    Returns
    -------
    pandas.DataFrame
        contract keys, periods (ranked), times_bottom, chance_expected, chance_upper
        (95th percentile under chance), beyond_chance (times_bottom > chance_upper).
    """
    numerator, denominator = period_counts(activity, indicator, frequency)
    whole = _whole_periods(numerator.index, activity, frequency)  # a one-day "week" is not counted as a week
    numerator, denominator = numerator[whole], denominator[whole]
    x, n = _as_floats(numerator), _as_floats(denominator)
    valid = (n > 0) & ~np.isnan(x)
    sign = -1.0 if indicator.higher_is_better else 1.0

    def bottom(values: np.ndarray) -> np.ndarray:
        badness = np.where(valid, sign * values, np.nan)  # the worse the contract, the larger
        order = np.argsort(np.where(np.isnan(badness), -np.inf, badness), axis=-1)
        ranked = np.empty(order.shape, dtype=np.int32)  # the inverse permutation: argsort(order), in one pass
        np.put_along_axis(ranked, order, np.arange(order.shape[-1], dtype=np.int32), axis=-1)
        ranked_count = valid.sum(axis=-1, keepdims=True)
        rank = ranked - (valid.shape[-1] - ranked_count) + 1  # 1 for the best valid contract
        return valid & in_bottom(rank, ranked_count, fraction)

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
    keys = aggregate(activity, CONTRACT_KEYS).set_index("contract_code")[["contract_name", "region"]]
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
    With fewer than two KPIs there is nothing to combine: the table is empty.
    """
    if len(funnels) < 2:
        return pd.DataFrame(columns=["contract_code", "contract_name", "region", "composite_z", "worse_on"])
    columns = {}
    for key, table in funnels.items():
        sign = 1 if indicators[key].higher_is_better else -1
        columns[indicators[key].name] = sign * table.set_index("contract_code")["z_adjusted"]
    scores = pd.DataFrame(columns)
    keys = next(iter(funnels.values())).set_index("contract_code")[["contract_name", "region"]]
    out = keys.join(scores)
    out["composite_z"] = scores.mean(axis=1)
    worse = pd.DataFrame({indicators[k].name: t.set_index("contract_code")["position"] == "worse than expected"
                          for k, t in funnels.items()}).reindex(out.index, fill_value=False)
    out["worse_on"] = worse.dot(worse.columns + ", ").str.rstrip(", ")
    return out.sort_values("composite_z").reset_index()


def national_series(activity: pd.DataFrame, indicator: Indicator, *, frequency: str = "W",
                    contract_code: str | None = None) -> pd.DataFrame:
    """The KPI per period for England (or one contract), with the XmR chart's limits and flags.

    Notes
    -----
    XmR chart with the Making Data Count rules (:func:`ccgtools.stats.xmr`),
    improvement in the KPI's direction. Periods that the data cover only in part
    (the first and last, when the data do not start and end on a period's
    boundary) are left out: one day plotted as a week is not a week.
    """
    rows = activity if contract_code is None else activity[activity["contract_code"] == contract_code]
    series = complete_periods(aggregate(rows, [], frequency=frequency), rows, frequency)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (series[indicator.numerator].astype(float) / series[indicator.denominator].astype(float))
    series = series.assign(value=value).dropna(subset=["value"])
    chart = stats.xmr(series["value"].to_numpy(), improvement=indicator.direction)
    return pd.concat([series[["period"]].reset_index(drop=True), chart], axis=1)


def _whole_periods(labels, activity: pd.DataFrame, frequency: str) -> np.ndarray:
    """True for each period label (its last day) whose whole period lies within the days ``activity`` covers."""
    first, last = data_span(activity)
    periods = pd.DatetimeIndex(labels).to_period({"D": "D", "W": "W-SUN", "M": "M"}[frequency])
    return np.asarray((periods.start_time >= first) & (periods.end_time.normalize() <= last))


def complete_periods(series: pd.DataFrame, activity: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """The rows of a per-period ``series`` whose whole period lies within the days ``activity`` covers."""
    return series[_whole_periods(series["period"], activity, frequency)].reset_index(drop=True)


def credibly_underperforming(funnels: dict[str, pd.DataFrame], ranks: dict[str, pd.DataFrame],
                             indicators: dict[str, Indicator], *, probability: float = 0.8) -> pd.DataFrame:
    """Contracts credibly below the rest on any KPI: outside the adjusted 99.8% limits on the worse
    side, or with at least ``probability`` of being in the bottom fifth.

    Returns
    -------
    pandas.DataFrame
        contract_code, contract_name, kpi, value, reason; one row per contract and KPI.
    """
    parts = []
    for key, indicator in indicators.items():  # a few KPIs; every contract at once within each
        funnel = funnels[key].set_index("contract_code")
        chance = ranks[key].set_index("contract_code")["prob_bottom"].reindex(funnel.index)
        outside = (funnel["position"] == "worse than expected").to_numpy()
        likely = (chance >= probability).to_numpy()
        words = chance.map(lambda p: f"{p:.0%} probability of the bottom fifth").to_numpy(dtype=object)
        reason = np.where(outside & likely, "outside the adjusted 99.8% limit; " + words,
                          np.where(outside, "outside the adjusted 99.8% limit", words))
        table = funnel.assign(kpi=indicator.name, reason=reason)[outside | likely]
        parts.append(table.reset_index()[["contract_code", "contract_name", "kpi", "value", "reason"]])
    if not parts:
        return pd.DataFrame(columns=["contract_code", "contract_name", "kpi", "value", "reason"])
    return pd.concat(parts, ignore_index=True)


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
    """Run every comparison of the briefing for each KPI (see the functions above for methods).

    The run's settings are checked by name first (:mod:`ccgtools.nhs111.parameters`), so a notebook run in
    JupyterLab refuses ``probability_bottom = 1.5`` as the build does.
    """
    from ..parameters import check_parameters
    from .parameters import RULES

    check_parameters({"frequency": frequency, "n_simulations": n_simulations, "seed": seed,
                      "probability_bottom": probability}, RULES)
    totals = contract_totals(activity)
    values, funnels, fits, ranks, bottoms = {}, {}, {}, {}, {}
    for key, indicator in indicators.items():
        values[key] = kpi_values(totals, indicator, confidence=confidence)
        funnels[key], fits[key] = kpi_funnel(totals, indicator)
        ranks[key] = kpi_ranks(activity, indicator, frequency=frequency, n_simulations=n_simulations, seed=seed)
        bottoms[key] = bottom_fifth_counts(activity, indicator, frequency=frequency,
                                           n_simulations=max(200, n_simulations // 10), seed=seed)
    flagged = credibly_underperforming(funnels, ranks, indicators, probability=probability)
    return ContractComparison(indicators, values, funnels, fits, ranks, bottoms, composite(funnels, indicators),
                              flagged)


def check_contract(activity: pd.DataFrame, contract_code: str | None, region: str | None = None) -> None:
    """ParameterError unless ``contract_code`` is None or one of the contracts compared.

    Parameters
    ----------
    activity : pandas.DataFrame
        The activity compared (already restricted to the chosen region).
    contract_code : str or None
        The contract to highlight; None or empty for none.
    region : str, optional
        The region chosen, named in the message.

    Raises
    ------
    ParameterError
        Naming every contract that could be highlighted, by code and name.
    """
    if contract_code and contract_code not in set(activity["contract_code"]):
        names = activity.drop_duplicates("contract_code").sort_values("contract_code")
        choices = ", ".join(f"{c} ({n})" for c, n in zip(names["contract_code"], names["contract_name"]))
        raise ParameterError(f"highlight_contract {contract_code!r} is not among the contracts compared"
                             + (f" in {region}" if region else "") + f"; expected None or one of {choices}")
