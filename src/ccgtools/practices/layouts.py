"""The file layouts the GP practice briefing reads, declared for ``ccgtools check`` (see :mod:`ccgtools.layouts`)."""

from __future__ import annotations

from pathlib import Path

from ..layouts import Found, Hint, Layout
from .commissioners import LOOKUP_COLUMNS
from .load import (
    EPRACCUR_COLUMNS,
    FINGERTIPS_COLUMNS,
    GROUND_TRUTH_COLUMNS,
    QOF_ACHIEVEMENT_BY_MEASURE_COLUMNS,
    QOF_ACHIEVEMENT_COLUMNS,
    QOF_COLUMNS,
    QUINARY_COLUMNS,
)

NOTEBOOK = "notebooks/practice_variation.ipynb"
#: Fingertips' indicator id of the IMD 2019 score by practice (read as a covariate, not as the indicator).
IMD_INDICATOR_IDS = {"93553"}


def _found(rows: int, units: str, parameters: dict, *, periods: str = "", notes=()) -> Found:
    return Found(rows=rows, units=units, periods=periods, notes=list(notes), parameters=parameters, notebook=NOTEBOOK)


def check_quinary(path: Path, shown: str) -> Found:
    """Registered patients by practice, sex and 5-year age group (:func:`~ccgtools.practices.load.load_quinary`)."""
    from .load import load_quinary

    matrix = load_quinary(path)
    return _found(len(matrix) * matrix.shape[1], f"{len(matrix):,} practices, {int(matrix.to_numpy().sum()):,} patients",
                  {"mode": "age_sex_events", "registrations_path": shown},
                  notes=[('or, to standardise a Fingertips or QOF proportion for age and sex: mode = '
                         f'"fingertips_proportion" with quinary_path = "{shown}" (rates by age and sex are then '
                         "estimated from the practices; at least 100 practices)")])


def check_practices(path: Path, shown: str) -> Found:
    """Practice attributes (:func:`~ccgtools.practices.load.load_practices`)."""
    from .load import load_practices

    frame = load_practices(path)
    regions = sorted(frame["region"].dropna().unique())
    return _found(len(frame), f"{len(frame):,} practices in {frame['ccg_code'].nunique()} CCGs",
                  {"mode": "age_sex_events", "practices_path": shown},
                  notes=["regions (values for area): " + ", ".join(regions)])


def check_events(path: Path, shown: str) -> Found:
    """Event counts per practice and indicator (:func:`~ccgtools.practices.load.load_events`)."""
    from .load import load_events

    table = load_events(path)
    return _found(int(table.notna().sum().sum()), f"{len(table):,} practices",
                  {"mode": "age_sex_events", "events_path": shown,
                   "indicator": Hint("one of " + ", ".join(repr(c) for c in table.columns))},
                  notes=["indicators: " + ", ".join(table.columns)])


def check_reference_rates(path: Path, shown: str) -> Found:
    """Age-sex reference rates (:func:`~ccgtools.practices.load.load_reference_rates`)."""
    from .load import load_reference_rates

    matrix = load_reference_rates(path)
    gaps = [c for c in matrix.columns if matrix[c].isna().any()]
    notes = ["indicators: " + ", ".join(matrix.columns)]
    if gaps:
        notes.append("indicators without a rate for every sex and age group (cannot be used): " + ", ".join(gaps))
    return _found(int(matrix.notna().sum().sum()), f"{matrix.shape[1]} indicators × 40 sex-age groups",
                  {"mode": "age_sex_events", "reference_rates_path": shown}, notes=notes)


def check_ground_truth(path: Path, shown: str) -> Found:
    """The synthetic data's planted outliers (:func:`~ccgtools.practices.load.load_ground_truth`)."""
    from ..io import read_csv_checked
    from .load import load_ground_truth

    indicators = read_csv_checked(path, GROUND_TRUTH_COLUMNS)["indicator"].dropna().unique()
    planted = {i: int(load_ground_truth(path, i).sum()) for i in indicators}
    return _found(sum(len(load_ground_truth(path, i)) for i in indicators), f"{len(indicators)} indicators",
                  {"ground_truth_path": shown},
                  notes=["planted outliers: " + ", ".join(f"{i} {n}" for i, n in planted.items())])


