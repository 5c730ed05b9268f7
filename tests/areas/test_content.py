"""The area page's tables and charts: every published column documented, every glossary word defined, charts legible."""

from __future__ import annotations

import re

import pytest

from ccgtools import config
from ccgtools.areas import content, profile
from ccgtools.areas.load import load_area_data
from ccgtools.areas.synthetic import FILES
from ccgtools.page.chart_check import layout_problems
from ccgtools.page.downloads import field_dictionary, tidy_frame
from ccgtools.page.show import glossary, mark_synthetic


@pytest.fixture(scope="module", params=["SQ07", "SQ09", "SQ25"])
def area(request):
    data = load_area_data(*(config.DATA_DIR / FILES[k] for k in ("icbs", "practices", "indicators", "ground_truth")))
    return profile.analyse(data, request.param, n_simulations=500)


def test_every_published_column_is_in_the_field_dictionary(area):
    fields = field_dictionary()
    tables = {"standing": content.standing_table(area), "similar_icbs": content.similar_table(area),
              "change": content.change_table(area), "practices_outside_limits": content.outliers_table(area),
              "practice_changes": content.practice_changes_table(area),
              "practice_movements": content.movements_table(area)}
    charts = [content.spine_chart(area), content.rank_chart(area), content.peers_chart(area), content.funnel(area)]
    tables.update({chart.name: chart.data for chart in charts})
    for name, table in tables.items():
        published = tidy_frame(table, table=name)
        missing = [c for c in published.columns if c not in fields]
        assert not missing, (name, missing)


def test_charts_are_legible_and_say_what_they_show(area):
    for chart in (content.spine_chart(area), content.rank_chart(area), content.peers_chart(area), content.funnel(area)):
        mark_synthetic(chart.figure)  # as show_chart does on a synthetic page: the layout is redone
        assert layout_problems(chart.figure) == [], chart.name
        assert chart.summary and chart.alt_text and "No description" not in chart.alt_text


def test_glossary_words_used_by_the_notebook_are_defined():
    source = (config.NOTEBOOKS_DIR / "area_profile.ipynb").read_text(encoding="utf-8")
    keys = re.findall(r'\\"(\w+)\\"', source[source.index("show_glossary"):source.index("show_glossary") + 400])
    assert {"spine_chart", "similar_areas", "credible_change", "rank_interval"} <= set(keys)
    assert set(keys) <= set(glossary())


def test_practice_tables_withhold_small_counts(area):
    table = content.outliers_table(area)
    assert "suppressed" in table.columns
    observed = table["observed"].dropna()
    assert not ((observed >= 1) & (observed <= 7)).any()
