"""Loading GP practice data: the bundled synthetic layout and the real published files.

Readers for NHS Digital's "Patients registered at a GP practice" (quinary
age/sex and totals), OHID Fingertips indicator exports, the IMD/65+/rurality
practice table, and the ODS ``epraccur`` file (which has no header row). Every
reader validates as :mod:`ccgtools.io` does: the file, row and column of any
problem, and what was expected.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataError
from ..io import (
    check_allowed_values,
    check_columns,
    check_unique,
    check_unique_rows,
    read_csv_checked,
    read_headerless_csv,
    spreadsheet_row,
    to_counts,
    to_numbers,
)
from .synthetic import AGE_GROUPS, PRACTICE_FILES, SEXES

QUINARY_COLUMNS = ("CODE", "SEX", "AGE_GROUP_5", "NUMBER_OF_PATIENTS")
FINGERTIPS_COLUMNS = ("Indicator ID", "Area Code", "Area Name", "Area Type", "Time period", "Value", "Count",
                      "Denominator")
EPRACCUR_COLUMNS = ("organisation_code", "name", "national_grouping", "high_level_health_geography",
                    "address_1", "address_2", "address_3", "address_4", "address_5", "postcode", "open_date",
                    "close_date", "status_code", "organisation_sub_type", "commissioner", "join_parent_date",
                    "left_parent_date", "telephone", "null_1", "null_2", "null_3", "amended_record", "null_4",
                    "provider_purchaser", "null_5", "prescribing_setting", "null_6")


def bundled(name: str) -> Path:
    """Path of one of the bundled synthetic practice files ("practices", "registrations", …)."""
    return config.DATA_DIR / PRACTICE_FILES[name]


def load_quinary(path: str | Path | None = None) -> pd.DataFrame:
    """Registered patients by practice, sex and five-year age group (NHS Digital quinary layout).

    Rows with SEX or AGE_GROUP_5 of "ALL" (totals) are dropped.

    Returns
    -------
    pandas.DataFrame
        Practices (index ``practice_code``) by 40 columns ``MALE 0_4`` … ``FEMALE 95+``.

    Raises
    ------
    DataError
        Unknown sex or age-band labels, suppressed or negative counts, or a
        practice, sex and age band given twice.
    """
    path = config.resolve_path(path, bundled("registrations"))
    raw = read_csv_checked(path, QUINARY_COLUMNS)
    raw = raw[(raw["SEX"] != "ALL") & (raw["AGE_GROUP_5"] != "ALL")]
    check_allowed_values(raw, "SEX", SEXES, path=path, allow_missing=False)
    check_allowed_values(raw, "AGE_GROUP_5", AGE_GROUPS, path=path, allow_missing=False)
    patients = to_counts(raw, "NUMBER_OF_PATIENTS", path=path)
    check_unique_rows(raw, ["CODE", "SEX", "AGE_GROUP_5"], path=path, problem="practice, sex and age group given twice",
                      expected="one row per practice, sex and age group")
    table = raw.assign(patients=patients, band=raw["SEX"] + " " + raw["AGE_GROUP_5"])
    matrix = table.pivot(index="CODE", columns="band", values="patients")
    columns = [f"{s} {a}" for s in SEXES for a in AGE_GROUPS]
    matrix = matrix.reindex(columns=columns).fillna(0).astype("int64")
    matrix.index.name = "practice_code"
    matrix.columns.name = None
    return matrix


def age_sex_bands(matrix: pd.DataFrame, years: int = 5) -> pd.DataFrame:
    """The quinary matrix with its age groups merged into bands of ``years`` (5, 10 or 20), by sex.

    Method: the five-year groups ``0_4`` … ``90_94`` are summed in runs of ``years // 5`` from age 0, and
    ``95+`` joins the last band, which is then written open-ended (``90+`` for 10 years, ``80+`` for 20).
    Counts are summed, never re-estimated, so every practice keeps its list size.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Practices by the 40 columns ``MALE 0_4`` … ``FEMALE 95+`` (:func:`load_quinary`).
    years : {5, 10, 20}
        Width of the bands.

    Returns
    -------
    pandas.DataFrame
        Practices (same index) by ``<SEX> <band>`` columns, males first, youngest first.
    """
    if years not in (5, 10, 20):
        raise ValueError(f"years must be 5, 10 or 20; found {years!r}")
    if years == 5:
        return matrix.copy()
    step = years // 5
    starts = list(range(0, 95, years))
    out = {}
    for sex in SEXES:
        for position, start in enumerate(starts):
            last = position == len(starts) - 1
            groups = AGE_GROUPS[position * step:] if last else AGE_GROUPS[position * step:(position + 1) * step]
            name = f"{start}+" if last else f"{start}_{start + years - 1}"
            out[f"{sex} {name}"] = matrix[[f"{sex} {g}" for g in groups]].sum(axis=1)
    return pd.DataFrame(out, index=matrix.index)


def load_practices(path: str | Path | None = None) -> pd.DataFrame:
    """Practice attributes: practice_code (unique), ccg_code, region, imd_score, rurality (Urban/Rural)."""
    path = config.resolve_path(path, bundled("practices"))
    raw = read_csv_checked(path, ("practice_code", "ccg_code", "region", "imd_score", "rurality"))
    check_unique(raw, "practice_code", path=path)
    check_allowed_values(raw, "rurality", ("Urban", "Rural"), path=path)
    return raw.assign(imd_score=to_numbers(raw, "imd_score", path=path))


def load_events(path: str | Path | None = None, *, registered: pd.Index | None = None) -> pd.DataFrame:
    """Event counts per practice and indicator (long: practice_code, indicator, events).

    Raises
    ------
    DataError
        Negative, fractional or suppressed counts; a practice and indicator given
        twice; a practice with events but no registered patients (when
        ``registered`` is given).

    Returns
    -------
    pandas.DataFrame
        Practices (index) by indicators (columns) of event counts.
    """
    path = config.resolve_path(path, bundled("events"))
    raw = read_csv_checked(path, ("practice_code", "indicator", "events"))
    events = to_counts(raw, "events", path=path)
    check_unique_rows(raw, ["practice_code", "indicator"], path=path, problem="practice and indicator given twice",
                      expected="one row per practice and indicator")
    if registered is not None:
        unregistered = ~raw["practice_code"].isin(registered)
        if unregistered.any():
            label = unregistered.idxmax()
            raise DataError("practice has events but no registered patients", path=path,
                            row=spreadsheet_row(label), column="practice_code", value=raw.loc[label, "practice_code"],
                            expected="a practice in the registrations file")
    table = raw.assign(events=events).pivot(index="practice_code", columns="indicator", values="events")
    table.columns.name = None
    return table


def load_reference_rates(path: str | Path | None = None) -> pd.DataFrame:
    """Reference rates (events per person) as 40 sex-age bands (rows) by indicators (columns)."""
    path = config.resolve_path(path, bundled("reference_rates"))
    raw = read_csv_checked(path, ("indicator", "sex", "age_group", "rate"))
    check_allowed_values(raw, "sex", SEXES, path=path, allow_missing=False)
    check_allowed_values(raw, "age_group", AGE_GROUPS, path=path, allow_missing=False)
    rates = to_numbers(raw, "rate", path=path)
    check_unique_rows(raw, ["indicator", "sex", "age_group"], path=path,
                      problem="indicator, sex and age group given twice",
                      expected="one rate per indicator, sex and age group")
    table = raw.assign(rate=rates, band=raw["sex"] + " " + raw["age_group"])
    matrix = table.pivot(index="band", columns="indicator", values="rate")
    matrix.attrs["path"] = str(path)
    matrix.columns.name = None
    return matrix.reindex([f"{s} {a}" for s in SEXES for a in AGE_GROUPS])


GROUND_TRUTH_COLUMNS = ("practice_code", "indicator", "planted_outlier")


def load_ground_truth(path: str | Path, indicator: str) -> pd.Series:
    """The synthetic data's planted outliers for one indicator (the generator's ground-truth file).

    Parameters
    ----------
    path : str or Path
        CSV with practice_code, indicator and planted_outlier (True or False); a
        relative path is taken from the project root.
    indicator : str
        The indicator whose planted outliers are wanted.

    Returns
    -------
    pandas.Series
        Boolean, indexed by practice_code (empty when the file has no rows for ``indicator``).

    Raises
    ------
    DataError
        A missing file or column, a planted_outlier other than True or False, or a
        practice given twice for the indicator.
    """
    path = config.resolve_path(path)
    raw = read_csv_checked(path, GROUND_TRUTH_COLUMNS)
    check_allowed_values(raw, "planted_outlier", ("True", "False"), path=path, allow_missing=False)
    chosen = raw[raw["indicator"] == indicator]
    check_unique(chosen, "practice_code", path=path)
    return (chosen.set_index("practice_code")["planted_outlier"] == "True").rename("planted_outlier")


def load_fingertips(path: str | Path, *, area_type: str | tuple[str, ...] = ("GPs", "GP"), period: str | None = None,
                    indicator_id: int | None = None) -> pd.DataFrame:
    """One indicator from a standard OHID Fingertips export, for one area type and period.

    Fingertips labels GP practices "GPs" in some exports and "GP" in others; both are accepted
    by default. An export may hold several periods (years): ``period`` chooses one as written in
    its "Time period" column (e.g. ``"2023/24"``), or ``"latest"`` (by "Time period Sortable");
    left as None with several periods, a DataError lists them.

    Returns
    -------
    pandas.DataFrame
        area_code (unique), area_name, parent_code, value, count, denominator and
        Fingertips' own lower/upper 95% and 99.8% limits (missing when blank).
        Counts may be fractional (Fingertips sums fractional denominators at
        higher geographies); blank or suppressed cells are missing, never zero.
    """
    path = config.resolve_path(path)
    raw = read_csv_checked(path, FINGERTIPS_COLUMNS)
    area_types = (area_type,) if isinstance(area_type, str) else tuple(area_type)
    rows = raw["Area Type"].isin(area_types)
    if period is not None and period != "latest":
        available = raw.loc[raw["Area Type"].isin(area_types), "Time period"].dropna().unique()
        if period not in set(available):
            raise DataError(f"no rows for period {period!r}", path=path, column="Time period", value=period,
                            expected="one of " + ", ".join(repr(p) for p in sorted(available)) if len(available)
                            else f"rows of area type {' or '.join(area_types)}")
        rows &= raw["Time period"] == period
    if indicator_id is not None:
        rows &= raw["Indicator ID"] == str(indicator_id)
    chosen = raw[rows]
    if chosen.empty:
        found = ", ".join(repr(t) for t in raw["Area Type"].dropna().unique()[:8])
        raise DataError(f"no rows for area type {' or '.join(area_types)}", path=path, column="Area Type",
                        expected=f"rows for GP practices; the file has area types {found}")
    periods = sorted(chosen["Time period"].dropna().unique(), key=_period_order(chosen))
    if period == "latest":
        chosen = chosen[chosen["Time period"] == periods[-1]]
    elif period is None and len(periods) > 1:
        raise DataError(f"the file holds {len(periods)} periods ({', '.join(periods)}); choose one", path=path,
                        column="Time period", expected="a period parameter (fingertips_period, imd_period) set to "
                        "one of " + ", ".join(repr(p) for p in periods))
    check_unique(chosen, "Area Code", path=path)
    out = pd.DataFrame({"area_code": chosen["Area Code"], "area_name": chosen["Area Name"],
                        "parent_code": chosen.get("Parent Code"), "period": chosen["Time period"]})
    for column, source in (("value", "Value"), ("count", "Count"), ("denominator", "Denominator"),
                           ("lower_95", "Lower CI 95.0 limit"), ("upper_95", "Upper CI 95.0 limit"),
                           ("lower_99_8", "Lower CI 99.8 limit"), ("upper_99_8", "Upper CI 99.8 limit")):
        out[column] = to_numbers(chosen, source, path=path, allow_missing=True) if source in chosen else np.nan
    out = out.reset_index(drop=True)
    out.attrs["periods"] = len(periods)
    return out


def _period_order(frame: pd.DataFrame):
    """A sort key for Fingertips periods: its ``Time period Sortable`` number where the export gives one, else the
    year the period text starts with (the sortable column is blank for some periods of real exports)."""
    sortable = {}
    if "Time period Sortable" in frame:
        sortable = {p: n for p, n in zip(frame["Time period"], frame["Time period Sortable"])
                    if isinstance(n, str) and n.isdigit()}

    def key(period: str) -> tuple[int, str]:
        if period in sortable:
            return int(sortable[period]), period
        year = re.match(r"\d{4}", period)
        return (int(year.group()) * 10_000 if year else 0), period

    return key


QOF_COLUMNS = ("PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PRACTICE_LIST_SIZE")
#: Cells R and spreadsheets write for a missing value, read as missing in QOF tables.
MISSING_MARKERS = ("NA", "N/A", "NULL")


def qof_groups(columns) -> list[str]:
    """The QOF group codes of a wide table: ``REGISTER_<GROUP>`` columns with a ``PRACTICE_LIST_SIZE_<GROUP>`` partner.

    The names R's ``tidyr::pivot_wider(names_from = GROUP_CODE, values_from = c(REGISTER, PRACTICE_LIST_SIZE))``
    gives the official long table.
    """
    columns = set(columns)
    return sorted(c[len("REGISTER_"):] for c in columns
                  if c.startswith("REGISTER_") and f"PRACTICE_LIST_SIZE_{c[len('REGISTER_'):]}" in columns)


def load_qof_prevalence(path: str | Path, group: str, *, list_type: str | None = None) -> pd.DataFrame:
    """One QOF register as a proportion indicator: its register (count) over the practice list size (denominator).

    Reads NHS Digital's practice-level prevalence table as published, long (``PRACTICE_CODE``,
    ``GROUP_CODE``, ``REGISTER``, ``PRACTICE_LIST_SIZE``, optionally ``PATIENT_LIST_TYPE``) or wide as
    R writes it (``REGISTER_<GROUP>`` and ``PRACTICE_LIST_SIZE_<GROUP>`` per group, ``NA`` for missing).

    Parameters
    ----------
    group : str
        The QOF group code, e.g. ``"DM"`` (diabetes) or ``"HYP"`` (hypertension), as in the file.
    list_type : str, optional
        ``PATIENT_LIST_TYPE`` to keep when the long table has several (e.g. ``"TOTAL"``, ``"17OV"``);
        required then.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`load_fingertips` (area_code, value as a percentage, count, denominator; no
        published limits), so the proportion analysis reads either.

    Raises
    ------
    DataError
        An unknown group (the groups in the file listed), several list types without ``list_type``, a
        register above its list size, negative, fractional or non-numeric counts, a practice given twice.
    """
    path = config.resolve_path(path)
    raw = read_csv_checked(path, ("PRACTICE_CODE",))
    raw = raw.mask(raw.isin(MISSING_MARKERS))
    if "GROUP_CODE" in raw:
        check_columns(raw, QOF_COLUMNS, path=path)
        groups = sorted(raw["GROUP_CODE"].dropna().unique())
        if group not in groups:
            raise DataError(f"no rows for QOF group {group!r}", path=path, column="GROUP_CODE", value=group,
                            expected="one of " + ", ".join(repr(g) for g in groups))
        chosen = raw[raw["GROUP_CODE"] == group]
        if "PATIENT_LIST_TYPE" in chosen:
            types = sorted(chosen["PATIENT_LIST_TYPE"].dropna().unique())
            if list_type is None and len(types) > 1:
                raise DataError(f"the group has {len(types)} list types ({', '.join(types)}); choose one", path=path,
                                column="PATIENT_LIST_TYPE", expected="one list type, e.g. 'TOTAL'")
            if list_type is not None:
                chosen = chosen[chosen["PATIENT_LIST_TYPE"] == list_type]
        count_column, size_column = "REGISTER", "PRACTICE_LIST_SIZE"
    else:
        groups = qof_groups(raw.columns)
        if group not in groups:
            raise DataError(f"no columns REGISTER_{group} and PRACTICE_LIST_SIZE_{group}", path=path, row=1,
                            column=f"REGISTER_{group}",
                            expected="a QOF group of the file: " + (", ".join(repr(g) for g in groups) or "none"))
        chosen, count_column, size_column = raw, f"REGISTER_{group}", f"PRACTICE_LIST_SIZE_{group}"
    check_unique(chosen, "PRACTICE_CODE", path=path)
    count = to_counts(chosen, count_column, path=path, allow_missing=True)
    size = to_counts(chosen, size_column, path=path, allow_missing=True)
    above = (count > size).fillna(False)
    if above.any():
        label = above.idxmax()
        raise DataError(f"register ({count.loc[label]}) above the list size ({size.loc[label]})", path=path,
                        row=spreadsheet_row(label), column=count_column, value=int(count.loc[label]),
                        expected=f"no more than {size_column}")
    count, size = count.astype("Float64").astype(float), size.astype("Float64").astype(float)
    out = pd.DataFrame({"area_code": chosen["PRACTICE_CODE"], "area_name": chosen.get("PRACTICE_NAME"),
                        "parent_code": pd.NA, "period": "", "value": 100 * count / size.where(size > 0),
                        "count": count, "denominator": size})
    for column in ("lower_95", "upper_95", "lower_99_8", "upper_99_8"):
        out[column] = np.nan
    return out.reset_index(drop=True)


#: NHS Digital's QOF achievement table, long as published (one row per practice, indicator and measure).
QOF_ACHIEVEMENT_COLUMNS = ("PRACTICE_CODE", "INDICATOR_CODE", "MEASURE", "VALUE")
#: The same, one row per practice and indicator with a column per measure (R's ``pivot_wider(names_from = MEASURE)``).
QOF_ACHIEVEMENT_BY_MEASURE_COLUMNS = ("PRACTICE_CODE", "INDICATOR_CODE", "NUMERATOR", "DENOMINATOR")
#: Patients left out of an indicator's denominator: personalised care adjustments (from 2019-20), exceptions before.
QOF_ADJUSTMENTS = ("PCAS", "EXCEPTIONS")
#: How a QOF achievement indicator is read as a proportion (NHS Digital's technical annex definitions).
QOF_MEASURES = {
    "intervention": "the percentage of patients receiving the intervention, NUMERATOR / (DENOMINATOR + PCAs)",
    "underlying": "the underlying achievement net of PCAs, NUMERATOR / DENOMINATOR",
}


def qof_indicators(columns) -> list[str]:
    """The QOF indicator codes of a fully wide achievement table: ``NUMERATOR_<CODE>`` with ``DENOMINATOR_<CODE>``."""
    columns = set(columns)
    return sorted(c[len("NUMERATOR_"):] for c in columns
                  if c.startswith("NUMERATOR_") and f"DENOMINATOR_{c[len('NUMERATOR_'):]}" in columns)


def is_qof_achievement(header) -> bool:
    """Whether a header (with ``PRACTICE_CODE``) is a QOF achievement table, long, by measure or fully wide."""
    header = list(header)
    return "MEASURE" in header or "NUMERATOR" in header or bool(qof_indicators(header))


def _achievement_columns(raw: pd.DataFrame, indicator: str, path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows of one indicator, one per practice, and the column holding each measure (as the file names it)."""
    if "MEASURE" in raw:
        check_columns(raw, QOF_ACHIEVEMENT_COLUMNS, path=path)
        indicators = sorted(raw["INDICATOR_CODE"].dropna().unique())
        if indicator not in indicators:
            raise DataError(f"no rows for QOF indicator {indicator!r}", path=path, column="INDICATOR_CODE",
                            value=indicator, expected="one of " + ", ".join(repr(i) for i in indicators[:30])
                            + (f" and {len(indicators) - 30} more" if len(indicators) > 30 else ""))
        chosen = raw[raw["INDICATOR_CODE"] == indicator]
        for column in ("PRACTICE_CODE", "MEASURE"):
            check_allowed_values(chosen, column, chosen[column].dropna().unique(), path=path, allow_missing=False)
        check_unique_rows(chosen, ["PRACTICE_CODE", "MEASURE"], path=path,
                          problem="practice and measure given twice for the indicator",
                          expected="one row per practice, indicator and measure")
        wide = {}
        for measure in ("NUMERATOR", "DENOMINATOR", *QOF_ADJUSTMENTS):
            rows = chosen[chosen["MEASURE"] == measure]
            if len(rows):
                # keep each value's own row label, so an error names the row of the long file
                wide[measure] = pd.Series(rows["VALUE"].to_numpy(), index=rows["PRACTICE_CODE"].to_numpy())
                wide[measure + "_row"] = pd.Series(rows.index.to_numpy(), index=rows["PRACTICE_CODE"].to_numpy())
        for measure in ("NUMERATOR", "DENOMINATOR"):
            if measure not in wide:
                raise DataError(f"no {measure} rows for QOF indicator {indicator!r}", path=path, column="MEASURE",
                                expected=f"NUMERATOR and DENOMINATOR rows for {indicator} (an indicator with a "
                                         "numerator and denominator, not a register)")
        return pd.DataFrame(wide), {m: "VALUE" for m in ("NUMERATOR", "DENOMINATOR", *QOF_ADJUSTMENTS)}
    if "INDICATOR_CODE" in raw:
        check_columns(raw, QOF_ACHIEVEMENT_BY_MEASURE_COLUMNS, path=path)
        indicators = sorted(raw["INDICATOR_CODE"].dropna().unique())
        if indicator not in indicators:
            raise DataError(f"no rows for QOF indicator {indicator!r}", path=path, column="INDICATOR_CODE",
                            value=indicator, expected="one of " + ", ".join(repr(i) for i in indicators))
        chosen = raw[raw["INDICATOR_CODE"] == indicator]
        check_unique(chosen, "PRACTICE_CODE", path=path)
        return chosen, {m: m for m in ("NUMERATOR", "DENOMINATOR", *QOF_ADJUSTMENTS)}
    indicators = qof_indicators(raw.columns)
    if indicator not in indicators:
        raise DataError(f"no columns NUMERATOR_{indicator} and DENOMINATOR_{indicator}", path=path, row=1,
                        column=f"NUMERATOR_{indicator}",
                        expected="a QOF indicator of the file: " + (", ".join(repr(i) for i in indicators) or "none"))
    check_unique(raw, "PRACTICE_CODE", path=path)
    return raw, {m: f"{m}_{indicator}" for m in ("NUMERATOR", "DENOMINATOR", *QOF_ADJUSTMENTS)}


