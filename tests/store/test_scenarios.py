"""Scenarios in the store: versions numbered in order, only loadable text kept, a save from an old
version (even a simultaneous one) a conflict naming who saved first, soft deletion, and diffs."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from materiel.store import Store
from materiel.store.errors import ConflictError, InvalidScenarioError, NotFoundError, StoreError
from materiel.store.models import AuditEntry, ScenarioVersion
from materiel.store.scenarios import (
    create_scenario,
    delete_scenario,
    diff,
    get_scenario,
    get_version,
    list_scenarios,
    save_version,
    text_from_file,
    versions,
)
from materiel.store.users import create_user, ensure_team

from .conftest import TINY

CHEAPER = TINY.replace("value: 2, unit: EUR", "value: 3, unit: EUR")


def _new(store: Store) -> int:
    with store.session() as s:
        team = ensure_team(s, "air")
        return create_scenario(s, team, "tiny", TINY, "ana").id


def test_versions_are_numbered_and_audited(store: Store) -> None:
    scenario_id = _new(store)
    with store.session() as s:
        scenario = get_scenario(s, scenario_id)
        second = save_version(s, scenario, CHEAPER, "bo", base_number=1, message="dearer cheap line")
        assert (second.number, second.author, second.message) == (2, "bo", "dearer cheap line")
        assert save_version(s, scenario, CHEAPER, "bo", base_number=2).number == 2  # same text: nothing new
    with store.session() as s:
        scenario = get_scenario(s, scenario_id)
        assert [(v.number, v.author) for v in versions(s, scenario)] == [(1, "ana"), (2, "bo")]
        assert [s.name for s in list_scenarios(s, scenario.team_id)] == ["tiny"]
        actions = s.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.detail).order_by(AuditEntry.id)
        ).all()
        assert [(a, b) for a, b, _ in actions] == [("ana", "create"), ("bo", "change")]
        assert actions[1][2] == {"version": 2}


def test_a_save_from_an_old_version_is_a_conflict_naming_who_saved(store: Store) -> None:
    scenario_id = _new(store)
    with store.session() as s:
        save_version(s, get_scenario(s, scenario_id), CHEAPER, "bo", base_number=1)
    conflict = r"saved as version 2 by bo at 20\d\d-.*after version 1.*nothing was saved"
    with pytest.raises(ConflictError, match=conflict), store.session() as s:
        save_version(s, get_scenario(s, scenario_id), TINY + "# mine\n", "ana", base_number=1)
    with store.session() as s:
        assert [v.text for v in versions(s, get_scenario(s, scenario_id))] == [TINY, CHEAPER]


def test_two_simultaneous_saves_from_one_version_give_one_conflict(store: Store) -> None:
    """The first save holds its new version uncommitted while the second, from the same base,
    tries to insert the same number: the database lets one through and the other is a conflict."""
    scenario_id = _new(store)
    flushed, outcome = threading.Event(), {}

    def first() -> None:
        with store.session() as s:
            save_version(s, get_scenario(s, scenario_id), CHEAPER, "bo", base_number=1)
            flushed.set()
            time.sleep(0.5)  # the second save starts and waits for this transaction

    def second() -> None:
        flushed.wait(10)
        try:
            with store.session() as s:
                save_version(s, get_scenario(s, scenario_id), TINY + "# mine\n", "ana", base_number=1)
            outcome["second"] = "saved"
        except ConflictError as error:
            outcome["second"] = str(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert "saved as version 2 by bo" in outcome["second"]
    with store.session() as s:
        assert [(v.number, v.author) for v in versions(s, get_scenario(s, scenario_id))] == [(1, "ana"), (2, "bo")]


def test_only_text_that_loads_is_stored_and_errors_are_located(store: Store) -> None:
    scenario_id = _new(store)
    broken = TINY.replace("value: 800, unit: shells/year", "value: 800, unit: shells/fortnight")
    with pytest.raises(InvalidScenarioError) as caught, store.session() as s:
        save_version(s, get_scenario(s, scenario_id), broken, "ana", base_number=1)
    problem = caught.value.errors[0]
    assert (problem.file, problem.line) == ("tiny", 25)
    assert problem.loc[:3] == ("lines", 0, "capacity")
    with store.session() as s:
        assert len(versions(s, get_scenario(s, scenario_id))) == 1
        with pytest.raises(InvalidScenarioError, match="not valid YAML"):
            create_scenario(s, ensure_team(s, "air"), "bad", "name: [", "ana")


def test_a_shipped_scenario_with_a_table_file_is_stored_self_contained(store: Store) -> None:
    from materiel.scenario.loader import resolve_path

    text = text_from_file(resolve_path(None))
    assert "sources:" in text and "armed-neutrality-sources.csv" not in text.split("\n", 1)[1]
    with store.session() as s:
        scenario = create_scenario(s, ensure_team(s, "air"), "default", text, "ana")
        with pytest.raises(InvalidScenarioError, match="keeps its tables in the YAML"):
            save_version(s, scenario, text.replace("\nsources:", "\nsources: x.csv\nold_sources:"), "ana", 1)


def test_deleted_scenarios_are_hidden_but_their_versions_kept(store: Store) -> None:
    scenario_id = _new(store)
    with store.session() as s:
        user = create_user(s, "chef", "a-long-password")
        delete_scenario(s, get_scenario(s, scenario_id), user)
    with store.session() as s:
        assert list_scenarios(s, ensure_team(s, "air")) == []
        with pytest.raises(NotFoundError):
            get_scenario(s, scenario_id)
        assert s.scalar(select(ScenarioVersion.text)) == TINY
        assert s.scalar(select(AuditEntry.actor).where(AuditEntry.action == "delete")) == "chef"
        with pytest.raises(StoreError, match="deleted; choose another name"):
            create_scenario(s, ensure_team(s, "air"), "tiny", TINY, "ana")


def test_diff_numbers_each_line_in_its_version(store: Store) -> None:
    scenario_id = _new(store)
    with store.session() as s:
        scenario = get_scenario(s, scenario_id)
        save_version(s, scenario, CHEAPER, "bo", base_number=1)
        lines = diff(get_version(s, scenario, 1), get_version(s, scenario, 2), context=1)
        with pytest.raises(NotFoundError, match="has no version 3 \\(it has 1 to 2\\)"):
            get_version(s, scenario, 3)
    changed = [(d.kind, d.a_line, d.b_line, d.text.strip()) for d in lines]
    assert changed == [
        ("@", 25, 25, "@@ -25,3 +25,3 @@"),
        (" ", 25, 25, "capacity: {value: 800, unit: shells/year}     # 200 per quarter"),
        ("-", 26, None, "price: {value: 2, unit: EUR}"),
        ("+", None, 26, "price: {value: 3, unit: EUR}"),
        (" ", 27, 27, "lead: {value: 3, unit: months}                 # one quarter"),
    ]


def _tiny_workbook(path, breaks: bool = False) -> bytes:
    """tiny.yaml as a workbook: lines and items as sheets, the rest (with the sections whose rows
    hold lists, which a table cannot) in sheet 'scenario'."""
    import yaml
    from openpyxl import Workbook

    data = yaml.safe_load(TINY)
    book = Workbook()
    scalars = book.active
    scalars.title = "scenario"
    scalars.append(["field", "value"])
    for key in ("name", "title", "as_of", "horizon", "currency", "customers", "requirements", "funding"):
        scalars.append([key, yaml.safe_dump(data[key], default_flow_style=True).strip()])
    lines = book.create_sheet("lines")
    columns = [
        "id",
        "supplier",
        "country",
        "item",
        "capacity.value",
        "capacity.unit",
        "price.value",
        "price.unit",
        "lead.value",
        "lead.unit",
    ]
    lines.append(columns)
    for line in data["lines"]:
        row = [line.get(c) if "." not in c else line[c.split(".")[0]][c.split(".")[1]] for c in columns]
        lines.append(row)
    if breaks:
        lines["E3"] = "lots"
    items = book.create_sheet("items")
    items.append(["id", "name", "category", "unit", "stock.ukraine"])
    items.append(["shell", "155 mm shell", "artillery-ammunition", "shell", 100])
    book.save(path)
    return path.read_bytes()


def test_a_scenario_uploaded_as_a_workbook_is_stored_as_yaml_that_plans_alike(store: Store, tmp_path) -> None:
    import materiel
    from materiel.store.scenarios import load_text, text_from_upload

    text = text_from_upload(_tiny_workbook(tmp_path / "tiny.xlsx"), "tiny.xlsx")
    assert text.startswith("# tiny.xlsx: the scenario of this workbook")
    with store.session() as s:
        scenario = create_scenario(s, ensure_team(s, "air"), "from a workbook", text, "ana")
        stored = scenario.versions[0].text
    _, model = load_text(stored, "tiny")

    plan = materiel.plan(model)
    reference = materiel.plan(materiel.load(str(Path(__file__).parents[1] / "fixtures" / "tiny.yaml"))[1])
    assert plan.summary()["total_cost"] == pytest.approx(reference.summary()["total_cost"])

    with pytest.raises(InvalidScenarioError) as caught:
        text_from_upload(_tiny_workbook(tmp_path / "bad.xlsx", breaks=True), "bad.xlsx")
    assert str(caught.value.errors[0]).startswith("bad.xlsx[lines]:3: lines[")
    with pytest.raises(InvalidScenarioError, match=r"upload a scenario as \.yaml, \.yml or \.xlsx"):
        text_from_upload(b"x", "tiny.txt")
    with pytest.raises(InvalidScenarioError, match="cannot read the workbook"):
        text_from_upload(b"not a zip", "tiny.xlsx")


def test_two_people_making_a_scenario_of_one_name_at_once_get_a_clear_refusal(store: Store) -> None:
    with store.session() as s:
        team_id = ensure_team(s, "air").id
    made, outcome = threading.Event(), {}

    def first() -> None:
        with store.session() as s:
            create_scenario(s, team_id, "tiny", TINY, "bo")
            made.set()
            time.sleep(0.5)

    def second() -> None:
        made.wait(10)
        try:
            with store.session() as s:
                create_scenario(s, team_id, "tiny", CHEAPER, "ana")
            outcome["second"] = "made"
        except StoreError as error:
            outcome["second"] = str(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcome["second"] == "the team has a scenario named 'tiny' already"
    with store.session() as s:
        [scenario] = list_scenarios(s, team_id)
        assert scenario.versions[0].author == "bo"
