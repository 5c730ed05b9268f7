"""The area-profile notebook's parameters, declared as rules (:mod:`ccgtools.parameters`); light: no pandas."""

from __future__ import annotations

from ..parameters import Rule

NOTEBOOK = "area_profile.ipynb"
INDICATORS = ("smoking", "flu_65", "cervical_screening", "bp_control")
MODES = ("synthetic", "fingertips")
_PATHS = ("icbs_path", "practices_path", "indicators_path")
_REAL_PATHS = ("fingertips_path", "imd_path", "ods_path", "icb_lookup_path", "list_sizes_path")
#: The paths each mode needs.
REQUIRED_PATHS = {"synthetic": _PATHS, "fingertips": _REAL_PATHS}
RULES = {
    "mode": Rule("choice", choices=MODES),
    "area": Rule("text"),
    "indicator": Rule("choice", choices=INDICATORS),
    "flag_level": Rule("number", low=0.95, high=1, low_open=True, high_open=True),
    "change_level": Rule("number", low=0.5, high=1, high_open=True),
    "n_similar": Rule("whole", low=1, high=40),
    **{name: Rule("path", optional=True) for name in (*_PATHS, *_REAL_PATHS)},
    "ground_truth_path": Rule("path", optional=True),
    "heec_path": Rule("path", optional=True),
    "previous_period": Rule("text"),
    "period": Rule("text"),
    "title": Rule("text", optional=True),
}
