"""``--only``: several names and glob patterns; a name or pattern matching nothing is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccgtools import cli, config
from ccgtools.build.briefings import Briefing
from ccgtools.build.plan import select_briefings
from ccgtools.build.run import EXIT_CONFIG
from ccgtools.errors import ConfigError

NAMES = ["survey_by_cluster", "survey_by_provider", "practice_variation_emergency_admissions",
         "practice_variation_ae_attendances", "nhs111_contracts_2013"]
BRIEFINGS = [Briefing(name, name, Path("x.ipynb")) for name in NAMES]


def _selected(only):
    return [b.name for b in select_briefings(BRIEFINGS, only)]


def test_no_only_selects_everything():
    assert _selected(None) == _selected([]) == NAMES


def test_several_names_in_config_order():
    assert _selected(["survey_by_provider", "survey_by_cluster"]) == ["survey_by_cluster", "survey_by_provider"]


def test_glob_patterns_and_names_together_without_repeats():
    assert _selected(["practice_variation_*", "practice_variation_ae_attendances", "nhs111_*"]) == NAMES[2:]
    assert _selected(["survey_by_??????er"]) == ["survey_by_provider"]
    assert _selected(["survey_by_[cp]*"]) == NAMES[:2]


def test_matching_is_case_sensitive_like_the_file_names():
    with pytest.raises(ConfigError, match="'Survey_\\*' matches no briefing"):
        select_briefings(BRIEFINGS, ["Survey_*"])


def test_a_name_or_pattern_matching_nothing_is_named_with_the_names_there_are():
    with pytest.raises(ConfigError) as raised:
        select_briefings(BRIEFINGS, ["survey_by_cluster", "survey_by_clutser", "gp_*"])
    message = str(raised.value)
    assert message.startswith("--only 'survey_by_clutser', 'gp_*' matches no briefing; the config has ")
    assert "nhs111_contracts_2013, practice_variation_ae_attendances" in message


@pytest.mark.parametrize("argv,expected", [
    (["--only", "a", "b"], ["a", "b"]),
    (["--only", "a", "--only", "b*"], ["a", "b*"]),
    (["--only", "a", "b", "--force"], ["a", "b"]),
    ([], None),
])
def test_command_line_accepts_several_names_after_one_only(argv, expected):
    assert cli._parser().parse_args(["build", *argv]).only == expected


def _survey_config(tmp_path):
    notebook = config.NOTEBOOKS_DIR / "survey_commissioning_support.ipynb"
    path = tmp_path / "b.toml"
    path.write_text("".join(f'[[briefing]]\nname = "{name}"\ntitle = "T"\nnotebook = "{notebook}"\n'
                            for name in ("survey_by_cluster", "survey_by_provider", "other")))
    return path


def test_list_with_several_names_and_a_pattern(tmp_path, capsys):
    toml = _survey_config(tmp_path)
    argv = ["build", "--config", str(toml), "--reports", str(tmp_path / "r"), "--list", "--only"]
    assert cli.main(argv + ["survey_by_cluster", "survey_by_provider"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ["survey_by_cluster",
                                                                                  "survey_by_provider"]
    assert cli.main(argv + ["survey_*"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_build_with_an_unmatched_pattern_exits_2_before_touching_anything(tmp_path, capsys):
    toml = _survey_config(tmp_path)
    reports = tmp_path / "r"
    status = cli.main(["build", "--config", str(toml), "--reports", str(reports), "--only", "survey_by_cluster",
                       "practice_*"])
    assert status == EXIT_CONFIG
    err = capsys.readouterr().err
    assert err.startswith("ccgtools: error: --only 'practice_*' matches no briefing; the config has other, ")
    assert "Traceback" not in err and not (reports / "build.log").exists()
