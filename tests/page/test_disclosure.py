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


# --- one path for every published table: columns with roles, complements and totals rows ---

SURVEY_COLUMNS = disclosure.TableColumns(base="answered", derived=("numerator", "percent"),
                                         complements=("not_answered",))


def test_publish_table_withholds_the_complement_with_its_base():
    # 95 asked, 6 answered: the base is below 10. not_answered = 89 would give it back as 95 − 89.
    table = pd.DataFrame({"question": ["q1", "q2"], "numerator": [4, 60], "answered": [6, 80],
                          "not_answered": [89, 15], "percent": [66.7, 75.0]})
    out = disclosure.publish_table(table, SURVEY_COLUMNS)
    assert out["suppressed"].tolist() == [True, False]
    assert out.loc[0, ["numerator", "answered", "not_answered", "percent"]].isna().all()
    assert out.loc[1, ["numerator", "answered", "not_answered"]].tolist() == [60, 80, 15]
    assert disclosure.rules_applied(out) == [RULE.describe_bases()]


def test_publish_table_applies_the_count_rule_to_counts():
    table = pd.DataFrame({"area": list("AB"), "events": [5, 50], "population": [1000, 1000], "rate": [5.0, 50.0]})
    out = disclosure.publish_table(table, disclosure.TableColumns(counts=("events",), derived=("rate",)))
    assert out["suppressed"].tolist() == [True, False] and out["rate"].isna().tolist() == [True, False]
    assert out["population"].tolist() == [1000, 1000]  # not a role: published as it is


@st.composite
def survey_questions(draw):
    """Answers to 1-3 questions by group: (asked, answered, headline) per group, drawn so that answered ≤ asked."""
    rows = []
    for q in range(draw(st.integers(1, 3))):
        for g in range(draw(st.integers(1, 5))):
            asked = draw(st.integers(0, 40))
            answered = draw(st.integers(0, asked))
            rows.append({"question": f"q{q}", "group": f"g{g}", "asked": asked, "answered": answered,
                         "numerator": draw(st.integers(0, answered))})
    return pd.DataFrame(rows)


def _with_derived(table: pd.DataFrame) -> pd.DataFrame:
    percent = 100 * table["numerator"] / table["answered"].where(table["answered"] > 0)
    return table.assign(not_answered=table["asked"] - table["answered"], percent=percent)


def _recovered_cells(published: pd.DataFrame, asked: pd.Series) -> list[str]:
    """Written independently of the package: every suppressed base or numerator an outsider can work out.

    The outsider has the published table (group rows and each question's "All" row) and the number
    asked each question (``asked``, published as the respondents). A suppressed value is recovered when
    it is shown after all; when the "All" row's base is shown, or follows from its not_answered; and,
    given the question's total, when one suppressed group is left (total minus the shown groups), or
    when the suppressed groups' numerators add up to 0 or to their bases (every one 0% or 100%).
    """
    found = []
    for question, rows in published.groupby("question"):
        groups, total = rows[rows["group"] != "All"], rows[rows["group"] == "All"].iloc[0]
        for _, row in rows[rows["suppressed"]].iterrows():
            if pd.notna(row["answered"]) or pd.notna(row["numerator"]) or pd.notna(row["not_answered"]):
                found.append(f"{question}/{row['group']}: shown although suppressed")
        base = total["answered"] if pd.notna(total["answered"]) else asked[question] - total["not_answered"]
        hidden = groups[groups["suppressed"]]
        if pd.isna(base) or hidden.empty or len(hidden) == len(groups):
            continue
        hidden_base = base - groups["answered"].sum()
        hidden_numerator = total["numerator"] - groups["numerator"].sum()
        if len(hidden) == 1:
            found.append(f"{question}/{hidden['group'].iloc[0]}: base {hidden_base} by subtraction")
        elif pd.notna(hidden_numerator) and hidden_numerator in (0, hidden_base) and total["numerator"] not in (0, base):
            found.append(f"{question}: hidden groups all {'0' if hidden_numerator == 0 else '100'}%")
    return found


@settings(max_examples=300, deadline=None)
@given(survey_questions(), st.integers(2, 15))
def test_no_suppressed_base_is_recoverable_from_complements_or_totals_rows(groups, min_base):
    rule = DisclosureRule(min_base=min_base)
    groups = _with_derived(groups)
    totals = _with_derived(groups.groupby("question", as_index=False)[["asked", "answered", "numerator"]].sum())
    published_totals = disclosure.publish_table(totals.assign(group="All"), SURVEY_COLUMNS, rule=rule)
    published_groups = disclosure.publish_table(groups, SURVEY_COLUMNS, rule=rule, within=["question"],
                                                totals=totals.set_index("question"), numerator="numerator")
    published = pd.concat([published_groups, published_totals], ignore_index=True)
    assert _recovered_cells(published.drop(columns="asked"), totals.set_index("question")["asked"]) == []
    shown = published.loc[~published["suppressed"], "answered"].astype(float)
    assert (shown >= min_base).all()  # no result on fewer answers than the rule allows
    small = pd.concat([groups, totals])["answered"].to_numpy() < min_base
    assert published["suppressed"].to_numpy()[small].all()
