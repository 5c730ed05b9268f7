"""Which GP practices are genuinely unusual once their populations are taken into account?

Three views of each practice, from least to most adjusted:

* **crude**: events per registered patient against the overall rate, with exact
  Poisson 99.8% limits (a league table of raw rates);
* **age-sex**: the indirectly standardised ratio O/E (E from age-sex reference
  rates), with exact Poisson 99.8% limits;
* **fully adjusted**: O/E after a Poisson (or negative binomial) regression of
  the events on deprivation (and optionally rurality) with log(E) as offset,
  judged against 99.8% funnel limits widened for over-dispersion (Spiegelhalter 2005).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from .. import stats
from ..errors import DataError, ParameterError
from ..page import disclosure

COVARIATES = {"imd": "imd_score", "rural": "rural", "prop65": "prop65"}
FAMILIES = ("poisson", "negative_binomial")
VIEWS = ("crude", "age_sex", "adjusted")


def check_indicator(events: pd.DataFrame, indicator: str) -> None:
    """ParameterError unless ``indicator`` is a column of the events table."""
    if indicator not in events.columns:
        raise ParameterError(f"unknown indicator {indicator!r}; expected one of {', '.join(events.columns)}")


def practice_frame(practices: pd.DataFrame, population: pd.DataFrame, events: pd.DataFrame,
                   reference_rates: pd.DataFrame, indicator: str, *, area: str | None = None) -> pd.DataFrame:
    """One row per practice: observed events, list size, age-sex expected events and covariates.

    Parameters
    ----------
    area : str, optional
        Keep practices whose region or CCG code equals this.

    Raises
    ------
    DataError
        A practice in the events without a register, or without attributes.
    """
    check_indicator(events, indicator)
    missing = events.index.difference(population.index)
    if len(missing):
        raise DataError("practice has events but no registered patients", column="practice_code",
                        value=missing[0], expected="every practice with events in the registrations")
    attributes = practices.set_index("practice_code")
    unknown = events.index.difference(attributes.index)
    if len(unknown):
        raise DataError("practice has events but no attributes (CCG, IMD, rurality)", column="practice_code",
                        value=unknown[0], expected="every practice in the practices file")
    expected = stats.expected_events(population.loc[events.index], reference_rates[indicator])[indicator]
    frame = attributes.loc[events.index].assign(
        observed=events[indicator].astype(float), list_size=population.loc[events.index].sum(axis=1),
        expected=expected, rural=(attributes.loc[events.index, "rurality"] == "Rural").astype(float),
        prop65=population.loc[events.index].filter(regex=r" (6[5-9]|[7-9]\d)_|95\+").sum(axis=1)
        / population.loc[events.index].sum(axis=1) * 100)
    if area:
        chosen = (frame["region"] == area) | (frame["ccg_code"] == area)
        if not chosen.any():
            raise ParameterError(f"no practices in region or CCG {area!r}")
        frame = frame[chosen]
    return frame.reset_index()


def _standardised_design(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Design matrix of the covariates centred and divided by their SD, with a constant; and the SDs."""
    x = frame[columns].astype(float)
    scale = x.std(ddof=0).replace(0, 1.0)
    return sm.add_constant((x - x.mean()) / scale, has_constant="add"), scale


def _effects(covariates, columns, params, conf, scale, effect: str) -> pd.DataFrame:
    """Each covariate's exponentiated coefficient per SD with its 95% interval."""
    return pd.DataFrame({"covariate": list(covariates), "effect": effect,
                         "ratio_per_sd": np.exp(params[columns].to_numpy()),
                         "lower_95": np.exp(conf.loc[columns, 0].to_numpy()),
                         "upper_95": np.exp(conf.loc[columns, 1].to_numpy()), "sd": scale.to_numpy()})


