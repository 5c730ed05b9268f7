"""The 2012 survey's page content: headline sentences, the published-figures check, comments, methods."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..page import charts, disclosure
from ..page.downloads import snake_case
from . import analysis
from .load import LIKERT, question


@dataclass(frozen=True)
class PublishedFigure:
    """A headline figure from the March 2012 report, for comparison."""

    column: str
    statement: str
    published: str  # as printed
    decimals: int  # precision of the printed percentage
    published_percent: float | None = None  # None when only a bound was printed
    at_least_percent: float | None = None


PUBLISHED_FIGURES: tuple[PublishedFigure, ...] = (
    PublishedFigure("q_sufficient_information", "Not given sufficient information about the choices",
                    "84% (80 of 95)", 0, published_percent=84.0),
    PublishedFigure("q_programme_satisfaction", "Dissatisfied with the commissioning support programme",
                    "more than four fifths", 0, at_least_percent=80.0),
    PublishedFigure("q_support_offered_satisfaction", "Dissatisfied with the support being offered",
                    "70.7%", 1, published_percent=70.7),
    PublishedFigure("reason_too_busy", "Chose the PCT-cluster offer: too busy to explore alternatives",
                    "20% (19 of 95)", 0, published_percent=20.0),
    PublishedFigure("reason_good_relationships", "Chose the PCT-cluster offer: good relationships with PCT staff",
                    "26.7%", 1, published_percent=26.7),
)

METHODS = (
    "Percentages use each question's own denominator (the CCGs that answered it); blanks are item non-response.",
    "Confidence intervals: Wilson score interval (Newcombe 1998), with the finite population "
    "correction (Kish effective sample size) when a population size is given.",
    "Differences between groups: Pearson's chi-square test, or Fisher's exact test when any expected "
    "count is below 5 (Cochran 1954).",
)


def is_bundled_survey(path: str | Path | None) -> bool:
    """True when ``path`` is the bundled synthetic survey (built to match the published figures)."""
    return config.resolve_path(path, config.SURVEY_DATA).resolve() == config.SURVEY_DATA.resolve()


#: Emerging CCGs in England in January 2012: the population the survey was sent to.
EMERGING_CCGS = 254


def synthetic_description(data_path: str | Path | None, respondents: int) -> str | None:
    """Plain-English description of the bundled synthetic file for the page banner; None for any other file."""
    if not is_bundled_survey(data_path):
        return None
    return (f"invented responses from {respondents} CCGs, made to reproduce the figures published on "
            "6 March 2012; not the real survey returns")


def published_comparison(responses: pd.DataFrame, data_path: str | Path | None = None) -> pd.DataFrame:
    """Calibration check: does the bundled synthetic file reproduce the figures published in March 2012?

    The bundled file was made to reproduce them, so agreement is a check of the
    file, not evidence about CCGs. Each count uses the published definition: the
    headline answers among all respondents who answered the item (undecided CCGs
    included, as in the report). For any other file an empty table is returned.

    Parameters
    ----------
    responses : pandas.DataFrame
        From :func:`ccgtools.survey.load.load_survey`.
    data_path : str or Path, optional
        The file the responses came from (default: the bundled survey).

    Returns
    -------
    pandas.DataFrame
        One row per published figure: statement, published, numerator, answered,
        percent, agrees (equal at the published precision, or above the published bound),
        suppressed (:func:`ccgtools.page.disclosure.publish_table`: figures on fewer than the
        minimum number of answers are withheld).
    """
    columns = ["statement", "published", "numerator", "answered", "percent", "agrees"]
    if not is_bundled_survey(data_path):
        return pd.DataFrame(columns=columns)
    rows = []
    for figure in PUBLISHED_FIGURES:
        item = question(figure.column)
        answered = int(responses[item.column].notna().sum())
        numerator = int(responses[item.column].isin(item.headline).sum())
        percent = 100 * numerator / answered if answered else np.nan
        if figure.published_percent is not None:
            agrees = round(percent, figure.decimals) == figure.published_percent
        else:
            agrees = percent > figure.at_least_percent
        rows.append({"statement": figure.statement, "published": figure.published, "numerator": numerator,
                     "answered": answered, "percent": percent, "agrees": bool(agrees)})
    return disclosure.publish_table(pd.DataFrame(rows, columns=columns), CALIBRATION_COLUMNS)


#: The calibration table's counts follow the survey rule like every other survey result.
CALIBRATION_COLUMNS = disclosure.TableColumns(base="answered", derived=("numerator", "percent", "agrees"))


def calibration_notes(comparison: pd.DataFrame) -> list[str]:
    """What the calibration table shows, in words; nothing when there is no comparison."""
    if comparison.empty:
        return []
    agree = int(comparison["agrees"].sum())
    verdict = (f"The synthetic file reproduces all {len(comparison)} published figures."
               if agree == len(comparison) else
               f"The synthetic file reproduces {agree} of the {len(comparison)} published figures.")
    return [verdict + " It was made to, so this is a check of the file, not evidence about CCGs; the published "
            "figures count undecided CCGs in the reasons, as the report did."]


def response_rate_notes(respondents: int, population_size: int | None) -> list[str]:
    """The response rate and what self-selection means for reading the results.

    With ``population_size`` (CCGs asked) the rate is respondents / population; without it,
    the rate is not known and the page says so.
    """
    if population_size:
        rate = f"{respondents} of the {population_size:,} emerging CCGs replied ({respondents / population_size:.0%})."
    else:
        rate = f"{respondents} CCGs replied; the number asked is not given, so the response rate is not known."
    return [rate + " CCGs chose whether to reply, so those that did may differ from those that did not, and the "
            "results may not represent all CCGs; the intervals do not allow for that."]


def _reason_phrase(row) -> str:
    return f"{row.finding.removeprefix('chose their provider ')} ({row.numerator} of {row.answered}, {row.percent:.0f}%)"


def reason_sentence(reasons: pd.DataFrame) -> str | None:
    """The most common reason, only where its interval is clear of the next; otherwise the leading reasons.

    "Most common" is said only when the top reason's lower confidence limit is above
    the second's upper limit; otherwise every reason whose interval overlaps the
    top one's is named as "among the most common". None without two usable reasons.
    """
    usable = reasons[~reasons["suppressed"]].sort_values("percent", ascending=False)
    if usable.empty:
        return None
    lead = "Of the CCGs that had chosen a provider (undecided CCGs left out), "
    best = usable.iloc[0]
    if len(usable) == 1 or best.lower > usable.iloc[1].upper:
        return lead + f"the most common reason given was: {_reason_phrase(best)}."
    tied = usable[usable["upper"] >= best.lower]
    named = [_reason_phrase(row) for row in tied.itertuples()]
    listed = ", ".join(named[:-1]) + " and " + named[-1]
    return lead + f"among the most common reasons were: {listed} (intervals overlap, so no one reason stands out)."


def headline_findings(summary: pd.DataFrame, responses: pd.DataFrame, *, top: int = 4,
                      min_responses: int = config.SURVEY_MIN_RESPONSES) -> list[str]:
    """Plain-English headline sentences, computed from the summary.

    The satisfaction and information questions come first, then the most
    common reasons for the choice of provider (:func:`reason_sentence`), then the
    split of providers. Suppressed results are not quoted.
    """
    confidence = summary.attrs.get("confidence", 0.95)
    level = f"{100 * confidence:g}%"
    usable = summary[~summary["suppressed"]]
    core = usable[~usable["question"].str.startswith("reason_")]
    sentences = [
        f"{row.percent:.0f}% of responding CCGs ({row.numerator} of {row.answered} who answered) "
        f"{row.finding} ({level} confidence interval {row.lower:.1f}% to {row.upper:.1f}%)."
        for row in core.head(top).itertuples()
    ]
    reasons = reason_sentence(summary[summary["question"].str.startswith("reason_")])
    if reasons:
        sentences.append(reasons)
    providers = responses["provider_choice"].value_counts()
    answered = int(providers.sum())
    if answered >= min_responses:
        leader = providers.idxmax()
        sentences.append(
            f"{providers.max()} of {answered} CCGs ({100 * providers.max() / answered:.0f}%) had chosen "
            f"{leader.lower() if leader != 'PCT cluster commissioning support' else 'the PCT-cluster commissioning support offer'}."
        )
    return sentences


def group_test_notes(tests: pd.DataFrame, group_label: str) -> list[str]:
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
                     f"{smallest.p_value:.3f} for CCGs that {smallest.finding}, is {smallest.p_adjusted:.3f} once "
                     "adjusted.")
    for row in differ.itertuples():
        notes.append(f"The share of CCGs that {row.finding} differs by {group_label} "
                     f"(p = {row.p_value:.3f}, adjusted {row.p_adjusted:.3f}).")
    notes.append("With fewer than a hundred CCGs only large differences can be detected, so finding no clear "
                 "difference does not show that the groups are alike.")
    return notes


def breakdown_notes(group_by: str) -> list[str]:
    """Why some questions are not broken down by ``group_by`` (the reasons, by provider chosen)."""
    if group_by != "provider_choice":
        return []
    return ["The reasons for the choice are not broken down or tested by provider: they are about that choice "
            "(only CCGs choosing the PCT-cluster offer could give some of them), so the differences would "
            "restate the design of the question."]


def methods_notes(*, confidence: float = 0.95, population_size: int | None = None,
                  min_responses: int = config.SURVEY_MIN_RESPONSES) -> list[str]:
    """The methods statements for this run of the briefing, saying whether the FPC was applied."""
    notes = [METHODS[0],
             "Reasons for the choice of provider are percentages of the CCGs that had chosen a provider: "
             "undecided CCGs had no choice to give a reason for and are left out of those denominators.",
             f"{100 * confidence:g}% confidence intervals: Wilson score interval (Newcombe 1998).",
             METHODS[2],
             "The p-values of the tests between groups are adjusted for the number of questions tested with "
             "Holm's method (Holm 1979), which keeps the chance of any false finding of difference below 5%.",
             f"Results based on fewer than {min_responses} answers are suppressed (shown as *)."]
    if population_size is None:
        notes.append("No finite population correction was applied: the intervals treat the respondents "
                     "as a sample from a large population of CCGs.")
    else:
        notes.append(f"The finite population correction was applied, for a population of {population_size:,} "
                     "CCGs (Kish effective sample size), to the headline answers and the reasons: their intervals "
                     "are narrower because a large share of all CCGs answered. The provider-choice table and the "
                     "breakdowns by group use plain Wilson intervals, because the population of each group is not "
                     "known. This assumes the respondents are like the CCGs that did not answer. "
                     "The reasons use the same population, which makes their intervals slightly wider than "
                     "a correction for the CCGs that had chosen would.")
    return notes


def comments_intro(data_path: str | Path | None) -> str:
    """The sentence introducing the free-text comments: invented ones are labelled as invented."""
    if is_bundled_survey(data_path):
        return ("Invented comments, written for the synthetic file; not said by any CCG. They show how "
                "comments would appear on this page.")
    return "A selection of the free-text comments, as written by the responding CCGs (contact details removed)."


def label_comments(comments: list[str], data_path: str | Path | None) -> list[str]:
    """Each comment marked "(invented)" when the file is the bundled synthetic survey; unchanged otherwise."""
    if not is_bundled_survey(data_path):
        return list(comments)
    return [f"(Invented) {c}" for c in comments]


def selected_comments(responses: pd.DataFrame, n: int = 6, *, seed: int = config.SURVEY_SEED) -> list[str]:
    """A reproducible random selection of non-blank free-text comments (raw text; escape on output)."""
    comments = responses["comment"].dropna()
    comments = comments[comments.str.len() > 0]
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
    """The data of the satisfaction chart (:func:`ccgtools.page.charts.likert_diverging_bars`) as published
    in ``likert_satisfaction.csv``: each answer's column named with its unit (``very_dissatisfied_percent``);
    the page's table under the chart keeps the answers' words."""
    columns = {"question": "question_text", **{label: f"{snake_case(label)}_percent" for label in LIKERT}}
    out = chart.data.rename(columns=columns)
    out.attrs = dict(chart.data.attrs)
    return out


def reasons_chart(reasons: pd.DataFrame) -> charts.Chart:
    """The bars of the reasons for the choice of provider, with the interval's ends named with their unit."""
    chart = charts.percentage_bars(reasons, label_column="reason", name="reasons_for_choice",
                                   title="Reasons given for the choice of provider")
    return _with_data(chart, chart.data.rename(columns=INTERVAL_COLUMNS))
