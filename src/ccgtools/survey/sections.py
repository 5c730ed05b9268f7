"""The survey page's sections for every kind of question, each with its right chart and table.

The notebook has no loops: these functions walk the codebook's questions and put each on the page with
the page kit (:mod:`ccgtools.page.show`): Likert questions as diverging bars per scale, single-choice
questions as a table and bars of their answers, multiple-choice questions as bars of their options,
yes/no questions in the table of headline answers (and as bars when there are several), free text as
redacted, escaped quotations.
"""

from __future__ import annotations

import pandas as pd

from ..page import charts as page_charts
from ..page import show
from . import analysis, content
from .charts import likert_chart
from .codebook import Codebook


def _interval_label(confidence: float, weighted: bool = False) -> str:
    return f"Percent{' (weighted)' if weighted else ''} ({confidence:.0%} CI)"


def _columns(weighted: bool, first: dict) -> dict:
    """Column headings; with weights, the counts are labelled unweighted and the percentage weighted, so that
    a count is never read as the percentage's numerator."""
    columns = dict(first)
    if weighted:
        for key, suffix in (("numerator", " (unweighted count)"), ("answered", " (unweighted)"),
                            ("percent", " (weighted)")):
            if key in columns:
                columns[key] += suffix
        columns.update({"design_effect": "Design effect", "effective_base": "Effective base"})
    return columns


def show_likert(responses: pd.DataFrame, *, weights=None, min_responses=None) -> None:
    """One diverging bar chart per Likert scale the survey uses."""
    book: Codebook = responses.attrs["codebook"]
    for questions in analysis.scales_used(book):
        scale = questions[0].scale
        distribution = analysis.likert_distribution(responses, questions, weights=weights, min_responses=min_responses)
        chart = likert_chart(distribution, respondents=book.respondents, name=f"likert_{scale.name}",
                             title=f"Answers on the {scale.negative} to {scale.positive} scale")
        show.show_chart(chart, caption=f"Percentage of {book.respondents} giving each answer, by question",
                        csv=content.likert_download(chart))


def show_summary(summary: pd.DataFrame, book: Codebook, *, confidence: float) -> None:
    """The table of every headline answer, with its own denominator (and design effect when weighted).

    Options of a multiple-choice question tied to another answer (``not_compared_by``) are left out: they are
    shown within each choice (:func:`show_choices`), never pooled."""
    weighted = summary.attrs.get("weighted", False)
    tied = {o.column for q in book.of_kind("multiple_choice") if q.not_compared_by for o in q.options}
    attrs = dict(summary.attrs)
    summary = summary[~summary["question"].isin(tied)]
    summary.attrs = attrs
    show.show_table(
        show.readable_table(summary, _columns(weighted, {
            "finding": f"Headline answer: {book.respondents} that...",
            "numerator": book.respondents[:1].upper() + book.respondents[1:], "answered": "Answered",
            "percent": "Percent"}), interval=("percent", "lower", "upper"), interval_label=_interval_label(confidence, weighted),
            decimals={"design_effect": 2, "effective_base": 0}),
        name="question_summary", caption="Headline answer to each question",
        csv=content.download(summary.drop(columns=["finding"])))
    yes_no = [q.column for q in book.of_kind("yes_no")]
    if len(yes_no) > 1:
        rows = summary[summary["question"].isin(yes_no)].assign(label=lambda t: t["finding"])
        chart = page_charts.percentage_bars(rows, label_column="label", name="yes_no_answers",
                                            title="Yes/no questions: the headline answer",
                                            xlabel=f"Percentage of {book.respondents} that answered")
        show.show_chart(chart)


def show_choices(responses: pd.DataFrame, *, weights=None, confidence: float = 0.95, population_size=None,
                 min_responses=None) -> None:
    """Each single-choice question as a table and bars; each multiple-choice question as bars of its options."""
    book: Codebook = responses.attrs["codebook"]
    weighted = weights is not None
    for question in book.questions:
        if question.kind == "single_choice":
            choices = analysis.choice_summary(responses, question, weights=weights, confidence=confidence,
                                              min_responses=min_responses)
            show.show_section(question.text, [question.note] if question.note else [])
            show.show_table(
                show.readable_table(choices, _columns(weighted, {
                    "answer": "Answer", "numerator": book.respondents[:1].upper() + book.respondents[1:],
                    "percent": "Percent"}), interval=("percent", "lower", "upper"),
                    interval_label=_interval_label(confidence, weighted), decimals={"design_effect": 2, "effective_base": 0}),
                name=question.column, caption=question.text, csv=content.download(choices))
        elif question.kind == "multiple_choice" and question.not_compared_by:
            _show_options_within(responses, question, book, weights=weights, confidence=confidence,
                                 min_responses=min_responses)
        elif question.kind == "multiple_choice":
            options = analysis.options_summary(responses, question, weights=weights, confidence=confidence,
                                               population_size=population_size, min_responses=min_responses)
            paragraphs = ["Each option was a separate tick-box, so each percentage is of the "
                          + (question.asked_if.note if question.asked_if and question.asked_if.note else
                             f"{book.respondents} that answered it")
                          + ", and they do not add up to 100."]
            show.show_section(question.text, paragraphs + ([question.note] if question.note else []))
            show.show_chart(content.options_chart(options, question, book), caption=f"{question.text}: each option")


