"""Reading the real published files into an area profile's inputs: QOF smoking prevalence by practice for two years
(OHID Fingertips), IMD 2019 by practice, GP list sizes, the ODS practice file and NHS England's CCG-to-ICB lookup
(and, optionally, % aged 65+ and rurality by practice).

Each reader goes through :mod:`ccgtools.io` (errors name file, row, column and what was expected) and keeps only
what the profile needs. :func:`load_real_area_data` puts them together as an
:class:`~ccgtools.areas.load.AreaData`, with notes saying what was left out and why.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..config import resolve_path
from ..errors import DataError
from ..io import (
    check_allowed_values,
    read_csv_checked,
    read_headerless_csv,
    spreadsheet_row,
    to_numbers,
)
from .load import AreaData

FINGERTIPS_COLUMNS = ("Area Code", "Area Type", "Time period", "Value", "Count", "Denominator")
GP_AREA_TYPES = ("GPs", "GP")
#: The 27 columns of the ODS epraccur file (no header row); only a few are used.
ODS_COLUMNS = ("organisation_code", "name", "national_grouping", "high_level_health_geography", "address_1",
               "address_2", "address_3", "address_4", "address_5", "postcode", "open_date", "close_date",
               "status_code", "organisation_sub_type", "commissioner", "join_parent_date", "left_parent_date",
               "telephone", "null_1", "null_2", "null_3", "amended_record", "null_4", "provider_purchaser", "null_5",
               "prescribing_setting", "null_6")
#: NHS England regions by the ODS national grouping code of 2019 (the seven regions since April 2019).
ODS_REGIONS = {"Y56": "London", "Y58": "South West", "Y59": "South East", "Y60": "Midlands", "Y61": "East of England",
               "Y62": "North West", "Y63": "North East and Yorkshire"}
LOOKUP_COLUMNS = ("CCG Code", "ICB Code", "ICB NAME")


def _gp_rows(path: Path, raw: pd.DataFrame) -> pd.DataFrame:
    rows = raw[raw["Area Type"].isin(GP_AREA_TYPES)]
    if rows.empty:
        raise DataError("no rows for GP practices", path=path, column="Area Type",
                        expected="rows with Area Type 'GPs' (a Fingertips export at GP practice level)")
    return rows


def load_fingertips_counts(path: str | Path, periods: tuple[str, str]) -> pd.DataFrame:
    """One Fingertips proportion indicator's Count and Denominator per GP practice for two periods.

    Returns
    -------
    pandas.DataFrame
        practice_code, period, numerator, denominator (whole numbers; a blank or suppressed count is missing,
        and such practices are left out by the analysis, never counted as 0).
    """
    path = resolve_path(path)
    raw = read_csv_checked(path, FINGERTIPS_COLUMNS)
    rows = _gp_rows(path, raw)
    missing = [p for p in periods if p not in set(rows["Time period"])]
    if missing:
        raise DataError(f"no GP rows for period {missing[0]!r}", path=path, column="Time period", value=missing[0],
                        expected="one of " + ", ".join(repr(p) for p in sorted(rows["Time period"].dropna().unique())))
    rows = rows[rows["Time period"].isin(periods)]
    out = pd.DataFrame({"practice_code": rows["Area Code"], "period": rows["Time period"]})
    out["numerator"] = to_numbers(rows, "Count", path=path, allow_missing=True).round()
    out["denominator"] = to_numbers(rows, "Denominator", path=path, allow_missing=True).round()
    above = out["numerator"] > out["denominator"]
    if above.any():
        label = above.idxmax()
        raise DataError("Count above its Denominator", path=path, row=spreadsheet_row(label), column="Count",
                        value=raw.loc[label, "Count"], expected="no more than the Denominator for a proportion")
    repeated = out.duplicated(["practice_code", "period"])
    if repeated.any():
        label = repeated.idxmax()
        raise DataError("a practice appears twice in one period", path=path, row=spreadsheet_row(label),
                        column="Area Code", value=out.loc[label, "practice_code"], expected="each practice once a period")
    return out.assign(indicator="smoking").reset_index(drop=True)


def load_fingertips_values(path: str | Path) -> pd.Series:
    """A Fingertips GP-level value by practice (e.g. the IMD 2019 score, indicator 93553), latest period only."""
    path = resolve_path(path)
    raw = read_csv_checked(path, ("Area Code", "Area Type", "Time period", "Value"))
    rows = _gp_rows(path, raw)
    latest = sorted(rows["Time period"].dropna().unique())[-1]
    rows = rows[rows["Time period"] == latest]
    values = to_numbers(rows, "Value", path=path, allow_missing=True)
    return pd.Series(values.to_numpy(), index=rows["Area Code"].to_numpy(), name="value").groupby(level=0).first()


def load_ods_practices(path: str | Path) -> pd.DataFrame:
    """The ODS epraccur file: GP practices (prescribing setting 4) with their commissioner (CCG) and region.

    Returns
    -------
    pandas.DataFrame
        Indexed by practice_code: ccg_code, region (from the national grouping; missing for a code not in
        :data:`ODS_REGIONS`), status_code.
    """
    path = resolve_path(path)
    raw = read_headerless_csv(path, ODS_COLUMNS)
    gp = raw[raw["prescribing_setting"] == "4"]
    if gp.empty:
        raise DataError("no GP practices (prescribing setting 4)", path=path, column="prescribing_setting",
                        expected="the ODS epraccur file of GP practices")
    return pd.DataFrame({"ccg_code": gp["commissioner"].to_numpy(),
                         "region": gp["national_grouping"].map(ODS_REGIONS).to_numpy(),
                         "status_code": gp["status_code"].to_numpy()},
                        index=pd.Index(gp["organisation_code"].to_numpy(), name="practice_code")).groupby(level=0).first()


def load_icb_lookup(path: str | Path) -> pd.DataFrame:
    """NHS England's CCG-to-ICB lookup: indexed by CCG code, with icb_code and icb_name (each CCG once)."""
    path = resolve_path(path)
    raw = read_csv_checked(path, LOOKUP_COLUMNS)
    for column in LOOKUP_COLUMNS:
        blank = raw[column].isna()
        if blank.any():
            raise DataError("a required value is missing", path=path, row=spreadsheet_row(blank.idxmax()),
                            column=column, expected="a value on every row")
    repeated = raw["CCG Code"].duplicated()
    if repeated.any():
        label = repeated.idxmax()
        raise DataError("a CCG appears twice", path=path, row=spreadsheet_row(label), column="CCG Code",
                        value=raw.loc[label, "CCG Code"], expected="each CCG once")
    return pd.DataFrame({"icb_code": raw["ICB Code"].to_numpy(), "icb_name": raw["ICB NAME"].to_numpy()},
                        index=pd.Index(raw["CCG Code"].to_numpy(), name="ccg_code"))


