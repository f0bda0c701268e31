"""The run page in headless Chromium against a real ``materiel serve`` with its queue worker: a run
launched from the team's form is followed live until done, then its charts are drawn by the
locally served plotly.js, with nothing refused by the page's Content-Security-Policy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.markers import RUN_QUEUE
from tests.pgserver import free_port
from tests.web.conftest import PASSWORD
from tests.web.runs_support import ROOT, add_version, worker_env

pytestmark = RUN_QUEUE
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def server(workspace):
    """``materiel serve --workers 1`` on the workspace's database, on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "materiel", "serve", "--port", str(port), "--workers", "1"],
        env=worker_env(workspace.store),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2)
            break
        except OSError:
            time.sleep(0.1)
    yield base
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    args = ["--disable-dev-shm-usage", "--disable-gpu"] + (["--no-sandbox"] if os.geteuid() == 0 else [])
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        yield chromium
        chromium.close()


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
