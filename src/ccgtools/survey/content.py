"""A survey's page content: headline sentences, the published-figures check, comments, methods.

Every sentence is computed from the results and worded from the survey's codebook (its respondents'
name, each question's finding); nothing here is about one survey.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from .. import config
from ..page import charts, disclosure
from . import analysis
from .analysis import asked
from .codebook import Codebook

#: The calibration table's counts follow the survey rule like every other survey result.
CALIBRATION_COLUMNS = disclosure.TableColumns(base="answered", derived=("numerator", "percent", "agrees"))


def _fill(text: str, responses: pd.DataFrame) -> str:
    """A codebook text with ``{respondents_count}`` filled in."""
    return text.replace("{respondents_count}", f"{len(responses):,}")


def title(book: Codebook, override: str | None = None) -> str:
    """The page title: the briefing's own, or the codebook's."""
    return override or book.title


def lede(book: Codebook, responses: pd.DataFrame) -> str:
    """The sentence under the title, from the codebook."""
    focus = responses.attrs.get("focus")
    if focus:
        from .compare import unit_plural

        return (f"What {len(responses):,} {book.respondents} said about {focus} in {responses.attrs['period']}, "
                f"compared with the other {unit_plural(book)} and with its previous survey.")
    return _fill(book.lede, responses)


def synthetic_description(book: Codebook, data_path, responses: pd.DataFrame) -> str | None:
    """The banner's description of a synthetic file (only for the codebook's own synthetic file); else None.

    ``responses``: every response of the file (not one unit's or one year's), since the banner describes the
    file; the page's lede says how many answers its own figures rest on."""
    if not book.synthetic or not book.is_bundled_data(data_path):
        return None
    return _fill(book.synthetic, responses)


def published_comparison(responses: pd.DataFrame, data_path=None) -> pd.DataFrame:
    """Does the file reproduce the figures the codebook lists as published?

    Each figure uses the published definition: the headline answers among all respondents who answered
    the item (whoever was asked). For the codebook's own synthetic file, agreement is a check of the file
    (it was made to agree), not evidence about the respondents.

    Returns
    -------
    pandas.DataFrame
        One row per published figure: statement, published, numerator, answered, percent, agrees (equal
        at the published precision, or above the published bound), suppressed
        (:func:`ccgtools.page.disclosure.publish_table`).
    """
    book: Codebook = responses.attrs["codebook"]
    columns = ["statement", "published", "numerator", "answered", "percent", "agrees"]
    if not book.published:
        return pd.DataFrame(columns=columns)
    rows = []
    for figure in book.published:
        question = book.question(figure.column)
        headline = question.headline
        answered = int(responses[figure.column].notna().sum())
        numerator = int(responses[figure.column].isin(headline).sum())
        percent = 100 * numerator / answered if answered else np.nan
        if figure.percent is not None:
            agrees = round(percent, figure.decimals) == figure.percent
        else:
            agrees = percent > figure.at_least
        rows.append({"statement": figure.statement, "published": figure.published, "numerator": numerator,
                     "answered": answered, "percent": percent, "agrees": bool(agrees)})
    table = disclosure.publish_table(pd.DataFrame(rows, columns=columns), CALIBRATION_COLUMNS,
                                     rule=disclosure.DisclosureRule(min_base=book.min_base))
    table.attrs["synthetic"] = bool(book.synthetic) and book.is_bundled_data(data_path)
    return table


def comparison_caption(comparison: pd.DataFrame) -> str:
    """The caption of the published-figures table: a calibration check for a synthetic file."""
    if comparison.attrs.get("synthetic"):
        return "Calibration check: the synthetic file reproduces the published figures"
    return "Compared with the published figures"


def calibration_notes(comparison: pd.DataFrame, book: Codebook) -> list[str]:
    """What the published-figures table shows, in words; nothing when there is no comparison."""
    if comparison.empty:
        return []
    agree = int(comparison["agrees"].fillna(False).sum())
    if comparison.attrs.get("synthetic"):
        verdict = (f"The synthetic file reproduces all {len(comparison)} published figures."
                   if agree == len(comparison) else
                   f"The synthetic file reproduces {agree} of the {len(comparison)} published figures.")
        return [(verdict + f" It was made to, so this is a check of the file, not evidence about {book.respondents}; "
                 "each published figure counts everyone who answered the item, as the report did.")] + _base_notes(book)
    return [(f"This file agrees with {agree} of the {len(comparison)} figures published in "
             f"{book.published_source or 'the report'} (each counts everyone who answered the item, as published)."),
            *_base_notes(book)]


