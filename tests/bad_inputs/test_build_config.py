"""Bad build configs and bad parameters in them: refused (or read) with a message naming the file, line or briefing;
and a briefing that fails leaves its published page untouched."""

from __future__ import annotations

import json

import pytest

from ccgtools import cli
from ccgtools.build import build
from ccgtools.build.briefings import config_path, effective_parameters, load_build_config
from ccgtools.build.run import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, exit_status
from ccgtools.errors import ConfigError

SURVEY = "notebooks/survey_commissioning_support.ipynb"
NHS111 = "notebooks/nhs111_contract_ranking.ipynb"
PRACTICES = "notebooks/practice_variation.ipynb"


def entry(name: str, notebook: str, parameters: dict) -> str:
    values = ", ".join(f"{key} = {json.dumps(value)}" for key, value in parameters.items())
    return f'[[briefing]]\nname = "{name}"\ntitle = "{name}"\nnotebook = "{notebook}"\nparameters = {{ {values} }}\n'


def test_a_bom_prefixed_config_is_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + entry("survey", SURVEY, {"group_by": "cluster"}).encode("utf-8"))
    assert [b.name for b in load_build_config(path)] == ["survey"]


def test_a_windows_1252_config_is_refused_with_its_line(tmp_path):
    path = tmp_path / "cp1252.toml"
    path.write_bytes(entry("survey", SURVEY, {}).replace('title = "survey"', 'title = "Café survey"').encode("cp1252"))
    with pytest.raises(ConfigError) as caught:
        load_build_config(path)
    assert str(caught.value) == (f"{path}: line 3: not UTF-8 text (byte 0xe9; saved as Windows-1252?); TOML files "
                                 "must be UTF-8: save it again as UTF-8")


@pytest.mark.parametrize("text, wording", [
    ("[[briefing]\nname = 1\n", "not valid TOML"),
    ("", "no [[briefing]] entries"),
    ('[[briefing]]\nname = "x"\n', "briefing 1: 'title' is required (a non-empty string)"),
])
def test_unusable_configs_name_the_file(tmp_path, text, wording):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_build_config(path)
    assert str(caught.value).startswith(str(path)) and wording in str(caught.value)


def test_a_missing_config_or_a_folder_is_named(tmp_path):
    with pytest.raises(ConfigError, match="build config not found"):
        load_build_config(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="is a folder, not a build config file"):
        load_build_config(tmp_path)


def test_config_on_the_command_line_is_taken_from_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "my.toml").write_text(entry("survey", SURVEY, {}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert config_path("my.toml") == tmp_path / "my.toml"
    assert [b.name for b in load_build_config("my.toml")] == ["survey"]


def test_the_command_line_refuses_a_windows_1252_config_with_status_2(tmp_path, capsys):
    path = tmp_path / "cp1252.toml"
    path.write_bytes(entry("survey", SURVEY, {}).replace('title = "survey"', 'title = "Café"').encode("cp1252"))
    assert cli.main(["build", "--config", str(path), "--reports", str(tmp_path / "reports"), "--list"]) == EXIT_CONFIG
    assert "not UTF-8 text" in capsys.readouterr().err


@pytest.mark.parametrize("notebook, parameters, message", [
    (NHS111, {"probability_bottom": 1.5}, "parameter probability_bottom = 1.5: too large"),
    (NHS111, {"seed": -1}, "parameter seed = -1: too small"),
    (NHS111, {"period_end": "2099-12-31"}, "parameter period_end = '2099-12-31': more than a year ahead"),
    (NHS111, {"period_start": "2014-01-01", "period_end": "2013-06-30"}, "parameter period_start = '2014-01-01' is after period_end"),
    (NHS111, {"layout": "csv"}, "parameter layout = 'csv': not one of the choices"),
    (SURVEY, {"confidence": 1.0}, "parameter confidence = 1.0: too large"),
    (SURVEY, {"min_responses": 0}, "parameter min_responses = 0: too small"),
    (PRACTICES, {"flag_level": 1.5}, "parameter flag_level = 1.5: too large"),
    (PRACTICES, {"covariates": ["age"]}, "parameter covariates = ['age']: unknown value(s) 'age'"),
])
def test_a_bad_parameter_in_the_config_is_refused_naming_briefing_and_parameter(tmp_path, notebook, parameters,
                                                                                 message):
    path = tmp_path / "b.toml"
    path.write_text(entry("bad_one", notebook, parameters), encoding="utf-8")
    (briefing,) = load_build_config(path)
    with pytest.raises(ConfigError) as caught:
        effective_parameters(briefing)
    assert str(caught.value).startswith(f"briefing 'bad_one': {message}"), str(caught.value)


@pytest.mark.e2e
def test_a_failed_briefing_leaves_the_published_page_untouched(tmp_path):
    # A survey briefing built on a good copy of the data, then rebuilt on the same path holding a bad file
    # (an unknown cluster), then with an impossible parameter: both fail, and the page published first stays.
    from ccgtools.survey.synthetic import make_synthetic_survey

    data = tmp_path / "my_survey.csv"
    frame = make_synthetic_survey()
    frame.to_csv(data, index=False)
    config = tmp_path / "b.toml"
    reports = tmp_path / "reports"
    config.write_text(entry("mine", SURVEY, {"data_path": str(data)}), encoding="utf-8")
    assert exit_status(build(config, reports, log=lambda line: None, jobs=1)) == EXIT_OK
    page = (reports / "mine.html").read_bytes()

    frame.loc[2, "cluster"] = "Wales"  # spreadsheet row 4
    frame.to_csv(data, index=False)
    outcomes = build(config, reports, log=lambda line: None, jobs=1)
    assert exit_status(outcomes) == EXIT_FAILED
    assert "row 4, column 'cluster': unknown value; found 'Wales'" in outcomes[0].error
    assert (reports / "mine.html").read_bytes() == page
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["briefings"]["mine"]["stale"] is True

    config.write_text(entry("mine", SURVEY, {"data_path": str(data), "confidence": 1.5}), encoding="utf-8")
    outcomes = build(config, reports, log=lambda line: None, jobs=1)
    assert exit_status(outcomes) == EXIT_FAILED and "parameter confidence = 1.5: too large" in outcomes[0].error
    assert (reports / "mine.html").read_bytes() == page
