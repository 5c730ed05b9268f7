"""Provider data assurance: reading the check definitions, a provider's returns and the record-level log.

A return that cannot be read (a missing column, a bad date, a negative or fractional count, a provider
and period given twice, an unknown provider) stops the load with a :class:`~ccgtools.errors.DataError`
naming the file, row and column. A return that reads but does not add up is *not* an error here: that is
what the checks find and report (:mod:`ccgtools.assurance.checks`).

Two return layouts are read into one canonical table (one row per provider and period):

* ``ooh``: the bundled monthly out-of-hours return (``month`` written YYYY-MM, ``provider_code``, the
  counts and the percentages the provider reported; see ``data/README.md``);
* ``iucadc``: NHS England's weekly Integrated Urgent Care Aggregate Data Collection layout
  (``week_ending``, ``contract_code``, ``contract_name``, counts, ``pct_answered_60s``,
  ``pct_abandoned``, ``meets_60s_target``), read as it is published.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import DataError, ParameterError
from ..io import (
    check_allowed_values,
    check_unique,
    check_unique_rows,
    read_csv_checked,
    spreadsheet_row,
    to_counts,
    to_numbers,
)

DEFINITIONS = Path(__file__).parent / "definitions.toml"
LAYOUTS = ("ooh", "iucadc")
#: Bundled synthetic files (written by :mod:`ccgtools.assurance.synthetic`).
RETURNS = config.DATA_DIR / "assurance_returns_2025-26_synthetic.csv"
RECORDS = config.DATA_DIR / "assurance_records_2025-26_synthetic.csv"
PROVIDERS = config.DATA_DIR / "assurance_providers_synthetic.csv"
TRUTH = config.DATA_DIR / "assurance_ground_truth_synthetic.csv"

OOH_COUNTS = ("calls_received", "calls_answered", "calls_abandoned", "calls_answered_60s", "cases", "urgent_cases",
              "less_urgent_cases", "routine_cases", "urgent_assessed_20min", "urgent_f2f", "urgent_f2f_2h")
OOH_PERCENTS = ("pct_answered_60s", "pct_abandoned", "pct_urgent_assessed_20min", "pct_urgent_f2f_2h")
IUCADC_COUNTS = ("calls_received", "calls_answered", "calls_answered_60s", "calls_abandoned", "calls_triaged")
IUCADC_PERCENTS = ("pct_answered_60s", "pct_abandoned")
LOG_TIMES = ("received", "answered", "assessment_started", "assessment_completed", "face_to_face_started")
#: Each time in the log is no earlier than the one before it in this order (when both are present).
LOG_ORDER = (("received", "answered"), ("answered", "assessment_started"),
             ("assessment_started", "assessment_completed"), ("assessment_completed", "face_to_face_started"))
PRIORITIES = ("urgent", "less urgent", "routine")


@dataclass(frozen=True)
class Kpi:
    """A KPI of ``definitions.toml``: its counts, the percentage reported beside them and its standard."""

    key: str
    name: str
    numerator: str
    denominator: str
    direction: str
    standard: float
    standard_text: str
    layouts: tuple[str, ...]
    source: str
    percent: str | None = None
    timing: dict | None = None

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"


@dataclass(frozen=True)
class Definitions:
    """Everything ``definitions.toml`` declares: KPIs, consistency rules and check settings."""

    kpis: dict[str, Kpi]
    rules: dict[str, dict]
    checks: dict[str, dict]
    path: Path = field(default=DEFINITIONS)

    def for_layout(self, layout: str) -> Definitions:
        """Only the KPIs and rules that apply to ``layout``."""
        kpis = {k: v for k, v in self.kpis.items() if layout in v.layouts}
        rules = {k: v for k, v in self.rules.items() if layout in v.get("layouts", LAYOUTS)
                 and all(kpi in kpis for kpi in v["kpis"])
                 and (v.get("kpi") is None or v["kpi"] in kpis)}
        return Definitions(kpis, rules, self.checks, self.path)


RULE_FIELDS = {"part": ("part", "whole"), "sum": ("parts", "whole"), "sum_at_most": ("parts", "whole"),
               "percent": ("kpi",), "flag": ("flag", "kpi")}


def load_definitions(path: str | Path | None = None) -> Definitions:
    """Read the KPI, rule and check definitions (TOML), checking each entry names what it needs."""
    path = config.resolve_path(path, DEFINITIONS)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise DataError(f"cannot read the definitions ({error})", path=path, expected="a TOML file") from error
    kpis = {}
    for key, fields in data.get("kpi", {}).items():
        if fields.get("direction") not in ("higher", "lower"):
            raise DataError("direction must be 'higher' or 'lower'", path=path, column=f"kpi.{key}",
                            value=fields.get("direction"), expected="'higher' or 'lower'")
        kpis[key] = Kpi(key=key, layouts=tuple(fields.pop("layouts", LAYOUTS)), **fields)
    rules = data.get("rule", {})
    for key, rule in rules.items():
        needed = RULE_FIELDS.get(rule.get("kind"))
        if needed is None:
            raise DataError("unknown rule kind", path=path, column=f"rule.{key}", value=rule.get("kind"),
                            expected="one of " + ", ".join(RULE_FIELDS))
        missing = [f for f in (*needed, "kpis", "text") if f not in rule]
        if missing:
            raise DataError(f"rule lacks {', '.join(missing)}", path=path, column=f"rule.{key}",
                            expected=f"the fields {', '.join((*needed, 'kpis', 'text'))}")
        unknown = [k for k in rule["kpis"] if k not in kpis]
        if unknown:
            raise DataError("rule names an unknown KPI", path=path, column=f"rule.{key}", value=unknown[0],
                            expected="one of " + ", ".join(kpis))
    return Definitions(kpis, rules, data.get("check", {}), path)


def kpi_table(definitions: Definitions) -> pd.DataFrame:
    """The KPIs checked, as a table for the page."""
    return pd.DataFrame([{"KPI": k.name, "Standard": k.standard_text, "Source": k.source,
                          "Time limit checked in the records": _limit_text(k.timing) if k.timing else "–"}
                         for k in definitions.kpis.values()])


def _limit_text(timing: dict) -> str:
    seconds = timing["limit_seconds"]
    limit = f"{seconds // 3600} hours" if seconds >= 3600 else (f"{seconds // 60} minutes" if seconds >= 120
                                                               else f"{seconds} seconds")
    return f"{limit}, {timing['start'].replace('_', ' ')} to {timing['stop'].replace('_', ' ')}"


def load_providers(path: str | Path | None = None) -> pd.DataFrame:
    """The provider lookup: provider_code (unique) and provider_name."""
    path = config.resolve_path(path, PROVIDERS)
    frame = read_csv_checked(path, ("provider_code", "provider_name"))
    check_unique(frame, "provider_code", path=path)
    return frame[["provider_code", "provider_name"]]


def load_returns(path: str | Path | None = None, *, layout: str = "ooh",
                 providers: pd.DataFrame | None = None) -> pd.DataFrame:
    """A provider's (or several providers') returns in the canonical table, every row checked for readability.

    Parameters
    ----------
    path : str or Path, optional
        The returns file (default: the bundled synthetic monthly returns).
    layout : {"ooh", "iucadc"}
        See the module docstring.
    providers : pandas.DataFrame, optional
        Known providers (:func:`load_providers`); every provider in the returns must be among them. For
        the IUC ADC layout the names come from the file itself when this is not given.

    Returns
    -------
    pandas.DataFrame
        ``period`` (the last day of the month, or the week ending), ``period_label``, ``provider_code``,
        ``provider_name``, the counts (nullable integers), the reported percentages (floats, NaN when
        blank) and, for the IUC ADC, ``meets_60s_target``. Sorted by provider and period.

    Raises
    ------
    DataError
        A missing column, a bad date, a negative, fractional or blank count, a percentage that is not a
        number, a repeated provider and period, an unknown provider.
    ParameterError
        An unknown layout.
    """
    if layout not in LAYOUTS:
        raise ParameterError(f"layout must be one of {', '.join(LAYOUTS)}; found {layout!r}")
    if layout == "ooh":
        path = config.resolve_path(path, RETURNS)
        raw = read_csv_checked(path, ("month", "provider_code", *OOH_COUNTS, *OOH_PERCENTS))
        months = pd.to_datetime(raw["month"], format="%Y-%m", errors="coerce")
        _first_bad(raw, months.isna(), "month", path, "not a month", "a month written YYYY-MM, e.g. 2025-04")
        frame = pd.DataFrame({"period": months + pd.offsets.MonthEnd(0),
                              "period_label": months.dt.strftime("%b %Y"), "provider_code": raw["provider_code"]})
        counts, percents = OOH_COUNTS, OOH_PERCENTS
        providers = load_providers() if providers is None else providers
    else:
        path = config.resolve_path(path, config.IUCADC_SAMPLE)
        raw = read_csv_checked(path, ("week_ending", "contract_code", "contract_name", *IUCADC_COUNTS,
                                      *IUCADC_PERCENTS, "meets_60s_target"))
        weeks = pd.to_datetime(raw["week_ending"], format="%Y-%m-%d", errors="coerce")
        _first_bad(raw, weeks.isna(), "week_ending", path, "not a date", "a date written YYYY-MM-DD")
        frame = pd.DataFrame({"period": weeks, "period_label": "week ending " + weeks.dt.strftime("%-d %b %Y"),
                              "provider_code": raw["contract_code"]})
        counts, percents = IUCADC_COUNTS, IUCADC_PERCENTS
        if providers is None:
            providers = (raw[["contract_code", "contract_name"]].drop_duplicates("contract_code")
                         .rename(columns={"contract_code": "provider_code", "contract_name": "provider_name"}))
    _first_bad(raw, raw["provider_code" if layout == "ooh" else "contract_code"].isna(),
               "provider_code" if layout == "ooh" else "contract_code", path, "a provider code is missing",
               "a provider code on every row")
    for column in counts:
        frame[column] = to_counts(raw, column, path=path)
    for column in percents:
        frame[column] = to_numbers(raw, column, path=path, allow_missing=True)
    if layout == "iucadc":
        check_allowed_values(raw, "meets_60s_target", ["0", "1"], path=path)
        frame["meets_60s_target"] = raw["meets_60s_target"].map({"0": 0, "1": 1}).astype("Int64")
    code_column = "provider_code" if layout == "ooh" else "contract_code"
    unknown = ~frame["provider_code"].isin(providers["provider_code"])
    _first_bad(raw, unknown, code_column, path, "unknown provider code", "a code in the provider lookup")
    check_unique_rows(frame, ["provider_code", "period"], path=path, problem="repeated provider and period",
                      column=code_column, expected="one row per provider and period")
    frame.insert(3, "provider_name", frame["provider_code"].map(providers.set_index("provider_code")["provider_name"]))
    frame.attrs["layout"] = layout
    return frame.sort_values(["provider_code", "period"], ignore_index=True)


def _first_bad(raw: pd.DataFrame, bad: pd.Series, column: str, path, problem: str, expected: str) -> None:
    if bad.any():
        label = bad.idxmax()
        value = raw.loc[label, column]
        raise DataError(problem, path=path, row=spreadsheet_row(label), column=column,
                        value=None if pd.isna(value) else value, expected=expected)


def load_records(path: str | Path | None = None, *, providers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The commissioner's record-level log: one row per call, with its timestamps.

    Columns: ``provider_code``, ``record_id`` (unique), ``received`` (required), ``answered`` (blank for
    an abandoned call), ``priority`` (``urgent``, ``less urgent``, ``routine``, or blank for an answered
    call that did not become a case), ``assessment_started``, ``assessment_completed``,
    ``face_to_face_started`` (blank when none). Timestamps are written ``YYYY-MM-DD HH:MM:SS``.

    Returns
    -------
    pandas.DataFrame
        The same columns with parsed timestamps (NaT when blank).

    Raises
    ------
    DataError
        A missing column, a repeated record, an unknown provider or priority, a timestamp that is not
        one, or times out of order (e.g. answered before received), naming the row and column.
    """
    path = config.resolve_path(path, RECORDS)
    raw = read_csv_checked(path, ("provider_code", "record_id", *LOG_TIMES[:2], "priority", *LOG_TIMES[2:]))
    check_unique(raw, "record_id", path=path)
    providers = load_providers() if providers is None else providers
    _first_bad(raw, ~raw["provider_code"].isin(providers["provider_code"]), "provider_code", path,
               "unknown provider code", "a code in the provider lookup")
    check_allowed_values(raw, "priority", PRIORITIES, path=path)
    frame = raw[["provider_code", "record_id", "priority"]].copy()
    for column in LOG_TIMES:
        parsed = pd.to_datetime(raw[column], format="%Y-%m-%d %H:%M:%S", errors="coerce")
        _first_bad(raw, parsed.isna() & raw[column].notna(), column, path, "not a date and time",
                   "a time written YYYY-MM-DD HH:MM:SS")
        frame[column] = parsed
    _first_bad(raw, frame["received"].isna(), "received", path, "a required time is missing",
               "the time the call was received")
    for before, after in LOG_ORDER:
        _first_bad(raw, (frame[after] < frame[before]).fillna(False), after, path,
                   f"{after.replace('_', ' ')} before {before.replace('_', ' ')}",
                   f"a time no earlier than {before.replace('_', ' ')}")
    return frame


