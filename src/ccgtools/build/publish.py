"""Publishing a build: each briefing moved into ``reports/`` atomically, then the manifest and the index.

A failure keeps the last good page, marked out of date in the index with the cell
and the error. The index and manifest are written last, atomically.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .. import __version__
from .briefings import Briefing
from .plan import Task, manifest_path, read_manifest

VERSIONED = ("python", "ccgtools", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn",
             "papermill", "nbconvert", "nbclient", "ipykernel")


@dataclass
class Outcome:
    """What happened to one briefing in a build."""

    briefing: Briefing
    status: str  # "ok" (built), "reused", "failed" or "skipped"
    error: str = ""
    duration_s: float = 0.0
    inputs: list[dict] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    synthetic: str = ""
    facts: dict = field(default_factory=dict)  # geography, period and first finding (from the page)


def publish(rendered, reports_dir: Path) -> list[str]:
    """Move a successful rendering into ``reports/`` atomically; returns the CSV paths published.

    The page, its tables (with their ``datapackage.json``) and executed notebook are written to a staging
    folder first;
    the briefing's folder is swapped in with renames, then the page replaced.
    """
    name = rendered.name
    staging = reports_dir / ".staging" / name
    shutil.rmtree(staging, ignore_errors=True)
    (staging / name).mkdir(parents=True)
    for table_name, csv_text in rendered.tables.items():
        (staging / name / f"{table_name}.csv").write_text(csv_text, encoding="utf-8")
    if getattr(rendered, "datapackage", ""):
        (staging / name / "datapackage.json").write_text(rendered.datapackage, encoding="utf-8")
    (staging / name / f"{name}.ipynb").write_text(rendered.notebook, encoding="utf-8")
    (staging / f"{name}.html").write_text(rendered.html, encoding="utf-8")
    target, old = reports_dir / name, reports_dir / ".staging" / f"{name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging / name, target)
    os.replace(staging / f"{name}.html", reports_dir / f"{name}.html")
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    (reports_dir / "_failed" / f"{name}.ipynb").unlink(missing_ok=True)
    return [f"{name}/{t}.csv" for t in rendered.tables]


def keep_failed(rendered, reports_dir: Path) -> None:
    if rendered.notebook:
        folder = reports_dir / "_failed"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{rendered.name}.ipynb").write_text(rendered.notebook, encoding="utf-8")


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def versions() -> dict:
    """Versions of Python and of the packages a briefing's numbers depend on (no imports needed)."""
    found = {"python": sys.version.split()[0], "ccgtools": __version__}
    for name in VERSIONED[2:]:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def update_manifest(reports_dir: Path, briefings: list[Briefing], tasks: dict[str, Task],
                    outcomes: list[Outcome]) -> dict:
    """Merge this build's outcomes into ``reports/manifest.json`` (reused briefings keep their entry)."""
    manifest = read_manifest(reports_dir)
    entries = manifest.setdefault("briefings", {})
    package_versions = versions()
    for outcome in outcomes:
        if outcome.status == "reused":
            continue
        b, task = outcome.briefing, tasks[outcome.briefing.name]
        previous = entries.get(b.name, {})
        has_page = (reports_dir / f"{b.name}.html").is_file()
        entries[b.name] = {
            "title": b.title, "description": b.description, "status": outcome.status, "error": outcome.error,
            "stale": outcome.status == "failed" and has_page, "html": f"{b.name}.html" if has_page else "",
            "tables": outcome.tables if outcome.status == "ok" else previous.get("tables", []),
            "synthetic": outcome.synthetic if outcome.status == "ok" else previous.get("synthetic", ""),
            **{key: outcome.facts.get(key, "") if outcome.status == "ok" else previous.get(key, "")
               for key in ("geography", "period", "finding", "group")},
            "inputs": task.inputs if outcome.status == "ok" else previous.get("inputs", []),
            "parameters": task.parameters, "key": task.key if outcome.status == "ok" else previous.get("key", ""),
            "duration_s": round(outcome.duration_s, 2), "versions": package_versions,
        }
    configured = [b.name for b in briefings]
    manifest["briefings"] = {k: entries[k] for k in configured if k in entries}
    write_atomically(manifest_path(reports_dir), json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
    return manifest


def index_groups(groups: dict[str, list[dict]]) -> list[tuple[str, list[dict]]]:
    """The index's groups in reading order: groups on real data first, then those whose every briefing is synthetic
    (which the index shows collapsed); by name within each."""
    return sorted(groups.items(), key=lambda item: (all(r.get("synthetic") for r in item[1]), item[0]))


def write_index(reports_dir: Path, manifest: dict, *, title: str = "NHS commissioning briefings") -> Path:
    """Write ``reports/index.html`` listing every briefing with its status (atomically)."""
    import jinja2

    from .render import stylesheet

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                                     autoescape=True)
    rows = list(manifest["briefings"].values())
    groups: dict[str, list[dict]] = {}
    for row in rows:
        if row.get("group"):
            groups.setdefault(row["group"], []).append(row)
    html = environment.get_template("index.html.j2").render(
        title=title, briefings=[r for r in rows if not r.get("group")], groups=index_groups(groups),
        failed=sum(r["status"] == "failed" for r in rows), css=stylesheet(), version=__version__)
    path = reports_dir / "index.html"
    write_atomically(path, html)
    return path
