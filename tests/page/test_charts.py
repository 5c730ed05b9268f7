"""Every chart drawn for a phone, legible, self-describing, deterministic, and without global side effects."""

import os
import re
import subprocess
import sys

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest

from ccgtools.page import charts
from ccgtools.page.chart_check import layout_problems
from ccgtools.stats import xmr


def _funnel_inputs(units: int = 200):
    rng = np.random.default_rng(7)
    denominator = rng.integers(500, 50_000, units).astype(float)
    value = np.clip(0.9 + rng.normal(0, 0.3, units) / np.sqrt(denominator / 100), 0, 1)
    grid = np.geomspace(400, 60_000, 100)
    se = np.sqrt(0.9 * 0.1 / grid)
    limits = pd.DataFrame({"denominator": grid, "lower_95": 0.9 - 1.96 * se, "upper_95": 0.9 + 1.96 * se,
                           "lower_99_8": 0.9 - 3.09 * se, "upper_99_8": 0.9 + 3.09 * se})
    upper, lower = np.interp(denominator, grid, limits["upper_99_8"]), np.interp(denominator, grid, limits["lower_99_8"])
    position = np.where(value < lower, "worse than expected", np.where(value > upper, "better than expected",
                                                                          "within limits"))
    table = pd.DataFrame({"name": [f"Contract number {i} of the region" for i in range(units)],
                          "denominator": denominator, "value": value, "lower_99_8": lower, "upper_99_8": upper,
                          "position": position})
    return table, limits


def _every_chart():
    table, limits = _funnel_inputs()
    summary = pd.DataFrame({"reason": ["Cost", "Quality of service offered", "Existing relationship"],
                            "percent": [61.0, 55.0, np.nan], "lower": [51.0, 45.0, np.nan],
                            "upper": [70.0, 64.0, np.nan], "answered": [95, 95, 4]})
    ranks = pd.DataFrame({"name": [f"Unit {i} with a rather long name" for i in range(46)],
                          "median_rank": np.arange(1, 47.0), "rank_lower": np.maximum(np.arange(1, 47) - 4, 1),
                          "rank_upper": np.minimum(np.arange(1, 47) + 4, 46),
                          "prob_bottom": np.clip((np.arange(46) - 30) / 12, 0, 1)})
    counts = pd.DataFrame({"name": [f"Unit {i}" for i in range(20)], "times_bottom": np.arange(40, 20, -1),
                           "chance_expected": 10.4, "chance_upper": 16.0, "periods": 52,
                           "beyond_chance": np.arange(40, 20, -1) > 16})
    series = xmr(pd.Series(0.9 + np.random.default_rng(8).normal(0, 0.01, 30)))
    series["period"] = pd.date_range("2024-04-07", periods=30, freq="W")
    return [
        charts.funnel_chart(table, limits, target=0.9, title="Calls answered within 60 seconds", xlabel="Calls",
                            ylabel="Answered within 60 seconds (%)", label_column="name", name="funnel",
                            units="contracts"),
        charts.percentage_bars(summary, label_column="reason", name="reasons"),
        charts.caterpillar_chart(ranks, label_column="name", title="Ranks", name="ranks"),
        charts.observed_against_chance_chart(counts, label_column="name", title="Bottom fifth", name="bottom"),
        charts.spc_chart(series, title="All contracts", ylabel="%", name="spc"),
    ]


@pytest.fixture(scope="module")
def every_chart():
    return _every_chart()


def test_every_chart_is_legible_with_nothing_overlapping_or_cut(every_chart):
    for chart in every_chart:
        assert layout_problems(chart.figure) == [], chart.name


def test_every_chart_is_phone_width_and_says_what_it_shows(every_chart):
    for chart in every_chart:
        assert tuple(chart.figure.get_size_inches())[0] == charts.FIGURE_WIDTH_IN
        assert chart.summary.endswith(".") and len(chart.summary) > 30, chart.name
        assert len(chart.alt_text) > 40 and not chart.data.empty


def test_text_stays_at_least_11_css_px_on_a_375_px_phone():
    # Shown 343 px wide (375 less the page's 2 × 16 px padding), drawn at 96 px per inch.
    smallest = charts.FONT_PT * 96 / 72 * 343 / (charts.FIGURE_WIDTH_IN * 96)
    assert smallest >= 11


