"""Turning an executed notebook into a published briefing: HTML without code, and CSV tables.

nbconvert's ``HTMLExporter`` renders with the ``briefing`` template in
``ccgtools/templates``: code cells, prompts and warnings (stderr) are left out,
images are embedded, and nothing is loaded from another host (nbconvert's
default page pulls MathJax and require.js from a CDN; this template does not).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from . import __version__
from .publish import TABLE_MIMETYPE

TEMPLATES_DIR = Path(__file__).parent / "templates"
#: Cells with this tag (e.g. a guide for researchers) appear in JupyterLab but not in the briefing.
NOTEBOOK_ONLY_TAG = "notebook-only"


class DropStderrAndErrors(Preprocessor):
    """Remove stderr streams (library warnings) from outputs: readers act on findings, not warnings."""

    def preprocess_cell(self, cell, resources, index):
        if cell.get("cell_type") == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        return cell, resources


@dataclass
class Provenance:
    """What the footer of a briefing states about how it was made."""

    title: str
    notebook: str
    parameters: dict
    data_files: list[dict] = field(default_factory=list)
    disclosure_rule: str = ""
    version: str = __version__


def sha256_of(path: Path) -> str:
    """SHA-256 checksum of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The briefing CSS, inlined into every page (no external stylesheet)."""
    return (TEMPLATES_DIR / "briefing.css").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        template_name="briefing",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.register_preprocessor(DropStderrAndErrors(), enabled=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY_TAG}), enabled=True)
    return exporter


def notebook_to_html(notebook: nbformat.NotebookNode, provenance: Provenance) -> str:
    """Render an executed notebook as a briefing page (no code, footer with provenance)."""
    resources = {"ccgtools": {**provenance.__dict__, "css": stylesheet()}}
    html, _ = _exporter().from_notebook_node(notebook, resources=resources)
    return html


def published_tables(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """The CSV text of every table a notebook attached with :func:`ccgtools.publish.show_table`.

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
