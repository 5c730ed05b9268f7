"""ccgtools.build.render and the index: footers state the page's own disclosure rules; synthetic pages say so."""

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from ccgtools.build.publish import write_index
from ccgtools.build.render import Provenance, disclosure_rules, notebook_to_html
from ccgtools.page import disclosure, show


def _notebook(*outputs: dict) -> nbformat.NotebookNode:
    """A notebook whose one code cell holds ``outputs`` (display_data bundles), as if executed."""
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)
                    for data, metadata in outputs]
    return nbformat.v4.new_notebook(cells=[cell])


@pytest.fixture
def captured(monkeypatch):
    outputs = []
    monkeypatch.setattr(show, "display", lambda obj, raw=False, **kw: outputs.append((obj, kw.get("metadata", {}))))
    yield outputs
    show._PAGE["synthetic"] = None


def _page(outputs, **provenance) -> BeautifulSoup:
    fields = {"title": "T", "name": "t", "notebook": "n.ipynb", "parameters": {}, **provenance}
    return BeautifulSoup(notebook_to_html(_notebook(*outputs), Provenance(**fields)), "html.parser")


def _footer_rules(page: BeautifulSoup) -> str:
    term = page.find("dt", string="Disclosure control")
    return term.find_next_sibling("dd").get_text(" ", strip=True)


def test_footer_states_the_count_rule_only_on_a_page_of_counts(captured):
    counts = disclosure.suppress_small_counts(pd.DataFrame({"n": [3, 30]}), ["n"])
    show.show_title("Counts")
    show.show_table(counts, name="counts", caption="Counts")
    footer = _footer_rules(_page(captured))
    assert "Counts of 1 to 7" in footer and "answers" not in footer


def test_footer_states_the_base_rule_only_on_a_page_of_survey_results(captured):
    # The survey pages show numerators of 1 to 5 on bases of 10 or more: saying "counts of 1 to 7 are
    # suppressed" there would be false.
    results = disclosure.suppress_small_bases(pd.DataFrame({"answered": [6, 40], "numerator": [1, 3]}), "answered",
                                              dependent=["numerator"])
    show.show_title("Survey")
    show.show_table(results, name="results", caption="Results")
    page = _page(captured)
    footer = _footer_rules(page)
    assert "fewer than 10 answers" in footer and "1 to 7" not in footer
    assert disclosure_rules(_notebook(*captured)) == [disclosure.DEFAULT_RULE.describe_bases()]


def test_footer_says_when_no_rule_was_applied(captured):
    show.show_title("National figures")
    show.show_table(pd.DataFrame({"calls": [1_000_000]}), name="national", caption="England")
    assert _footer_rules(_page(captured)) == "No small-number suppression was applied to this page's tables."


def test_synthetic_page_has_banner_header_tag_and_footer_note(captured):
    show.show_title("Demo", "lede", synthetic="invented practices")
    page = _page(captured)
    banner = page.find(class_="ccg-synthetic")
    assert banner is not None and "Invented practices." in banner.get_text()
    assert page.find(class_="synthetic-tag").get_text() == "Synthetic data"
    # the banner comes before any finding: straight after the page's one heading
    assert page.find("h1").find_next_sibling() == banner
    assert "Synthetic data: invented practices" in page.find("footer").get_text(" ", strip=True)


def test_real_page_has_no_synthetic_marks(captured):
    show.show_title("Real")
    page = _page(captured)
    assert page.find(class_="ccg-synthetic") is None and page.find(class_="synthetic-tag") is None


def test_index_marks_synthetic_briefings(tmp_path):
    manifest = {"briefings": {
        "a": {"title": "Demo", "description": "", "status": "ok", "html": "a.html", "tables": [],
              "synthetic": "invented responses from 95 CCGs"},
        "b": {"title": "Real", "description": "", "status": "ok", "html": "b.html", "tables": [], "synthetic": ""}}}
    page = BeautifulSoup(write_index(tmp_path, manifest).read_text(), "html.parser")
    entries = page.find_all("li", class_="ccg-briefing")
    assert "invented responses from 95 CCGs" in entries[0].get_text() and entries[0].find(class_="ccg-synthetic")
    assert entries[1].find(class_="ccg-synthetic") is None


