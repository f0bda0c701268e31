"""The what-if panel's endpoints through the real app: the sliders of a stored version, warm
re-plans that give what a fresh plan with ``--set`` gives, and a run queued with the values."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

import materiel
from materiel.store.models import AuditEntry, Run
from tests.builders import line, scenario, shell, write

from .conftest import csrf_of
from .scenarios_support import new_scenario, refusing

BUDGET = "funding[fund].budget"


def ranged_doc() -> dict:
    """One item, one line and one budget with a range that binds: a budget move changes the plan."""
    return scenario(
        horizon={"start": "2026Q1", "periods": 8},
        items=[shell(stock={"ukraine": 50})],
        lines=[line("a", capacity={"value": 400, "unit": "/year", "low": 200, "high": 600})],
        funding=[
            {"id": "fund", "name": "Joint fund", "budget": {"value": 600, "unit": "EUR/year", "low": 300, "high": 900}}
        ],
        overrides={"dear": {"description": "dearer shells", "scale": {"lines[a].price": 1.5}}},
        requirements=[
            {
                "customer": "ukraine",
                "item": "shell",
                "targets": [{"by": "2026Q1", "value": 100}, {"by": "2027Q4", "value": 1000}],
            }
        ],
    )


@pytest.fixture
def ranged(workspace, tmp_path):
    """The scenario as a file (for the fresh plans) and as version 1 in the store (its id)."""
    path = write(tmp_path, ranged_doc(), "ranged.yaml")
    eddie = workspace.client("eddie")
    sid = new_scenario(eddie, workspace.team_id, path.read_text(), "ranged.yaml")
    version_id = eddie.get(f"/api/scenarios/{sid}").json()["newest"]["id"]
    return path, version_id


def replan(client, version_id: int, changes: dict, **extra):
    return client.post(
        f"/api/live/{version_id}", json={"changes": changes, **extra}, headers={"X-CSRF-Token": csrf_of(client)}
    )


def test_the_sliders_are_the_ranged_figures_with_the_plan_as_written(workspace, ranged):
    path, version_id = ranged
    info = workspace.client("vera").get(f"/api/live/{version_id}").json()
    by_path = {s["path"]: s for s in info["sliders"]}
    assert set(by_path) == {BUDGET, "lines[a].capacity"}
    assert (by_path[BUDGET]["low"], by_path[BUDGET]["base"], by_path[BUDGET]["high"]) == (300, 600, 900)
    assert by_path[BUDGET]["unit"] == "EUR/year" and by_path[BUDGET]["section_label"] == "Funding"
    assert info["headline"]["total_cost"] == pytest.approx(materiel.plan(path).total_cost, rel=1e-6)


def test_a_budget_move_gives_what_a_fresh_plan_with_set_gives(workspace, ranged):
    path, version_id = ranged
    eddie = workspace.client("eddie")
    base = replan(eddie, version_id, {}).json()
    answer = replan(eddie, version_id, {BUDGET: 350.0})
    assert answer.status_code == 200
    head = answer.json()
    plan = materiel.plan(path, set={BUDGET: 350.0})
    assert head["status"] == "optimal" and head["changes"] == {BUDGET: 350.0}
    assert head["total_cost"] == pytest.approx(plan.total_cost, rel=1e-6)
    assert head["total_cost"] != pytest.approx(base["total_cost"])
    split = plan.summary()["money_by_customer"]["ukraine"]
    assert head["money_by_customer"]["ukraine"]["total"] == pytest.approx(split["total"], rel=1e-6)
    assert len(workspace.app.state.live) == 1  # one warm planner served every call


def test_a_named_what_if_is_applied_before_the_sliders(workspace, ranged):
    path, version_id = ranged
    eddie = workspace.client("eddie")
    head = replan(eddie, version_id, {BUDGET: 900.0}, whatifs=["dear"]).json()
    plan = materiel.plan(path, whatifs=["dear"], set={BUDGET: 900.0})
    assert head["total_cost"] == pytest.approx(plan.total_cost, rel=1e-6)
    assert head["total_cost"] != pytest.approx(replan(eddie, version_id, {BUDGET: 900.0}).json()["total_cost"])
    assert eddie.get(f"/api/live/{version_id}?whatif=dear").status_code == 200
    page = eddie.get("/scenarios/1/edit").text
    assert 'data-testid="whatif-dear"' in page
    unknown = replan(refusing(eddie), version_id, {}, whatifs=["cheap"])
    assert unknown.status_code == 422 and "cheap" in unknown.json()["detail"]


def test_a_path_that_is_not_a_ranged_figure_is_a_clear_422(workspace, ranged):
    _, version_id = ranged
    answer = replan(workspace.client("eddie"), version_id, {"funding[fund].budgt": 350.0})
    assert answer.status_code == 422
    assert "funding[fund].budgt: not a ranged figure" in answer.json()["detail"]


def test_run_with_these_values_queues_a_run_with_them_as_set(workspace, ranged):
    _, version_id = ranged
    eddie = workspace.client("eddie")
    answer = eddie.post(
        f"/api/live/{version_id}/run", json={"changes": {BUDGET: 350.0}}, headers={"X-CSRF-Token": csrf_of(eddie)}
    )
    assert answer.status_code == 201
    queued = answer.json()
    assert queued["url"] == f"/runs/{queued['run_id']}" and queued["sets"] == {BUDGET: 350.0}
    with workspace.store.session() as s:
        run = s.get(Run, queued["run_id"])
        assert (run.status, run.sets, run.scenario_version_id, run.team_id) == (
            "queued",
            {BUDGET: 350.0},
            version_id,
            workspace.team_id,
        )
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "run")).actor == "eddie"


def test_a_viewer_explores_but_cannot_queue_a_run(workspace, ranged):
    _, version_id = ranged
    vera = refusing(workspace.client("vera"))
    assert replan(vera, version_id, {BUDGET: 350.0}).status_code == 200
    answer = vera.post(
        f"/api/live/{version_id}/run", json={"changes": {BUDGET: 350.0}}, headers={"X-CSRF-Token": csrf_of(vera)}
    )
    assert answer.status_code == 403
    with workspace.store.session() as s:
        assert s.scalars(select(Run)).all() == []


def test_another_team_gets_not_found(workspace, ranged):
    _, version_id = ranged
    olga = refusing(workspace.client("olga"))
    assert olga.get(f"/api/live/{version_id}").status_code == 404
    assert replan(olga, version_id, {BUDGET: 350.0}).status_code == 404


def test_the_editor_page_carries_the_version_for_the_panel(workspace, ranged):
    _, version_id = ranged
    page = workspace.client("vera").get("/scenarios/1/edit").text
    block = page.split('<script type="application/json" id="live-data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(block) == {"version_id": version_id, "can_run": False}
    assert 'src="/static/whatif.js"' in page and "<script>" not in page  # no inline script (CSP)


def test_the_endpoints_are_in_the_openapi_description_with_their_models(workspace):
    spec = workspace.client().get("/api/openapi.json").json()
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/live/{version_id}"])
    assert "post" in paths["/api/live/{version_id}/run"]
    assert {"get", "post"} <= set(paths["/api/scenarios/{scenario_id}/versions"])
    assert "409" in paths["/api/scenarios/{scenario_id}/versions"]["post"]["responses"]
    schemas = spec["components"]["schemas"]
    assert {"HeadlineOut", "SliderOut", "LiveOut", "ScenarioOut", "VersionOut", "CheckOut", "InvalidOut"} <= set(
        schemas
    )
    assert not any(path.startswith(("/scenarios", "/teams")) for path in paths)  # pages stay out of it
