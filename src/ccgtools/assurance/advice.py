"""What an assurance check means for commissioners: the questions to put to each provider, and next steps.

Written from the assessment that ran: a provider is asked only about what a check found in its own
returns, each question names the periods and the evidence, and the steps say what not to conclude.
"""

from __future__ import annotations

import pandas as pd

from ..page.charts import list_names
from .checks import Assessment

#: What to ask for, by check.
ASK = {
    "not_reported": "Please submit the return: every count is zero.",
    "consistency": "Please correct the return and resubmit it: its figures contradict each other.",
    "reconciliation": "Please send the record-level extract the return was compiled from, and explain the difference.",
    "repeats": "Please confirm these figures against your records: they repeat an earlier period.",
    "coverage": "Were these days' calls recorded elsewhere, or left out? Please send the missing records.",
    "bunching": "How are these times recorded, and were any changed after the event? Please send the audit trail "
                "of changes to the times of these records.",
    "case_mix": "Did triage rules, coding or the service change? Please send a sample of the cases re-graded from "
                "urgent, with their clinical notes, for audit.",
    "spc": "What changed to produce this improvement? Please describe it and send the weekly figures behind it.",
    "just_above": "How is this figure compiled and validated before it is sent? Please send the record-level data "
                  "for these periods.",
    "stability": "How is this figure compiled? Please send the record-level data for the year.",
    "digits": "How are these counts produced? Please send the system reports they were taken from.",
}
ORDER = tuple(ASK)
#: Beyond this many questions the table is folded away behind a summary line.
MANY_QUESTIONS = 20


def questions(assessment: Assessment) -> pd.DataFrame:
    """One question per provider and check (and KPI, where a check is about one): periods, evidence, the ask.

    Checks on a KPI that is defective at source (every return rejected) are left out: that is a question
    for the publisher of the data, put in the next steps.
    """
    findings = assessment.findings
    defective = set(assessment.defects["kpi"])
    names = assessment.returns.drop_duplicates("provider_code").set_index("provider_code")["provider_name"]
    labels = assessment.returns.set_index(["provider_code", "period"])["period_label"]
    kpi_names = {k: v.name for k, v in assessment.definitions.kpis.items()}
    rows = []
    every_kpi = set(assessment.definitions.kpis)
    period_level = findings.dropna(subset=["period"])
    period_level = period_level[~period_level["kpi"].isin(defective)]
    period_level = period_level.sort_values(["provider_code", "period"], kind="stable")
    for (code, check), group in period_level.groupby(["provider_code", "check"], sort=False):
        kpis = set(group["kpi"])
        about = "all KPIs" if kpis == every_kpi - defective or len(kpis) > 2 else list_names(
            [kpi_names[k] for k in dict.fromkeys(group["kpi"])])
        periods = [labels[(code, p)] for p in dict.fromkeys(group["period"])]
        evidence = _evidence([(labels[(code, p)], r) for p, r in dict.fromkeys(zip(group["period"], group["reason"]))],
                             split=check == "reconciliation")
        rows.append({"provider_code": code, "provider": names[code], "periods": list_names(periods, 6),
                     "about": about, "check": check, "evidence": evidence, "question": ASK[check]})
    for row in assessment.provider_findings.itertuples():
        rows.append({"provider_code": row.provider_code, "provider": names[row.provider_code],
                     "periods": "the whole period", "about": kpi_names.get(row.kpi, "all counts"),
                     "check": row.check, "evidence": row.reason, "question": ASK[row.check]})
    table = pd.DataFrame(rows, columns=["provider_code", "provider", "periods", "about", "check", "evidence",
                                        "question"])
    table["order"] = table["check"].map({c: i for i, c in enumerate(ORDER)})
    return table.sort_values(["provider_code", "order"], kind="stable").drop(columns="order").reset_index(drop=True)


