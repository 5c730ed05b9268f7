"""Area-profile indicator definitions, read from ``indicators.toml``: label, short label, what the numerator
and denominator count, direction (higher is better or not) and source."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import DataError
from ..io import read_definitions

DEFINITIONS = Path(__file__).parent / "indicators.toml"
FIELDS = ("label", "short", "numerator", "denominator", "higher_is_better", "cue", "source")


@dataclass(frozen=True)
class AreaIndicator:
    """One indicator's definition (see ``indicators.toml``)."""

    key: str
    label: str
    short: str
    numerator: str
    denominator: str
    higher_is_better: bool
    source: str
    #: The direction in words for every chart ("lower = fewer smokers, better").
    cue: str = ""


@lru_cache(maxsize=4)
def load_definitions(path: Path = DEFINITIONS) -> dict[str, AreaIndicator]:
    """Every defined indicator, keyed by its short name; a definition missing a field is a DataError."""
    return read_definitions(path, FIELDS, AreaIndicator)


def definitions_for(indicators, *, path=None) -> dict[str, AreaIndicator]:
    """The definitions of ``indicators`` (in that order); an indicator without one is a DataError naming the file
    of counts it came from, because its direction (is higher better?) cannot be guessed."""
    known = load_definitions()
    unknown = [i for i in indicators if i not in known]
    if unknown:
        raise DataError(f"indicator(s) without a definition: {', '.join(unknown)}", path=path, column="indicator",
                        value=unknown[0], expected="one of " + ", ".join(known)
                        + f" (or add a definition to {DEFINITIONS.name})")
    return {i: known[i] for i in indicators}
