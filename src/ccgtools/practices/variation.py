"""Which GP practices are genuinely unusual once their populations are taken into account?

Four views of each practice, one step at a time, from least to most adjusted:

* **crude**: events per registered patient against the overall rate, with exact
  Poisson 99.8% limits (a league table of raw rates);
* **age-sex**: the indirectly standardised ratio O/E (E from age-sex reference
  rates), with exact Poisson 99.8% limits;
* **case-mix**: O/E after a quasi-Poisson (or negative binomial) regression of the
  events on deprivation (and optionally rurality) with log(E) as offset, still with
  exact Poisson limits (only when there are covariates);
* **over-dispersion** ("adjusted"): the same O/E judged against 99.8% funnel limits
  widened for the variation between practices that nothing above explains
  (Spiegelhalter 2005).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from .. import config, stats
from ..errors import DataError, ParameterError
from ..page import disclosure

COVARIATES = {"imd": "imd_score", "rural": "rural", "prop65": "prop65"}
#: Words for each covariate on the page; binary covariates are compared with their reference group.
COVARIATE_NAMES = {"imd": "deprivation (IMD score)", "rural": "rural", "prop65": "aged 65+"}
BINARY_COVARIATES = {"rural": "rural practices against urban"}
COVARIATE_UNITS = {"imd": "points", "prop65": "percentage points"}
FAMILIES = ("poisson", "negative_binomial")
VIEWS = ("crude", "age_sex", "case_mix", "adjusted")


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
    """Design matrix with a constant: continuous covariates centred and divided by their SD, binary ones
    (``rural``) left as 0/1 so that their effect compares the two groups; and the divisors (1 for binary)."""
    x = frame[columns].astype(float)
    binary = [c for c in columns if c in BINARY_COVARIATES]
    scale = x.std(ddof=0).replace(0, 1.0)
    scale[binary] = 1.0
    centre = x.mean()
    centre[binary] = 0.0
    return sm.add_constant((x - centre) / scale, has_constant="add"), scale


def _effects(covariates, columns, params, conf, scale, effect: str, dispersion: float) -> pd.DataFrame:
    """Each covariate's exponentiated coefficient (per SD, or the group against its reference) and 95% interval."""
    per = [BINARY_COVARIATES[c] if c in BINARY_COVARIATES else f"per SD ({scale[col]:.1f} {COVARIATE_UNITS[c]})"
           for c, col in zip(covariates, columns)]
    return pd.DataFrame({"covariate": [COVARIATE_NAMES[c] for c in covariates], "code": list(covariates),
                         "effect": effect, "per": per, "ratio": np.exp(params[columns].to_numpy()),
                         "lower_95": np.exp(conf.loc[columns, 0].to_numpy()),
                         "upper_95": np.exp(conf.loc[columns, 1].to_numpy()), "sd": scale.to_numpy(),
                         "dispersion": dispersion})


EFFECT_COLUMNS = ["covariate", "code", "effect", "per", "ratio", "lower_95", "upper_95", "sd", "dispersion"]


