"""The store's migrations: the newest schema is exactly store/models.py, a database made by the first
revision upgrades with every row kept, and a database not at the newest revision is refused with
the command that fixes it (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from materiel.store import Store, make_engine
from materiel.store.errors import OutdatedDatabaseError
from materiel.store.migrate import current, head, upgrade
from materiel.store.models import Base, Run, RunTable, Scenario, ScenarioVersion, User
from tests.pgserver import PG_GROUP


def test_the_newest_schema_is_the_models(database_url: str) -> None:
    assert upgrade(database_url) == head() == "0002"
    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        if engine.dialect.name == "postgresql":  # a run's outputs are stored without a second compression
            storage = "SELECT attstorage FROM pg_attribute WHERE attrelid = 'run_tables'::regclass AND attname = 'data'"
            assert conn.execute(text(storage)).scalar() == "e"
    engine.dispose()
    assert diff == []


def test_a_database_at_the_first_revision_upgrades_without_loss(database_url: str) -> None:
    upgrade(database_url, "0001")
    assert current(database_url) == "0001"
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO users (id, name, password_hash, active, created_at) VALUES (1, 'ana', 'h', true, :at)"),
            {"at": at},
        )
        conn.execute(text("INSERT INTO teams (id, name, created_at) VALUES (1, 'air', :at)"), {"at": at})
        conn.execute(text("INSERT INTO memberships (user_id, team_id, role) VALUES (1, 1, 'admin')"))
        conn.execute(
            text("INSERT INTO scenarios (id, team_id, name, created_by, created_at) VALUES (1, 1, 'base', 1, :at)"),
            {"at": at},
        )
        for number in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO scenario_versions (id, scenario_id, number, text, digest, author_id, author, message,"
                    " created_at) VALUES (:n, 1, :n, :t, :d, 1, 'ana', '', :at)"
                ),
                {"n": number, "t": f"name: v{number}\n", "d": f"{number:064d}", "at": at},
            )
        conn.execute(
            text(
                "INSERT INTO runs (id, team_id, scenario_version_id, kind, name, whatifs, sets, options, status,"
                " attempts, created_by, created_at, finished_at, library_version, solver_version, timings, summary)"
                " VALUES (7, 1, 2, 'plan', 'first', '[]', '{}', '{}', 'done', 1, 1, :at, :at, '0.1.0', '1.11',"
                " '{\"solve\": 1.5}', '{\"total_cost_eur\": 12.5}')"
            ),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO run_tables (run_id, name, media_type, data, size) VALUES (7, 'x.csv', 'text/csv', :b, 3)"
            ),
            {"b": b"a,b"},
        )
    engine.dispose()

    assert upgrade(database_url) == "0002"
    store = Store.open(database_url)
    with store.session() as s:
        assert s.scalar(select(User.name)) == "ana"
        assert [v.text for v in s.get(Scenario, 1).versions] == ["name: v1\n", "name: v2\n"]
        run = s.get(Run, 7)
        assert (run.status, run.summary, run.timings, run.version.number) == (
            "done",
            {"total_cost_eur": 12.5},
            {"solve": 1.5},
            2,
        )
        assert (run.progress_done, run.progress_total, run.share_token) == (0, 0, None)
        assert run.finished_at.replace(tzinfo=UTC) == at
        assert s.get(RunTable, (7, "x.csv")).data == b"a,b"
        assert s.scalar(select(ScenarioVersion.digest).where(ScenarioVersion.number == 2)) == f"{2:064d}"
    store.dispose()


def test_a_database_not_at_the_newest_revision_is_refused(database_url: str) -> None:
    upgrade(database_url, "0001")
    with pytest.raises(OutdatedDatabaseError, match=r"at revision 0001.*run `materiel db upgrade --database "):
        Store.open(database_url)


def test_a_new_sqlite_file_is_made_at_the_newest_revision(tmp_path) -> None:
    store = Store.open(tmp_path / "new" / "materiel.db")
    assert current(store.engine) == head()
    store.dispose()


@PG_GROUP
def test_an_empty_postgresql_database_needs_an_upgrade(fresh_postgres_url: str) -> None:
    with pytest.raises(
        OutdatedDatabaseError, match="has no materiel schema: run `materiel db upgrade --database postgresql://"
    ):
        Store.open(fresh_postgres_url)
    upgrade(fresh_postgres_url)
    Store.open(fresh_postgres_url).dispose()


def test_a_migration_that_fails_half_way_leaves_the_database_as_it_was(database_url: str) -> None:
    """0002 makes sweep_draws, then alters runs; a name already taken makes the second step fail
    (SQLite: the copy of runs that batch mode builds; PostgreSQL: the share token's index)."""
    upgrade(database_url, "0001")
    engine = make_engine(database_url)
    in_the_way = (
        "CREATE TABLE _alembic_tmp_runs (x integer)"
        if engine.dialect.name == "sqlite"
        else "CREATE INDEX uq_runs_share_token ON teams (name)"
    )
    with engine.begin() as conn:
        conn.execute(text(in_the_way))
    with pytest.raises(Exception, match="already exists"):
        upgrade(engine)
    assert current(engine) == "0001"
    tables = inspect(engine).get_table_names()
    assert "sweep_draws" not in tables and "runs" in tables
    assert "progress_done" not in {c["name"] for c in inspect(engine).get_columns("runs")}
    engine.dispose()


def test_stores_opened_at_once_on_a_new_sqlite_file_all_work(tmp_path) -> None:
    """Several threads (a web server's) opening one new file: one makes the schema, none fails."""
    import threading

    path, errors, start = tmp_path / "new.db", [], threading.Barrier(4)

    def open_it() -> None:
        start.wait()
        try:
            Store.open(path).dispose()
        except Exception as error:  # pragma: no cover - the failure this test guards against
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and current(path) == head()
