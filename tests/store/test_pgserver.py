"""The PostgreSQL harness: without PostgreSQL the tests that need it fail and say how to install it
(never a silent skip), and a database made for one test is its own."""

from __future__ import annotations

import psycopg
import pytest

from tests import pgserver
from tests.pgserver import PG_GROUP, PgServer


def test_without_postgresql_the_tests_fail_and_say_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pgserver, "postgres_bin", lambda: None)
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install -y postgresql"):
        pgserver.start_server()


@PG_GROUP
def test_each_test_gets_its_own_database(pg_server: PgServer, fresh_postgres_url: str, postgres_url: str) -> None:
    with psycopg.connect(fresh_postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE mine (x int)")
    with psycopg.connect(postgres_url) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE tablename = 'mine'").fetchone()
    assert tables == (0,)
    assert postgres_url == f"postgresql://postgres@127.0.0.1:{pg_server.port}/materiel"
