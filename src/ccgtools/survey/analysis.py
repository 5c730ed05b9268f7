"""Survey results: the headline percentage of each question with its interval, answer distributions.

Every estimate has its own denominator (those asked the question who answered it) and, when the
responses are weighted (:mod:`ccgtools.survey.weighting`), is the weighted share with Kish's design
effect and effective base; its Wilson interval is computed on the effective base (with the finite
population correction when a population size is given). Unweighted, the design effect is 1 and the
effective base is the number who answered, so the intervals are the plain Wilson intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..page import disclosure
from ..stats import proportion_ci
from .codebook import Codebook, Question
from .weighting import merge_small_groups

#: A survey result as published: its base (those who answered), what derives from it, and the
#: complement that would give a withheld base back (respondents asked minus ``answered``).
SURVEY_RESULT = disclosure.TableColumns(
    base="answered", derived=("numerator", "percent", "lower", "upper", "design_effect", "effective_base"),
    complements=("not_answered",))
#: A distribution of answers: every row a share of the same base.
CHOICE_RESULT = disclosure.TableColumns(
    base="answered", derived=("numerator", "percent", "lower", "upper", "design_effect", "effective_base"))


@dataclass(frozen=True)
class Item:
    """One headline figure: a yes/no or Likert question, or one option of a multiple-choice question."""

    column: str
    text: str
    finding: str
    headline: tuple[str, ...]
    question: Question


def headline_items(book: Codebook, columns: tuple[str, ...] | None = None) -> tuple[Item, ...]:
    """The figures of the question summary, in the codebook's order (all of them, or those in ``columns``)."""
    items = []
    for question in book.of_kind("yes_no", "likert", "multiple_choice"):
        if question.kind == "multiple_choice":
            items += [Item(o.column, o.text, o.finding, question.headline, question) for o in question.options]
        else:
            items.append(Item(question.column, question.text, question.finding, question.headline, question))
    if columns is not None:
        known = {i.column for i in items}
        unknown = [c for c in columns if c not in known]
        if unknown:
            book.question(unknown[0])  # raises, naming the questions there are
        items = [i for i in items if i.column in columns]
    return tuple(items)


def asked(responses: pd.DataFrame, question: Question) -> pd.Series:
    """The rows asked ``question``: all, except those its ``asked_if`` leaves out (not applicable)."""
    if question.asked_if is None:
        return pd.Series(True, index=responses.index)
    return ~responses[question.asked_if.column].isin(question.asked_if.not_in)


def weighted_share(hit: pd.Series, base: pd.Series, weights: pd.Series) -> dict:
    """The weighted share of ``hit`` among the ``base`` rows, with Kish's design effect and effective base.

    Returns
    -------
    dict
        numerator (unweighted count of hits), answered (unweighted base), proportion (weighted),
        design_effect (n·Σw²/(Σw)² over the base) and effective_base (n / design effect).
    """
    base = base.astype(bool)
    w = weights.reindex(base.index)[base].to_numpy(dtype=float)
    h = hit.reindex(base.index)[base].to_numpy(dtype=bool)
    n = len(w)
    if n == 0 or w.sum() <= 0:
        return {"numerator": int(h.sum()), "answered": n, "proportion": np.nan, "design_effect": np.nan,
                "effective_base": 0.0}
    deff = n * np.sum(w ** 2) / np.sum(w) ** 2
    return {"numerator": int(h.sum()), "answered": n, "proportion": float(np.sum(w * h) / np.sum(w)),
            "design_effect": float(deff), "effective_base": float(n / deff)}


def _with_intervals(rows: list[dict], confidence: float, population_size: int | None, *,
                    whole: bool = False) -> pd.DataFrame:
    """Rows of :func:`weighted_share` with Wilson intervals on the effective base, as percentages.

    With ``whole`` (weighted results) the percentages and interval limits are rounded to whole numbers,
    the design effect to 2 decimal places and the effective base to a whole number: with the unweighted
    counts beside them, finer weighted figures could give back counts withheld elsewhere.
    """
    table = pd.DataFrame(rows)
    n_eff = table["effective_base"].astype(float)
    p = table["proportion"].astype(float)
    _, lower, upper = proportion_ci(np.where(n_eff > 0, p * n_eff, np.nan), n_eff.where(n_eff > 0), confidence,
                                    population_size=population_size)
    table["percent"] = 100 * p
    table["lower"] = 100 * np.asarray(lower)
    table["upper"] = 100 * np.asarray(upper)
    table["numerator"] = table["numerator"].astype("Int64")
    table["answered"] = table["answered"].astype("Int64")
    if whole:
        table[["percent", "lower", "upper", "effective_base"]] = table[
            ["percent", "lower", "upper", "effective_base"]].round(0)
        table["design_effect"] = table["design_effect"].round(2)
    return table.drop(columns="proportion")


