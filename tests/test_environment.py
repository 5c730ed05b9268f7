"""environment.yml (conda-forge) and pyproject.toml (venv + pip) declare the same packages."""

import re
import tomllib

import yaml

from ccgtools import config

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _parse(requirement: str) -> tuple[str, str]:
    name, spec = _REQUIREMENT.match(requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for extra in project["optional-dependencies"].values() for r in extra]  # dev and dask
    pip_side = dict(_parse(r) for r in project["dependencies"] + extras)
    environment = yaml.safe_load((config.PROJECT_ROOT / "environment.yml").read_text())
    assert environment["name"] == "ccgtools"
    assert environment["channels"] == ["conda-forge"]
    conda_entries = [d for d in environment["dependencies"] if isinstance(d, str)]
    conda_side = dict(_parse(d) for d in conda_entries)
    python = conda_side.pop("python")
    conda_side.pop("pip")
    assert python == project["requires-python"], "python version differs"
    pip_section = [d for d in environment["dependencies"] if isinstance(d, dict)]
    assert len(pip_section) == 1 and pip_section[0]["pip"][0] == "-e .", "the package itself is installed with pip -e ."
    pip_only = dict(_parse(r) for r in pip_section[0]["pip"][1:])  # packages conda-forge does not carry
    assert not set(pip_only) & set(conda_side), "a package is listed twice"
    assert {**conda_side, **pip_only} == pip_side
