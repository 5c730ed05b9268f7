"""A pytest plugin: under ``CI=true`` a skipped test is a failed test.

Locally a test may skip when what it needs is not on the machine (the real NHS files of
``../shared/real-data/``, Chromium, an optional package), and ``-ra`` lists each skip with its reason
in the summary. In CI everything is installed and ``../shared/`` is beside the clone, so a skip there
means a check silently did not run: the plugin turns it into a failure that quotes the skip reason.
Expected failures (``xfail``) are left alone. Loaded by ``tests/conftest.py``.
"""

from __future__ import annotations

import os

import pytest

#: Values of the CI variable that mean "running in CI" (GitHub and most CI services set "true").
CI_VALUES = ("true", "1", "yes")


def in_ci() -> bool:
    """True when the environment variable CI says the tests run in continuous integration."""
    return os.environ.get("CI", "").strip().lower() in CI_VALUES


def _reason(report) -> str:
    """The reason a skip report gives (pytest stores it as (file, line, reason))."""
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return reason.removeprefix("Skipped: ")


def _fail_instead_of_skip(report) -> None:
    """Turn a skip report into a failure naming the skip reason, when in CI."""
    if report.skipped and in_ci() and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every test must run: {_reason(report)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Skips of a test (in setup or in its body) fail under CI."""
    outcome = yield
    _fail_instead_of_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """Skips of a whole module at collection (``allow_module_level``, ``importorskip``) fail under CI."""
    outcome = yield
    _fail_instead_of_skip(outcome.get_result())
