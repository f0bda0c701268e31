"""The workspace as an analyst uses it, in headless Chromium against a real ``materiel serve`` with a
queue worker over a SQLite store made by the migrations: sign in, upload, a located problem at its
field, a what-if slider that changes the headline, a run followed to the end, two runs compared, a
share link opened by nobody, and a viewer without edit controls (docs/workspace.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from materiel.store.models import ScenarioVersion
from tests.browser import chromium, serving
from tests.markers import ONE_WORKER
from tests.web.conftest import PASSWORD, new_store, seed
from tests.web.runs_support import TINY, add_version

pytestmark = ONE_WORKER
# tiny.yaml with the cheap line's capacity ranged: at its low, 400 shells a year, the cheap line makes
# 200 by 2026Q3, so the dear line (EUR 5) makes the other 200: EUR 2 x 200 + EUR 5 x 200 = EUR 1,400
# instead of EUR 2 x 400 = EUR 800.
RANGED = TINY.replace(
    "capacity: {value: 800, unit: shells/year}", "capacity: {value: 800, unit: shells/year, low: 400, high: 1200}"
)
WAIT = 120_000  # ms: a run on a shared two-core machine


class Site:
    """The server's address, its store and the team's id."""

    def __init__(self, base: str, store, team_id: int) -> None:
        self.base, self.store, self.team_id = base, store, team_id

    def scenario(self, name: str, text: str = RANGED) -> tuple[int, int]:
        """A scenario of the team with ``text`` as its first version: (scenario id, version id)."""
        version_id = add_version(self.store, self.team_id, text, name=name)
        with self.store.session() as s:
            return s.get(ScenarioVersion, version_id).scenario_id, version_id


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """``materiel serve --workers 1`` on a fresh store (team kyiv: ada admin, eddie editor, vera viewer)."""
    assert RANGED != TINY
    store = new_store(str(tmp_path_factory.mktemp("workspace") / "workspace.db"))
    team_id, _ = seed(store)
    with serving(store) as base:
        yield Site(base, store, team_id)
    store.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


def signed_in(browser, site: Site, name: str):
    """A fresh browser context signed in as ``name``, on the page it lands on."""
    page = browser.new_context().new_page()
    page.goto(f"{site.base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.base}/")
    return page


def finished(page, site: Site, run_id: int) -> None:
    """The run's page, once its worker has finished it (the page reloads itself until then)."""
    page.goto(f"{site.base}/runs/{run_id}")
    page.wait_for_selector("[data-testid=run-status].status-done", timeout=WAIT)


