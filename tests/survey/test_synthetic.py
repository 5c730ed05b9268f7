"""ccgtools.survey.synthetic and synthetic_stakeholders: the seeded generators, the 2012 file reproducing the
figures published on 6 March 2012, and the stakeholder file's planted changes."""

import hashlib

import numpy as np
import pandas as pd

from ccgtools import config
from ccgtools.survey import codebook
from ccgtools.survey.synthetic import make_synthetic_survey, write_synthetic_survey
from ccgtools.survey.synthetic_stakeholders import (
    STAKEHOLDER_DATA,
    make_synthetic_stakeholder_survey,
    write_synthetic_stakeholder_survey,
)

from ..conftest import run_in_fresh_python


def test_bundled_file_is_what_the_seeded_generator_makes(tmp_path):
    regenerated = write_synthetic_survey(tmp_path / "survey.csv")
    assert regenerated.read_bytes() == config.SURVEY_DATA.read_bytes(), "run `make data` and commit data/"


def test_bundled_stakeholder_file_is_what_the_seeded_generator_makes(tmp_path):
    regenerated = write_synthetic_stakeholder_survey(tmp_path / "stakeholders.csv")
    assert regenerated.read_bytes() == STAKEHOLDER_DATA.read_bytes(), "run `make data` and commit data/"


def test_generator_is_reproducible_and_seed_matters():
    # The same seed gives the same file in a fresh interpreter (another hash seed, its own random state).
    here = hashlib.sha256(make_synthetic_survey(1).to_csv(index=False).encode()).hexdigest()
    there = run_in_fresh_python(
        "import hashlib, random, numpy\n"
        "random.seed(3); numpy.random.seed(3)\n"
        "from ccgtools.survey.synthetic import make_synthetic_survey\n"
        "print(hashlib.sha256(make_synthetic_survey(1).to_csv(index=False).encode()).hexdigest())")
    assert there == here
    assert not make_synthetic_survey(1)["cluster"].equals(make_synthetic_survey(2)["cluster"])


def test_importing_the_generator_reads_no_codebook():
    # The codebook is read when the generator is called, not when the module is imported.
    out = run_in_fresh_python(
        "from ccgtools.survey import codebook\n"
        "calls = []\n"
        "original = codebook.read_codebook\n"
        "codebook.read_codebook = lambda *a, **k: calls.append(1) or original(*a, **k)\n"
        "import ccgtools.survey.synthetic as synthetic\n"
        "before = len(calls)\n"
        "synthetic.make_synthetic_survey(1)\n"
        "print(before, len(calls))")
    assert out.split() == ["0", "1"]


def test_respondents_by_cluster_as_published(bundled):
    assert len(bundled) == 95
    assert bundled["cluster"].value_counts().to_dict() == {"North": 32, "Midlands and East": 31, "South": 20,
                                                           "London": 12}


def test_any_seed_reproduces_the_published_figures():
    # The figures of 6 March 2012 (../shared/METHODS.md), each with its own denominator: 80 of 95 not given
    # sufficient information (84%); more than four fifths dissatisfied with the programme; 70.7% dissatisfied
    # with the support offered; "too busy" 19 of 95 (20%); good relationships 26.7%.
    dissatisfied = ["Very dissatisfied", "Fairly dissatisfied"]
    for seed in (config.SURVEY_SEED, 1, 99):
        frame = make_synthetic_survey(seed)
        info = frame["q_sufficient_information"]
        assert (info == "No").sum() == 80 and info.notna().sum() == 95
        programme = frame["q_programme_satisfaction"].dropna()
        assert programme.isin(dissatisfied).mean() > 0.8
        offered = frame["q_support_offered_satisfaction"].dropna()
        assert round(100 * offered.isin(dissatisfied).mean(), 1) == 70.7
        busy = frame["reason_too_busy"]
        assert (busy == "Yes").sum() == 19 and busy.notna().sum() == 95
        good = frame["reason_good_relationships"].dropna()
        assert round(100 * (good == "Yes").mean(), 1) == 26.7


def test_reasons_are_given_only_by_ccgs_that_could_give_them():
    frame = make_synthetic_survey()
    assert set(frame.loc[frame["reason_too_busy"] == "Yes", "provider_choice"]) == {"PCT cluster commissioning support"}
    assert (frame.loc[frame["provider_choice"] == "Undecided", "reason_value_for_money"] != "Yes").all()
    assert set(frame["provider_choice"]) <= set(codebook.read_codebook().question("provider_choice").answers)


def test_stakeholder_file_plants_a_decline_and_an_improvement():
    # Greyholme is planted to decline and Coldmere to improve (logit −1.2 and +1.1); the others unchanged.
    frame = make_synthetic_stakeholder_survey()
    agree = frame[[c for c in frame if c.startswith("q_") and c != "q_recommend"]].isin(["Tend to agree",
                                                                                        "Strongly agree"])
    answered = frame[agree.columns].notna()
    share = (agree.groupby([frame["ccg"], frame["year"]]).sum().sum(axis=1)
             / answered.groupby([frame["ccg"], frame["year"]]).sum().sum(axis=1)).unstack()
    change = share[2025] - share[2024]
    assert change["Greyholme CCG"] < -0.15 and change["Coldmere CCG"] > 0.15
    unchanged = change.drop(["Greyholme CCG", "Coldmere CCG", "Fernleigh CCG"])
    assert np.abs(unchanged).max() < 0.1
    assert isinstance(frame, pd.DataFrame) and frame["respondent_id"].is_unique
