"""Turning an executed notebook into a published briefing: HTML without code, and CSV tables.

nbconvert's ``HTMLExporter`` renders with the ``briefing`` template in
``ccgtools/templates``: code cells, prompts and warnings (stderr) are left out,
images are embedded, and nothing is loaded from another host (nbconvert's
default page pulls MathJax and require.js from a CDN; this template does not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
from markupsafe import escape
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from .. import __version__
from ..page.downloads import data_package
from ..page.media_types import FACTS_MIMETYPE, SOURCES_MIMETYPE, TABLE_MIMETYPE

TEMPLATES_DIR = Path(__file__).parent / "templates"
#: Cells with this tag (e.g. a guide for researchers) appear in JupyterLab but not in the briefing.
NOTEBOOK_ONLY_TAG = "notebook-only"


class DropStderr(Preprocessor):
    """Remove stderr streams (library warnings) from outputs: readers act on findings, not warnings."""

    def preprocess_cell(self, cell, resources, index):
        if cell.get("cell_type") == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        return cell, resources


class DropSourcesList(Preprocessor):
    """Remove the list of files read (``show.show_sources``) from the page body: its text ("4 input file(s)
    read") is for the researcher in JupyterLab; the reader finds the files, with checksums, in the footer."""

    def preprocess_cell(self, cell, resources, index):
        if cell.get("cell_type") == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if SOURCES_MIMETYPE not in o.get("data", {})]
        return cell, resources


@dataclass
class Provenance:
    """What the footer of a briefing states about how it was made."""

    title: str
    name: str
    notebook: str
    parameters: dict
    data_files: list[dict] = field(default_factory=list)
    disclosure_rule: str = ""  # stated in the build config; the rules applied to the page's tables are added
    version: str = __version__


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The briefing CSS, inlined into every page (no external stylesheet)."""
    return (TEMPLATES_DIR / "briefing.css").read_text(encoding="utf-8")


class BriefingExporter(HTMLExporter):
    """nbconvert's ``HTMLExporter`` without its last step, a BeautifulSoup pass over the whole page.

    That pass gives an ``<img>`` without ``alt`` a placeholder text and makes JupyterLab's
    ``.jp-Notebook`` input and output wrappers focusable. The briefing template writes ``alt`` on every
    image it draws and has no ``.jp-Notebook`` element, so on a briefing the pass changes nothing, yet
    parsing and re-writing a page of inline charts cost about 0.2 s per briefing.
    ``tests/build/test_render.py`` checks that both exporters give the same page.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        """The page, as ``HTMLExporter.from_notebook_node`` makes it before its BeautifulSoup pass."""
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        self.register_filter("highlight_code",
                             self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type",
                             WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                   resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


@lru_cache(maxsize=2)
def _exporter(exporter_class: type[HTMLExporter] = BriefingExporter) -> HTMLExporter:
    exporter = exporter_class(
        template_name="briefing",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.register_preprocessor(DropStderr(), enabled=True)
    exporter.register_preprocessor(DropSourcesList(), enabled=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY_TAG}), enabled=True)
    return exporter


def notebook_to_html(notebook: nbformat.NotebookNode, provenance: Provenance) -> str:
    """Render an executed notebook as a briefing page.

    No code; a header with the title, geography and data period (from
    :func:`ccgtools.page.show.show_title`); a table of contents from the section
    headings; a CSV download link under every published table; the provenance footer.
    """
    rules = disclosure_rules(notebook) + ([provenance.disclosure_rule] if provenance.disclosure_rule else [])
    read = files_read(notebook)
    details = {**provenance.__dict__, **({"data_files": read} if read is not None else {})}
    resources = {"ccgtools": {**details, "css": stylesheet(), "facts": briefing_facts(notebook),
                              "disclosure_rules": list(dict.fromkeys(rules))}}
    html, _ = _exporter().from_notebook_node(notebook, resources=resources)
    return _finish_page(html, provenance.name)


