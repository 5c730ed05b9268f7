"""Checking notebook parameters by name before any work: type, range, choices and dates.

Each briefing package declares its notebook's parameters as :class:`Rule` objects (its
``parameters`` module); this module, in the shared base, only knows how to check one. The build
checks every briefing's parameters while reading ``briefings.toml`` (an invalid briefing is not
run, and its published page stays as it was), and the loaders check those they receive, so
JupyterLab's Run All stops on the same message.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ParameterError

#: The earliest date a parameter may name: the NHS began on 5 July 1948.
FIRST_DATE = dt.date(1948, 7, 5)


@dataclass(frozen=True)
class Rule:
    """What one parameter may be.

    Parameters
    ----------
    kind : {"number", "whole", "choice", "choices", "date", "text", "path"}
        ``number`` a real number; ``whole`` a whole number; ``choice`` one of ``choices``;
        ``choices`` a list of some of ``choices``; ``date`` a date written YYYY-MM-DD from
        :data:`FIRST_DATE` to a year after today; ``text`` a non-empty string; ``path`` a
        non-empty string naming a file (existence is the loader's check).
    low, high : float, optional
        Bounds of a number (inclusive unless ``low_open`` / ``high_open``).
    choices : tuple
        The allowed values of a ``choice`` or ``choices``.
    optional : bool
        None (and, for dates and text, "") is allowed.
    """

    kind: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple = ()
    optional: bool = False

    def expected(self) -> str:
        """The rule in words, for the error message."""
        if self.kind in ("number", "whole"):
            noun = "a whole number" if self.kind == "whole" else "a number"
            if self.low is not None and self.high is not None:
                words = (f"{noun} {'above' if self.low_open else 'from'} {self.low:g} "
                         f"{'and below' if self.high_open else 'to'} {self.high:g}")
            elif self.low is not None:
                words = f"{noun} {'above' if self.low_open else 'of at least'} {self.low:g}"
            else:
                words = noun
        elif self.kind == "choice":
            words = "one of " + ", ".join(repr(c) for c in self.choices)
        elif self.kind == "choices":
            words = "a list of some of " + ", ".join(repr(c) for c in self.choices)
        elif self.kind == "date":
            words = f"a date written YYYY-MM-DD from {FIRST_DATE:%Y-%m-%d} to {last_date():%Y-%m-%d}"
        elif self.kind == "path":
            words = "the path of a file (absolute, or relative to the project root)"
        else:
            words = "some text"
        return words + (", or None" if self.optional else "")


def last_date(today: dt.date | None = None) -> dt.date:
    """A year after ``today``: no published data, and no period a briefing compares, is later."""
    today = today or dt.date.today()
    return dt.date(today.year + 1, today.month, 28 if (today.month, today.day) == (2, 29) else today.day)


def problem(value: object, rule: Rule, *, today: dt.date | None = None) -> str | None:
    """Why ``value`` breaks ``rule``, or None when it does not.

    Method: None (or "" for dates, text and choices of text) passes only an optional rule; booleans
    are never numbers; a whole number must be an int (or a float equal to one); a date must parse
    with :meth:`datetime.date.fromisoformat` exactly as YYYY-MM-DD and lie in the plausible range.
    """
    if value is None or (isinstance(value, str) and value.strip() == "" and rule.kind in ("date", "text", "path")):
        return None if rule.optional else "a value is required"
    kind = rule.kind
    if kind in ("number", "whole"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"not a number ({type(value).__name__})"
        if not math.isfinite(value):
            return "not a finite number"
        if kind == "whole" and float(value) != int(value):
            return "not a whole number"
        if rule.low is not None and (value < rule.low or (rule.low_open and value == rule.low)):
            return "too small"
        if rule.high is not None and (value > rule.high or (rule.high_open and value == rule.high)):
            return "too large"
        return None
    if kind == "choice":
        return None if isinstance(value, str) and value in rule.choices else "not one of the choices"
    if kind == "choices":
        if not isinstance(value, (list, tuple)):
            return f"not a list ({type(value).__name__})"
        unknown = [v for v in value if v not in rule.choices]
        return f"unknown value(s) {', '.join(repr(v) for v in unknown)}" if unknown else None
    if kind == "path" and isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        return f"not text ({type(value).__name__})"
    if kind == "date":
        return date_problem(value, today=today)
    if kind in ("text", "path") and not value.strip():
        return "a value is required"
    return None


def date_problem(text: str, *, today: dt.date | None = None) -> str | None:
    """Why ``text`` is not a plausible date written YYYY-MM-DD, or None."""
    try:
        if len(text.strip()) != 10:
            raise ValueError
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return "not a date (or not written YYYY-MM-DD)"
    if day < FIRST_DATE:
        return "before the NHS began"
    if day > last_date(today):
        return "more than a year ahead"
    return None


def check_parameter(name: str, value: object, rule: Rule, *, today: dt.date | None = None) -> None:
    """Raise ParameterError naming ``name``, its value, why and what was expected, when ``value`` breaks ``rule``."""
    why = problem(value, rule, today=today)
    if why is not None:
        raise ParameterError(f"parameter {name} = {value!r}: {why}; expected {rule.expected()}")


def check_parameters(values: Mapping[str, object], rules: Mapping[str, Rule], *,
                     in_order: tuple[tuple[str, str], ...] = (), today: dt.date | None = None) -> None:
    """Check every parameter in ``values`` that has a rule, then pairs that must be in order.

    Parameters
    ----------
    values : mapping
        Parameter name → value (names without a rule are the caller's concern).
    rules : mapping
        Parameter name → :class:`Rule`.
    in_order : tuple of (str, str)
        Pairs of date parameters where the first may not be after the second (when both are given).

    Raises
    ------
    ParameterError
        At the first parameter (in ``rules`` order) that breaks its rule, or the first pair out of order.
    """
    for name, rule in rules.items():
        if name in values:
            check_parameter(name, values[name], rule, today=today)
    for first, second in in_order:
        a, b = values.get(first), values.get(second)
        if a and b and str(a) > str(b):
            raise ParameterError(f"parameter {first} = {a!r} is after {second} = {b!r}; expected {first} on or "
                                 f"before {second}")
