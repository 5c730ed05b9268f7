"""One unit (e.g. a CCG in a 360° stakeholder survey) against all units and against its own previous survey.

The codebook's ``[comparison]`` names the unit column and the period column. For each yes/no and Likert
question, the unit's headline percentage in the period is set beside the other units' (the same figure
the tests use) and beside its own in the previous period; the unit is tested against the other units and
against its previous survey (chi-square or Fisher's exact test, on effective counts when weighted), and
the p-values of each family of tests are adjusted with Holm's method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..page import disclosure, show
from .analysis import (
    SURVEY_RESULT,
    _with_intervals,
    asked,
    headline_items,
    weighted_share,
)
from .charts import comparison_chart
from .codebook import Codebook
from .content import p_value_text
from .groups import _independence_test, holm_adjust


@dataclass(frozen=True)
class Comparison:
    """The unit's figures beside all units' and its previous survey's, and the tests of difference."""

    table: pd.DataFrame
    tests: pd.DataFrame
    focus: str = ""
    period: int | None = None
    previous: int | None = None


def _weights(frame: pd.DataFrame, weights: pd.Series | None) -> pd.Series:
    return pd.Series(1.0, index=frame.index) if weights is None else weights.reindex(frame.index)


def _test(a: dict, b: dict, weighted: bool) -> dict:
    if weighted:
        rows = [[s["proportion"] * s["effective_base"], (1 - s["proportion"]) * s["effective_base"]] for s in (a, b)]
    else:
        rows = [[s["numerator"], s["answered"] - s["numerator"]] for s in (a, b)]
    if any(s["answered"] == 0 for s in (a, b)):
        return {"test": "not tested (no answers to compare)", "p_value": np.nan}
    result = _independence_test(np.array(rows, dtype=float), weighted=weighted)
    return {"test": result["test"], "p_value": result["p_value"]}


def focus_comparison(everyone: pd.DataFrame, scope: pd.DataFrame, *, weights: pd.Series | None = None,
                     confidence: float = 0.95, min_responses: int | None = None, alpha: float = 0.05) -> Comparison:
    """The focus unit of ``scope`` (:func:`ccgtools.survey.load.in_scope`) against all units and its previous period.

    Parameters
    ----------
    everyone : pandas.DataFrame
        Every response of the file (all units, all periods).
    scope : pandas.DataFrame
        The focus unit's responses in the chosen period (``attrs`` focus and period).
    weights : pandas.Series, optional
        Weights of every response (index of ``everyone``); unweighted when None.

    Returns
    -------
    Comparison
        ``table``: one row per question and role ("focus", "others": every other unit, "previous"): question, question_text,
        finding, role, group, numerator, answered, percent, lower, upper, design_effect, effective_base,
        suppressed (withheld below ``min_responses``). ``tests``: question, finding, comparison,
        difference_points, test, p_value, p_adjusted (Holm, within each comparison: against the other units, against the previous survey), differs;
        differences rounded to whole points and p-values to 2 decimal places.
        Both empty when there is no focus.
    """
    book: Codebook = everyone.attrs["codebook"]
    focus, period = scope.attrs.get("focus"), scope.attrs.get("period")
    if not focus:
        return Comparison(pd.DataFrame(), pd.DataFrame())
    earlier = [p for p in scope.attrs.get("periods", ()) if p < period]
    previous = earlier[-1] if earlier else None
    unit, when = everyone[book.unit_column], everyone[book.period_column]
    parts = {"focus": (everyone[(unit == focus) & (when == period)], f"{focus}, {period}"),
             "others": (everyone[(unit != focus) & (when == period)], f"The other {unit_plural(book)}, {period}")}
    if previous is not None:
        parts["previous"] = (everyone[(unit == focus) & (when == previous)], f"{focus}, {previous}")
    w = _weights(everyone, weights)
    rows, tests = [], []
    for item in headline_items(book):
        if item.question.kind == "multiple_choice":
            continue
        shares = {}
        for role, (frame, label) in parts.items():
            answered = frame[item.column].notna() & asked(frame, item.question)
            shares[role] = weighted_share(frame[item.column].isin(item.headline), answered, w)
            rows.append({"question": item.column, "question_text": item.text, "finding": item.finding, "role": role,
                         "group": label, **shares[role]})
        against = [(f"the other {unit_plural(book)} in {period}", "others")]
        if previous is not None:
            against.append((f"its own survey of {previous}", "previous"))
        for words, role in against:
            other = shares[role]
            tests.append({"question": item.column, "finding": item.finding, "comparison": f"{focus} against {words}",
                          "role": role, **_test(shares["focus"], other, weights is not None),
                          "small": min(shares["focus"]["answered"], other["answered"]) < (min_responses or book.min_base)})
    table = _with_intervals(rows, confidence, None, whole=weights is not None)
    table = table[["question", "question_text", "finding", "role", "group", "numerator", "answered", "percent",
                   "lower", "upper", "design_effect", "effective_base"]]
    rule = disclosure.DisclosureRule(min_base=min_responses or book.min_base)
    table = disclosure.publish_table(table, SURVEY_RESULT.present_in(table), rule=rule)
    tests = pd.DataFrame(tests)
    # The difference of the two percentages as published (whole numbers when weighted), so that the table, the
    # headline and the reader's own subtraction agree.
    published = table.set_index(["role", "question"])["percent"]
    tests.insert(3, "difference_points", [published.get(("focus", q), np.nan) - published.get((r, q), np.nan)
                                          for q, r in zip(tests["question"], tests["role"])])
    tests = tests.drop(columns="role")
    tests.loc[tests["small"], ["p_value", "difference_points"]] = np.nan
    tests.loc[tests["small"], "test"] = "not tested (too few answers)"
    tests = tests.drop(columns="small")
    # Each family of comparisons (against the other units; against the previous survey) is adjusted on its own.
    tests["p_adjusted"] = np.nan
    for _, family in tests.groupby("comparison", sort=False):
        tests.loc[family.index, "p_adjusted"] = holm_adjust(family["p_value"])
    tests["differs"] = pd.array([pd.NA if np.isnan(a) else bool(a < alpha) for a in tests["p_adjusted"]],
                                dtype="boolean")
    # Published as on the page: whole percentage points, p-values to 2 decimal places (finer figures carry
    # more of the counts behind them).
    tests["difference_points"] = tests["difference_points"].round(0)
    tests["p_value"] = tests["p_value"].round(2)
    tests["p_adjusted"] = tests["p_adjusted"].round(2)
    tests.attrs.update(alpha=alpha, adjustment="Holm (1979), within each family of comparisons")
    return Comparison(table, tests, focus, period, previous)


