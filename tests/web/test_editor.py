"""The scenario editor through the real app and a real SQLite store: forms and the raw tab, the
CLI's located problems at their fields, saves based on the version opened, and the conflict when
two editors save from the same version (nothing lost, nothing overwritten)."""

from __future__ import annotations

import json

from sqlalchemy import select

from materiel.scenario.documents import parse_yaml
from materiel.store.models import ScenarioVersion
from materiel.web.scenario_text import apply_changes

from .conftest import csrf_of
from .scenarios_support import by_testid, new_scenario, refusing, tiny_text

PRICE = "f:lines.0.price.value"  # the cheap line's price, EUR 2 on line 26
BUDGET = "f:funding.0.budget.value"


def post(client, sid: int, base: int = 1, action: str = "save", **fields: str):
    return client.post(
        f"/scenarios/{sid}/edit",
        data={"csrf": csrf_of(client), "base_number": str(base), "action": action, **fields},
        follow_redirects=False,
    )


def texts(workspace, sid: int) -> dict[int, str]:
    with workspace.store.session() as s:
        rows = s.scalars(select(ScenarioVersion).where(ScenarioVersion.scenario_id == sid))
        return {v.number: v.text for v in rows}


def test_the_editor_shows_every_section_with_a_field_per_figure(workspace):
    eddie = workspace.client("eddie")
    sid = new_scenario(eddie, workspace.team_id)
    page = eddie.get(f"/scenarios/{sid}/edit").text
    for section in ("scenario", "horizon", "currency", "customers", "items", "requirements", "lines", "funding"):
        assert f'data-testid="section-{section}"' in page, section
    assert 'value="2" id="input-lines.0.price.value"' in page
    assert 'id="save"' in page and 'id="raw-text"' in page and 'id="headline-total-cost"' in page


