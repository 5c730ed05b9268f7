"""Declared dependencies match the code: what is imported is declared, at a version that has what is used.

The imports are read with :mod:`ast` from ``src/ccgtools`` (runtime dependencies, or an optional
extra when imported only inside a function), ``tests`` (runtime and dev) and the notebooks; each
import name is turned into its distribution with :func:`importlib.metadata.packages_distributions`.
``FEATURES`` lists the library features whose first release sets a minimum. Installing exactly the
lowest declared versions and running the tests there is ``python3 .ci/lowest_versions.py DIR``
(not run by CI: it downloads about a gigabyte).
"""

from __future__ import annotations

import ast
import functools
import inspect
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from ccgtools import config

ROOT = config.PROJECT_ROOT
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][A-Za-z0-9.]*)\s*$")

#: Declared but never imported, each with the reason it is needed.
NOT_IMPORTED = {
    "jupyterlab": "`make lab`: the workbook is edited in JupyterLab",
    "ipykernel": "the Jupyter kernel the notebooks run in (`make setup` registers it)",
    "nbclient": "papermill's notebook executor; its version is recorded in each briefing's manifest",
    "openpyxl": "the engine pandas.read_excel uses for PHE's .xlsx reference tables (tests)",
    "nbstripout": "the git filter that strips notebook outputs (`make setup` installs it)",
}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(*groups: str) -> dict[str, str]:
    """Distribution → declared minimum version, for the runtime dependencies ("") and the named extras."""
    requirements = []
    for group in groups:
        requirements += PROJECT["dependencies"] if group == "" else PROJECT["optional-dependencies"][group]
    out = {}
    for requirement in requirements:
        match = _REQUIREMENT.match(requirement)
        assert match, f"declare {requirement!r} as name>=minimum (the lowest-versions check pins it)"
        out[_normalise(match.group(1))] = match.group(2)
    return out


def _imports(source: str) -> list[tuple[str, bool]]:
    """Top-level names of absolute imports in ``source``, each with whether it is at module level."""
    tree = ast.parse(source)
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
        found += [(name.split(".")[0], id(node) in top_level) for name in names]
    return found + [(name.split(".")[0], False) for name in _importorskips(tree)]


def _importorskips(tree: ast.AST) -> list[str]:
    """Modules named in ``pytest.importorskip("...")`` calls (imports that skip when the module is missing)."""
    return [node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "importorskip" and node.args and isinstance(node.args[0], ast.Constant)]


def _notebook_sources() -> list[str]:
    import nbformat

    sources = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        sources += [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    return sources


def _third_party(names) -> set[str]:
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("ccgtools", "tests", "__future__")}


@functools.cache
def _providers() -> dict[str, list[str]]:
    return metadata.packages_distributions()  # slow (reads every installed distribution): once per run


def distribution_of(import_name: str) -> str:
    """The distribution that provides ``import_name`` ("bs4" → "beautifulsoup4"), by installed metadata."""
    providers = _providers().get(import_name)
    return _normalise(providers[0] if providers else import_name)


def _imports_in(folder: str) -> list[tuple[str, bool, Path]]:
    return [(name, module_level, path) for path in sorted((ROOT / folder).rglob("*.py"))
            for name, module_level in _imports(path.read_text(encoding="utf-8"))]


def test_every_import_of_the_package_is_a_declared_dependency():
    runtime, optional = declared(""), declared("dask")
    for name, module_level, path in _imports_in("src/ccgtools"):
        if name not in _third_party([name]):
            continue
        distribution = distribution_of(name)
        where = path.relative_to(ROOT)
        if distribution in optional:
            assert not module_level, f"{where}: {name} is an optional extra, so import it inside the function"
        else:
            assert distribution in runtime, f"{where} imports {name} ({distribution}), not declared in dependencies"


def test_every_import_of_the_tests_and_notebooks_is_declared():
    available = {**declared(""), **declared("dev"), **declared("dask")}
    names = [name for name, _, _ in _imports_in("tests")]
    names += [name for source in _notebook_sources() for name, _ in _imports(source)]
    for name in sorted(_third_party(names)):
        assert distribution_of(name) in available, f"the tests or notebooks import {name}, declared nowhere"


def test_every_declared_dependency_is_used():
    imported = {distribution_of(n) for n, _, _ in _imports_in("src/ccgtools") + _imports_in("tests")}
    for distribution in {**declared(""), **declared("dev"), **declared("dask")}:
        assert distribution in imported or distribution in NOT_IMPORTED, f"{distribution} is declared but unused"


def test_environment_yml_is_checked_elsewhere_and_extras_are_the_documented_ones():
    assert set(PROJECT["optional-dependencies"]) == {"dev", "dask"}
    assert "distributed" not in declared("")  # openpyxl is a runtime dependency: survey files from Excel


def _version(text: str) -> tuple[int, int, int]:
    """The release numbers of a version ("1.15" → (1, 15, 0)), enough to compare the minimums declared here."""
    parts = [int(part) for part in re.findall(r"\d+", text)[:3]]
    return tuple(parts + [0] * (3 - len(parts)))


def _scipy_fisher_method() -> bool:
    from scipy import stats

    return "method" in inspect.signature(stats.fisher_exact).parameters


def _scipy_monte_carlo_rng() -> bool:
    import numpy as np
    from scipy import stats

    return stats.MonteCarloMethod(n_resamples=10, rng=np.random.default_rng(0)).rng is not None


#: (distribution, first version with the feature, the feature, where ccgtools uses it, check on the installed version)
FEATURES = [
    ("scipy", "1.15.0", "stats.fisher_exact(method=...) for tables larger than 2×2",
     "survey/groups.py _independence_test", _scipy_fisher_method),
    ("scipy", "1.15.0", "stats.MonteCarloMethod(rng=...)", "survey/groups.py _independence_test",
     _scipy_monte_carlo_rng),
]


@pytest.mark.parametrize("distribution,first,feature,used_in,check", FEATURES,
                         ids=[f"{d}: {f}" for d, _, f, _, _ in FEATURES])
def test_declared_minimum_has_the_features_used(distribution, first, feature, used_in, check):
    # Sources: SciPy's reference pages for 1.15.0 are the first to document fisher_exact's `method`
    # and MonteCarloMethod's `rng` (1.14 has fisher_exact(table, alternative) and `random_state`).
    minimum = {**declared(""), **declared("dev"), **declared("dask")}[distribution]
    assert _version(minimum) >= _version(first), f"{feature} ({used_in}) needs {distribution}>={first}"
    assert check(), f"the installed {distribution} lacks {feature}"


def test_installed_versions_meet_the_declared_minimums():
    for distribution, minimum in {**declared(""), **declared("dev")}.items():
        try:
            installed = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            pytest.fail(f"{distribution} is declared but not installed: run `make setup`")
        assert _version(installed) >= _version(minimum), f"{distribution} {installed} is below {minimum}"