def load_qof_achievement(path: str | Path, indicator: str, *, measure: str = "intervention") -> pd.DataFrame:
    """One QOF achievement indicator (e.g. ``"DM012"``) as a proportion by practice, read as NHS Digital publishes it.

    Reads the practice-level achievement table long as published (``PRACTICE_CODE``, ``INDICATOR_CODE``,
    ``MEASURE``, ``VALUE``, with measures such as ``ACHIEVED_POINTS``, ``NUMERATOR``, ``DENOMINATOR`` and
    ``PCAS``, or ``EXCEPTIONS`` before 2019-20), with a column per measure (``PRACTICE_CODE``,
    ``INDICATOR_CODE``, ``NUMERATOR``, ``DENOMINATOR``, ``PCAS``), or fully wide as R's ``pivot_wider`` writes
    it (``NUMERATOR_<CODE>``, ``DENOMINATOR_<CODE>``, ``PCAS_<CODE>``); ``NA``, ``N/A`` and ``NULL`` are missing.

    Parameters
    ----------
    indicator : str
        The QOF indicator code, as in the file.
    measure : {"intervention", "underlying"}
        Method (NHS Digital, QOF technical annex): ``"intervention"`` is the percentage of patients receiving
        the intervention, count = NUMERATOR over DENOMINATOR + PCAs (every eligible patient, so a practice
        cannot look better by adjusting patients out); ``"underlying"`` is the underlying achievement net of
        PCAs, NUMERATOR over DENOMINATOR (the basis of QOF payments). The published DENOMINATOR already
        excludes PCAs. An indicator for which the file publishes no PCAs or exceptions at all has none, so the
        two agree (``attrs["note"]`` says so); when PCAs are published but a practice's is blank, that practice
        is missing for ``"intervention"``.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`load_fingertips` (area_code, value as a percentage, count, denominator; no
        published limits); ``attrs["note"]`` says which measure was read.

    Raises
    ------
    DataError
        An unknown indicator (those in the file listed), a measure without its rows or columns, a practice
        (and measure) given twice, negative, fractional or non-numeric counts, a numerator above its
        denominator.
    """
    if measure not in QOF_MEASURES:
        from ..errors import ParameterError

        raise ParameterError(f"parameter qof_measure = {measure!r}: expected one of "
                             + ", ".join(repr(m) for m in QOF_MEASURES))
    path = config.resolve_path(path)
    raw = read_csv_checked(path, ("PRACTICE_CODE",))
    return qof_achievement(raw.mask(raw.isin(MISSING_MARKERS)), path, indicator, measure=measure)


