"""Similar areas: each area's 10 nearest neighbours on the make-up of its patients (as NHS RightCare's "Similar 10").

The matching variables describe what an area's population is, not how it performs: age structure
(% under 15, % aged 65 and over), deprivation (IMD score), rurality (% of patients in rural practices)
and practice size (mean list size). Each is standardised across all areas (mean 0, SD 1) and the
distance is the weighted Euclidean distance between areas, as CIPFA's nearest-neighbour model does.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import ParameterError

#: The matching variables, in words, with their default weights (all equal).
VARIABLES = {"pct_under_15": "% of patients under 15", "pct_65_plus": "% of patients aged 65 and over",
             "imd_score": "deprivation (average IMD 2019 score of its patients)",
             "pct_rural": "% of patients registered at rural practices", "mean_list_size": "average practice list size"}
DEFAULT_WEIGHTS = {name: 1.0 for name in VARIABLES}


def area_variables(practices: pd.DataFrame) -> pd.DataFrame:
    """Each area's matching variables from its practices in one period, weighted by list size.

    Returns
    -------
    pandas.DataFrame
        Indexed by icb_code: pct_under_15, pct_65_plus, imd_score (list-weighted means), pct_rural (% of
        patients at rural practices), mean_list_size, practices, patients. A practice missing a figure is left
        out of that figure's mean (missing when no practice of the area has it).
    """
    size = practices["list_size"].astype(float)
    grouped = practices.assign(patients=size).groupby("icb_code")
    out = pd.DataFrame(index=sorted(practices["icb_code"].unique()))
    out.index.name = "icb_code"
    for column in ("pct_under_15", "pct_65_plus", "imd_score"):
        known = practices[column].notna()  # a practice without the figure counts in neither sum
        weighted = (practices[column] * size).where(known).groupby(practices["icb_code"]).sum(min_count=1)
        weights = size.where(known).groupby(practices["icb_code"]).sum(min_count=1)
        out[column] = weighted / weights
    known = practices["rurality"].notna()
    rural = size.where(practices["rurality"] == "Rural", 0.0).where(known).groupby(practices["icb_code"]).sum(min_count=1)
    out["pct_rural"] = 100 * rural / size.where(known).groupby(practices["icb_code"]).sum(min_count=1)
    out["patients"] = grouped["patients"].sum()
    out["practices"] = grouped.size()
    out["mean_list_size"] = out["patients"] / out["practices"]
    return out[["pct_under_15", "pct_65_plus", "imd_score", "pct_rural", "mean_list_size", "practices", "patients"]]


def similar_areas(variables: pd.DataFrame, area: str, *, n: int = 10,
                  weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The ``n`` areas nearest to ``area`` on the standardised matching variables.

    Parameters
    ----------
    variables : pandas.DataFrame
        One row per area (index: area code) with the columns named in ``weights``.
    area : str
        The area whose neighbours are wanted (an index value of ``variables``).
    weights : mapping, optional
        Variable → weight (default :data:`DEFAULT_WEIGHTS`, all 1).

    Returns
    -------
    pandas.DataFrame
        Indexed by area code, nearest first (ties by code): distance, similarity_rank (1 = most similar).

    Notes
    -----
    zⱼₖ = (xⱼₖ − mean_k)/SD_k over all areas (population SD); distance dⱼ = √(Σₖ wₖ(zⱼₖ − z_area,k)²).
    The area itself is left out.

    References
    ----------
    CIPFA Nearest Neighbours Model (2019 technical note); NHS RightCare, "Similar 10" CCG explorer
    (NHS England, 2018): the 10 areas most alike in demography, deprivation and rurality.
    """
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    if area not in variables.index:
        raise ParameterError(f"area {area!r} is not among the {len(variables)} areas; expected one of "
                             + ", ".join(map(str, variables.index[:12])) + ("…" if len(variables) > 12 else ""))
    if not 1 <= n < len(variables):
        raise ParameterError(f"n = {n}: expected from 1 to {len(variables) - 1} (the other areas)")
    columns = list(weights)
    values = variables[columns].astype(float)
    spread = values.std(ddof=0).replace(0, 1.0)
    z = (values - values.mean()) / spread
    w = np.array([weights[c] for c in columns], dtype=float)
    distance = np.sqrt(((z - z.loc[area]) ** 2 * w).sum(axis=1))
    ranked = pd.DataFrame({"distance": distance}).drop(index=area)
    ranked = ranked.assign(code=ranked.index).sort_values(["distance", "code"], kind="stable").drop(columns="code")
    ranked = ranked.head(n)
    ranked["similarity_rank"] = np.arange(1, len(ranked) + 1)
    return ranked


def typical_distance(variables: pd.DataFrame, weights: Mapping[str, float]) -> float:
    """The median distance between any two areas on the standardised matching variables (the scale against which
    a similar area's distance reads as near or far), as :func:`similar_areas` measures it."""
    from scipy.spatial.distance import pdist

    columns = list(weights)
    values = variables[columns].astype(float)
    z = (values - values.mean()) / values.std(ddof=0).replace(0, 1.0)
    w = np.sqrt(np.array([weights[c] for c in columns], dtype=float))
    return float(np.median(pdist(z.to_numpy() * w))) if len(z) > 1 else float("nan")
