"""ccgtools.survey.weighting: raking checked against weightipy (an independent implementation) and by hand."""

import numpy as np
import pandas as pd
import pytest
import weightipy

from ccgtools.survey import analysis, weighting


def _sample(seed=1, n=400):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"sex": rng.choice(["F", "M"], n, p=[0.7, 0.3]),
                         "age": rng.choice(["young", "middle", "old"], n, p=[0.2, 0.3, 0.5]),
                         "agree": rng.random(n) < 0.4})


MARGINS = {"sex": {"F": 0.5, "M": 0.5}, "age": {"young": 0.3, "middle": 0.4, "old": 0.3}}


def test_raking_agrees_with_weightipy():
    frame = _sample()
    ours = weighting.rake(frame, MARGINS, tolerance=1e-10)
    assert ours.converged and ours.iterations > 1
    scheme = weightipy.scheme_from_dict({c: {k: 100 * v for k, v in m.items()} for c, m in MARGINS.items()})
    theirs = weightipy.weight_dataframe(frame.copy(), scheme, weight_column="w")["w"]
    theirs = theirs / theirs.mean()
    assert np.allclose(ours.weights.to_numpy(), theirs.to_numpy(), atol=1e-5)
    # The weighted estimate and its design effect agree too.
    ours_share = np.average(frame["agree"], weights=ours.weights)
    assert ours_share == pytest.approx(np.average(frame["agree"], weights=theirs), abs=1e-6)
    assert weighting.kish_design_effect(ours.weights) == pytest.approx(1 / weightipy.weighting_efficiency(theirs) * 100,
                                                                       rel=1e-4)


def test_weighted_margins_match_targets_and_weights_are_unit_mean():
    frame = _sample(2)
    raking = weighting.rake(frame, MARGINS)
    for column, targets in MARGINS.items():
        shares = raking.weights.groupby(frame[column]).sum() / raking.weights.sum()
        for label, target in targets.items():
            assert shares[label] == pytest.approx(target, abs=1e-6)
    assert raking.weights.mean() == pytest.approx(1)


def test_one_margin_by_hand():
    # 3 of group A and 1 of B, population half and half: A's weights are 2/3, B's is 2.
    frame = pd.DataFrame({"g": ["A", "A", "A", "B"]})
    raking = weighting.rake(frame, {"g": {"A": 0.5, "B": 0.5}})
    assert raking.weights.tolist() == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2])
    # Kish: n Σw² / (Σw)² = 4 · (3·4/9 + 4) / 16 = 4/3.
    assert weighting.kish_design_effect(raking.weights) == pytest.approx(4 / 3)
    assert weighting.effective_base(raking.weights) == pytest.approx(3)


def test_trimming_caps_weights_and_reports_it():
    frame = pd.DataFrame({"g": ["A"] * 19 + ["B"]})
    raking = weighting.rake(frame, {"g": {"A": 0.5, "B": 0.5}}, trim=3.0)
    assert raking.weights.max() <= 3.0 * raking.weights.mean() + 1e-9
    assert raking.trimmed >= 1 and not raking.converged  # the cap keeps B below its margin


def test_weighted_interval_uses_the_effective_base():
    share = analysis.weighted_share(pd.Series([True, False, False, True]), pd.Series([True] * 4),
                                    pd.Series([2 / 3, 2 / 3, 2 / 3, 2.0]))
    assert share["proportion"] == pytest.approx((2 / 3 + 2) / 4)
    assert share["effective_base"] == pytest.approx(3)
    assert share["numerator"] == 2 and share["answered"] == 4


def test_stakeholder_survey_is_weighted_within_each_ccg_and_year(stakeholders):
    raking = weighting.survey_weights(stakeholders)
    assert raking.converged and raking.cells == 16
    for _, cell in stakeholders.groupby(["ccg", "year"], observed=True):
        w = raking.weights[cell.index]
        shares = w.groupby(cell["stakeholder_type"], observed=True).sum() / w.sum()
        assert shares["Member GP practice"] == pytest.approx(0.45, abs=1e-6)
    assert weighting.survey_weights(stakeholders, weighting="none") is None


def test_weighting_notes_quote_the_pages_own_respondents_in_plain_words(stakeholders):
    from ccgtools.survey import load

    book = stakeholders.attrs["codebook"]
    raking = weighting.survey_weights(stakeholders)
    scope = load.in_scope(stakeholders, focus="greyholme_ccg")
    w = raking.weights.reindex(scope.index)
    notes = weighting.weighting_notes(raking, respondents="stakeholders", weights=w,
                                      population=book.population_name, labels=book.column_labels)
    assert notes[0].startswith("The results are weighted so that the stakeholders who answered match the mix of "
                               "stakeholders invited by stakeholder type within each CCG and year (the weighted mix then matches it")
    # Kish by hand on this page's weights: n·Σw²/(Σw)², and n / deff answers.
    deff = len(w) * float((w ** 2).sum()) / float(w.sum()) ** 2
    assert f"design effect of these stakeholders' weights is {deff:.2f}, so {len(w)} answers count as about " \
           f"{len(w) / deff:.0f}" in notes[1]
    assert "e-" not in " ".join(notes) and "1 rounds" not in " ".join(notes)
    everyone = weighting.weighting_notes(raking, respondents="stakeholders")
    assert f"so {len(stakeholders):,} answers" in everyone[1]


def test_small_groups_are_merged_with_the_next_smallest_until_each_reaches_the_threshold():
    # Hand-worked: 31, 16, 14, 7, 4 with a threshold of 10: 7 + 4 = 11, and every group is then at least 10.
    counts = {"GP": 31, "NHS": 16, "LA": 14, "HW": 7, "VS": 4}
    merged = weighting.merge_small_groups(counts, 10)
    assert merged == {"GP": "GP", "NHS": "NHS", "LA": "LA", "HW": "HW and VS", "VS": "HW and VS"}
    # 27, 22, 9, 5, 5: 5 + 5 = 10, then 9 < 10 merges with the next smallest (the 10): one group of 19.
    merged = weighting.merge_small_groups({"GP": 27, "NHS": 22, "LA": 9, "HW": 5, "VS": 5}, 10)
    assert set(merged.values()) == {"GP", "NHS", "LA, HW and VS"}
    assert weighting.merge_small_groups(counts, None) == {k: k for k in counts}


def test_merged_groups_share_one_weight_and_are_raked_to_their_combined_share(stakeholders):
    raking = weighting.survey_weights(stakeholders)
    book = stakeholders.attrs["codebook"]
    merged = weighting.with_weighting_groups(stakeholders, raking)
    cell = (merged["ccg"] == "Greyholme CCG") & (merged["year"] == 2025)
    groups = merged.loc[cell, "stakeholder_type"].astype(str)
    assert "Healthwatch and Voluntary sector" in set(groups)
    w = raking.weights[cell]
    assert w.groupby(groups).nunique().max() == 1  # one weight per weighting group
    share = w.groupby(groups).sum() / w.sum()
    margins = book.margins["stakeholder_type"]
    assert share["Healthwatch and Voluntary sector"] == pytest.approx(margins["Healthwatch"] + margins["Voluntary sector"])
    assert groups.value_counts().min() >= book.min_base
