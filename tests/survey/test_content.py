"""ccgtools.survey.content: headline sentences, the published-figures check, comments and methods."""

from ccgtools.survey import analysis, content


def test_published_comparison_all_agree_on_bundled_data(bundled):
    comparison = content.published_comparison(analysis.question_summary(bundled))
    assert len(comparison) == len(content.PUBLISHED_FIGURES)
    assert comparison["agrees"].all()


def test_published_comparison_detects_disagreement(bundled):
    altered = bundled.copy()
    altered.loc[altered["q_sufficient_information"] == "No", "q_sufficient_information"] = "Yes"
    comparison = content.published_comparison(analysis.question_summary(altered)).set_index("statement")
    assert not comparison.iloc[0]["agrees"]


def test_published_comparison_empty_for_other_files(bundled, tmp_path):
    other = tmp_path / "mine.csv"
    other.write_text("x")
    assert content.published_comparison(analysis.question_summary(bundled), other).empty


def test_headline_sentences_quote_computed_numbers(bundled):
    summary = analysis.question_summary(bundled)
    sentences = content.headline_findings(summary, bundled)
    assert sentences[0].startswith("84% of responding CCGs (80 of 95 who answered)")
    assert any("58 of 95" in s for s in sentences)


def test_fpc_is_stated_in_methods():
    assert any("finite population correction was applied for a population of 254" in n
               for n in content.methods_notes(population_size=254))
    assert any("No finite population correction" in n for n in content.methods_notes())


def test_comments_are_a_reproducible_selection(bundled):
    assert content.selected_comments(bundled, 3) == content.selected_comments(bundled, 3)
    assert len(content.selected_comments(bundled, 3)) == 3
