"""The file layouts the NHS 111 briefing reads, declared for ``ccgtools check`` (see :mod:`ccgtools.layouts`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..layouts import Found, Hint, Layout
from .load import IUCADC_COLUMNS, MEASURES, REQUIRED

NOTEBOOK = "notebooks/nhs111_contract_ranking.ipynb"
_IUCADC_EXTRA = ("pct_answered_60s", "pct_abandoned", "meets_60s_target", "region", "contract")


def contracts_in_file(path: Path, layout: str) -> pd.DataFrame:
    """A contract lookup made from the activity file itself (its codes, and names and regions when it has them).

    ``ccgtools check`` validates an activity file on its own: whether its codes are in *your* lookup is
    checked by the notebook (and by ``ccgtools check`` on the lookup file).
    """
    from .load import read_with_aliases

    raw = read_with_aliases(path, REQUIRED[layout])
    codes = raw.drop_duplicates("contract_code").dropna(subset=["contract_code"])
    return pd.DataFrame({"contract_code": codes["contract_code"],
                         "contract_name": codes.get("contract_name", codes["contract_code"]),
                         "region": codes.get("region_code", pd.Series("(not in the file)", index=codes.index))})


def activity_check(layout: str):
    """A ``check`` function for one activity layout (see :class:`ccgtools.layouts.Layout`)."""

    def check(path: Path, shown: str) -> Found:
        from .load import data_quality, load_activity, load_indicators

        activity = load_activity(path, layout=layout, contracts=contracts_in_file(path, layout))
        _, notes = data_quality(activity, load_indicators())
        periods = pd.DatetimeIndex(activity["period"].drop_duplicates()).sort_values()
        noun = "weeks ending" if layout == "iucadc" else "days"
        not_collected = [m for m in MEASURES if activity[m].isna().all()]
        found_notes = [f"{row.issue} ({row.action})" for row in notes.itertuples()]
        if not_collected:
            found_notes.append("not collected (absent or blank): " + ", ".join(not_collected))
        found_notes.append("contract codes are checked against your contract lookup (contracts_path) by the "
                           "notebook: check that file too with `ccgtools check LOOKUP.csv`")
        parameters = {"data_path": shown, "layout": layout, "contracts_path": Hint("your contract lookup (contract_code, "
                      "contract_name, region): check it with ccgtools check"), "period_start": f"{periods[0]:%Y-%m-%d}",
                      "period_end": f"{periods[-1]:%Y-%m-%d}",
                      "frequency": Hint('"W" or "M"' if layout == "iucadc" else '"D", "W" or "M"'),
                      "focus_start": None, "focus_end": None}
        return Found(rows=len(activity), units=f"{activity['contract_code'].nunique()} contracts",
                     periods=f"{len(periods)} {noun} {periods[0]:%Y-%m-%d} to {periods[-1]:%Y-%m-%d}",
                     notes=found_notes, parameters=parameters, notebook=NOTEBOOK)

    return check


def check_contracts(path: Path, shown: str) -> Found:
    """Load a contract lookup with :func:`ccgtools.nhs111.load.load_contracts` and describe it."""
    from .load import load_contracts

    contracts = load_contracts(path)
    regions = contracts["region"].dropna().unique()
    return Found(rows=len(contracts), units=f"{len(contracts)} contracts in {len(regions)} regions",
                 notes=["regions (values for region): " + ", ".join(sorted(regions))],
                 parameters={"contracts_path": shown}, notebook=NOTEBOOK)


#: The activity layouts, by the value of the notebook's ``layout`` parameter.
ACTIVITY_LAYOUTS = {
    "mds": Layout("nhs111_mds_daily", "NHS 111 Minimum Data Set activity, one row per contract and day",
                  REQUIRED["mds"], optional=MEASURES, check=activity_check("mds")),
    "iucadc": Layout("iucadc_weekly", "NHS 111 IUC ADC weekly activity, one row per contract and week",
                     REQUIRED["iucadc"], optional=(*IUCADC_COLUMNS, *_IUCADC_EXTRA), check=activity_check("iucadc")),
    "iucadc_daily": Layout("iucadc_daily", "NHS 111 IUC ADC daily activity, one row per contract and day",
                           (*REQUIRED["iucadc_daily"][:2], ("contract_code", "contract"),
                            *REQUIRED["iucadc_daily"][3:]),
                           optional=(*IUCADC_COLUMNS, *_IUCADC_EXTRA), check=activity_check("iucadc_daily")),
}

LAYOUTS = (
    *ACTIVITY_LAYOUTS.values(),
    Layout("contract_lookup", "NHS 111 contract lookup, one row per contract",
           ("contract_code", "contract_name", ("region", "region_name")),
           optional=("region_code", "population", "provider_type", "planted_underperformer"), check=check_contracts),
)
