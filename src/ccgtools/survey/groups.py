"""Differences between groups of survey respondents: percentages by group, and tests of association.

Small groups are suppressed through :mod:`ccgtools.page.disclosure` before anything is published. With
weights, each group's share is weighted and the test is run on the effective counts (each group's
weighted share times its effective base: a first-order Rao-Scott correction by Kish's design effect).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats
from statsmodels.stats.multitest import multipletests

from .. import config
from ..page import disclosure
from .analysis import (
    SURVEY_RESULT,
    asked,
    headline_items,
    question_summary,
    weighted_share,
)
from .load import with_grouping


def comparable_questions(responses: pd.DataFrame, group_by: str, columns: tuple[str, ...] | None = None
                         ) -> tuple[str, ...]:
    """The figures whose answers may be compared between the groups of ``group_by``.

    A question whose codebook entry names ``group_by`` in ``not_compared_by`` is left out: its answers
    are tied to the grouping by construction (in the 2012 survey, the reasons for the choice of provider
    by the provider chosen: only CCGs choosing the PCT-cluster offer could be "too busy to explore
    alternatives"), so comparing them would restate the design of the question.

    Returns
    -------
    tuple of str
        The question (or option) columns, in the codebook's order.
    """
    items = headline_items(responses.attrs["codebook"], columns)
    return tuple(i.column for i in items if group_by not in i.question.not_compared_by)


def group_breakdown(
    responses: pd.DataFrame,
    group_by: str,
    columns: tuple[str, ...] | None = None,
    *,
    weights: pd.Series | None = None,
    confidence: float = 0.95,
    min_responses: int | None = None,
) -> pd.DataFrame:
    """Headline (weighted) percentage of each question within each group.

    Groups where fewer than ``min_responses`` answered the question are
    suppressed (counts and percentages missing, ``suppressed`` True); then, as the
    groups of a question add up to its total published in the question summary, the
    next-smallest group is suppressed too until subtraction from the total recovers no
    suppressed cell (:func:`ccgtools.page.disclosure.publish_table`).
    Questions tied to the grouping by construction are left out
    (:func:`comparable_questions`).

    Returns
    -------
    pandas.DataFrame
        One row per question and group: question, group, numerator, answered,
        percent, lower, upper, design_effect, effective_base, suppressed.
    """
    book = responses.attrs["codebook"]
    groups = with_grouping(responses, group_by)
    columns = comparable_questions(responses, group_by, columns)
    values = group_values(responses, group_by)
    parts = []
    for label in values:
        subset = responses[groups == label]
        subset.attrs = dict(responses.attrs)
        summary = question_summary(subset, columns, weights=weights, confidence=confidence, min_responses=1)
        parts.append(summary.assign(group=label))
    table = pd.concat(parts, ignore_index=True)
    table.attrs = {"confidence": confidence}  # not the per-group summaries' rule of 1: this table's rules follow
    totals = question_summary(responses, columns, weights=weights, min_responses=1).set_index("question")
    table = table[["question", "finding", "group", "numerator", "answered", "percent", "lower", "upper",
                   "design_effect", "effective_base"]]
    table = disclosure.publish_table(table, SURVEY_RESULT,
                                     rule=disclosure.DisclosureRule(min_base=min_responses or book.min_base),
                                     within=["question"], totals=totals, numerator="numerator")
    if book.hide_unanimous:
        # every member (or none) of a group giving the answer would reveal each member's answer
        unanimous = ~table["suppressed"] & ((table["numerator"] == 0) | (table["numerator"] == table["answered"]))
        table.loc[unanimous.fillna(False).astype(bool), "suppressed"] = True
        table.attrs["unanimous"] = int(unanimous.fillna(False).sum())
        disclosure.note_rule(table, "In breakdowns by group, a group where every respondent (or none) gave an "
                                    "answer is withheld: 100% or 0% would tell each member's answer.")
    if weights is not None or book.hide_unanimous:
        table = _hide_question_if_any_hidden(table)
        disclosure.note_rule(table, "Where any group of a question is withheld, all its groups are: a total, "
                                    "weighted or not, could otherwise give the withheld one back.")
    attrs = dict(table.attrs)
    out = table.sort_values(["question", "group"], key=_question_then_group_order(columns, values), ignore_index=True)
    out.attrs.update(attrs)
    return out


def group_values(responses: pd.DataFrame, group_by: str) -> tuple[str, ...]:
    """The groups of ``group_by`` in order: the column's categories (after small weighting groups were merged,
    :func:`ccgtools.survey.weighting.with_weighting_groups`), else the codebook's values."""
    column = with_grouping(responses, group_by)
    declared = responses.attrs["codebook"].grouping(group_by).values
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = set(column.dropna().astype(str))
        if not present <= set(declared):  # small groups were merged: show the groups these respondents are in
            return tuple(str(c) for c in column.cat.categories if str(c) in present)
    return declared


