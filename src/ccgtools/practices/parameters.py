"""The practice-variation notebook's parameters, declared as rules (:mod:`ccgtools.parameters`); light: no pandas."""

from __future__ import annotations

from ..parameters import Rule

NOTEBOOK = "practice_variation.ipynb"
MODES = ("age_sex_events", "fingertips_proportion")
COVARIATES = ("imd", "rural", "prop65")
_PATHS = ("registrations_path", "practices_path", "events_path", "reference_rates_path", "ground_truth_path",
          "fingertips_path", "imd_path", "heec_path", "ods_path", "icb_lookup_path", "quinary_path")
RULES = {
    "mode": Rule("choice", choices=MODES),
    "indicator": Rule("text"),
    "indicator_label": Rule("text", optional=True),
    "area": Rule("text", optional=True),
    "covariates": Rule("choices", choices=COVARIATES),
    "family": Rule("choice", choices=("poisson", "negative_binomial")),
    "od_method": Rule("choice", choices=("additive", "multiplicative", "none")),
    "flag_level": Rule("number", low=0.5, high=1, high_open=True),
    "highlight_practice": Rule("text", optional=True),
    **{name: Rule("path", optional=True) for name in _PATHS},
    "fingertips_period": Rule("text", optional=True),
    "qof_measure": Rule("choice", choices=("intervention", "underlying")),
    "title": Rule("text"),
}
#: The paths each mode needs.
REQUIRED_PATHS = {"age_sex_events": ("registrations_path", "practices_path", "events_path", "reference_rates_path"),
                  "fingertips_proportion": ("fingertips_path",)}
