"""The default plan's report.html in headless Chromium: no sideways scroll on a desktop, a phone or an
A4 page, and every chart titled with its ticks visible.

It drives Debian's Chromium (/usr/bin/chromium, installed by .ci/run) with Playwright and never
downloads a browser. Without Chromium the test is skipped on a developer's machine and fails in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from materiel import cli
from tests.browser import chromium

DESKTOP, PHONE = 1440, 390
A4_CONTENT = 703  # CSS pixels between the report's A4 margins (210 mm less 2 x 12 mm)

# One worker renders the default plan once for every test here (pytest-xdist's loadgroup).
pytestmark = pytest.mark.xdist_group("browser-report")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default plan's report.html, planned once for the module."""
    folder = tmp_path_factory.mktemp("default") / "out"
    assert cli.run(["plan", "-o", str(folder)]) == 0
    return folder / "report.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


def _open(browser, report: Path, width: int, media: str = "screen"):
    """The report at ``width`` CSS pixels; the phone as a phone (it lays a page out 980 pixels wide
    unless the page's viewport meta says otherwise)."""
    phone = width == PHONE
    page = browser.new_page(
        viewport={"width": width, "height": 844 if phone else 900},
        is_mobile=phone,
        device_scale_factor=3 if phone else 1,
    )
    page.emulate_media(media=media)
    page.goto(report.as_uri())
    return page


OVERFLOW = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
# Every SVG chart: its title, and its tick labels that are drawn inside the page with some size.
SVG_CHARTS = """() => Array.from(document.querySelectorAll('svg')).map(s => {
  const title = s.querySelector(':scope > title');
  const ticks = Array.from(s.querySelectorAll('text.tick')).filter(t => {
    const r = t.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= document.documentElement.clientWidth;
  });
  const box = s.getBoundingClientRect();
  return {title: title ? title.textContent : '', y: ticks.filter(t => t.classList.contains('y')).length,
          x: ticks.filter(t => t.classList.contains('x')).length, right: box.right};
})"""
IMAGES = """() => Array.from(document.querySelectorAll('img')).map(i => ({
  alt: i.alt, title: i.title, loaded: i.complete && i.naturalWidth > 0, right: i.getBoundingClientRect().right,
  sharp: i.naturalWidth / i.clientWidth}))"""


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_the_page_never_scrolls_sideways(browser, report: Path, width: int) -> None:
    page = _open(browser, report, width)
    scroll, client = page.evaluate(OVERFLOW)
    assert client == width and scroll <= client
    wide = page.evaluate("() => document.querySelectorAll('.wide').length")
    assert wide >= 10  # the tables scroll in their own boxes instead
    page.close()


def test_printed_on_a4_every_table_fits_the_page(browser, report: Path) -> None:
    page = _open(browser, report, A4_CONTENT, media="print")
    scroll, client = page.evaluate(OVERFLOW)
    assert scroll <= client
    boxes = page.evaluate(
        "() => Array.from(document.querySelectorAll('.wide')).map(w => [w.scrollWidth, w.clientWidth])"
    )
    assert boxes and all(inner <= outer + 1 for inner, outer in boxes)  # no column cut off at the edge
    page.close()


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_every_chart_has_a_title_and_visible_ticks(browser, report: Path, width: int) -> None:
    page = _open(browser, report, width)
    charts = page.evaluate(SVG_CHARTS)
    assert len(charts) >= 2
    for chart in charts:
        assert chart["title"], chart
        assert chart["y"] >= 3 and chart["x"] >= 3, chart  # both axes labelled
        assert chart["right"] <= width
    days = next(c for c in charts if "days of war" in c["title"])
    assert days["y"] >= 5  # the log axis: decades and the 2s and 5s between them
    images = page.evaluate(IMAGES)
    assert len(images) == 3
    for image in images:
        assert image["alt"] and image["title"] and image["loaded"], image
        assert image["right"] <= width
        assert image["sharp"] >= 2 - 1e-6  # at least two image pixels per CSS pixel
    page.close()
