"""``ccgtools build``: execute every briefing with papermill and publish it atomically.

A build config (``briefings.toml``) lists briefings: a notebook, the parameters
to run it with, an output name and a title. For each, the notebook is executed
into a staging folder, rendered to HTML without code, its tables written as
CSV, and only then moved into ``reports/``. A briefing that fails leaves the
last good version in place; the index marks it failed with the cell and the
error, the other briefings are still built, and the exit status is non-zero.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import nbformat
import papermill

from . import __version__, config
from .disclosure import DEFAULT_RULE
from .errors import ConfigError
from .render import Provenance, notebook_to_html, published_tables, sha256_of, stylesheet

_BRIEFING_KEYS = {"name", "title", "notebook", "parameters", "description", "requires", "disclosure"}


@dataclass(frozen=True)
class Briefing:
    """One briefing to render: a notebook with a parameter set and an output name."""

    name: str
    title: str
    notebook: Path
    parameters: dict = field(default_factory=dict)
    description: str = ""
    requires: tuple[Path, ...] = ()
    disclosure: str = ""

    def missing_requirements(self) -> list[Path]:
        """Files this briefing needs that are not on this machine (e.g. ../shared/real-data/)."""
        return [path for path in self.requires if not path.exists()]


@dataclass
class Outcome:
    """What happened to one briefing in a build."""

    briefing: Briefing
    status: str  # "ok", "failed" or "skipped"
    error: str = ""
    duration_s: float = 0.0
    inputs: list[dict] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)


def load_build_config(path: str | Path | None = None) -> list[Briefing]:
    """Read and check a build config file.

    Raises
    ------
    ConfigError
        Unreadable TOML, a briefing without a name, title or notebook, an
        unknown key, a repeated name, or a name unsafe as a file name.
    """
    path = config.resolve_path(path, config.BUILD_CONFIG)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: build config not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    entries = document.get("briefing", [])
    if not entries:
        raise ConfigError(f"{path}: no [[briefing]] entries")
    briefings, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}, briefing {number}"
        unknown = set(entry) - _BRIEFING_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                              f"expected {', '.join(sorted(_BRIEFING_KEYS))}")
        for key in ("name", "title", "notebook"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise ConfigError(f"{where}: '{key}' is required (a non-empty string)")
        name = entry["name"]
        if not name.replace("_", "").replace("-", "").isalnum():
            raise ConfigError(f"{where}: name {name!r} must use only letters, digits, '_' and '-'")
        if name in seen:
            raise ConfigError(f"{where}: the name {name!r} is used twice")
        seen.add(name)
        if not isinstance(entry.get("parameters", {}), dict):
            raise ConfigError(f"{where}: 'parameters' must be a table of name = value")
        requires = entry.get("requires", [])
        if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
            raise ConfigError(f"{where}: 'requires' must be a list of file paths")
        briefings.append(Briefing(name=name, title=entry["title"],
                                  notebook=config.resolve_path(entry["notebook"], config.NOTEBOOKS_DIR),
                                  parameters=dict(entry.get("parameters", {})),
                                  description=entry.get("description", ""),
                                  requires=tuple(config.resolve_path(r, config.PROJECT_ROOT) for r in requires),
                                  disclosure=entry.get("disclosure", "")))
    return briefings


def notebook_defaults(notebook: Path) -> dict:
    """The literal default of each parameter in the notebook's ``parameters`` cell."""
    declared = papermill.inspect_notebook(str(notebook))
    defaults = {}
    for name, spec in declared.items():
        try:
            defaults[name] = ast.literal_eval(spec["default"])
        except (ValueError, SyntaxError):
            defaults[name] = spec["default"]
    return defaults


def effective_parameters(briefing: Briefing) -> dict:
    """Notebook defaults overlaid with the briefing's parameters; unknown names refused.

    Papermill only warns when a parameter is not declared in the notebook; a
    misspelt parameter would silently change nothing, so ccgtools refuses it.
    """
    if not briefing.notebook.is_file():
        raise ConfigError(f"briefing {briefing.name!r}: notebook not found: {briefing.notebook}")
    defaults = notebook_defaults(briefing.notebook)
    unknown = sorted(set(briefing.parameters) - set(defaults))
    if unknown:
        raise ConfigError(f"briefing {briefing.name!r}: unknown parameter(s) {', '.join(unknown)} for "
                          f"{briefing.notebook.name}; it declares {', '.join(sorted(defaults))}")
    for key, value in briefing.parameters.items():
        default = defaults[key]
        if default is not None and value is not None and not _same_kind(default, value):
            raise ConfigError(f"briefing {briefing.name!r}: parameter {key} = {value!r} should be "
                              f"{type(default).__name__} like the notebook's default {default!r}")
    return {**defaults, **briefing.parameters}


