"""ccgtools.survey.compare and charts: one unit beside all units and its previous survey, in the codebook's words."""

import numpy as np
import pandas as pd
import pytest

from ccgtools.survey import compare, load, weighting
from ccgtools.survey.charts import comparison_chart, likert_chart


@pytest.fixture(scope="module")
def greyholme(stakeholders):
    raking = weighting.survey_weights(stakeholders)
    return compare.focus_comparison(stakeholders, load.in_scope(stakeholders, focus="greyholme_ccg"),
                                    weights=raking.weights)


def test_the_unit_is_named_with_the_codebooks_noun(stakeholders, greyholme):
    book = stakeholders.attrs["codebook"]
    assert compare.unit_plural(book) == "CCGs"  # the [comparison] unit's grouping label, in the plural
    chart = comparison_chart(greyholme.table, focus="Greyholme CCG", name="x", title="x", respondents="stakeholders",
                             units=compare.unit_plural(book))
    assert chart.summary.startswith("Greyholme CCG's largest gap from the other CCGs is on “")
    assert "units" not in chart.summary and "the other CCGs and its previous survey" in chart.alt_text


def test_the_chart_sentence_quotes_the_largest_gap_from_all(greyholme):
    chart = comparison_chart(greyholme.table, focus="Greyholme CCG", name="x", title="x", respondents="stakeholders",
                             units="CCGs")
    rows = greyholme.table.dropna(subset=["percent"])
    mine = rows[rows["role"] == "focus"].set_index("question_text")["percent"]
    everyone = rows[rows["role"] == "others"].set_index("question_text")["percent"]
    widest = (mine - everyone).abs().idxmax()
    assert f"“{widest}”: {mine[widest]:.0f}% against {everyone[widest]:.0f}%" in chart.summary


def test_headline_quotes_the_other_units_share_as_focus_minus_difference(stakeholders, greyholme):
    book = stakeholders.attrs["codebook"]
    sentence = compare.focus_headline(greyholme, book)[0]
    tests = greyholme.tests[greyholme.tests["comparison"].str.contains("other CCGs")]
    differ = tests[tests["differs"].astype(bool)]
    widest = differ.loc[differ["difference_points"].abs().idxmax()]
    # The other CCGs' share, computed independently: weighted share of the other CCGs in 2025.
    raking = weighting.survey_weights(stakeholders)
    others = stakeholders[(stakeholders["ccg"] != "Greyholme CCG") & (stakeholders["year"] == 2025)]
    column = widest["question"]
    answered = others[column].notna()
    hit = others.loc[answered, column].isin(book.question(column).headline)
    share = 100 * np.average(hit, weights=raking.weights[others.index[answered]])
    mine = greyholme.table.set_index(["role", "question"]).loc[("focus", column), "percent"]
    # the gap quoted is the difference of the two whole percentages shown, so the reader's arithmetic agrees
    assert f"against {share:.0f}% ({abs(mine - round(share)):.0f} percentage points lower)" in sentence
    assert f"on {len(differ)} of {len(tests)} questions" in sentence


def test_gap_range_gives_the_spread_in_words():
    tests = pd.DataFrame({"difference_points": [-10.3, 22.4, np.nan, 5.0]})
    assert compare.gap_range(tests) == " (gaps from 10 points lower to 22 points higher)"
    assert compare.gap_range(tests.iloc[2:3]) == ""
    assert compare.gap_range(pd.DataFrame({"difference_points": [3.2, 2.8]})) == " (every gap 3 points higher)"
    assert compare.gap_range(pd.DataFrame({"difference_points": [-0.6, 0.2, 9]})) == \
        " (gaps from 1 point lower to 9 points higher)"
    assert compare.gap_range(pd.DataFrame({"difference_points": [0.2, 9]})) == " (gaps of 0 to 9 points higher)"


def test_likert_sentence_gives_the_range_and_warns_when_it_is_narrow(bundled):
    from ccgtools.survey import analysis

    book = bundled.attrs["codebook"]
    [questions] = analysis.scales_used(book)
    distribution = analysis.likert_distribution(bundled, questions)
    chart = likert_chart(distribution, respondents="CCGs", name="x", title="x")
    # Dissatisfied: 76 of 92 (83%) for the programme, 65 of 92 (71%) for the support offered.
    assert chart.summary.startswith("Dissatisfied answers ranged from 71% of those that answered “How satisfied are "
                                    "you with the commissioning support being offered to you?” to 83% for")
    assert "may be chance" not in chart.summary  # 12 points apart
    narrow = distribution.copy()
    narrow.attrs = dict(distribution.attrs)
    narrow.iloc[0, :5] = narrow.iloc[1, :5].to_numpy()
    narrow.iloc[2, :5] = narrow.iloc[1, :5].to_numpy()
    narrow.iloc[2, 0] += 4
    narrow.iloc[2, 4] -= 4
    assert "may be chance" in likert_chart(narrow, respondents="CCGs", name="x", title="x").summary


