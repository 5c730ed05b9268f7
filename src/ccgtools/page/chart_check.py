"""Checking a chart as its reader will see it: no text too small, cut off or on top of anything.

:func:`layout_problems` draws a figure once with matplotlib's Agg renderer, records every piece
of text the renderer actually draws (so tick labels outside the view, empty strings and hidden
artists do not count) with its extent, and compares those extents with each other, with the
figure's edges, with the legend and with every data marker. It uses matplotlib's own text
metrics, the same ones the saved SVG was laid out with.
"""

from __future__ import annotations

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


def drawn_texts(figure) -> list[DrawnText]:
    """Every text the renderer draws (except the synthetic-data watermark), with its window extent."""
    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    renderer = figure.canvas.get_renderer()
    seen: list[Text] = []
    original = renderer.draw_text

    def record(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if mtext is not None and mtext not in seen:
            seen.append(mtext)
        return original(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.draw_text = record
    try:
        figure.draw(renderer)
    finally:
        del renderer.draw_text
    labels = {id(t) for ax in figure.axes for t in ax.texts}
    legend_texts = {id(t) for legend in _legends(figure) for t in [*legend.get_texts(), legend.get_title()]}
    return [DrawnText(t.get_text(), float(t.get_fontsize()), t.get_window_extent(renderer),
                      id(t) in labels, id(t) in legend_texts)
            for t in seen if t.get_text().strip() and t.get_gid() != WATERMARK_GID]


def _legends(figure) -> list[Legend]:
    return [legend for legend in [*(ax.get_legend() for ax in figure.axes), *figure.legends] if legend is not None]


def _overlap(a: Bbox, b: Bbox) -> bool:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width > TOLERANCE_PX and height > TOLERANCE_PX


def layout_problems(figure, *, min_font_pt: float = FONT_PT) -> list[str]:
    """What a reader would find wrong with the chart's text, in words; empty when nothing is.

    Checks
    ------
    * every text is at least ``min_font_pt`` points;
    * no text is cut by the figure's edge;
    * no two texts overlap;
    * no text outside the legend overlaps the legend;
    * no data label overlaps a marker, and the legend covers no marker.
    """
    with drawing():
        texts = drawn_texts(figure)
        markers = np.vstack([np.empty((0, 4)), *(marker_extents(ax) for ax in figure.axes)])
        legends = [legend.get_window_extent(figure.canvas.get_renderer()) for legend in _legends(figure)]
    page = figure.bbox
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