def launch(page, site: Site, version_id: int, sets: str = "") -> int:
    """A plan queued from the team's runs form; its run id."""
    page.goto(f"{site.base}/teams/{site.team_id}/runs")
    page.select_option("[data-testid=launch-version]", str(version_id))
    page.fill("textarea[name=sets]", sets)
    page.click("[data-testid=launch-submit]")
    page.wait_for_url(re.compile(r".*/runs/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def test_sign_in_and_upload_a_scenario(browser, site, tmp_path) -> None:
    page = signed_in(browser, site, "eddie")
    assert page.locator(".cards li").inner_text().split() == ["kyiv", "editor"]
    page.click("text=kyiv")
    upload = tmp_path / "ranged-tiny.yaml"
    upload.write_text(RANGED)
    page.set_input_files("[data-testid=upload-file]", str(upload))
    page.fill("[data-testid=upload-name]", "uploaded")
    page.click("[data-testid=upload-submit]")
    page.wait_for_url(re.compile(r".*/scenarios/\d+$"))
    assert page.locator("h1").inner_text().startswith("uploaded")
    assert page.locator("[data-testid=version-row]").count() == 1
    page.goto(f"{site.base}/teams/{site.team_id}")
    assert "uploaded" in page.locator("[data-testid=scenario-list]").inner_text()


def test_a_located_problem_appears_at_its_field(browser, site) -> None:
    scenario_id, _ = site.scenario("located")
    page = signed_in(browser, site, "eddie")
    page.goto(f"{site.base}/scenarios/{scenario_id}/edit")
    page.fill("[data-testid='input-lines.0.price.value']", "-2")
    page.click("[data-testid=check]")
    field = page.locator("[data-testid='field-lines.0.price.value']")
    assert "has-error" in field.get_attribute("class")
    message = field.locator("[data-testid='error-lines.0.price.value']")
    assert message.is_visible()
    assert message.inner_text() == "a price must be positive (got -2)"
    assert page.locator("[data-testid='input-lines.0.price.value']").input_value() == "-2"  # kept as typed


def test_moving_a_what_if_slider_changes_the_headline(browser, site) -> None:
    from playwright.sync_api import expect

    scenario_id, _ = site.scenario("sliders")
    page = signed_in(browser, site, "eddie")
    page.goto(f"{site.base}/scenarios/{scenario_id}/edit")
    if page.locator("#tab-whatif").is_visible():
        page.click("#tab-whatif")
    total = page.locator("[data-testid=headline-total-cost]")
    expect(total).to_have_text("EUR 800", timeout=WAIT)  # the plan as saved, once the panel has loaded
    slider = page.locator("#sliders input[type=range]")
    assert slider.count() == 1  # the one ranged figure: the cheap line's capacity
    slider.fill("400")  # as a drag does: the value changes and an input event fires
    expect(total).to_have_text("EUR 1,400", timeout=WAIT)
    assert "1 figure(s) moved" in page.locator("[data-testid=headline-status]").inner_text()


def test_a_run_finishes_and_two_runs_compare_with_the_difference_highlighted(browser, site) -> None:
    _, version_id = site.scenario("compared")
    page = signed_in(browser, site, "eddie")
    first = launch(page, site, version_id)
    assert page.locator("[data-testid=run-status]").inner_text() in ("queued", "running", "done")
    second = launch(page, site, version_id, sets="lines[cheap].capacity=400")
    finished(page, site, first)
    assert page.locator("[data-testid=headline-total]").inner_text() == "EUR 800"
    finished(page, site, second)
    assert page.locator("[data-testid=headline-total]").inner_text() == "EUR 1.40 k"
    page.goto(f"{site.base}/teams/{site.team_id}/runs")
    page.check(f".compare-pick[value='{first}']")
    page.check(f".compare-pick[value='{second}']")
    page.click("[data-testid=compare-selected]")
    page.wait_for_url(re.compile(r".*/runs/compare\?ids=.*"))
    same = page.locator("[data-testid=cell-status-1]")
    assert same.inner_text() == "done" and "changed" not in same.get_attribute("class")
    reference, other = page.locator("[data-testid=cell-all-money-0]"), page.locator("[data-testid=cell-all-money-1]")
    # the list shows the newest run first, so the second run is the one the first is set against
    heads = page.locator("[data-testid=compare-table] thead a").all_inner_texts()
    assert heads == [f"#{second}", f"#{first}"]
    assert (reference.inner_text(), other.inner_text()) == ("EUR 1.40 k", "EUR 800")
    assert "changed" not in reference.get_attribute("class")  # the first run is the one set against
    assert "changed" in other.get_attribute("class")
    shade = "td => getComputedStyle(td).backgroundColor"
    assert other.evaluate(shade) != reference.evaluate(shade)  # highlighted on screen, not only tagged


def test_a_share_link_opens_read_only_for_someone_not_signed_in(browser, site) -> None:
    _, version_id = site.scenario("shared")
    page = signed_in(browser, site, "eddie")
    run_id = launch(page, site, version_id)
    finished(page, site, run_id)
    page.click("[data-testid=share]")
    link = page.locator("[data-testid=share-link]").input_value()
    assert "/share/" in link
    nobody = browser.new_context().new_page()  # no cookies: nobody signed in
    nobody.goto(link)
    assert nobody.url == link  # not sent to the sign-in page
    assert nobody.locator("[data-testid=shared-note]").is_visible()
    assert nobody.locator("[data-testid=headline-total]").inner_text() == "EUR 800"
    assert nobody.locator("form[method=post]").count() == 0  # no retry, cancel, share or sign-out
    nobody.goto(f"{site.base}/runs/{run_id}")
    assert "/login" in nobody.url  # the run page itself needs sign-in


def test_a_viewer_sees_no_edit_controls_and_a_forced_post_is_refused(browser, site) -> None:
    scenario_id, version_id = site.scenario("viewed")
    page = signed_in(browser, site, "vera")
    page.goto(f"{site.base}/teams/{site.team_id}")
    assert page.locator("[data-testid=role]").inner_text() == "viewer"
    assert page.locator("[data-testid=upload-form]").count() == 0
    page.goto(f"{site.base}/scenarios/{scenario_id}/edit")
    assert page.locator("[data-testid=save]").count() == 0
    assert page.locator("[data-testid=check]").count() == 0
    assert page.locator("[data-testid=run-whatif]").count() == 0
    assert page.locator("[data-testid='input-lines.0.price.value']").get_attribute("readonly") is not None
    page.goto(f"{site.base}/teams/{site.team_id}/runs")
    assert page.locator("[data-testid=launch-form]").count() == 0
    csrf = page.locator("meta[name=csrf-token]").get_attribute("content")
    forced = page.request.post(
        f"{site.base}/scenarios/{scenario_id}/edit",
        form={"csrf": csrf, "base_number": "1", "action": "save", "f:lines.0.price.value": "3"},
        max_redirects=0,
    )
    assert forced.status == 403
    queued = page.request.post(
        f"{site.base}/teams/{site.team_id}/runs", form={"csrf": csrf, "version_id": str(version_id)}, max_redirects=0
    )
    assert queued.status == 403
    with site.store.session() as s:
        numbers = s.scalars(select(ScenarioVersion.number).where(ScenarioVersion.scenario_id == scenario_id)).all()
    assert numbers == [1]