def _weights(responses: pd.DataFrame, weights: pd.Series | None) -> pd.Series:
    return pd.Series(1.0, index=responses.index) if weights is None else weights.reindex(responses.index)


def question_summary(
    responses: pd.DataFrame,
    columns: tuple[str, ...] | None = None,
    *,
    weights: pd.Series | None = None,
    confidence: float = 0.95,
    population_size: int | None = None,
    min_responses: int | None = None,
) -> pd.DataFrame:
    """Headline percentage of each yes/no and Likert question and each multiple-choice option, with its
    own denominator, design effect, effective base and Wilson interval.

    Parameters
    ----------
    responses : pandas.DataFrame
        From :func:`ccgtools.survey.load.load_survey` (its codebook in ``attrs``).
    columns : tuple of str, optional
        Question (or option) columns to summarise; all by default.
    weights : pandas.Series, optional
        Respondent weights (:mod:`ccgtools.survey.weighting`); unweighted when None.
    confidence : float
        Confidence level of the interval.
    population_size : int, optional
        Number of units in the population surveyed; applies the finite population correction.
    min_responses : int, optional
        Results based on fewer answers are suppressed (:func:`ccgtools.page.disclosure.publish_table`);
        default the codebook's ``[suppression] min_base``.

    Returns
    -------
    pandas.DataFrame
        One row per figure: question, question_text, finding, numerator, answered, not_answered,
        percent, lower, upper (percentages), design_effect, effective_base, suppressed.

    Notes
    -----
    Wilson score interval (Newcombe 1998) on Kish's effective base n / deff (Kish 1965), as recommended
    for weighted proportions by Korn EL, Graubard BI (1998), Confidence intervals for proportions with
    small expected number of positive counts estimated from survey data, Survey Methodology 24:193-201.
    Respondents a question's ``asked_if`` leaves out are in neither its base nor its ``not_answered``.
    """
    book: Codebook = responses.attrs["codebook"]
    w = _weights(responses, weights)
    rows = []
    for item in headline_items(book, columns):
        eligible = asked(responses, item.question)
        answered = responses[item.column].notna() & eligible
        hit = responses[item.column].isin(item.headline)
        rows.append({"question": item.column, "question_text": item.text, "finding": item.finding,
                     **weighted_share(hit, answered, w), "not_answered": int((eligible & ~answered).sum())})
    table = _with_intervals(rows, confidence, population_size, whole=weights is not None)
    table = table[["question", "question_text", "finding", "numerator", "answered", "not_answered", "percent",
                   "lower", "upper", "design_effect", "effective_base"]]
    rule = disclosure.DisclosureRule(min_base=min_responses or book.min_base)
    table = disclosure.publish_table(table, SURVEY_RESULT, rule=rule)
    table.attrs.update(confidence=confidence, population_size=population_size, weighted=weights is not None)
    return table


def options_summary(responses: pd.DataFrame, question: Question, **options) -> pd.DataFrame:
    """:func:`question_summary` of a multiple-choice question's options, with their short ``option`` label.

    Each option is a tick-box with its own non-response, so each has its own denominator; the
    percentages do not sum to 100 (several options may be ticked).
    """
    table = question_summary(responses, tuple(o.column for o in question.options), **options)
    labels = {o.column: o.label for o in question.options}
    out = table.assign(option=table["question"].map(labels))
    out.attrs = dict(table.attrs)
    return out