def adjusted_expected(frame: pd.DataFrame, covariates: tuple[str, ...] = ("imd",), *,
                      family: str = "poisson") -> tuple[pd.Series, pd.DataFrame]:
    """Expected events after adjusting the age-sex expected for practice covariates.

    A GLM of observed events on the covariates with offset log(E_age-sex):
    log μᵢ = log Eᵢ + β₀ + Σ βₖ xᵢₖ. The fitted μᵢ are the fully adjusted
    expected events; O/μ is the adjusted ratio.

    Parameters
    ----------
    covariates : tuple of str
        Any of "imd" (IMD score), "rural" (rural practice) and "prop65" (% aged 65+;
        for indicators without an age-sex breakdown). Continuous covariates are
        standardised (effect per SD); "rural" is 0/1 (effect: rural against urban).
    family : {"poisson", "negative_binomial"}
        Quasi-Poisson (statsmodels ``GLM``, Poisson family, ``scale="X2"``), or negative
        binomial with its dispersion estimated by maximum likelihood (``NegativeBinomial``, NB2).

    Returns
    -------
    (expected, coefficients)
        Fitted μ per practice; and a table of rate ratios with 95% confidence intervals
        and the Pearson dispersion (χ²/df) of the Poisson fit.

    Notes
    -----
    Practices vary far more than Poisson (Pearson dispersion 6-66 here), so plain Poisson
    intervals are √dispersion times too narrow. The quasi-likelihood fit keeps the Poisson
    estimates (and fitted totals equal to the observed) and multiplies the standard errors
    by √(Pearson χ²/(n − p)) (McCullagh & Nelder 1989, section 4.5; Wedderburn 1974).
    It is chosen over robust (sandwich) errors because the extra variation here is
    proportional to the mean, as the quasi-Poisson model assumes, and it needs no
    large-sample correction.

    References
    ----------
    McCullagh P, Nelder JA (1989). Generalized Linear Models, 2nd ed. Chapman & Hall.
    Wedderburn RWM (1974). Quasi-likelihood functions, generalized linear models, and the
    Gauss-Newton method. Biometrika 61:439-447.
    """
    if family not in FAMILIES:
        raise ParameterError(f"family must be one of {', '.join(FAMILIES)}; found {family!r}")
    _check_covariates(covariates)
    columns = [COVARIATES[c] for c in covariates]
    design, scale = _standardised_design(frame, columns)
    offset = np.log(frame["expected"].astype(float))
    observed = frame["observed"].astype(float)
    poisson = sm.GLM(observed, design, family=sm.families.Poisson(), offset=offset).fit(scale="X2")
    dispersion = float(poisson.scale)
    if family == "poisson":
        params, conf, mu = poisson.params, poisson.conf_int(), poisson.fittedvalues
    else:
        fit = sm.NegativeBinomial(observed, design, offset=offset).fit(disp=False, maxiter=200)
        params, conf = fit.params.drop("alpha"), fit.conf_int().drop("alpha")
        mu = np.exp(design @ params + offset)
    coefficients = _effects(covariates, columns, params, conf, scale, "rate ratio", dispersion)
    return pd.Series(np.asarray(mu, dtype=float), index=frame.index, name="adjusted_expected"), coefficients


def _check_covariates(covariates) -> None:
    unknown = [c for c in covariates if c not in COVARIATES]
    if unknown:
        raise ParameterError(f"unknown covariate(s) {', '.join(unknown)}; expected some of {', '.join(COVARIATES)}")


@dataclass
class VariationResult:
    """Every practice's views, the over-dispersion fit, the covariate effects and the step-by-step flag counts."""

    table: pd.DataFrame
    fit: stats.Overdispersion
    coefficients: pd.DataFrame
    indicator: str
    covariates: tuple[str, ...]
    method: str
    views: tuple[str, ...] = VIEWS
    flag_level: float = 0.998
    steps: pd.DataFrame | None = None
    family: str = "poisson"
    #: How the age-sex step was made: "indirect" (reference rates by sex and age group given) or "internal"
    #: (indirect standardisation with rates by sex and age group estimated from the practices themselves,
    #: for a proportion without published age-specific rates).
    age_sex_method: str = "indirect"
    #: With "internal": the width in years of the age bands whose rates were estimated (5, 10 or 20).
    age_sex_years: int | None = None


def _outside(value: pd.Series, lower, upper) -> np.ndarray:
    return np.select([value > np.asarray(upper), value < np.asarray(lower)], ["high", "low"], "")


def _limit_columns(units: pd.DataFrame, level: float) -> dict:
    label = stats.level_label(level)
    return {"lower_95": units["lower_95"].to_numpy(), "upper_95": units["upper_95"].to_numpy(),
            "lower_limit": units[f"lower_{label}"].to_numpy(), "upper_limit": units[f"upper_{label}"].to_numpy()}


