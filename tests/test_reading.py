"""Every published briefing read as a board member would: legible charts, plain words, next steps.

Reads the site the project's own build config renders (the session's ``site`` fixture): the executed
notebooks kept beside each page carry the legibility check of every chart
(:func:`ccgtools.page.chart_check.layout_problems`, recorded by ``show_chart``).
"""

import nbformat
import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.e2e

#: Symbols and jargon that belong in the methods, not in a headline or a chart's sentence.
JARGON = ("φ", "τ", "θ", "additive method", "Composite z", "XmR", "O/E", " CI ")


def _published(site):
    reports, outcomes = site
    return [(reports, o.briefing.name) for o in outcomes if o.status == "ok"]


def _chart_outputs(reports, name):
    notebook = nbformat.read(reports / name / f"{name}.ipynb", as_version=4)
    return [output for cell in notebook.cells for output in cell.get("outputs", [])
            if "ccgtools/chart-problems" in output.get("metadata", {})]


def test_every_chart_of_every_briefing_has_no_overlap_cut_or_small_text(site):
    problems, charts = [], 0
    for reports, name in _published(site):
        for output in _chart_outputs(reports, name):
            charts += 1
            problems += [f"{name} / {output['metadata']['ccgtools/chart-name']}: {p}"
                         for p in output["metadata"]["ccgtools/chart-problems"]]
    assert charts >= 9, "every briefing draws charts"
    assert not problems, "\n".join(problems)


def test_headlines_and_chart_sentences_speak_plain_english(site):
    for reports, name in _published(site):
        page = BeautifulSoup((reports / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
        headline = page.find("section", class_="ccg-headline").get_text(" ")
        sentences = " ".join(p.get_text(" ") for p in page.find_all("p", class_="ccg-chart-summary"))
        for word in JARGON:
            assert word not in headline, (name, word)
            assert word not in sentences, (name, word)


def test_every_chart_is_followed_by_a_sentence_saying_what_it_shows(site):
    for reports, name in _published(site):
        page = BeautifulSoup((reports / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
        figures = page.find_all("figure", class_="ccg-figure")
        assert figures, name
        for figure in figures:
            assert figure.find("svg", attrs={"role": "img"}) is not None, name
            summary = figure.find("p", class_="ccg-chart-summary")
            assert summary is not None and summary.get_text().strip().endswith("."), (name, figure.get("data-chart-name"))


def test_findings_end_with_what_they_mean_for_commissioners_and_a_glossary(site):
    for reports, name in _published(site):
        page = BeautifulSoup((reports / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
        headings = [h.get_text(" ", strip=True) for h in page.find("main").find_all("h2")]
        assert "What this means for commissioners" in headings, name
        assert "Words used on this page" in headings, name
        steps = page.find("section", class_="ccg-next-steps").find_all("li")
        assert steps and all(li.get_text().strip().endswith(".") for li in steps), name
        # The next steps come before the methods, right after the findings.
        assert headings.index("What this means for commissioners") < headings.index("Methods and references")
