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

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import DataError, ParameterError
from ..io import check_unique, read_csv_checked, spreadsheet_row, to_counts

MEASURES = ("calls_received", "calls_answered", "calls_answered_60s", "calls_abandoned_30s", "calls_triaged",
            "callbacks_needed", "callbacks_10min", "warm_transfers")
#: (part, whole): the part can never exceed the whole in a valid row.
#: (Triage is not nested in answered calls: IUC ADC counts triage of calls that reached 111 by
#: other routes, so triaged may exceed answered in real returns.)
NESTED = (("calls_answered", "calls_received"), ("calls_answered_60s", "calls_answered"),
          ("callbacks_10min", "callbacks_needed"), ("warm_transfers", "callbacks_needed"))
LAYOUTS = ("mds", "iucadc")
IUCADC_COLUMNS = {"week_ending": "period", "region_code": "region", "contract_code": "contract_code",
                  "contract_name": "contract_name", "calls_received": "calls_received",
                  "calls_answered": "calls_answered", "calls_answered_60s": "calls_answered_60s",
                  "calls_abandoned": "calls_abandoned_30s", "calls_triaged": "calls_triaged"}
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
    definitions = tomllib.loads(path.read_text(encoding="utf-8"))
    indicators = {}
    for key, fields in definitions.items():
        if fields.get("direction") not in ("higher", "lower"):
            raise DataError("direction must be 'higher' or 'lower'", path=path, column=key,
                            value=fields.get("direction"), expected="'higher' or 'lower'")
        indicators[key] = Indicator(key=key, **fields)
    return indicators


def indicator_table(indicators: dict[str, Indicator]) -> pd.DataFrame:
    """The KPI definitions as a table for the briefing."""
    return pd.DataFrame([{"KPI": i.name, "Better": "Higher" if i.higher_is_better else "Lower",
                          "Standard": i.standard_text, "Why it matters": i.why, "Source": i.source}
                         for i in indicators.values()])


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
    return raw


def load_activity(path: str | Path | None = None, *, layout: str = "mds",
                  contracts: pd.DataFrame | None = None, contracts_path: str | Path | None = None) -> pd.DataFrame:
    """Load NHS 111 activity in either layout into the canonical table, validating every row.

    Parameters
    ----------
    path : str or Path, optional
        The activity file (default: the bundled synthetic MDS-era daily file).
    layout : {"mds", "iucadc"}
        ``mds``: the bundled layout (``date``, ``contract_code`` and the MDS
        measures). ``iucadc``: NHS England's Integrated Urgent Care Aggregate Data
        Collection weekly layout (``week_ending``, ``region_code``, ``contract_code``,
        ``contract_name``, ``calls_received``, ``calls_answered``,
        ``calls_answered_60s``, ``calls_abandoned``, ``calls_triaged``).
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
        repeated contract and period; an unknown contract code; a part above its
        whole (e.g. more calls answered than received).
    """
    if layout not in LAYOUTS:
        raise ParameterError(f"layout must be one of {', '.join(LAYOUTS)}; found {layout!r}")
    if layout == "mds":
        path = config.resolve_path(path, config.NHS111_ACTIVITY)
        raw = read_csv_checked(path, ("date", "contract_code", *MEASURES)).rename(columns={"date": "period"})
        default_contracts = config.NHS111_CONTRACTS
    else:
        path = config.resolve_path(path, config.IUCADC_SAMPLE)
        raw = read_csv_checked(path, tuple(IUCADC_COLUMNS))[list(IUCADC_COLUMNS)].rename(columns=IUCADC_COLUMNS)
        default_contracts = config.IUCADC_LOOKUP
    if contracts is None:
        contracts = load_contracts(contracts_path or default_contracts)
    frame = raw.assign(period=_dates(raw, "period", path))
    for measure in MEASURES:
        frame[measure] = to_counts(frame, measure, path=path) if measure in frame else pd.array(
            [pd.NA] * len(frame), dtype="Int64")
    _check_known_contracts(frame, contracts, path)
    _check_repeats(frame, path)
    _check_nesting(frame, path)
    lookup = contracts.set_index("contract_code")
    frame["contract_name"] = frame["contract_code"].map(lookup["contract_name"])
    frame["region"] = frame["contract_code"].map(lookup["region"])
    return frame[["period", "contract_code", "contract_name", "region", *MEASURES]]


def _dates(frame: pd.DataFrame, column: str, path) -> pd.Series:
    parsed = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
    if parsed.isna().any():
        label = parsed.isna().idxmax()
        raise DataError("not a date", path=path, row=spreadsheet_row(label), column=column,
                        value=frame.loc[label, column], expected="a date written YYYY-MM-DD")
    return parsed


def _check_known_contracts(frame: pd.DataFrame, contracts: pd.DataFrame, path) -> None:
    unknown = ~frame["contract_code"].isin(contracts["contract_code"])
    if unknown.any():
        label = unknown.idxmax()
        raise DataError("unknown contract code", path=path, row=spreadsheet_row(label), column="contract_code",
                        value=frame.loc[label, "contract_code"], expected="a code in the contract lookup")


def _check_repeats(frame: pd.DataFrame, path) -> None:
    repeated = frame.duplicated(["contract_code", "period"])
    if repeated.any():
        label = repeated.idxmax()
        raise DataError(f"repeated contract and period ({frame.loc[label, 'period']:%Y-%m-%d})", path=path,
                        row=spreadsheet_row(label), column="contract_code", value=frame.loc[label, "contract_code"],
                        expected="one row per contract and period")


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
    """Rows in the period range (inclusive) and region; ParameterError when nothing is left."""
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