def check_fingertips(path: Path, shown: str) -> Found:
    """A Fingertips export (:func:`~ccgtools.practices.load.load_fingertips`): the indicator, or IMD as a covariate.

    Every period of GP practices is validated; the parameters name the latest.
    """
    from ..io import read_csv_checked
    from .load import load_fingertips

    raw = read_csv_checked(path, FINGERTIPS_COLUMNS)
    gp = raw[raw["Area Type"].isin(("GPs", "GP"))]
    periods = list(dict.fromkeys(gp["Time period"].dropna()))
    tables = {p: load_fingertips(path, period=p) for p in periods} if periods else {None: load_fingertips(path)}
    latest = load_fingertips(path, period="latest")["period"].iloc[0]
    ids = sorted(raw["Indicator ID"].dropna().unique())
    name = raw["Indicator Name"].dropna().iloc[0] if "Indicator Name" in raw and raw["Indicator Name"].notna().any() \
        else f"indicator {', '.join(ids)}"
    is_imd = set(ids) <= IMD_INDICATOR_IDS
    if is_imd:
        parameters = {"mode": "fingertips_proportion", "imd_path": shown}
    else:
        parameters = {"mode": "fingertips_proportion", "fingertips_path": shown, "fingertips_period": latest,
                      "indicator": Hint('a short name of your choosing, e.g. "smoking_prevalence"')}
    notes = [f"{name} (indicator {', '.join(ids)}); GP practices per period: "
             + ", ".join(f"{p} {len(t):,}" for p, t in tables.items())]
    other = sorted(set(raw["Area Type"].dropna()) - {"GPs", "GP"})
    if other:
        notes.append("other area types in the file (not used): " + ", ".join(other))
    if is_imd and len(periods) > 1:
        notes.append(f"several periods: the briefing uses the latest ({latest}) and says so")
    return _found(len(raw), f"{max(len(t) for t in tables.values()):,} GP practices",
                  {**parameters}, periods=", ".join(periods), notes=notes)


def check_qof(path: Path, shown: str) -> Found:
    """An NHS Digital QOF prevalence table, long or wide (:func:`~ccgtools.practices.load.load_qof_prevalence`).

    Every group (and list type) is validated; the parameters name the notebook settings to read one.
    """
    from ..io import read_csv_checked
    from .load import MISSING_MARKERS, load_qof_prevalence, qof_groups

    raw = read_csv_checked(path, ("PRACTICE_CODE",))
    long = "GROUP_CODE" in raw
    groups = sorted(raw["GROUP_CODE"].dropna().unique()) if long else qof_groups(raw.columns)
    if not groups:
        from ..errors import DataError

        raise DataError("no QOF groups: no REGISTER_<GROUP> column with its PRACTICE_LIST_SIZE_<GROUP>", path=path,
                        row=1, expected="the long QOF prevalence table or its wide form")
    types = sorted(raw["PATIENT_LIST_TYPE"].dropna().unique()) if long and "PATIENT_LIST_TYPE" in raw else []
    sizes = {}
    for group in groups:
        for list_type in [t for t in types if t in set(raw.loc[raw["GROUP_CODE"] == group, "PATIENT_LIST_TYPE"])] \
                or [None]:
            table = load_qof_prevalence(path, group, list_type=list_type)
            sizes[group if list_type is None else f"{group} ({list_type})"] = int(table["count"].notna().sum())
    missing = int(raw.isin(MISSING_MARKERS).sum().sum() + raw.iloc[:, 1:].isna().sum().sum())
    notes = ["practices with a register, by group: " + ", ".join(f"{g} {n:,}" for g, n in sizes.items())]
    if missing:
        notes.append(f"{missing:,} cells blank or NA: those practices are left out of that group, never counted as 0")
    parameters = {"mode": "fingertips_proportion", "fingertips_path": shown,
                  "indicator": Hint("the QOF group to compare, one of " + ", ".join(repr(g) for g in groups))}
    if len(types) > 1:
        parameters["fingertips_period"] = Hint("the PATIENT_LIST_TYPE, one of " + ", ".join(repr(t) for t in types))
    parameters["indicator_label"] = Hint('words for the headline, e.g. "diabetes prevalence (17+)"')
    return _found(len(raw), f"{raw['PRACTICE_CODE'].nunique():,} practices, {len(groups)} QOF groups", parameters,
                  notes=notes)


