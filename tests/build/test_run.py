"""ccgtools.build and the CLI: config checking, and atomic, failure-tolerant publishing."""

import json

import pytest

from ccgtools import cli, config
from ccgtools.build.briefings import Briefing, effective_parameters, load_build_config
from ccgtools.errors import ConfigError
from ccgtools.build.execute import describe_failure

SURVEY_NOTEBOOK = "notebooks/survey_commissioning_support.ipynb"


def _config(tmp_path, text, name="briefings.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_project_build_config_is_valid():
    briefings = load_build_config()
    assert {b.name for b in briefings} >= {"survey_by_cluster", "survey_by_provider"}
    for briefing in briefings:
        effective_parameters(briefing)  # raises on an unknown parameter name or a missing notebook


@pytest.mark.parametrize("text,message", [
    ("[[briefing]]\nname='a'\ntitle='A'\n", "'notebook' is required"),
    ("[[briefing]]\nname='a'\ntitle='A'\nnotebook='x.ipynb'\ncolour='red'\n", "unknown key"),
    ("[[briefing]]\nname='a b'\ntitle='A'\nnotebook='x.ipynb'\n", "letters, digits"),
    ("[[briefing]]\nname='a'\ntitle='A'\nnotebook='x'\n[[briefing]]\nname='a'\ntitle='B'\nnotebook='y'\n", "used twice"),
    ("name = ", "not valid TOML"),
    ("", "no \\[\\[briefing\\]\\] entries"),
])
def test_bad_config_is_refused_with_reason(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_build_config(_config(tmp_path, text))


def test_unknown_parameter_name_is_refused():
    briefing = Briefing("x", "X", config.PROJECT_ROOT / SURVEY_NOTEBOOK, {"group_by": "cluster", "grop_by": "x"})
    with pytest.raises(ConfigError, match="unknown parameter\\(s\\) grop_by"):
        effective_parameters(briefing)


def test_parameter_of_wrong_type_is_refused():
    briefing = Briefing("x", "X", config.PROJECT_ROOT / SURVEY_NOTEBOOK, {"confidence": "high"})
    with pytest.raises(ConfigError, match="confidence = 'high' should be float"):
        effective_parameters(briefing)


def test_missing_notebook_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="notebook not found"):
        effective_parameters(Briefing("x", "X", tmp_path / "absent.ipynb"))


def test_cli_reports_config_errors_with_exit_status_2(tmp_path, capsys):
    status = cli.main(["build", "--config", str(_config(tmp_path, "name = ")), "--reports", str(tmp_path / "r")])
    assert status == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_describe_failure_of_ordinary_exception():
    assert describe_failure(ValueError("bad")) == "ValueError: bad"


# --- end to end: a failing briefing keeps the last good page; the others still build ---

@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    reports = root / "reports"
    bad = root / "bad_survey.csv"
    good = config.SURVEY_DATA.read_text()
    lines = good.splitlines()
    fields = lines[3].split(",")
    fields[1] = "Wales"  # cluster of the third respondent: spreadsheet row 4
    bad.write_text("\n".join(lines[:3] + [",".join(fields)] + lines[4:]) + "\n")
    first = _config(root, f"""
[[briefing]]
name = "alpha"
title = "Alpha"
notebook = "{SURVEY_NOTEBOOK}"
[[briefing]]
name = "beta"
title = "Beta"
notebook = "{SURVEY_NOTEBOOK}"
parameters = {{ group_by = "population_band" }}
""", "first.toml")
    second = _config(root, f"""
[[briefing]]
name = "alpha"
title = "Alpha"
notebook = "{SURVEY_NOTEBOOK}"
parameters = {{ data_path = "{bad}" }}
[[briefing]]
name = "beta"
title = "Beta"
notebook = "{SURVEY_NOTEBOOK}"
parameters = {{ group_by = "provider_choice" }}
""", "second.toml")
    assert cli.main(["build", "--config", str(first), "--reports", str(reports)]) == 0
    alpha_before = (reports / "alpha.html").read_bytes()
    beta_before = (reports / "beta.html").read_bytes()
    status = cli.main(["build", "--config", str(second), "--reports", str(reports)])
    return {"reports": reports, "status": status, "alpha_before": alpha_before, "beta_before": beta_before,
            "bad": bad}


@pytest.mark.e2e
def test_failed_briefing_gives_non_zero_exit(two_builds):
    assert two_builds["status"] == 1


@pytest.mark.e2e
def test_failed_briefing_keeps_last_good_html(two_builds):
    assert (two_builds["reports"] / "alpha.html").read_bytes() == two_builds["alpha_before"]
    assert (two_builds["reports"] / "alpha" / "question_summary.csv").is_file()


@pytest.mark.e2e
def test_other_briefings_still_build(two_builds):
    after = (two_builds["reports"] / "beta.html").read_bytes()
    assert after != two_builds["beta_before"]  # rebuilt with the new grouping
    assert b"provider chosen" in after or b"provider choice" in after


@pytest.mark.e2e
def test_index_and_manifest_name_the_briefing_cell_and_error(two_builds):
    reports = two_builds["reports"]
    manifest = json.loads((reports / "manifest.json").read_text())["briefings"]
    assert manifest["alpha"]["status"] == "failed" and manifest["beta"]["status"] == "ok"
    error = manifest["alpha"]["error"]
    assert "DataError" in error and "row 4" in error and "'cluster'" in error and "'Wales'" in error
    assert str(two_builds["bad"]) in error
    assert "cell" in error
    index = (reports / "index.html").read_text()
    assert "Out of date:" in index and "the page linked is the last one that built" in index and "Wales" in index
    assert not (reports / ".staging" / "alpha").exists()
    assert (reports / "_failed" / "alpha.ipynb").is_file()
    # The log's one line for the failure says where the executed notebook (with its outputs) was kept.
    assert f"(what ran is kept in {reports / '_failed' / 'alpha.ipynb'})" in (reports / "build.log").read_text()


def test_briefing_needing_an_absent_file_is_skipped_not_failed(tmp_path, capsys):
    toml = _config(tmp_path, f"""
[[briefing]]
name = "needs_real_data"
title = "Needs real data"
notebook = "{SURVEY_NOTEBOOK}"
requires = ["{tmp_path / 'absent.csv'}"]
""")
    status = cli.main(["build", "--config", str(toml), "--reports", str(tmp_path / "reports")])
    assert status == 0
    out = capsys.readouterr().out
    assert "skipped" in out and "absent.csv" in out and "not present on this machine" in out
    manifest = json.loads((tmp_path / "reports" / "manifest.json").read_text())
    assert manifest["briefings"]["needs_real_data"]["status"] == "skipped"
    assert "Not built here" in (tmp_path / "reports" / "index.html").read_text()


# --- scheduled builds: incremental, reproducible, light when nothing changed, Dask ---

def _one_survey(tmp_path, data_path=None, name="one"):
    parameters = f'parameters = {{ data_path = "{data_path}" }}\n' if data_path else ""
    return _config(tmp_path, f'[[briefing]]\nname = "{name}"\ntitle = "One"\nnotebook = "{SURVEY_NOTEBOOK}"\n'
                             + parameters, f"{name}.toml")


@pytest.fixture(scope="module")
def incremental(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    data = root / "survey.csv"
    data.write_text(config.SURVEY_DATA.read_text())
    toml = _one_survey(root, data)
    reports = root / "reports"
    from ccgtools.build import build

    quiet = {"log": lambda line: None}
    first = build(toml, reports, **quiet)
    page = (reports / "one.html").read_bytes()
    second = build(toml, reports, **quiet)
    forced = build(toml, reports, force=True, **quiet)
    forced_page = (reports / "one.html").read_bytes()
    data.write_text(data.read_text().replace("R001,", "R001X,"))
    changed = build(toml, reports, **quiet)
    return {"first": first, "second": second, "forced": forced, "changed": changed, "page": page,
            "forced_page": forced_page, "reports": reports, "toml": toml}


@pytest.mark.e2e
def test_unchanged_briefing_is_reused_and_force_rebuilds(incremental):
    assert [o.status for o in incremental["first"]] == ["ok"]
    assert [o.status for o in incremental["second"]] == ["reused"]
    assert [o.status for o in incremental["forced"]] == ["ok"]
    assert [o.status for o in incremental["changed"]] == ["ok"]  # the data file's content changed


@pytest.mark.e2e
def test_same_inputs_give_byte_identical_html_and_csv(incremental, tmp_path):
    from ccgtools.build import build

    assert incremental["page"] == incremental["forced_page"]
    other = tmp_path / "elsewhere"
    build(incremental["toml"], other, log=lambda line: None)
    # The data changed after the forced build, so compare this fresh build with the latest one.
    latest = incremental["reports"]
    assert (other / "one.html").read_bytes() == (latest / "one.html").read_bytes()
    for csv in (latest / "one").glob("*.csv"):
        assert (other / "one" / csv.name).read_bytes() == csv.read_bytes(), csv.name
    assert (other / "one" / "one.ipynb").read_bytes() == (latest / "one" / "one.ipynb").read_bytes()


@pytest.mark.e2e
def test_manifest_records_inputs_parameters_versions_and_log(incremental):
    reports = incremental["reports"]
    entry = json.loads((reports / "manifest.json").read_text())["briefings"]["one"]
    assert entry["status"] == "ok" and len(entry["key"]) == 64
    assert entry["inputs"][0]["sha256"] and entry["parameters"]["group_by"] == "cluster"
    assert {"python", "ccgtools", "pandas", "papermill", "nbconvert"} <= set(entry["versions"])
    log = (reports / "build.log").read_text()
    assert "Built 1, reused 0, failed 0, skipped 0" in log


@pytest.mark.e2e
def test_no_change_rebuild_does_not_import_pandas(incremental):
    script = ("import sys; from ccgtools.cli import main; status = main(['build', '--config', sys.argv[1], "
              "'--reports', sys.argv[2]]); print('PANDAS' if 'pandas' in sys.modules else 'NO PANDAS'); "
              "sys.exit(status)")
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", script, str(incremental["toml"]), str(incremental["reports"])],
                            capture_output=True, text=True, check=True)
    assert "reused 1" in result.stdout and "NO PANDAS" in result.stdout


def test_list_prints_the_plan(tmp_path, capsys):
    toml = _one_survey(tmp_path)
    assert cli.main(["build", "--config", str(toml), "--reports", str(tmp_path / "r"), "--list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("one") and "build" in out and "survey_commissioning_support.ipynb (defaults)" in out


def test_invalid_briefing_fails_alone_with_its_reason(tmp_path, capsys):
    toml = _config(tmp_path, f"""
[[briefing]]
name = "bad"
title = "Bad"
notebook = "{SURVEY_NOTEBOOK}"
parameters = {{ grop_by = "cluster" }}
""")
    assert cli.main(["build", "--config", str(toml), "--reports", str(tmp_path / "r")]) == 1
    assert "unknown parameter(s) grop_by" in capsys.readouterr().out


@pytest.mark.e2e
def test_runs_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    from ccgtools.build import build

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        outcomes = build(_one_survey(tmp_path), tmp_path / "reports", dask_scheduler=cluster.scheduler_address,
                         log=lambda line: None)
    assert [o.status for o in outcomes] == ["ok"]
    assert (tmp_path / "reports" / "one.html").is_file() and (tmp_path / "reports" / "index.html").is_file()


def test_index_css_is_not_html_escaped(tmp_path):
    from ccgtools.build.publish import write_index

    write_index(tmp_path, {"briefings": {}})
    html = (tmp_path / "index.html").read_text()
    assert 'font-family: Arial, "Helvetica Neue"' in html and "&#34;" not in html