def qof_achievement(raw: pd.DataFrame, path: Path, indicator: str, *, measure: str = "intervention") -> pd.DataFrame:
    """:func:`load_qof_achievement` of a table already read (text cells, missing markers masked), so that
    ``ccgtools check`` reads a large file once for all its indicators."""
    table, names = _achievement_columns(raw, indicator, path)
    long = "MEASURE" in raw

    def counts(measure_name: str) -> pd.Series | None:
        column = names[measure_name]
        if long:
            if measure_name not in table:
                return None
            values = table[measure_name].dropna()
            rows = raw.loc[table.loc[values.index, measure_name + "_row"].to_numpy()]
            numbers = to_counts(rows, "VALUE", path=path, allow_missing=True)
            return pd.Series(numbers.to_numpy(), index=values.index).reindex(table.index)
        if column not in table:
            return None
        return to_counts(table, column, path=path, allow_missing=True)

    numerator, denominator = counts("NUMERATOR"), counts("DENOMINATOR")
    for name, values in (("NUMERATOR", numerator), ("DENOMINATOR", denominator)):
        if values is None or values.isna().all():
            raise DataError(f"no {name} values for QOF indicator {indicator!r}", path=path, column=names[name],
                            expected=f"NUMERATOR and DENOMINATOR for {indicator} (an indicator with a numerator and "
                                     "denominator, not a register)")
    # PCAs (or exceptions) published for the indicator: a column or rows with at least one value (a wide table
    # has a PCAS column for every indicator, blank for those that have none)
    adjustments = next((a for a in (counts(name) for name in QOF_ADJUSTMENTS) if a is not None and a.notna().any()),
                       None)
    above = (numerator > denominator).fillna(False)
    if above.any():
        label = above.idxmax()
        row = int(table.loc[label, "NUMERATOR_row"]) if long else label
        raise DataError(f"numerator ({numerator.loc[label]}) above the denominator ({denominator.loc[label]})",
                        path=path, row=spreadsheet_row(row), column=names["NUMERATOR"],
                        value=int(numerator.loc[label]), expected="no more than the DENOMINATOR")
    numerator = numerator.astype("Float64").astype(float)
    denominator = denominator.astype("Float64").astype(float)
    note = f"QOF indicator {indicator} is read as {QOF_MEASURES[measure]} (NHS Digital's definition)"
    if measure == "intervention":
        if adjustments is None:
            note += "; the file publishes no PCAs or exceptions for it, so this equals the underlying achievement"
        else:
            denominator = denominator + adjustments.astype("Float64").astype(float)
    note += "."
    codes = table.index.to_numpy() if long else table["PRACTICE_CODE"].to_numpy()
    names_column = None if long or "PRACTICE_NAME" not in table else table["PRACTICE_NAME"].to_numpy()
    out = pd.DataFrame({"area_code": codes, "area_name": names_column, "parent_code": pd.NA, "period": "",
                        "value": (100 * numerator / denominator.where(denominator > 0)).to_numpy(),
                        "count": numerator.to_numpy(), "denominator": denominator.to_numpy()})
    for column in ("lower_95", "upper_95", "lower_99_8", "upper_99_8"):
        out[column] = np.nan
    out.attrs["note"] = note
    return out


