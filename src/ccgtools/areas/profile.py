"""One area's profile: every analysis the page shows, computed once from the loaded data.

:func:`analyse` runs, in turn: expected counts from case mix (:mod:`.casemix`), every area's values
against England (:mod:`.spine`), ranks with intervals (:mod:`.ranks`), the 10 most similar areas and
the ranks among them (:mod:`.peers`), the area's practices on the over-dispersed funnel, and change
between the years for areas and practices (:mod:`.change`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import per_build
from ..errors import ParameterError
from ..stats.funnel import adjusted_funnel_limits, overdispersion
from ..stats.intervals import level_label, z_value
from . import casemix, change, peers, ranks, spine
from .indicators import AreaIndicator, definitions_for
from .load import AreaData


@dataclass
class AreaProfile:
    """Everything the area page shows."""

    area: str
    area_name: str
    region: str
    periods: tuple[str, str]
    indicator: str
    definitions: dict[str, AreaIndicator]
    values: pd.DataFrame
    spine: pd.DataFrame
    ranks: pd.DataFrame
    variables: pd.DataFrame
    similar: pd.DataFrame
    peer_ranks: pd.DataFrame
    changes: pd.DataFrame
    england: pd.DataFrame
    funnel: pd.DataFrame
    funnel_limits: pd.DataFrame
    funnel_phi: float
    funnel_tau2: float
    practice_changes: pd.DataFrame
    movements: dict[str, list[str]]
    flag_level: float
    change_level: float
    n_areas: int
    n_simulations: int
    truth: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    covariates: tuple[str, ...] = ()
    peer_variables: tuple[str, ...] = ()
    source: str = ""
    #: Median distance between any two areas on the matching variables (the scale of the similar-areas distances).
    typical_distance: float = float("nan")
    #: False when the files cannot show practices moving between ICBs or opening (one snapshot for both years).
    movements_known: bool = True

    @property
    def definition(self) -> AreaIndicator:
        return self.definitions[self.indicator]


def practice_funnel(table: pd.DataFrame, area: str, definition: AreaIndicator, flag_level: float):
    """The area's practices against limits fitted on every practice in England (adjusted, over-dispersed).

    Returns
    -------
    tuple (units, limits, phi, tau2)
        ``units``: the area's practices with practice_code, list_size, numerator, patients_counted (the
        indicator's denominator), expected, denominator (= expected: the funnel's x), value (observed / expected),
        the adjusted limits at ``flag_level``,
        z_adjusted, position ("worse than expected", "better than expected" or "within limits").
        ``limits``: the adjusted 95% and ``flag_level`` limits along a grid of expected counts.

    Notes
    -----
    :func:`ccgtools.stats.funnel.overdispersion` on all practices in England (ratio O/E, square-root
    scale, additive random effects, consistent estimator): a practice is outside when its adjusted
    z-score is beyond z at ``flag_level``.
    """
    fit = overdispersion(table["numerator"], table["expected"], statistic="ratio", confidence=(0.95, flag_level))
    threshold = z_value(flag_level)
    z = fit.units["z_adjusted"]
    high_bad = not definition.higher_is_better
    position = np.select([z > threshold, z < -threshold],
                         ["worse than expected" if high_bad else "better than expected",
                          "better than expected" if high_bad else "worse than expected"], default="within limits")
    outer = [f"lower_{level_label(flag_level)}", f"upper_{level_label(flag_level)}"]
    units = table.assign(patients_counted=table["denominator"], value=table["numerator"] / table["expected"],
                         z_adjusted=z.to_numpy(), position=position,
                         **{c: fit.units[c].to_numpy() for c in outer})
    units = units[units["icb_code"] == area].assign(denominator=lambda f: f["expected"])
    low = max(float(units["expected"].min()) * 0.8, 1.0) if len(units) else 1.0
    high = float(units["expected"].max()) * 1.25 if len(units) else 10.0
    grid = np.geomspace(low, high, 120)
    limits = adjusted_funnel_limits(grid, 1.0, fit.tau2, statistic="ratio", confidence=(0.95, flag_level))
    return units, limits, fit.phi, fit.tau2


@dataclass
class EnglandResults:
    """The results every area's page shares: England-wide models, before any one area is chosen."""

    table: pd.DataFrame
    values: pd.DataFrame
    members: pd.DataFrame
    variables: pd.DataFrame
    ranks: pd.DataFrame
    area_changes: pd.DataFrame
    practice_changes: pd.DataFrame
    england: pd.DataFrame
    typical_distance: float


