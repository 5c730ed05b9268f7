"""End to end: the provider data assurance briefing built alone, on the bundled synthetic data and on the real
IUC ADC sample, and a bad input that fails with the file, row and column."""

import json
import re

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from ccgtools import build, config

from .conftest import real_data_path
from .test_notebooks import _check_page

pytestmark = pytest.mark.e2e

NOTEBOOK = config.NOTEBOOKS_DIR / "provider_data_assurance.ipynb"
SYNTHETIC = "provider_data_assurance"
REAL = "provider_data_assurance_iucadc_2025-26"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Only this briefing's two entries of briefings.toml, built into a temporary folder."""
    folder = tmp_path_factory.mktemp("assurance_reports")
    outcomes = build.build(reports_dir=folder, only=[SYNTHETIC, REAL], log=lambda line: None)
    return folder, {o.briefing.name: o for o in outcomes}


def _text(folder, name) -> str:
    return " ".join(BeautifulSoup((folder / f"{name}.html").read_text(), "html.parser").get_text(" ").split())


def _chart_problems(folder, name) -> dict:
    executed = nbformat.read(folder / name / f"{name}.ipynb", as_version=4)
    return {output["metadata"]["ccgtools/chart-name"]: output["metadata"]["ccgtools/chart-problems"]
            for cell in executed.cells for output in cell.get("outputs", [])
            if "ccgtools/chart-problems" in output.get("metadata", {})}


def test_notebook_is_thin_and_parameterised():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert notebook.metadata["kernelspec"]["name"] == "ccgtools"
    assert notebook.metadata["kernelspec"]["display_name"] == "Python (ccgtools)"
    first, *_rest = notebook.cells
    assert first.cell_type == "markdown" and "notebook-only" in first.metadata["tags"]
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata["tags"]
    for cell in code:
        assert not cell.get("outputs") and cell.get("execution_count") is None
        assert not re.search(r"^\s*(def|for|while|class)\b", cell.source, re.MULTILINE), cell.source
    headings = [c.source.splitlines()[0] for c in notebook.cells if c.cell_type == "markdown"]
    assert headings[-1] == "## Methods and references"


def test_synthetic_briefing_publishes_with_banner_and_score(reports):
    folder, outcomes = reports
    assert outcomes[SYNTHETIC].status == "ok", outcomes[SYNTHETIC].error
    html = (folder / f"{SYNTHETIC}.html").read_text()
    _check_page(html)
    text = _text(folder, SYNTHETIC)
    assert "Synthetic data, for demonstration." in text and "Headline findings (synthetic data)" in text
    assert "6 of 6 kinds were found (15 of 15 manipulated returns queried or rejected)" in text
    for heading in ("What was checked", "The decision for every return", "The return against the records",
                    "Times bunched just inside a limit", "Questions to put to each provider",
                    "How well the checks did on this invented data", "What this means for commissioners",
                    "Words used on this page", "Methods and references"):
        assert heading in text
    assert text.index("Words used on this page") < text.index("Methods and references")
    score = pd.read_csv(folder / SYNTHETIC / "score_by_manipulation.csv").set_index("manipulation_planted")
    assert (score.drop(index="None (clean returns)")["rate_percent"] == 100).all()
    clean = score.loc["None (clean returns)"]
    assert clean["queried_or_rejected"] / clean["returns"] <= 0.05
    decisions = pd.read_csv(folder / SYNTHETIC / "not_accepted.csv")
    assert len(decisions) == 72 * 4 and set(decisions["decision"]) == {"accept", "query", "reject"}
    assert all(problems == [] for problems in _chart_problems(folder, SYNTHETIC).values())
    assert {"decisions", "reconciliation_OOH02_answered_60s"} <= set(_chart_problems(folder, SYNTHETIC))


def test_real_iucadc_briefing_flags_the_abandoned_defect_and_zero_weeks(reports):
    real_data_path("iucadc_weekly_by_contract_2025-26.csv")
    folder, outcomes = reports
    assert outcomes[REAL].status == "ok", outcomes[REAL].error
    html = (folder / f"{REAL}.html").read_text()
    _check_page(html)
    text = _text(folder, REAL)
    assert "Synthetic data" not in text and "invented data" not in text
    assert "Calls abandoned cannot be right as published" in text
    assert "29 returns report nothing but zeros: every provider in the week ending 5 Apr 2026" in text
    assert "No record-level logs were given" in text and "Checks against the records" in text
    assert "Do not use calls abandoned from these data" in text
    decisions = pd.read_csv(folder / REAL / "not_accepted.csv")
    assert (decisions.loc[decisions["kpi"] == "abandoned", "decision"] == "reject").all()
    assert all(problems == [] for problems in _chart_problems(folder, REAL).values())


def test_a_bad_return_fails_with_file_row_and_column(tmp_path):
    returns = pd.read_csv(config.DATA_DIR / "assurance_returns_2025-26_synthetic.csv", dtype=str)
    returns.loc[4, "month"] = "Aug-2025"
    path = tmp_path / "returns.csv"
    returns.to_csv(path, index=False)
    toml = tmp_path / "b.toml"
    toml.write_text(f'[[briefing]]\nname = "bad"\ntitle = "B"\nnotebook = "{NOTEBOOK}"\n'
                    f'parameters = {{ returns_path = "{path}", truth_path = "" }}\n')
    outcomes = build.build(toml, tmp_path / "reports", log=lambda line: None)
    assert outcomes[0].status == "failed"
    assert "DataError" in outcomes[0].error and "row 6" in outcomes[0].error and "'month'" in outcomes[0].error
    assert not (tmp_path / "reports" / "bad.html").exists()
    manifest = json.loads((tmp_path / "reports" / "manifest.json").read_text())
    assert manifest["briefings"]["bad"]["status"] == "failed"
