"""Statistical disclosure control: the one place where small numbers are suppressed before publishing.

Two established NHS rules, configurable through :class:`DisclosureRule`:

* counts of 1 to 7 below national level are not published (HES / ECDS: shown as ``*``);
* survey results based on fewer than 10 responses are not published (GP Patient Survey).

Primary suppression removes the small cell and every value derived from it on the
same row (a percentage reveals its count when the base is shown). Secondary
suppression then makes sure that no suppressed cell can be recovered by
subtraction from a published total: within each group of rows that add up to a
published total, a lone suppressed row takes the next-smallest row with it.
Every function returns a new DataFrame with a boolean ``suppressed`` column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import config


@dataclass(frozen=True)
class DisclosureRule:
    """What is too small to publish.

    Parameters
    ----------
    smallest_count : int
        The smallest non-zero count that may be shown (8: counts 1-7 are suppressed).
    min_base : int
        The smallest number of responses a survey result may be based on.
    """

    smallest_count: int = 8
    min_base: int = config.SURVEY_MIN_RESPONSES

    def describe(self) -> str:
        """Both rules in words (for a briefing whose config states its rule explicitly)."""
        return f"{self.describe_counts()} {self.describe_bases()} {SECONDARY_RULE}"

    def describe_counts(self) -> str:
        """The small-count rule in words, as applied by :func:`suppress_small_counts`."""
        return (f"Counts of 1 to {self.smallest_count - 1} are withheld (shown as *), and so is every value on "
                "the same row derived from them.")

    def describe_bases(self) -> str:
        """The small-base rule in words, as applied by :func:`suppress_small_bases`."""
        return (f"Results based on fewer than {self.min_base} answers are withheld (shown as *): their "
                "counts and percentages are not published.")


#: The secondary-suppression rule in words, as applied by :func:`secondary_suppression`.
SECONDARY_RULE = ("Where a published total would reveal a suppressed cell by subtraction, the next smallest "
                  "cell is suppressed too.")

#: Key of ``DataFrame.attrs`` listing the rules applied to a table (collected into the page's footer).
RULES_APPLIED = "disclosure"


DEFAULT_RULE = DisclosureRule()


def rules_applied(table: pd.DataFrame) -> list[str]:
    """The disclosure rules that were applied to ``table``, in words (empty when none was)."""
    return list(table.attrs.get(RULES_APPLIED, ()))


def _record(out: pd.DataFrame, rule_text: str) -> pd.DataFrame:
    """Note in ``out.attrs`` that ``rule_text`` was applied to it (whether or not a cell was small)."""
    applied = rules_applied(out)
    if rule_text not in applied:
        applied.append(rule_text)
    out.attrs[RULES_APPLIED] = applied
    return out


def count_values(series: pd.Series) -> pd.Series:
    """Counts as numbers, rounded to whole numbers: 0.9999999999 carried as a float is a count of 1."""
    return np.rint(pd.to_numeric(series, errors="coerce").astype(float))


def whole_counts(values):
    """Counts carried as floats, as nullable whole numbers (Int64): a Series keeps its index, an
    array gives an array. The same rounding as :func:`count_values`, for publishing counts."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    whole = count_values(series).astype("Float64").astype("Int64")
    return whole if isinstance(values, pd.Series) else whole.array


