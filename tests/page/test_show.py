"""ccgtools.page.show: formatting, escaping, redaction, synthetic-data marking and disclosure rules carried to the page."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccgtools.page import show


def test_interval_format():
    assert show.format_interval(84.21, 75.57, 90.19) == "84.2% (75.6 to 90.2)"
    assert show.format_interval(np.nan, np.nan, np.nan) == "*"
    assert show.format_interval(83.0, 73.0, 90.0, decimals=0) == "83% (73 to 90)"


def test_readable_table_formats_numbers_and_suppression():
    table = pd.DataFrame({"name": ["A", "B"], "n": pd.array([12345, None], dtype="Int64"),
                          "p": [50.0, np.nan], "lo": [40.0, np.nan], "hi": [60.0, np.nan], "ok": [True, False]})
    shown = show.readable_table(table, {"name": "Name", "n": "Count", "p": "Percent", "ok": "Agrees"},
                                   interval=("p", "lo", "hi"))
    assert shown.columns.tolist() == ["Name", "Count", "Percent (95% CI)", "Agrees"]
    # Whole-number figures (published rounded, as weighted survey figures are) are written without decimals.
    assert shown.iloc[0].tolist() == ["A", "12,345", "50% (40 to 60)", "Yes"]
    precise = show.readable_table(table.assign(lo=[40.25, np.nan]), {"p": "Percent"}, interval=("p", "lo", "hi"))
    assert precise.iloc[0].tolist() == ["50.0% (40.2 to 60.0)"]
    # No suppressed column: B's blanks are not applicable, not withheld.
    assert shown.iloc[1].tolist() == ["B", "–", "–", "No"]
    withheld = show.readable_table(table.assign(suppressed=[False, True]), {"name": "Name", "n": "Count"})
    assert withheld.iloc[1].tolist() == ["B", "*"] and withheld.iloc[0].tolist() == ["A", "12,345"]


def test_table_key_explains_only_the_marks_used():
    assert show.table_key(["1", "*"]).startswith("* withheld") and "not applicable" not in show.table_key(["*"])
    assert show.table_key(["–"]) == "– not applicable" and show.table_key(["1"]) == ""
    html = show.table_html(pd.DataFrame({"a": ["–", "2"]}), "c")
    assert "Key: – not applicable." in html


def test_table_html_escapes_every_cell_and_caption():
    table = pd.DataFrame({"<b>col</b>": ["<script>alert(1)</script>", "a & b"]})
    html = show.table_html(table, "Caption <i>x</i>")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "a &amp; b" in html and "&lt;b&gt;col&lt;/b&gt;" in html and "Caption &lt;i&gt;x&lt;/i&gt;" in html
    assert '<th scope="col">' in html and "<caption>" in html


@pytest.mark.parametrize("text,removed,placeholder", [
    ("Mail me at jo.bloggs@nhs.net please", "jo.bloggs@nhs.net", "[e-mail address removed]"),
    ("Patient 943 476 5919 was affected", "943 476 5919", "[number removed]"),
    ("NHS number 9434765919.", "9434765919", "[number removed]"),
    ("Ring 0113 496 0000 today", "0113 496 0000", "[telephone number removed]"),
    ("Ring +44 20 7946 0958 today", "20 7946 0958", "[telephone number removed]"),
])
def test_redaction(text, removed, placeholder):
    redacted = show.redact(text)
    assert removed not in redacted and placeholder in redacted


def test_redaction_keeps_the_space_after_a_telephone_number():
    assert show.redact("Ring 020 7946 0958 today") == "Ring [telephone number removed] today"
    assert show.redact("Ring 07700900123, or write") == "Ring [telephone number removed], or write"


def test_redaction_keeps_ordinary_numbers():
    assert show.redact("We serve 250,000 people in 2012.") == "We serve 250,000 people in 2012."


@given(st.text())
def test_table_html_never_contains_raw_angle_brackets_from_data(text):
    html = show.table_html(pd.DataFrame({"c": [text]}), "cap")
    body = html.split("<tbody>")[1]
    cell = body.split("</tbody>")[0].removeprefix("<tr><td>").removesuffix("</td></tr>")
    assert "<" not in cell and ">" not in cell


def test_show_table_attaches_csv(monkeypatch):
    shown = []
    monkeypatch.setattr(show, "display", lambda obj, raw=False, **kw: shown.append(obj))
    show.show_table(pd.DataFrame({"a": ["1"]}), name="t", caption="c", csv=pd.DataFrame({"a": [1.5]}))
    payload = shown[0][show.TABLE_MIMETYPE]
    assert payload["name"] == "t" and payload["csv"] == "a\n1.5\n"
    json.dumps(shown[0])  # a notebook output must be JSON-serialisable


def test_show_comments_redacts_then_escapes(monkeypatch):
    shown = []
    monkeypatch.setattr(show, "display", lambda obj, raw=False, **kw: shown.append(obj))
    show.show_comments(["<script>alert('x')</script> call 0113 496 0000"])
    html = shown[0]["text/html"]
    assert "<script>" not in html and "&lt;script&gt;" in html and "0113" not in html


def test_p_values_get_three_places_and_tiny_ones_a_bound():
    table = pd.DataFrame({"p": [0.04567, 0.0000123, 0.5]})
    shown = show.readable_table(table, {"p": "p-value"}, decimals={"p": 3})
    assert shown["p-value"].tolist() == ["0.046", "<0.001", "0.500"]


@pytest.fixture
def shown(monkeypatch):
    """What the show_* functions display, and a page state reset to real data afterwards."""
    outputs = []
    monkeypatch.setattr(show, "display", lambda obj, raw=False, **kw: outputs.append((obj, kw)))
    yield outputs
    show._PAGE["synthetic"] = None


def _chart():
    from ccgtools.page.charts import Chart, new_figure

    figure, ax = new_figure(2)
    ax.plot([0, 1], [0, 1])
    return Chart(figure, "A line from 0 to 1.", pd.DataFrame({"x": [0, 1]}), "line")


def test_synthetic_page_says_so_in_banner_headline_chart_and_facts(shown):
    show.show_title("T", "lede", synthetic="invented responses from 95 CCGs")
    show.show_headline(["84% were dissatisfied."])
    show.show_chart(_chart())
    title, headline, chart = shown[0][0], shown[1][0], shown[2]
    assert 'class="ccg-synthetic"' in title["text/html"] and "Invented responses from 95 CCGs." in title["text/html"]
    assert title[show.FACTS_MIMETYPE]["synthetic"] == "invented responses from 95 CCGs"
    assert "Synthetic data" in headline["text/html"].split("<li>")[0]  # in the box, before the first finding
    assert 'aria-label="Synthetic data' in chart[0]["text/html"] and "SYNTHETIC DATA" in chart[0]["image/svg+xml"]


def test_real_page_carries_no_synthetic_marks(shown):
    show.show_title("T", "lede")
    show.show_headline(["84% were dissatisfied."])
    show.show_chart(_chart())
    assert "ccg-synthetic" not in shown[0][0]["text/html"] and shown[0][0][show.FACTS_MIMETYPE]["synthetic"] == ""
    assert "synthetic" not in shown[1][0]["text/html"].lower()
    assert 'aria-label="A line from 0 to 1."' in shown[2][0]["text/html"]
    assert "SYNTHETIC" not in shown[2][0]["image/svg+xml"]


def test_synthetic_chart_image_carries_the_words(shown):
    # The watermark is drawn into the figure itself: the same chart differs only by being marked.
    chart = _chart()
    show.mark_synthetic(chart.figure)
    texts = [t.get_text() for t in chart.figure.texts]
    assert show.SYNTHETIC_MARK in texts and any("not real NHS figures" in t for t in texts)


def test_shown_table_carries_the_disclosure_rules_applied(shown):
    from ccgtools.page import disclosure

    counts = disclosure.suppress_small_counts(pd.DataFrame({"n": [3, 30]}), ["n"])
    show.show_table(show.readable_table(counts, {"n": "Count"}), name="t", caption="c", csv=counts)
    rules = shown[0][0][show.TABLE_MIMETYPE]["disclosure"]
    assert rules == [disclosure.DEFAULT_RULE.describe_counts()]
    show.show_table(pd.DataFrame({"n": [3]}), name="u", caption="c")
    assert shown[1][0][show.TABLE_MIMETYPE]["disclosure"] == []


def test_optional_section_and_empty_table_without_message(shown):
    show.show_section("A closer look", ["Easter <2013>, day by day."])
    show.show_table(pd.DataFrame(), name="t", caption="c", empty_message="")
    assert len(shown) == 1  # the empty table shows nothing at all
    assert shown[0][0]["text/html"] == "<h2>A closer look</h2><p>Easter &lt;2013&gt;, day by day.</p>"


def test_glossary_shows_the_terms_asked_for_and_refuses_unknown_ones(shown):
    show.show_glossary(["funnel_plot", "overdispersion"])
    html = shown[0][0]["text/html"]
    assert html.index("Funnel plot") < html.index("Over-dispersion") and "<dl" in html
    with pytest.raises(KeyError, match="not in the glossary: phi"):
        show.show_glossary(["phi"])


def test_glossary_meanings_are_plain_words():
    for key, entry in show.glossary().items():
        assert set(entry) == {"term", "meaning"}, key
        assert not any(symbol in entry["meaning"] for symbol in ("φ", "τ", "θ", "√", "Σ")), key


def test_next_steps_are_a_section_of_their_own_and_escaped(shown):
    show.show_next_steps(["Query <b>North</b> on calls answered."])
    html = shown[0][0]["text/html"]
    assert "<h2>What this means for commissioners</h2>" in html and "&lt;b&gt;North" in html
    show.show_next_steps([])
    assert len(shown) == 1


def test_a_charts_data_table_has_plain_headings_and_its_csv_the_field_names(shown):
    from ccgtools.page.charts import Chart, new_figure
    from ccgtools.page.disclosure import DisclosureRule, TableColumns, publish_table
    from ccgtools.page.media_types import TABLE_MIMETYPE

    figure, ax = new_figure(2)
    ax.plot([0, 1], [0, 1])
    data = publish_table(pd.DataFrame({"practice_code": ["A1", "B2"], "answered": [40, 4], "percent": [83.0, 50.0]}),
                         TableColumns(base="answered", derived=("percent",)), rule=DisclosureRule(min_base=10))
    show.show_chart(Chart(figure, "A line.", data, "line"))
    html, payload = shown[-1][0]["text/html"], shown[-1][0][TABLE_MIMETYPE]
    assert "<th scope=\"col\">Practice code</th>" in html and "<th scope=\"col\">Withheld?</th>" in html
    assert "<td>83</td>" in html  # whole numbers without a false decimal
    assert "<td>*</td>" in html  # the withheld row still shows the mark
    assert payload["csv"].splitlines()[0] == "practice_code,answered,percent,suppressed"