def test_index_puts_real_groups_first_and_collapses_synthetic_groups(tmp_path):
    def entry(title, synthetic, group):
        return {"title": title, "description": "", "status": "ok", "html": f"{title}.html", "tables": [],
                "synthetic": synthetic, "group": group}

    manifest = {"briefings": {
        "s1": entry("S1", "invented ICBs", "Area profiles (synthetic data): invented ICBs placed in East"),
        "s2": entry("S2", "invented ICBs", "Area profiles (synthetic data): invented ICBs placed in East"),
        "r1": entry("R1", "", "Area profiles on real data")}}
    page = BeautifulSoup(write_index(tmp_path, manifest).read_text(), "html.parser")
    groups = page.find_all("section", class_="ccg-index-group")
    assert [g.find("h2").get_text() for g in groups] == [
        "Area profiles on real data", "Area profiles (synthetic data): invented ICBs placed in East"]
    assert groups[0].find("details") is None  # real pages are listed open
    hidden = groups[1].find("details")
    assert hidden is not None and len(hidden.find_all("li", class_="ccg-briefing")) == 2
    assert "Show the 2 synthetic briefings" in hidden.find("summary").get_text()


def _full_notebook(captured) -> nbformat.NotebookNode:
    """A briefing-like notebook: two section headings, a headline, a table, a chart, a PNG with alt text and
    a JPEG without."""
    from ccgtools.page.charts import Chart, new_figure

    figure, ax = new_figure(2)
    ax.plot([0, 1], [0, 1])
    show.show_title("Title & <things>", "A lede.")
    show.show_headline(["84% were dissatisfied."])
    show.show_table(pd.DataFrame({"practice": ["A&B", "C"], "n": [30, 40]}), name="counts", caption="Counts")
    show.show_chart(Chart(figure, "A line from 0 to 1.", pd.DataFrame({"x": [0, 1]}), "line"), caption="A line")
    cells = [nbformat.v4.new_markdown_cell("## First section\n\nText."), _notebook(*captured).cells[0],
             nbformat.v4.new_markdown_cell("## Second section")]
    pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    cells[1].outputs += [nbformat.v4.new_output("display_data", data={"image/png": pixel},
                                                metadata={"image/png": {"alt": "One pixel"}}),
                         nbformat.v4.new_output("display_data", data={"image/jpeg": pixel})]
    return nbformat.v4.new_notebook(cells=cells)


def test_briefing_exporter_gives_the_page_nbconvert_gives(captured, monkeypatch):
    """BriefingExporter skips HTMLExporter's BeautifulSoup pass; the finished page must be the same."""
    from nbconvert import HTMLExporter

    from ccgtools.build import render

    notebook = _full_notebook(captured)
    provenance = Provenance(title="T", name="t", notebook="n.ipynb", parameters={"a": 1})
    ours = notebook_to_html(notebook, provenance)
    exporter = render._exporter.__wrapped__(HTMLExporter)  # nbconvert's own, with the briefing template
    monkeypatch.setattr(render, "_exporter", lambda: exporter)
    theirs = notebook_to_html(notebook, provenance)
    assert str(BeautifulSoup(ours, "html.parser")) == str(BeautifulSoup(theirs, "html.parser"))
    page = BeautifulSoup(ours, "html.parser")
    assert [img.get("alt") for img in page.find_all("img")] == [
        "One pixel", "No description has been provided for this image"]


def test_charts_and_tables_reach_the_page_unchanged_and_the_outline_is_finished(captured):
    notebook = _full_notebook(captured)
    html = notebook_to_html(notebook, Provenance(title="T", name="t", notebook="n.ipynb", parameters={}))
    shown = [data for data, _ in captured]
    svg = next(d["text/html"] for d in shown if "<svg" in d.get("text/html", ""))
    chart = svg[svg.index("<svg"):svg.index("</svg>") + len("</svg>")]
    assert chart in html  # byte for byte, with its camel-case viewBox
    assert "viewBox" in chart
    table = next(d["text/html"] for d in shown if "<table" in d.get("text/html", ""))
    assert table[table.index("<table"):table.index("</table>") + len("</table>")] in html
    assert "ccg-set-aside" not in html
    page = BeautifulSoup(html, "html.parser")
    headings = page.find("main").find_all("h2")
    assert {"First section", "Second section"} <= {h.get_text(strip=True) for h in headings}
    assert [a["href"] for a in page.select("nav.ccg-wide a")] == [f"#{h['id']}" for h in headings]
    assert page.select_one("div.ccg-table-wrap + p.ccg-download a")["href"] == "t/counts.csv"


def test_the_files_read_are_listed_in_the_footer_not_in_the_body():
    from ccgtools.page.media_types import SOURCES_MIMETYPE

    files = [{"path": "data/x.csv", "sha256": "ab" * 32}]
    notebook = _notebook(({"text/plain": "1 input file(s) read", SOURCES_MIMETYPE: {"files": files}}, {}))
    page = BeautifulSoup(notebook_to_html(notebook, Provenance(title="T", name="t", notebook="n.ipynb",
                                                               parameters={})), "html.parser")
    assert "input file(s) read" not in page.find("main").get_text()
    assert "data/x.csv" in page.find("footer").get_text() and "ab" * 32 in page.find("footer").get_text()
