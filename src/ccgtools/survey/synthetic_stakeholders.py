"""Seeded generator of the bundled synthetic CCG 360° stakeholder survey (two years, eight invented CCGs).

Each row is one stakeholder (a member GP practice, a provider, a local authority, Healthwatch or a
voluntary organisation) rating one invented CCG on five-point agreement scales on several themes, in
2024 and 2025. Stakeholder types reply at different rates, so the respondents do not match the mix
invited: the codebook's population margins (the mix invited) weight them back. Each CCG has its own
true level on each theme, with two CCGs planted to improve and one to decline between the years; no
row is a real CCG or person. ``ccgtools make-data`` writes it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import config

STAKEHOLDER_DATA = config.DATA_DIR / "survey_ccg_360_stakeholder_synthetic.csv"
STAKEHOLDER_SEED = 360
CCGS = ("Abbeyvale CCG", "Brackenford CCG", "Coldmere CCG", "Dunholt CCG", "Eastwick CCG", "Fernleigh CCG",
        "Greyholme CCG", "Harrowdale CCG")
YEARS = (2024, 2025)
#: Stakeholder types, the share of each invited, and the share of those invited that reply.
STAKEHOLDERS = {"Member GP practice": (0.45, 0.55), "NHS provider": (0.20, 0.80), "Local authority": (0.15, 0.70),
                "Healthwatch": (0.05, 0.90), "Voluntary sector": (0.15, 0.35)}
AGREEMENT = ("Strongly disagree", "Tend to disagree", "Neither agree nor disagree", "Tend to agree", "Strongly agree")
THEMES = ("engagement", "leadership", "plans", "communication", "partnership")
INVITED_PER_CCG = 120
#: Planted changes from 2024 to 2025 (logit of agreeing): two CCGs improve, one declines.
PLANTED = {"Coldmere CCG": 1.1, "Fernleigh CCG": 0.9, "Greyholme CCG": -1.2}
_COMMENTS = (
    "The CCG listens, but we rarely hear what changed as a result.",
    "Good working relationship with the locality team; call me on 01632 960123 to discuss.",
    "Plans are clear at board level but not shared with practices early enough.",
    "Dr Hartley's clinical leadership has made a real difference this year.",
    "We would welcome more joint work on discharge with the local authority.",
    "Communication has improved since the new newsletter: contact comms@example.org.",
    "Voluntary sector partners are still brought in too late.",
    "Meetings are well run but decisions take too long.",
)


def make_synthetic_stakeholder_survey(seed: int = STAKEHOLDER_SEED) -> pd.DataFrame:
    """Build the synthetic 360° stakeholder survey.

    Returns
    -------
    pandas.DataFrame
        One row per responding stakeholder: respondent_id, year, ccg, stakeholder_type, one column per
        theme (``q_<theme>``, five-point agreement, blanks are item non-response), ``q_recommend`` (yes/no)
        and ``comment`` (free text with planted names and contact details, which the page must remove).
    """
    rng = np.random.default_rng(seed)
    types = list(STAKEHOLDERS)
    invited_shares = np.array([STAKEHOLDERS[t][0] for t in types])
    reply_rates = np.array([STAKEHOLDERS[t][1] for t in types])
    ccg_level = {ccg: rng.normal(0.6, 0.5) for ccg in CCGS}
    theme_level = dict(zip(THEMES, rng.normal(0, 0.35, len(THEMES))))
    type_effect = dict(zip(types, (-0.5, 0.3, 0.1, 0.4, -0.3)))  # GPs and the voluntary sector more critical
    cut_points = np.array([-2.2, -1.0, 0.0, 1.4])
    rows = []
    for year in YEARS:
        for ccg in CCGS:
            invited = rng.multinomial(INVITED_PER_CCG, invited_shares)
            replied = rng.binomial(invited, reply_rates)
            for kind, count in zip(types, replied):
                for _ in range(count):
                    row = {"year": year, "ccg": ccg, "stakeholder_type": kind}
                    person = rng.normal(0, 0.6)
                    for theme in THEMES:
                        latent = (ccg_level[ccg] + theme_level[theme] + type_effect[kind] + person
                                  + (PLANTED.get(ccg, 0.0) if year == YEARS[1] else 0.0) + rng.logistic(0, 0.8))
                        answer = AGREEMENT[int(np.searchsorted(cut_points, latent))]
                        row[f"q_{theme}"] = answer if rng.random() > 0.04 else None
                    recommend = ccg_level[ccg] + type_effect[kind] + person + rng.logistic(0, 1) > 0
                    row["q_recommend"] = ("Yes" if recommend else "No") if rng.random() > 0.03 else None
                    row["comment"] = rng.choice(np.array(_COMMENTS, dtype=object)) if rng.random() < 0.15 else None
                    rows.append(row)
    frame = pd.DataFrame(rows)
    frame.insert(0, "respondent_id", [f"S{i:05d}" for i in range(1, len(frame) + 1)])
    return frame


def write_synthetic_stakeholder_survey(path: str | Path | None = None, seed: int = STAKEHOLDER_SEED) -> Path:
    """Write :func:`make_synthetic_stakeholder_survey` to ``path`` (default: the bundled file) as UTF-8 CSV."""
    path = config.resolve_path(path, STAKEHOLDER_DATA)
    path.parent.mkdir(parents=True, exist_ok=True)
    make_synthetic_stakeholder_survey(seed).to_csv(path, index=False, lineterminator="\n")
    return path