def test_one_differing_question_is_not_called_all_of_them(stakeholders, greyholme):
    book = stakeholders.attrs["codebook"]
    tests = greyholme.tests.copy()
    family = tests["comparison"].str.contains("other CCGs")
    tests["differs"] = pd.array([False] * len(tests), dtype="boolean")
    tests.loc[family[family].index[0], "differs"] = True  # exactly one question differs from the other CCGs
    one = compare.Comparison(greyholme.table, tests, greyholme.focus, greyholme.period, greyholme.previous)
    sentence = compare.focus_headline(one, book)[0]
    assert "on 1 of 6 questions" in sentence and "all of them" not in sentence
    tests.loc[family, "differs"] = True
    every = compare.focus_headline(compare.Comparison(greyholme.table, tests, greyholme.focus, greyholme.period,
                                                      greyholme.previous), book)[0]
    assert "on 6 of 6 questions" in every


def test_the_planted_box_matches_the_generator_and_the_pages_own_tests(stakeholders):
    from ccgtools.survey.synthetic_stakeholders import PLANTED, THEMES

    book = stakeholders.attrs["codebook"]
    # The codebook's record of what was planted is the generator's, sign for sign and theme for theme.
    assert book.planted == {ccg: "higher" if shift > 0 else "lower" for ccg, shift in PLANTED.items()}
    assert set(book.planted_questions) == {f"q_{t}" for t in THEMES}
    raking = weighting.survey_weights(stakeholders)
    for ccg in book.grouping("ccg").values:
        comparison = compare.focus_comparison(stakeholders, load.in_scope(stakeholders, focus=ccg),
                                              weights=raking.weights)
        notes = compare.planted_notes(comparison, book, synthetic=True)
        past = comparison.tests[comparison.tests["comparison"].str.contains("2024")
                                & comparison.tests["question"].isin(book.planted_questions)]
        moved = past[past["differs"].astype(bool)]
        if ccg in PLANTED:
            right = int((np.sign(moved["difference_points"]) == np.sign(PLANTED[ccg])).sum())
            assert f"found it on {right} of the 5 questions" in notes[0]
        elif len(moved):
            assert f"finds on {len(moved)} of the 5 agreement questions is a false alarm" in notes[0]
        else:
            assert ("On the 5 agreement questions (those on which other CCGs had a change planted), this page finds "
                    "no change larger than chance against 2024, as expected") in notes[0]
    assert compare.planted_notes(comparison, book, synthetic=False) == []


def test_likert_chart_with_every_question_withheld_says_so(bundled):
    from ccgtools.page.chart_check import layout_problems
    from ccgtools.survey import analysis

    [questions] = analysis.scales_used(bundled.attrs["codebook"])
    distribution = analysis.likert_distribution(bundled, questions)
    empty = distribution.iloc[0:0].copy()
    empty.attrs = dict(distribution.attrs)
    chart = likert_chart(empty, respondents="CCGs", name="x", title="x")
    assert chart.summary.startswith("No question had enough answers") and layout_problems(chart.figure) == []


def test_the_planted_box_says_what_else_the_generator_built_in(stakeholders):
    """The generator gives stakeholder types their own level (GPs and the voluntary sector agree less); the page
    must not let "no clear difference between types" read as "no difference was planted"."""
    from ccgtools.survey.synthetic_stakeholders import make_synthetic_stakeholder_survey

    book = stakeholders.attrs["codebook"]
    frame = make_synthetic_stakeholder_survey()
    agree = frame["q_engagement"].isin(book.question("q_engagement").headline)
    by_type = agree.groupby(frame["stakeholder_type"]).mean()
    assert by_type["Member GP practice"] < by_type["NHS provider"] and by_type["Voluntary sector"] < by_type["Healthwatch"]
    comparison = compare.focus_comparison(stakeholders, load.in_scope(stakeholders, focus="Abbeyvale CCG"))
    notes = compare.planted_notes(comparison, book, synthetic=True)
    assert notes[-1] == book.planted_note and "member GP practices and the voluntary sector agree less" in notes[-1]
