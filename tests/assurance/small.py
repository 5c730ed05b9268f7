"""Small hand-made returns and records for the assurance tests."""

from __future__ import annotations

import pandas as pd

from ccgtools.assurance import load

PROVIDERS = pd.DataFrame({"provider_code": ["P1", "P2"], "provider_name": ["Alpha", "Beta"]})


def return_row(month: str, code: str = "P1", **changes) -> dict:
    """One consistent monthly return (every rule holds), with ``changes`` applied."""
    row = {"month": month, "provider_code": code, "calls_received": 500, "calls_answered": 480,
           "calls_abandoned": 20, "calls_answered_60s": 460, "cases": 440, "urgent_cases": 100,
           "less_urgent_cases": 160, "routine_cases": 180, "urgent_assessed_20min": 93, "urgent_f2f": 40,
           "urgent_f2f_2h": 38}
    row.update(changes)
    for pct, (x, n) in {"pct_answered_60s": ("calls_answered_60s", "calls_answered"),
                        "pct_abandoned": ("calls_abandoned", "calls_received"),
                        "pct_urgent_assessed_20min": ("urgent_assessed_20min", "urgent_cases"),
                        "pct_urgent_f2f_2h": ("urgent_f2f_2h", "urgent_f2f")}.items():
        if pct not in changes:
            row[pct] = round(100 * row[x] / row[n], 1) if row[n] else ""
    return row


def write_returns(write_csv, rows: list[dict], name: str = "returns.csv"):
    return write_csv(pd.DataFrame(rows), name)


def read_returns(write_csv, rows: list[dict]) -> pd.DataFrame:
    return load.load_returns(write_returns(write_csv, rows), providers=PROVIDERS)


def definitions(layout: str = "ooh") -> load.Definitions:
    return load.load_definitions().for_layout(layout)