def _base_notes(book: Codebook) -> list[str]:
    """Why a published figure of a tied multiple-choice option differs from the page's (its base)."""
    tied = {o.column: q for q in book.of_kind("multiple_choice") if q.not_compared_by for o in q.options}
    if not any(f.column in tied for f in book.published):
        return []
    return ["The published reasons are shares of every respondent, whatever they chose; this page gives each "
            "reason as a share of those that made the choice it belongs to (section “"
            + next(tied[f.column].text for f in book.published if f.column in tied)
            + "”), so its percentages are larger: the counts are the same."]


def response_rate_notes(respondents: int, population_size: int | None, book: Codebook) -> list[str]:
    """The response rate and what self-selection means for reading the results.

    With ``population_size`` (units asked) the rate is respondents / population; without it,
    the rate is not known and the page says so.
    """
    who = book.respondents
    if population_size:
        rate = (f"{respondents} of the {population_size:,} {book.population_name or who} replied "
                f"({respondents / population_size:.0%}).")
    else:
        rate = f"{respondents} {who} replied; the number asked is not given, so the response rate is not known."
    return [rate + f" {who[:1].upper() + who[1:]} chose whether to reply, so those that did may differ from those "
            f"that did not, and the results may not represent all {who}; the intervals do not allow for that."]


def _reason_phrase(row, phrases: dict) -> str:
    return f"{phrases.get(row.question, row.finding)} ({row.numerator} of {row.answered}, {row.percent:.0f}%)"


def reason_sentence(reasons: pd.DataFrame, question, *, intro: str = "") -> str | None:
    """The most common reason, only where its interval is clear of the next; otherwise the leading reasons.

    "Most common" is said only when the top reason's lower confidence limit is above
    the second's upper limit; otherwise every reason whose interval overlaps the
    top one's is named as "among the most common". None without two usable reasons.
    """
    usable = reasons[~reasons["suppressed"]].sort_values("percent", ascending=False)
    if usable.empty:
        return None
    phrases = {o.column: o.phrase for o in question.options}
    lead = intro or question.intro or f"Of those who answered “{question.text}”, "
    noun = "reason" if "reason" in question.text.lower() else "answer"
    best = usable.iloc[0]
    if len(usable) == 1 or best.lower > usable.iloc[1].upper:
        return lead + f"the most common {noun} given was: {_reason_phrase(best, phrases)}."
    tied = usable[usable["upper"] >= best.lower]
    if len(tied) == len(usable) > 2:
        low = usable.iloc[-1]
        return lead + (f"no one {noun} stands out: each of the {len(usable)} {noun}s was given by between "
                       f"{low.percent:.0f}% ({phrases.get(low.question, low.finding)}) and {best.percent:.0f}% "
                       f"({phrases.get(best.question, best.finding)}) of them; every {noun}'s interval overlaps "
                       "the leading one's, so these answers cannot rank them.")
    named = [_reason_phrase(row, phrases) for row in tied.itertuples()]
    listed = ", ".join(named[:-1]) + " and " + named[-1]
    return lead + (f"the most common {noun}s were: {listed}; their intervals overlap, so these figures alone do not "
                   f"show which {noun} was given most often.")


def within_phrase(value: str, column: str, book: Codebook) -> str:
    """How the page names the respondents of one answer of ``column``: the answer's phrase when the codebook
    gives one ("the PCT-cluster commissioning support offer"), else the answer itself."""
    questions = [q for q in book.questions if q.column == column]
    phrases = (questions[0].phrases or {}) if questions else {}  # a grouping's labels are their own words
    parts = [p.strip() for p in value.replace(", ", " and ").split(" and ")] if value not in phrases else [value]
    return " or ".join(phrases.get(p, p) for p in parts)