def _same_kind(default, value) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def input_files(parameters: dict) -> list[dict]:
    """The data files a parameter set names (string values that resolve to files), with checksums."""
    files = []
    for value in parameters.values():
        if isinstance(value, str) and value.strip():
            path = config.resolve_path(value, config.PROJECT_ROOT)
            if path.is_file():
                shown = path.relative_to(config.PROJECT_ROOT) if path.is_relative_to(config.PROJECT_ROOT) else path
                files.append({"path": str(shown), "sha256": sha256_of(path)})
    return files


def describe_failure(exc: BaseException) -> str:
    """One line naming the cell and the error, for the terminal and the index."""
    if isinstance(exc, papermill.PapermillExecutionError):
        first_line = exc.source.strip().splitlines()[0] if exc.source.strip() else ""
        return (f"cell {exc.exec_count} ({first_line[:80]}) raised {exc.ename}: {exc.evalue}")
    return f"{type(exc).__name__}: {exc}"


def render_briefing(briefing: Briefing, reports_dir: Path, *, kernel_name: str = config.KERNEL_NAME) -> Outcome:
    """Execute, render and atomically publish one briefing; never raises for a briefing's own failure."""
    started = time.perf_counter()
    missing = briefing.missing_requirements()
    if missing:
        return Outcome(briefing, "skipped", "not built: needs " + ", ".join(str(p) for p in missing)
                       + " (not present on this machine)")
    staging = reports_dir / ".staging" / briefing.name
    shutil.rmtree(staging, ignore_errors=True)
    (staging / briefing.name).mkdir(parents=True)
    executed = staging / briefing.name / f"{briefing.name}.ipynb"
    try:
        parameters = effective_parameters(briefing)
        inputs = input_files(parameters)
        papermill.execute_notebook(str(briefing.notebook), str(executed), parameters=briefing.parameters,
                                   kernel_name=kernel_name, cwd=str(config.PROJECT_ROOT),
                                   progress_bar=False, log_output=False)
        notebook = nbformat.read(executed, as_version=4)
        tables = published_tables(notebook)
        for table_name, csv_text in tables.items():
            (staging / briefing.name / f"{table_name}.csv").write_text(csv_text, encoding="utf-8")
        provenance = Provenance(title=briefing.title, name=briefing.name, notebook=str(briefing.notebook.relative_to(config.PROJECT_ROOT)
                                                                    if briefing.notebook.is_relative_to(config.PROJECT_ROOT)
                                                                    else briefing.notebook),
                                parameters=parameters, data_files=inputs,
                                disclosure_rule=briefing.disclosure or DEFAULT_RULE.describe())
        (staging / f"{briefing.name}.html").write_text(notebook_to_html(notebook, provenance), encoding="utf-8")
    except Exception as exc:  # one briefing's failure must not stop the build
        _keep_failed_notebook(executed, reports_dir, briefing.name)
        shutil.rmtree(staging, ignore_errors=True)
        return Outcome(briefing, "failed", describe_failure(exc), time.perf_counter() - started)
    _move_into_place(staging, reports_dir, briefing.name)
    return Outcome(briefing, "ok", "", time.perf_counter() - started, inputs,
                   [f"{briefing.name}/{t}.csv" for t in tables])


def _keep_failed_notebook(executed: Path, reports_dir: Path, name: str) -> None:
    if executed.is_file():
        failed_dir = reports_dir / "_failed"
        failed_dir.mkdir(parents=True, exist_ok=True)
        os.replace(executed, failed_dir / f"{name}.ipynb")


