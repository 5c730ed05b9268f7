"""Reading and validating the area-profile inputs: ICBs, practices by year, indicator counts by practice and year.

Every reader goes through :func:`ccgtools.io.read_csv_checked`, so a bad file raises a
:class:`~ccgtools.errors.DataError` naming the file, the row (header = row 1), the column, the bad
value and what was expected. :func:`load_area_data` reads the three files together and checks that
they agree (every practice's ICB is known; every count belongs to a practice of that year).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..config import resolve_path
from ..errors import DataError
from ..io import (
    check_allowed_values,
    check_unique,
    read_csv_checked,
    spreadsheet_row,
    to_counts,
    to_numbers,
)

ICB_COLUMNS = ("icb_code", "icb_name", "region")
PRACTICE_COLUMNS = ("practice_code", "period", "icb_code", "list_size", "pct_under_15", "pct_65_plus", "imd_score",
                    "rurality")
INDICATOR_COLUMNS = ("practice_code", "period", "indicator", "numerator", "denominator")
TRUTH_COLUMNS = ("level", "code", "indicator", "kind", "effect")
RURALITY = ("Rural", "Urban")
PERCENT_COLUMNS = ("pct_under_15", "pct_65_plus")


def _required_text(frame: pd.DataFrame, columns, path) -> None:
    for column in columns:
        missing = frame[column].isna()
        if missing.any():
            raise DataError("a required value is missing", path=path, row=spreadsheet_row(missing.idxmax()),
                            column=column, expected="a value on every row")


def _unique_pairs(frame: pd.DataFrame, keys: list[str], path, what: str) -> None:
    repeated = frame.duplicated(keys, keep="first")
    if repeated.any():
        label = repeated.idxmax()
        raise DataError(f"repeated {what}", path=path, row=spreadsheet_row(label), column=keys[-1],
                        value=" / ".join(str(frame.loc[label, k]) for k in keys), expected=f"each {what} once")


def load_icbs(path: str | Path) -> pd.DataFrame:
    """The areas: ``icb_code`` (unique), ``icb_name`` and ``region``, all required."""
    path = resolve_path(path)
    frame = read_csv_checked(path, ICB_COLUMNS)
    check_unique(frame, "icb_code", path=path)
    _required_text(frame, ICB_COLUMNS[1:], path)
    return frame[list(ICB_COLUMNS)].copy()


def load_area_practices(path: str | Path) -> pd.DataFrame:
    """Practices by year: ICB, list size, % under 15, % aged 65+, IMD score and rurality.

    Returns
    -------
    pandas.DataFrame
        One row per practice and period (each pair once); ``list_size`` a whole number above 0,
        percentages 0-100, IMD score 0 or more, ``rurality`` "Rural" or "Urban".
    """
    path = resolve_path(path)
    frame = read_csv_checked(path, PRACTICE_COLUMNS)
    _required_text(frame, ("practice_code", "period", "icb_code"), path)
    _unique_pairs(frame, ["practice_code", "period"], path, "practice and period")
    out = frame[["practice_code", "period", "icb_code"]].copy()
    out["list_size"] = to_counts(frame, "list_size", path=path).astype(float)
    empty = out["list_size"] <= 0
    if empty.any():
        raise DataError("a practice with no registered patients", path=path, row=spreadsheet_row(empty.idxmax()),
                        column="list_size", value="0", expected="a list size of 1 or more")
    for column in (*PERCENT_COLUMNS, "imd_score"):
        out[column] = to_numbers(frame, column, path=path)
    for column in PERCENT_COLUMNS:
        above = out[column] > 100
        if above.any():
            raise DataError("a percentage above 100", path=path, row=spreadsheet_row(above.idxmax()), column=column,
                            value=frame.loc[above.idxmax(), column], expected="a percentage from 0 to 100")
    check_allowed_values(frame, "rurality", RURALITY, path=path, allow_missing=False)
    out["rurality"] = frame["rurality"]
    return out


def load_area_indicators(path: str | Path) -> pd.DataFrame:
    """Indicator counts: one row per practice, period and indicator with a numerator no larger than its denominator.

    A blank or suppressed count (``*``) is missing, never zero: that practice is left out of that
    indicator and year.
    """
    path = resolve_path(path)
    frame = read_csv_checked(path, INDICATOR_COLUMNS)
    _required_text(frame, ("practice_code", "period", "indicator"), path)
    _unique_pairs(frame, ["practice_code", "period", "indicator"], path, "practice, period and indicator")
    out = frame[["practice_code", "period", "indicator"]].copy()
    out["numerator"] = to_counts(frame, "numerator", path=path, allow_missing=True).astype(float)
    out["denominator"] = to_counts(frame, "denominator", path=path, allow_missing=True).astype(float)
    above = out["numerator"] > out["denominator"]
    if above.any():
        label = above.idxmax()
        raise DataError("numerator above its denominator", path=path, row=spreadsheet_row(label), column="numerator",
                        value=frame.loc[label, "numerator"],
                        expected=f"no more than the denominator ({frame.loc[label, 'denominator']}) for a proportion")
    return out


def load_area_truth(path: str | Path | None) -> pd.DataFrame | None:
    """What the synthetic generator planted (level, code, indicator, kind, effect); None without a path."""
    if path in (None, ""):
        return None
    path = resolve_path(path)
    frame = read_csv_checked(path, TRUTH_COLUMNS)
    _required_text(frame, ("level", "code", "kind"), path)
    out = frame[list(TRUTH_COLUMNS)].copy()
    out["indicator"] = out["indicator"].fillna("")
    out["effect"] = pd.to_numeric(out["effect"], errors="coerce").fillna(0.0)
    return out


@dataclass
class AreaData:
    """The inputs of an area profile, read and cross-checked."""

    icbs: pd.DataFrame
    practices: pd.DataFrame
    counts: pd.DataFrame
    periods: tuple[str, str]
    truth: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    #: The case-mix variables the expected counts allow for (see :data:`ccgtools.areas.casemix.COVARIATES`).
    covariates: tuple[str, ...] = ("pct_under_15", "pct_65_plus", "imd_score", "rural")
    #: The variables the most similar areas are matched on (see :data:`ccgtools.areas.peers.VARIABLES`).
    peer_variables: tuple[str, ...] = ("pct_under_15", "pct_65_plus", "imd_score", "pct_rural", "mean_list_size")
    #: Where the data come from, in words for the page ("" for the bundled synthetic set).
    source: str = ""
    #: Whether the files show each practice's ICB in each year, so that moves between ICBs (and openings)
    #: can be seen; False when one snapshot places practices in both years.
    movements_known: bool = True


def check_consistent(icbs: pd.DataFrame, practices: pd.DataFrame, counts: pd.DataFrame, *,
                     practices_path=None, indicators_path=None) -> tuple[str, str]:
    """Check that the files agree and return the (previous, current) periods, the last two in sort order.

    Raises
    ------
    DataError
        A practice in an ICB the ICB file does not list; a count for a practice (and period) the practice
        file does not have; fewer than two periods.
    """
    unknown = ~practices["icb_code"].isin(icbs["icb_code"])
    if unknown.any():
        label = unknown.idxmax()
        raise DataError("an ICB not in the ICB file", path=practices_path, row=spreadsheet_row(label), column="icb_code",
                        value=practices.loc[label, "icb_code"], expected="one of the ICB codes of the ICB file")
    known = pd.MultiIndex.from_frame(practices[["practice_code", "period"]])
    orphan = ~pd.MultiIndex.from_frame(counts[["practice_code", "period"]]).isin(known)
    if orphan.any():
        label = int(orphan.argmax())
        raise DataError("a practice and period not in the practice file", path=indicators_path,
                        row=spreadsheet_row(counts.index[label]), column="practice_code",
                        value=f"{counts['practice_code'].iloc[label]} in {counts['period'].iloc[label]}",
                        expected="a practice listed for that period in the practice file")
    periods = sorted(practices["period"].unique())
    if len(periods) < 2:
        raise DataError(f"only one period ({', '.join(periods)})", path=practices_path, column="period",
                        expected="two periods (years), to show change between them")
    return periods[-2], periods[-1]


def load_area_data(icbs_path: str | Path, practices_path: str | Path, indicators_path: str | Path,
                   truth_path: str | Path | None = None) -> AreaData:
    """Read and cross-check the ICB, practice and indicator files (and the synthetic ground truth, if any)."""
    icbs = load_icbs(icbs_path)
    practices = load_area_practices(practices_path)
    counts = load_area_indicators(indicators_path)
    periods = check_consistent(icbs, practices, counts, practices_path=resolve_path(practices_path),
                               indicators_path=resolve_path(indicators_path))
    return AreaData(icbs=icbs, practices=practices, counts=counts, periods=periods, truth=load_area_truth(truth_path))
