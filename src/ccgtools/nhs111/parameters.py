"""The NHS 111 notebook's parameters, declared as rules (:mod:`ccgtools.parameters`); light: no pandas."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ..parameters import Rule

NOTEBOOK = "nhs111_contract_ranking.ipynb"
#: The activity layouts ``load.load_activity`` reads (``layout`` parameter).
LAYOUTS = ("auto", "mds", "iucadc", "iucadc_daily")
#: The KPIs declared in ``indicators.toml``.
KPIS = tuple(tomllib.loads((Path(__file__).parent / "indicators.toml").read_text(encoding="utf-8")))
RULES = {
    "data_path": Rule("path"),
    "layout": Rule("choice", choices=LAYOUTS),
    "contracts_path": Rule("path"),
    "kpis": Rule("choices", choices=KPIS),
    "period_start": Rule("date", optional=True),
    "period_end": Rule("date", optional=True),
    "frequency": Rule("choice", choices=("D", "W", "M")),
    "region": Rule("text", optional=True),
    "highlight_contract": Rule("text", optional=True),
    "focus_start": Rule("date", optional=True),
    "focus_end": Rule("date", optional=True),
    "n_simulations": Rule("whole", low=100, high=1_000_000),
    "seed": Rule("whole", low=0, high=2**32 - 1),
    "probability_bottom": Rule("number", low=0, high=1, low_open=True),
    "title": Rule("text"),
}
#: Date parameters that must be in order.
IN_ORDER = (("period_start", "period_end"), ("focus_start", "focus_end"))
