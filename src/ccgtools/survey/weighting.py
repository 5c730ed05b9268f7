"""Survey weights: raking to known population margins, trimming, and the design effect they bring.

Unweighted results are the default: weights are made only when the codebook gives population margins
(``[population.margins.COLUMN]``) and the briefing's ``weighting`` is "auto". Every estimate then carries
Kish's design effect and effective base (:func:`kish_design_effect`), and its interval is computed on the
effective base.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError
from ..io import spreadsheet_row


@dataclass(frozen=True)
class Raking:
    """Weights from :func:`rake`, and how the raking went."""

    weights: pd.Series
    converged: bool
    iterations: int
    max_error: float  # largest gap between a weighted margin share and its target, after the last sweep
    trimmed: int = 0  # weights capped by trimming
    cap: float | None = None
    margins: tuple[str, ...] = ()
    cells: int = 1  # separate rakings (one per cell of ``within``)
    within: tuple[str, ...] = ()
    notes: list = field(default_factory=list)
    groups: dict = field(default_factory=dict)  # margin column -> each respondent's (possibly merged) group label
    merged: list = field(default_factory=list)  # (cell, column, merged label) of every merge made


def kish_design_effect(weights) -> float:
    """Kish's design effect from unequal weights, n·Σw² / (Σw)² (1 when all weights are equal).

    References
    ----------
    Kish L (1965). Survey Sampling. Wiley. Kish L (1992). Weighting for unequal Pi.
    Journal of Official Statistics 8:183-200.
    """
    w = np.asarray(weights, dtype=float)
    if len(w) == 0 or w.sum() <= 0:
        return np.nan
    return float(len(w) * np.sum(w ** 2) / np.sum(w) ** 2)


def effective_base(weights) -> float:
    """Kish's effective sample size (Σw)² / Σw²: the number of unweighted answers worth as much."""
    w = np.asarray(weights, dtype=float)
    return float(np.sum(w) ** 2 / np.sum(w ** 2)) if len(w) and np.sum(w ** 2) > 0 else 0.0


def _rake_cell(codes: list[np.ndarray], targets: list[np.ndarray], *, max_iterations: int,
               tolerance: float, cap: float | None) -> tuple[np.ndarray, bool, int, float, int]:
    n = len(codes[0])
    w = np.ones(n)
    trimmed = 0
    error = np.inf
    for iteration in range(1, max_iterations + 1):
        for code, target in zip(codes, targets):
            totals = np.bincount(code, weights=w, minlength=len(target))
            wanted = target * w.sum()
            factor = np.divide(wanted, totals, out=np.ones_like(wanted), where=totals > 0)
            w = w * factor[code]
        if cap is not None:
            over = np.zeros(n, dtype=bool)
            for _ in range(100):  # capping lowers the mean, so cap again until every weight is within the cap
                limit = cap * w.mean()
                if not (w > limit * (1 + 1e-12)).any():
                    break
                over |= w > limit
                w = np.minimum(w, limit)
            trimmed = int(over.sum())
        error = max(float(np.max(np.abs(np.bincount(code, weights=w, minlength=len(t)) / w.sum() - t)))
                    for code, t in zip(codes, targets))
        if error < tolerance:
            return w / w.mean(), True, iteration, error, trimmed
    return w / w.mean(), False, max_iterations, error, trimmed


def merge_small_groups(counts: dict, min_group: int | None) -> dict:
    """Which groups of one margin to weight together so that every weighting group has ``min_group`` respondents.

    The smallest group is merged with the next smallest, again and again, until every group has at least
    ``min_group`` respondents or only one is left (groups with no respondent are left alone).

    Parameters
    ----------
    counts : dict
        Group label -> number of respondents in it, in the codebook's order.

    Returns
    -------
    dict
        Group label -> the label of the weighting group it belongs to ("Healthwatch and Voluntary sector"
        for a merge; the label itself otherwise).

    Notes
    -----
    Collapsing small weighting classes is the standard remedy for unstable weights (Kalton G, Flores-Cervantes
    I (2003) Weighting methods. Journal of Official Statistics 19:81-97); here it also protects disclosure:
    within a weighting group every weight is equal, so a weighted total says nothing about how the members
    of a merged group answered.
    """
    blocks = [[label] for label, n in counts.items() if n > 0]
    size = {label: n for label, n in counts.items()}
    if min_group:
        while len(blocks) > 1:
            totals = [sum(size[m] for m in b) for b in blocks]
            order = sorted(range(len(blocks)), key=lambda i: (totals[i], i))
            if totals[order[0]] >= min_group:
                break
            first, second = sorted(order[:2])
            blocks[first] = blocks[first] + blocks[second]
            del blocks[second]
    out = {label: label for label in counts}
    for block in blocks:
        name = block[0] if len(block) == 1 else ", ".join(block[:-1]) + " and " + block[-1]
        out.update({m: name for m in block})
    return out