def unit_plural(book: Codebook) -> str:
    """The comparison unit's name in the plural ("CCGs"), from its grouping's label when it has one."""
    return book.unit_plural


def gap_range(tests: pd.DataFrame) -> str:
    """The spread of the differences of ``tests`` in words (" (gaps from 10 points lower to 22 points higher)"), so
    that a consistent shift that no single test confirms is still visible; "" without any."""
    gaps = tests["difference_points"].dropna().round()
    if gaps.empty:
        return ""

    def words(points: float) -> str:
        return f"{abs(points):.0f} point{'s' if abs(points) != 1 else ''} {'lower' if points < 0 else 'higher'}"

    low, high = gaps.min(), gaps.max()
    if low == high:
        return f" (every gap {words(low)})" if low else " (no gap on any question)"
    if low == 0 or high == 0:
        return f" (gaps of 0 to {words(low or high)})"
    return f" (gaps from {words(low)} to {words(high)})"


def focus_headline(comparison: Comparison, book: Codebook) -> list[str]:
    """The comparison's headline sentences: per comparison, on how many questions the unit differs clearly
    (after Holm's adjustment) and the largest such gap; or that it differs on none."""
    if not comparison.focus:
        return []
    ran = comparison.tests[comparison.tests["p_value"].notna()]
    focus_rows = comparison.table[comparison.table["role"] == "focus"].set_index("question")
    sentences = []
    for words, tests in ran.groupby("comparison", sort=False):
        differ = tests[tests["differs"].astype(bool)]
        against = words.split(" against ")[1]
        if differ.empty:
            sentences.append(f"Against {against}, no answer about {comparison.focus} differs by more than chance "
                             f"once the {len(tests)} comparisons made are allowed for{gap_range(tests)}.")
            continue
        widest = differ.loc[differ["difference_points"].abs().idxmax()]
        lower = int((differ["difference_points"] < 0).sum())
        every = "" if len(differ) == 1 else " on both" if len(differ) == 2 else " on all of them"
        direction = (f"lower{every}" if lower == len(differ) else f"higher{every}" if lower == 0
                     else f"lower on {lower} and higher on {len(differ) - lower}")
        mine = focus_rows.loc[widest.question, "percent"]
        theirs = compared_percent(comparison, widest.question, against)
        sentences.append(f"Against {against}, {comparison.focus} differs by more than chance on {len(differ)} of "
                         f"{len(tests)} questions ({direction}). The widest gap: {mine:.0f}% of its {book.respondents} "
                         f"{widest.finding}, against {theirs:.0f}% "
                         f"({abs(widest.difference_points):.0f} percentage points "
                         f"{'lower' if widest.difference_points < 0 else 'higher'}).")
    return sentences


