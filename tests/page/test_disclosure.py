"""ccgtools.page.disclosure: small numbers never published, directly or by subtraction (property tests)."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ccgtools.page import disclosure
from ccgtools.page.disclosure import DisclosureRule

RULE = DisclosureRule()


def test_counts_one_to_seven_are_suppressed_with_what_derives_from_them():
    table = pd.DataFrame({"area": list("ABCD"), "count": [0, 1, 7, 8], "rate": [0.0, 0.1, 0.7, 0.8]})
    out = disclosure.suppress_small_counts(table, ["count"], dependent=["rate"])
    assert out["suppressed"].tolist() == [False, True, True, False]
    assert out["count"].isna().tolist() == [False, True, True, False]
    assert out["rate"].isna().tolist() == [False, True, True, False]
    assert table["count"].tolist() == [0, 1, 7, 8]  # the input is not changed


def test_secondary_suppression_hand_worked():
    # Question q: groups of 30, 6, 12, 40 answers (total 88 published elsewhere). The 6 is below the base
    # of 10; alone it could be recovered as 88 − 30 − 12 − 40, so the next smallest (12) goes too.
    table = pd.DataFrame({"question": ["q"] * 4, "group": list("WXYZ"), "answered": [30, 6, 12, 40]})
    table["size"] = table["answered"].astype(float)
    out = disclosure.suppress_small_bases(table, "answered")
    out = disclosure.secondary_suppression(out, within=["question"], size_column="size", columns=["answered"])
    assert out["suppressed"].tolist() == [False, True, True, False]
    assert disclosure.published_values_leak(out, within=["question"], size_column="answered", base=True) == []


def test_rule_is_described_for_the_footer():
    text = DisclosureRule(smallest_count=6, min_base=50).describe()
    assert "1 to 5" in text and "fewer than 50" in text and "subtraction" in text


@st.composite
def grouped_tables(draw):
    groups = draw(st.integers(1, 5))
    rows = []
    for g in range(groups):
        for cell in range(draw(st.integers(2, 6))):
            rows.append({"group": f"g{g}", "cell": cell, "count": draw(st.integers(0, 60))})
    return pd.DataFrame(rows)


@settings(max_examples=200, deadline=None)
@given(grouped_tables(), st.integers(2, 12))
def test_no_small_count_published_directly_or_by_subtraction(table, smallest):
    rule = DisclosureRule(smallest_count=smallest)
    table = table.assign(size=table["count"].astype(float), share=table["count"] / 100)
    out = disclosure.suppress_small_counts(table, ["count"], dependent=["share"], rule=rule)
    out = disclosure.secondary_suppression(out, within=["group"], size_column="size", columns=["count", "share"])
    shown = out.loc[~out["suppressed"], "count"].astype(float)
    assert not ((shown >= 1) & (shown < smallest)).any()
    assert out.loc[out["suppressed"], "share"].isna().all()
    for _, group in out.groupby("group"):
        hidden = group["suppressed"].sum()
        assert hidden != 1 or len(group) == 1
        if hidden:
            # Subtracting the published cells from the group total recovers only the sum of at least
            # two hidden cells, never a single small one.
            assert hidden >= 2
    # every originally small count is hidden
    small = (table["count"] >= 1) & (table["count"] < smallest)
    assert out.loc[small, "suppressed"].all()