def _hide_question_if_any_hidden(table: pd.DataFrame) -> pd.DataFrame:
    """With weights, withhold every group of a question once any of its groups is withheld.

    A weighted total is a known combination of the groups' counts (each group's weight is fixed by the
    population margins and the group's size), so with the unweighted total it gives a second equation
    that subtraction alone does not: two withheld groups could be solved for. Publishing no group of such
    a question leaves nothing to solve for.
    """
    hidden_questions = table.loc[table["suppressed"], "question"].unique()
    out = table.copy()
    rows = out["question"].isin(hidden_questions)
    for column in ("numerator", "answered", "percent", "lower", "upper", "design_effect", "effective_base"):
        out.loc[rows, column] = pd.NA if str(out[column].dtype) in ("Int64", "boolean") else np.nan
    out.loc[rows, "suppressed"] = True
    out.attrs = dict(table.attrs)
    return out


def _question_then_group_order(columns: tuple[str, ...], values: tuple[str, ...]):
    question_order = {c: i for i, c in enumerate(columns)}
    group_order = {g: i for i, g in enumerate(values)}

    def key(column: pd.Series) -> pd.Series:
        lookup = question_order if column.name == "question" else group_order
        return column.map(lookup)

    return key


def holm_adjust(p_values) -> np.ndarray:
    """Holm's step-down adjustment of a family of p-values; missing p-values are not in the family.

    Parameters
    ----------
    p_values : array-like of float
        Raw p-values; NaN for tests that were not run.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order (NaN where the input is NaN): with the
        m p-values sorted, p₍ᵢ₎ becomes maxⱼ≤ᵢ min(1, (m − j + 1)·p₍ⱼ₎). Rejecting where
        the adjusted p-value is below α controls the family-wise error rate at α.

    References
    ----------
    Holm S (1979). A simple sequentially rejective multiple test procedure.
    Scandinavian Journal of Statistics 6:65-70.
    """
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    present = ~np.isnan(p)
    if present.any():
        adjusted[present] = multipletests(p[present], method="holm")[1]
    return adjusted


