"""Differences between groups of survey respondents: percentages by group, and tests of association.

Split from :mod:`ccgtools.survey.load` (questions, loading and whole-survey summaries). Small
groups are suppressed through :mod:`ccgtools.page.disclosure` before anything is published.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats

from .. import config
from ..page import disclosure
from .analysis import SURVEY_RESULT, question_summary, reasons_only_for_choosers
from .load import GROUPINGS, QUESTIONS, question, with_grouping


def comparable_questions(group_by: str, columns: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The questions whose answers may be compared between the groups of ``group_by``.

    The reasons for the choice of provider are about that choice: by provider chosen
    they are tied to the grouping by construction (only CCGs choosing the PCT-cluster
    offer could be "too busy to explore alternatives" or value "good relationships
    with PCT support staff"; in the bundled file each reason can only be "Yes" for
    the providers it applies to). Comparing them between providers would restate the
    design of the question, so they are left out of the breakdown and of the tests.

    Parameters
    ----------
    group_by : str
        A grouping of :data:`ccgtools.survey.load.GROUPINGS`.
    columns : tuple of str, optional
        Question columns to consider; all by default.

    Returns
    -------
    tuple of str
        The question columns, in the order of :data:`~ccgtools.survey.load.QUESTIONS`.
    """
    items = QUESTIONS if columns is None else tuple(question(c) for c in columns)
    tied = group_by == "provider_choice"
    return tuple(q.column for q in items if not (tied and q.kind == "reason"))


def group_breakdown(
    responses: pd.DataFrame,
    group_by: str,
    columns: tuple[str, ...] | None = None,
    *,
    confidence: float = 0.95,
    min_responses: int = config.SURVEY_MIN_RESPONSES,
) -> pd.DataFrame:
    """Headline percentage of each question within each group.

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
        percent, lower, upper, suppressed.
    """
    groups = with_grouping(responses, group_by)
    columns = comparable_questions(group_by, columns)
    parts = []
    for label in GROUPINGS[group_by]:
        subset = responses[groups == label]
        summary = question_summary(subset, columns, confidence=confidence, min_responses=1)
        parts.append(summary.assign(group=label))
    table = pd.concat(parts, ignore_index=True)
    table.attrs = {"confidence": confidence}  # not the per-group summaries' rule of 1: this table's rules follow
    totals = question_summary(responses, columns, min_responses=1).set_index("question")
    table = table[["question", "finding", "group", "numerator", "answered", "percent", "lower", "upper"]]
    table = disclosure.publish_table(table, SURVEY_RESULT, rule=disclosure.DisclosureRule(min_base=min_responses),
                                     within=["question"], totals=totals, numerator="numerator")
    attrs = dict(table.attrs)
    out = table.sort_values(["question", "group"], key=_question_then_group_order(group_by), ignore_index=True)
    out.attrs.update(attrs)
    return out


def _question_then_group_order(group_by: str):
    question_order = {q.column: i for i, q in enumerate(QUESTIONS)}
    group_order = {g: i for i, g in enumerate(GROUPINGS[group_by])}

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
    present = np.flatnonzero(~np.isnan(p))
    order = present[np.argsort(p[present], kind="stable")]
    m = len(order)
    steps = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted[order] = np.maximum.accumulate(steps)
    return adjusted


def association_tests(
    responses: pd.DataFrame,
    group_by: str,
    columns: tuple[str, ...] | None = None,
    *,
    min_responses: int = config.SURVEY_MIN_RESPONSES,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Test whether each question's headline answer differs between groups, adjusted for multiple tests.

    Only groups with at least ``min_responses`` answers take part (smaller groups
    are suppressed in the published breakdown and left out of the test). Questions
    tied to the grouping by construction are not tested (:func:`comparable_questions`);
    undecided CCGs are not in the reasons' tests (they had no choice to give a
    reason for). The p-values of the tests that ran are adjusted together with
    Holm's method (:func:`holm_adjust`).

    Returns
    -------
    pandas.DataFrame
        One row per question tested: question, finding, test, statistic, p_value
        (raw), p_adjusted (Holm), differs (adjusted p below ``alpha``; missing when
        not tested), groups_tested, groups_left_out. ``attrs`` holds ``alpha``,
        ``adjustment`` and ``tests_run``.

    Notes
    -----
    Pearson's chi-square test of independence on the groups × (headline, other)
    table; when any expected count is below 5 (Cochran 1954), Fisher's exact test
    (for more than two groups the Freeman-Halton extension, its p-value estimated
    from 100,000 seeded random tables with ``scipy.stats.fisher_exact``).
    """
    groups = with_grouping(responses, group_by)
    responses = reasons_only_for_choosers(responses)
    rows = []
    for item in (question(c) for c in comparable_questions(group_by, columns)):
        answered = responses[item.column].notna()
        hit = responses[item.column].isin(item.headline)
        table = pd.DataFrame({"hit": (hit & answered).groupby(groups, observed=False).sum(),
                              "answered": answered.groupby(groups, observed=False).sum()})
        kept = table[table["answered"] >= min_responses]
        left_out = [str(g) for g in table.index if g not in kept.index]
        contingency = np.column_stack([kept["hit"], kept["answered"] - kept["hit"]]).astype(int)
        rows.append({"question": item.column, "finding": item.finding,
                     **_independence_test(contingency),
                     "groups_tested": len(kept), "groups_left_out": ", ".join(left_out)})
    tests = pd.DataFrame(rows, columns=["question", "finding", "test", "statistic", "p_value",
                                        "groups_tested", "groups_left_out"])
    adjusted = holm_adjust(tests["p_value"])
    tests.insert(5, "p_adjusted", adjusted)
    tests.insert(6, "differs", pd.array([pd.NA if np.isnan(a) else bool(a < alpha) for a in adjusted],
                                        dtype="boolean"))
    tests.attrs.update({"alpha": alpha, "adjustment": "Holm (1979)",
                        "tests_run": int(np.count_nonzero(~np.isnan(adjusted)))})
    return tests


def _independence_test(contingency: np.ndarray) -> dict:
    usable = contingency[:, contingency.sum(axis=0) > 0] if contingency.size else contingency
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
