"""The team page and its scenario library through the real app and a real SQLite store: uploads
(YAML and workbooks, and the ones refused), versions, downloads, the diff, deletion and who may
do what."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from materiel.scenario.documents import parse_yaml
from materiel.store.models import AuditEntry, Scenario, ScenarioVersion
from materiel.web.settings import Settings
from materiel.web.workbook import from_workbook, to_workbook

from .conftest import csrf_of
from .scenarios_support import by_testid, new_scenario, refusing, tiny_text, upload


def count(workspace, model) -> int:
    with workspace.store.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_an_uploaded_yaml_is_version_one_on_the_team_page(workspace):
    eddie = workspace.client("eddie")
    sid = new_scenario(eddie, workspace.team_id)
    page = eddie.get(f"/teams/{workspace.team_id}").text
    assert f'href="/scenarios/{sid}">tiny</a>' in page
    assert "v1" in page and "eddie" in page
    assert f'href="/teams/{workspace.team_id}/runs"' in page and f'href="/teams/{workspace.team_id}/members"' in page
    listed = eddie.get(f"/api/teams/{workspace.team_id}/scenarios").json()
    assert [(s["name"], s["newest"]["number"], s["newest"]["author"]) for s in listed] == [("tiny", 1, "eddie")]
    assert eddie.get(f"/scenarios/{sid}/versions/1?format=yaml").text == tiny_text()
    with workspace.store.session() as s:
        assert [e.action for e in s.scalars(select(AuditEntry).where(AuditEntry.object_type == "scenario"))] == [
            "create"
        ]


def test_a_workbook_upload_gives_the_same_scenario_as_its_yaml(workspace):
    eddie = workspace.client("eddie")
    sid = new_scenario(eddie, workspace.team_id)
    answer = eddie.get(f"/scenarios/{sid}/versions/1?format=xlsx")
    assert answer.status_code == 200 and answer.headers["content-disposition"].endswith('tiny-v1.xlsx"')
    sheets = load_workbook(io.BytesIO(answer.content)).sheetnames
    assert sheets == ["scenario", "customers", "items", "requirements", "lines", "funding"]
    again = upload(eddie, workspace.team_id, "from-excel.xlsx", answer.content, name="excel")
    assert again.status_code == 303
    text = eddie.get(f"{again.headers['location']}/versions/1?format=yaml").text
    assert parse_yaml(text, "excel")[0] == parse_yaml(tiny_text(), "tiny")[0]


def test_the_workbook_round_trip_keeps_every_figure_of_the_default():
    from materiel.web.scenario_text import default_text

    text = default_text()
    assert parse_yaml(from_workbook(to_workbook(text), "d.xlsx"), "d")[0] == parse_yaml(text, "d")[0]


def refused(workspace, filename: str, data: bytes, status: int, words: str, client=None):
    client = client or workspace.client("eddie")
    answer = upload(client, workspace.team_id, filename, data)
    assert answer.status_code == status, answer.text
    shown = by_testid(answer.text, "upload-")
    assert words in " ".join(shown.values()), shown
    assert count(workspace, Scenario) == 0


def test_a_file_of_another_type_is_refused_with_what_is_accepted(workspace):
    refused(workspace, "plan.csv", b"a,b\n1,2\n", 415, "upload a scenario as .yaml, .yml or .xlsx (got .csv)")


def test_a_yaml_that_is_not_a_mapping_is_refused(workspace):
    refused(workspace, "list.yaml", b"- one\n- two\n", 400, "a scenario is a YAML mapping of sections")
    refused(workspace, "broken.yml", b"name: [unclosed\n", 400, "not valid YAML")
    refused(workspace, "binary.yaml", b"\xff\xfe\x00bad", 400, "not UTF-8 text")


def test_an_xlsx_that_is_not_a_workbook_is_refused(workspace):
    refused(workspace, "fake.xlsx", b"name: tiny\n", 400, "not an Excel workbook")


def test_a_file_over_the_size_limit_is_refused(workspace):
    from materiel.web import create_app

    workspace.app = create_app(store=workspace.store, settings=Settings(max_upload_bytes=2048))
    eddie = workspace.client("eddie")
    answer = upload(eddie, workspace.team_id, "big.yaml", b"# " + b"x" * 4000 + b"\n" + tiny_text().encode())
    assert answer.status_code == 413 and "Uploads are limited" in answer.text
    assert count(workspace, Scenario) == 0


def test_an_invalid_scenario_is_not_kept_and_each_problem_is_located(workspace):
    bad = tiny_text().replace("price: {value: 2, unit: EUR}", "price: {value: -2, unit: EUR}")
    refused(workspace, "bad.yaml", bad.encode(), 422, "tiny:26: lines[cheap].price.value: a price must be positive")


def test_a_new_scenario_from_the_shipped_default_keeps_its_comments_and_sources(workspace):
    eddie = workspace.client("eddie")
    answer = eddie.post(
        f"/teams/{workspace.team_id}/scenarios", data={"csrf": csrf_of(eddie), "default": "1"}, follow_redirects=False
    )
    assert answer.status_code == 303
    text = eddie.get(f"{answer.headers['location']}/versions/1?format=yaml").text
    assert text.startswith("# materiel — the shipped default scenario")
    data, _ = parse_yaml(text, "default")
    assert isinstance(data["sources"], list) and len(data["sources"]) > 50  # the CSV beside it, written in


def save(client, sid: int, base: int, text: str):
    return client.post(
        f"/api/scenarios/{sid}/versions",
        json={"base_number": base, "text": text},
        headers={"X-CSRF-Token": csrf_of(client)},
    )


def test_the_diff_shows_exactly_the_lines_changed(workspace):
    eddie = workspace.client("eddie")
    sid = new_scenario(eddie, workspace.team_id)
    text = tiny_text()
    changed = text.replace("name: EU instrument", "name: EU fund").replace(
        "budget: {value: 10000, unit: EUR/year}\n    origins: [US]",
        "budget: {value: 12000, unit: EUR/year}\n    origins: [US]",
    )
    assert save(eddie, sid, 1, changed).status_code == 201
    lines = text.splitlines()
    first = lines.index("    name: EU instrument") + 1
    second = len(lines) - 1  # the US scheme's budget, the last line but one
    assert lines[second - 1].strip().startswith("budget: {value: 10000")
    page = eddie.get(f"/scenarios/{sid}/diff?a=1&b=2")
    assert page.status_code == 200
    marks = by_testid(page.text, "removed-") | by_testid(page.text, "added-")
    assert sorted(marks) == sorted([f"removed-{first}", f"added-{first}", f"removed-{second}", f"added-{second}"])
    assert "EU instrument" in marks[f"removed-{first}"] and "EU fund" in marks[f"added-{first}"]
    assert "12000" in marks[f"added-{second}"]
    unified = eddie.get(f"/scenarios/{sid}/diff?a=1&b=2&view=unified").text
    assert unified.count('<tr class="removed">') == 2 and unified.count('<tr class="added">') == 2
    versions = eddie.get(f"/scenarios/{sid}").text
    assert versions.count('data-testid="version-row"') == 2


def test_deleting_hides_a_scenario_but_keeps_its_versions(workspace):
    eddie = workspace.client("eddie")
    sid = new_scenario(eddie, workspace.team_id)
    vera = refusing(workspace.client("vera"))
    assert vera.post(f"/scenarios/{sid}/delete", data={"csrf": csrf_of(vera)}).status_code == 403
    answer = eddie.post(f"/scenarios/{sid}/delete", data={"csrf": csrf_of(eddie)}, follow_redirects=False)
    assert answer.status_code == 303
    assert refusing(workspace.client("eddie")).get(f"/scenarios/{sid}").status_code == 404
    assert "tiny" not in eddie.get(f"/teams/{workspace.team_id}").text
    assert count(workspace, ScenarioVersion) == 1
    again = new_scenario(eddie, workspace.team_id)  # the name stays taken by the deleted one's versions
    assert eddie.get(f"/api/scenarios/{again}").json()["name"] == "tiny-2"


def test_a_viewer_reads_and_downloads_but_cannot_change(workspace):
    sid = new_scenario(workspace.client("eddie"), workspace.team_id)
    vera = workspace.client("vera")
    page = vera.get(f"/teams/{workspace.team_id}").text
    assert "tiny" in page and 'data-testid="upload-file"' not in page
    assert vera.get(f"/scenarios/{sid}/versions/1?format=yaml").text == tiny_text()
    assert vera.get(f"/scenarios/{sid}/versions/1?format=xlsx").status_code == 200
    refusing(vera)
    assert upload(vera, workspace.team_id, "t.yaml", tiny_text().encode()).status_code == 403
    assert save(vera, sid, 1, tiny_text() + "\n").status_code == 403
    assert count(workspace, ScenarioVersion) == 1


def test_another_team_sees_nothing(workspace):
    sid = new_scenario(workspace.client("eddie"), workspace.team_id)
    olga = refusing(workspace.client("olga"))
    for path in (
        f"/teams/{workspace.team_id}",
        f"/scenarios/{sid}",
        f"/scenarios/{sid}/versions/1",
        f"/scenarios/{sid}/versions/1?format=yaml",
        f"/scenarios/{sid}/diff?a=1&b=1",
        f"/scenarios/{sid}/edit",
        f"/api/scenarios/{sid}",
        f"/api/scenarios/{sid}/versions/1",
        f"/api/teams/{workspace.team_id}/scenarios",
    ):
        assert olga.get(path).status_code == 404, path
    assert upload(olga, workspace.team_id, "t.yaml", tiny_text().encode()).status_code == 404
    assert save(olga, sid, 1, tiny_text() + "\n").status_code == 404


def test_a_workbook_with_a_sheet_of_no_section_is_refused_naming_the_sheets(workspace):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "notes"
    data = io.BytesIO()
    book.save(data)
    refused(
        workspace, "notes.xlsx", data.getvalue(), 400, "sheet 'notes' is not a part of a scenario; name sheets scenario"
    )


def test_a_bad_row_of_the_scenario_sheet_is_located_at_its_row():
    from openpyxl import Workbook

    from materiel.scenario.errors import ScenarioError

    book = Workbook()
    book.active.title = "scenario"
    book.active.append(("field", "value"))
    book.active.append(("name", "tiny"))
    book.active.append(("horizon", "{start: 2026Q1, periods: [4"))
    data = io.BytesIO()
    book.save(data)
    try:
        from_workbook(data.getvalue(), "plan.xlsx")
    except ScenarioError as exc:
        assert [str(p)[:22] for p in exc.problems] == ["plan.xlsx[scenario]:3:"]  # row 3, then the line in the cell
        assert "not valid YAML" in str(exc)
    else:
        raise AssertionError("a bad YAML cell was read")


def test_a_version_too_long_for_a_cell_is_not_written_as_a_workbook(workspace):
    eddie = workspace.client("eddie")
    many = "".join(f"  o{n}: {{description: {'x' * 100}}}\n" for n in range(400))
    long = tiny_text() + "overrides:\n" + many  # 400 what-ifs: one cell of the sheet 'scenario'
    sid = new_scenario(eddie, workspace.team_id, long)
    answer = refusing(eddie).get(f"/scenarios/{sid}/versions/1?format=xlsx")
    assert answer.status_code == 422 and "more than a spreadsheet cell holds" in answer.json()["detail"]
    assert eddie.get(f"/scenarios/{sid}/versions/1?format=yaml").text == long