def planted_notes(comparison: Comparison, book: Codebook, *, synthetic: bool) -> list[str]:
    """For a synthetic file whose codebook lists what was planted (``[comparison] planted``): what was planted
    for the focus unit and whether this page found it, against its own previous survey; [] otherwise.

    A planted change counts as found on a question when the adjusted test against the previous survey says
    it differs in the planted direction. Where nothing was planted, every change found is a false alarm.
    """
    if not synthetic or not comparison.focus or comparison.previous is None or not book.planted_questions:
        return []
    tests = comparison.tests[comparison.tests["comparison"].str.contains(" against its own survey of ")
                             & comparison.tests["question"].isin(book.planted_questions)]
    ran = tests[tests["p_value"].notna()]
    differs = ran["differs"].astype(bool)
    higher = int((differs & (ran["difference_points"] > 0)).sum())
    lower = int((differs & (ran["difference_points"] < 0)).sum())
    n, focus, who = len(book.planted_questions), comparison.focus, book.respondents
    direction = book.planted.get(focus)
    if direction:
        found = higher if direction == "higher" else lower
        verdict = (f"This page found it on {found} of the {n} questions (a change larger than chance in that "
                   "direction, against its own survey of "
                   f"{comparison.previous})" + ("." if found else ": it missed the planted change, which shows "
                                                "how large a change must be before a survey of this size sees it."))
        notes = [(f"What was planted: the synthetic file was made so that {focus}'s {who} agreed "
                  f"{'more' if direction == 'higher' else 'less'} in {comparison.period} than in "
                  f"{comparison.previous} on the {n} agreement questions. {verdict}")]
    else:
        false = higher + lower
        notes = [f"What was planted: nothing for {focus}; its {comparison.period} answers come from the same "
                 f"model as its {comparison.previous} ones. " + (
                     f"The change this page finds on {false} of the {n} agreement questions (those on which other "
                     f"{book.unit_plural} had a change planted) is a false alarm."
                     if false else f"On the {n} agreement questions (those on which other {book.unit_plural} had a "
                                   "change planted), this page finds no change larger than chance against "
                                   f"{comparison.previous}, as expected; that does not show there was no change.")]
    notes.append(f"Differences from the other {book.unit_plural} come from each invented {book.unit_plural[:-1]}'s own "
                 "level, drawn at random, not from a planted change.")
    if book.planted_note:
        notes.append(book.planted_note)
    return notes


def compared_percent(comparison: Comparison, question: str, against: str) -> float:
    """The published percentage ``question``'s focus figure is compared with: the other units' (``against`` "the
    other ...") or its previous survey's, as shown in the table and chart."""
    role = "previous" if against.startswith("its own survey") else "others"
    rows = comparison.table[(comparison.table["role"] == role) & (comparison.table["question"] == question)]
    return float(rows["percent"].iloc[0])


def show_comparison(comparison: Comparison, book: Codebook, *, confidence: float = 0.95) -> None:
    """The comparison section: the dot chart, the table of tests and what they show; nothing without a focus."""
    if not comparison.focus:
        return
    show.show_section(f"{comparison.focus} beside the other {unit_plural(book)} and its previous survey",
                      [f"Each row is one question: {comparison.focus}'s headline percentage in {comparison.period} "
                       f"(filled circle), the other {unit_plural(book)}' in the same year "
                       "(diamond)" + (f", and its own in {comparison.previous} (square)" if comparison.previous else "")
                       + ". The lines show each figure's confidence interval."])
    chart = comparison_chart(comparison.table, focus=comparison.focus, name="focus_comparison",
                             title=f"{comparison.focus} beside the other {unit_plural(book)}"
                             + (f" and its {comparison.previous} survey" if comparison.previous else ""),
                             respondents=book.respondents, units=unit_plural(book), confidence=confidence)
    show.show_chart(chart, caption="Headline answers compared",
                    csv=comparison.table.rename(columns={"lower": "ci_lower_percent", "upper": "ci_upper_percent"}))
    shown = comparison.tests.assign(against=comparison.tests["comparison"].str.split(" against ", n=1).str[1])
    show.show_table(
        show.readable_table(p_value_text(shown), {"finding": f"{book.respondents[:1].upper() + book.respondents[1:]} that...",
                                    "against": "Compared with", "difference_points": "Difference (points)",
                                    "p_value": "p-value", "p_adjusted": "Adjusted p-value (Holm)",
                                    "differs": "Differs after adjustment"},
                            decimals={"difference_points": 0}),
        name="focus_tests", caption=f"Does {comparison.focus} differ?", csv=comparison.tests, collapsed=True)
