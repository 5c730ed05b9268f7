"""What a commissioning-support survey briefing means for commissioners: the next steps its answers support.

Written from the results on the page: a finding is acted on only where its confidence interval
clears one half (a majority, not just the largest share of those who answered); reasons are ranked
only where their intervals separate; groups are treated differently only where Holm-adjusted tests
say they differ; and the response rate limits how far any of it generalises.
"""

from __future__ import annotations

import pandas as pd


def _majority_findings(summary: pd.DataFrame) -> pd.DataFrame:
    """Headline answers (not reasons) whose whole interval lies above 50%, most certain first."""
    usable = summary[~summary["suppressed"] & ~summary["question"].str.startswith("reason_")]
    return usable[usable["lower"] > 50].sort_values("lower", ascending=False)


def next_steps(summary: pd.DataFrame, reasons: pd.DataFrame, tests: pd.DataFrame, *, group_label: str,
               respondents: int, population_size: int | None = None) -> list[str]:
    """The concrete next steps the survey's answers support, and what not to conclude.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`ccgtools.survey.analysis.question_summary` (question, finding, percent, lower, upper,
        numerator, answered, suppressed).
    reasons : pandas.DataFrame
        From :func:`ccgtools.survey.analysis.reasons_summary` (reason, percent, lower, upper, suppressed).
    tests : pandas.DataFrame
        From :func:`ccgtools.survey.groups.association_tests` (p_value, differs, finding).
    """
    steps = []
    majority = _majority_findings(summary)
    if not majority.empty:
        first = majority.iloc[0]
        steps.append(f"Act on what most CCGs said: {first.percent:.0f}% of those that answered {first.finding} "
                     f"(95% interval {first.lower:.0f}% to {first.upper:.0f}%, a majority even at its lowest). "
                     "Ask the CCGs what would change this, and survey again to see whether it has.")
        for row in majority.iloc[1:].itertuples():
            steps.append(f"Also a clear majority: {row.percent:.0f}% {row.finding} "
                         f"({row.lower:.0f}% to {row.upper:.0f}%).")
    else:
        steps.append("No answer is given by a clear majority of CCGs once chance is allowed for: treat the "
                     "findings as signals to explore, not mandates.")
    usable = reasons[~reasons["suppressed"]].sort_values("percent", ascending=False)
    if len(usable) > 1:
        best, second = usable.iloc[0], usable.iloc[1]
        if best.lower > second.upper:
            steps.append(f"The leading reason for the choice of provider, “{best.reason}”, stands clear of the "
                         "others: it is the first thing to address in future choices of support.")
        else:
            steps.append("Do not rank the reasons for the choice of provider: the intervals of the leading reasons "
                         "overlap, so these answers cannot say which mattered most.")
    ran = tests[tests["p_value"].notna()]
    if not ran.empty:
        differ = ran[ran["differs"].astype(bool)]
        if differ.empty:
            steps.append(f"Do not single out any {group_label} group: no answer differs clearly between them. That "
                         "does not show they are alike: with so few CCGs only large differences could be seen.")
        else:
            findings = "; ".join(f"CCGs that {f}" for f in differ["finding"])
            steps.append(f"Look into why answers differ by {group_label} ({findings}) before planning support "
                         "group by group.")
    if population_size:
        rate = respondents / population_size
        if rate < 0.6:
            steps.append(f"Only {respondents} of {population_size:,} CCGs answered ({rate:.0%}); those that did may "
                         "not be typical. Check the main findings with some that did not before relying on them.")
    return steps