def rake(frame: pd.DataFrame, margins: dict, *, within: tuple[str, ...] = (), max_iterations: int = 200,
         tolerance: float = 1e-6, trim: float | None = None, path=None, min_group: int | None = None) -> Raking:
    """Raking (iterative proportional fitting) of unit weights to known population margins.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per respondent, with a column for each margin.
    margins : dict
        Column → {label: population share}; shares of each column sum to 1.
    within : tuple of str
        Columns whose cells are raked separately (e.g. each CCG and year to its own mix of stakeholders):
        the margins are shares within each cell.
    max_iterations, tolerance : int, float
        Stop when every weighted margin share is within ``tolerance`` of its target, or after
        ``max_iterations`` sweeps (then ``converged`` is False).
    min_group : int, optional
        Within each cell, groups of a margin with fewer respondents are weighted together with the next
        smallest (:func:`merge_small_groups`; their targets added); ``groups`` gives each respondent's
        weighting group, so that tables show the merged groups and never a group smaller than this.
    trim : float, optional
        Cap each weight at ``trim`` times the mean weight after every sweep (and rake again); the weights
        then match the margins only approximately, which ``max_error`` reports.

    Returns
    -------
    Raking
        Weights scaled to a mean of 1 within each cell (so weighted bases stay on the scale of the sample),
        convergence, sweeps used, the largest margin error and the number of weights trimmed.

    Raises
    ------
    DataError
        A respondent with no value for a margin's column, or a population group no respondent is in
        (raking cannot reach a margin with no one in it).

    Notes
    -----
    Deming WE, Stephan FF (1940). On a least squares adjustment of a sampled frequency table when the
    expected marginal totals are known. Annals of Mathematical Statistics 11:427-444. Each sweep scales
    the weights so that each margin in turn matches its target; the sweeps repeat until all match.
    """
    columns = list(margins)
    for column in columns:
        missing = frame[column].isna()
        if missing.any():
            raise DataError("a value needed for weighting is missing", path=path,
                            row=spreadsheet_row(missing.idxmax()) if isinstance(missing.idxmax(), (int, np.integer))
                            else None, column=column, expected="one of " + ", ".join(map(str, margins[column])))
    weights = pd.Series(np.nan, index=frame.index, name="weight")
    cells = [((), frame)] if not within else list(frame.groupby(list(within), observed=True))
    converged, iterations, max_error, trimmed, notes = True, 0, 0.0, 0, []
    groups = {column: pd.Series(pd.NA, index=frame.index, dtype=object) for column in columns}
    merges = []
    for key, cell in cells:
        codes, targets = [], []
        for column in columns:
            labels = list(margins[column])
            values = cell[column].astype(str)
            unknown = ~values.isin(labels)
            if unknown.any():
                raise DataError("a value has no population margin", path=path, column=column,
                                value=str(cell[column][unknown].iloc[0]), expected="one of " + ", ".join(labels))
            mapping = merge_small_groups(values.value_counts().reindex(labels, fill_value=0).to_dict(), min_group)
            merged_labels = list(dict.fromkeys(mapping[label] for label in labels))
            shares = {m: 0.0 for m in merged_labels}
            for label in labels:
                shares[mapping[label]] += float(margins[column][label])
            merges += [(key, column, m) for m in merged_labels if m not in labels]
            groups[column].loc[cell.index] = values.map(mapping)
            code = pd.Categorical(values.map(mapping), categories=merged_labels).codes
            labels = merged_labels
            present = np.bincount(code, minlength=len(labels))
            target = np.array([shares[label] for label in labels], dtype=float)
            if (present[target > 0] == 0).any():
                absent = [lab for lab, p, t in zip(labels, present, target) if p == 0 and t > 0]
                notes.append(f"{', '.join(map(str, key)) or 'all respondents'}: no respondent in "
                             f"{', '.join(absent)} ({column}); the other groups were raked to their shares")
                target = np.where(present > 0, target, 0.0)
                target = target / target.sum()
            codes.append(code)
            targets.append(target)
        w, ok, used, error, capped = _rake_cell(codes, targets, max_iterations=max_iterations,
                                                tolerance=tolerance, cap=trim)
        weights.loc[cell.index] = w
        converged &= ok
        iterations = max(iterations, used)
        max_error = max(max_error, error)
        trimmed += capped
    return Raking(weights, bool(converged), iterations, max_error, trimmed, trim, tuple(columns), len(cells),
                  tuple(within), notes, groups, merges)


