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


def test_counts_carried_as_floats_are_counts():
    # 0.9999999999 is a count of 1 that went through floating-point arithmetic; 7.0000001 is a 7.
    table = pd.DataFrame({"count": [0.9999999999, 7.0000001, 7.6, 1e-12, 8.0], "rate": [1.0, 2.0, 3.0, 4.0, 5.0]})
    out = disclosure.suppress_small_counts(table, ["count"], dependent=["rate"])
    assert out["suppressed"].tolist() == [True, True, False, False, False]
    assert out["rate"].isna().tolist() == [True, True, False, False, False]


def test_each_function_records_the_rule_it_applied():
    # The page footer states only the rules applied to its own tables, so each function says which it applied,
    # even when no cell happened to be small.
    rule = DisclosureRule(smallest_count=6, min_base=50)
    counts = disclosure.suppress_small_counts(pd.DataFrame({"n": [100]}), ["n"], rule=rule)
    assert disclosure.rules_applied(counts) == [rule.describe_counts()] and "1 to 5" in rule.describe_counts()
    bases = disclosure.suppress_small_bases(pd.DataFrame({"n": [100]}), "n", rule=rule)
    assert disclosure.rules_applied(bases) == [rule.describe_bases()] and "fewer than 50" in rule.describe_bases()
    assert "1 to 5" not in rule.describe_bases() and "50" not in rule.describe_counts()
    both = disclosure.secondary_suppression(bases.assign(size=100.0), within=[], size_column="size", columns=["n"])
    assert disclosure.rules_applied(both) == [rule.describe_bases(), disclosure.SECONDARY_RULE]
    assert disclosure.rules_applied(pd.DataFrame({"n": [1]})) == []


def _recoverable_cells(published: pd.DataFrame) -> list[str]:
    """Written independently of the package: a group whose total row is published and in which exactly one
    component is hidden gives that component away as total minus the published components."""
    found = []
    for group, rows in published.groupby("group"):
        total = rows[rows["cell"] == "total"]
        parts = rows[rows["cell"] != "total"]
        if total["count"].notna().all() and parts["count"].isna().sum() == 1:
            found.append(f"{group}: {float(total['count'].iloc[0]) - parts['count'].sum()}")
    return found


@st.composite
def tables_with_totals(draw):
    """Groups of counts, carried as floats with rounding noise, each followed by its own total row."""
    rows = []
    for g in range(draw(st.integers(1, 4))):
        counts = draw(st.lists(st.integers(0, 40), min_size=2, max_size=6))
        noise = draw(st.lists(st.floats(-1e-9, 1e-9), min_size=len(counts) + 1, max_size=len(counts) + 1))
        rows += [{"group": f"g{g}", "cell": str(i), "count": c + e} for i, (c, e) in enumerate(zip(counts, noise))]
        rows.append({"group": f"g{g}", "cell": "total", "count": sum(counts) + noise[-1]})
    return pd.DataFrame(rows)


@settings(max_examples=200, deadline=None)
@given(tables_with_totals())
def test_tables_with_totals_rows_and_float_counts_never_leak(table):
    table["size"] = table["count"]
    out = disclosure.suppress_small_counts(table, ["count"])
    out = disclosure.secondary_suppression(out, within=["group"], size_column="size", columns=["count"])
    shown = out["count"].dropna().round()
    assert not ((shown >= 1) & (shown < RULE.smallest_count)).any()
    assert _recoverable_cells(out) == []


def test_secondary_suppression_prefers_a_complement_that_holds_someone():
    # Found by the property test: groups of 0, 0, 0 and 1 answers (sizes missing for the empty groups).
    # Hiding an empty group beside the lone small one would protect nothing, and the sizes must not crash it.
    table = pd.DataFrame({"question": ["q"] * 4, "group": list("WXYZ"), "answered": [0, 3, 0, 20],
                          "size": [float("nan"), 3.0, 0.0, 20.0]})
    out = disclosure.suppress_small_counts(table, ["answered"])
    out = disclosure.secondary_suppression(out, within=["question"], size_column="size", columns=["answered"])
    assert out.loc[out["group"] == "Z", "suppressed"].item()  # the 20, not an empty group
    only_empty = pd.DataFrame({"q": ["q"] * 3, "n": [1, 0, 0], "size": [1.0, float("nan"), float("nan")],
                               "suppressed": [True, False, False]})
    out = disclosure.secondary_suppression(only_empty, within=["q"], size_column="size", columns=["n"])
    assert out["suppressed"].sum() == 2