def _poisson_flag(observed: pd.Series, expected: pd.Series, level: float) -> np.ndarray:
    """High/low against exact Poisson funnel limits of O/E at E (PHE's ratio funnel, no over-dispersion)."""
    label = stats.level_label(level)
    limits = stats.funnel_limits(expected, 1.0, statistic="ratio", confidence=level)
    return _outside(observed / expected, limits[f"lower_{label}"], limits[f"upper_{label}"])


def flag_steps(table: pd.DataFrame, views: tuple[str, ...]) -> pd.DataFrame:
    """How many practices are flagged at each step, and how many flags each step adds and removes.

    Returns
    -------
    pandas.DataFrame
        One row per view in order: view, flagged, flagged_high, flagged_low, removed (flagged at
        the previous step but not this one), added (the reverse), flagged_crude_still (flagged
        crudely and at this step).
    """
    rows, previous = [], None
    crude = table["crude_flag"] != ""
    for view in views:
        flagged = table[f"{view}_flag"] != ""
        rows.append({"view": view, "flagged": int(flagged.sum()),
                     "flagged_high": int((table[f"{view}_flag"] == "high").sum()),
                     "flagged_low": int((table[f"{view}_flag"] == "low").sum()),
                     "removed": 0 if previous is None else int((previous & ~flagged).sum()),
                     "added": 0 if previous is None else int((~previous & flagged).sum()),
                     "flagged_crude_still": int((crude & flagged).sum())})
        previous = flagged
    return pd.DataFrame(rows)


def _finish(table: pd.DataFrame, fit, coefficients, indicator, covariates, method, views, flag_level,
            family: str = "poisson", age_sex_method: str = "indirect") -> VariationResult:
    """Count the flags on the full table, then suppress what is published."""
    views = tuple(v for v in views if v != "case_mix" or covariates)
    return VariationResult(publishable(table), fit, coefficients, indicator, tuple(covariates), method,
                           views=views, flag_level=flag_level, steps=flag_steps(table, views), family=family,
                           age_sex_method=age_sex_method)


def analyse_indicator(frame: pd.DataFrame, indicator: str, *, covariates: tuple[str, ...] = ("imd",),
                      family: str = "poisson", method: str = "additive", flag_level: float = 0.998,
                      estimator: str = "consistent") -> VariationResult:
    """Crude, age-sex, case-mix and over-dispersion views of one indicator for every practice.

    Returns
    -------
    VariationResult
        ``table``: practice_code, ccg_code, region, observed, list_size, crude_rate
        (per 1,000), expected (age-sex), adjusted_expected, crude_ratio, isr, adjusted_ratio,
        z_adjusted, adjusted limits (95% and ``lower_limit``/``upper_limit`` at
        ``flag_level``), and the flags ``crude_flag``, ``age_sex_flag``, ``case_mix_flag``,
        ``adjusted_flag`` ("high", "low" or ""), each at ``flag_level`` (default 99.8%).

    Notes
    -----
    Crude, age-sex and case-mix flags: exact Poisson funnel limits of the ratio (PHE's
    funnel method, no over-dispersion) around the overall rate, the age-sex expected and the
    covariate-adjusted expected. Adjusted flags: the same O/E against over-dispersion-adjusted
    limits on the square-root scale (Spiegelhalter 2005; ``method`` and ``estimator`` as in
    :func:`ccgtools.stats.overdispersion`).
    """
    observed = frame["observed"]
    crude_expected = frame["list_size"] * observed.sum() / frame["list_size"].sum()
    adjusted, coefficients = adjusted_expected(frame, covariates, family=family) if covariates else (
        frame["expected"].rename("adjusted_expected"), pd.DataFrame(columns=EFFECT_COLUMNS))
    fit = stats.overdispersion(observed, adjusted, statistic="ratio", method=method, confidence=(0.95, flag_level),
                               estimator=estimator)
    table = frame[["practice_code", "ccg_code", "region", "observed", "list_size", "expected"]].assign(
        crude_rate=1000 * observed / frame["list_size"], adjusted_expected=adjusted,
        crude_ratio=observed / crude_expected, isr=observed / frame["expected"], adjusted_ratio=observed / adjusted,
        z_adjusted=fit.units["z_adjusted"].to_numpy(), **_limit_columns(fit.units, flag_level))
    table["crude_flag"] = _poisson_flag(observed, crude_expected, flag_level)
    table["age_sex_flag"] = _poisson_flag(observed, frame["expected"], flag_level)
    table["case_mix_flag"] = _poisson_flag(observed, adjusted, flag_level)
    table["adjusted_flag"] = _outside(table["adjusted_ratio"], table["lower_limit"], table["upper_limit"])
    return _finish(table, fit, coefficients, indicator, covariates, method, VIEWS, flag_level, family)


