"""Checking a chart as its reader will see it: no text too small, cut off or on top of anything.

:func:`layout_problems` records every piece of text a renderer actually draws (so tick labels
outside the view, empty strings and hidden artists do not count), measures each with matplotlib's
own text metrics, and compares those extents with each other, with the figure's edges, with the
legend and with every data marker. Given the texts recorded while the chart's SVG was saved
(:func:`recording_texts`, as :func:`ccgtools.page.show.show_chart` does), it checks the layout the
reader gets without drawing the chart again; given nothing, it draws the figure once with Agg.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from .charts import FONT_PT, WATERMARK_GID, drawing, marker_extents, overlaps_any

#: Overlaps smaller than this (pixels at 96 dpi, in both directions) are glyph padding, not collisions.
TOLERANCE_PX = 1.0


@dataclass(frozen=True)
class DrawnText:
    """A piece of text as drawn: its words, size, extent, and whether it labels data or is in a legend."""

    text: str
    size: float
    box: Bbox
    is_label: bool
    in_legend: bool


@dataclass(frozen=True)
class Drawing:
    """What a reader sees of a chart: its texts, legends and markers as drawn, and the page they are on.

    Extents are pixels at the figure's display resolution (``figure.dpi``, 96), whatever the
    resolution the chart was drawn at (an SVG is drawn at 72).
    """

    texts: list[DrawnText]
    legends: list[Bbox]
    markers: np.ndarray
    page: Bbox


def _measure(figure, drawn: list[Text], renderer, scale: float) -> Drawing:
    """Measure what ``renderer`` has just drawn of ``figure`` (``drawn``: its texts, in drawing order).

    Called right after the draw, before anything moves: positions some artists compute while
    drawing (legends, axis labels) are kept in the pixels of that draw.
    """
    labels = {id(t) for ax in figure.axes for t in ax.texts}
    legends = _legends(figure)
    legend_texts = {id(t) for legend in legends for t in [*legend.get_texts(), legend.get_title()]}

    def scaled(box: Bbox) -> Bbox:
        return Bbox(box.get_points() * scale)

    texts = [DrawnText(t.get_text(), float(t.get_fontsize()), scaled(t.get_window_extent(renderer)),
                       id(t) in labels, id(t) in legend_texts)
             for t in drawn if t.get_text().strip() and t.get_gid() != WATERMARK_GID]
    markers = np.vstack([np.empty((0, 4)), *(marker_extents(ax) for ax in figure.axes)]) * scale
    return Drawing(texts, [scaled(legend.get_window_extent(renderer)) for legend in legends], markers,
                   scaled(figure.bbox))


def draw_with_agg(figure) -> Drawing:
    """Draw ``figure`` once with Agg, at its display size, and measure what was drawn."""
    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    renderer = figure.canvas.get_renderer()
    drawn: list[Text] = []
    original = renderer.draw_text

    def record(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if mtext is not None and mtext not in drawn:
            drawn.append(mtext)
        return original(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.draw_text = record
    try:
        with drawing():
            figure.draw(renderer)
            return _measure(figure, drawn, renderer, 1.0)
    finally:
        del renderer.draw_text


def drawn_texts(figure) -> list[DrawnText]:
    """Every text the renderer draws (except the synthetic-data watermark), with its window extent."""
    return draw_with_agg(figure).texts


class Recording:
    """Filled by :func:`recording_texts`: the chart as its SVG drew it (None until it is saved)."""

    drawing: Drawing | None = None


@contextmanager
def recording_texts(figure):
    """Measure ``figure`` as an SVG save inside the block draws it, for :func:`layout_problems`.

    The chart is then drawn once, for its SVG, and checked as drawn: every text the SVG renderer
    draws is recorded (its ``draw_text`` is wrapped for the duration of the block; a kernel draws
    one chart at a time), and texts, legends and markers are measured the moment the figure's
    draw ends, in that draw's pixels, then scaled to the display resolution.
    """
    from matplotlib.backends.backend_svg import RendererSVG

    recording = Recording()
    drawn: list[Text] = []
    original_text = RendererSVG.draw_text
    original_draw = figure.draw
    own_draw = vars(figure).get("draw")  # already wrapped on this figure (restored after)
    display_dpi = figure.dpi

    def record(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if mtext is not None and mtext not in drawn and mtext.get_figure(root=True) is figure:
            drawn.append(mtext)
        return original_text(self, gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    def draw_and_measure(renderer):
        drawn.clear()
        result = original_draw(renderer)
        recording.drawing = _measure(figure, drawn, renderer, display_dpi / figure.dpi)
        return result

    RendererSVG.draw_text = record
    figure.draw = draw_and_measure
    try:
        yield recording
    finally:
        RendererSVG.draw_text = original_text
        if own_draw is None:
            del figure.draw
        else:
            figure.draw = own_draw


def _legends(figure) -> list[Legend]:
    return [legend for legend in [*(ax.get_legend() for ax in figure.axes), *figure.legends] if legend is not None]


def _overlap(a: Bbox, b: Bbox) -> bool:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width > TOLERANCE_PX and height > TOLERANCE_PX


def layout_problems(figure, *, min_font_pt: float = FONT_PT, drawn: Recording | None = None) -> list[str]:
    """What a reader would find wrong with the chart's text, in words; empty when nothing is.

    ``drawn``: the chart as measured by :func:`recording_texts` while its SVG was saved; without
    it (or before the save) the figure is drawn here, once, with Agg.

    Checks
    ------
    * every text is at least ``min_font_pt`` points;
    * no text is cut by the figure's edge;
    * no two texts overlap;
    * no text outside the legend overlaps the legend;
    * no data label overlaps a marker, and the legend covers no marker.
    """
    seen = drawn.drawing if drawn is not None and drawn.drawing is not None else draw_with_agg(figure)
    texts, markers, legends, page = seen.texts, seen.markers, seen.legends, seen.page
    problems = [f"text {t.text!r} is {t.size:g} pt, below {min_font_pt:g} pt" for t in texts if t.size < min_font_pt]
    problems += [f"text {t.text!r} is cut by the edge of the chart" for t in texts
                 if t.box.x0 < -TOLERANCE_PX or t.box.y0 < -TOLERANCE_PX
                 or t.box.x1 > page.x1 + TOLERANCE_PX or t.box.y1 > page.y1 + TOLERANCE_PX]
    for i, first in enumerate(texts):
        for second in texts[i + 1:]:
            if _overlap(first.box, second.box):
                problems.append(f"texts {first.text!r} and {second.text!r} overlap")
    for text in texts:
        if not text.in_legend and any(_overlap(text.box, legend) for legend in legends):
            problems.append(f"text {text.text!r} lies on the legend")
        if text.is_label and overlaps_any(text.box.extents, markers, TOLERANCE_PX):
            problems.append(f"label {text.text!r} lies on a data marker")
    if any(overlaps_any(legend.extents, markers, TOLERANCE_PX) for legend in legends):
        problems.append("the legend covers a data marker")
    return problems
