"""What a survey briefing means for commissioners: the next steps its answers support.

Written from the results on the page: a finding is acted on only where its confidence interval
clears one half (a majority, not just the largest share of those who answered); the options of a
multiple-choice question are ranked only where their intervals separate; groups are treated differently
only where Holm-adjusted tests say they differ; and the response rate limits how far any of it generalises.
"""

from __future__ import annotations

import pandas as pd

from . import analysis
from .codebook import Codebook
from .compare import compared_percent, gap_range


def _majority_findings(summary: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """Headline answers (not multiple-choice options) whose whole interval lies above 50%, most certain first."""
    options = {o.column for q in book.of_kind("multiple_choice") for o in q.options}
    usable = summary[~summary["suppressed"] & ~summary["question"].isin(options)]
    return usable[usable["lower"] > 50].sort_values("lower", ascending=False)


def _favourable(question) -> bool | None:
    """Whether a question's headline answers are the favourable side of its Likert scale (None: not known)."""
    if question.kind != "likert" or question.scale is None:
        return None
    headline = set(question.headline)
    if headline <= set(question.scale.positive_labels):
        return True
    if headline <= set(question.scale.negative_labels):
        return False
    return None


def _comparison_steps(comparison, book: Codebook) -> list[str]:
    """Next steps from one unit's comparison with the other units and with its previous survey."""
    if comparison is None or not comparison.focus or comparison.tests.empty:
        return []
    who, focus = book.respondents, comparison.focus
    ran = comparison.tests[comparison.tests["p_value"].notna()]
    focus_rows = comparison.table[comparison.table["role"] == "focus"].set_index("question")
    steps = []
    for words, tests in ran.groupby("comparison", sort=False):
        against = words.split(" against ", 1)[1]
        differ = tests[tests["differs"].astype(bool)]
        if differ.empty:
            steps.append(f"Do not act on the gaps between {focus} and {against}{gap_range(tests)}: none is larger "
                         f"than chance once the {len(tests)} comparisons with {against} are allowed for, which does not "
                         "show there is no difference; watch whether they persist in the next survey.")
            continue
        widest = differ.loc[differ["difference_points"].abs().idxmax()]
        mine = focus_rows.loc[widest.question, "percent"]
        theirs = compared_percent(comparison, widest.question, against)
        if against.startswith("its own survey"):
            steps.append(f"Ask {focus}'s {who} what has changed since {comparison.previous}: answers differ from "
                         f"then by more than chance on {len(differ)} of {len(tests)} questions, most on "
                         f"“{book.question(widest.question).text}” ({theirs:.0f}% then, {mine:.0f}% now).")
        else:
            steps.append(f"Look at why {focus} differs from {against}, most of all here: {mine:.0f}% of its {who} "
                         f"{widest.finding}, against {theirs:.0f}% (it differs by more than chance on {len(differ)} "
                         f"of {len(tests)} questions).")
    return steps


def tested_scope(tests: pd.DataFrame, who: str) -> str:
    """What the tests between groups left out, as sentences (each with a leading space) to follow "no answer
    differs clearly between the groups compared.": the questions that could not be tested and the groups left out
    of every test ("" when nothing was).

    A finding of no difference covers only what was tested: groups withheld for confidentiality (and the
    questions on which fewer than two groups could be shown) were not compared at all.
    """
    ran = tests[tests["p_value"].notna()]
    parts = []
    if len(ran) < len(tests):
        parts.append(f"Only {len(ran)} of {len(tests)} questions could be tested: on the others, fewer than two "
                     "groups can be shown.")
    if "groups_left_out" in ran and len(ran):
        left = [set(filter(None, (g.strip() for g in str(text).split(",")))) for text in ran["groups_left_out"]]
        always = sorted(set.intersection(*left)) if left else []
        if always:
            names = always[0] if len(always) == 1 else ", ".join(always[:-1]) + " and " + always[-1]
            parts.append(f"{names} {'was' if len(always) == 1 else 'were'} left out of every test (withheld to "
                         "protect confidentiality).")
    return "".join(f" {part}" for part in parts)


def next_steps(summary: pd.DataFrame, tests: pd.DataFrame, book: Codebook, *, group_label: str,
               respondents: int, population_size: int | None = None, comparison=None,
               responses: pd.DataFrame | None = None) -> list[str]:
    """The concrete next steps the survey's answers support, and what not to conclude.

    A multiple-choice question tied to another answer (``not_compared_by``) is judged within the largest
    choice, on its own base (:func:`ccgtools.survey.analysis.options_within`, needs ``responses``), never pooled.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`ccgtools.survey.analysis.question_summary` (question, finding, percent, lower, upper,
        suppressed; ``attrs["confidence"]``).
    tests : pandas.DataFrame
        From :func:`ccgtools.survey.groups.association_tests` (p_value, differs, finding).
    book : Codebook
        The survey's codebook (its respondents' name, its multiple-choice questions).
    comparison : ccgtools.survey.compare.Comparison, optional
        One unit against the others and its previous survey (:func:`ccgtools.survey.compare.focus_comparison`).

    Notes
    -----
    A finding is called a majority only when the lower end of its confidence interval is above 50%.
    """
    who = book.respondents
    level = f"{100 * summary.attrs.get('confidence', 0.95):g}%"
    steps = _comparison_steps(comparison, book)
    majority = _majority_findings(summary, book)
    if not majority.empty:
        first = majority.iloc[0]
        favourable = _favourable(book.question(first.question))
        lead, follow = {
            False: ("Act on", f"Ask the {who} what would change this, and survey again to see whether it has."),
            True: ("Build on", (f"Find out from the {who} what lies behind it, and check in the next survey "
                                "that it holds.")),
            None: ("Follow up", f"Ask the {who} what lies behind it, and survey again to see whether it changes."),
        }[favourable]
        steps.append(f"{lead} what most responding {who} said: {first.percent:.0f}% of those that answered "
                     f"{first.finding} ({level} confidence interval {first.lower:.0f}% to {first.upper:.0f}%, a "
                     f"majority even at its lower end). {follow}")
        others = [f"{row.percent:.0f}% {row.finding} ({row.lower:.0f}% to {row.upper:.0f}%)"
                  for row in majority.iloc[1:].itertuples()]
        if others:
            listed = others[0] if len(others) == 1 else "; ".join(others[:-1]) + "; and " + others[-1]
            steps.append(f"Also a majority of those that answered, even at the lower end of the interval: {listed}.")
    else:
        steps.append(f"No answer is given by a majority of responding {who} once chance is allowed for (no "
                     f"interval lies wholly above 50%), so no single answer is a mandate on its own.")
    for question in book.of_kind("multiple_choice"):
        rows = summary[summary["question"].isin([o.column for o in question.options]) & ~summary["suppressed"]]
        if question.not_compared_by:
            if responses is None:
                continue
            within = analysis.options_within(responses, question)
            within = within[~within["suppressed"]]
            if within.empty:
                continue
            rows = within[within["within"] == within.loc[within["answered"].astype(float).idxmax(), "within"]]
        usable = rows.sort_values("percent", ascending=False)
        labels = {o.column: o.label for o in question.options}
        topic = question.topic or f"the answers to “{question.text}”"
        if len(usable) > 1:
            best, second = usable.iloc[0], usable.iloc[1]
            if best.lower > second.upper:
                steps.append(f"The leading option of {topic}, “{labels[best.question]}”, stands clear of the "
                             "others: it is the first thing to address.")
            else:
                steps.append(f"Do not rank {topic} on this survey: the intervals of the leading options overlap, so "
                             "these answers alone do not show which mattered most (nor that they mattered equally).")
    ran = tests[tests["p_value"].notna()]
    if not ran.empty:
        differ = ran[ran["differs"].astype(bool)]
        if differ.empty:
            scope = tested_scope(tests, who)
            steps.append(f"Do not plan differently by {group_label} on the strength of this survey: no answer differs "
                         f"clearly between the groups{' compared' if scope else ''}.{scope} That does not show they "
                         f"are alike: with {respondents:,} {who} only large differences could be seen.")
        else:
            findings = "; ".join(f"{who} that {f}" for f in differ["finding"])
            steps.append(f"Look into why answers differ by {group_label} ({findings}) before planning "
                         "group by group.")
    if population_size:
        rate = respondents / population_size
        if rate < 0.6:
            steps.append(f"Only {respondents} of {population_size:,} {who} answered ({rate:.0%}); those that did may "
                         "not be typical. Check the main findings with some that did not before relying on them.")
    return steps