def _with_flag(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    if "suppressed" not in out:
        out["suppressed"] = False
    out["suppressed"] = out["suppressed"].astype(bool)
    return out


def _blank(out: pd.DataFrame, rows, columns: Sequence[str]) -> pd.DataFrame:
    """Blank ``columns`` on ``rows``: integers stay nullable integers, text becomes missing."""
    for column in columns:
        series = out[column]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_integer_dtype(series):
            out[column] = series.astype("Int64")
            out.loc[rows, column] = pd.NA
        elif pd.api.types.is_float_dtype(series):
            out.loc[rows, column] = np.nan
        else:
            out[column] = series.astype(object)
            out.loc[rows, column] = None
    out.loc[rows, "suppressed"] = True
    return out


def suppress_small_counts(table: pd.DataFrame, count_columns: Sequence[str], *, dependent: Sequence[str] = (),
                          rule: DisclosureRule = DEFAULT_RULE) -> pd.DataFrame:
    """Primary suppression of counts from 1 to ``rule.smallest_count - 1``.

    Parameters
    ----------
    count_columns : sequence of str
        Columns holding counts of people or events.
    dependent : sequence of str
        Columns derived from those counts (rates, percentages, ratios, limits),
        blanked on any row where a count is suppressed.
    """
    out = _record(_with_flag(table), rule.describe_counts())
    small = pd.Series(False, index=out.index)
    for column in count_columns:
        values = count_values(out[column])
        small |= ((values >= 1) & (values < rule.smallest_count)).fillna(False)
    return _blank(out, small, [*count_columns, *dependent]) if small.any() else out


def suppress_small_bases(table: pd.DataFrame, base_column: str, *, dependent: Sequence[str] = (),
                         rule: DisclosureRule = DEFAULT_RULE) -> pd.DataFrame:
    """Primary suppression of survey results based on fewer than ``rule.min_base`` responses.

    The base and every ``dependent`` column (numerator, percentage, limits) are blanked.
    """
    out = _record(_with_flag(table), rule.describe_bases())
    small = (count_values(out[base_column]) < rule.min_base).fillna(False)
    return _blank(out, small, [base_column, *dependent]) if small.any() else out


def secondary_suppression(table: pd.DataFrame, *, within: Sequence[str], size_column: str,
                          columns: Sequence[str]) -> pd.DataFrame:
    """Suppress a second row wherever a group has exactly one suppressed row.

    Within each group (rows with the same ``within`` values whose sizes add up to a
    total published elsewhere, e.g. the groups of one survey question), a single
    suppressed row could be recovered as total minus the rest. The unsuppressed row
    with the smallest ``size_column`` (before suppression) is suppressed as well:
    its ``columns`` are blanked. Repeats until no group has exactly one.

    Parameters
    ----------
    size_column : str
        The original (unsuppressed) sizes used to choose the complementary row; pass
        a column kept aside before primary suppression.
    """
    out = _record(_with_flag(table), SECONDARY_RULE)
    keys = list(within) if within else None
    while True:
        groups = out.groupby(keys, sort=False)["suppressed"] if keys else [(None, out["suppressed"])]
        lone = [flags.index for _, flags in groups if flags.sum() == 1 and (~flags).any()]
        if not lone:
            return out
        for index in lone:
            candidates = out.loc[index][~out.loc[index, "suppressed"]]
            sizes = candidates[size_column].astype(float)
            # hiding an empty cell protects nothing: prefer the smallest cell that holds someone
            chosen = sizes[sizes > 0].idxmin() if (sizes > 0).any() else sizes.index[0]
            out = _blank(out, out.index == chosen, columns)


def published_values_leak(published: pd.DataFrame, *, within: Sequence[str], size_column: str,
                          base: bool = False, rule: DisclosureRule = DEFAULT_RULE) -> list[str]:
    """Every way a published table reveals what it should not (for tests): an empty list when safe.

    Checks that no published size is a small count (1 to ``smallest_count - 1``), or
    when ``base`` is True below the minimum survey base, and that in each group either
    no row or at least two rows are suppressed (so subtraction from the group total
    recovers only a sum).
    """
    problems = []
    shown = count_values(published.loc[~published["suppressed"], size_column])
    if base and (shown < rule.min_base).any():
        problems.append("a result on fewer responses than the minimum base is published")
    if not base and ((shown >= 1) & (shown < rule.smallest_count)).any():
        problems.append("a small count is published")
    groups = published.groupby(list(within), sort=False)["suppressed"] if within else [(None, published["suppressed"])]
    for key, flags in groups:
        if flags.sum() == 1:
            problems.append(f"group {key}: one suppressed cell can be recovered by subtraction")
    return problems
