"""The database goes away under the running app (PostgreSQL stopped as by a crash): requests answer
503 with a clear message and write nothing, and once the server is back the same app, with the same
browser sessions, works again without a restart."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import event, select

from materiel.store import Store
from materiel.store.models import Base, User
from materiel.web import create_app
from tests.pgserver import PG_GROUP

from .conftest import csrf_of, seed, sign_in

pytestmark = PG_GROUP

NEW = {"name": "nina", "role": "editor", "password": "nina's first password"}


def test_a_database_that_goes_away_and_comes_back(pg_server, fresh_postgres_url):
    store = Store(fresh_postgres_url)
    Base.metadata.create_all(store.engine)
    team_id, _ = seed(store)
    app = create_app(store=store)
    ada = TestClient(app, base_url="http://127.0.0.1")
    assert sign_in(ada, "ada").status_code == 303
    token = csrf_of(ada)
    add = f"/api/teams/{team_id}/members"
    pg_server.stop("immediate")  # a crash: no goodbye to the connections in the pool
    try:
        answer = ada.post(add, json=NEW, headers={"X-CSRF-Token": token})
        assert answer.status_code == 503
        assert answer.json()["detail"].startswith("The database could not be reached")
        assert "nothing was saved" in answer.json()["detail"]
        page = ada.get(f"/teams/{team_id}/members")
        assert page.status_code == 503 and "Database unavailable" in page.text and "Traceback" not in page.text
        assert ada.get("/api/account").status_code == 503
    finally:
        pg_server.start()
    with store.session() as s:
        assert s.scalar(select(User).where(User.name == "nina")) is None  # nothing half-written
    assert ada.get("/api/account").json()["name"] == "ada"  # the same session, no restart
    assert ada.post(add, json=NEW, headers={"X-CSRF-Token": token}).status_code == 201
    store.dispose()


def test_a_database_lost_in_the_middle_of_a_change_keeps_none_of_it(pg_server, fresh_postgres_url):
    """The server crashes after the new user's row is sent and before its audit entry: the answer is
    503, and neither row exists once the server is back."""
    store = Store(fresh_postgres_url)
    Base.metadata.create_all(store.engine)
    team_id, _ = seed(store)
    ada = TestClient(create_app(store=store), base_url="http://127.0.0.1")
    sign_in(ada, "ada")
    crashed = []

    def crash_before_the_audit_entry(_conn, _cursor, statement, *_args):
        if statement.startswith("INSERT INTO audit_log") and not crashed:
            crashed.append(statement)
            pg_server.stop("immediate")

    event.listen(store.engine, "before_cursor_execute", crash_before_the_audit_entry)
    try:
        answer = ada.post(f"/api/teams/{team_id}/members", json=NEW, headers={"X-CSRF-Token": csrf_of(ada)})
    finally:
        event.remove(store.engine, "before_cursor_execute", crash_before_the_audit_entry)
        if not (pg_server.data / "postmaster.pid").exists():
            pg_server.start()
    assert crashed and answer.status_code == 503, answer.text
    with store.session() as s:
        assert s.scalar(select(User).where(User.name == "nina")) is None
    store.dispose()