def adjusted_expected(frame: pd.DataFrame, covariates: tuple[str, ...] = ("imd",), *,
                      family: str = "poisson") -> tuple[pd.Series, pd.DataFrame]:
    """Expected events after adjusting the age-sex expected for practice covariates.

    A GLM of observed events on standardised covariates with offset log(E_age-sex):
    log μᵢ = log Eᵢ + β₀ + Σ βₖ xᵢₖ. The fitted μᵢ are the fully adjusted
    expected events; O/μ is the adjusted ratio.

    Parameters
    ----------
    covariates : tuple of str
        Any of "imd" (IMD score), "rural" (rural practice) and "prop65" (% aged 65+;
        for indicators without an age-sex breakdown).
    family : {"poisson", "negative_binomial"}
        Poisson GLM (statsmodels ``GLM``), or negative binomial with its dispersion
        estimated by maximum likelihood (statsmodels ``NegativeBinomial``, NB2).

    Returns
    -------
    (expected, coefficients)
        Fitted μ per practice; and a table of rate ratios per standard deviation
        of each covariate with 95% confidence intervals.

    References
    ----------
    McCullagh P, Nelder JA (1989). Generalized Linear Models, 2nd ed. Chapman & Hall.
    """
    if family not in FAMILIES:
        raise ParameterError(f"family must be one of {', '.join(FAMILIES)}; found {family!r}")
    unknown = [c for c in covariates if c not in COVARIATES]
    if unknown:
        raise ParameterError(f"unknown covariate(s) {', '.join(unknown)}; expected some of {', '.join(COVARIATES)}")
    columns = [COVARIATES[c] for c in covariates]
    design, scale = _standardised_design(frame, columns)
    offset = np.log(frame["expected"].astype(float))
    if family == "poisson":
        fit = sm.GLM(frame["observed"].astype(float), design, family=sm.families.Poisson(), offset=offset).fit()
        params, conf = fit.params, fit.conf_int()
        mu = fit.fittedvalues
    else:
        fit = sm.NegativeBinomial(frame["observed"].astype(float), design, offset=offset).fit(disp=False, maxiter=200)
        params, conf = fit.params.drop("alpha"), fit.conf_int().drop("alpha")
        mu = np.exp(design @ params + offset)
    coefficients = _effects(covariates, columns, params, conf, scale, "rate ratio")
    return pd.Series(np.asarray(mu, dtype=float), index=frame.index, name="adjusted_expected"), coefficients


@dataclass
class VariationResult:
    """The three views of every practice, the over-dispersion fit and the covariate effects."""

    table: pd.DataFrame
    fit: stats.Overdispersion
    coefficients: pd.DataFrame
    indicator: str
    covariates: tuple[str, ...]
    method: str
    views: tuple[str, ...] = VIEWS
    flag_level: float = 0.998


def _outside(value: pd.Series, lower, upper) -> np.ndarray:
    return np.select([value > np.asarray(upper), value < np.asarray(lower)], ["high", "low"], "")


def _limit_columns(units: pd.DataFrame, level: float) -> dict:
    label = stats.level_label(level)
    return {"lower_95": units["lower_95"].to_numpy(), "upper_95": units["upper_95"].to_numpy(),
            "lower_limit": units[f"lower_{label}"].to_numpy(), "upper_limit": units[f"upper_{label}"].to_numpy()}


def analyse_indicator(frame: pd.DataFrame, indicator: str, *, covariates: tuple[str, ...] = ("imd",),
                      family: str = "poisson", method: str = "additive", flag_level: float = 0.998) -> VariationResult:
    """Crude, age-sex standardised and fully adjusted views of one indicator for every practice.

    Returns
    -------
    VariationResult
        ``table``: practice_code, ccg_code, region, observed, list_size, crude_rate
        (per 1,000), expected (age-sex), adjusted_expected, crude_ratio, isr, adjusted_ratio,
        z_adjusted, adjusted limits (95% and ``lower_limit``/``upper_limit`` at
        ``flag_level``), and the flags ``crude_flag``, ``age_sex_flag``,
        ``adjusted_flag`` ("high", "low" or ""), each at ``flag_level`` (default 99.8%).

    Notes
    -----
    Crude and age-sex flags: exact Poisson funnel limits of the ratio (PHE's
    funnel method, no over-dispersion). Adjusted flags: over-dispersion-adjusted
    limits on the square-root scale (Spiegelhalter 2005; ``method`` as in
    :func:`ccgtools.stats.overdispersion`).
    """
    observed = frame["observed"]
    crude_expected = frame["list_size"] * observed.sum() / frame["list_size"].sum()
    adjusted, coefficients = adjusted_expected(frame, covariates, family=family) if covariates else (
        frame["expected"].rename("adjusted_expected"), pd.DataFrame(columns=["covariate", "effect", "ratio_per_sd",
                                                                             "lower_95", "upper_95", "sd"]))
    fit = stats.overdispersion(observed, adjusted, statistic="ratio", method=method, confidence=(0.95, flag_level))
    crude_limits = stats.funnel_limits(crude_expected, 1.0, statistic="ratio", confidence=flag_level)
    age_sex_limits = stats.funnel_limits(frame["expected"], 1.0, statistic="ratio", confidence=flag_level)
    label = stats.level_label(flag_level)
    table = frame[["practice_code", "ccg_code", "region", "observed", "list_size", "expected"]].assign(
        crude_rate=1000 * observed / frame["list_size"], adjusted_expected=adjusted,
        crude_ratio=observed / crude_expected, isr=observed / frame["expected"], adjusted_ratio=observed / adjusted,
        z_adjusted=fit.units["z_adjusted"].to_numpy(), **_limit_columns(fit.units, flag_level))
    table["crude_flag"] = _outside(table["crude_ratio"], crude_limits[f"lower_{label}"], crude_limits[f"upper_{label}"])
    table["age_sex_flag"] = _outside(table["isr"], age_sex_limits[f"lower_{label}"], age_sex_limits[f"upper_{label}"])
    table["adjusted_flag"] = _outside(table["adjusted_ratio"], table["lower_limit"], table["upper_limit"])
    return VariationResult(publishable(table), fit, coefficients, indicator, tuple(covariates), method,
                           flag_level=flag_level)


