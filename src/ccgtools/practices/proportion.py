"""Practice variation for a proportion indicator without an age breakdown (e.g. QOF smoking prevalence).

Split from :mod:`ccgtools.practices.variation`: joining a Fingertips proportion to practice
covariates, and its crude, case-mix and over-dispersion views.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from .. import stats
from ..errors import DataError, ParameterError
from .variation import (
    COVARIATES,
    EFFECT_COLUMNS,
    VariationResult,
    _check_covariates,
    _effects,
    _finish,
    _limit_columns,
    _outside,
    _poisson_flag,
    _standardised_design,
)

PROPORTION_VIEWS = ("crude", "case_mix", "adjusted")


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


def _quasi_binomial(usable: pd.DataFrame, covariates: tuple[str, ...], offset: pd.Series | None = None):
    """A quasi-binomial (logit) GLM of the proportion on ``covariates`` (continuous ones standardised), with an
    optional offset on the log-odds scale: each practice's expected count n·p̂, and the effects as odds ratios."""
    columns = [COVARIATES[c] for c in covariates]
    design, scale = _standardised_design(usable, columns)
    # Proportions with the trials as variance weights: the same estimates as a two-column binomial fit,
    # and a Pearson χ² (hence quasi-binomial scale) computed on counts, not on unweighted proportions.
    fit = sm.GLM(usable["observed"] / usable["denominator"], design, family=sm.families.Binomial(),
                 var_weights=usable["denominator"].astype(float), offset=offset).fit(scale="X2")
    expected = usable["denominator"] * fit.fittedvalues
    return expected, _effects(covariates, columns, fit.params, fit.conf_int(), scale, "odds ratio", float(fit.scale))


#: The fewest practices per age-sex rate estimated from the data; the bands widen (5, 10, 20 years) until met.
PRACTICES_PER_RATE = 10


def internal_age_sex_expected(observed: pd.Series, population: pd.DataFrame, *,
                              iterations: int = 3) -> tuple[pd.Series, pd.Series]:
    """Expected counts by indirect standardisation, with rates by sex and age band estimated from the practices.

    For an indicator without published age-sex-specific rates (a QOF or Fingertips proportion), each
    practice's count is modelled as the sum over its age-sex bands of patients × an age-sex rate common to
    all practices, Oᵢ ≈ Σ_b nᵢ_b·r_b (the model behind indirect standardisation; Breslow & Day 1987), and the
    rates are estimated from every practice's count and register: minimise Σᵢ (Oᵢ − Σ_b nᵢ_b·r_b)²/wᵢ with
    r_b ≥ 0 (non-negative least squares, Lawson & Hanson 1974, :func:`scipy.optimize.nnls`), with wᵢ the list
    size first and then the fitted Eᵢ (Poisson variance), reweighted ``iterations`` times. E = Σ_b nᵢ_b·r̂_b
    and O/E are then read as an indirectly standardised ratio against the practices' own average by age and sex.

    Parameters
    ----------
    observed : pandas.Series
        Each practice's count.
    population : pandas.DataFrame
        The practices' registered patients by age-sex band, same index as ``observed``
        (:func:`~ccgtools.practices.load.load_quinary`, bands merged by :func:`~ccgtools.practices.load.age_sex_bands`).

    Returns
    -------
    (expected, rates)
        Expected counts (index of ``observed``) and the estimated rate per registered patient of each band.

    Notes
    -----
    The rates are estimated ecologically (from practice totals, not from patients), so a single band's rate
    may be imprecise where bands move together across practices; the expected counts, which are what the
    step uses, are well determined. Needing no published rates, it also takes in anything else that goes
    with a practice's age-sex mix. With bands of Σ counts the rates are per registered patient, so the
    indicator's own denominator (e.g. patients aged 15+) need not be the whole list.

    References
    ----------
    Breslow NE, Day NE (1987). Statistical Methods in Cancer Research, vol. II, ch. 2 (IARC).
    Lawson CL, Hanson RJ (1974). Solving Least Squares Problems, ch. 23. Prentice-Hall.
    """
    from scipy.optimize import nnls

    people = population.to_numpy(dtype=float)
    counts = observed.to_numpy(dtype=float)
    weight = people.sum(axis=1)
    for _ in range(iterations + 1):
        root = 1 / np.sqrt(np.maximum(weight, 1e-9))
        rates, _ = nnls(people * root[:, None], counts * root)
        weight = people @ rates
    return (pd.Series(people @ rates, index=observed.index, name="expected"),
            pd.Series(rates, index=population.columns, name="rate"))