def load_truth(path: str | Path | None = None) -> pd.DataFrame:
    """The ground truth of the bundled synthetic data: provider_code, month, manipulation ("" when clean)."""
    path = config.resolve_path(path, TRUTH)
    frame = read_csv_checked(path, ("provider_code", "month", "manipulation", "kpi"))
    return frame.fillna({"manipulation": "", "kpi": "", "detail": ""})


def is_bundled(path: str | Path | None) -> bool:
    """Whether ``path`` is the bundled synthetic returns file (the page then says the data are invented)."""
    return config.resolve_path(path, RETURNS).resolve() == RETURNS.resolve()


@dataclass
class Inputs:
    """Everything a briefing reads: definitions for the layout, returns, records and truth (None when absent)."""

    definitions: Definitions
    returns: pd.DataFrame
    records: pd.DataFrame | None
    truth: pd.DataFrame | None


def load_inputs(returns_path: str | Path | None, *, layout: str = "ooh", providers_path: str | Path | None = None,
                records_path: str | Path | None = None, truth_path: str | Path | None = None,
                highlight_provider: str | None = None) -> Inputs:
    """Read a briefing's inputs; an empty path means "not given" (no provider lookup, log or truth).

    Raises
    ------
    ParameterError
        An unknown layout; a record-level log with the IUC ADC layout (it has none); a provider to
        highlight that is not in the returns (the message lists the codes there are).
    """
    if layout not in LAYOUTS:
        raise ParameterError(f"layout must be one of {', '.join(LAYOUTS)}; found {layout!r}")
    if layout == "iucadc" and records_path:
        raise ParameterError("the IUC ADC layout has no record-level log: set records_path = \"\"")
    providers = load_providers(providers_path) if providers_path else None
    if providers is None and layout == "ooh":
        raise ParameterError("the out-of-hours layout needs providers_path, the provider lookup "
                             "(provider_code, provider_name)")
    returns = load_returns(returns_path, layout=layout, providers=providers)
    records = load_records(records_path, providers=providers) if records_path else None
    truth = load_truth(truth_path) if truth_path else None
    if highlight_provider and highlight_provider not in set(returns["provider_code"]):
        known = returns.drop_duplicates("provider_code")
        raise ParameterError(f"highlight_provider {highlight_provider!r} is not in the returns; expected one of "
                             + ", ".join(f"{c} ({n})" for c, n in zip(known["provider_code"], known["provider_name"])))
    return Inputs(load_definitions().for_layout(layout), returns, records, truth)