def _show_options_within(responses, question, book: Codebook, *, weights, confidence, min_responses) -> None:
    """A tied multiple-choice question (:func:`ccgtools.survey.analysis.options_within`): a table of its options
    within each choice, each on its own base, and one chart per choice shown."""
    within = analysis.options_within(responses, question, weights=weights, confidence=confidence,
                                     min_responses=min_responses)
    column = within.attrs["within_column"]
    topic = book.question(column).topic if column in {q.column for q in book.questions} else column
    paragraphs = [(f"Each option is shown within each answer to {topic}, as a share of the {book.respondents} that "
                   "gave that answer: the options belong to the answer they were given for, so one share of all "
                   "answers together would mix different bases. Answers given by fewer than "
                   f"{min_responses or book.min_base} {book.respondents} are shown together with the next smallest. "
                   "Each option was a separate tick-box, so the percentages do not add up to 100.")]
    show.show_section(question.text, paragraphs + ([question.note] if question.note else []))
    show.show_table(
        show.readable_table(within, _columns(weights is not None, {
            "within": "Chose", "option": "Reason", "numerator": book.respondents[:1].upper() + book.respondents[1:],
            "answered": "Answered", "percent": "Percent"}), interval=("percent", "lower", "upper"),
            interval_label=_interval_label(confidence, weights is not None),
            decimals={"design_effect": 2, "effective_base": 0}),
        name=f"{question.name}_by_choice", caption=f"{question.text}, within each choice",
        csv=content.download(within.rename(columns={"within": "chosen_answer"})))
    shown = within[~within["suppressed"]]
    for number, (value, rows) in enumerate(shown.groupby("within", sort=False)):
        base = int(rows["answered"].max())
        show.show_chart(content.options_chart(rows, question, book, name=f"{question.name}_options_{number + 1}",
                                              title=f"{question.text}: the {base} {book.respondents} that chose "
                                                    f"{content.within_phrase(value, column, book)}"),
                        caption=f"{question.text}: {value}")


def show_free_text(responses: pd.DataFrame, data_path) -> None:
    """Each free-text question: a reproducible selection of answers, names redacted, then (in the page kit)
    e-mail addresses and telephone numbers removed and the text escaped."""
    book: Codebook = responses.attrs["codebook"]
    for question in book.of_kind("free_text"):
        show.show_list([content.comments_intro(book, data_path)], intro=question.text)
        show.show_comments(content.label_comments(content.selected_comments(responses, question.column), book,
                                                  data_path))


def show_groups(responses: pd.DataFrame, group_by: str | None, *, weights=None, confidence: float = 0.95,
                min_responses=None) -> pd.DataFrame:
    """The headline answers within each group of ``group_by`` and the Holm-adjusted tests of difference;
    returns the tests (empty when the codebook has no grouping)."""
    from . import groups

    book: Codebook = responses.attrs["codebook"]
    if group_by is None:
        show.show_list(["The codebook declares no grouping, so there is no breakdown."])
        return pd.DataFrame(columns=["question", "finding", "p_value", "p_adjusted", "differs"])
    label = book.grouping(group_by).label
    weighted = weights is not None
    show.show_list(content.breakdown_notes(book, group_by))
    breakdown = groups.group_breakdown(responses, group_by, weights=weights, confidence=confidence,
                                       min_responses=min_responses)
    show.show_table(
        show.readable_table(breakdown, _columns(weighted, {
            "finding": f"{book.respondents[:1].upper() + book.respondents[1:]} that...", "group": "Group",
            "numerator": book.respondents[:1].upper() + book.respondents[1:], "answered": "Answered",
            "percent": "Percent"}), interval=("percent", "lower", "upper"), interval_label=_interval_label(confidence, weighted),
            decimals={"design_effect": 2, "effective_base": 0}),
        name="group_breakdown", caption=f"Headline answers by {label}", csv=content.download(breakdown),
        collapsed=True)
    tests = groups.association_tests(responses, group_by, weights=weights, min_responses=min_responses)
    show.show_table(
        show.readable_table(content.p_value_text(tests),
                            {"finding": f"{book.respondents[:1].upper() + book.respondents[1:]} that...",
                                    "test": "Test", "p_value": "p-value", "p_adjusted": "Adjusted p-value (Holm)",
                                    "differs": "Differs after adjustment", "groups_tested": "Groups tested",
                                    "groups_left_out": "Groups left out"}),
        name="association_tests", caption=f"Do the answers differ by {label}?", csv=tests, collapsed=True)
    show.show_list(content.group_test_notes(tests, label, respondents=len(responses), who=book.respondents))
    return tests
