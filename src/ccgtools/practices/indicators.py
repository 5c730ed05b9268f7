"""GP practice indicator definitions, read from ``indicators.toml``: label, what is counted, source, unit,
whether the indicator depends on age, and what besides care makes it vary between practices."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..io import read_definitions

DEFINITIONS = Path(__file__).parent / "indicators.toml"
FIELDS = ("label", "counts", "source", "unit", "age_related", "varies_with")


@dataclass(frozen=True)
class PracticeIndicator:
    """One indicator's definition (see ``indicators.toml``)."""

    key: str
    label: str
    counts: str
    source: str
    unit: str
    age_related: bool
    varies_with: str


@lru_cache(maxsize=4)
def load_definitions(path: Path = DEFINITIONS) -> dict[str, PracticeIndicator]:
    """Every defined indicator, keyed by its short name; a definition missing a field is a DataError."""
    return read_definitions(path, FIELDS, PracticeIndicator)


def definition(indicator: str, label: str | None = None) -> PracticeIndicator:
    """The definition of ``indicator``; for one not in the file, a plain one made from its name (and ``label``),
    which says that nothing more is known about it."""
    known = load_definitions()
    if indicator in known:
        found = known[indicator]
        return found if not (label and str(label).strip()) else PracticeIndicator(
            **{**found.__dict__, "label": str(label).strip()})
    words = str(label).strip() if label and str(label).strip() else str(indicator).replace("_", " ")
    return PracticeIndicator(key=indicator, label=words, counts=words, source="the file given to the notebook",
                             unit="", age_related=False,
                             varies_with="No definition of this indicator is held, so the page cannot say what "
                                         "besides care makes it vary.")
