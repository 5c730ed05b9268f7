"""Practice variation for a proportion indicator without an age breakdown (e.g. QOF smoking prevalence).

Split from :mod:`ccgtools.practices.variation`: joining a Fingertips proportion to practice
covariates, and its crude, case-mix and over-dispersion views.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from .. import stats
from ..errors import DataError
from .variation import (
    COVARIATES,
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


def analyse_proportion(frame: pd.DataFrame, indicator: str, *, covariates: tuple[str, ...] = ("imd",),
                       method: str = "additive", flag_level: float = 0.998,
                       estimator: str = "consistent") -> tuple[VariationResult, int]:
    """Crude, case-mix and over-dispersion views of a proportion indicator without an age breakdown.

    Crude: PHE's proportion funnel (Wilson closed form) at ``flag_level``, no over-dispersion.
    Case-mix: a quasi-binomial GLM (logit link, ``scale="X2"``: standard errors widened by
    √(Pearson χ²/df)) of the proportion on the covariates gives each practice's expected count
    E = n·p̂; O/E is judged against exact Poisson limits (no over-dispersion). Adjusted: the
    same O/E against over-dispersion-adjusted limits on the square-root scale (Spiegelhalter 2005).

    Returns
    -------
    (result, dropped)
        The :class:`VariationResult` (``views`` = crude, case-mix and adjusted) and the number
        of practices left out for a missing count, denominator or covariate.

    References
    ----------
    McCullagh P, Nelder JA (1989). Generalized Linear Models, 2nd ed., section 4.5.
    """
    _check_covariates(covariates)
    columns = [COVARIATES[c] for c in covariates]
    usable = frame.dropna(subset=["observed", "denominator", *columns])
    usable = usable[usable["denominator"] > 0].reset_index(drop=True)
    dropped = len(frame) - len(usable)
    design, scale = _standardised_design(usable, columns)
    # Proportions with the trials as variance weights: the same estimates as a two-column binomial fit,
    # and a Pearson χ² (hence quasi-binomial scale) computed on counts, not on unweighted proportions.
    fit = sm.GLM(usable["observed"] / usable["denominator"], design, family=sm.families.Binomial(),
                 var_weights=usable["denominator"].astype(float)).fit(scale="X2")
    expected = usable["denominator"] * fit.fittedvalues
    coefficients = _effects(covariates, columns, fit.params, fit.conf_int(), scale, "odds ratio", float(fit.scale))
    od = stats.overdispersion(usable["observed"], expected, statistic="ratio", method=method,
                              confidence=(0.95, flag_level), estimator=estimator)
    overall = usable["observed"].sum() / usable["denominator"].sum()
    crude_limits = stats.funnel_limits(usable["denominator"], overall, statistic="proportion", confidence=flag_level)
    label = stats.level_label(flag_level)
    crude_expected = usable["denominator"] * overall
    table = usable[["practice_code", "ccg_code", "region", "observed"]].assign(
        list_size=usable["denominator"], expected=crude_expected,
        crude_rate=1000 * usable["observed"] / usable["denominator"], adjusted_expected=expected,
        crude_ratio=usable["observed"] / crude_expected, isr=np.nan, adjusted_ratio=usable["observed"] / expected,
        z_adjusted=od.units["z_adjusted"].to_numpy(), **_limit_columns(od.units, flag_level), age_sex_flag="")
    table["crude_flag"] = _outside(usable["observed"] / usable["denominator"], crude_limits[f"lower_{label}"],
                                   crude_limits[f"upper_{label}"])
    table["case_mix_flag"] = _poisson_flag(usable["observed"], expected, flag_level)
    table["adjusted_flag"] = _outside(table["adjusted_ratio"], table["lower_limit"], table["upper_limit"])
    return _finish(table, od, coefficients, indicator, covariates, method, PROPORTION_VIEWS, flag_level,
                   "binomial"), dropped