def test_funnel_names_at_most_fifteen_and_the_sentence_counts_them(every_chart):
    funnel = every_chart[0]
    outside = int((funnel.data["position"] != "within limits").sum())
    assert outside > charts.MAX_LABELS  # the fixture has more outliers than may be named
    named = len(funnel.figure.axes[0].texts)
    assert named <= charts.MAX_LABELS
    assert f"{outside} of 200 contracts lie outside the 99.8% limits ({named} named on the chart" in funnel.summary


def _span(patch):
    """The x extent, in data units, of an axvspan (a Rectangle from matplotlib 3.9, a Polygon before)."""
    ax = patch.axes
    corners = (patch.get_transform() - ax.transData).transform(patch.get_path().vertices)
    return corners[:, 0].min(), corners[:, 0].max()


def test_caterpillar_shades_the_bottom_ceil_n_over_5():
    ranks = pd.DataFrame({"name": list("ABCDEFG"), "median_rank": np.arange(1, 8.0), "rank_lower": np.arange(1, 8.0),
                          "rank_upper": np.arange(1, 8.0), "prob_bottom": [0, 0, 0, 0, 0, 0.5, 0.9]})
    chart = charts.caterpillar_chart(ranks, label_column="name", title="t", name="r")
    # 7 units: the bottom fifth is the worst ceil(7 / 5) = 2 ranks, so the band runs from 5.5 to 7.5.
    x0, x1 = _span(chart.figure.axes[0].patches[0])
    assert (x0, x1) == pytest.approx((5.5, 7.5))
    assert "worst 2 ranks" in chart.figure.legends[0].get_texts()[0].get_text()


def test_svg_keeps_text_as_text_is_named_and_sized_by_the_page(every_chart):
    svg = charts.to_svg(every_chart[2], label='Ranks of "46" units <b>')
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-label="Ranks of &quot;46&quot; units &lt;b&gt;"' in svg
    assert not re.search(r'<svg[^>]* width="', svg)
    assert "<text" in svg and "Rank (1 = best)" in svg


def test_svg_is_deterministic_and_ids_differ_between_charts():
    first, second = _every_chart(), _every_chart()
    assert charts.to_svg(first[4], label="x") == charts.to_svg(second[4], label="x")
    ids = [set(re.findall(r'id="([^"]+)"', charts.to_svg(chart, label="x"))) for chart in first]
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            assert not a & b


def test_dense_point_clouds_are_an_image_inside_the_svg():
    table, limits = _funnel_inputs(units=charts.RASTERISE_ABOVE + 50)
    svg = charts.to_svg(charts.funnel_chart(table, limits, target=0.9, title="t", xlabel="x", ylabel="y",
                                            label_column="name", name="dense"), label="x")
    assert "<image" in svg


def test_drawing_charts_leaves_the_sessions_matplotlib_settings_alone():
    before = dict(mpl.rcParams)
    _every_chart()
    after = dict(mpl.rcParams)
    assert {k for k in before if before[k] != after[k]} == set()


def test_importing_ccgtools_does_not_choose_a_backend():
    # A researcher's plt.show() in JupyterLab must still reach the inline backend.
    code = ("import ccgtools.page.show, ccgtools.page.charts, ccgtools.page.chart_check\n"
            "import matplotlib\n"
            "print(matplotlib.get_backend())")
    env = {**os.environ, "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "module://matplotlib_inline.backend_inline"


def test_bar_sentence_says_the_leader_is_not_clearly_ahead_when_intervals_overlap():
    shown = pd.DataFrame({"reason": ["a", "b", "c"], "percent": [40.0, 35.0, 10.0],
                          "lower": [30.0, 26.0, 5.0], "upper": [50.0, 45.0, 18.0]})
    sentence = charts._bars_sentence(shown, "reason")
    assert "not clearly ahead" in sentence and "the next" in sentence and "(from 35% to 40%)" in sentence
    everything = shown.assign(upper=[50.0, 45.0, 31.0])
    assert "all 2 others" in charts._bars_sentence(everything, "reason")
    clear = shown.assign(lower=[46.0, 26.0, 5.0])
    assert "stands clear of the rest" in charts._bars_sentence(clear, "reason")