def association_tests(
    responses: pd.DataFrame,
    group_by: str,
    columns: tuple[str, ...] | None = None,
    *,
    weights: pd.Series | None = None,
    min_responses: int | None = None,
    alpha: float = 0.05,
    exact: bool = False,
) -> pd.DataFrame:
    """Test whether each question's headline answer differs between groups, adjusted for multiple tests.

    Only groups published in :func:`group_breakdown` take part: every withheld group, whether too small
    or withheld so that subtraction cannot give a small one back, is left out of the test, so that no
    published test carries information about a withheld cell. No test statistic is published and the
    p-values are rounded to 2 decimal places (``exact=True``, for checking only, keeps the unrounded
    p-values and the chi-square statistic; never publish that). Questions
    tied to the grouping by construction are not tested (:func:`comparable_questions`);
    undecided CCGs are not in the reasons' tests (they had no choice to give a
    reason for). The p-values of the tests that ran are adjusted together with
    Holm's method (:func:`holm_adjust`).

    Returns
    -------
    pandas.DataFrame
        One row per question tested: question, finding, test, p_value
        (raw, 2 dp), p_adjusted (Holm, 2 dp), differs (adjusted p below ``alpha``; missing when
        not tested), groups_tested, groups_left_out. ``attrs`` holds ``alpha``,
        ``adjustment`` and ``tests_run``.

    Notes
    -----
    Pearson's chi-square test of independence on the groups × (headline, other)
    table; when any expected count is below 5 (Cochran 1954), Fisher's exact test
    (for more than two groups the Freeman-Halton extension, its p-value estimated
    from 100,000 seeded random tables with ``scipy.stats.fisher_exact``).
    """
    book = responses.attrs["codebook"]
    groups = with_grouping(responses, group_by)
    values = group_values(responses, group_by)
    published = group_breakdown(responses, group_by, columns, weights=weights, min_responses=min_responses)
    hidden = published.loc[published["suppressed"].astype(bool)].groupby("question")["group"].agg(set).to_dict()
    w = pd.Series(1.0, index=responses.index) if weights is None else weights.reindex(responses.index)
    items = {i.column: i for i in headline_items(book)}
    rows = []
    for column in comparable_questions(responses, group_by, columns):
        item = items[column]
        answered = responses[column].notna() & asked(responses, item.question)
        hit = responses[column].isin(item.headline)
        shares = [weighted_share(hit[groups == g], answered[groups == g], w) for g in values]
        table = pd.DataFrame(shares, index=list(values))
        kept = table[[g not in hidden.get(column, set()) and n > 0 for g, n in zip(table.index, table["answered"])]]
        left_out = [str(g) for g in table.index if g not in kept.index]
        if weights is None:
            hits = kept["numerator"].to_numpy(dtype=float)
            bases = kept["answered"].to_numpy(dtype=float)
        else:
            bases = kept["effective_base"].to_numpy(dtype=float)
            hits = kept["proportion"].to_numpy(dtype=float) * bases
        contingency = np.column_stack([hits, bases - hits])
        result = _independence_test(contingency, weighted=weights is not None)
        if len(kept) < 2 and any(g in hidden.get(column, set()) for g in table.index):
            result = {**result, "test": "not tested: fewer than two groups can be shown (the others are withheld "
                                        "to protect confidentiality)"}
        rows.append({"question": column, "finding": item.finding, "test": result["test"], "p_value": result["p_value"],
                     "statistic": result["statistic"],
                     "groups_tested": len(kept), "groups_left_out": ", ".join(left_out)})
    tests = pd.DataFrame(rows, columns=["question", "finding", "test", "p_value", "groups_tested", "groups_left_out",
                                        "statistic"])
    adjusted = holm_adjust(tests["p_value"])
    tests.insert(4, "p_adjusted", adjusted)
    tests.insert(5, "differs", pd.array([pd.NA if np.isnan(a) else bool(a < alpha) for a in adjusted],
                                        dtype="boolean"))
    tests.attrs.update({"alpha": alpha, "adjustment": "Holm (1979)",
                        "tests_run": int(np.count_nonzero(~np.isnan(adjusted)))})
    if exact:
        return tests
    # Published to 2 decimal places and without the test statistic: finer figures carry more of the counts.
    tests = tests.drop(columns="statistic")
    tests["p_value"] = tests["p_value"].round(2)
    tests["p_adjusted"] = tests["p_adjusted"].round(2)
    tests.attrs.update({"alpha": alpha, "adjustment": "Holm (1979)",
                        "tests_run": int(np.count_nonzero(~np.isnan(adjusted)))})
    return tests


def _independence_test(contingency: np.ndarray, *, weighted: bool = False) -> dict:
    usable = contingency[:, contingency.sum(axis=0) > 0] if contingency.size else contingency
    # Effective counts of weighted data are rounded to whole answers (unweighted counts are whole already).
    usable = np.round(usable).astype(int) if usable.size else usable.astype(int)
    if usable.shape[0] < 2 or usable.shape[1] < 2:
        return {"test": "not tested (fewer than two groups or answers vary too little)",
                "statistic": np.nan, "p_value": np.nan}
    chi2 = _scipy_stats.chi2_contingency(usable, correction=False)
    if (chi2.expected_freq < 5).any():
        if usable.shape == (2, 2):
            return {"test": "Fisher's exact test", "statistic": np.nan,
                    "p_value": float(_scipy_stats.fisher_exact(usable).pvalue)}
        # Freeman-Halton extension: p-value estimated from 100,000 random tables with the same
        # margins, seeded so that a briefing is reproducible.
        method = _scipy_stats.MonteCarloMethod(n_resamples=100_000, rng=np.random.default_rng(config.SURVEY_SEED))
        result = _scipy_stats.fisher_exact(usable, method=method)
        return {"test": "Fisher's exact test (Monte Carlo, 100,000 tables)", "statistic": np.nan,
                "p_value": float(result.pvalue)}
    return {"test": f"Chi-square test ({chi2.dof} df)", "statistic": float(chi2.statistic),
            "p_value": float(chi2.pvalue)}
