"""Paths and settings, in one place.

Every path is derived from this file's location, never from the current
working directory, so a notebook executed by papermill (which sets its own
working directory) or opened in JupyterLab finds the same data. Every function
that reads a path also takes it as an argument with one of these as default.
"""

from __future__ import annotations

from pathlib import Path

#: The project root: the folder holding ``pyproject.toml``, ``data/``, ``notebooks/``.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
BUILD_CONFIG = PROJECT_ROOT / "briefings.toml"

#: Shared reference material beside the project (read-only; may be absent).
SHARED_DIR = PROJECT_ROOT.parent / "shared"

#: The bundled synthetic survey of CCGs (see data/README.md).
SURVEY_DATA = DATA_DIR / "survey_commissioning_support_2012_synthetic.csv"
SURVEY_SEED = 20120306

#: The bundled synthetic NHS 111 data, 2013-14 (see data/README.md).
NHS111_CONTRACTS = DATA_DIR / "nhs111_contracts_2013_synthetic.csv"
NHS111_ACTIVITY = DATA_DIR / "nhs111_daily_2013-14_synthetic.csv"
NHS111_SEED = 2013
#: Real IUC ADC sample and its contract lookup, beside the project (may be absent).
IUCADC_SAMPLE = SHARED_DIR / "real-data" / "iucadc_weekly_by_contract_2025-26.csv"
IUCADC_LOOKUP = SHARED_DIR / "real-data" / "iucadc_contract_lookup.csv"

#: Jupyter kernel used to execute briefings (the interpreter running ccgtools).
KERNEL_NAME = "python3"

#: Default statistical disclosure rule for surveys: results based on fewer
#: than this many responses are not published (GP Patient Survey rule).
SURVEY_MIN_RESPONSES = 10


def resolve_path(path: str | Path | None, default: Path) -> Path:
    """Return ``path`` as an absolute Path, or ``default`` when it is None or empty.

    A relative path is taken relative to the project root, so that notebook
    parameters such as ``"data/my_survey.csv"`` work wherever the kernel runs.
    """
    if path is None or str(path).strip() == "":
        return default
    candidate = Path(path).expanduser()
    if not candidate.is_absolute():
        candidate = (PROJECT_ROOT / candidate).resolve()
    return candidate