def check_qof_achievement(path: Path, shown: str) -> Found:
    """An NHS Digital QOF achievement table, long, by measure or fully wide
    (:func:`~ccgtools.practices.load.load_qof_achievement`): every indicator with a numerator and
    denominator is validated, and the parameters name the notebook settings to read one."""
    from ..errors import DataError
    from ..io import read_csv_checked
    from .load import MISSING_MARKERS, qof_achievement, qof_indicators

    raw = read_csv_checked(path, ("PRACTICE_CODE",))
    raw = raw.mask(raw.isin(MISSING_MARKERS))
    if "MEASURE" in raw:
        measures = raw.loc[raw["MEASURE"].isin(("NUMERATOR", "DENOMINATOR")), ["INDICATOR_CODE", "MEASURE"]]
        both = measures.drop_duplicates().groupby("INDICATOR_CODE").size()
        indicators = sorted(both[both == 2].index)
    elif "INDICATOR_CODE" in raw:
        both = raw[raw["NUMERATOR"].notna() & raw["DENOMINATOR"].notna()]
        indicators = sorted(both["INDICATOR_CODE"].dropna().unique())
    else:
        indicators = qof_indicators(raw.columns)
    if not indicators:
        raise DataError("no QOF indicator with a numerator and a denominator", path=path, column="MEASURE"
                        if "MEASURE" in raw else None, expected="NUMERATOR and DENOMINATOR for at least one indicator "
                        "(a register-only table is the prevalence table)")
    sizes, same = {}, []
    for indicator in indicators:
        table = qof_achievement(raw, path, indicator)
        sizes[indicator] = int(table["denominator"].notna().sum())
        if "no PCAs" in table.attrs["note"]:
            same.append(indicator)
    practices = raw["PRACTICE_CODE"].nunique()
    notes = ["practices with a numerator and denominator (and PCAs where published), by indicator: "
             + ", ".join(f"{i} {n:,}" for i, n in list(sizes.items())[:20])
             + (f" and {len(sizes) - 20} more indicators" if len(sizes) > 20 else "")]
    if same:
        notes.append("no PCAs or exceptions published for " + ", ".join(same[:10])
                     + (" and others" if len(same) > 10 else "") + ": the two measures agree for them")
    notes.append('qof_measure: "intervention" = NUMERATOR / (DENOMINATOR + PCAs), every eligible patient; '
                 '"underlying" = NUMERATOR / DENOMINATOR, net of PCAs (NHS Digital\'s definitions)')
    parameters = {"mode": "fingertips_proportion", "fingertips_path": shown,
                  "indicator": Hint("the QOF indicator to compare, one of " + ", ".join(repr(i) for i in indicators[:12])
                                    + (" …" if len(indicators) > 12 else "")),
                  "qof_measure": "intervention",
                  "indicator_label": Hint('words for the headline, e.g. "diabetes: HbA1c 58 mmol/mol or less"')}
    plural = "" if len(indicators) == 1 else "s"
    return _found(len(raw), f"{practices:,} practices, {len(indicators)} QOF indicator{plural}", parameters, notes=notes)


def check_qof_wide(path: Path, shown: str) -> Found:
    """A wide QOF table as R writes it: achievement (``NUMERATOR_<CODE>``, :func:`check_qof_achievement`) or
    prevalence (``REGISTER_<GROUP>``, :func:`check_qof`)."""
    from ..layouts import read_header
    from .load import qof_indicators

    if qof_indicators(read_header(path)):
        return check_qof_achievement(path, shown)
    return check_qof(path, shown)


def check_heec(path: Path, shown: str) -> Found:
    """Practice % aged 65+, IMD and rurality (:func:`~ccgtools.practices.load.load_heec`)."""
    from .load import load_heec

    frame = load_heec(path)
    return _found(len(frame), f"{len(frame):,} practices",
                  {"mode": "fingertips_proportion", "heec_path": shown, "covariates": ["imd", "rural", "prop65"]})


def check_list_sizes(path: Path, shown: str) -> Found:
    """Practice list sizes (:func:`~ccgtools.practices.load.load_list_sizes`)."""
    from .load import load_list_sizes

    frame = load_list_sizes(path)
    return _found(len(frame), f"{len(frame):,} practices, {int(frame['list_size'].sum()):,} patients", {},
                  notes=[("list sizes alone are not a notebook input: the age-sex briefing needs the quinary "
                          "file (gp-reg-pat-prac-quin-age.csv) of the same publication, as registrations_path")])


