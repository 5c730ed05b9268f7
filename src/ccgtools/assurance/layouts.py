"""The file layouts the provider data assurance briefing reads, declared for ``ccgtools check``
(see :mod:`ccgtools.layouts`).

The IUC ADC weekly file that this briefing also reads (``layout = "iucadc"``) is recognised as the NHS 111
briefing's ``iucadc_weekly`` layout; its columns are the same.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..layouts import Found, Hint, Layout
from .load import LOG_TIMES, OOH_COUNTS, OOH_PERCENTS

NOTEBOOK = "notebooks/provider_data_assurance.ipynb"
LOOKUP_NOTE = ("provider codes are checked against your provider lookup (providers_path) by the notebook: check "
               "that file too with `ccgtools check PROVIDERS.csv`")


def providers_in_file(path: Path) -> pd.DataFrame:
    """A provider lookup made from the file's own codes, so a returns file or log is validated on its own."""
    from ..io import read_csv_checked

    codes = read_csv_checked(path, ("provider_code",))["provider_code"].dropna().unique()
    return pd.DataFrame({"provider_code": codes, "provider_name": codes})


def check_returns(path: Path, shown: str) -> Found:
    """Monthly out-of-hours returns (:func:`~ccgtools.assurance.load.load_returns`, layout ``ooh``)."""
    from .load import load_returns

    returns = load_returns(path, layout="ooh", providers=providers_in_file(path))
    periods = pd.DatetimeIndex(returns["period"].drop_duplicates()).sort_values()
    return Found(rows=len(returns), units=f"{returns['provider_code'].nunique()} providers",
                 periods=f"{len(periods)} months {periods[0]:%Y-%m} to {periods[-1]:%Y-%m}",
                 notes=[LOOKUP_NOTE],
                 parameters={"returns_path": shown, "layout": "ooh",
                             "providers_path": Hint("your provider lookup (provider_code, provider_name)")},
                 notebook=NOTEBOOK)


def check_providers(path: Path, shown: str) -> Found:
    """The provider lookup (:func:`~ccgtools.assurance.load.load_providers`)."""
    from .load import load_providers

    providers = load_providers(path)
    return Found(rows=len(providers), units=f"{len(providers)} providers", parameters={"providers_path": shown},
                 notebook=NOTEBOOK)


def check_records(path: Path, shown: str) -> Found:
    """The record-level call log (:func:`~ccgtools.assurance.load.load_records`)."""
    from .load import load_records

    records = load_records(path, providers=providers_in_file(path))
    first, last = records["received"].min(), records["received"].max()
    return Found(rows=len(records), units=f"{len(records):,} calls from {records['provider_code'].nunique()} providers",
                 periods=f"received {first:%Y-%m-%d} to {last:%Y-%m-%d}", notes=[LOOKUP_NOTE],
                 parameters={"records_path": shown, "layout": "ooh"}, notebook=NOTEBOOK)


def check_truth(path: Path, shown: str) -> Found:
    """The planted manipulations of the synthetic returns (:func:`~ccgtools.assurance.load.load_truth`)."""
    from .load import load_truth

    truth = load_truth(path)
    planted = truth[truth["manipulation"] != ""]
    return Found(rows=len(truth), units=f"{truth['provider_code'].nunique()} providers",
                 notes=[f"{len(planted)} planted manipulations: "
                        + (", ".join(sorted(planted["manipulation"].unique())) or "none")],
                 parameters={"truth_path": shown}, notebook=NOTEBOOK)


LAYOUTS = (
    Layout("assurance_returns", "Out-of-hours provider monthly returns (provider data assurance)",
           ("month", "provider_code", *OOH_COUNTS, *OOH_PERCENTS), check=check_returns),
    Layout("assurance_providers", "Provider lookup (provider data assurance)", ("provider_code", "provider_name"),
           check=check_providers),
    Layout("assurance_records", "Record-level call log, one row per call with its times (provider data assurance)",
           ("provider_code", "record_id", *LOG_TIMES[:2], "priority", *LOG_TIMES[2:]), check=check_records),
    Layout("assurance_ground_truth", "Planted manipulations of the synthetic provider returns",
           ("provider_code", "month", "manipulation", "kpi"), optional=("detail",), check=check_truth),
)
