"""ccgtools.survey.content: headline sentences, the published-figures check, comments and methods, each computed
from the data and worded from the codebook."""

import json
from collections import Counter

import pandas as pd

from ccgtools.survey import analysis, codebook, content

from ..conftest import run_in_fresh_python
from .conftest import STAKEHOLDER_CODEBOOK

BOOK = codebook.read_codebook()
REASONS = BOOK.question("reasons")


def test_published_comparison_all_agree_on_bundled_data(bundled):
    comparison = content.published_comparison(bundled)
    assert len(comparison) == len(BOOK.published) == 5
    assert comparison["agrees"].all()


def test_published_comparison_detects_disagreement(bundled):
    altered = bundled.copy()
    altered.attrs = dict(bundled.attrs)
    altered.loc[altered["q_sufficient_information"] == "No", "q_sufficient_information"] = "Yes"
    comparison = content.published_comparison(altered)
    assert not comparison.iloc[0]["agrees"] and comparison["agrees"].iloc[1:].all()
    assert content.calibration_notes(comparison, BOOK)[0].startswith(
        "The synthetic file reproduces 4 of the 5 published figures.")


def test_published_comparison_of_another_file_is_not_called_a_calibration(bundled, tmp_path):
    comparison = content.published_comparison(bundled, tmp_path / "mine.csv")
    assert not comparison.attrs["synthetic"]
    assert content.comparison_caption(comparison) == "Compared with the published figures"
    assert content.calibration_notes(comparison, BOOK)[0].startswith(
        "This file agrees with 5 of the 5 figures published in the March 2012 report")


def test_a_codebook_without_published_figures_compares_nothing(stakeholders):
    assert content.published_comparison(stakeholders).empty
    assert content.calibration_notes(content.published_comparison(stakeholders), stakeholders.attrs["codebook"]) == []


def test_calibration_uses_the_published_definition_with_undecided_ccgs(bundled):
    # The report's 20% is 19 of all 95 respondents, undecided CCGs included (the page's own figure, 19 of 78,
    # leaves them out).
    row = content.published_comparison(bundled).iloc[3]
    assert (row["numerator"], row["answered"]) == (19, 95)
    assert content.calibration_notes(content.published_comparison(bundled), BOOK)[0].startswith(
        "The synthetic file reproduces all 5 published figures.")


def test_headline_sentences_quote_computed_numbers(bundled):
    summary = analysis.question_summary(bundled)
    sentences = content.headline_findings(summary, bundled)
    # 80 / 95 = 84.2%; Wilson 95% interval (no FPC) 75.6% to 90.2% by hand from z = 1.96, quoted to whole numbers.
    assert sentences[0].startswith("84% of responding CCGs (80 of 95 who answered) had not been given sufficient "
                                   "information about the choices of support available (95% confidence interval "
                                   "76% to 90%).")
    # Provider chosen: 58 of the 95 chose the PCT-cluster offer (61%).
    assert "58 of 95 CCGs (61%) had chosen the PCT-cluster commissioning support offer." in sentences


def test_headline_weighted_sentence_gives_the_effective_base(stakeholders):
    from ccgtools.survey import weighting

    raking = weighting.survey_weights(stakeholders)
    summary = analysis.question_summary(stakeholders, weights=raking.weights)
    first = summary.iloc[0]
    sentence = content.headline_findings(summary, stakeholders, weights=raking.weights)[0]
    assert sentence.startswith(f"{first.percent:.0f}% of responding stakeholders ({first.answered} answered; after "
                               f"weighting, about as precise as {first.effective_base:.0f} answers)")
    assert first.effective_base < first.answered


def _reasons(rows):
    return pd.DataFrame([{"question": REASONS.options[i].column, "finding": f"r{i}", "numerator": n,
                          "answered": 50, "percent": p, "lower": lo, "upper": hi, "suppressed": False}
                         for i, (n, p, lo, hi) in enumerate(rows)])


def test_most_common_reason_only_when_intervals_separate():
    phrase = [o.phrase for o in REASONS.options]
    separate = content.reason_sentence(_reasons([(30, 60.0, 46.0, 72.0), (10, 20.0, 11.0, 33.0)]), REASONS)
    assert f"the most common reason given was: {phrase[0]} (30 of 50, 60%)." in separate
    overlap = content.reason_sentence(_reasons([(20, 40.0, 27.0, 54.0), (16, 32.0, 21.0, 46.0),
                                                (5, 10.0, 4.0, 21.0)]), REASONS)
    assert (f"the most common reasons were: {phrase[0]} (20 of 50, 40%) and {phrase[1]} (16 of 50, 32%); their "
            "intervals overlap, so these figures alone do not show which reason was given most often" in overlap)
    assert phrase[2] not in overlap


def test_reasons_tied_to_the_provider_choice_are_not_pooled_in_the_headline(bundled):
    # The reasons belong to different provider choices ("too busy" only to PCT-cluster choosers): pooled over
    # every choice on one base they would mix bases, so the headline quotes none of them.
    sentences = content.headline_findings(analysis.question_summary(bundled), bundled)
    assert REASONS.not_compared_by and not [s for s in sentences if s.startswith(REASONS.intro)]
    every = content.reason_sentence(analysis.options_summary(bundled, REASONS), REASONS)
    assert "no one reason stands out" in every and "cannot rank them" in every


