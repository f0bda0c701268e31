"""Runs in the web app: launching (editor only, located errors at launch), the team's runs, the run
page (its figures are the run's summary's), downloads, retry and cancel, and comparing runs."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest

from materiel.store.models import AuditEntry, Run
from tests.markers import RUN_QUEUE
from tests.web.conftest import csrf_of
from tests.web.runs_support import RANGED, TINY, add_version, drain

pytestmark = RUN_QUEUE
JSON = {"Accept": "application/json"}  # error pages as JSON (answers are the same for a browser)


def launch(client, version_id: int, **body) -> dict:
    response = client.post(
        "/api/runs", json={"version_id": version_id, **body}, headers={"X-CSRF-Token": csrf_of(client)}
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def done_run(workspace):
    """A tiny plan launched by eddie and carried out by a real worker process."""
    version = add_version(workspace.store, workspace.team_id)
    eddie = workspace.client("eddie")
    run = launch(eddie, version, name="as written")
    drain(workspace.store)
    return run["id"], eddie


def test_a_launched_plan_is_done_and_its_page_gives_the_summary_total(workspace, done_run) -> None:
    run_id, eddie = done_run
    state = eddie.get(f"/api/runs/{run_id}").json()
    assert state["status"] == "done", state
    with workspace.store.session() as s:
        run = s.get(Run, run_id)
        total = run.summary["total_cost"]
        assert run.library_version and run.solver_version
        actions = [(a.action, a.object_id) for a in s.query(AuditEntry).filter_by(object_type="run")]
    assert ("run", str(run_id)) in actions
    page = eddie.get(f"/runs/{run_id}")
    assert page.status_code == 200
    shown = re.search(r'data-testid="headline-total" data-value="([^"]+)"', page.text)
    assert shown and float(shown.group(1)) == pytest.approx(total) == 800.0
    assert "Aid to Ukraine: EUR 800" in page.text  # the CLI's own headline sentence
    assert "Every target is met" in page.text  # the marginal values' sentence
    envelope = re.search(r'<table id="envelope">(.*?)</table>', page.text, re.S).group(1)
    assert '<td>EU instrument</td><td class="num">8 %</td>' in envelope  # 800 of its 10,000 a year, by name
    charts = json.loads(re.search(r'id="run-charts">(.*?)</script>', page.text, re.S).group(1))
    assert charts["stock"]["155 mm shell"]["stock"][0] == pytest.approx(100.0)  # the stock it starts with
    assert sum(charts["spending"]["funds"]["EU instrument"]) == pytest.approx(800.0, rel=1e-6)


def test_files_download_with_their_media_type_and_name(workspace, done_run) -> None:
    run_id, eddie = done_run
    page = eddie.get(f"/runs/{run_id}").text
    for name in ("orders.csv", "plan.xlsx", "summary.json", "report.html"):
        assert f'/runs/{run_id}/files/{name}"' in page
    orders = eddie.get(f"/runs/{run_id}/files/orders.csv")
    assert orders.headers["content-type"].startswith("text/csv")
    assert orders.headers["content-disposition"] == f'attachment; filename="run-{run_id}-orders.csv"'
    table = pd.read_csv(io.StringIO(orders.text))
    assert table["quantity"].sum() == pytest.approx(400, rel=1e-6)  # 200 a quarter from the cheap line, twice
    book = eddie.get(f"/runs/{run_id}/files/plan.xlsx")
    assert book.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert book.content[:2] == b"PK"
    pdf = eddie.get(f"/runs/{run_id}/files/report.pdf")  # made from report.html when asked for
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    summary = eddie.get(f"/runs/{run_id}/files/summary.json").json()
    assert summary["total_cost"] == pytest.approx(800.0)
    assert eddie.get(f"/runs/{run_id}/files/nothing.csv", headers=JSON).status_code == 404


def test_a_viewer_can_read_but_not_launch_retry_cancel_or_share(workspace, done_run) -> None:
    run_id, _ = done_run
    vera = workspace.client("vera")
    assert vera.get(f"/runs/{run_id}").status_code == 200
    assert 'data-testid="share"' not in vera.get(f"/runs/{run_id}").text
    token = {"X-CSRF-Token": csrf_of(vera), **JSON}
    with workspace.store.session() as s:
        version = s.get(Run, run_id).scenario_version_id
    assert vera.post("/api/runs", json={"version_id": version}, headers=token).status_code == 403
    for action in ("retry", "cancel", "share"):
        assert vera.post(f"/runs/{run_id}/{action}", headers=token).status_code == 403
    olga = workspace.client("olga")  # another team's admin: the run does not exist for her
    assert olga.get(f"/runs/{run_id}", headers=JSON).status_code == 404
    assert olga.get(f"/runs/{run_id}/files/summary.json", headers=JSON).status_code == 404


def test_a_bad_what_if_is_refused_at_launch_with_its_located_message(workspace) -> None:
    version = add_version(workspace.store, workspace.team_id)
    eddie = workspace.client("eddie")
    response = eddie.post(
        "/api/runs", json={"version_id": version, "whatifs": ["nope"]}, headers={"X-CSRF-Token": csrf_of(eddie)}
    )
    assert response.status_code == 422
    assert "tiny v1: overrides: no what-if called 'nope'" in response.json()["detail"]
    form = eddie.get(f"/teams/{workspace.team_id}/runs")
    page = eddie.post(
        f"/teams/{workspace.team_id}/runs",
        data={"csrf": csrf_of(eddie, form.text), "version_id": version, "sets": "lines[cheap].price.value=oops"},
    )
    assert page.status_code == 422
    assert 'data-testid="launch-error"' in page.text and "lines[cheap].price" in page.text
    with workspace.store.session() as s:
        assert s.query(Run).count() == 0  # nothing was queued


def test_the_launch_form_queues_a_run_and_the_list_filters_by_status(workspace) -> None:
    version = add_version(workspace.store, workspace.team_id)
    eddie = workspace.client("eddie")
    form = eddie.get(f"/teams/{workspace.team_id}/runs")
    response = eddie.post(
        f"/teams/{workspace.team_id}/runs",
        data={"csrf": csrf_of(eddie, form.text), "version_id": version, "kind": "plan", "sets": "funding[eu].budget=0"},
        follow_redirects=False,
    )
    assert response.status_code == 303, re.search(r"launch-error\">([^<]*)", response.text).group(1)
    run_id = int(response.headers["location"].rsplit("/", 1)[1])
    queued = eddie.get(f"/teams/{workspace.team_id}/runs?status=queued").text
    assert f'data-testid="run-status-{run_id}">queued' in queued
    assert f'data-run="{run_id}"' not in eddie.get(f"/teams/{workspace.team_id}/runs?status=done").text
    with workspace.store.session() as s:
        assert s.get(Run, run_id).sets == {"funding[eu].budget": 0}


def test_cancel_a_queued_run_then_retry_it(workspace) -> None:
    version = add_version(workspace.store, workspace.team_id)
    eddie = workspace.client("eddie")
    run_id = launch(eddie, version)["id"]
    token = {"X-CSRF-Token": csrf_of(eddie), **JSON}
    assert eddie.post(f"/runs/{run_id}/cancel", headers=token, follow_redirects=False).status_code == 303
    assert eddie.get(f"/api/runs/{run_id}").json()["status"] == "cancelled"
    assert eddie.post(f"/runs/{run_id}/cancel", headers=token).status_code == 409  # not twice
    drain(workspace.store)  # a cancelled run is not picked up
    assert eddie.get(f"/api/runs/{run_id}").json()["status"] == "cancelled"
    assert eddie.post(f"/runs/{run_id}/retry", headers=token, follow_redirects=False).status_code == 303
    drain(workspace.store)
    assert eddie.get(f"/api/runs/{run_id}").json()["status"] == "done"
    with workspace.store.session() as s:
        details = [a.detail for a in s.query(AuditEntry).filter_by(object_type="run", object_id=str(run_id))]
        actions = [a.action for a in s.query(AuditEntry).filter_by(object_type="run", object_id=str(run_id))]
    assert {"status": "cancelled"} in details and "retry" in actions


def test_compare_highlights_the_cells_that_differ_from_the_first_run(workspace) -> None:
    version = add_version(workspace.store, workspace.team_id)
    eddie = workspace.client("eddie")
    first = launch(eddie, version)["id"]
    dearer = launch(eddie, version, sets={"lines[cheap].price.value": 3})["id"]
    drain(workspace.store)
    page = eddie.get(f"/runs/compare?ids={first},{dearer}")
    assert page.status_code == 200
    cell = re.search(r'<td class="num( changed)?" data-testid="cell-all-money-1"[^>]*>([^<]+)<', page.text)
    assert cell and cell.group(1) == " changed" and cell.group(2) == "EUR 1.20 k"  # 400 shells at 3 instead of 2
    same = re.search(r'<td class="num( changed)?" data-testid="cell-ready-1"[^>]*>', page.text)
    assert same and same.group(1) is None  # ready the same quarter: not highlighted
    assert eddie.get(f"/runs/compare?ids={first}", headers=JSON).status_code == 422


def test_a_sweep_reports_progress_and_its_odds(workspace) -> None:
    version = add_version(workspace.store, workspace.team_id, RANGED, name="ranged")
    eddie = workspace.client("eddie")
    run_id = launch(eddie, version, kind="sweep", draws=6, seed=3)["id"]
    assert 'id="run-progress"' in eddie.get(f"/runs/{run_id}").text  # queued: the page follows it
    drain(workspace.store)
    state = eddie.get(f"/api/runs/{run_id}").json()
    assert state["status"] == "done" and state["progress_done"] == state["progress_total"] == 6
    page = eddie.get(f"/runs/{run_id}").text
    assert 'id="p-ready"' in page and 'id="chart-tornado"' in page
    with workspace.store.session() as s:
        run = s.get(Run, run_id)
        assert run.summary["draws"] == 6 and len(run.summary["p_ready_by_year"]) == 2
        from materiel.store.runs import draws

        assert [d.draw for d in draws(s, run_id)] == list(range(6))
    assert "draws.csv" in page


def test_a_comparison_of_variants_shows_each_row(workspace) -> None:
    text = TINY + "overrides:\n  no-eu:\n    set:\n      funding[eu].budget: 0\nvariants:\n  harsh: [no-eu]\n"
    version = add_version(workspace.store, workspace.team_id, text)
    eddie = workspace.client("eddie")
    run_id = launch(eddie, version, kind="compare", variants=["harsh"])["id"]
    what_if = launch(eddie, version, whatifs=["no-eu"])["id"]
    drain(workspace.store)
    page = eddie.get(f"/runs/{run_id}").text
    options = re.search(r'<table id="options">(.*?)</table>', page, re.S).group(1)
    assert options.count("<tr>") == 3 and "harsh" in options  # header, as written, harsh
    assert "EUR 2.00 k" in options  # 400 shells from the dear line at 5: the cheap line's fund is gone
    with workspace.store.session() as s:
        assert s.get(Run, what_if).summary["total_cost"] == pytest.approx(2000.0)
        assert s.get(Run, run_id).summary["total_cost"] == pytest.approx(800.0)  # the first row's plan
