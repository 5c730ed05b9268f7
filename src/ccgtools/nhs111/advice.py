"""What an NHS 111 briefing means for commissioners: which contracts to query, on what, and what not to conclude.

Written from the comparison that ran: a contract is named for a query only when it lies outside the
funnel limits widened for the usual spread between contracts; a place near the bottom of a league
table is, by itself, a reason to watch, not to act.
"""

from __future__ import annotations

import pandas as pd

from .content import indicators_label
from .ranking import ContractComparison

#: Beyond this many contracts to query, the step names them in one list instead of one sentence each.
MAX_QUERY_SENTENCES = 5


def _kpis_by_contract(flagged: pd.DataFrame) -> pd.Series:
    """Each flagged contract's KPIs in words ("calls answered within 60 seconds and …"), in flagged order."""
    def words(kpis: pd.Series) -> str:
        names = [k.lower() for k in dict.fromkeys(kpis)]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    return flagged.groupby("contract_name", sort=False)["kpi"].agg(words)


def next_steps(comparison: ContractComparison, notes: pd.DataFrame) -> list[str]:
    """The concrete next steps the comparison supports.

    Parameters
    ----------
    comparison : ContractComparison
        From :func:`ccgtools.nhs111.ranking.compare_contracts`.
    notes : pandas.DataFrame
        The data-quality notes (``issue``, ``rows``, ``kpi``): a KPI left out for impossible values
        becomes a request to the data's provider.
    """
    flagged = comparison.flagged
    outside = flagged[flagged["reason"].str.contains("outside")]
    bottom_only = flagged[~flagged["contract_code"].isin(outside["contract_code"])]
    steps = []
    queries = _kpis_by_contract(outside)
    if len(queries) > MAX_QUERY_SENTENCES:
        steps.append(f"Query the {len(queries)} contracts outside the widened funnel limits on the KPIs named in "
                     "the headline: each is worse than both chance and the usual spread between contracts explain. "
                     "Ask each for its weekly figures, its own explanation and a recovery plan.")
    for name, kpis in (queries.items() if len(queries) <= MAX_QUERY_SENTENCES else []):
        steps.append(f"Query {name} on {kpis}: its results are worse than both chance and the usual spread between "
                     "contracts explain. Ask for its weekly figures, its own explanation and a recovery plan.")
    if queries.empty:
        steps.append("No contract lies outside the funnel limits. The limits allow for the usual spread between "
                     "contracts, which is wide here, so this is not assurance that every contract is performing: "
                     "it means no single contract can be separated from the rest on these data.")
    if not bottom_only.empty:
        names = list(dict.fromkeys(bottom_only["contract_name"]))
        listed = "; ".join(names[:8]) + (f"; and {len(names) - 8} more" if len(names) > 8 else "")
        steps.append(f"{len(names)} contract{' is' if len(names) == 1 else 's are'} often ranked in the bottom fifth "
                     f"but within the limits ({listed}). League-table position alone does not show "
                     "underperformance: start any system-wide action with them, ask for their weekly figures, and "
                     "query them if they move outside the limits.")
    for key, indicator in comparison.indicators.items():
        table = comparison.values[key]
        if indicator.standard is None or table.empty:
            continue
        short, compared = int(table["credibly_below"].fillna(False).sum()), int(table["value"].notna().sum())
        if compared and short >= compared / 2:
            steps.append(f"{short} of {compared} contracts fall short of the {indicator.name.lower()} standard "
                         f"({indicator.standard_text}) beyond the play of chance in their own calls: the gap is system-wide, "
                         "so address it "
                         "with all providers rather than through individual contracts alone.")
    for row in notes.itertuples():
        if row.kpi and row.rows:
            steps.append(f"Ask the data's provider to correct “{indicators_label(row.kpi)}” before it is used to "
                         f"judge contracts: {row.issue[:1].lower() + row.issue[1:]}.")
    return steps