def survey_weights(responses: pd.DataFrame, *, weighting: str = "auto", trim: float | None = None,
                   min_responses: int | None = None) -> Raking | None:
    """Weights for the responses from their codebook's margins, or None (unweighted) when there are none or
    ``weighting`` is "none"."""
    book = responses.attrs["codebook"]
    if weighting == "none" or not book.margins:
        return None
    return rake(responses, book.margins, within=book.weight_within, trim=trim, path=responses.attrs.get("path"),
                min_group=min_responses or book.min_base)


def with_weighting_groups(responses: pd.DataFrame, raking: Raking | None) -> pd.DataFrame:
    """The responses with each margin column replaced by the weighting group of :func:`rake` (small groups
    merged), so that every table by that column shows the groups the weights were made in; unchanged when
    unweighted or nothing was merged.

    The column stays categorical: the codebook's labels, each merged label placed where its first member was.
    """
    if raking is None or not raking.merged:
        return responses
    out = responses.copy()
    for column, labels in raking.groups.items():
        merged = labels.reindex(out.index)
        original = list(out[column].cat.categories) if isinstance(out[column].dtype, pd.CategoricalDtype) \
            else list(dict.fromkeys(out[column].dropna().astype(str)))
        names = set(merged.dropna())
        order = []
        for label in original:
            order += sorted(n for n in names if n not in order
                            and (n == label or n.startswith((label + " and ", label + ", "))))
        present = set(merged.dropna())
        out[column] = pd.Categorical(merged, categories=[n for n in order if n in present])
    out.attrs = dict(responses.attrs)
    return out


def weights_of(responses: pd.DataFrame, raking: Raking | None) -> pd.Series:
    """The weight of each respondent in ``responses`` (1 each when unweighted)."""
    if raking is None:
        return pd.Series(1.0, index=responses.index)
    return raking.weights.reindex(responses.index)


def _names(columns, labels: dict) -> str:
    return " and ".join(labels.get(c, c.replace("_", " ")) for c in columns)


def weighting_notes(raking: Raking | None, *, respondents: str, weights: pd.Series | None = None,
                    population: str = "", labels: dict | None = None) -> list[str]:
    """What the weighting did, in words, for the page: convergence, trimming and the design effect.

    Parameters
    ----------
    raking : Raking or None
        From :func:`survey_weights` (None: unweighted).
    weights : pandas.Series, optional
        The weights of the respondents the page describes (default: every weight of the raking); the design
        effect and effective base quoted are theirs, so a page about one unit quotes its own.
    population : str
        What the margins describe (the codebook's ``[population] name``, e.g. "stakeholders invited").
    labels : dict, optional
        Readable names of the columns (the codebook's grouping labels), e.g. {"ccg": "CCG"}.
    """
    if raking is None:
        return [f"The results are not weighted: every one of the {respondents} that answered counts the same."]
    labels = labels or {}
    within = f" within each {_names(raking.within, labels)}" if raking.within else ""
    if raking.converged:
        fit = ("the weighted mix then matches it" + (f" to within {100 * raking.max_error:.2g} percentage "
                                                             "points" if raking.max_error >= 5e-5 else ""))
    else:
        fit = (f"raking did NOT converge in {raking.iterations} rounds: a weighted mix is still "
               f"{100 * raking.max_error:.1f} percentage points from its target, so treat the weighted figures with "
               "care")
    notes = [(f"The results are weighted so that the {respondents} who answered match the mix of "
              f"{population or 'the population'} by {_names(raking.margins, labels)}{within} ({fit}).")]
    if raking.cap is not None:
        notes.append(f"Weights were capped at {raking.cap:g} times the average; {raking.trimmed} were capped in the "
                     "last round.")
    shown = raking.weights if weights is None else weights.dropna()
    deff = kish_design_effect(shown)
    notes.append(f"Weighting costs precision: the design effect of these {respondents}' weights is {deff:.2f}, so "
                 f"{len(shown):,} answers count as about {effective_base(shown):,.0f} (their effective base). Each "
                 "table gives the effective base of its own figure.")
    if raking.merged:
        shown_merges = sorted({m for cell, column, m in raking.merged
                               if weights is None or (raking.groups[column].reindex(weights.dropna().index) == m).any()})
        if shown_merges:
            notes.append("Groups with too few " + respondents + " to weight or show on their own were weighted and are "
                         "shown together: " + "; ".join(shown_merges) + ".")
    notes.extend(raking.notes)
    return notes
