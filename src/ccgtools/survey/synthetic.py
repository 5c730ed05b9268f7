"""Seeded generator of the bundled synthetic survey of CCGs (2012).

The file it writes is synthetic: no row is a real CCG. It is built so that
every headline figure published on 6 March 2012 (``../shared/METHODS.md``) is
reproduced exactly, each with its own denominator, and otherwise random.
``make data`` (``ccgtools make-data``) regenerates it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from .codebook import read_codebook

#: Respondents per SHA cluster, as published.
CLUSTER_COUNTS = {"London": 12, "North": 32, "Midlands and East": 31, "South": 20}
#: Respondents per provider chosen, in the order of the codebook's answers (PCT cluster, private sector,
#: in-house, undecided).
PROVIDER_TOTALS = (58, 6, 14, 17)

#: Likert answers: counts per category (very dissatisfied … very satisfied); the rest blank.
LIKERT_COUNTS = {
    # 76 of 92 dissatisfied = 82.6%: "more than four fifths".
    "q_programme_satisfaction": (41, 35, 9, 6, 1),
    # 65 of 92 dissatisfied = 70.7%, as published.
    "q_support_offered_satisfaction": (28, 37, 15, 10, 2),
    "q_choice_information_satisfaction": (30, 38, 14, 10, 2),
}

#: Reasons for the choice: (yes, answered, providers who can say yes; None for every decided provider).
REASON_COUNTS = {
    # 19 of 95 = 20%, as published; only CCGs choosing the PCT-cluster offer.
    "reason_too_busy": (19, 95, ("PCT cluster commissioning support",)),
    # 24 of 90 = 26.7%, as published: 5 CCGs left the item blank.
    "reason_good_relationships": (24, 90, ("PCT cluster commissioning support",)),
    "reason_value_for_money": (21, 88, None),
    "reason_quality_of_offer": (17, 89, None),
    "reason_no_local_alternative": (26, 91, ("PCT cluster commissioning support", "In-house")),
    "reason_clinical_control": (15, 90, ("In-house", "Private sector")),
}

_COMMENTS = (
    "We were told the PCT cluster offer was the only realistic option for April.",
    "Too little time to test the market; we need support now, not in two years.",
    "Good people in the cluster team, but we cannot see what the offer will cost.",
    "The information on alternatives arrived after we had to decide.",
    "We would like to buy some services from the private sector but the rules are unclear.",
    "Our board wants clinical leadership of commissioning support, not a PCT rebadged.",
    "Hosting arrangements and staff transfer (TUPE) are still unresolved.",
    "We value the relationships built up with local analysts & contract managers.",
    "Data services are the biggest worry: we still cannot get timely activity data.",
    "The programme feels designed for the centre's needs, not for CCGs.",
    "We have decided to keep contracting and finance in-house.",
    "Undecided until we know the price and the service specification.",
    "Support for QIPP planning has been good; business intelligence less so.",
    "The timetable for authorisation leaves no room for a proper procurement.",
    "Smaller CCGs like ours need a shared offer; we cannot afford a team of our own.",
    "It would help to have a clear 'menu' of services with prices.",
)


def _exact(rng: np.random.Generator, size: int, counts: dict) -> np.ndarray:
    values = np.concatenate([np.repeat(np.array([k], dtype=object), v) for k, v in counts.items()])
    values = np.concatenate([values, np.repeat(np.array([None], dtype=object), size - len(values))])
    return rng.permutation(values)


def _reason_answers(rng: np.random.Generator, providers: np.ndarray, yes: int, answered: int,
                    eligible: tuple[str, ...]) -> np.ndarray:
    """Exactly ``yes`` Yes among eligible providers; blanks fall on undecided CCGs first."""
    size = len(providers)
    answers = np.full(size, "No", dtype=object)
    eligible_idx = rng.permutation(np.flatnonzero(np.isin(providers, eligible)))
    answers[eligible_idx[:yes]] = "Yes"
    others = np.flatnonzero(answers == "No")
    undecided = rng.permutation(others[providers[others] == "Undecided"])
    rest = rng.permutation(others[providers[others] != "Undecided"])
    blanks = np.concatenate([undecided, rest])[: size - answered]
    answers[blanks] = None
    return answers


def make_synthetic_survey(seed: int = config.SURVEY_SEED) -> pd.DataFrame:
    """Build the synthetic respondent-level survey.

    Parameters
    ----------
    seed : int
        Seed of the numpy random generator; the same seed gives the same file.

    Returns
    -------
    pandas.DataFrame
        95 rows, one per responding CCG, in the layout documented in
        ``data/README.md``; blanks (None) are item non-response.
    """
    # The labels are the bundled codebook's (the generator writes the file that codebook describes); read
    # when called, not when imported, so importing the package reads no data file.
    book = read_codebook()
    clusters_in_order = book.grouping("cluster").values
    likert = book.scales["satisfaction"].labels
    providers_in_order = book.question("provider_choice").answers
    rng = np.random.default_rng(seed)
    size = sum(CLUSTER_COUNTS.values())
    clusters = rng.permutation(np.concatenate([[c] * CLUSTER_COUNTS[c] for c in clusters_in_order]))
    # CCG registered populations: log-normal around 230,000; London CCGs somewhat larger.
    population = rng.lognormal(mean=np.log(230_000), sigma=0.55, size=size)
    population *= np.where(clusters == "London", 1.2, 1.0)
    population = (np.clip(population, 60_000, 950_000) / 100).round().astype(int) * 100
    providers = _exact(rng, size, dict(zip(providers_in_order, PROVIDER_TOTALS)))
    frame = pd.DataFrame({
        "respondent_id": [f"R{i:03d}" for i in range(1, size + 1)],
        "cluster": clusters,
        "registered_population": population,
        "q_sufficient_information": _exact(rng, size, {"No": 80, "Yes": 15}),
    })
    for column, counts in LIKERT_COUNTS.items():
        frame[column] = _exact(rng, size, dict(zip(likert, counts)))
    frame["provider_choice"] = providers
    for column, (yes, answered, eligible) in REASON_COUNTS.items():
        frame[column] = _reason_answers(rng, providers, yes, answered, eligible or providers_in_order[:3])
    has_comment = rng.random(size) < 0.4
    frame["comment"] = np.where(has_comment, rng.choice(np.array(_COMMENTS, dtype=object), size), None)
    return frame


def write_synthetic_survey(path: str | Path | None = None, seed: int = config.SURVEY_SEED) -> Path:
    """Write :func:`make_synthetic_survey` to ``path`` (default: the bundled file) as UTF-8 CSV."""
    path = config.resolve_path(path, config.SURVEY_DATA)
    path.parent.mkdir(parents=True, exist_ok=True)
    make_synthetic_survey(seed).to_csv(path, index=False, lineterminator="\n")
    return path