def england_results(data: AreaData, *, flag_level: float = 0.998, change_level: float = 0.998, seed: int = 2024,
                    n_simulations: int = 2_000) -> EnglandResults:
    """Case mix, every area's values and ranks, and the changes of every area and practice: the part of
    :func:`analyse` that does not depend on the area (computed once per build for a sweep of areas, see
    :mod:`ccgtools.per_build`)."""
    definitions = definitions_for(spine_order(data.counts["indicator"].unique()))
    previous, current = data.periods
    table = casemix.expected_counts(data.practices, data.counts, data.covariates)
    members = change.membership(data.practices, data.periods)
    variables = peers.area_variables(data.practices[data.practices["period"] == current])
    area_changes = change.area_change(table, members, data.periods, definitions, level=change_level)
    return EnglandResults(
        table=table, values=spine.area_values(table, data.icbs, current, definitions), members=members,
        variables=variables,
        ranks=ranks.area_ranks(table[table["period"] == current], definitions, n_simulations=n_simulations,
                               seed=seed),
        area_changes=area_changes,
        practice_changes=change.practice_change(table, members, data.periods, definitions, level=flag_level,
                                                areas=area_changes),
        england=change.england_change(table, data.periods),
        typical_distance=peers.typical_distance(variables, {v: 1.0 for v in data.peer_variables}))


def analyse(data: AreaData, area: str, *, indicator: str | None = None, flag_level: float = 0.998,
            change_level: float = 0.998, n_similar: int = 10, seed: int = 2024, n_simulations: int = 2_000,
            shared: EnglandResults | None = None) -> AreaProfile:
    """Every result of the area page for ``area`` (an ICB code of ``data``).

    Parameters
    ----------
    indicator : str, optional
        The indicator whose practices are shown on the funnel and whose rank leads the headline
        (default: the first in the data, in the order of ``indicators.toml``).
    flag_level : float
        Level of the limits that flag a practice (funnel and practice changes).
    change_level : float
        Level of the test of an area's change.
    shared : EnglandResults, optional
        :func:`england_results` of ``data`` with the same levels, seed and simulations, when already computed.

    Raises
    ------
    ParameterError
        An area or indicator not in the data (naming those that are).
    """
    icbs = data.icbs.set_index("icb_code")
    if area not in icbs.index:
        raise ParameterError(f"parameter area = {area!r}: not an ICB in the data; expected one of "
                             + ", ".join(icbs.index[:10]) + ("…" if len(icbs) > 10 else ""))
    present = [i for i in spine_order(data.counts["indicator"].unique())]
    definitions = definitions_for(present)
    indicator = indicator or present[0]
    if indicator not in definitions:
        raise ParameterError(f"parameter indicator = {indicator!r}: not in the data; expected one of "
                             + ", ".join(repr(i) for i in definitions))
    previous, current = data.periods
    shared = shared or england_results(data, flag_level=flag_level, change_level=change_level, seed=seed,
                                       n_simulations=n_simulations)
    now = shared.table[shared.table["period"] == current]
    values = shared.values
    if area not in set(values["icb_code"]):
        raise ParameterError(f"parameter area = {area!r}: the ICB has no practices in {current}")
    similar = peers.similar_areas(shared.variables, area, n=n_similar,
                                  weights={v: 1.0 for v in data.peer_variables})
    similar = similar.join(icbs[["icb_name", "region"]]).join(shared.variables)
    peer_ranks = ranks.area_ranks(crude_expected(now), definitions, among=[area, *similar.index],
                                  n_simulations=n_simulations, seed=seed)
    funnel, limits, phi, tau2 = practice_funnel(now[now["indicator"] == indicator], area, definitions[indicator],
                                                flag_level)
    practice_changes = shared.practice_changes
    return AreaProfile(
        area=area, area_name=str(icbs.loc[area, "icb_name"]), region=str(icbs.loc[area, "region"]),
        periods=(previous, current), indicator=indicator, definitions=definitions, values=values,
        spine=spine.spine_table(values, area, definitions), ranks=shared.ranks, variables=shared.variables,
        similar=similar, peer_ranks=peer_ranks, changes=shared.area_changes, england=shared.england,
        funnel=funnel, funnel_limits=limits, funnel_phi=phi, funnel_tau2=tau2,
        practice_changes=practice_changes[practice_changes["icb_code"] == area].reset_index(drop=True),
        movements=change.area_movements(shared.members, area), flag_level=flag_level, change_level=change_level,
        n_simulations=n_simulations,
        n_areas=int(values["icb_code"].nunique()), truth=data.truth, notes=list(data.notes),
        covariates=tuple(data.covariates), peer_variables=tuple(data.peer_variables), source=data.source,
        typical_distance=shared.typical_distance, movements_known=data.movements_known)


def crude_expected(table: pd.DataFrame) -> pd.DataFrame:
    """The practice rows with ``expected`` = denominator × England's crude rate, so that observed / expected is an
    area's crude value relative to England's.

    Notes
    -----
    Similar areas are already matched on the make-up of their populations, so they are compared on their crude
    values (as NHS RightCare's "Similar 10" compares them): ranking them on the case-mix-adjusted ratio would
    allow for the population twice.
    """
    sums = table.groupby("indicator")[["numerator", "denominator"]].sum()
    rate = sums["numerator"] / sums["denominator"]
    return table.assign(expected=table["denominator"] * table["indicator"].map(rate))


