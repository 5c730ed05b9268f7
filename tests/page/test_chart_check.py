"""The legibility check finds each kind of problem a reader would see, and passes a clean chart."""

import numpy as np
import pandas as pd
import pytest

from ccgtools.page import charts
from ccgtools.page.chart_check import drawn_texts, layout_problems, recording_texts


def _plot():
    figure, ax = charts.new_figure(3)
    with charts.drawing():
        ax.scatter([1, 2, 3], [1, 2, 3], s=40)
        ax.set_xlabel("Calls")
    return figure, ax


def test_a_clean_chart_has_no_problems():
    figure, _ = _plot()
    assert layout_problems(figure) == []


def test_overlapping_texts_are_found():
    figure, ax = _plot()
    ax.text(1.5, 2.5, "North")
    ax.text(1.5, 2.5, "South")
    assert any("'North' and 'South' overlap" in p for p in layout_problems(figure))


def test_text_cut_by_the_edge_is_found():
    figure, _ = _plot()
    figure.text(0.97, 0.5, "a long note that runs off the right-hand edge")
    assert any("cut by the edge" in p for p in layout_problems(figure))


def test_small_text_is_found():
    figure, ax = _plot()
    ax.text(2.5, 1.2, "tiny", fontsize=8)
    assert any("'tiny' is 8 pt" in p for p in layout_problems(figure))


def test_label_on_a_marker_is_found():
    figure, ax = _plot()
    ax.text(2, 2, "B", ha="center", va="center")
    assert any("label 'B' lies on a data marker" in p for p in layout_problems(figure))


def test_legend_over_data_is_found():
    figure, ax = charts.new_figure(3)
    ax.scatter(np.linspace(0, 1, 50), np.linspace(0, 1, 50), s=40, label="points")
    ax.legend(loc="center")
    assert "the legend covers a data marker" in layout_problems(figure)


def test_only_text_actually_drawn_is_measured():
    # Tick labels outside the view and the watermark are not drawn text a reader could misread.
    figure, ax = _plot()
    figure.text(0.5, 0.5, "SYNTHETIC DATA", fontsize=30, rotation=25, gid=charts.WATERMARK_GID)
    texts = [t.text for t in drawn_texts(figure)]
    assert "SYNTHETIC DATA" not in texts and "Calls" in texts
    assert all(t.strip() for t in texts)


@pytest.mark.parametrize("seed", range(5))
def test_placed_labels_never_overlap_each_other_or_any_marker(seed):
    # A dense cloud of 2,000 points, 15 of them to be named: whatever is placed must be clear.
    rng = np.random.default_rng(seed)
    x, y = rng.lognormal(8, 1, 2000), rng.normal(0, 1, 2000)
    figure, ax = charts.new_figure(4)
    with charts.drawing():
        ax.scatter(x, y, s=20, rasterized=True)
        ax.set_xscale("log")
    extreme = np.argsort(-np.abs(y))[:15]
    placed = charts.place_labels(ax, pd.DataFrame({"x": x[extreme], "y": y[extreme],
                                                   "label": [f"P{i:04d}" for i in extreme]}))
    assert 1 <= placed <= 15
    assert len(ax.texts) == placed
    assert layout_problems(figure) == []


def _faulty_plots():
    """Each kind of problem the check must find, as (plot, words of the problem)."""
    overlap, ax = _plot()
    ax.text(1.5, 2.5, "North")
    ax.text(1.5, 2.5, "South")
    cut, _ = _plot()
    cut.text(0.97, 0.5, "a long note that runs off the right-hand edge")
    small, ax = _plot()
    ax.text(2.5, 1.2, "tiny", fontsize=8)
    on_marker, ax = _plot()
    ax.text(2, 2, "B", ha="center", va="center")
    legend, ax = charts.new_figure(3)
    ax.scatter(np.linspace(0, 1, 50), np.linspace(0, 1, 50), s=40, label="points")
    ax.legend(loc="center")
    return [(overlap, "'North' and 'South' overlap"), (cut, "cut by the edge"), (small, "'tiny' is 8 pt"),
            (on_marker, "label 'B' lies on a data marker"), (legend, "the legend covers a data marker")]


def _checked_as_saved(figure) -> list[str]:
    """The check as show_chart makes it: on the texts measured while the SVG was saved, no other draw."""
    chart = charts.Chart(figure, "alt", pd.DataFrame(), "c")
    with recording_texts(figure) as drawn:
        charts.to_svg(chart, label="alt")

    def no_second_draw(renderer):
        raise AssertionError("the chart was drawn again to be checked")

    figure.draw = no_second_draw
    try:
        return layout_problems(figure, drawn=drawn)
    finally:
        del figure.draw


@pytest.mark.parametrize("case", range(5))
def test_the_check_on_the_saved_svg_finds_each_problem_without_drawing_again(case):
    figure, words = _faulty_plots()[case]
    assert any(words in problem for problem in _checked_as_saved(figure))


def test_a_clean_chart_checked_as_saved_has_no_problems():
    assert _checked_as_saved(_plot()[0]) == []


def test_the_saved_svg_is_laid_out_once():
    figure, _ = _plot()
    engine = figure.get_layout_engine()
    solved = []
    solve = engine.execute
    engine.execute = lambda fig: solved.append(1) or solve(fig)
    charts.to_svg(charts.Chart(figure, "alt", pd.DataFrame(), "c"), label="alt")
    assert solved == [1]  # matplotlib's savefig alone would solve the layout twice
