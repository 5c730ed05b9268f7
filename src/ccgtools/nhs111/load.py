"""NHS 111 activity: loading the MDS-era and IUC ADC layouts, validation, and KPI definitions.

Both layouts are read into one canonical table, one row per contract and
period, with the Minimum Data Set measure names; measures a layout does not
collect are missing. Impossible rows (more calls answered than received,
negative counts, repeated contract-periods, unknown contracts) stop the load
with the file, row and column; suspect data that can be set aside (an all-zero
period, a KPI whose source values are implausible) are reported by
:func:`data_quality` so the briefing can say what was left out and why.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataError, ParameterError
from ..io import (
    check_columns,
    check_unique,
    check_unique_rows,
    read_csv_checked,
    spreadsheet_row,
    to_counts,
    to_dates,
)
from .parameters import (
    LAYOUTS,  # "auto", "mds", "iucadc", "iucadc_daily" (declared without pandas for the build)
)

MEASURES = ("calls_received", "calls_answered", "calls_answered_60s", "calls_abandoned_30s", "calls_triaged",
            "callbacks_needed", "callbacks_10min", "warm_transfers")
#: (part, whole): the part can never exceed the whole in a valid row.
#: (Triage is not nested in answered calls: IUC ADC counts triage of calls that reached 111 by
#: other routes, so triaged may exceed answered in real returns.)
NESTED = (("calls_answered", "calls_received"), ("calls_answered_60s", "calls_answered"),
          ("callbacks_10min", "callbacks_needed"), ("warm_transfers", "callbacks_needed"))
IUCADC_COLUMNS = {"week_ending": "period", "region_code": "region", "contract_code": "contract_code",
                  "contract_name": "contract_name", "calls_received": "calls_received",
                  "calls_answered": "calls_answered", "calls_answered_60s": "calls_answered_60s",
                  "calls_abandoned": "calls_abandoned_30s", "calls_triaged": "calls_triaged"}
#: Columns of each layout that must be present; the other measures may be absent (not collected).
REQUIRED = {"mds": ("date", "contract_code", "calls_received", "calls_answered"),
            "iucadc": ("week_ending", "contract_code", "calls_received", "calls_answered"),
            "iucadc_daily": ("date", "week_ending", "contract_code", "calls_received", "calls_answered")}
#: IUC ADC daily rows: the weekly layout's columns plus ``date``; ``region`` and ``contract`` are accepted
#: for ``region_code`` and ``contract_code``.
IUCADC_DAILY_COLUMNS = {"date": "period", **{k: v for k, v in IUCADC_COLUMNS.items() if k != "week_ending"}}
ALIASES = {"region": "region_code", "contract": "contract_code"}
#: The fewest contracts a comparison ranks: with fewer, a "bottom fifth" is less than one contract.
MIN_CONTRACTS = 5
#: Share of rows with impossible values above which a KPI is left out altogether.
DEFECT_THRESHOLD = 0.05


@dataclass(frozen=True)
class Indicator:
    """A KPI declared in ``nhs111/indicators.toml``."""

    key: str
    name: str
    numerator: str
    denominator: str
    direction: str
    standard_text: str
    why: str
    source: str
    standard: float | None = None

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"


def load_indicators(path: str | Path | None = None) -> dict[str, Indicator]:
    """Read the KPI definitions (TOML), keyed by their short name."""
    path = config.resolve_path(path, Path(__file__).parent / "indicators.toml")
    if not path.is_file():
        raise DataError("file not found", path=path,
                        expected="a TOML file of KPI definitions (a relative path is taken from the project root)")
    try:
        definitions = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text", path=path, expected="a TOML file saved as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"not valid TOML ({exc})", path=path, expected="KPI definitions in TOML") from None
    indicators = {}
    allowed = set(Indicator.__dataclass_fields__) - {"key"}
    required = {n for n, f in Indicator.__dataclass_fields__.items() if f.default is dataclasses.MISSING} - {"key"}
    for key, fields in definitions.items():
        if not isinstance(fields, dict):
            raise DataError("not a table of KPI fields", path=path, column=key, expected=f"[{key}] with its fields")
        if fields.get("direction") not in ("higher", "lower"):
            raise DataError("direction must be 'higher' or 'lower'", path=path, column=key,
                            value=fields.get("direction"), expected="'higher' or 'lower'")
        unknown, missing = sorted(set(fields) - allowed), sorted(required - set(fields))
        if unknown or missing:
            raise DataError(f"KPI [{key}]: " + "; ".join(part for part in (
                f"unknown field(s) {', '.join(unknown)}" if unknown else "",
                f"missing field(s) {', '.join(missing)}" if missing else "") if part), path=path, column=key,
                expected="the fields " + ", ".join(sorted(allowed)))
        indicators[key] = Indicator(key=key, **fields)
    return indicators


def indicator_table(indicators: dict[str, Indicator]) -> pd.DataFrame:
    """The KPI definitions as a table for the briefing."""
    return pd.DataFrame([{"KPI": i.name, "Better": "Higher" if i.higher_is_better else "Lower",
                          "Standard": i.standard_text, "Why it matters": i.why, "Source": i.source}
                         for i in indicators.values()])


def indicator_download(indicators: dict[str, Indicator]) -> pd.DataFrame:
    """The KPI definitions as published in ``kpis.csv``: key, name, which direction is better, the national
    standard as a percentage (blank where there is none) and in words, why it matters, the source."""
    return pd.DataFrame([{"kpi_code": key, "kpi": i.name, "higher_is_better": i.higher_is_better,
                          "standard_percent": 100 * i.standard if i.standard is not None else np.nan,
                          "standard": i.standard_text, "why_it_matters": i.why, "source": i.source}
                         for key, i in indicators.items()])


def load_contracts(path: str | Path | None = None) -> pd.DataFrame:
    """Load the contract lookup: contract_code (unique), contract_name, region, optional population.

    NHS England's IUC ADC lookup names the region column ``region_name``; it is read as ``region``.
    """
    path = config.resolve_path(path, config.NHS111_CONTRACTS)
    raw = read_csv_checked(path, ("contract_code", "contract_name"))
    if "region" not in raw and "region_name" in raw:
        raw = raw.rename(columns={"region_name": "region"})
    raw = read_csv_checked(path, ("contract_code", "contract_name", "region")) if "region" not in raw else raw
    check_unique(raw, "contract_code", path=path)
    if "population" in raw:
        raw = raw.assign(population=to_counts(raw, "population", path=path))
    raw.attrs["path"] = str(path)
    return raw


def recognise_layout(path: Path) -> str:
    """The activity layout of the file at ``path`` from its header (``layout = "auto"``).

    Method: :func:`ccgtools.layouts.recognise` over this package's activity layouts
    (:data:`ccgtools.nhs111.layouts.ACTIVITY_LAYOUTS`); DataError naming the nearest layout and the
    columns that differ when the header is none of them.
    """
    from ..layouts import describe_mismatch, read_header, recognise
    from .layouts import ACTIVITY_LAYOUTS

    match, nearest = recognise(read_header(path), ACTIVITY_LAYOUTS.values())
    if match is None:
        raise DataError(describe_mismatch(path, nearest).split(": ", 1)[1], row=1,
                        path=path, expected="the header of an NHS 111 activity layout (mds, iucadc, iucadc_daily)")
    return next(name for name, layout in ACTIVITY_LAYOUTS.items() if layout is match.layout)


def read_with_aliases(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """Read an activity file, taking ``region`` and ``contract`` for ``region_code`` and ``contract_code``
    (:data:`ALIASES`) when the file has no column of the usual name, then require ``required``."""
    raw = read_csv_checked(path)
    renamed = {a: c for a, c in ALIASES.items() if a in raw and c not in raw}
    raw = raw.rename(columns=renamed)
    check_columns(raw, required, path=path)
    raw.attrs["written"] = {c: a for a, c in renamed.items()}
    return raw


def written(frame: pd.DataFrame, column: str) -> str:
    """The name the user's file gives ``column`` (``contract`` for ``contract_code`` when read as an alias)."""
    return frame.attrs.get("written", {}).get(column, column)


