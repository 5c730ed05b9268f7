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
from .analysis import question_summary
from .load import GROUPINGS, QUESTIONS, question, with_grouping


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
    groups of a question add up to its published total, a question with a single
    suppressed group has its next-smallest group suppressed too
    (:mod:`ccgtools.page.disclosure`).

    Returns
    -------
    pandas.DataFrame
        One row per question and group: question, group, numerator, answered,
        percent, lower, upper, suppressed.
    """
    groups = with_grouping(responses, group_by)
    parts = []
    for label in GROUPINGS[group_by]:
        subset = responses[groups == label]
        summary = question_summary(subset, columns, confidence=confidence, min_responses=1)
        parts.append(summary.assign(group=label))
    table = pd.concat(parts, ignore_index=True)
    table = table[["question", "finding", "group", "numerator", "answered", "percent", "lower", "upper"]]
    table = table.assign(group_size=table["answered"].astype(float))
    rule = disclosure.DisclosureRule(min_base=min_responses)
    hidden = ["answered", "numerator", "percent", "lower", "upper"]
    table = disclosure.suppress_small_bases(table, "answered", dependent=hidden[1:], rule=rule)
    table = disclosure.secondary_suppression(table, within=["question"], size_column="group_size", columns=hidden)
    return table.drop(columns="group_size").sort_values(["question", "group"],
                                                         key=_question_then_group_order(group_by), ignore_index=True)


def _question_then_group_order(group_by: str):
    question_order = {q.column: i for i, q in enumerate(QUESTIONS)}
    group_order = {g: i for i, g in enumerate(GROUPINGS[group_by])}

    def key(column: pd.Series) -> pd.Series:
        lookup = question_order if column.name == "question" else group_order
        return column.map(lookup)

    return key


def association_tests(
    responses: pd.DataFrame,
    group_by: str,
    columns: tuple[str, ...] | None = None,
    *,
    min_responses: int = config.SURVEY_MIN_RESPONSES,
) -> pd.DataFrame:
    """Test whether each question's headline answer differs between groups.

    Only groups with at least ``min_responses`` answers take part (smaller groups
    are suppressed in the published breakdown and left out of the test).

    Returns
    -------
    pandas.DataFrame
        One row per question: question, test, statistic, p_value, groups_tested,
        groups_left_out.

    Notes
    -----
    Pearson's chi-square test of independence on the groups × (headline, other)
    table; when any expected count is below 5 (Cochran 1954), Fisher's exact test
    (for more than two groups the Freeman-Halton extension, its p-value estimated
    from 100,000 seeded random tables with ``scipy.stats.fisher_exact``).
    """
    groups = with_grouping(responses, group_by)
    items = QUESTIONS if columns is None else tuple(question(c) for c in columns)
    rows = []
    for item in items:
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
    return pd.DataFrame(rows)


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
