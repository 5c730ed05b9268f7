"""The briefings on a 375-px phone, in Debian's Chromium: findings in the first screen, charts readable.

Measured in the browser, independently of matplotlib: the headline box's top edge, and the rendered
size of every text in every inline SVG chart (its font size times the chart's on-screen scale).
"""

import pytest

from tests.test_browser import WIDTHS, _pages, _visit, browser  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.e2e

#: The first screen of a phone, in CSS pixels.
FIRST_SCREEN_PX = 800
#: The smallest chart text a reader can be asked to read, in CSS pixels.
MIN_CHART_TEXT_PX = 11

SMALLEST_CHART_TEXT = """() => {
  const found = [];
  for (const svg of document.querySelectorAll('svg.ccg-chart')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll('text')) {
      if (!text.textContent.trim()) continue;
      found.push([svg.closest('figure').dataset.chartName, text.textContent.trim(),
                  parseFloat(getComputedStyle(text).fontSize) * scale]);
    }
  }
  return found;
}"""


def test_first_finding_starts_in_the_first_screen_of_a_phone(site, browser):  # noqa: F811
    for path in _pages(site)[1:]:
        page, _ = _visit(browser, path, WIDTHS["phone"])
        # The first finding itself, not only the box around it, starts in the first screen.
        top = page.evaluate("document.querySelector('.ccg-headline li').getBoundingClientRect().top + window.scrollY")
        assert top <= FIRST_SCREEN_PX, f"{path.name}: the first headline finding starts at {top:.0f} px"
        # The title appears once; the contents list is folded away.
        assert page.eval_on_selector_all("h1", "h => h.length") == 1
        header = page.inner_text("header")
        assert page.inner_text("h1").strip() not in header
        assert page.evaluate("(() => { const d = document.querySelector('details.ccg-contents');"
                             " return d === null || (!d.open && getComputedStyle(d).display !== 'none'"
                             " && getComputedStyle(document.querySelector('nav.ccg-wide')).display === 'none'); })()"
                             ), path.name
        page.close()


def test_chart_text_is_never_below_11_px_on_a_phone(site, browser):  # noqa: F811
    small, measured = [], 0
    for path in _pages(site)[1:]:
        page, _ = _visit(browser, path, WIDTHS["phone"])
        for chart, text, size in page.evaluate(SMALLEST_CHART_TEXT):
            measured += 1
            if size < MIN_CHART_TEXT_PX:
                small.append(f"{path.name} / {chart}: {text!r} is {size:.1f} px")
        page.close()
    assert measured > 100
    assert not small, "\n".join(small[:30])