def _evidence(items: list[tuple[str, str]], most: int = 3, *, split: bool = False) -> str:
    """The reasons behind a question: once when every period gives the same, else period by period (at most
    ``most`` periods, then how many more). With ``split``, a reason is a "; "-separated list of differences,
    merged per period and shown up to ``most`` each."""
    if split:
        merged: dict[str, list[str]] = {}
        for label, reason in items:
            merged.setdefault(label, [])
            merged[label] += [part for part in reason.split("; ") if part not in merged[label]]
        items = [(label, "; ".join(parts[:most]) + (f" and {len(parts) - most} more counts differ"
                                                     if len(parts) > most else ""))
                 for label, parts in merged.items()]
    reasons = list(dict.fromkeys(r for _, r in items))
    if len(reasons) == 1 and len(items) > 1 or len(items) == 1:
        return reasons[0][:1].upper() + reasons[0][1:] if len(items) > 1 else f"{items[0][0]}: {items[0][1]}"
    shown = [f"{label}: {reason}" for label, reason in items[:most]]
    return "; ".join(shown) + (f"; and {len(items) - most} more period{'s' if len(items) - most > 1 else ''}"
                                  if len(items) > most else "")


def questions_table(assessment: Assessment) -> pd.DataFrame:
    """:func:`questions` with readable headings, for the page."""
    from .checks import CHECK_NAMES

    table = questions(assessment)
    return pd.DataFrame({"Provider": table["provider"], "Periods": table["periods"], "About": table["about"],
                         "Found by": table["check"].map(CHECK_NAMES), "Evidence": table["evidence"],
                         "Ask": table["question"]})


def next_steps(assessment: Assessment) -> list[str]:
    """Which provider-periods to query or reject, on what, and what not to conclude."""
    periods = assessment.periods
    steps = []
    rejected = periods[periods["decision"] == "reject"]
    queried = periods[periods["decision"] == "query"]
    zero = set(assessment.findings.loc[assessment.findings["check"] == "not_reported", "provider_code"] + "|"
               + assessment.findings.loc[assessment.findings["check"] == "not_reported", "period"].astype(str))
    keys = rejected["provider_code"] + "|" + rejected["period"].astype(str)
    defect_only = _defect_only(assessment, rejected)
    real_rejects = rejected[~keys.isin(zero) & ~defect_only]
    if not real_rejects.empty:
        providers = list(dict.fromkeys(real_rejects["provider_name"]))
        steps.append(f"Do not confirm the {len(real_rejects)} rejected return{'s' if len(real_rejects) > 1 else ''} "
                     f"({list_names(providers)}): ask each provider to correct and resubmit them, with the "
                     "record-level extract they were compiled from, before any payment or performance report relies "
                     "on them.")
    for kpi, group in assessment.defects.groupby("kpi", sort=False):
        name = assessment.definitions.kpis[kpi].name.lower()
        steps.append(f"Do not use {name} from these data for any judgement: ask the publisher of the collection to "
                     f"correct it at source (the rule “{group['rule'].iloc[0]}” fails in "
                     f"{group['failing'].iloc[0]:,} "
                     f"of {group['returns'].iloc[0]:,} returns with activity).")
    if zero:
        steps.append(f"Treat the {len(zero)} all-zero returns as not yet submitted: chase them, and leave them out of "
                     "any average or league table until they are filled in (a zero there is missing data, not 0% "
                     "performance).")
    if not queried.empty:
        providers = list(dict.fromkeys(queried["provider_name"]))
        steps.append(f"Put the questions below to {list_names(providers)} about {len(queried)} returns before "
                     "confirming them. A query is not a finding of wrongdoing: each check also has innocent causes "
                     "(a real improvement, a busy week, a change in coding), which the provider's answer and "
                     "evidence should show.")
    steps.append("What not to conclude: an accepted return passed these checks, which makes large errors unlikely "
                 "but cannot prove it right. "
                 + ("Without record-level data, a provider could report consistent, unremarkable figures that are "
                    "still untrue; ask for record-level logs to check them." if assessment.recomputed is None else
                    "Small changes within the tolerance, or edits that leave no pile-up at a limit, would pass."))
    return steps


def _defect_only(assessment: Assessment, rejected: pd.DataFrame) -> pd.Series:
    """Rejected periods whose only rejections are on KPIs defective at source."""
    defective = set(assessment.defects["kpi"])
    if not defective:
        return pd.Series(False, index=rejected.index)
    decisions = assessment.decisions
    other = decisions[(decisions["decision"] == "reject") & ~decisions["kpi"].isin(defective)]
    keys = set(other["provider_code"] + "|" + other["period"].astype(str))
    return ~(rejected["provider_code"] + "|" + rejected["period"].astype(str)).isin(keys)
