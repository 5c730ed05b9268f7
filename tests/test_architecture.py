"""The layers of ARCHITECTURE.md, enforced: a module imports only its own layer's package or layers below.

Every ``import`` and ``from ... import`` in ``src/ccgtools`` (including those inside
functions) is read with :mod:`ast`, resolved to the ccgtools package it names, and
checked against the layer table below.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ccgtools import config

PACKAGE = config.PROJECT_ROOT / "src" / "ccgtools"

#: Layer of each top-level part of ccgtools, from the top (cli) down to the foundations.
LAYERS = {
    "cli": 5,
    "build": 4,
    "survey": 3, "nhs111": 3, "practices": 3, "assurance": 3, "areas": 3,  # one package per briefing
    "page": 2, "stats": 2, "io": 2, "layouts": 2, "parameters": 2, "fetch": 2, "per_build": 2,  # the shared base
    "errors": 1, "config": 1, "__init__": 1,
}
BRIEFINGS = {part for part, layer in LAYERS.items() if layer == 3}


def part_of(module: str) -> str:
    """The top-level part of ccgtools a dotted module name belongs to ("ccgtools.nhs111.load" → "nhs111")."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def module_name(path: Path, root: Path = PACKAGE) -> str:
    """The dotted name of the module at ``path`` in the package at ``root``."""
    relative = path.relative_to(root.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1] if len(parts) > 2 else [parts[0], "__init__"]
    return ".".join(parts)


def imported_modules(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """Every ccgtools module imported by the file at ``path`` (absolute names), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "ccgtools"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "ccgtools":
                continue
            if node.module is None or target.count(".") == 0:
                # "from . import stats" or "from .. import config": each name is a module of the package
                found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, target))
    return found


def violations(path: Path, root: Path = PACKAGE) -> list[str]:
    """Imports in ``path`` that break the layering rule, described for the failure message."""
    name = module_name(path, root)
    source = part_of(name)
    problems = []
    for line, target in imported_modules(path, root):
        destination = part_of(target)
        if destination == source or destination == "__version__":
            continue
        if destination not in LAYERS:
            problems.append(f"{path.name}:{line} imports {target}, which is in no layer of ARCHITECTURE.md")
        elif LAYERS[destination] > LAYERS[source]:
            problems.append(f"{name}:{line} imports {target} from a higher layer")
        elif source in BRIEFINGS and destination in BRIEFINGS:
            problems.append(f"{name}:{line} imports the {destination} briefing package")
        elif LAYERS[destination] == LAYERS[source] and LAYERS[source] == 2 and destination != source:
            # the shared base: page may use stats and io; per_build notes the files read (io); stats and io
            # stand alone
            if not (source == "page" and destination in {"stats", "io"}
                    or source == "per_build" and destination == "io"):
                problems.append(f"{name}:{line} imports {target} across the shared base")
    return problems


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_part_of_the_package_has_a_layer():
    parts = {part_of(module_name(p)) for p in SOURCES}
    assert parts <= set(LAYERS), f"parts with no layer: {parts - set(LAYERS)}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_layers(path):
    assert violations(path) == []


def test_the_checker_catches_an_upward_import(tmp_path):
    # A stats module that imports a briefing package, and a briefing that imports another briefing
    # and the build: each is reported; imports down the layers are not.
    fake = tmp_path / "ccgtools"
    (fake / "stats").mkdir(parents=True)
    (fake / "nhs111").mkdir()
    (fake / "stats" / "bad.py").write_text("from ..survey import load\n", encoding="utf-8")
    (fake / "nhs111" / "bad.py").write_text("from ..practices import variation\nimport ccgtools.build.run\n",
                                            encoding="utf-8")
    (fake / "nhs111" / "good.py").write_text("from .. import stats\nfrom ..page import charts\nfrom .load import x\n",
                                             encoding="utf-8")
    assert len(violations(fake / "stats" / "bad.py", fake)) == 1
    assert len(violations(fake / "nhs111" / "bad.py", fake)) == 2
    assert violations(fake / "nhs111" / "good.py", fake) == []