def test_a_changed_field_is_saved_on_its_own_line_as_the_next_version(workspace):
    eddie = workspace.client("eddie")
    sid = new_scenario(eddie, workspace.team_id)
    answer = post(eddie, sid, **{BUDGET: "12000"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/scenarios/{sid}/edit?saved=2"
    saved = texts(workspace, sid)
    old, new = saved[1].splitlines(), saved[2].splitlines()
    assert [n for n, (a, b) in enumerate(zip(old, new, strict=True)) if a != b] == [37]  # one line, comments kept
    assert new[37] == "    budget: {value: 12000, unit: EUR/year}"
    assert "saved as version 2" in eddie.get(answer.headers["location"]).text.lower()


def test_a_located_problem_is_shown_at_its_field_and_nothing_is_saved(workspace):
    eddie = workspace.client("eddie")
    sid = new_scenario(eddie, workspace.team_id)
    answer = post(eddie, sid, **{PRICE: "-2"})
    assert answer.status_code == 422
    errors = by_testid(answer.text, "error-")
    assert errors == {"error-lines.0.price.value": "a price must be positive (got -2)"}
    assert "Not saved" in by_testid(answer.text, "notice")["notice"]
    assert 'value="-2"' in answer.text  # what the analyst typed is still in the field
    assert list(texts(workspace, sid)) == [1]


def test_check_gives_the_same_messages_without_saving(workspace):
    eddie = workspace.client("eddie")
    sid = new_scenario(eddie, workspace.team_id)
    answer = post(eddie, sid, action="check", **{PRICE: "-2"})
    assert answer.status_code == 200
    assert by_testid(answer.text, "error-lines.0.price.value")
    good = post(eddie, sid, action="check", **{PRICE: "3"})
    assert "No problems" in by_testid(good.text, "notice")["notice"]
    assert list(texts(workspace, sid)) == [1]
    api = eddie.post(
        f"/api/scenarios/{sid}/check",
        json={"text": tiny_text().replace("value: 2, unit: EUR", "value: -2, unit: EUR")},
        headers={"X-CSRF-Token": csrf_of(eddie)},
    ).json()
    assert api["valid"] is False
    assert [(i["line"], i["field"], i["loc"]) for i in api["issues"]] == [
        (26, "lines[cheap].price.value", ["lines", 0, "price", "value"])
    ]


def test_a_problem_in_the_raw_tab_is_shown_at_its_line(workspace):
    eddie = workspace.client("eddie")
    sid = new_scenario(eddie, workspace.team_id)
    text = tiny_text().replace("lead: {value: 0, unit: months}", "lead: {value: 0, unit: parsecs}")
    answer = post(eddie, sid, text=text, shown=tiny_text())
    assert answer.status_code == 422
    lines = by_testid(answer.text, "line-error-")
    assert list(lines) == ["line-error-34"]
    row = answer.text.split('data-testid="line-error-34"', 1)[1].split("</tr>", 1)[0]
    assert "lines[dear].lead.unit" in row and "parsecs" in row
    assert 'data-tab="raw"' in answer.text
    assert list(texts(workspace, sid)) == [1]


def test_text_that_is_not_yaml_is_refused_at_its_line(workspace):
    eddie = workspace.client("eddie")
    sid = new_scenario(eddie, workspace.team_id)
    answer = post(eddie, sid, text=tiny_text() + "lines: [unclosed\n", shown=tiny_text())
    assert answer.status_code == 422
    assert by_testid(answer.text, "forms-unreadable") and by_testid(answer.text, "line-error-")
    assert list(texts(workspace, sid)) == [1]


def test_changing_both_the_forms_and_the_raw_text_saves_nothing(workspace):
    eddie = workspace.client("eddie")
    sid = new_scenario(eddie, workspace.team_id)
    answer = post(eddie, sid, text=tiny_text() + "\n# note\n", shown=tiny_text(), **{BUDGET: "1"})
    assert answer.status_code == 400 and "both the forms and the raw YAML" in answer.text
    assert list(texts(workspace, sid)) == [1]


def test_two_editors_saving_from_the_same_version_the_second_gets_a_conflict(workspace):
    eddie, ada = workspace.client("eddie"), workspace.client("ada")
    sid = new_scenario(eddie, workspace.team_id)
    assert post(eddie, sid, **{BUDGET: "12000"}).status_code == 303
    answer = post(ada, sid, **{PRICE: "3"})  # ada opened version 1 too
    assert answer.status_code == 409
    banner = answer.text.split('data-testid="conflict"', 1)[1].split("</div>", 1)[0]
    assert "You edited version 1, but eddie saved version 2 at" in banner
    assert f'href="/scenarios/{sid}/diff?a=1&amp;b=2"' in answer.text
    assert "price: {value: 3, unit: EUR}" in answer.text  # ada's change is still on her page
    saved = texts(workspace, sid)
    assert list(saved) == [1, 2] and "value: 12000" in saved[2] and "price: {value: 3" not in saved[2]
    api = ada.post(
        f"/api/scenarios/{sid}/versions",
        json={"base_number": 1, "text": tiny_text() + "\n"},
        headers={"X-CSRF-Token": csrf_of(ada)},
    )
    assert api.status_code == 409 and "eddie saved version 2" in api.json()["detail"]
    assert list(texts(workspace, sid)) == [1, 2]


def test_a_viewer_may_open_the_editor_but_not_save(workspace):
    sid = new_scenario(workspace.client("eddie"), workspace.team_id)
    vera = workspace.client("vera")
    page = vera.get(f"/scenarios/{sid}/edit").text
    assert 'id="save"' not in page and "readonly" in page
    assert post(refusing(vera), sid, **{BUDGET: "1"}).status_code == 403
    assert list(texts(workspace, sid)) == [1]


def test_a_user_of_another_team_gets_not_found(workspace):
    sid = new_scenario(workspace.client("eddie"), workspace.team_id)
    olga = refusing(workspace.client("olga"))
    assert olga.get(f"/scenarios/{sid}/edit").status_code == 404
    assert post(olga, sid, **{BUDGET: "1"}).status_code == 404


def test_changes_keep_the_comments_and_fall_back_to_rewriting_a_section():
    text = tiny_text()
    changed = apply_changes(
        text,
        {
            ("lines", 1, "supplier"): "Dear Co, Ltd",  # a comma: written quoted, on its line
            ("items", 0, "stock"): {"ukraine": 150, "europe": 5},  # a mapping: the section is rewritten
            ("title",): "Tiny: changed",
        },
    )
    data, _ = parse_yaml(changed, "x")
    assert data["lines"][1]["supplier"] == "Dear Co, Ltd"
    assert data["items"][0]["stock"] == {"ukraine": 150, "europe": 5}
    assert data["title"] == "Tiny: changed"
    assert "# 200 per quarter" in changed and changed.startswith("# A two-line")
    assert parse_yaml(apply_changes(text, {("lines", 0, "note"): None}), "x")[0] == parse_yaml(text, "x")[0]


def test_a_change_to_text_laid_out_as_json_is_written_as_yaml():
    text = json.dumps(parse_yaml(tiny_text(), "tiny")[0], indent=1)
    changed = apply_changes(text, {("lines", 0, "price", "value"): 3})
    expected, _ = parse_yaml(text, "x")
    expected["lines"][0]["price"]["value"] = 3
    assert parse_yaml(changed, "x")[0] == expected


def test_a_problem_about_a_whole_entry_is_shown_under_its_row(workspace):
    eddie = workspace.client("eddie")
    sid = new_scenario(eddie, workspace.team_id)
    text = tiny_text().replace("    price: {value: 5, unit: EUR}\n", "")  # the dear line loses its price
    answer = post(eddie, sid, text=text, shown=tiny_text())
    assert answer.status_code == 422
    assert "price" in by_testid(answer.text, "error-lines.1")["error-lines.1"]
    assert list(texts(workspace, sid)) == [1]