def _check_week_ending(raw: pd.DataFrame, path) -> None:
    """DataError at the first daily row whose ``week_ending`` is not 0 to 6 days after its ``date``."""
    dates, weeks = _dates(raw, "date", path), _dates(raw, "week_ending", path)
    gap = (weeks - dates).dt.days
    wrong = (gap < 0) | (gap > 6)
    if wrong.any():
        label = wrong.idxmax()
        raise DataError("the week ending is not the end of the week holding the date", path=path,
                        row=spreadsheet_row(label), column="week_ending", value=raw.loc[label, "week_ending"],
                        expected=f"a date 0 to 6 days after {raw.loc[label, 'date']}")


def load_activity(path: str | Path | None = None, *, layout: str = "mds",
                  contracts: pd.DataFrame | None = None, contracts_path: str | Path | None = None) -> pd.DataFrame:
    """Load NHS 111 activity in either layout into the canonical table, validating every row.

    Parameters
    ----------
    path : str or Path, optional
        The activity file (default: the bundled synthetic MDS-era daily file).
    layout : {"mds", "iucadc", "iucadc_daily", "auto"}
        ``mds``: the bundled layout (``date``, ``contract_code`` and the MDS
        measures). ``iucadc``: NHS England's Integrated Urgent Care Aggregate Data
        Collection weekly layout (``week_ending``, ``region_code``, ``contract_code``,
        ``contract_name``, ``calls_received``, ``calls_answered``,
        ``calls_answered_60s``, ``calls_abandoned``, ``calls_triaged``).
        ``iucadc_daily``: the same columns with a ``date`` per row (``region`` and
        ``contract`` accepted for ``region_code`` and ``contract_code``); each row is
        one day, and the briefing's ``frequency`` sums days into weeks or months.
        ``auto``: recognised from the header (:func:`recognise_layout`). In every layout
        only the period, ``contract_code``, ``calls_received`` and ``calls_answered`` are
        required: a measure whose column is absent or blank in every row is not
        collected (missing), and the KPIs built on it are left out with a note.
    contracts : pandas.DataFrame, optional
        Known contracts (:func:`load_contracts`); read from ``contracts_path`` (or the
        bundled lookup for the MDS layout) when not given.

    Returns
    -------
    pandas.DataFrame
        period (datetime), contract_code, contract_name, region and the eight
        measures (nullable integers; missing where the layout does not collect one).

    Raises
    ------
    DataError
        Missing columns; a bad date; negative, fractional or suppressed counts; a
        repeated contract and period; an unknown contract code (naming the lookup
        file); a part above its whole (e.g. more calls answered than received); a
        daily row whose week ending is not in its week.
    """
    if layout not in LAYOUTS:
        raise ParameterError(f"layout must be one of {', '.join(repr(x) for x in LAYOUTS)}; found {layout!r}")
    default_path = config.NHS111_ACTIVITY if layout in ("auto", "mds") else config.IUCADC_SAMPLE
    path = config.resolve_path(path, default_path)
    if layout == "auto":
        layout = recognise_layout(path)
    raw = read_with_aliases(path, REQUIRED[layout])
    source_period = "week_ending" if layout == "iucadc" else "date"
    if layout == "mds":
        raw = raw.rename(columns={"date": "period"})
        default_contracts = config.NHS111_CONTRACTS
    else:
        if layout == "iucadc_daily":
            _check_week_ending(raw, path)
        columns = IUCADC_DAILY_COLUMNS if layout == "iucadc_daily" else IUCADC_COLUMNS
        raw = raw[[c for c in columns if c in raw]].rename(columns=columns)
        default_contracts = config.IUCADC_LOOKUP
    if contracts is None:
        contracts = load_contracts(contracts_path or default_contracts)
    raw.attrs["period_column"] = source_period
    frame = raw.assign(period=_dates(raw, "period", path))
    for measure in MEASURES:
        collected = measure in frame and frame[measure].notna().any()
        frame[measure] = to_counts(frame, measure, path=path) if collected else pd.array(
            [pd.NA] * len(frame), dtype="Int64")
    _check_known_contracts(frame, contracts, path)
    _check_repeats(frame, path)
    _check_nesting(frame, path)
    lookup = contracts.set_index("contract_code")
    frame["contract_name"] = frame["contract_code"].map(lookup["contract_name"])
    frame["region"] = frame["contract_code"].map(lookup["region"])
    return frame[["period", "contract_code", "contract_name", "region", *MEASURES]]


