"""The same inputs give the same pages in any checkout: nothing machine-specific reaches a page or the manifest."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from ccgtools import config
from tests.conftest import real_data_path

pytestmark = pytest.mark.e2e

#: Two on bundled data, and one reading ../shared/ (recorded as written, never as an absolute path).
BRIEFINGS = ["survey_by_cluster", "practice_variation_emergency_admissions", "nhs111_iucadc_2025-26"]
COPIED = ("src", "notebooks", "data", "briefings.toml", "pyproject.toml")


def _checkout(root):
    """A copy of the project's code, notebooks and bundled data at ``root`` (another folder, another name)."""
    root.mkdir(parents=True)
    (root.parent / "shared").symlink_to(config.SHARED_DIR)  # ../shared/ beside this checkout too
    for name in COPIED:
        source = config.PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, root / name)
    return root


def _build(root):
    code = ("import sys\nfrom ccgtools import config\nfrom ccgtools.build import build\n"
            f"assert str(config.PROJECT_ROOT) == {str(root)!r}, config.PROJECT_ROOT\n"
            f"outcomes = build(only={BRIEFINGS!r}, jobs=1, log=lambda line: None)\n"
            "sys.exit(0 if all(o.status == 'ok' for o in outcomes) else 1)\n")
    env = {**os.environ, "PYTHONPATH": str(root / "src")}  # the kernel inherits it, so it runs this copy too
    subprocess.run([sys.executable, "-c", code], cwd=root, env=env, check=True, timeout=600)
    return root / "reports"


def test_two_checkouts_build_byte_identical_pages_and_tables(tmp_path):
    real_data_path(config.IUCADC_SAMPLE.name)  # skips without ../shared/ (and so fails under CI)
    first = _build(_checkout(tmp_path / "one" / "ccgtools"))
    second = _build(_checkout(tmp_path / "elsewhere" / "project-copy"))
    published = sorted(p.relative_to(first) for p in first.rglob("*") if p.suffix in (".html", ".csv", ".json")
                       and p.name != "manifest.json" and "_failed" not in p.parts)
    assert len(published) > 10
    for relative in published:
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative
    for reports in (first, second):
        text = (reports / "manifest.json").read_text() + "".join(
            (reports / f"{name}.html").read_text() for name in BRIEFINGS)
        assert str(tmp_path) not in text  # no absolute path of either checkout
    manifest = json.loads((first / "manifest.json").read_text())
    paths = [i["path"] for b in manifest["briefings"].values() for i in b["inputs"]]
    assert {p.split("/")[0] for p in paths} == {"data", ".."}
    assert "../shared/real-data/iucadc_weekly_by_contract_2025-26.csv" in paths