def files_read(notebook: nbformat.NotebookNode) -> list[dict] | None:
    """The input files the notebook says it read (``show.show_sources``), or None when it did not say."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            sources = output.get("data", {}).get(SOURCES_MIMETYPE)
            if sources is not None:
                return list(sources.get("files", []))
    return None


def briefing_facts(notebook: nbformat.NotebookNode) -> dict:
    """Title, geography and period the notebook declared with ``publish.show_title`` (empty if none), and any
    further facts later outputs attach (e.g. an area profile's index ``group``); the first value of a key wins."""
    found: dict = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            facts = output.get("data", {}).get(FACTS_MIMETYPE)
            if facts:
                found = {**dict(facts), **found}
    return found


def first_finding(notebook: nbformat.NotebookNode) -> str:
    """The first headline finding the notebook displayed (``show.show_headline``; a synthetic page's
    note on its data is not a list item); "" when there is none."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            if 'class="ccg-headline"' in html:
                items = [li.get_text(" ", strip=True) for li in BeautifulSoup(html, "html.parser").find_all("li")]
                return items[0] if items else ""
    return ""


def disclosure_rules(notebook: nbformat.NotebookNode) -> list[str]:
    """The disclosure rules applied to the tables the notebook published, in words, each once."""
    rules: list[str] = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(TABLE_MIMETYPE)
            if payload:
                rules += [r for r in payload.get("disclosure", []) if r not in rules]
    return rules


def _output_block(element):
    """The outermost cell wrapper holding ``element``, so that content inserted after it sits between cells."""
    block = element
    while block.parent is not None and block.parent.name != "main":
        block = block.parent
    return block


#: Elements that pass into the finished page unchanged: inline SVG charts and tables, most of a page's markup.
_SET_ASIDE = re.compile(r"<(svg|table)\b.*?</\1>", re.S | re.I)
_PLACEHOLDER = re.compile(r'<ccg-set-aside data-n="(\d+)"></ccg-set-aside>')


def _finish_page(html: str, name: str) -> str:
    """Add the contents list and the CSV links to a rendered page.

    Charts and tables are set aside before the page is parsed and put back unchanged after (nothing in
    them is edited), so that only the page's outline is parsed: about a fifth of its markup.
    """
    kept: list[str] = []

    def set_aside(match: re.Match) -> str:
        kept.append(match.group(0))
        return f'<ccg-set-aside data-n="{len(kept) - 1}"></ccg-set-aside>'

    page = BeautifulSoup(_SET_ASIDE.sub(set_aside, html), "html.parser")
    for image in page.find_all("img", alt=False):  # as nbconvert's HTMLExporter does (BriefingExporter skips it)
        image["alt"] = "No description has been provided for this image"
    main = page.find("main")
    headings = main.find_all("h2") if main else []
    for number, heading in enumerate(headings, start=1):
        if not heading.get("id"):
            heading["id"] = f"section-{number}"
        for anchor in heading.find_all("a", class_="anchor-link"):
            anchor.decompose()
    title = main.find("h1") if main else None
    if title is not None and len(headings) > 1:
        items = "".join(f'<li><a href="#{escape(h["id"])}">{escape(h.get_text(" ", strip=True))}</a></li>'
                        for h in headings)
        # Two forms, one shown at a time by the stylesheet (the hidden one is out of the accessibility tree):
        # an open list on a wide screen, a folded one on a phone. No script.
        contents = BeautifulSoup(f'<nav class="ccg-contents ccg-wide" aria-label="Contents"><p class="ccg-contents-title">'
                                 f"Contents</p><ol>{items}</ol></nav>"
                                 f'<details class="ccg-contents ccg-narrow"><summary class="ccg-contents-title">'
                                 f"Contents ({len(headings)} sections)</summary>"
                                 f'<nav aria-label="Contents"><ol>{items}</ol></nav></details>', "html.parser")
        # After the headline, so that on a phone the findings come first; else after the title.
        headline = main.find("section", class_="ccg-headline")
        anchor = _output_block(headline) if headline is not None else (
            title.find_next_sibling("p", class_="ccg-lede") or title)
        anchor.insert_after(contents)
    for wrap in page.find_all("div", class_="ccg-table-wrap"):
        table_name = wrap.get("data-table-name")
        if table_name:
            link = BeautifulSoup(f'<p class="ccg-download"><a href="{escape(name)}/{escape(table_name)}.csv" '
                                 f'download>Download this table as CSV</a></p>', "html.parser")
            wrap.insert_after(link)
    return _PLACEHOLDER.sub(lambda match: kept[int(match.group(1))], str(page))


def published_tables(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """The CSV text of every table a notebook attached with :func:`ccgtools.page.show.show_table`.

    Returns
    -------
    dict
        ``name -> CSV text``, in the order the tables appear.

    Raises
    ------
    ValueError
        When two tables share a name (one would overwrite the other).
    """
    tables: dict[str, str] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(TABLE_MIMETYPE)
            if payload is None:
                continue
            if payload["name"] in tables:
                raise ValueError(f"two tables are named {payload['name']!r}; each needs its own name")
            tables[payload["name"]] = payload["csv"]
    return tables


def published_package(notebook: nbformat.NotebookNode, name: str, title: str, description: str = "") -> dict:
    """The ``datapackage.json`` descriptor of the CSV files a notebook published
    (:func:`ccgtools.page.downloads.data_package`): each table's caption, disclosure rules and fields.

    Raises
    ------
    ccgtools.page.downloads.UndocumentedField
        When a table has a column the field dictionary lacks (naming the table and the column).
    """
    tables = [output["data"][TABLE_MIMETYPE] for cell in notebook.cells for output in cell.get("outputs", [])
              if TABLE_MIMETYPE in output.get("data", {})]
    return data_package(name, title, [{"name": t["name"], "caption": t["caption"], "fields": t.get("fields", []),
                                       "disclosure": t.get("disclosure", [])} for t in tables],
                        description=description)
