"""Bad notebook parameters: each refused by name (parameter, value, why, what was expected) before any work.

Checked three ways: against each notebook's declared rules, through the functions the notebooks call
first (so JupyterLab's Run All stops on the same message), and through the build config (so the
build refuses the briefing before running it).
"""

from __future__ import annotations

import datetime as dt

import pytest

from ccgtools import parameters
from ccgtools.errors import DataError, ParameterError
from ccgtools.nhs111 import load as nhs111_load
from ccgtools.nhs111 import parameters as nhs111
from ccgtools.practices import parameters as practices
from ccgtools.practices import variation
from ccgtools.survey import load as survey_load
from ccgtools.survey import parameters as survey

TODAY = dt.date(2026, 11, 24)

#: (rules module, parameter, bad value, wording expected after "parameter NAME = VALUE: ")
CASES = [
    (nhs111, "probability_bottom", 1.5, "too large; expected a number above 0 to 1"),
    (nhs111, "probability_bottom", 0, "too small; expected a number above 0 to 1"),
    (nhs111, "probability_bottom", -0.2, "too small"),
    (nhs111, "probability_bottom", "0.8", "not a number (str)"),
    (nhs111, "probability_bottom", True, "not a number (bool)"),
    (nhs111, "probability_bottom", float("nan"), "not a finite number"),
    (nhs111, "seed", -1, "too small; expected a whole number from 0 to 4.29497e+09"),
    (nhs111, "seed", 2.5, "not a whole number"),
    (nhs111, "seed", 2**32, "too large"),
    (nhs111, "seed", None, "a value is required"),
    (nhs111, "n_simulations", 0, "too small; expected a whole number from 100 to 1e+06"),
    (nhs111, "n_simulations", 10**9, "too large"),
    (nhs111, "period_start", "2013-02-30", "not a date (or not written YYYY-MM-DD)"),
    (nhs111, "period_start", "01/04/2013", "not a date (or not written YYYY-MM-DD)"),
    (nhs111, "period_start", "2013-4-1", "not a date (or not written YYYY-MM-DD)"),
    (nhs111, "period_end", "2099-03-31", ("more than a year ahead; expected a date written YYYY-MM-DD from 1948-07-05 "
                                          "to 2027-11-24, or None")),
    (nhs111, "period_end", "1900-01-01", "before the NHS began"),
    (nhs111, "period_end", 2014, "not text (int)"),
    (nhs111, "focus_start", "2013-13-01", "not a date"),
    (nhs111, "frequency", "Q", "not one of the choices; expected one of 'D', 'W', 'M'"),
    (nhs111, "frequency", None, "a value is required"),
    (nhs111, "layout", "excel", "not one of the choices; expected one of 'auto', 'mds', 'iucadc', 'iucadc_daily'"),
    (nhs111, "kpis", ["answered_60s", "speed"], "unknown value(s) 'speed'; expected a list of some of"),
    (nhs111, "kpis", "answered_60s", "not a list (str)"),
    (nhs111, "data_path", None, "a value is required; expected the path of a file"),
    (nhs111, "data_path", "", "a value is required"),
    (nhs111, "contracts_path", None, "a value is required"),
    (nhs111, "contracts_path", 3, "not text (int)"),
    (nhs111, "region", 7, "not text (int)"),
    (nhs111, "title", "", "a value is required; expected some text"),
    (survey, "confidence", 1, "too large; expected a number from 0.5 and below 1"),
    (survey, "confidence", 95, "too large"),
    (survey, "confidence", 0.3, "too small"),
    (survey, "min_responses", 0, "too small; expected a whole number of at least 1"),
    (survey, "min_responses", 2.5, "not a whole number"),
    (survey, "population_size", 0, "too small; expected a whole number of at least 1, or None"),
    (survey, "population_size", -5, "too small"),
    # group_by is checked against the codebook's groupings when read (tests/bad_inputs/test_survey_codebooks.py).
    (survey, "weighting", "raked", "not one of the choices; expected one of 'auto', 'none'"),
    (survey, "codebook_path", None, "a value is required"),
    (survey, "data_path", 5, "not text (int)"),
    (survey, "trim", 1, "too small; expected a number above 1, or None"),
    (practices, "flag_level", 1.5, "too large; expected a number from 0.5 and below 1"),
    (practices, "flag_level", 99.8, "too large"),
    (practices, "flag_level", 1, "too large"),
    (practices, "flag_level", 0.4, "too small"),
    (practices, "family", "gaussian", "not one of the choices; expected one of 'poisson', 'negative_binomial'"),
    (practices, "od_method", "random", "not one of the choices; expected one of 'additive', 'multiplicative', 'none'"),
    (practices, "covariates", ["age"], "unknown value(s) 'age'; expected a list of some of 'imd', 'rural', 'prop65'"),
    (practices, "covariates", "imd", "not a list (str)"),
    (practices, "mode", "fingertips", "not one of the choices"),
    (practices, "indicator", None, "a value is required"),
    (practices, "fingertips_path", 5, "not text (int)"),
    (practices, "quinary_path", 5, "not text (int)"),
    (practices, "qof_measure", "net", "not one of the choices; expected one of 'intervention', 'underlying'"),
    (practices, "qof_measure", None, "a value is required"),
]


