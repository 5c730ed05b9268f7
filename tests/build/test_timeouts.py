"""Time limits: a build-wide default (``[build] timeout``, ``--timeout``) and one per briefing."""

from __future__ import annotations

import pytest

from ccgtools import cli
from ccgtools.build.briefings import DEFAULT_TIMEOUT_S, load_build_config
from ccgtools.errors import ConfigError

from .tiny_site import write_config


def _limits(path, **kwargs):
    return {b.name: b.timeout for b in load_build_config(path, **kwargs)}


def test_default_limit_applies_when_nothing_is_set(tmp_path):
    assert _limits(write_config(tmp_path, {"a": {}})) == {"a": DEFAULT_TIMEOUT_S}


def test_build_table_sets_the_default_and_a_briefing_its_own(tmp_path):
    toml = write_config(tmp_path, {"a": {}, "b": {}}, extra={"b": {"timeout": 5}}, build="[build]\ntimeout = 90\n")
    assert _limits(toml) == {"a": 90.0, "b": 5.0}


def test_command_line_default_replaces_the_build_table_but_not_a_briefings_own(tmp_path):
    toml = write_config(tmp_path, {"a": {}, "b": {}}, extra={"b": {"timeout": 5}}, build="[build]\ntimeout = 90\n")
    assert _limits(toml, default_timeout=30) == {"a": 30.0, "b": 5.0}


def test_timeout_is_not_part_of_the_cache_key(tmp_path):
    from ccgtools.build.briefings import cache_key

    short = load_build_config(write_config(tmp_path, {"a": {}}, extra={"a": {"timeout": 5}}, file_name="s.toml"))[0]
    long = load_build_config(write_config(tmp_path, {"a": {}}, extra={"a": {"timeout": 500}}, file_name="l.toml"))[0]
    assert cache_key(short, {}, [], "code") == cache_key(long, {}, [], "code")


@pytest.mark.parametrize("build,extra,message", [
    ("", {"timeout": 0}, "briefing 1: 'timeout' must be a positive number of seconds; found 0"),
    ("", {"timeout": "ten"}, "'timeout' must be a positive number of seconds; found 'ten'"),
    ("", {"timeout": True}, "found True"),
    ("[build]\ntimeout = -1\n", {}, "\\[build\\]: 'timeout' must be a positive number of seconds; found -1"),
    ("[build]\ntimout = 60\n", {}, "\\[build\\]: unknown key\\(s\\) timout; expected timeout"),
    ("build = 60\n", {}, "\\[build\\]: must be a table"),
])
def test_bad_limits_are_refused_with_where_they_are(tmp_path, build, extra, message):
    toml = write_config(tmp_path, {"a": {}}, extra={"a": extra}, build=build)
    with pytest.raises(ConfigError, match=message):
        load_build_config(toml)


@pytest.mark.parametrize("argv", [["--timeout", "0"], ["--timeout", "soon"], ["--wait", "-1"], ["--wait", "nan"]])
def test_bad_seconds_on_the_command_line_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["build", *argv])
    assert stopped.value.code == 2
    assert "expected a" in capsys.readouterr().err


def test_good_seconds_on_the_command_line(tmp_path):
    args = cli._parser().parse_args(["build", "--timeout", "2.5", "--wait", "0"])
    assert args.timeout == 2.5 and args.wait == 0.0
    assert cli._parser().parse_args(["build"]).wait == 0.0
