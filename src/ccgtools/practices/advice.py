"""What a practice-variation briefing means for commissioners: the next steps its results support.

Each sentence is written from the analysis that ran, and says no more than it shows: a practice
outside the fully adjusted limits merits a conversation, not a judgement; a flag that goes away
once patients are allowed for is not a reason to act.
"""

from __future__ import annotations

from .report import _allowed_for, _flags, _join
from .variation import VariationResult


def _practices(count: int) -> str:
    return f"{count:,} practice{'' if count == 1 else 's'}"


def next_steps(result: VariationResult, *, label: str) -> list[str]:
    """The concrete next steps the results support, and what not to conclude.

    Parameters
    ----------
    result : VariationResult
        The analysis behind the page.
    label : str
        The indicator in words ("emergency admissions").
    """
    counts = result.steps.set_index("view")["flagged"]
    table = result.table
    total = int(counts["adjusted"])
    listed = int((_flags(table, "adjusted") != "").sum())  # suppressed practices' flags are not published
    steps = []
    if total:
        unlisted = (f"; {total - listed:,} more {'is' if total - listed == 1 else 'are'} not listed because "
                    "their counts are too small to publish" if total > listed else "")
        steps.append(f"Start a conversation with the {_practices(total)} outside the limits after full "
                     f"adjustment ({listed:,} listed by commissioner below{unlisted}). Ask first whether their {label} "
                     f"{'is' if not label.endswith('s') else 'are'} recorded the same way as elsewhere, then what explains the difference: the analysis shows "
                     "that they differ, not why.")
    else:
        steps.append(f"No practice stands out on {label} once its patients and the usual spread between practices "
                     "are allowed for: these data give no reason to single out a practice.")
    steps_table = result.steps.set_index("view")
    last_case_mix = "case_mix" if "case_mix" in steps_table.index else ("age_sex" if "age_sex" in steps_table.index
                                                                          else None)
    if last_case_mix is not None:
        still = int(steps_table.loc[last_case_mix, "flagged_crude_still"])
        lost = int(counts["crude"]) - still
        new = int(steps_table.loc[last_case_mix, "flagged"]) - still
        if lost > 0:
            allowed = (["age and sex"] if "age_sex" in result.views else []) + _allowed_for(result)
            allowed_text = _join(allowed) or "their patients"
            steps.append(f"Do not use a league table of crude rates: it flags {_practices(int(counts['crude']))}, "
                         f"and {lost:,} of them {'is' if lost == 1 else 'are'} no longer flagged once {allowed_text} "
                         f"{'is' if len(allowed) == 1 else 'are'} allowed for"
                         + (f", while {_practices(new)} that the crude table passes "
                            f"{'is' if new == 1 else 'are'} flagged then" if new else "")
                         + ".")
    widened = int(steps_table.loc["adjusted", "removed"])
    if widened > 0:
        steps.append(f"The {_practices(widened)} whose flag goes only when the limits are widened differ from the "
                     "average no more than practices usually do. That is not a reason to act on any one of them, but "
                     "the usual spread itself may hide differences in care worth a wider review.")
    if "age_sex" not in result.views:
        steps.append(f"This page could not allow for the age and sex of each practice's patients (no breakdown was "
                     f"available): before acting on a flag, check whether that practice's list is unusually old or "
                     f"young, as {label} can depend on age.")
    return steps