#: Columns from which a practice's event count could be worked out.
DERIVED_FROM_COUNT = ("crude_rate", "crude_ratio", "isr", "adjusted_ratio", "z_adjusted")


def publishable(table: pd.DataFrame) -> pd.DataFrame:
    """The practice table with small event counts (and what derives from them) suppressed.

    Statistics (φ, τ², flags) are computed on the full data before this; only the
    published numbers are blanked (:mod:`ccgtools.page.disclosure`).
    """
    return disclosure.suppress_small_counts(table, ["observed"], dependent=list(DERIVED_FROM_COUNT))


def proportion_frame(indicator_data: pd.DataFrame, covariate_tables: list[pd.DataFrame]) -> tuple[pd.DataFrame, int]:
    """Join a Fingertips-style proportion indicator to practice covariates.

    Parameters
    ----------
    indicator_data : pandas.DataFrame
        From :func:`ccgtools.practices.load.load_fingertips`: area_code, parent_code,
        count, denominator.
    covariate_tables : list of DataFrame
        Each with ``practice_code`` and covariate columns (``imd_score``, ``prop65``,
        ``rurality``); joined in order, the first table's value kept.

    Returns
    -------
    (frame, dropped)
        Practices with a count, a denominator above 0 and every covariate; and how
        many were dropped for lacking one of those.
    """
    frame = indicator_data.rename(columns={"area_code": "practice_code", "parent_code": "ccg_code",
                                           "count": "observed"})
    frame = frame[["practice_code", "ccg_code", "observed", "denominator"]].assign(region="England")
    for table in covariate_tables:
        new = [c for c in table.columns if c != "practice_code" and c not in frame.columns]
        frame = frame.merge(table[["practice_code", *new]], on="practice_code", how="left")
    if "rurality" in frame:
        frame["rural"] = (frame["rurality"] == "Rural").astype(float).where(frame["rurality"].notna())
    if (frame["observed"] > frame["denominator"]).any():
        bad = frame.loc[frame["observed"] > frame["denominator"], "practice_code"].iloc[0]
        raise DataError("count above denominator for a proportion", column="Count", value=bad,
                        expected="a count no larger than its denominator")
    return frame, len(frame)


