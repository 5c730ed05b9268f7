"""The survey notebook's parameters, declared as rules (:mod:`ccgtools.parameters`); light: no pandas.

The groupings a survey may be broken down by, its comparison unit and its periods are in its codebook,
so ``group_by``, ``focus`` and ``period`` are checked against the codebook and the file when they are read
(:func:`ccgtools.survey.load.resolve_group_by`, :func:`ccgtools.survey.load.in_scope`).
"""

from __future__ import annotations

from ..parameters import Rule

NOTEBOOK = "survey_commissioning_support.ipynb"
RULES = {
    "codebook_path": Rule("path"),
    "data_path": Rule("text", optional=True),
    "group_by": Rule("text", optional=True),
    "confidence": Rule("number", low=0.5, high=1, high_open=True),
    "min_responses": Rule("whole", low=1, optional=True),
    "population_size": Rule("whole", low=1, optional=True),
    "weighting": Rule("choice", choices=("auto", "none")),
    "trim": Rule("number", low=1, low_open=True, optional=True),
    "focus": Rule("text", optional=True),
    "period": Rule("whole", low=1900, optional=True),
    "title": Rule("text", optional=True),
}
