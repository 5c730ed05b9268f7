"""End to end: every notebook executed with papermill on the bundled data, and the published HTML."""

import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from ccgtools import build, config
from ccgtools.nhs111.synthetic import PLANTED_UNDERPERFORMERS

from .conftest import real_data_path

pytestmark = pytest.mark.e2e


class _ResourceFinder(HTMLParser):
    """Collects external references and structural facts from a published page."""

    def __init__(self):
        super().__init__()
        self.references, self.h1, self.images, self.lang = [], 0, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "h1":
            self.h1 += 1
        if tag == "img" or (tag == "svg" and attrs.get("role") == "img"):
            self.images.append(attrs)
        for key in ("src", "href"):
            if attrs.get(key):
                self.references.append((tag, attrs[key]))


def _inspect(html: str) -> _ResourceFinder:
    finder = _ResourceFinder()
    finder.feed(html)
    return finder


def test_every_configured_briefing_publishes(site):
    reports, outcomes = site
    built = [o for o in outcomes if o.status != "skipped"]
    assert built and all(o.status == "ok" for o in built), [o.error for o in built]
    for outcome in built:
        assert (reports / f"{outcome.briefing.name}.html").is_file()
        assert (reports / outcome.briefing.name / f"{outcome.briefing.name}.ipynb").is_file()
    index = (reports / "index.html").read_text()
    for outcome in built:
        assert f'href="{outcome.briefing.name}.html"' in index


def test_published_figures_in_the_rendered_briefing(site):
    reports, _ = site
    comparison = pd.read_csv(reports / "survey_by_cluster" / "published_comparison.csv")
    assert len(comparison) == 5 and comparison["agrees"].all()
    summary = pd.read_csv(reports / "survey_by_cluster" / "question_summary.csv").set_index("question")
    assert summary.loc["q_sufficient_information", ["numerator", "answered"]].tolist() == [80, 95]
    assert round(summary.loc["q_support_offered_satisfaction", "percent"], 1) == 70.7
    html = (reports / "survey_by_cluster.html").read_text()
    assert "84% of responding CCGs (80 of 95 who answered)" in html
    # The table is a calibration check of the synthetic file, and the comments are labelled invented.
    assert "Calibration check: the synthetic file reproduces the published figures" in html
    assert "Against the figures published" not in html
    assert "not said by any CCG" in html and "(Invented) " in html and "as written" not in html


def test_survey_pages_adjust_tests_and_state_the_response_rate(site):
    reports, _ = site
    from bs4 import BeautifulSoup
    for name in ("survey_by_cluster", "survey_by_provider"):
        text = " ".join(BeautifulSoup((reports / f"{name}.html").read_text(), "html.parser").get_text(" ").split())
        assert "95 of the 254 emerging CCGs replied (37%)" in text
        assert "Holm" in text and "really differ" not in text
        assert "The most common reason" not in text  # the reasons' intervals overlap on the bundled file
        tests = pd.read_csv(reports / name / "association_tests.csv")
        assert {"p_value", "p_adjusted"} <= set(tests.columns)
        assert (tests["p_adjusted"] >= tests["p_value"]).all()
    by_provider = pd.read_csv(reports / "survey_by_provider" / "association_tests.csv")
    assert not by_provider["question"].str.startswith("reason_").any()


def test_different_grouping_changes_the_breakdown(site):
    reports, _ = site
    by_cluster = pd.read_csv(reports / "survey_by_cluster" / "group_breakdown.csv")
    by_provider = pd.read_csv(reports / "survey_by_provider" / "group_breakdown.csv")
    assert set(by_cluster["group"]) == {"London", "North", "Midlands and East", "South"}
    assert set(by_provider["group"]) == {"PCT cluster commissioning support", "Private sector", "In-house",
                                         "Undecided"}
    # 6 CCGs chose the private sector: below the threshold of 10, so suppressed.
    private = by_provider[by_provider["group"] == "Private sector"]
    assert private["suppressed"].all() and private["numerator"].isna().all()
    # No suppressed cell comes back by subtraction from the question summary published on the same page.
    summary = pd.read_csv(reports / "survey_by_provider" / "question_summary.csv").set_index("question")
    for question, rows in by_provider.groupby("question"):
        shown = rows[~rows["suppressed"]]
        left_numerator = summary.loc[question, "numerator"] - shown["numerator"].sum()
        left_base = summary.loc[question, "answered"] - shown["answered"].sum()
        assert rows["suppressed"].sum() != 1 and 0 < left_numerator < left_base, question