def spine_order(indicators) -> list[str]:
    """Indicators in the order of ``indicators.toml`` (unknown ones last, by name)."""
    from .indicators import load_definitions

    known = list(load_definitions())
    return sorted(indicators, key=lambda i: (known.index(i) if i in known else len(known), i))




@dataclass
class AreaBriefing:
    """The profile, and what the page says about its data (synthetic or not)."""

    profile: AreaProfile
    synthetic: str | None


def synthetic_description(data: AreaData, paths) -> str | None:
    """The synthetic-data note when the files are the bundled synthetic England set (or a ground truth is given)."""
    from .. import config
    from .synthetic import FILES

    bundled = {config.DATA_DIR / name for name in FILES.values()}
    if data.truth is None and not any(config.resolve_path(p) in bundled for p in paths if p):
        return None
    return (f"{data.practices['practice_code'].nunique():,} invented GP practices in {len(data.icbs)} invented ICBs, "
            f"two years of four indicators, with planted true changes and outlying practices")


def prepare_and_analyse(area: str, *, mode: str = "synthetic", indicator: str = "smoking", flag_level: float = 0.998,
                        change_level: float = 0.998, n_similar: int = 10, icbs_path=None, practices_path=None,
                        indicators_path=None, ground_truth_path=None, fingertips_path=None, imd_path=None,
                        ods_path=None, icb_lookup_path=None, list_sizes_path=None, heec_path=None,
                        previous_period: str = "2022/23", period: str = "2023/24") -> AreaBriefing:
    """Check the notebook's parameters (:mod:`ccgtools.areas.parameters`), read the files and analyse ``area``.

    ``mode = "synthetic"`` reads the ICB, practice and indicator files (:func:`ccgtools.areas.load.load_area_data`);
    ``mode = "fingertips"`` the real published files (:func:`ccgtools.areas.real.load_real_area_data`) for
    ``previous_period`` and ``period``.

    Raises
    ------
    ParameterError
        A parameter that breaks its rule, a path the mode needs and lacks, or an area or indicator not in the data.
    DataError
        A file that cannot be read or that disagrees with the others.
    """
    from ..parameters import check_parameters
    from .parameters import REQUIRED_PATHS, RULES

    given = {"mode": mode, "area": area, "indicator": indicator, "flag_level": flag_level,
             "change_level": change_level, "n_similar": n_similar, "icbs_path": icbs_path,
             "practices_path": practices_path, "indicators_path": indicators_path,
             "ground_truth_path": ground_truth_path, "fingertips_path": fingertips_path, "imd_path": imd_path,
             "ods_path": ods_path, "icb_lookup_path": icb_lookup_path, "list_sizes_path": list_sizes_path,
             "heec_path": heec_path, "previous_period": previous_period, "period": period}
    check_parameters(given, {k: v for k, v in RULES.items() if k in given})
    for name in REQUIRED_PATHS[mode]:
        if not given[name]:
            raise ParameterError(f"parameter {name} = {given[name]!r}: mode {mode!r} needs it; expected the path of a "
                                 "file (absolute, or relative to the project root)")
    files = ([fingertips_path, imd_path, ods_path, icb_lookup_path, list_sizes_path, heec_path] if mode == "fingertips"
             else [icbs_path, practices_path, indicators_path, ground_truth_path])
    key = {"mode": mode, "files": [per_build.file_key(path) for path in files], "flag_level": flag_level,
           "change_level": change_level, "periods": [previous_period, period] if mode == "fingertips" else None}
    data, shared = per_build.computed_once(
        "area-england", key, lambda: _read_and_analyse_england(mode, files, (previous_period, period), flag_level,
                                                               change_level))
    synthetic = None if mode == "fingertips" else synthetic_description(data, (icbs_path, practices_path,
                                                                               indicators_path))
    profile = analyse(data, area, indicator=indicator, flag_level=flag_level, change_level=change_level,
                      n_similar=n_similar, shared=shared)
    return AreaBriefing(profile, synthetic)


def _read_and_analyse_england(mode: str, files: list, periods: tuple[str, str], flag_level: float,
                              change_level: float) -> tuple[AreaData, EnglandResults]:
    """The files read and the England-wide results (:func:`england_results`): what every area's page shares."""
    from .load import load_area_data

    if mode == "fingertips":
        from .real import load_real_area_data

        fingertips_path, imd_path, ods_path, icb_lookup_path, list_sizes_path, heec_path = files
        data = load_real_area_data(fingertips_path, imd_path, ods_path, icb_lookup_path, list_sizes_path,
                                   periods=periods, heec_path=heec_path or None)
    else:
        icbs_path, practices_path, indicators_path, ground_truth_path = files
        data = load_area_data(icbs_path, practices_path, indicators_path, ground_truth_path or None)
    return data, england_results(data, flag_level=flag_level, change_level=change_level)
