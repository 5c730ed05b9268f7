"""What a practice-variation briefing means for commissioners: the next steps its results support.

Each sentence is written from the analysis that ran, and says no more than it shows: a practice
outside the fully adjusted limits merits a conversation, not a judgement; a flag that goes away
once patients are allowed for is not a reason to act.
"""

from __future__ import annotations

from .report import _allowed_for, _flags
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
                     f"adjustment ({listed:,} listed by CCG below{unlisted}). Ask first whether their {label} are "
                     "recorded the same way as elsewhere, then what explains the difference: the analysis shows "
                     "that they differ, not why.")
    else:
        steps.append(f"No practice stands out on {label} once its patients and the usual spread between practices "
                     "are allowed for: these data give no reason to single out a practice.")
    explained = counts["crude"] - counts.get("case_mix", counts.get("age_sex", counts["crude"]))
    if explained > 0:
        allowed = ["age and sex"] if "age_sex" in result.views else []
        allowed += _allowed_for(result)
        steps.append(f"Do not use a league table of crude rates: it flags {_practices(int(counts['crude']))}, and "
                     f"{explained:,} of those flags go once {' and '.join(allowed) or 'their patients'} are allowed "
                     "for.")
    widened = counts.get("case_mix", counts["crude"]) - counts["adjusted"]
    if widened > 0:
        steps.append(f"The {_practices(int(widened))} flagged before the limits were widened differ from the average "
                     "no more than practices usually do. That is not a reason to act on any one of them, but the "
                     "usual spread itself may hide differences in care worth a wider review.")
    if "age_sex" not in result.views:
        steps.append(f"This page could not allow for the age and sex of each practice's patients (no breakdown was "
                     f"available): before acting on a flag, check whether that practice's list is unusually old or "
                     f"young, as {label} can depend on age.")
    return steps
