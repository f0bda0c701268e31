"""A database that goes away mid-request: a clean StoreUnavailable, and no half-written run once it
is back (PostgreSQL, stopped as by a crash between creating a run and finishing it)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from materiel.store import Store, StoreUnavailable
from materiel.store.migrate import upgrade
from materiel.store.runs import claim_next, create_run, finish, get_run, read_files, read_tables
from materiel.store.scenarios import create_scenario
from materiel.store.users import ensure_team
from tests.pgserver import PG_GROUP, PgServer, start_server, stop_server

from .conftest import TINY


@pytest.fixture
def own_server() -> Iterator[PgServer]:
    """A server of this test's own, which it may stop and start (the shared one stays up)."""
    server = start_server()
    yield server
    stop_server(server)


@PG_GROUP
def test_a_database_that_goes_away_mid_request_leaves_no_half_written_run(own_server: PgServer) -> None:
    url = own_server.url()
    upgrade(url)
    store = Store.open(url)
    with store.session() as s:
        scenario = create_scenario(s, ensure_team(s, "air"), "tiny", TINY, "ana")
        run_id = create_run(s, scenario.versions[0], "ana").id
    with store.session() as s:
        claim_next(s, "w1")

    tables = {"orders": pd.DataFrame({"units": [1.0, 2.0]})}
    with (
        pytest.raises(
            StoreUnavailable,
            match=r"^the database postgresql://postgres@127\.0\.0\.1:\d+/materiel is not available \(.*\); nothing was written to it$",
        ),
        store.session() as s,
    ):
        get_run(s, run_id)  # the request has begun
        own_server.stop("immediate")  # the server crashes
        finish(s, run_id, {"total_cost": 1.0}, tables, {"summary.json": b"{}"}, {})

    with pytest.raises(StoreUnavailable), store.session() as s:  # while it is down, every request
        get_run(s, run_id)

    own_server.start()
    with store.session() as s:  # the pool reconnects once it is back
        run = get_run(s, run_id)
        assert (run.status, run.summary) == ("running", None)
        assert read_tables(s, run_id) == {} and read_files(s, run_id) == {}
        finish(s, run_id, {"total_cost": 1.0}, tables, {}, {})
    with store.session() as s:
        assert get_run(s, run_id).status == "done"
    store.dispose()


def test_an_unreachable_database_is_refused_on_opening() -> None:
    from tests.pgserver import free_port

    with pytest.raises(StoreUnavailable, match="is not available"):
        Store.open(f"postgresql://postgres@127.0.0.1:{free_port()}/materiel")


def test_a_sqlite_file_that_is_not_a_database_is_one_clean_error(tmp_path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(StoreUnavailable, match=r"notes\.db is not available \(file is not a database\)"):
        Store.open(path)
