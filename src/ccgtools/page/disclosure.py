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

:func:`publish_table` is the one path for a table about to be published: it is told what each column
is (:class:`TableColumns`: counts, the base, values derived from them, and complements such as
``not_answered``, which with a total published elsewhere would give a hidden base back) and applies
the primary, secondary and subtraction checks in turn.
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


def note_rule(out: pd.DataFrame, rule_text: str) -> pd.DataFrame:
    """Note in ``out.attrs`` that a further rule, applied by the caller, withheld cells of ``out``, so that the
    page's footer states it with the others."""
    return _record(out, rule_text)


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


@dataclass(frozen=True)
class TableColumns:
    """What each column of a table to be published is, for disclosure control.

    Parameters
    ----------
    counts : tuple of str
        Counts of people or events: a row with a count of 1 to ``smallest_count - 1`` is suppressed.
    base : str, optional
        The number a survey result is based on (those who answered): a row whose base is
        below ``min_base`` is suppressed.
    derived : tuple of str
        Values computed from the counts or the base on the same row (numerators, percentages,
        rates, limits): blanked with them.
    complements : tuple of str
        Counts that, with a total published elsewhere, give a suppressed value back (``not_answered``
        is the respondents minus ``answered``): blanked with them.
    """

    counts: tuple[str, ...] = ()
    base: str | None = None
    derived: tuple[str, ...] = ()
    complements: tuple[str, ...] = ()

    def withheld(self) -> list[str]:
        """Every column blanked on a suppressed row: the base, the counts, what derives from them, complements."""
        return [*([self.base] if self.base else []), *self.counts, *self.derived, *self.complements]

    def present_in(self, table: pd.DataFrame) -> TableColumns:
        """These roles with the derived values and complements that ``table`` does not publish left out.

        The base and the counts must be in the table (a table without them has nothing to suppress by).
        """
        missing = [c for c in ([self.base] if self.base else []) + list(self.counts) if c not in table]
        if missing:
            raise KeyError(f"columns to suppress by are not in the table: {', '.join(missing)}")
        return TableColumns(self.counts, self.base, tuple(c for c in self.derived if c in table),
                            tuple(c for c in self.complements if c in table))

    def size(self) -> str:
        """The column that measures a row's size (the base, else the first count), for choosing complements."""
        if self.base is None and not self.counts:
            raise ValueError("a table to publish needs a base or a count column")
        return self.base if self.base is not None else self.counts[0]


def publish_table(table: pd.DataFrame, columns: TableColumns, *, rule: DisclosureRule = DEFAULT_RULE,
                  within: Sequence[str] | None = None, totals: pd.DataFrame | None = None,
                  numerator: str | None = None) -> pd.DataFrame:
    """The table made safe to publish: every small value, and everything that would give it back, withheld.

    Parameters
    ----------
    table : pandas.DataFrame
        The table as computed, nothing suppressed yet.
    columns : TableColumns
        What each column is; columns not named are published as they are.
    rule : DisclosureRule
    within : sequence of str, optional
        Columns whose values mark groups of rows that add up to a total published elsewhere
        (the groups of one survey question); ``[]`` for one group of all rows. Without it no
        secondary suppression is applied (rows that do not add up to anything).
    totals : pandas.DataFrame, optional
        With ``within`` and ``numerator``: the totals of each group (index: the ``within`` value;
        columns ``numerator`` and the base). Further rows are then suppressed until subtraction
        from the totals recovers no suppressed cell, even as 0% or 100%
        (:func:`recoverable_by_subtraction`).
    numerator : str, optional
        The column of the numerator of a survey result (for ``totals``).

    Returns
    -------
    pandas.DataFrame
        A copy with ``suppressed`` and the withheld columns blanked on suppressed rows; ``attrs``
        lists the rules applied (:func:`rules_applied`). Derived values and complements that the
        table does not have are ignored (one set of roles serves every table of a kind).
    """
    columns = columns.present_in(table)
    sizes = count_values(table[columns.size()]).astype(float)
    truth = count_values(table[numerator]).astype(float) if numerator else None
    out = table
    if columns.base is not None:
        out = suppress_small_bases(out, columns.base, dependent=columns.withheld()[1:], rule=rule)
    if columns.counts:
        dependent = [c for c in columns.withheld() if c not in columns.counts and c != columns.base]
        out = suppress_small_counts(out, list(columns.counts), dependent=dependent, rule=rule)
    if within is None:
        return out
    out = _secondary(out, sizes, within, columns.withheld())
    if totals is not None and truth is not None:
        out = _suppress_until_not_recoverable(out, within, totals, truth, sizes, columns, numerator)
    return out


