"""Disclosure attacks the reviewer made on the survey pages, tried against what the pages now publish.

Each test plays the attacker: it takes only published figures (plus, generously, each stakeholder type's
number of answers and its exact weight) and enumerates every set of withheld answers consistent with them.
A withheld cell is safe when more than one set fits. Each test also shows that the same attack recovers
the cell from what the pages published before (so the test can fail).
"""

from itertools import product

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from ccgtools.survey import analysis, groups, load, weighting

GROUP = "stakeholder_type"
AGREE = ["Tend to agree", "Strongly agree"]


def _consistent_splits(answered: pd.Series, hits: pd.Series, weight: pd.Series, hidden: list[str], hidden_hits: int,
                       published_percent: float, decimals: int) -> list[dict]:
    """Every split of ``hidden_hits`` among the ``hidden`` types that gives the published weighted percentage."""
    shown = [t for t in answered.index if t not in hidden]
    fixed = float((weight[shown] * hits[shown]).sum())
    total = float((weight * answered).sum())
    fits = []
    for split in product(*[range(int(answered[t]) + 1) for t in hidden]):
        if sum(split) != hidden_hits:
            continue
        percent = 100 * (fixed + sum(weight[t] * h for t, h in zip(hidden, split))) / total
        if round(percent, decimals) == round(published_percent, decimals):
            fits.append(dict(zip(hidden, split)))
    return fits


def _attack(raw: pd.DataFrame, scope_index, weights: pd.Series, published_groups: pd.DataFrame,
            published_total: pd.Series, question: str, decimals: int) -> list[dict]:
    """The reviewer's attack on one question: the original types not published on their own are unknowns."""
    frame = raw.loc[scope_index]
    answered_rows = frame[question].notna()
    types = frame[GROUP].astype(str)
    answered = answered_rows.groupby(types).sum()
    hits = frame[question].isin(AGREE).groupby(types).sum()
    weight = weights.reindex(frame.index).groupby(types).first()
    rows = published_groups[(published_groups["question"] == question) & ~published_groups["suppressed"]]
    alone = [t for t in rows["group"] if t in answered.index]
    hidden = [t for t in answered.index if t not in alone]
    hidden_hits = int(published_total["numerator"]) - int(rows.loc[rows["group"].isin(alone), "numerator"].sum())
    return _consistent_splits(answered, hits, weight, hidden, hidden_hits, float(published_total["percent"]),
                              decimals)


def test_hidden_stakeholder_types_cannot_be_recovered_from_the_weighted_headline(stakeholders):
    # Before: each type weighted on its own, per-type counts published beside a weighted total to 1 dp.
    old = weighting.rake(stakeholders, stakeholders.attrs["codebook"].margins, within=("ccg", "year"))
    scope = load.in_scope(stakeholders, focus="Greyholme CCG")
    old_w = old.weights.reindex(scope.index)
    answered = scope["q_engagement"].notna()
    per_type = scope.loc[answered, "q_engagement"].isin(AGREE).groupby(scope.loc[answered, GROUP], observed=True)
    old_groups = pd.DataFrame({"question": "q_engagement", "group": per_type.sum().index.astype(str),
                               "numerator": per_type.sum().to_numpy(), "answered": per_type.size().to_numpy()})
    old_total = pd.Series({"numerator": int(scope.loc[answered, "q_engagement"].isin(AGREE).sum()),
                           "percent": 100 * np.average(scope.loc[answered, "q_engagement"].isin(AGREE),
                                                       weights=old_w[answered])})
    old_groups = old_groups.assign(suppressed=old_groups["answered"] < 10)  # the old page: Healthwatch, Voluntary
    assert set(old_groups.loc[old_groups["suppressed"], "group"]) == {"Healthwatch", "Voluntary sector"}
    recovered = _attack(stakeholders, scope.index, old_w, old_groups, old_total, "q_engagement", decimals=1)
    assert len(recovered) == 1  # the reviewer's finding: one split only, every hidden answer known

    # Now: small types merged before weighting, a question's groups all withheld if any is, whole percentages.
    raking = weighting.survey_weights(stakeholders)
    merged = weighting.with_weighting_groups(stakeholders, raking)
    book = stakeholders.attrs["codebook"]
    for ccg in book.grouping("ccg").values:
        scope = load.in_scope(merged, focus=ccg)
        w = weighting.weights_of(scope, raking)
        summary = analysis.question_summary(scope, weights=w).set_index("question")
        published = groups.group_breakdown(scope, GROUP, weights=w)
        shown = published[~published["suppressed"]]
        assert (shown["answered"] >= book.min_base).all()
        for question in ("q_engagement", "q_leadership", "q_plans", "q_communication", "q_partnership"):
            fits = _attack(stakeholders, scope.index, w, published, summary.loc[question], question, decimals=0)
            alone = set(shown.loc[shown["question"] == question, "group"]) & set(book.grouping(GROUP).values)
            if alone != set(book.grouping(GROUP).values):  # some type is not published on its own
                assert len(fits) > 1, (ccg, question)


def test_a_withheld_cluster_cannot_be_recovered_from_the_published_tests(bundled):
    published = groups.group_breakdown(bundled, "cluster")
    tests = groups.association_tests(bundled, "cluster")
    assert "statistic" not in tests.columns
    assert (tests["p_value"].dropna() == tests["p_value"].dropna().round(2)).all()
    question = "reason_good_relationships"
    hidden = published[(published["question"] == question) & published["suppressed"]]["group"].tolist()
    assert set(hidden) >= {"London", "South"}
    # Move one "yes" from London to South (and one "no" back): every published total and shown cell stays the
    # same, so an attacker cannot tell the two files apart if the published tests do not change either.
    changed = bundled.copy()
    changed.attrs = dict(bundled.attrs)
    london_yes = changed.index[(changed["cluster"] == "London") & (changed[question] == "Yes")]
    south_no = changed.index[(changed["cluster"] == "South") & (changed[question] == "No")]
    assert len(london_yes) and len(south_no)
    changed.loc[london_yes[0], question] = "No"
    changed.loc[south_no[0], question] = "Yes"
    pd.testing.assert_frame_equal(groups.group_breakdown(changed, "cluster"), published)
    pd.testing.assert_frame_equal(groups.association_tests(changed, "cluster"), tests)

    # Before, South (withheld with London) was still tested and the chi-square statistic published: it differs
    # between the two files, so it told them apart.
    def chi_square_of_all_but_london(frame):
        kept = frame[(frame["cluster"] != "London") & frame[question].notna()]
        return scipy_stats.chi2_contingency(pd.crosstab(kept["cluster"], kept[question]), correction=False).statistic

    assert chi_square_of_all_but_london(changed) != chi_square_of_all_but_london(bundled)