def test_html_has_no_code_and_no_external_requests(site):
    reports, outcomes = site
    for outcome in (o for o in outcomes if o.status == "ok"):
        _check_page((reports / f"{outcome.briefing.name}.html").read_text())


def _check_page(html: str) -> None:
    page = _inspect(html)
    assert page.lang == "en-GB"
    assert page.h1 == 1
    assert "jp-CodeMirrorEditor" not in html and 'class="highlight' not in html
    assert "from ccgtools import" not in html and "publish.show" not in html
    assert "notebook guide" not in html  # the notebook-only cell is left out
    external = [r for r in page.references if r[1].startswith(("http://", "https://", "//"))]
    assert not external
    assert "<script" not in html  # no JavaScript at all
    names = [img.get("alt") or img.get("aria-label") for img in page.images]  # charts are inline SVG
    assert names and all(name and "No description" not in name for name in names)
    assert "SHA-256" in html and "Parameters" in html  # provenance footer


def test_free_text_script_is_escaped(tmp_path, survey_frame):
    survey_frame["comment"] = None
    survey_frame.loc[0, "comment"] = "<script>alert('owned')</script> Contact me: a.person@example.org"
    data = tmp_path / "survey.csv"
    survey_frame.to_csv(data, index=False)
    toml = tmp_path / "b.toml"
    toml.write_text(f'[[briefing]]\nname = "escaped"\ntitle = "E"\n'
                    f'notebook = "notebooks/survey_commissioning_support.ipynb"\n'
                    f'parameters = {{ data_path = "{data}" }}\n')
    outcomes = build.build(toml, tmp_path / "reports", log=lambda line: None)
    assert outcomes[0].status == "ok", outcomes[0].error
    html = (tmp_path / "reports" / "escaped.html").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;alert('owned')&lt;/script&gt;" in html
    assert "a.person@example.org" not in html
    # A user's own file: no calibration section, no synthetic labels, comments introduced as written.
    assert "Calibration check" not in html and "Not shown:" not in html
    assert "(Invented)" not in html and "not said by any CCG" not in html
    assert "as written by the responding CCGs" in html
    manifest = json.loads((tmp_path / "reports" / "manifest.json").read_text())
    # Recorded relative to the project root, as every input is (the same page in any checkout).
    # (the survey's codebook is read too, so the data file is one of the inputs).
    inputs = [i["path"] for i in manifest["briefings"]["escaped"]["inputs"]]
    assert Path(os.path.relpath(data, config.PROJECT_ROOT)).as_posix() in inputs
    assert "data/survey_commissioning_support_2012.codebook.toml" in inputs


def test_nhs111_briefing_names_credible_underperformers(site):
    reports, _ = site
    html = (reports / "nhs111_contracts_2013.html").read_text()
    ranks = pd.read_csv(reports / "nhs111_contracts_2013" / "contract_kpis.csv")
    # The bundled file plants underperformers (nhs111.synthetic.PLANTED_UNDERPERFORMERS, worse on every
    # KPI), so the right headline names credibly worse contracts, and only planted ones.
    assert "No contract is outside the adjusted" not in html
    worse = set(ranks.loc[ranks["funnel_position"] == "worse than expected", "contract_name"])
    assert worse and worse <= set(PLANTED_UNDERPERFORMERS)
    credibly_worse = html.split("Credibly worse than the rest, outside the adjusted 99.8% funnel limits: ")[1]
    assert all(name in credibly_worse.split(".")[0] for name in worse)
    assert ranks["contract_code"].nunique() == 46
    assert set(ranks["kpi"]) == {"Calls answered within 60 seconds", "Calls abandoned after waiting over 30 seconds",
                                 "Clinical call-backs within 10 minutes"}
    assert (reports / "nhs111_contracts_2013" / "focus_window.csv").is_file()  # Easter 2013, day by day
    # Invented data on invented contracts, and the page says so; no real 2013 contract area is judged.
    from bs4 import BeautifulSoup
    text = BeautifulSoup(html, "html.parser").get_text(" ")
    assert "not real NHS data" in text and "fictional NHS 111 contracts" in text
    for real_area in ("Cambridgeshire and Peterborough", "Sussex", "Black Country", "North Essex", "Isle of Wight",
                      "Yorkshire and the Humber"):
        assert real_area not in text
    assert "planted underperformers are known" in text
    assert '"The bottom fifth" means the worst 10 of 46 contracts' in text
    assert "φ =" not in text and "Composite z" not in text