def load_proportion(path: str | Path, *, period: str | None = None, group: str | None = None,
                    qof_measure: str = "intervention") -> pd.DataFrame:
    """A proportion indicator by practice from a Fingertips export, a QOF prevalence table or a QOF achievement
    table (each long or wide).

    Method: the header says which (:func:`load_qof_achievement` for ``PRACTICE_CODE`` with ``MEASURE``,
    ``NUMERATOR`` or ``NUMERATOR_<CODE>`` columns, :func:`load_qof_prevalence` for other ``PRACTICE_CODE``
    tables, else :func:`load_fingertips`); for QOF, ``group`` is the group or indicator code, ``period`` the
    prevalence table's list type, and ``qof_measure`` how achievement is read.
    """
    from ..layouts import read_header

    header = read_header(path)
    if "PRACTICE_CODE" in header:
        if is_qof_achievement(header):
            return load_qof_achievement(path, str(group), measure=qof_measure)
        return load_qof_prevalence(path, str(group), list_type=period)
    return load_fingertips(path, period=period)


def load_heec(path: str | Path) -> pd.DataFrame:
    """Practice % of patients aged 65+, IMD score and rurality (columns Practice.Code, prop65, IMD, Practice.Rurality)."""
    path = config.resolve_path(path)
    raw = read_csv_checked(path, ("Practice.Code", "prop65", "IMD", "Practice.Rurality"))
    check_unique(raw, "Practice.Code", path=path)
    check_allowed_values(raw, "Practice.Rurality", ("Urban", "Rural"), path=path)
    return pd.DataFrame({"practice_code": raw["Practice.Code"], "prop65": to_numbers(raw, "prop65", path=path),
                         "imd_score": to_numbers(raw, "IMD", path=path), "rurality": raw["Practice.Rurality"]})


