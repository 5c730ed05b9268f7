"""ccgtools.assurance.content and advice: sentences, tables and questions written from what ran."""

import pytest

from ccgtools.assurance import advice, checks, content, load
from ccgtools.page.chart_check import layout_problems

from ..conftest import real_data_path


@pytest.fixture(scope="module")
def bundled():
    inputs = load.load_inputs(load.RETURNS, providers_path=load.PROVIDERS, records_path=load.RECORDS,
                              truth_path=load.TRUTH)
    return checks.assess(inputs.returns, inputs.definitions, inputs.records), inputs


@pytest.fixture(scope="module")
def real():
    returns = load.load_returns(real_data_path("iucadc_weekly_by_contract_2025-26.csv"), layout="iucadc")
    return checks.assess(returns, load.load_definitions().for_layout("iucadc"))


def test_synthetic_headline_counts_and_score(bundled):
    assessment, inputs = bundled
    sentences = content.headline(assessment, inputs.truth)
    counts = assessment.periods["decision"].value_counts()
    assert sentences[0] == (f"Of 72 returns checked, {counts['accept']} can be accepted, {counts['query']} should be "
                            f"queried with the provider and {counts['reject']} rejected.")
    assert sentences[-1].startswith("On this invented data the planted manipulations are known: 6 of 6 kinds were "
                                    "found (15 of 15 manipulated returns queried or rejected)")
    assert content.synthetic_description(load.RETURNS, inputs.returns).startswith("invented monthly returns")
    assert content.synthetic_description("elsewhere.csv", inputs.returns) is None


def test_every_chart_is_legible(bundled, real):
    assessment, _ = bundled
    charts = [content.decision_chart(assessment), content.reconciliation_chart(assessment),
              content.bunching_chart(assessment), *content.spc_charts(assessment, "OOH02"),
              content.decision_chart(real), *content.spc_charts(real, "111AH4")]
    for chart in charts:
        assert layout_problems(chart.figure) == [], chart.name
        assert chart.title and chart.summary and chart.alt_text


def test_tables_withhold_small_counts(bundled):
    assessment, _ = bundled
    table = content.bunching_table(assessment)
    assert table["suppressed"].any() and table["outside"].isna().any() and table["inside"].notna().all()
    assert "Counts of 1 to 7 are withheld" in " ".join(table.attrs["disclosure"])


def test_questions_name_each_provider_periods_and_evidence(bundled):
    assessment, _ = bundled
    table = advice.questions(assessment)
    copied = table[(table["provider_code"] == "OOH06") & (table["check"] == "repeats")].iloc[0]
    assert copied["periods"] == "Nov 2025" and "exactly as in Jun 2025" in copied["evidence"]
    assert table["question"].str.len().min() > 20
    steps = advice.next_steps(assessment)
    assert steps[0].startswith("Do not confirm the ") and steps[-1].startswith("What not to conclude")


def test_real_headline_flags_the_abandoned_defect_and_zero_weeks(real):
    text = " ".join(content.headline(real))
    assert "Calls abandoned cannot be right as published" in text
    assert "fails in all 503 returns with activity" in text
    assert ("29 returns report nothing but zeros: every provider in the week ending 5 Apr 2026 and Bristol, "
            "North Somerset & South Gloucestershire (BRISDOC) (111AI5) in the week ending 28 Dec 2025") in text
    assert "No record-level logs were given" in text
    steps = " ".join(advice.next_steps(real))
    assert "Do not use calls abandoned from these data" in steps and "all-zero returns" in steps
    assert "Do not confirm the" not in steps  # the only rejections are the zeros and the defect
    assert (advice.questions(real)["check"] != "consistency").all()


def test_checks_table_says_what_ran(real):
    table = content.checks_table(real).set_index("Check")
    assert table.loc["Reconciliation with the records", "Ran here"] == "No: needs record-level logs"
    assert table.loc["Internal consistency", "Ran here"] == "Yes"
    assert table.loc["Shift in case mix", "Ran here"] == "No: the returns have no case priorities"


def test_coverage_names_what_the_returns_cover():
    import pandas as pd
    from types import SimpleNamespace

    from ccgtools.assurance import content

    returns = pd.DataFrame({"provider_code": ["A", "B", "A"]})
    assert content.coverage(SimpleNamespace(returns=returns)) == "2 providers in the returns file"
    returns.attrs["layout"] = "iucadc"
    assert content.coverage(SimpleNamespace(returns=returns)) == "England (2 NHS 111 contracts)"