def within_sentence(options: pd.DataFrame, question, book: Codebook,
                    responses: pd.DataFrame | None = None) -> str | None:
    """The headline sentence of a tied multiple-choice question (:func:`ccgtools.survey.analysis.options_within`):
    its options among the largest choice, on that choice's own base; None when nothing is shown. With
    ``responses``, the two most common options are compared on the same respondents with McNemar's test
    (:func:`ccgtools.survey.analysis.paired_options_test`), not by their intervals."""
    shown = options[~options["suppressed"]] if not options.empty else options
    if shown.empty:
        return None
    largest = shown.loc[shown["answered"].astype(float).idxmax(), "within"]
    rows = shown[shown["within"] == largest]
    column = options.attrs.get("within_column", "")
    who = f"Of the {int(rows['answered'].max())} {book.respondents} that chose {within_phrase(largest, column, book)}, "
    sentence = reason_sentence(rows.assign(suppressed=False), question, intro=who)
    top = rows.sort_values("percent", ascending=False)
    if responses is None or len(top) < 2 or sentence is None:
        return sentence
    members = [v for v, group in options.attrs.get("merged", {largest: largest}).items() if group == largest]
    chose = responses[responses[column].astype(object).isin(members)]
    first, second = top.iloc[0], top.iloc[1]
    test = analysis.paired_options_test(chose, first.question, second.question, selected=question.selected)
    phrases = {o.column: o.label for o in question.options}
    verdict = "differ by more than chance" if test["p_value"] < 0.05 else "do not differ by more than chance"
    return (sentence + f" The two most common, “{phrases[first.question]}” and “{phrases[second.question]}”, "
            f"{verdict} (McNemar's test on the same {test['answered']} {book.respondents}, p = {test['p_value']:.2f}).")


def _p(value: float, *, equals: bool = False) -> str:
    """A p-value as published: 2 decimal places, "below 0.01" under 0.005."""
    if value < 0.005:
        return "below 0.01"
    return f"{'= ' if equals else ''}{value:.2f}"


