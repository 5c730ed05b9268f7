"""The published site in a real browser: Debian's Chromium driven by Playwright, scanned with axe-core.

WCAG 2.0/2.1/2.2 A and AA rules on index.html and every briefing, at desktop width and at 375 px;
no request leaves the page; no image lacks a real text alternative. Screenshots are saved under
reports/screenshots/ (git-ignored) for a person to look at. CI (.ci/run) installs Chromium; on a
machine without it these tests skip and say so.
"""

import shutil
from pathlib import Path

import pytest

from ccgtools import config

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
WIDTHS = {"desktop": 1280, "phone": 375}
SCREENSHOTS = config.REPORTS_DIR / "screenshots"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does this)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def axe_script():
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).parent / "axe.min.js"


#: A sweep's pages share one notebook and template; beyond this many, the browser checks a sample of them.
SWEEP_SAMPLE_ABOVE = 4


def _sample(pages: list[Path], titles: dict[Path, str]) -> list[Path]:
    """Pages of one sweep to open: all of a small sweep; of a large one the first, the last, the longest title
    (most likely to push the headline down on a phone) and the largest page (most tables and charts)."""
    if len(pages) <= SWEEP_SAMPLE_ABOVE:
        return pages
    chosen = [pages[0], pages[-1], max(pages, key=lambda p: len(titles[p])), max(pages, key=lambda p: p.stat().st_size)]
    return list(dict.fromkeys(chosen))


def _pages(site):
    """index.html and the briefings to open in the browser: every briefing that is not part of a large sweep,
    and a sample of each large sweep (pages of one notebook run with the same parameter names).

    Every chart of every page is still checked for legibility from its drawing (tests/test_reading.py);
    the browser checks here cost about 5 s a page, so a 42-page sweep is sampled rather than opened whole.
    """
    reports, outcomes = site
    sweeps: dict[tuple, list[Path]] = {}
    titles = {}
    for outcome in outcomes:
        if outcome.status != "ok":
            continue
        path = reports / f"{outcome.briefing.name}.html"
        titles[path] = outcome.briefing.title
        key = (str(outcome.briefing.notebook), tuple(sorted(outcome.briefing.parameters)))
        sweeps.setdefault(key, []).append(path)
    return [reports / "index.html"] + [page for pages in sweeps.values() for page in _sample(pages, titles)]


def _visit(browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    external = []

    def refuse(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    page.route("**/*", refuse)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, external


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_every_page_passes_axe_and_stays_offline(site, browser, axe_script, width_name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for path in _pages(site):
        page, external = _visit(browser, path, WIDTHS[width_name])
        page.add_script_tag(path=str(axe_script))
        result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                               WCAG_TAGS)
        for violation in result["violations"]:
            nodes = "; ".join(node["html"][:120] for node in violation["nodes"][:3])
            problems.append(f"{path.name} at {WIDTHS[width_name]} px: {violation['id']} ({violation['impact']}): "
                            f"{violation['help']} — {nodes}")
        if external:
            problems.append(f"{path.name}: requested {external}")
        page.screenshot(path=str(SCREENSHOTS / f"{path.stem}-{width_name}.png"), full_page=True)
        page.close()
    assert not problems, "\n".join(problems)


def test_images_have_real_text_alternatives_and_pages_fit_a_phone(site, browser):
    for path in _pages(site):
        page, _ = _visit(browser, path, WIDTHS["phone"])
        alts = page.eval_on_selector_all("img", "images => images.map(i => i.getAttribute('alt'))")
        assert all(alt and len(alt) > 40 and "No description" not in alt for alt in alts), (path.name, alts)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{path.name} scrolls sideways by {overflow} px at 375 px"
        assert page.eval_on_selector_all("h1", "h => h.length") == 1
        assert page.eval_on_selector_all("main", "m => m.length") == 1
        page.close()