def test_real_iucadc_briefing_reports_the_abandoned_calls_defect(site):
    reports, outcomes = site
    real_data_path(config.IUCADC_SAMPLE.name)  # skips without the real file (and so fails under CI)
    outcome = {o.briefing.name: o for o in outcomes}["nhs111_iucadc_2025-26"]
    assert outcome.status == "ok", outcome.error
    html = (reports / "nhs111_iucadc_2025-26.html").read_text()
    assert "abandoned-calls KPI left out" in html and "abandoned equals received" in html
    ranks = pd.read_csv(reports / "nhs111_iucadc_2025-26" / "contract_kpis.csv")
    assert set(ranks["kpi"]) == {"Calls answered within 60 seconds"}  # never ranked on abandoned calls
    # Sections whose analysis did not run are not on the page: one KPI has no composite, no window was asked for.
    from bs4 import BeautifulSoup
    text = BeautifulSoup(html, "html.parser").get_text(" ")
    assert "combined view" not in text.lower() and "composite" not in text.lower()
    assert "closer look" not in text.lower() and "Easter" not in text
    assert "not real NHS data" not in text
    assert "24 November 2025 to 29 March 2026" in text  # the first week ending 30 November began on the 24th


def _practice_page_text(reports, name):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((reports / f"{name}.html").read_text(), "html.parser")
    return " ".join(soup.get_text(" ").split())


def _false_alarms(reports, indicator) -> int:
    """Practices outside the adjusted limits in the published funnel CSV that were not planted as outliers
    (the generator's ground truth, data/gp_ground_truth_synthetic.csv)."""
    funnel = pd.read_csv(reports / f"practice_variation_{indicator}" / f"funnel_{indicator}.csv")
    truth = pd.read_csv(config.DATA_DIR / "gp_ground_truth_synthetic.csv").query("indicator == @indicator")
    planted = set(truth.loc[truth["planted_outlier"], "practice_code"])
    outside = funnel["funnel_position"].notna() & (funnel["funnel_position"] != "within limits")
    return int((outside & ~funnel["practice_code"].isin(planted)).sum())


def test_synthetic_practice_pages_say_so_and_count_false_alarms_against_expected(site):
    reports, outcomes = site
    built = {o.briefing.name for o in outcomes if o.status == "ok"}
    for indicator in ("emergency_admissions", "ae_attendances", "antibiotic_items", "outpatient_referrals"):
        name = f"practice_variation_{indicator}"
        assert name in built
        text = _practice_page_text(reports, name)
        assert "invented practices" in text and "not real NHS data" in text
        alarms = _false_alarms(reports, indicator)
        assert f"with {alarms} false alarm{'' if alarms == 1 else 's'} among the" in text, indicator
        assert "lead one to expect about" in text
        assert "allowing for the age and sex of their patients, " in text and " are flagged" in text
        assert "not explained by the patients" in text
        assert "should not be challenged" not in text and "per SD (0.4)" not in text
        steps = pd.read_csv(reports / name / "flag_steps.csv")
        assert steps["step"].tolist()[0] == "Crude rate" and len(steps) == 4


def test_real_qof_practice_page_has_only_what_ran(site):
    reports, outcomes = site
    name = "practice_variation_qof_smoking_2023-24"
    for needed in ("fingertips_91547_qof_smoking_prev_gp_2022-24.csv", "fingertips_93553_imd2019_by_practice.csv"):
        real_data_path(needed)  # skips without the real files (and so fails under CI)
    outcome = {o.briefing.name: o for o in outcomes}[name]
    assert outcome.status == "ok", outcome.error
    text = _practice_page_text(reports, name)
    assert "invented" not in text and "(synthetic)" not in text and "Synthetic data" not in text
    assert "university practice" not in text.lower() and "emergency admissions" not in text.lower()
    assert "Indirect standardisation" not in text and "Age-sex ratio" not in text
    assert "does not standardise for age and sex" in text and "rural" not in text.lower()