#: Columns from which a practice's event count could be worked out, or that bound it (limits and
#: expected counts at its own denominator, its flags): all blanked when the count is suppressed.
DERIVED_FROM_COUNT = ("crude_rate", "crude_ratio", "isr", "adjusted_ratio", "z_adjusted", "expected",
                      "adjusted_expected", "lower_95", "upper_95", "lower_limit", "upper_limit",
                      "crude_flag", "age_sex_flag", "case_mix_flag", "adjusted_flag")


def publishable(table: pd.DataFrame) -> pd.DataFrame:
    """The practice table with small event counts, and everything on their rows that derives from them, suppressed.

    A count is judged after rounding (Fingertips counts may be fractional: 0.9999999999 is a
    count of 1; any count above 0 that rounds to 0 is treated as 1). Statistics (φ, τ², flag
    counts) are computed on the full data before this; only the published numbers are
    blanked (:mod:`ccgtools.page.disclosure`).
    """
    observed = table["observed"].astype(float)
    counts = disclosure.count_values(observed)
    counts = counts.where(~((observed > 0) & (counts < 1)), 1.0)
    derived = [c for c in DERIVED_FROM_COUNT if c in table]
    out = disclosure.suppress_small_counts(table.assign(observed=counts), ["observed"], dependent=derived)
    out["observed"] = observed.where(~out["suppressed"])
    return out


MODES = ("age_sex_events", "fingertips_proportion")


@dataclass
class VariationBriefing:
    """What the practice-variation notebook shows: inputs, result, and what was left out."""

    frame: pd.DataFrame
    result: VariationResult
    truth: pd.Series | None
    notes: list[str]
    synthetic: str | None = None
    period: str = ""


#: Practice codes of the synthetic generator start with "Z", which no real GP practice code uses.
SYNTHETIC_CODE_PREFIX = "Z"


def synthetic_description(frame: pd.DataFrame, truth: pd.Series | None) -> str | None:
    """A plain-English warning that the practices are invented, or None for real data.

    The data are synthetic when a ground truth of planted outliers is given or every practice code
    has the generator's "Z" prefix (:mod:`ccgtools.practices.synthetic`).
    """
    codes = frame["practice_code"].astype(str)
    if truth is None and not codes.str.startswith(SYNTHETIC_CODE_PREFIX).all():
        return None
    regions = sorted(set(frame["region"]))
    where = f"placed in {regions[0]}" if len(regions) == 1 else f"spread over {len(regions)} NHS regions"
    return (f"{len(frame):,} invented practices ({where}), with planted outliers; not real NHS data or real "
            "practices")


#: The fewest practices a funnel plot and its over-dispersion estimate can compare.
MIN_PRACTICES = 5


