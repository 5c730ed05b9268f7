"""The reference tables shipped in tests/reference/: unchanged copies of the published originals."""

import hashlib

import pytest

from .conftest import REFERENCE, SHARED


def _checksums() -> dict[str, str]:
    """File → SHA-256 as recorded in tests/reference/SHA256SUMS."""
    lines = (REFERENCE / "SHA256SUMS").read_text().splitlines()
    return {name: digest for digest, name in (line.split(maxsplit=1) for line in lines if line.strip())}


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_shipped_table_is_listed_with_its_checksum():
    recorded = _checksums()
    shipped = {str(p.relative_to(REFERENCE)) for p in REFERENCE.rglob("*") if p.is_file()} - {"SHA256SUMS", "README.md"}
    assert shipped == set(recorded) and len(shipped) >= 14
    for name, digest in recorded.items():
        assert _sha256(REFERENCE / name) == digest, f"{name} differs from the copy recorded in SHA256SUMS"


def test_source_and_licence_are_stated():
    readme = (REFERENCE / "README.md").read_text()
    assert "PHEindicatormethods 2.1.0" in readme and "GPL-3" in readme
    assert "FunnelPlotR 0.6.0" in readme and "MIT" in readme


@pytest.mark.parametrize("name", sorted(_checksums()))
def test_shipped_table_is_the_published_original(name):
    original = SHARED / "reference" / name
    if not original.is_file():
        pytest.skip(f"../shared/reference/{name} not on this machine to compare with")
    assert _sha256(original) == _sha256(REFERENCE / name)
