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