def options_within(responses: pd.DataFrame, question: Question, *, weights: pd.Series | None = None,
                   confidence: float = 0.95, min_responses: int | None = None) -> pd.DataFrame:
    """A multiple-choice question's options within each answer of the question it is tied to, each on its own base.

    A question whose codebook entry names a column in ``not_compared_by`` (the reasons for the choice of
    provider, tied to the provider chosen) is reported within each value of that column: reasons belong to
    one choice ("too busy to explore alternatives" only to those taking the PCT-cluster offer), so pooled
    over every choice they would mix bases. Values its ``asked_if`` leaves out (undecided CCGs) are left out.
    Choices made by fewer than ``min_responses`` are merged with the next smallest
    (:func:`ccgtools.survey.weighting.merge_small_groups`: "Private sector and In-house"), so that every
    figure shown has a base at the threshold and none can be recovered from the all-choices totals; any
    base still small is withheld (:func:`ccgtools.page.disclosure.publish_table`).

    Returns
    -------
    pandas.DataFrame
        One row per value and option: within, question, option, finding, numerator, answered, percent, lower,
        upper, design_effect, effective_base, suppressed; empty when the question is tied to no column.
    """
    book: Codebook = responses.attrs["codebook"]
    if not question.not_compared_by:
        return pd.DataFrame()
    column = question.not_compared_by[0]
    skip = question.asked_if.not_in if question.asked_if and question.asked_if.column == column else ()
    declared = (book.question(column).answers if column in {q.column for q in book.questions}
                else book.grouping(column).values)
    columns = tuple(o.column for o in question.options)
    values = [v for v in declared if v not in skip]
    counts = responses[column].astype(object).value_counts().reindex(values, fill_value=0).to_dict()
    merged = merge_small_groups(counts, min_responses or book.min_base)
    parts = []
    for value in dict.fromkeys(merged[v] for v in values if counts[v] > 0):
        subset = responses[responses[column].astype(object).map(merged) == value]
        subset.attrs = dict(responses.attrs)
        parts.append(question_summary(subset, columns, weights=weights, confidence=confidence, min_responses=1)
                     .assign(within=value))
    table = pd.concat(parts, ignore_index=True)
    table.attrs = {"confidence": confidence}
    totals = question_summary(responses, columns, weights=weights, min_responses=1).set_index("question")
    labels = {o.column: o.label for o in question.options}
    table = table.assign(option=table["question"].map(labels))[
        ["within", "question", "option", "finding", "numerator", "answered", "percent", "lower", "upper",
         "design_effect", "effective_base"]]
    out = disclosure.publish_table(table, SURVEY_RESULT, rule=disclosure.DisclosureRule(
        min_base=min_responses or book.min_base), within=["question"], totals=totals, numerator="numerator")
    out.attrs.update(confidence=confidence, within_column=column, merged=merged)
    return out


def paired_options_test(responses: pd.DataFrame, first: str, second: str, *, selected: str = "Yes") -> dict:
    """Do two tick-box options of the same respondents differ? McNemar's exact test on those who answered both.

    Two options ticked by the same respondents are paired, so comparing their intervals (or a two-sample test)
    is wrong: only the respondents who ticked one and not the other say which is more common.

    Returns
    -------
    dict
        answered (both answered), only_first, only_second (the discordant pairs, not published) and p_value
        (exact two-sided binomial test of the discordant pairs, rounded to 2 decimal places).

    References
    ----------
    McNemar Q (1947). Note on the sampling error of the difference between correlated proportions or
    percentages. Psychometrika 12:153-157. statsmodels.stats.contingency_tables.mcnemar.
    """
    from statsmodels.stats.contingency_tables import mcnemar

    both = responses[first].notna() & responses[second].notna()
    a = responses.loc[both, first].astype(object) == selected
    b = responses.loc[both, second].astype(object) == selected
    only_first, only_second = int((a & ~b).sum()), int((~a & b).sum())
    table = [[int((a & b).sum()), only_first], [only_second, int((~a & ~b).sum())]]
    p = float(mcnemar(table, exact=True).pvalue) if only_first + only_second else 1.0
    return {"answered": int(both.sum()), "only_first": only_first, "only_second": only_second,
            "p_value": round(p, 2)}


