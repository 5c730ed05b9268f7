"""ccgtools.survey.content: headline sentences, the published-figures check, comments and methods."""

import json
from collections import Counter

import pandas as pd

from ccgtools.survey import analysis, content

from ..conftest import run_in_fresh_python


def test_published_comparison_all_agree_on_bundled_data(bundled):
    comparison = content.published_comparison(bundled)
    assert len(comparison) == len(content.PUBLISHED_FIGURES)
    assert comparison["agrees"].all()


def test_published_comparison_detects_disagreement(bundled):
    altered = bundled.copy()
    altered.loc[altered["q_sufficient_information"] == "No", "q_sufficient_information"] = "Yes"
    comparison = content.published_comparison(altered).set_index("statement")
    assert not comparison.iloc[0]["agrees"]


def test_published_comparison_empty_for_other_files(bundled, tmp_path):
    other = tmp_path / "mine.csv"
    other.write_text("x")
    assert content.published_comparison(bundled, other).empty


def test_headline_sentences_quote_computed_numbers(bundled):
    summary = analysis.question_summary(bundled)
    sentences = content.headline_findings(summary, bundled)
    assert sentences[0].startswith("84% of responding CCGs (80 of 95 who answered)")
    assert any("58 of 95" in s for s in sentences)


def test_fpc_is_stated_in_methods():
    assert any("finite population correction was applied, for a population of 254" in n
               for n in content.methods_notes(population_size=254))
    assert any("No finite population correction" in n for n in content.methods_notes())


def test_comments_are_a_reproducible_selection(bundled):
    # Reproducible means the same in a fresh interpreter (another hash seed, its own random state),
    # not just twice in this one; and it is a selection: distinct, non-blank comments of the file.
    chosen = content.selected_comments(bundled, 3)
    again = run_in_fresh_python(
        "import json, random, numpy\n"
        "random.seed(7); numpy.random.seed(7)\n"
        "from ccgtools.survey import content, load\n"
        "print(json.dumps(content.selected_comments(load.load_survey(), 3)))")
    assert json.loads(again) == chosen
    # Distinct rows (the invented file repeats some comments word for word, so compare multiplicities).
    in_file = Counter(bundled["comment"].dropna())
    assert len(chosen) == 3 and all(0 < n <= in_file[c] for c, n in Counter(chosen).items())
    assert all(c.strip() for c in chosen)
    assert content.selected_comments(bundled, 3, seed=1) != chosen  # the seed, not the file order, chooses


def test_calibration_uses_the_published_definition_with_undecided_ccgs(bundled):
    # The report's 20% is 19 of all 95 respondents, undecided CCGs included.
    row = content.published_comparison(bundled).set_index("statement").iloc[3]
    assert (row["numerator"], row["answered"]) == (19, 95)
    assert content.calibration_notes(content.published_comparison(bundled))[0].startswith(
        "The synthetic file reproduces all 5 published figures.")


def test_synthetic_description_only_for_the_bundled_file(tmp_path):
    assert "not the real survey returns" in content.synthetic_description(None, 95)
    assert content.synthetic_description(tmp_path / "mine.csv", 95) is None


def test_invented_comments_are_labelled_only_for_the_bundled_file(bundled, tmp_path):
    comments = content.selected_comments(bundled, 2)
    assert all(c.startswith("(Invented) ") for c in content.label_comments(comments, None))
    assert content.label_comments(comments, tmp_path / "mine.csv") == comments
    assert "not said by any CCG" in content.comments_intro(None)


def test_response_rate_hand_worked():
    # 95 / 254 = 0.374 → 37%.
    assert content.response_rate_notes(95, 254)[0].startswith("95 of the 254 emerging CCGs replied (37%).")
    assert "not known" in content.response_rate_notes(95, None)[0]


def _reasons(rows):
    return pd.DataFrame([{"question": f"reason_{i}", "finding": f"chose their provider for r{i}", "numerator": n,
                          "answered": 50, "percent": p, "lower": lo, "upper": hi, "suppressed": False}
                         for i, (n, p, lo, hi) in enumerate(rows)])


def test_most_common_reason_only_when_intervals_separate():
    separate = content.reason_sentence(_reasons([(30, 60.0, 46.0, 72.0), (10, 20.0, 11.0, 33.0)]))
    assert "the most common reason given was: for r0" in separate
    overlap = content.reason_sentence(_reasons([(20, 40.0, 27.0, 54.0), (16, 32.0, 21.0, 46.0),
                                                (5, 10.0, 4.0, 21.0)]))
    assert "among the most common reasons were: for r0 (20 of 50, 40%) and for r1 (16 of 50, 32%)" in overlap
    assert "r2" not in overlap


def test_bundled_headline_does_not_call_one_reason_most_common(bundled):
    # Every reason's interval overlaps the top one's on the bundled file.
    sentences = content.headline_findings(analysis.question_summary(bundled), bundled)
    assert not any("The most common reason" in s for s in sentences)
    assert any("among the most common reasons" in s for s in sentences)


def test_group_test_notes_say_differ_only_below_adjusted_threshold():
    tests = pd.DataFrame({"finding": ["said a", "said b"], "p_value": [0.043, 0.001],
                          "p_adjusted": [0.043, 0.002], "differs": [True, True]})
    notes = content.group_test_notes(tests, "cluster")
    assert sum("differs by cluster" in n for n in notes) == 2
    none = tests.assign(p_adjusted=[0.086, 0.086], differs=[False, False])
    notes = content.group_test_notes(none, "cluster")
    assert not any("differs by cluster" in n for n in notes) and any("No question" in n for n in notes)
    assert content.group_test_notes(tests.iloc[0:0], "cluster") == []