def load_list_sizes(path: str | Path) -> pd.DataFrame:
    """Practice list sizes from the "Patients registered at a GP practice" totals file (SEX = AGE = ALL)."""
    path = config.resolve_path(path)
    raw = read_csv_checked(path, ("CODE", "CCG_CODE", "SEX", "AGE", "NUMBER_OF_PATIENTS"))
    totals = raw[(raw["SEX"] == "ALL") & (raw["AGE"] == "ALL")]
    check_unique(totals, "CODE", path=path)
    return pd.DataFrame({"practice_code": totals["CODE"], "ccg_code": totals["CCG_CODE"],
                         "list_size": to_counts(totals, "NUMBER_OF_PATIENTS", path=path)}).reset_index(drop=True)


def load_epraccur(path: str | Path, *, active_gp_only: bool = True) -> pd.DataFrame:
    """The ODS epraccur file (no header row): practice code, name, commissioner, status, prescribing setting.

    With ``active_gp_only`` keeps status A (active) and prescribing setting 4 (GP practice).
    """
    path = config.resolve_path(path)
    raw = read_headerless_csv(path, EPRACCUR_COLUMNS)
    if str(raw.loc[0, "organisation_code"]).lower() in ("organisation_code", "code", "organisation code"):
        raise DataError("the file has a header row", path=path, row=1, expected="no header row (ODS format)")
    check_unique(raw, "organisation_code", path=path)
    out = raw[["organisation_code", "name", "commissioner", "status_code", "prescribing_setting", "postcode"]]
    if active_gp_only:
        out = out[(out["status_code"] == "A") & (out["prescribing_setting"] == "4")]
    return out.rename(columns={"organisation_code": "practice_code"}).reset_index(drop=True)