def choice_summary(responses: pd.DataFrame, question: Question, *, weights: pd.Series | None = None,
                   confidence: float = 0.95, min_responses: int | None = None) -> pd.DataFrame:
    """Number and (weighted) percentage choosing each answer of a single-choice question, with Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per answer in the codebook's order: answer, numerator, answered, percent, lower, upper,
        design_effect, effective_base, suppressed. When fewer than ``min_responses`` answered, every count
        and percentage is withheld (:func:`ccgtools.page.disclosure.publish_table`).
    """
    book: Codebook = responses.attrs["codebook"]
    w = _weights(responses, weights)
    answered = responses[question.column].notna() & asked(responses, question)
    rows = [{"answer": answer, **weighted_share(responses[question.column] == answer, answered, w)}
            for answer in question.answers]
    table = _with_intervals(rows, confidence, None, whole=weights is not None)
    table = table[["answer", "numerator", "answered", "percent", "lower", "upper", "design_effect", "effective_base"]]
    rule = disclosure.DisclosureRule(min_base=min_responses or book.min_base)
    out = disclosure.publish_table(table, CHOICE_RESULT, rule=rule)
    out.attrs["confidence"] = confidence
    return out


def likert_distribution(responses: pd.DataFrame, questions: tuple[Question, ...], *,
                        weights: pd.Series | None = None, min_responses: int | None = None) -> pd.DataFrame:
    """(Weighted) percentage of answers in each category of a Likert scale, per question, for the chart.

    Parameters
    ----------
    questions : tuple of Question
        Likert questions on one scale.

    Returns
    -------
    pandas.DataFrame
        Index: question text; columns: the scale's labels from the least to the most favourable (percent of
        those who answered, summing to 100) and ``answered``. Questions answered by fewer than
        ``min_responses`` are withheld and left out (a chart has no way to show a withheld bar);
        ``attrs["withheld"]`` lists them and ``attrs["scale"]`` is the scale.
    """
    book: Codebook = responses.attrs["codebook"]
    scale = questions[0].scale
    labels = list(scale.ordered)
    w = _weights(responses, weights)
    rows = []
    for question in questions:
        answered = responses[question.column].notna() & asked(responses, question)
        totals = w[answered].groupby(responses.loc[answered, question.column], observed=False).sum()
        totals = totals.reindex(labels, fill_value=0.0)
        share = 100 * totals / totals.sum() if totals.sum() > 0 else totals * np.nan
        if weights is not None and totals.sum() > 0:
            share = whole_shares(share, scale)  # whole numbers, as everywhere on a weighted page
        rows.append({"question": question.text, **share.astype(float).to_dict(), "answered": int(answered.sum())})
    table = disclosure.publish_table(pd.DataFrame(rows), disclosure.TableColumns(base="answered", derived=tuple(labels)),
                                     rule=disclosure.DisclosureRule(min_base=min_responses or book.min_base))
    shown = table[~table["suppressed"]]
    out = shown.drop(columns="suppressed").set_index("question").rename_axis(None)
    out["answered"] = out["answered"].astype(int)
    out.attrs.update(table.attrs, withheld=table.loc[table["suppressed"], "question"].tolist(), scale=scale)
    return out


def whole_shares(share: pd.Series, scale) -> pd.Series:
    """A Likert question's shares (per cent, summing to 100, indexed by the scale's labels) in whole numbers, so
    that the chart's unfavourable and favourable totals are the figures the tables quote.

    Each side's total is its unrounded total rounded; the neutral answer (when the scale has one) takes what is
    left of 100; within each side the categories share its total by largest remainder (Hamilton's method).
    Rounding each category on its own could make "agree" + "strongly agree" 84% where the table says 83%.
    """
    sides = [list(scale.negative_labels), list(scale.positive_labels)]
    totals = [round(float(share[side].sum())) for side in sides]
    if scale.neutral:
        sides.append([scale.neutral])
        totals.append(100 - sum(totals))
    out = pd.Series(0.0, index=share.index)
    for side, total in zip(sides, totals):
        values = share[side].astype(float)
        floors = np.floor(values)
        extra = int(total - floors.sum())
        order = (values - floors).sort_values(ascending=False, kind="stable").index
        floors[order[:max(extra, 0)]] += 1
        out[side] = floors
    return out


def scales_used(book: Codebook) -> list[tuple[Question, ...]]:
    """The Likert questions grouped by their scale, in the codebook's order (one chart per scale)."""
    groups: dict[str, list[Question]] = {}
    for question in book.of_kind("likert"):
        groups.setdefault(question.scale.name, []).append(question)
    return [tuple(g) for g in groups.values()]