def _dates(frame: pd.DataFrame, column: str, path) -> pd.Series:
    """The dates of ``column`` (:func:`ccgtools.io.to_dates`), named by the user's own column.

    The canonical ``period`` column is reported as the file's column: ``date`` or ``week_ending``.
    """
    shown = frame.attrs.get("period_column", column) if column == "period" else column
    return to_dates(frame.rename(columns={column: shown}), shown, path=path)


def _check_known_contracts(frame: pd.DataFrame, contracts: pd.DataFrame, path) -> None:
    unknown = ~frame["contract_code"].isin(contracts["contract_code"])
    if unknown.any():
        label = unknown.idxmax()
        lookup = contracts.attrs.get("path")
        where = f" {config.shown_path(lookup)} (set contracts_path to your own lookup)" if lookup else ""
        raise DataError("unknown contract code", path=path, row=spreadsheet_row(label),
                        column=written(frame, "contract_code"),
                        value=frame.loc[label, "contract_code"], expected=f"a code in the contract lookup{where}")


def _check_repeats(frame: pd.DataFrame, path) -> None:
    repeated = frame.duplicated(["contract_code", "period"])
    period = f" ({frame.loc[repeated.idxmax(), 'period']:%Y-%m-%d})" if repeated.any() else ""
    check_unique_rows(frame, ["contract_code", "period"], path=path, problem=f"repeated contract and period{period}",
                      column=written(frame, "contract_code"), expected="one row per contract and period")


