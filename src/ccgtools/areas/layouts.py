"""The file layouts the area profiles read, declared for ``ccgtools check`` (see :mod:`ccgtools.layouts`)."""

from __future__ import annotations

from pathlib import Path

from ..layouts import Found, Layout
from .load import ICB_COLUMNS, INDICATOR_COLUMNS, PRACTICE_COLUMNS, TRUTH_COLUMNS

NOTEBOOK = "notebooks/area_profile.ipynb"


def _found(rows: int, units: str, parameters: dict, *, periods: str = "", notes=()) -> Found:
    return Found(rows=rows, units=units, periods=periods, notes=list(notes), parameters=parameters, notebook=NOTEBOOK)


def check_icbs(path: Path, shown: str) -> Found:
    """The areas (:func:`~ccgtools.areas.load.load_icbs`)."""
    from .load import load_icbs

    frame = load_icbs(path)
    return _found(len(frame), f"{len(frame)} ICBs in {frame['region'].nunique()} regions",
                  {"icbs_path": shown, "area": frame["icb_code"].iloc[0]},
                  notes=["ICB codes (values for area): " + ", ".join(frame["icb_code"].head(12))
                         + ("…" if len(frame) > 12 else "")])


def check_practices(path: Path, shown: str) -> Found:
    """Practices by year (:func:`~ccgtools.areas.load.load_area_practices`)."""
    from .load import load_area_practices

    frame = load_area_practices(path)
    periods = sorted(frame["period"].unique())
    return _found(len(frame), f"{frame['practice_code'].nunique():,} practices in {frame['icb_code'].nunique()} ICBs",
                  {"practices_path": shown}, periods=", ".join(periods))


def check_indicators(path: Path, shown: str) -> Found:
    """Indicator counts by practice and year (:func:`~ccgtools.areas.load.load_area_indicators`)."""
    from .load import load_area_indicators

    frame = load_area_indicators(path)
    indicators = sorted(frame["indicator"].unique())
    return _found(len(frame), f"{frame['practice_code'].nunique():,} practices, {len(indicators)} indicators",
                  {"indicators_path": shown}, periods=", ".join(sorted(frame["period"].unique())),
                  notes=["indicators: " + ", ".join(indicators)])


def check_truth(path: Path, shown: str) -> Found:
    """What the synthetic England set planted (:func:`~ccgtools.areas.load.load_area_truth`)."""
    from .load import load_area_truth

    frame = load_area_truth(path)
    return _found(len(frame), f"{len(frame)} planted or recorded events", {"ground_truth_path": shown},
                  notes=["kinds: " + ", ".join(f"{k} {n}" for k, n in frame["kind"].value_counts().items())])


LAYOUTS = (
    Layout("area_icbs", "Integrated care boards with their regions (area profiles)", ICB_COLUMNS, check=check_icbs),
    Layout("area_practices", "GP practices by year: ICB, list size, age structure, IMD, rurality (area profiles)",
           PRACTICE_COLUMNS, check=check_practices),
    Layout("area_indicators", "Indicator numerators and denominators by practice and year (area profiles)",
           INDICATOR_COLUMNS, check=check_indicators),
    Layout("area_ground_truth", "What the synthetic England practice set planted (area profiles)", TRUTH_COLUMNS,
           check=check_truth),
)
