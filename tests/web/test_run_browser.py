"""The run page in headless Chromium against a real ``materiel serve`` with its queue worker: a run
launched from the team's form is followed live until done, then its charts are drawn by the
locally served plotly.js, with nothing refused by the page's Content-Security-Policy."""

from __future__ import annotations

import pytest

from tests.browser import chromium, serving
from tests.markers import RUN_QUEUE
from tests.web.conftest import PASSWORD
from tests.web.runs_support import add_version

pytestmark = RUN_QUEUE


@pytest.fixture
def server(workspace):
    """``materiel serve --workers 1`` on the workspace's database, on a free loopback port."""
    with serving(workspace.store) as base:
        yield base


@pytest.fixture
def browser():
    with chromium() as launched:
        yield launched


def test_a_run_launched_in_the_browser_is_followed_until_done_and_charted(workspace, server, browser) -> None:
    add_version(workspace.store, workspace.team_id)
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "404" not in m.text else None)
    page.on("response", lambda r: problems.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{server}/login")
    page.fill("input[name=name]", "eddie")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server}/teams/{workspace.team_id}/runs")
    page.click("[data-testid=launch-submit]")
    page.wait_for_url("**/runs/*")
    status = page.locator("[data-testid=run-status]")
    assert status.inner_text() in ("queued", "running", "done")
    page.wait_for_selector("[data-testid=run-status].status-done", timeout=120_000)  # the page reloads when done
    page.wait_for_selector("#chart-stock .main-svg", timeout=30_000)  # drawn by plotly.js
    assert page.locator("[data-testid=headline-total]").inner_text() == "EUR 800"
    assert page.locator("#chart-spending .main-svg").count() >= 1
    assert page.locator("#chart-capacity .main-svg").count() >= 1
    assert page.locator("#stock-item option").all_inner_texts() == ["155 mm shell"]
    page.click("[data-testid=share]")
    link = page.locator("[data-testid=share-link]").input_value()
    assert "/share/" in link
    assert not problems, problems