def _check_nesting(frame: pd.DataFrame, path) -> None:
    for part, whole in NESTED:
        above = (frame[part] > frame[whole]).fillna(False)
        if above.any():
            label = above.idxmax()
            raise DataError(f"{part} ({frame.loc[label, part]}) above {whole} ({frame.loc[label, whole]})",
                            path=path, row=spreadsheet_row(label), column=part, value=int(frame.loc[label, part]),
                            expected=f"no more than {whole}")


def data_quality(activity: pd.DataFrame, indicators: dict[str, Indicator]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Set aside suspect data and say why.

    * A contract-period whose measures are all zero is a period not yet filled,
      not 0% performance: the row is dropped.
    * Calls abandoned must be no more than the calls received but not answered.
      Where more than 5% of rows break this (the IUC ADC defect where abandoned
      equals received), the abandoned-calls KPI is left out altogether; otherwise
      only the offending values are set to missing.
    * A KPI whose measures the layout does not collect is left out.

    Returns
    -------
    (activity, notes) : tuple of DataFrame
        The usable activity, and one row per issue: ``issue``, ``rows``,
        ``action``, ``kpi`` (the KPI left out, or empty).
    """
    notes = []
    measures = activity[list(MEASURES)]
    all_zero = (measures.fillna(0) == 0).all(axis=1)
    if all_zero.any():
        periods = activity.loc[all_zero, "period"].dt.strftime("%Y-%m-%d").value_counts().sort_index()
        detail = "; ".join(f"{p}: {n} contract(s)" for p, n in periods.items())
        notes.append({"issue": f"All measures zero (period not yet reported) — {detail}",
                      "rows": int(all_zero.sum()), "action": "treated as missing, not as 0%", "kpi": ""})
    usable = activity[~all_zero].copy()
    unanswered = usable["calls_received"] - usable["calls_answered"]
    impossible = (usable["calls_abandoned_30s"] > unanswered).fillna(False)
    if impossible.any():
        share = impossible.mean()
        equal = int((usable["calls_abandoned_30s"] == usable["calls_received"]).fillna(False).sum())
        issue = (f"Calls abandoned exceed the calls received but not answered in {int(impossible.sum())} of "
                 f"{len(usable)} rows ({share:.0%}); in {equal} rows abandoned equals received")
        if share > DEFECT_THRESHOLD:
            usable["calls_abandoned_30s"] = pd.Series(pd.NA, index=usable.index, dtype="Int64")
            notes.append({"issue": issue, "rows": int(impossible.sum()),
                          "action": "abandoned-calls KPI left out: the source values cannot be right",
                          "kpi": "abandoned_30s"})
        else:
            usable.loc[impossible, "calls_abandoned_30s"] = pd.NA
            notes.append({"issue": issue, "rows": int(impossible.sum()),
                          "action": "those values set to missing", "kpi": ""})
    for key, indicator in indicators.items():
        missing = usable[indicator.numerator].isna().all() or usable[indicator.denominator].isna().all()
        if missing and not any(n["kpi"] == key for n in notes):
            notes.append({"issue": f"{indicator.name}: not collected in this data", "rows": 0,
                          "action": "KPI left out", "kpi": key})
        elif usable[indicator.denominator].fillna(0).eq(0).all() and not any(n["kpi"] == key for n in notes):
            notes.append({"issue": f"{indicator.name}: not collected in this data ({indicator.denominator} is "
                                   "zero in every row)", "rows": len(usable),
                          "action": "KPI left out", "kpi": key})
    return usable.reset_index(drop=True), pd.DataFrame(notes, columns=["issue", "rows", "action", "kpi"])


def usable_indicators(indicators: dict[str, Indicator], notes: pd.DataFrame,
                      requested: list[str] | None = None) -> dict[str, Indicator]:
    """The requested KPIs (all by default) less those :func:`data_quality` left out."""
    requested = list(indicators) if not requested else list(requested)
    unknown = [k for k in requested if k not in indicators]
    if unknown:
        raise ParameterError(f"unknown KPI(s) {', '.join(unknown)}; expected some of {', '.join(indicators)}")
    excluded = set(notes["kpi"]) - {""}
    return {k: indicators[k] for k in requested if k not in excluded}


def select(activity: pd.DataFrame, *, start: str | None = None, end: str | None = None,
           region: str | None = None) -> pd.DataFrame:
    """Rows in the period range (inclusive) and region; ParameterError when nothing is left.

    ``start`` and ``end`` are checked first as the notebook's ``period_start`` and ``period_end``
    (:mod:`ccgtools.parameters`): plausible dates written YYYY-MM-DD, in order. Fewer than
    :data:`MIN_CONTRACTS` contracts chosen is refused: too few to rank.
    """
    from ..parameters import check_parameters
    from .parameters import IN_ORDER, RULES

    check_parameters({"period_start": start, "period_end": end, "region": region},
                     {k: RULES[k] for k in ("period_start", "period_end", "region")}, in_order=IN_ORDER[:1])
    rows = pd.Series(True, index=activity.index)
    if start:
        rows &= activity["period"] >= pd.Timestamp(start)
    if end:
        rows &= activity["period"] <= pd.Timestamp(end)
    if region:
        if region not in set(activity["region"]):
            raise ParameterError(f"unknown region {region!r}; expected one of "
                                 + ", ".join(sorted(activity["region"].dropna().unique())))
        rows &= activity["region"] == region
    chosen = activity[rows]
    if chosen.empty:
        raise ParameterError(f"no activity between {start or 'the start'} and {end or 'the end'}"
                             + (f" in {region}" if region else ""))
    contracts = chosen["contract_code"].nunique()
    if contracts < MIN_CONTRACTS:
        raise ParameterError(f"too few contracts to rank: {contracts} between {start or 'the start'} and "
                             f"{end or 'the end'}" + (f" in {region}" if region else "")
                             + f"; expected at least {MIN_CONTRACTS} (the bottom fifth of fewer is less than one "
                             "contract, so no contract can be said to be in it): choose a wider region or period")
    return chosen


def data_span(activity: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last day the activity covers.

    A row's ``period`` is the day it ends (a date for daily data, the week ending for
    weekly returns); the data's own step (the smallest gap between periods) says how
    many days a row covers, so weekly IUC ADC returns start six days before their
    first week ending.
    """
    dates = pd.DatetimeIndex(activity["period"].drop_duplicates()).sort_values()
    step = (dates[1:] - dates[:-1]).min() if len(dates) > 1 else pd.Timedelta(days=1)
    return dates[0] - (step - pd.Timedelta(days=1)), dates[-1]


def aggregate(activity: pd.DataFrame, keys: list[str], *, frequency: str | None = None) -> pd.DataFrame:
    """Sum the measures by ``keys`` (e.g. contract, region, or none for England), optionally by period.

    Parameters
    ----------
    keys : list of str
        Grouping columns, e.g. ``["contract_code", "contract_name"]`` or ``[]`` for a national total.
    frequency : {"D", "W", "M"}, optional
        Also group by period: days, weeks ending Sunday, or calendar months
        (labelled by their last day).

    Notes
    -----
    A measure that is missing in any row of a group stays missing for the group
    (``min_count``), so a partly-reported total is never passed off as complete.
    """
    groups = list(keys)
    frame = activity
    if frequency is not None:
        if frequency not in ("D", "W", "M"):
            raise ParameterError(f"frequency must be 'D', 'W' or 'M'; found {frequency!r}")
        freq = {"D": "D", "W": "W-SUN", "M": "M"}[frequency]
        frame = activity.assign(period=activity["period"].dt.to_period(freq).dt.end_time.dt.normalize())
        groups = [*groups, "period"]
    if not groups:
        frame, groups = frame.assign(_all=1), ["_all"]
    measures = frame[list(MEASURES)]
    by = [frame[g] for g in groups]
    sums = measures.groupby(by, observed=True, sort=True).sum(min_count=1)
    missing = measures.isna().groupby(by, observed=True, sort=True).any()
    return sums.mask(missing).reset_index().drop(columns="_all", errors="ignore")