def test_group_test_notes_say_differ_only_below_adjusted_threshold():
    tests = pd.DataFrame({"finding": ["said a", "said b"], "p_value": [0.043, 0.001],
                          "p_adjusted": [0.043, 0.002], "differs": [True, True]})
    notes = content.group_test_notes(tests, "cluster", who="CCGs")
    assert sum("differs by cluster" in n for n in notes) == 2
    none = tests.assign(p_adjusted=[0.086, 0.086], differs=[False, False])
    notes = content.group_test_notes(none, "cluster", who="CCGs")
    assert not any("differs by cluster" in n for n in notes)
    assert any(n.startswith("No question's answers differ clearly by cluster. The smallest p-value, below 0.01") for n in notes)
    assert content.group_test_notes(tests.iloc[0:0], "cluster") == []


def test_methods_say_no_fpc_is_applied_even_with_a_known_population():
    for notes in (content.methods_notes(BOOK, population_size=254), content.methods_notes(BOOK)):
        assert any("No finite population correction was applied to any interval" in n for n in notes)
        assert not any("correction was applied, for a population" in n for n in notes)


def test_glossary_has_no_fpc_entry_as_none_is_applied():
    assert "finite_population_correction" not in content.glossary_keys(weighted=False, population_size=254)
    assert "finite_population_correction" not in content.glossary_keys(weighted=True)
    assert "design_effect" in content.glossary_keys(weighted=True)


def test_response_rate_hand_worked():
    # 95 / 254 = 0.374 → 37%.
    assert content.response_rate_notes(95, 254, BOOK)[0].startswith("95 of the 254 emerging CCGs replied (37%).")
    assert "not known" in content.response_rate_notes(95, None, BOOK)[0]


def test_comments_are_a_reproducible_selection(bundled):
    # Reproducible means the same in a fresh interpreter (another hash seed, its own random state),
    # not just twice in this one; and it is a selection: distinct, non-blank comments of the file.
    chosen = content.selected_comments(bundled, "comment", 3)
    again = run_in_fresh_python(
        "import json, random, numpy\n"
        "random.seed(7); numpy.random.seed(7)\n"
        "from ccgtools.survey import content, load\n"
        "print(json.dumps(content.selected_comments(load.load_survey(), 'comment', 3)))")
    assert json.loads(again) == chosen
    in_file = Counter(bundled["comment"].dropna())
    assert len(set(chosen)) == len(chosen) == 3 and all(in_file[c] > 0 for c in chosen)  # distinct, from the file
    assert all(c.strip() for c in chosen)
    assert max(in_file.values()) > 1  # the file repeats comments word for word, so distinctness is tested
    assert content.selected_comments(bundled, "comment", 3, seed=1) != chosen  # the seed, not the order, chooses


def test_synthetic_description_only_for_the_bundled_file(bundled, tmp_path):
    assert "not the real survey returns" in content.synthetic_description(BOOK, None, bundled)
    assert "from 95 CCGs" in content.synthetic_description(BOOK, None, bundled)  # {respondents_count} filled in
    assert content.synthetic_description(BOOK, tmp_path / "mine.csv", bundled) is None


def test_invented_comments_are_labelled_only_for_the_bundled_file(bundled, tmp_path):
    comments = content.selected_comments(bundled, "comment", 2)
    assert all(c.startswith("(Invented) ") for c in content.label_comments(comments, BOOK, None))
    assert content.label_comments(comments, BOOK, tmp_path / "mine.csv") == comments
    assert "not said by any CCG" in content.comments_intro(BOOK, None)


def test_titled_names_are_redacted():
    assert content.redact_names("Dr Hartley's leadership and Mrs J. Jones helped") == \
        "[name removed]'s leadership and [name removed] helped"
    assert content.redact_names("Drive the plan") == "Drive the plan"


def test_telephone_numbers_are_removed_and_the_words_around_them_kept():
    assert content.redact_names("call me on 01632 960123 to discuss") == \
        "call me on [telephone number removed] to discuss"
    assert content.redact_names("ring +44 20 7946 0958, or not") == "ring [telephone number removed], or not"
    assert content.redact_names("a budget of 250,000 in 2025") == "a budget of 250,000 in 2025"


def test_a_focus_lede_names_the_unit_noun_from_the_codebook(stakeholders):
    from ccgtools.survey import load

    scope = load.in_scope(stakeholders, focus="abbeyvale_ccg")
    book = codebook.read_codebook(STAKEHOLDER_CODEBOOK)
    assert content.lede(book, scope) == (f"What {len(scope)} stakeholders said about Abbeyvale CCG in 2025, compared "
                                         "with the other CCGs and with its previous survey.")


def test_headline_mentions_every_question_beyond_the_first_four(stakeholders):
    summary = analysis.question_summary(stakeholders)
    core = summary[~summary["suppressed"] & (summary["question"] != "comments")]
    core = core[core["question"].isin([q.column for q in stakeholders.attrs["codebook"].of_kind("likert", "yes_no")])]
    assert len(core) > 4
    sentences = content.headline_findings(summary, stakeholders, top=4)
    rest = next(s for s in sentences if s.startswith(f"On the other {len(core) - 4} question"))
    for row in core.iloc[4:].itertuples():
        assert f"{row.percent:.0f}% {row.finding} ({row.lower:.0f}% to {row.upper:.0f}%)" in rest