def check_briefing_parameters(mode: str, values: dict) -> None:
    """ParameterError naming the first parameter that breaks its rule (:mod:`ccgtools.practices.parameters`),
    or a path that ``mode`` needs and is None, or a covariate whose file is not given."""
    from ..parameters import check_parameters
    from .parameters import REQUIRED_PATHS, RULES

    names = {"method": "od_method"}
    given = {names.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in values.items()}
    check_parameters(given, RULES)
    for name in REQUIRED_PATHS[mode]:
        if not given.get(name):
            raise ParameterError(f"parameter {name} = {given.get(name)!r}: mode {mode!r} needs it; expected the path "
                                 "of a file (absolute, or relative to the project root)")
    if mode == "age_sex_events" and given.get("quinary_path"):
        raise ParameterError(f"parameter quinary_path = {given['quinary_path']!r}: it is for mode "
                             "'fingertips_proportion'; expected None here (mode 'age_sex_events' reads the same "
                             "file as registrations_path)")
    if mode == "fingertips_proportion":
        for covariate, path in (("imd", "imd_path"), ("rural", "heec_path"), ("prop65", "heec_path")):
            if covariate in given.get("covariates", ()) and not given.get(path):
                raise ParameterError(f"parameter covariates includes {covariate!r} but {path} = None; expected "
                                     f"{path} set, or {covariate!r} left out of covariates")


def check_comparable(frame: pd.DataFrame, indicator: str, *, path=None, column: str | None = None) -> None:
    """DataError when the practices cannot be compared: fewer than :data:`MIN_PRACTICES`, or every count zero."""
    if len(frame) < MIN_PRACTICES:
        raise DataError(f"too few practices to compare: {len(frame)}", path=path, value=len(frame),
                        expected=f"at least {MIN_PRACTICES} practices (a funnel plot and its over-dispersion "
                                 "estimate need several units to rank)")
    observed = pd.to_numeric(frame["observed"], errors="coerce").fillna(0)
    if (observed == 0).all():
        raise DataError(f"every practice has zero events for {indicator!r}: there is no variation to compare",
                        path=path, column=column,
                        expected="event counts for the indicator (a blank or all-zero column means it was not "
                                 "collected)")


