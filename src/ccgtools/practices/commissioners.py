"""Which commissioner each practice belongs to: its CCG (now sub-ICB location) from ODS, and that CCG's ICB.

A Fingertips practice export's "Parent Code" is not a commissioner, so a page grouping practices by
commissioner takes them from the ODS practice file (``epraccur``: the commissioner column) and the
CCG-to-ICB lookup published by NHS England.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import config
from ..io import check_unique, read_csv_checked
from .load import load_epraccur

LOOKUP_COLUMNS = ("CCG Code", "ICB Code", "ICB NAME")


def load_icb_lookup(path: str | Path) -> pd.DataFrame:
    """NHS England's CCG-to-ICB lookup (columns ``CCG Code``, ``ICB Code``, ``ICB NAME``).

    Returns
    -------
    pandas.DataFrame
        ccg_code (unique), icb_code, icb_name.
    """
    path = config.resolve_path(path)
    raw = read_csv_checked(path, LOOKUP_COLUMNS)
    check_unique(raw, "CCG Code", path=path)
    return pd.DataFrame({"ccg_code": raw["CCG Code"].str.strip(), "icb_code": raw["ICB Code"].str.strip(),
                         "icb_name": raw["ICB NAME"].str.strip()})


def practice_commissioners(ods_path: str | Path, lookup_path: str | Path) -> pd.DataFrame:
    """Every practice in the ODS file (open or closed) with its commissioner and that commissioner's ICB.

    Returns
    -------
    pandas.DataFrame
        practice_code, ccg_code (the ODS commissioner: a CCG, now a sub-ICB location), icb_code and
        icb_name (missing where the lookup has no row for the CCG).
    """
    practices = load_epraccur(ods_path, active_gp_only=False)[["practice_code", "commissioner"]]
    practices = practices.rename(columns={"commissioner": "ccg_code"})
    return practices.merge(load_icb_lookup(lookup_path), on="ccg_code", how="left")


def with_commissioners(frame: pd.DataFrame, commissioners: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Replace ``frame``'s ``ccg_code`` with each practice's ODS commissioner and its ``region`` with the ICB.

    Returns
    -------
    (frame, unmatched)
        The frame (practices absent from the ODS file keep no commissioner: ``ccg_code`` and ``region``
        missing) and how many practices were not found.
    """
    found = frame.drop(columns=["ccg_code", "region"], errors="ignore").merge(
        commissioners[["practice_code", "ccg_code", "icb_name"]], on="practice_code", how="left")
    found = found.rename(columns={"icb_name": "region"})
    return found, int(found["ccg_code"].isna().sum())