@pytest.mark.parametrize("module, name, value, wording", CASES,
                         ids=[f"{m.NOTEBOOK.split('_')[0]}-{n}-{v!r}" for m, n, v, _ in CASES])
def test_a_bad_parameter_is_refused_by_name(module, name, value, wording):
    with pytest.raises(ParameterError) as caught:
        parameters.check_parameters({name: value}, module.RULES, today=TODAY)
    assert str(caught.value).startswith(f"parameter {name} = {value!r}: {wording}"), str(caught.value)


@pytest.mark.parametrize("module, name, value", [
    (nhs111, "probability_bottom", 1), (nhs111, "seed", 0), (nhs111, "period_start", None), (nhs111, "focus_end", ""),
    (nhs111, "period_end", "2027-11-24"), (survey, "population_size", None), (survey, "confidence", 0.5),
    (practices, "covariates", []), (practices, "ground_truth_path", None), (practices, "flag_level", 0.998),
])
def test_edge_values_that_are_allowed_pass(module, name, value):
    parameters.check_parameters({name: value}, module.RULES, today=TODAY)


def test_dates_out_of_order_are_refused_naming_both():
    with pytest.raises(ParameterError, match="parameter period_start = '2014-01-01' is after period_end = "
                                             "'2013-12-31'; expected period_start on or before period_end"):
        parameters.check_parameters({"period_start": "2014-01-01", "period_end": "2013-12-31"}, nhs111.RULES,
                                    in_order=nhs111.IN_ORDER, today=TODAY)


def test_every_notebook_parameter_has_a_rule():
    from ccgtools import config
    from ccgtools.build.briefings import notebook_defaults

    for module in (survey, nhs111, practices):
        declared = set(notebook_defaults(config.NOTEBOOKS_DIR / module.NOTEBOOK))
        assert declared == set(module.RULES), module.NOTEBOOK


def test_the_nhs111_layouts_and_kpis_rules_match_the_loader():
    assert nhs111.LAYOUTS == nhs111_load.LAYOUTS
    assert set(nhs111.KPIS) == set(nhs111_load.load_indicators())


# --- through the functions the notebooks call first -------------------------------------------------------


def test_select_refuses_a_date_in_2099_by_its_parameter_name():
    activity = nhs111_load.load_activity()
    with pytest.raises(ParameterError, match=r"^parameter period_end = '2099-03-31': more than a year ahead"):
        nhs111_load.select(activity, start="2013-04-01", end="2099-03-31")
    with pytest.raises(ParameterError, match=r"^parameter period_start = '2013-02-30': not a date"):
        nhs111_load.select(activity, start="2013-02-30")


def test_survey_refuses_a_confidence_of_95_by_name():
    with pytest.raises(ParameterError, match=r"^parameter confidence = 95: too large"):
        survey_load.validate_parameters(group_by="cluster", confidence=95, min_responses=10, population_size=None)


def test_survey_refuses_a_negative_population_by_name():
    with pytest.raises(ParameterError, match=r"^parameter population_size = -5: too small"):
        survey_load.validate_parameters(group_by="cluster", confidence=0.95, min_responses=10, population_size=-5)


