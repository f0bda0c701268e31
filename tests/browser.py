"""What the browser tests share: Debian's headless Chromium driven by Playwright (never a
downloaded browser), and a real ``materiel serve`` on a free loopback port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.pgserver import free_port
from tests.web.runs_support import ROOT, worker_env

CHROMIUM = "/usr/bin/chromium"


@contextmanager
def chromium() -> Iterator[object]:
    """Headless Chromium (as root it needs --no-sandbox). Without it a test is skipped on a
    developer's machine and fails in CI, where .ci/run installs it."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    args = ["--disable-dev-shm-usage", "--disable-gpu"] + (["--no-sandbox"] if os.geteuid() == 0 else [])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serving(store, workers: int = 1) -> Iterator[str]:
    """``materiel serve --workers N`` over ``store``'s database; yields its base address once it
    answers, and stops it (SIGTERM, as Ctrl-C would) at the end."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "materiel", "serve", "--port", str(port), "--workers", str(workers)],
        env=worker_env(store),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/login", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"materiel serve did not answer on {base} within 30 s")
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
