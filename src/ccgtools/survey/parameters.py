"""The survey notebook's parameters, declared as rules (:mod:`ccgtools.parameters`); light: no pandas."""

from __future__ import annotations

from ..parameters import Rule

NOTEBOOK = "survey_commissioning_support.ipynb"
RULES = {
    "data_path": Rule("path"),
    "group_by": Rule("choice", choices=("cluster", "population_band", "provider_choice")),
    "confidence": Rule("number", low=0.5, high=1, high_open=True),
    "min_responses": Rule("whole", low=1),
    "population_size": Rule("whole", low=1, optional=True),
    "title": Rule("text"),
}