def prepare_and_analyse(mode: str, *, indicator: str, covariates: tuple[str, ...], family: str = "poisson",
                        method: str = "additive", flag_level: float = 0.998, area: str | None = None, registrations_path=None,
                        practices_path=None, events_path=None, reference_rates_path=None,
                        ground_truth_path=None, fingertips_path=None, fingertips_period=None, imd_path=None,
                        heec_path=None, estimator: str = "consistent", ods_path=None,
                        icb_lookup_path=None, imd_period: str | None = None, quinary_path=None,
                        qof_measure: str = "intervention") -> VariationBriefing:
    """Load the inputs for ``mode`` and run :func:`analyse_indicator` or :func:`analyse_proportion`.

    ``age_sex_events``: registrations (quinary), practices, events and reference rates
    (the bundled synthetic layout), with the ground truth when given.
    ``fingertips_proportion``: a Fingertips proportion indicator for GP practices (or an NHS Digital QOF
    prevalence table, long or wide, whose group ``indicator`` names, e.g. ``"DM"``, or a QOF achievement table
    whose indicator code it names, e.g. ``"DM012"``, read as ``qof_measure`` says:
    :func:`ccgtools.practices.load.load_proportion`), with
    IMD (a Fingertips IMD export) and optionally % aged 65+ and rurality (the HEEC table); with
    ``ods_path`` and ``icb_lookup_path``, practices are grouped by their real commissioner (the ODS
    commissioner, and its ICB) instead of Fingertips' parent code, which is not a commissioner.
    An IMD file holding several periods is read for ``imd_period``, or its latest period (with a note).
    With ``quinary_path`` (NHS Digital's registrations by practice, sex and five-year age group), the
    proportion is standardised for age and sex with rates estimated from the practices themselves
    (:func:`~ccgtools.practices.proportion.internal_age_sex_expected`; the page states the method and its
    limits); practices missing from that file are left out and counted in a note. Without it, an
    age-related indicator gets a visible warning that age and sex are not allowed for.

    Every parameter is checked by name first (:func:`check_briefing_parameters`); a comparison of fewer
    than :data:`MIN_PRACTICES` practices, or of practices that all have zero events, is refused
    (:func:`check_comparable`).
    """
    from . import load as practice_io
    from .proportion import analyse_proportion, proportion_frame

    check_briefing_parameters(mode, locals())
    notes: list[str] = []
    if mode == "age_sex_events":
        population = practice_io.load_quinary(registrations_path)
        events = practice_io.load_events(events_path, registered=population.index)
        rates = practice_io.load_reference_rates(reference_rates_path)
        check_indicator(events, indicator)
        if indicator not in rates.columns or rates[indicator].isna().any():
            raise DataError(f"no reference rate for indicator {indicator!r} in every sex and age group",
                            path=rates.attrs.get("path"), column="indicator", value=indicator,
                            expected="40 rates (MALE and FEMALE, 0_4 to 95+) for the indicator; the file has "
                                     + ", ".join(rates.columns))
        frame = practice_frame(practice_io.load_practices(practices_path), population, events, rates, indicator,
                               area=area)
        check_comparable(frame, indicator, path=practice_io.bundled("events") if not events_path else
                         config.resolve_path(events_path), column="events")
        result = analyse_indicator(frame, indicator, covariates=tuple(covariates), family=family, method=method,
                                   flag_level=flag_level, estimator=estimator)
        truth = None
        if ground_truth_path:
            truth = practice_io.load_ground_truth(ground_truth_path, indicator)
        synthetic = synthetic_description(frame, truth)
        return VariationBriefing(frame, result, truth, notes, synthetic,
                                 "one year of invented activity" if synthetic else "one year of activity")
    data = practice_io.load_proportion(fingertips_path, period=fingertips_period, group=indicator,
                                       qof_measure=qof_measure)
    if data.attrs.get("note"):
        notes.append(data.attrs["note"])
    tables = []
    if imd_path:
        imd = practice_io.load_fingertips(imd_path, period=imd_period or "latest")
        if not imd_period and imd.attrs.get("periods", 1) > 1:
            notes.append(f"The IMD file holds {imd.attrs['periods']} periods; the latest, {imd['period'].iloc[0]}, "
                         "is used.")
        tables.append(imd[["area_code", "value"]].rename(columns={"area_code": "practice_code", "value": "imd_score"}))
    if heec_path:
        tables.append(practice_io.load_heec(heec_path))
    frame, _ = proportion_frame(data, tables)
    population, outside = None, 0
    if quinary_path:
        population = practice_io.load_quinary(quinary_path)
        listed = population.sum(axis=1)
        outside = int((~frame["practice_code"].isin(listed[listed > 0].index)).sum())
        if outside:
            notes.append(f"{outside:,} of {len(frame):,} practices are not in the age-sex file "
                         f"({config.shown_path(config.resolve_path(quinary_path))}) or have no patients in it, so "
                         "they cannot be standardised for age and sex and are left out.")
    check_comparable(frame, indicator, path=config.resolve_path(fingertips_path), column="Count")
    if ods_path and icb_lookup_path:
        from .commissioners import practice_commissioners, with_commissioners

        frame, unmatched = with_commissioners(frame, practice_commissioners(ods_path, icb_lookup_path))
        if unmatched:
            notes.append(f"{unmatched} of {len(frame):,} practices are not in the ODS practice file, so their "
                         "commissioner is not shown (–).")
    result, dropped = analyse_proportion(frame, indicator, covariates=tuple(covariates), method=method,
                                         flag_level=flag_level, estimator=estimator, population=population)
    if dropped - outside > 0:
        notes.append(f"{dropped - outside} of {len(frame):,} practices were left out: no count, no denominator, or no "
                     f"value for a covariate ({', '.join(COVARIATE_NAMES[c] for c in covariates) or 'none'}).")
    return VariationBriefing(frame, result, None, notes, synthetic_description(frame, None), fingertips_period or "")