def _move_into_place(staging: Path, reports_dir: Path, name: str) -> None:
    """Swap the staged folder and page in: the old folder is renamed away first, then removed."""
    target_dir = reports_dir / name
    old_dir = reports_dir / ".staging" / f"{name}.old"
    shutil.rmtree(old_dir, ignore_errors=True)
    if target_dir.exists():
        os.replace(target_dir, old_dir)
    os.replace(staging / name, target_dir)
    os.replace(staging / f"{name}.html", reports_dir / f"{name}.html")
    shutil.rmtree(old_dir, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    (reports_dir / "_failed" / f"{name}.ipynb").unlink(missing_ok=True)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def update_manifest(reports_dir: Path, briefings: list[Briefing], outcomes: list[Outcome]) -> dict:
    """Merge this build's outcomes into ``reports/manifest.json`` (briefings not rebuilt keep their entry)."""
    path = reports_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"briefings": {}}
    entries = manifest.setdefault("briefings", {})
    for outcome in outcomes:
        b = outcome.briefing
        previous = entries.get(b.name, {})
        entries[b.name] = {
            "title": b.title, "description": b.description, "status": outcome.status,
            "error": outcome.error,
            "html": f"{b.name}.html" if (reports_dir / f"{b.name}.html").is_file() else "",
            "tables": outcome.tables if outcome.status == "ok" else previous.get("tables", []),
            "inputs": outcome.inputs if outcome.status == "ok" else previous.get("inputs", []),
            "parameters": b.parameters, "duration_s": round(outcome.duration_s, 2),
            "ccgtools_version": __version__,
        }
    configured = [b.name for b in briefings]
    manifest["briefings"] = {k: entries[k] for k in configured if k in entries}
    _write_atomically(path, json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
    return manifest


def write_index(reports_dir: Path, manifest: dict, *, title: str = "NHS commissioning briefings") -> Path:
    """Write ``reports/index.html`` listing every briefing with its status (atomically)."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                                     autoescape=True)
    rows = list(manifest["briefings"].values())
    html = environment.get_template("index.html.j2").render(
        title=title, briefings=rows, failed=sum(r["status"] == "failed" for r in rows),
        css=stylesheet(), version=__version__)
    path = reports_dir / "index.html"
    _write_atomically(path, html)
    return path


def build(config_path: str | Path | None = None, reports_dir: str | Path | None = None, *,
          only: list[str] | None = None, log=print) -> list[Outcome]:
    """Render the briefings of a build config and publish the site.

    Parameters
    ----------
    config_path : path, optional
        Build config (default ``briefings.toml`` in the project root).
    reports_dir : path, optional
        Where to publish (default ``reports/``).
    only : list of str, optional
        Names of the briefings to render; the others keep their last state.
    log : callable
        Receives one line of progress at a time.

    Returns
    -------
    list of Outcome
        One per briefing rendered.
    """
    briefings = load_build_config(config_path)
    reports_dir = config.resolve_path(reports_dir, config.REPORTS_DIR)
    reports_dir.mkdir(parents=True, exist_ok=True)
    selected = briefings
    if only:
        names = {b.name for b in briefings}
        unknown = [n for n in only if n not in names]
        if unknown:
            raise ConfigError(f"unknown briefing name(s) {', '.join(unknown)}; the config has {', '.join(sorted(names))}")
        selected = [b for b in briefings if b.name in only]
    outcomes = []
    for number, briefing in enumerate(selected, start=1):
        log(f"[{number}/{len(selected)}] {briefing.name}: running {briefing.notebook.name}")
        outcome = render_briefing(briefing, reports_dir)
        outcomes.append(outcome)
        if outcome.status == "ok":
            log(f"[{number}/{len(selected)}] {briefing.name}: published in {outcome.duration_s:.1f} s")
        elif outcome.status == "skipped":
            log(f"[{number}/{len(selected)}] {briefing.name}: skipped, {outcome.error}")
        else:
            log(f"[{number}/{len(selected)}] {briefing.name}: FAILED: {outcome.error}")
    manifest = update_manifest(reports_dir, briefings, outcomes)
    index = write_index(reports_dir, manifest)
    failed = [o for o in outcomes if o.status == "failed"]
    skipped = [o for o in outcomes if o.status == "skipped"]
    built = len(outcomes) - len(failed) - len(skipped)
    log(f"Built {built} of {len(outcomes)} briefing(s); {len(failed)} failed; {len(skipped)} skipped.")
    log(f"Index: {index}")
    return outcomes
