"""What an area profile means for commissioners: the next steps its results support, and what not to conclude.

Each sentence is written from the analysis that ran: a rank is used only as far as its interval
allows, "look first" only from the result after case mix (and at most once), a change only when it is
credible, and a practice that stands out merits a conversation, not a judgement.
"""

from __future__ import annotations

from .content import (
    _listing,
    _row,
    adjusted_position,
    once_allowed,
    rank_words,
    sentence_case,
)
from .profile import AreaProfile
from .ranks import ordinal, placed


def look_first(profile: AreaProfile) -> str | None:
    """The one indicator to look at first: worse than expected for its patients (its observed / expected interval
    wholly on the worse side of 1), the one placed lowest among all ICBs; None when there is none."""
    p = profile
    worse = [i for i in p.definitions if adjusted_position(p, i) == "worse"]
    if not worse:
        return None
    chosen = max(worse, key=lambda i: (_row(p.ranks, i, p.area)["rank_lower"], _row(p.ranks, i, p.area)["rank"]))
    label = p.definitions[chosen].label
    rank, peer = _row(p.ranks, chosen, p.area), _row(p.peer_ranks, chosen, p.area)
    return (f"Look first at {label}: {once_allowed(p.covariates)}, it is worse "
            f"than expected, {rank_words(rank, of=p.n_areas, noun='ICBs')}. Among its {int(peer['areas']) - 1} most "
            f"similar ICBs it is {rank_words(peer, of=int(peer['areas']))}. Ask what differs in care or recording.")


def next_steps(profile: AreaProfile) -> list[str]:
    """The concrete next steps the area's results support."""
    p, d = profile, profile.definition
    previous, _ = p.periods
    steps = []
    rank = _row(p.ranks, p.indicator, p.area)
    if not placed(rank["rank_lower"], rank["rank_upper"], p.n_areas):
        steps.append(f"Do not quote {p.area_name}'s rank on {d.label}: it could be anywhere from "
                     f"{ordinal(rank['rank_lower'])} to {ordinal(rank['rank_upper'])} of {p.n_areas}.")
    elif rank["rank_lower"] != rank["rank_upper"]:
        steps.append(f"Quote the rank on {d.label} with its range ({ordinal(rank['rank_lower'])} to "
                     f"{ordinal(rank['rank_upper'])} of {p.n_areas}), never the single place.")
    first = look_first(p)
    if first:
        steps.append(first)
    explained = [p.definitions[r.indicator].short.lower() for r in p.spine[p.spine["comparison"] == "worse"].itertuples()
                 if adjusted_position(p, r.indicator) != "worse"]
    if explained:
        several = len(explained) > 1
        steps.append(f"{sentence_case(_listing(explained))} {'are' if several else 'is'} worse than England, but not "
                     f"worse than expected {once_allowed(p.covariates)}: the gap{'s' if several else ''} with England "
                     f"go{'' if several else 'es'} with its population and {'are' if several else 'is'} not shown to "
                     "be about care.")
    credible = p.changes[(p.changes["icb_code"] == p.area) & p.changes["credible"]]
    for row in credible.itertuples():
        label = p.definitions[row.indicator].label
        steps.append(f"{sentence_case(label)} {row.verdict} credibly since {previous} relative to England: "
                     + ("find out what changed and whether it can be kept up." if row.verdict == "improved" else
                        "ask the practices and services involved what changed, before the next year's figures."))
    if credible.empty:
        mine = p.changes[p.changes["icb_code"] == p.area]
        beyond = mine["beyond_chance"].astype(bool)
        parts = []
        if beyond.any():
            parts.append(f"{_listing([p.definitions[i].label for i in mine.loc[beyond, 'indicator']])} moved by more "
                         "than chance, but by no more than ICBs' changes usually differ")
        if (~beyond).any():
            parts.append(f"{_listing([p.definitions[i].label for i in mine.loc[~beyond, 'indicator']])} moved within "
                         "chance")
        steps.append(f"No indicator changed credibly since {previous} relative to England: {'; '.join(parts)}. "
                     "These movements are not a reason to act.")
    outside = p.funnel[p.funnel["position"] != "within limits"]
    if len(outside):
        steps.append(f"Start a conversation with the {len(outside)} practice{'s' if len(outside) != 1 else ''} "
                     f"outside the limits on {d.label} (listed under 'Its practices'): ask first how it is recorded, "
                     "then what explains the difference. The analysis shows that they differ, not why.")
    else:
        steps.append(f"No practice stands out on {d.label} once its patients and the usual spread between practices "
                     "are allowed for: these data give no reason to single one out.")
    return steps