def p_value_text(tests: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``tests`` whose p-value columns read as published: 2 decimal places, "<0.01" below 0.005, and
    "<0.05" for an adjusted p-value below 0.05 that would round up to it (the test says it differs); not tested
    stays missing."""
    out = tests.copy()
    alpha = tests.attrs.get("alpha", 0.05)
    for column in ("p_value", "p_adjusted"):
        if column not in out:
            continue
        differs = out["differs"].fillna(False).astype(bool) if column == "p_adjusted" and "differs" in out else None
        out[column] = [None if pd.isna(p) else "<0.01" if p < 0.005 else
                       f"<{alpha:g}" if differs is not None and differs.iloc[i] and round(p, 2) >= alpha else
                       f"{p:.2f}" for i, p in enumerate(out[column])]
    out.attrs = dict(tests.attrs)
    return out


def _share_words(row, book: Codebook, level: str, weighted: bool) -> str:
    if weighted:
        return (f"{row.percent:.0f}% of responding {book.respondents} ({row.answered} answered; after weighting, "
                f"about as precise as {row.effective_base:.0f} answers) {row.finding} ({level} confidence interval "
                f"{row.lower:.0f}% to {row.upper:.0f}%).")
    return (f"{row.percent:.0f}% of responding {book.respondents} ({row.numerator} of {row.answered} who answered) "
            f"{row.finding} ({level} confidence interval {row.lower:.0f}% to {row.upper:.0f}%).")


def others_sentence(rows: pd.DataFrame, book: Codebook, level: str) -> str:
    """The questions the headline does not quote one by one, in one sentence, so that none goes unmentioned
    (a low result among them included); "" when there are none."""
    if rows.empty:
        return ""
    parts = [f"{row.percent:.0f}% {row.finding} ({row.lower:.0f}% to {row.upper:.0f}%)" for row in rows.itertuples()]
    listed = parts[0] if len(parts) == 1 else "; ".join(parts[:-1]) + "; and " + parts[-1]
    return (f"On the other {len(parts)} question{'s' if len(parts) > 1 else ''}, of responding {book.respondents}: "
            f"{listed} ({level} confidence intervals).")


def headline_findings(summary: pd.DataFrame, responses: pd.DataFrame, *, weights: pd.Series | None = None,
                      top: int = 4, min_responses: int | None = None) -> list[str]:
    """Plain-English headline sentences, computed from the summary.

    The yes/no and Likert questions come first (``top`` of them one by one, any others together in one
    sentence, so that none is left unmentioned), then each multiple-choice question's
    most common options (:func:`reason_sentence`), then the most common answer of each single-choice
    question. Suppressed results are not quoted.
    """
    book: Codebook = responses.attrs["codebook"]
    confidence = summary.attrs.get("confidence", 0.95)
    level = f"{100 * confidence:g}%"
    weighted = weights is not None
    usable = summary[~summary["suppressed"]]
    option_columns = {o.column for q in book.of_kind("multiple_choice") for o in q.options}
    core = usable[~usable["question"].isin(option_columns)]
    sentences = [_share_words(row, book, level, weighted) for row in core.head(top).itertuples()]
    if others_sentence(core.iloc[top:], book, level):
        sentences.append(others_sentence(core.iloc[top:], book, level))
    for question in book.of_kind("multiple_choice"):
        if question.not_compared_by:
            # Options tied to another answer by construction (reasons that belong to one provider choice) are
            # not pooled: the headline quotes them within the largest choice, on its own base.
            sentence = within_sentence(analysis.options_within(responses, question, weights=weights,
                                                               min_responses=min_responses), question, book,
                                       responses=responses)
        else:
            rows = summary[summary["question"].isin([o.column for o in question.options])]
            sentence = reason_sentence(rows, question)
        if sentence:
            sentences.append(sentence)
    w = pd.Series(1.0, index=responses.index) if weights is None else weights.reindex(responses.index)
    for question in book.of_kind("single_choice"):
        answered = responses[question.column].notna() & asked(responses, question)
        if int(answered.sum()) < (min_responses or book.min_base):
            continue
        counts = responses.loc[answered, question.column].value_counts()
        shares = w[answered].groupby(responses.loc[answered, question.column], observed=True).sum()
        leader = shares.idxmax()
        phrase = question.phrases.get(leader, str(leader).lower())
        if weighted:
            sentences.append(f"{100 * shares.max() / shares.sum():.0f}% of {book.respondents} (weighted; "
                             f"{int(answered.sum())} answered) {question.finding} {phrase}.")
        else:
            sentences.append(f"{counts[leader]} of {int(answered.sum())} {book.respondents} "
                             f"({100 * counts[leader] / answered.sum():.0f}%) {question.finding} {phrase}.")
    return sentences


def group_test_notes(tests: pd.DataFrame, group_label: str, *, respondents: int = 0, who: str = "respondents"
                     ) -> list[str]:
    """What the tests of difference between groups show, after Holm's adjustment; nothing when none ran.

    Groups are said to differ only where the adjusted p-value is below ``alpha``.
    """
    ran = tests[tests["p_value"].notna()]
    if ran.empty:
        return []
    alpha = tests.attrs.get("alpha", 0.05)
    notes = [f"{len(ran)} questions were tested for differences by {group_label}; the p-values are adjusted "
             f"for testing {len(ran)} questions at once (Holm's method), and groups are said to differ only "
             f"where the adjusted p-value is below {alpha:g}."]
    differ = ran[ran["differs"].astype(bool)]
    if differ.empty:
        smallest = ran.loc[ran["p_value"].idxmin()]
        notes.append(f"No question's answers differ clearly by {group_label}. The smallest p-value, "
                     f"{_p(smallest.p_value)} for {who} that {smallest.finding}, is {_p(smallest.p_adjusted)} once "
                     "adjusted.")
    for row in differ.itertuples():
        notes.append(f"The share of {who} that {row.finding} differs by {group_label} "
                     f"(p {_p(row.p_value, equals=True)}, adjusted {_p(row.p_adjusted)}).")
    if respondents and respondents < 100:
        notes.append(f"With fewer than a hundred {who} only large differences can be detected, so finding no clear "
                     "difference does not show that the groups are alike.")
    else:
        notes.append("Finding no clear difference does not show that the groups are alike: small differences "
                     "may be missed.")
    return notes


def breakdown_notes(book: Codebook, group_by: str) -> list[str]:
    """Why some questions are not broken down by ``group_by`` (the codebook's ``not_compared_by``)."""
    left_out = [q for q in book.questions if group_by in q.not_compared_by]
    return [f"{(q.topic or q.text)[:1].upper() + (q.topic or q.text)[1:]} are not broken down or tested by "
            f"{book.grouping(group_by).label}: the answers are tied to that grouping by the design of the question, "
            "so the differences would restate it." for q in left_out]


def methods_notes(book: Codebook, *, confidence: float = 0.95, population_size: int | None = None,
                  min_responses: int | None = None, weighted: bool = False) -> list[str]:
    """The methods statements for this run of the briefing, saying whether the FPC and weights were applied."""
    notes = [f"Percentages use each question's own denominator (the {book.respondents} that answered it); blanks "
             "are item non-response."]
    notes += [f"“{q.text}” is asked of {q.asked_if.note or 'some respondents only'}." for q in book.questions
              if q.asked_if]
    notes += [f"{100 * confidence:g}% confidence intervals: Wilson score interval (Newcombe 1998)"
              + (", computed on the effective base of the weighted answers (Kish's design effect; Korn and "
                 "Graubard 1998)." if weighted else "."),
              "Differences between groups: Pearson's chi-square test, or Fisher's exact test when any expected "
              "count is below 5 (Cochran 1954)" + ("; with weights, on the effective counts (a first-order "
                                                   "Rao-Scott correction)." if weighted else "."),
              "The p-values of the tests between groups are adjusted for the number of questions tested with "
              "Holm's method (Holm 1979), which keeps the chance of any false finding of difference below 5%.",
              (f"Results based on fewer than {min_responses or book.min_base} answers are suppressed (shown as *). "
               "This is a rule on the base (how many answered), because one survey answer is one respondent's: "
               "the area pages instead withhold small counts of events (1 to 7) among many patients. Groups too "
               "small to show are merged with the next smallest where they can be, and where a group is withheld "
               "it is also left out of every test, and no test statistic is published (p-values to 2 decimal "
               "places), so that nothing published gives a withheld figure back.")]
    if book.unit_column:
        notes.append(f"One {book.unit_plural[:-1]} is compared with the other {book.unit_plural} and with its own "
                     "previous survey, question by question, with the same tests as between groups (on the effective "
                     "counts when weighted); its two years' respondents are treated as independent samples (a "
                     "respondent who answered both years is not linked). Each of these two families of tests is "
                     "adjusted with Holm's method on its own.")
    if any(q.not_compared_by for q in book.of_kind("multiple_choice")):
        notes.append("Tick-box options tied to another answer are given within each answer, on its own base; the "
                     "two most common, ticked by the same respondents, are compared with McNemar's exact test "
                     "(McNemar 1947), not by whether their intervals overlap.")
    if book.hide_unanimous:
        notes.append(f"In the breakdowns by group, a group where every {book.respondent} (or none) gave an answer is "
                     f"withheld too: 100% or 0% would tell each member's answer.")
    notes.append(f"No finite population correction was applied to any interval: the {book.respondents} chose "
                 "whether to reply, so they are not a random sample of the population and narrowing the intervals "
                 "for the share that replied would assume they are like those that did not.")
    return notes


#: Names written as a title and a surname ("Dr Smith", "Mrs J. Jones"), removed from free text.
_NAMED = re.compile(r"\b(Dr|Mr|Mrs|Ms|Miss|Prof|Professor|Sir|Dame|Cllr)\.?\s+(?:[A-Z]\.?\s*)*[A-Z][a-z]*(?:['’-][A-Z][a-z]+)*")


#: UK telephone numbers (0 or +44 and 9 or 10 more digits, spaced or hyphenated), ending at the last digit so
#: that the space after the number is kept.
_TELEPHONE = re.compile(r"(?:\+44\s?|\b0)\d(?:[\s-]?\d){8,9}\b")


def redact_names(text: str) -> str:
    """Free text with titled names ("Dr Smith") replaced by "[name removed]" and telephone numbers by
    "[telephone number removed]" (keeping the words around them apart); e-mail addresses and other numbers are
    removed when the page shows it (:func:`ccgtools.page.show.redact`), and it is escaped there."""
    return _TELEPHONE.sub("[telephone number removed]", _NAMED.sub("[name removed]", text))


def comments_intro(book: Codebook, data_path) -> str:
    """The sentence introducing the free-text comments: invented ones are labelled as invented."""
    if book.synthetic and book.is_bundled_data(data_path):
        return (f"Invented comments, written for the synthetic file; not said by any {book.respondent}. They show "
                "how comments would appear on this page.")
    return (f"A selection of the free-text comments, as written by the responding {book.respondents} (names, "
            "contact details and numbers removed).")


def label_comments(comments: list[str], book: Codebook, data_path) -> list[str]:
    """Each comment redacted of names, and marked "(Invented)" for the codebook's own synthetic file."""
    comments = [redact_names(c) for c in comments]
    if not (book.synthetic and book.is_bundled_data(data_path)):
        return comments
    return [f"(Invented) {c}" for c in comments]


def selected_comments(responses: pd.DataFrame, column: str, n: int = 6, *, seed: int = config.SURVEY_SEED
                      ) -> list[str]:
    """A reproducible random selection of distinct non-blank free-text answers in ``column`` (raw text; escape on
    output): a comment written word for word by several respondents is shown once."""
    comments = responses[column].dropna().astype(str)
    comments = comments[comments.str.strip().str.len() > 0].drop_duplicates()
    if len(comments) <= n:
        return comments.tolist()
    return comments.sample(n=n, random_state=np.random.default_rng(seed)).tolist()


#: The interval columns of the survey's result tables, as named in their CSV files (the unit in the name).
INTERVAL_COLUMNS = {"lower": "ci_lower_percent", "upper": "ci_upper_percent"}


def download(table: pd.DataFrame) -> pd.DataFrame:
    """A result table (:func:`ccgtools.survey.analysis.question_summary` and its kind) as published in
    its CSV file: the numbers, with the interval's ends named with their unit (``ci_lower_percent``)."""
    out = table.rename(columns=INTERVAL_COLUMNS)
    out.attrs = dict(table.attrs)
    return out


def _with_data(chart: charts.Chart, data: pd.DataFrame) -> charts.Chart:
    """``chart`` publishing ``data`` as its CSV (the drawing is unchanged)."""
    return replace(chart, data=data)


def likert_download(chart: charts.Chart) -> pd.DataFrame:
    """The data of a Likert chart as published: one row per question and answer (long, so any scale's labels
    fit the documented fields): question_text, answer, percent, answered."""
    data = chart.data
    labels = [c for c in data.columns if c not in ("question", "answered")]
    out = data.melt(id_vars=["question", "answered"], value_vars=labels, var_name="answer", value_name="percent")
    order = {label: i for i, label in enumerate(labels)}
    out = out.assign(position=out["answer"].map(order)).sort_values(["question", "position"], kind="stable")
    out = out.rename(columns={"question": "question_text"})[["question_text", "answer", "percent", "answered"]]
    out.attrs = dict(data.attrs)
    return out.reset_index(drop=True)


def options_chart(options: pd.DataFrame, question, book: Codebook, *, name: str = "", title: str = "") -> charts.Chart:
    """The bars of a multiple-choice question's options, with the interval's ends named with their unit."""
    chart = charts.percentage_bars(options, label_column="option", name=name or f"{question.name}_options",
                                   title=title or f"{question.text}: each option",
                                   xlabel=f"Percentage of {book.respondents} that answered")
    return _with_data(chart, chart.data.rename(columns=INTERVAL_COLUMNS))


def choice_chart(choices: pd.DataFrame, question, book: Codebook) -> charts.Chart:
    """The bars of a single-choice question's answers."""
    chart = charts.percentage_bars(choices, label_column="answer", name=f"{question.column}_answers",
                                   title=question.text, xlabel=f"Percentage of {book.respondents} that answered")
    return _with_data(chart, chart.data.rename(columns=INTERVAL_COLUMNS))


def glossary_keys(*, weighted: bool, population_size: int | None = None) -> list[str]:
    """The glossary terms a survey page uses (``page/glossary.toml``); ``population_size`` is accepted for
    compatibility: no survey interval uses the finite population correction (respondents select themselves)."""
    keys = ["confidence_interval", "adjusted_p_value", "suppressed"]
    return keys + (["survey_weighting", "design_effect", "effective_base"] if weighted else [])