def analyse_proportion(frame: pd.DataFrame, indicator: str, *, covariates: tuple[str, ...] = ("imd",),
                       method: str = "additive", flag_level: float = 0.998) -> tuple[VariationResult, int]:
    """Crude and covariate-adjusted views of a proportion indicator without an age breakdown.

    Crude: PHE's proportion funnel (Wilson closed form) at ``flag_level``, no over-dispersion.
    Adjusted: a binomial GLM (logit link) of the proportion on the standardised
    covariates gives each practice's expected count E = n·p̂; the ratio O/E is then
    judged against over-dispersion-adjusted limits on the square-root scale
    (Spiegelhalter 2005), as for the age-sex standardised indicators.

    Returns
    -------
    (result, dropped)
        The :class:`VariationResult` (``views`` = crude and adjusted) and the number of
        practices left out for a missing count, denominator or covariate.
    """
    unknown = [c for c in covariates if c not in COVARIATES]
    if unknown:
        raise ParameterError(f"unknown covariate(s) {', '.join(unknown)}; expected some of {', '.join(COVARIATES)}")
    columns = [COVARIATES[c] for c in covariates]
    usable = frame.dropna(subset=["observed", "denominator", *columns])
    usable = usable[usable["denominator"] > 0].reset_index(drop=True)
    dropped = len(frame) - len(usable)
    design, scale = _standardised_design(usable, columns)
    outcome = np.column_stack([usable["observed"], usable["denominator"] - usable["observed"]])
    fit = sm.GLM(outcome, design, family=sm.families.Binomial()).fit()
    expected = usable["denominator"] * fit.fittedvalues
    coefficients = _effects(covariates, columns, fit.params, fit.conf_int(), scale, "odds ratio")
    od = stats.overdispersion(usable["observed"], expected, statistic="ratio", method=method,
                              confidence=(0.95, flag_level))
    overall = usable["observed"].sum() / usable["denominator"].sum()
    crude_limits = stats.funnel_limits(usable["denominator"], overall, statistic="proportion", confidence=flag_level)
    label = stats.level_label(flag_level)
    table = usable[["practice_code", "ccg_code", "region", "observed"]].assign(
        list_size=usable["denominator"], expected=usable["denominator"] * usable["observed"].sum()
        / usable["denominator"].sum(), crude_rate=1000 * usable["observed"] / usable["denominator"],
        adjusted_expected=expected, crude_ratio=usable["observed"] / (usable["denominator"] * usable["observed"].sum()
                                                                       / usable["denominator"].sum()),
        isr=np.nan, adjusted_ratio=usable["observed"] / expected, z_adjusted=od.units["z_adjusted"].to_numpy(),
        **_limit_columns(od.units, flag_level), age_sex_flag="")
    table["crude_flag"] = _outside(usable["observed"] / usable["denominator"], crude_limits[f"lower_{label}"],
                                   crude_limits[f"upper_{label}"])
    table["adjusted_flag"] = _outside(table["adjusted_ratio"], table["lower_limit"], table["upper_limit"])
    return VariationResult(publishable(table), od, coefficients, indicator, tuple(covariates), method,
                           views=("crude", "adjusted"), flag_level=flag_level), dropped


MODES = ("age_sex_events", "fingertips_proportion")


@dataclass
class VariationBriefing:
    """What the practice-variation notebook shows: inputs, result, and what was left out."""

    frame: pd.DataFrame
    result: VariationResult
    truth: pd.Series | None
    notes: list[str]


def prepare_and_analyse(mode: str, *, indicator: str, covariates: tuple[str, ...], family: str = "poisson",
                        method: str = "additive", flag_level: float = 0.998, area: str | None = None, registrations_path=None,
                        practices_path=None, events_path=None, reference_rates_path=None,
                        ground_truth_path=None, fingertips_path=None, fingertips_period=None, imd_path=None,
                        heec_path=None) -> VariationBriefing:
    """Load the inputs for ``mode`` and run :func:`analyse_indicator` or :func:`analyse_proportion`.

    ``age_sex_events``: registrations (quinary), practices, events and reference rates
    (the bundled synthetic layout), with the ground truth when given.
    ``fingertips_proportion``: a Fingertips proportion indicator for GP practices, with
    IMD (a Fingertips IMD export) and optionally % aged 65+ and rurality (the HEEC table).
    """
    from . import load as practice_io

    if mode not in MODES:
        raise ParameterError(f"mode must be one of {', '.join(MODES)}; found {mode!r}")
    notes: list[str] = []
    if mode == "age_sex_events":
        population = practice_io.load_quinary(registrations_path)
        events = practice_io.load_events(events_path, registered=population.index)
        frame = practice_frame(practice_io.load_practices(practices_path), population, events,
                               practice_io.load_reference_rates(reference_rates_path), indicator, area=area)
        result = analyse_indicator(frame, indicator, covariates=tuple(covariates), family=family, method=method,
                                   flag_level=flag_level)
        truth = None
        if ground_truth_path:
            truth_table = pd.read_csv(ground_truth_path)
            truth = truth_table[truth_table["indicator"] == indicator].set_index("practice_code")["planted_outlier"]
        return VariationBriefing(frame, result, truth, notes)
    data = practice_io.load_fingertips(fingertips_path, period=fingertips_period)
    tables = []
    if imd_path:
        imd = practice_io.load_fingertips(imd_path)
        tables.append(imd[["area_code", "value"]].rename(columns={"area_code": "practice_code", "value": "imd_score"}))
    if heec_path:
        tables.append(practice_io.load_heec(heec_path))
    frame, _ = proportion_frame(data, tables)
    result, dropped = analyse_proportion(frame, indicator, covariates=tuple(covariates), method=method,
                                         flag_level=flag_level)
    if dropped:
        notes.append(f"{dropped} of {len(frame):,} practices were left out: no count, no denominator, or no value "
                     f"for a covariate ({', '.join(covariates)}).")
    return VariationBriefing(frame, result, None, notes)