def load_list_sizes(path: str | Path) -> pd.Series:
    """Registered patients per practice from NHS Digital's totals file (rows with SEX = AGE = ALL)."""
    path = resolve_path(path)
    raw = read_csv_checked(path, ("CODE", "SEX", "AGE", "NUMBER_OF_PATIENTS"))
    rows = raw[(raw["SEX"] == "ALL") & (raw["AGE"] == "ALL")]
    if rows.empty:
        raise DataError("no rows with SEX = ALL and AGE = ALL", path=path, column="SEX",
                        expected="the GP registrations totals file (gp-reg-pat-prac-all)")
    sizes = to_numbers(rows, "NUMBER_OF_PATIENTS", path=path, whole=True).astype(float)
    return pd.Series(sizes.to_numpy(), index=rows["CODE"].to_numpy(), name="list_size").groupby(level=0).first()


def load_age_rurality(path: str | Path) -> pd.DataFrame:
    """% of patients aged 65+ and rurality by practice (the quoted ``Practice.Code, prop65, IMD, Practice.Rurality``)."""
    path = resolve_path(path)
    raw = read_csv_checked(path, ("Practice.Code", "prop65", "Practice.Rurality"))
    check_allowed_values(raw, "Practice.Rurality", ("Rural", "Urban"), path=path)
    return pd.DataFrame({"pct_65_plus": to_numbers(raw, "prop65", path=path, allow_missing=True).to_numpy(),
                         "rurality": raw["Practice.Rurality"].to_numpy()},
                        index=pd.Index(raw["Practice.Code"].to_numpy(), name="practice_code")).groupby(level=0).first()