def check_epraccur(path: Path, shown: str) -> Found:
    """The ODS practice file (:func:`~ccgtools.practices.load.load_epraccur`)."""
    from .load import load_epraccur

    everything = load_epraccur(path, active_gp_only=False)
    active = load_epraccur(path)
    return _found(len(everything), f"{len(everything):,} organisations, {len(active):,} active GP practices",
                  {"mode": "fingertips_proportion", "ods_path": shown, "icb_lookup_path": Hint("your CCG-to-ICB lookup")})


def check_icb_lookup(path: Path, shown: str) -> Found:
    """NHS England's CCG-to-ICB lookup (:func:`~ccgtools.practices.commissioners.load_icb_lookup`)."""
    from .commissioners import load_icb_lookup

    frame = load_icb_lookup(path)
    return _found(len(frame), f"{len(frame):,} CCGs in {frame['icb_code'].nunique()} ICBs",
                  {"mode": "fingertips_proportion", "icb_lookup_path": shown, "ods_path": Hint("your ODS epraccur file")})


LAYOUTS = (
    Layout("gp_quinary", "GP registrations by practice, sex and 5-year age group (NHS Digital quinary)",
           QUINARY_COLUMNS, optional=("PUBLICATION", "EXTRACT_DATE", "TYPE", "CCG_CODE", "ONS_CCG_CODE", "POSTCODE"),
           check=check_quinary),
    Layout("practices", "GP practice attributes (CCG, region, IMD, rurality)",
           ("practice_code", "ccg_code", "region", "imd_score", "rurality"), optional=("list_type",),
           check=check_practices),
    Layout("events", "Events per practice and indicator", ("practice_code", "indicator", "events"),
           check=check_events),
    Layout("reference_rates", "Reference rates by indicator, sex and age group", ("indicator", "sex", "age_group", "rate"),
           check=check_reference_rates),
    Layout("ground_truth", "Planted outliers of the synthetic practices", GROUND_TRUTH_COLUMNS,
           optional=("direction",), check=check_ground_truth),
    Layout("fingertips", "OHID Fingertips indicator export", FINGERTIPS_COLUMNS,
           optional=("Indicator Name", "Parent Code", "Parent Name", "Sex", "Age", "Category Type", "Category",
                     "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit",
                     "Value note", "Recent Trend", "Compared to England value or percentiles", "Column not used",
                     "Time period Sortable", "New data", "Compared to goal", "Time period range",
                     "Compared to percentiles"),
           check=check_fingertips),
    Layout("qof_prevalence", "NHS Digital QOF prevalence by practice and group (long)", QOF_COLUMNS,
           optional=("PATIENT_LIST_TYPE", "PRACTICE_NAME"), check=check_qof),
    Layout("qof_achievement", "NHS Digital QOF achievement by practice, indicator and measure (long, as published)",
           QOF_ACHIEVEMENT_COLUMNS, optional=("PRACTICE_NAME",), check=check_qof_achievement),
    Layout("qof_achievement_by_measure", "NHS Digital QOF achievement, a column per measure (NUMERATOR, "
           "DENOMINATOR, PCAS)", QOF_ACHIEVEMENT_BY_MEASURE_COLUMNS,
           optional=("PRACTICE_NAME", "ACHIEVED_POINTS", "PCAS", "EXCEPTIONS", "REGISTER"), check=check_qof_achievement),
    Layout("qof_wide", "NHS Digital QOF table, wide as R writes it: prevalence (REGISTER_<GROUP>, "
           "PRACTICE_LIST_SIZE_<GROUP>) or achievement (NUMERATOR_<CODE>, DENOMINATOR_<CODE>, PCAS_<CODE>)",
           ("PRACTICE_CODE",), check=check_qof_wide),
    Layout("heec", "Practice % aged 65+, IMD and rurality", ("Practice.Code", "prop65", "IMD", "Practice.Rurality"),
           check=check_heec),
    Layout("gp_list_sizes", "GP registrations, totals per practice (NHS Digital, SEX = AGE = ALL)",
           ("CODE", "CCG_CODE", "SEX", "AGE", "NUMBER_OF_PATIENTS"),
           optional=("PUBLICATION", "EXTRACT_DATE", "TYPE", "ONS_CCG_CODE", "POSTCODE"), check=check_list_sizes),
    Layout("ods_epraccur", "ODS GP practice file (epraccur, no header row)", optional=EPRACCUR_COLUMNS,
           width=len(EPRACCUR_COLUMNS), check=check_epraccur),
    Layout("icb_lookup", "CCG-to-ICB lookup (NHS England)", LOOKUP_COLUMNS, check=check_icb_lookup),
)