def analyse_proportion(frame: pd.DataFrame, indicator: str, *, covariates: tuple[str, ...] = ("imd",),
                       method: str = "additive", flag_level: float = 0.998, estimator: str = "consistent",
                       population: pd.DataFrame | None = None) -> tuple[VariationResult, int]:
    """Crude, (age-sex), case-mix and over-dispersion views of a proportion indicator without age-specific rates.

    Crude: PHE's proportion funnel (Wilson closed form) at ``flag_level``, no over-dispersion.
    Age-sex (with ``population``, the practices' registers by sex and five-year age group): indirect
    standardisation against rates by age band and sex estimated from the practices themselves
    (:func:`internal_age_sex_expected`; five-year bands, or 10- or 20-year bands when there are fewer than
    :data:`PRACTICES_PER_RATE` practices per rate); O/E against exact Poisson limits. Case-mix: a
    quasi-binomial GLM (logit link, ``scale="X2"``: standard errors widened by √(Pearson χ²/df)) of the
    proportion on the covariates, with offset logit(E_age-sex/n) when the age-sex step ran; E = n·p̂; O/E
    against exact Poisson limits (no over-dispersion). Adjusted: the last O/E against over-dispersion-adjusted
    limits on the square-root scale (Spiegelhalter 2005).

    Parameters
    ----------
    population : pandas.DataFrame, optional
        Registered patients by practice (index ``practice_code``) and age-sex band
        (:func:`~ccgtools.practices.load.load_quinary`); practices not in it are left out.

    Returns
    -------
    (result, dropped)
        The :class:`VariationResult` (``views`` = crude, age-sex with ``population``, case-mix when there are
        ``covariates``, adjusted) and the number of practices left out for a missing count, denominator or
        covariate, or (with ``population``) no registered patients.

    Raises
    ------
    ParameterError
        ``population`` given for fewer than 10 × :data:`PRACTICES_PER_RATE` practices (too few to estimate
        rates by age and sex even in 20-year bands).

    References
    ----------
    McCullagh P, Nelder JA (1989). Generalized Linear Models, 2nd ed., section 4.5.
    """
    _check_covariates(covariates)
    columns = [COVARIATES[c] for c in covariates]
    usable = frame.dropna(subset=["observed", "denominator", *columns])
    usable = usable[usable["denominator"] > 0]
    if population is not None:
        listed = population.reindex(usable["practice_code"]).sum(axis=1, min_count=1)
        usable = usable[(listed > 0).to_numpy()]
    usable = usable.reset_index(drop=True)
    dropped = len(frame) - len(usable)
    views, offset, age_sex_expected = PROPORTION_VIEWS, None, None
    if population is not None:
        from .load import age_sex_bands

        years = next((y for y in (5, 10, 20) if len(usable) >= PRACTICES_PER_RATE * 2 * (95 // y + 1)), None)
        if years is None:
            raise ParameterError(f"quinary_path: {len(usable)} practices are too few to estimate rates by age and "
                                 f"sex from the data; expected at least {PRACTICES_PER_RATE * 10} practices, or "
                                 "quinary_path = None")
        bands = age_sex_bands(population.reindex(usable["practice_code"]), years)
        age_sex_expected, _ = internal_age_sex_expected(usable["observed"], bands.set_index(usable.index))
        views = ("crude", "age_sex", *PROPORTION_VIEWS[1:])
        share = (age_sex_expected / usable["denominator"]).clip(1e-9, 1 - 1e-9)
        offset = np.log(share / (1 - share))
    if covariates or population is None:
        expected, coefficients = _quasi_binomial(usable, covariates, offset)
    else:
        expected, coefficients = age_sex_expected, pd.DataFrame(columns=EFFECT_COLUMNS)
    od = stats.overdispersion(usable["observed"], expected, statistic="ratio", method=method,
                              confidence=(0.95, flag_level), estimator=estimator)
    overall = usable["observed"].sum() / usable["denominator"].sum()
    crude_limits = stats.funnel_limits(usable["denominator"], overall, statistic="proportion", confidence=flag_level)
    label = stats.level_label(flag_level)
    crude_expected = usable["denominator"] * overall
    table = usable[["practice_code", "ccg_code", "region", "observed"]].assign(
        list_size=usable["denominator"], expected=crude_expected if age_sex_expected is None else age_sex_expected,
        crude_rate=1000 * usable["observed"] / usable["denominator"], adjusted_expected=expected,
        crude_ratio=usable["observed"] / crude_expected,
        isr=np.nan if age_sex_expected is None else usable["observed"] / age_sex_expected,
        adjusted_ratio=usable["observed"] / expected,
        z_adjusted=od.units["z_adjusted"].to_numpy(), **_limit_columns(od.units, flag_level), age_sex_flag="")
    table["crude_flag"] = _outside(usable["observed"] / usable["denominator"], crude_limits[f"lower_{label}"],
                                   crude_limits[f"upper_{label}"])
    if age_sex_expected is not None:
        table["age_sex_flag"] = _poisson_flag(usable["observed"], age_sex_expected, flag_level)
    table["case_mix_flag"] = _poisson_flag(usable["observed"], expected, flag_level)
    table["adjusted_flag"] = _outside(table["adjusted_ratio"], table["lower_limit"], table["upper_limit"])
    result = _finish(table, od, coefficients, indicator, covariates, method, views, flag_level, "binomial",
                     age_sex_method="indirect" if population is None else "internal")
    result.age_sex_years = None if population is None else years
    return result, dropped