@pytest.mark.parametrize("changes, message", [
    ({"flag_level": 1.5}, r"^parameter flag_level = 1.5: too large"),
    ({"flag_level": 95}, r"^parameter flag_level = 95: too large"),
    ({"method": "random"}, r"^parameter od_method = 'random': not one of the choices"),
    ({"covariates": ("age",)}, r"^parameter covariates = \['age'\]: unknown value\(s\) 'age'"),
    ({"registrations_path": None}, r"^parameter registrations_path = None: mode 'age_sex_events' needs it"),
])
def test_the_practice_briefing_refuses_bad_parameters_before_loading(changes, message):
    arguments = {"indicator": "emergency_admissions", "covariates": ("imd",), "registrations_path":
                 "data/gp_registrations_quinary_synthetic.csv", **changes}
    with pytest.raises(ParameterError, match=message):
        variation.prepare_and_analyse("age_sex_events", **arguments)


def test_a_covariate_without_its_file_is_refused_naming_both():
    with pytest.raises(ParameterError, match=r"^parameter covariates includes 'rural' but heec_path = None"):
        variation.prepare_and_analyse("fingertips_proportion", indicator="x", covariates=("rural",),
                                      fingertips_path="data/x.csv")


BUNDLED = {"registrations_path": "data/gp_registrations_quinary_synthetic.csv",
           "practices_path": "data/gp_practices_synthetic.csv", "events_path": "data/gp_events_synthetic.csv",
           "reference_rates_path": "data/gp_reference_rates_synthetic.csv"}


def test_too_few_practices_to_rank_says_so(tmp_path):
    header = "Indicator ID,Area Code,Area Name,Area Type,Time period,Value,Count,Denominator\n"
    path = tmp_path / "one.csv"
    path.write_text(header + "1,A1,One,GPs,2023/24,10,1,10\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        variation.prepare_and_analyse("fingertips_proportion", indicator="x", covariates=(), fingertips_path=path)
    assert caught.value.path == str(path)
    assert "too few practices to compare: 1; found 1; expected at least 5 practices" in str(caught.value)


def test_all_zero_events_say_there_is_nothing_to_compare(tmp_path):
    import pandas as pd

    events = pd.read_csv("data/gp_events_synthetic.csv", dtype=str)
    events.loc[events["indicator"] == "ae_attendances", "events"] = "0"
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    with pytest.raises(DataError) as caught:
        variation.prepare_and_analyse("age_sex_events", indicator="ae_attendances", covariates=("imd",),
                                      **{**BUNDLED, "events_path": path})
    assert (caught.value.path, caught.value.column) == (str(path), "events")
    assert "every practice has zero events for 'ae_attendances': there is no variation to compare" in str(caught.value)


def test_reference_rates_without_the_indicator_name_the_file(tmp_path):
    import pandas as pd

    rates = pd.read_csv("data/gp_reference_rates_synthetic.csv", dtype=str)
    path = tmp_path / "rates.csv"
    rates[rates["indicator"] != "ae_attendances"].to_csv(path, index=False)
    with pytest.raises(DataError) as caught:
        variation.prepare_and_analyse("age_sex_events", indicator="ae_attendances", covariates=("imd",),
                                      **{**BUNDLED, "reference_rates_path": path})
    assert (caught.value.path, caught.value.column) == (str(path), "indicator")
    assert "no reference rate for indicator 'ae_attendances' in every sex and age group" in str(caught.value)


@pytest.mark.parametrize("keep", [1, 4])
def test_too_few_contracts_to_rank_says_so(keep):
    activity = nhs111_load.load_activity()
    few = activity[activity["contract_code"].isin(sorted(activity["contract_code"].unique())[:keep])]
    with pytest.raises(ParameterError, match=rf"^too few contracts to rank: {keep} between 2013-04-01 and the end; "
                                             r"expected at least 5"):
        nhs111_load.select(few, start="2013-04-01")


def test_five_contracts_are_enough_to_rank():
    activity = nhs111_load.load_activity()
    assert nhs111_load.select(activity, region="London")["contract_code"].nunique() == 5