def _secondary(out: pd.DataFrame, sizes: pd.Series, within: Sequence[str], withheld: list[str]) -> pd.DataFrame:
    """:func:`secondary_suppression` with the sizes from before suppression, kept aside in a scratch column."""
    attrs = dict(out.attrs)
    scratch = "__size_before_suppression"
    out = secondary_suppression(out.assign(**{scratch: sizes}), within=within, size_column=scratch, columns=withheld)
    out = out.drop(columns=scratch)
    out.attrs.update({**attrs, **out.attrs})
    return out


def recoverable_by_subtraction(numerators: pd.Series, bases: pd.Series, suppressed: pd.Series,
                               total_numerator: int, total_base: int) -> bool:
    """Whether subtraction from a published total recovers a suppressed row of one group.

    The published total (numerator and base over all rows) minus the published rows gives
    the sums of the suppressed rows' numerators and bases. A cell is recovered exactly when
    only one suppressed row has any answers (its base and numerator are the differences), or
    when the suppressed numerators sum to 0 or to the suppressed bases (every suppressed row
    is then 0% or 100%, even when the row sizes are known). Otherwise each suppressed
    numerator can take more than one value. Nothing is recovered when no row is published,
    or when the total alone already says 0% or 100%.

    Parameters
    ----------
    numerators, bases : pandas.Series
        The rows' true (unsuppressed) numerators and bases.
    suppressed : pandas.Series of bool
        Which rows are suppressed.
    total_numerator, total_base : int
        The totals published for the group.

    Returns
    -------
    bool

    Notes
    -----
    Interval (Fréchet) bounds of a suppressed cell given its row total, as in
    Hundepool A et al. (2012) *Statistical Disclosure Control*, Wiley, section 4.3.
    """
    suppressed = suppressed.astype(bool)
    if suppressed.all() or not suppressed.any() or total_numerator in (0, total_base):
        return False
    hidden_numerator = int(numerators[suppressed].sum())
    hidden_base = int(bases[suppressed].sum())
    answered_rows = int((bases[suppressed] > 0).sum())
    return answered_rows == 1 or hidden_numerator in (0, hidden_base)


def _suppress_until_not_recoverable(out: pd.DataFrame, within: Sequence[str], totals: pd.DataFrame,
                                    truth: pd.Series, sizes: pd.Series, columns: TableColumns,
                                    numerator: str) -> pd.DataFrame:
    """Suppress the next-smallest row of a group while :func:`recoverable_by_subtraction` says a cell can be recovered."""
    keys = list(within)
    for key, rows in out.groupby(keys[0] if len(keys) == 1 else keys, sort=False).groups.items():
        if key not in totals.index or totals.loc[key, [numerator, columns.size()]].isna().any():
            continue  # no published total for this group: nothing to subtract from
        total_numerator, total_base = (int(v) for v in count_values(totals.loc[key, [numerator, columns.size()]]))
        while recoverable_by_subtraction(truth[rows], sizes[rows], out.loc[rows, "suppressed"], total_numerator,
                                         total_base):
            shown = sizes[rows][~out.loc[rows, "suppressed"].to_numpy(bool)]
            if not (shown > 0).any():
                # Only empty rows are left published, so the total points at the one suppressed row that
                # has answers: withhold the empty rows too, and the total can no longer be attributed.
                out = _blank(out, out.index.isin(shown.index), columns.withheld())
                break
            out = _blank(out, out.index == shown[shown > 0].idxmin(), columns.withheld())
    return out