def load_real_area_data(fingertips_path, imd_path, ods_path, icb_lookup_path, list_sizes_path, *,
                        periods: tuple[str, str] = ("2022/23", "2023/24"), heec_path=None) -> AreaData:
    """The real files as an area profile's inputs: smoking prevalence by practice, grouped into ICBs.

    Practices are placed in ICBs by their commissioner in the ODS file (one snapshot for both years, so moves
    between ICBs are not seen) and the CCG-to-ICB lookup; an ICB's region is the one most of its practices are
    in. Case mix is deprivation (IMD 2019) alone: the files give no age structure for every practice. The most
    similar ICBs are matched on deprivation, list size and, where ``heec_path`` is given, % aged 65+ and rurality
    (averaged over the practices that have them). Practices left out, and why, are in ``notes``.
    """
    counts = load_fingertips_counts(fingertips_path, periods)
    imd = load_fingertips_values(imd_path)
    ods = load_ods_practices(ods_path)
    lookup = load_icb_lookup(icb_lookup_path)
    sizes = load_list_sizes(list_sizes_path)
    extra = load_age_rurality(heec_path) if heec_path else None
    notes = []
    codes = pd.Index(counts["practice_code"].unique())
    icb = ods["ccg_code"].reindex(codes).map(lookup["icb_code"])
    unplaced = icb.isna()
    if unplaced.any():
        notes.append(f"{int(unplaced.sum()):,} practices in the smoking file are not in the ODS file of GP practices, "
                     "or their commissioner is not in the CCG-to-ICB lookup: left out (most opened after the ODS "
                     "file was made).")
    no_imd = codes[~unplaced.to_numpy()].difference(imd.dropna().index)
    if len(no_imd):
        notes.append(f"{len(no_imd):,} practices have no IMD score: left out of the comparisons, which allow for "
                     "deprivation.")
    practices = pd.DataFrame({"practice_code": counts["practice_code"], "period": counts["period"]})
    practices["icb_code"] = practices["practice_code"].map(icb)
    practices = practices.dropna(subset=["icb_code"])
    denominators = counts.set_index(["practice_code", "period"])["denominator"]
    fallback = denominators.reindex(pd.MultiIndex.from_frame(practices[["practice_code", "period"]])).to_numpy() / 0.83
    listed = practices["practice_code"].map(sizes).to_numpy()
    practices["list_size"] = np.where(np.isnan(listed), fallback, listed)
    if np.isnan(listed).any():
        notes.append(f"{int(np.isnan(listed).sum()):,} practice-years have no list size in the January 2021 file: their "
                     "list size is estimated from the smoking denominator (patients 15+ ÷ 0.83), for the average "
                     "list size of the similar-ICB match only.")
    practices["pct_under_15"] = np.nan
    practices["imd_score"] = practices["practice_code"].map(imd)
    if extra is not None:
        practices["pct_65_plus"] = practices["practice_code"].map(extra["pct_65_plus"])
        practices["rurality"] = practices["practice_code"].map(extra["rurality"])
    else:
        practices["pct_65_plus"], practices["rurality"] = np.nan, np.nan
    practices = practices.dropna(subset=["list_size"]).reset_index(drop=True)
    regions = ods["region"].reindex(practices["practice_code"]).to_numpy()
    region = pd.Series(regions, index=practices["icb_code"]).dropna().groupby(level=0).agg(
        lambda r: r.value_counts().index[0])
    names = lookup.drop_duplicates("icb_code").set_index("icb_code")["icb_name"]
    icbs = pd.DataFrame({"icb_code": sorted(practices["icb_code"].unique())})
    icbs["icb_name"] = icbs["icb_code"].map(names).str.replace("Integrated Care Board", "ICB", regex=False)
    icbs["region"] = icbs["icb_code"].map(region).fillna("Region not known")
    counts = counts[counts.set_index(["practice_code", "period"]).index.isin(
        pd.MultiIndex.from_frame(practices[["practice_code", "period"]]))].reset_index(drop=True)
    notes.append("Practices are placed in ICBs by their commissioning CCG in the ODS practice file of December 2019 "
                 "and NHS England's CCG-to-ICB lookup, which maps whole CCGs, for both years. So moves between ICBs "
                 "and practices that opened since 2019 cannot be seen (the page says 'not known'), and a CCG split "
                 "between ICBs in July 2022 is placed wholly in one: the Glossop practices of Tameside and Glossop "
                 "CCG (01Y), for example, moved to Derby and Derbyshire ICB but are counted here in the ICB the "
                 "lookup gives for 01Y. Neither file can show such splits; a current practice-to-ICB file (ODS "
                 "epraccur with ICB codes, 2023 or later) would.")
    peer_variables = ("imd_score", "mean_list_size") + (("pct_65_plus", "pct_rural") if extra is not None else ())
    source = ("QOF smoking prevalence (15+) by GP practice, " + " and ".join(periods) + ", from OHID Fingertips "
              "(indicator 91547); IMD 2019 by practice (Fingertips 93553); practices' ICBs from "
              "the ODS epraccur file and NHS England's CCG-to-ICB lookup; list sizes from NHS Digital (January 2021)"
              + ("; % aged 65+ and rurality by practice where available." if extra is not None else "."))
    return AreaData(icbs=icbs, practices=practices, counts=counts, periods=periods, truth=None, notes=notes,
                    covariates=("imd_score",), peer_variables=peer_variables, source=source,
                    movements_known=False)
