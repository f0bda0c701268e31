"""A throwaway PostgreSQL server for the tests: Debian's PostgreSQL, initdb into a temporary folder,
started on a free loopback port, stopped and removed at the end of the session.

Registered in tests/conftest.py, so any test may ask for ``postgres_url`` (the server's ``materiel``
database, shared by the worker's tests), ``fresh_postgres_url`` (a new database for one test),
``database_url`` (each test once on a SQLite file and once on a fresh PostgreSQL database) or
``pg_server`` (to create databases). Every database starts empty: bring it to the store's schema
with ``materiel.store.migrate.upgrade(url)`` (tests/store/conftest.py's ``store`` fixture does). A
test that stops a server starts its own (``start_server``/``stop_server``, tests/store/test_faults.py). Tests that use PostgreSQL carry ``PG_GROUP`` so that pytest-xdist gives them all to one
worker, which starts one server. Without PostgreSQL those tests fail and say how to install it:
CI installs it (.ci/run)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_GROUP = pytest.mark.xdist_group("postgresql")
INSTALL_HINT = "PostgreSQL is not installed: `apt-get install -y postgresql` (.ci/run installs it when missing)"


def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL bin folder (/usr/lib/postgresql/<major>/bin), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PgServer:
    """A running throwaway cluster: its bin folder, data folder and port."""

    bin: Path
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "materiel") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _as_owner(self, *args: str) -> list[str]:
        """Run as the unprivileged `postgres` user when we are root (initdb and postgres refuse root)."""
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)

    def _run(self, *args: str) -> None:
        done = subprocess.run(self._as_owner(*args), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip() or done.stdout}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "start", "-w", "-D", str(self.data), "-l", str(self.folder / "log"), "-o", options
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; mode 'immediate' is a crash (no shutdown checkpoint, clients cut off)."""
        self._run(str(self.bin / "pg_ctl"), "stop", "-w", "-D", str(self.data), "-m", mode)

    def create_database(self, name: str) -> str:
        """A new empty database on this server; its URL."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server() -> PgServer:
    """initdb a cluster into a new temporary folder owned by `postgres` and start it; the caller
    stops it and removes the folder (``stop_server``)."""
    bin_folder = postgres_bin()
    if bin_folder is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    folder = Path(tempfile.mkdtemp(prefix="materiel-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server = PgServer(bin_folder, folder, free_port())
    try:
        server._run(
            str(bin_folder / "initdb"),
            "-D",
            str(server.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        for _attempt in range(3):
            try:
                server.start()
                break
            except RuntimeError:  # the port was taken between choosing it and starting: choose again
                server.port = free_port()
        else:
            server.start()
        server.create_database("materiel")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server


def stop_server(server: PgServer) -> None:
    if (server.data / "postmaster.pid").exists():
        server.stop("immediate")
    shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One throwaway PostgreSQL server for this pytest worker."""
    server = start_server()
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def postgres_url(pg_server: PgServer) -> str:
    """The shared server's `materiel` database: postgresql://postgres@127.0.0.1:PORT/materiel."""
    return pg_server.url("materiel")


@pytest.fixture
def fresh_postgres_url(pg_server: PgServer) -> Iterator[str]:
    """A new empty database on the shared server for one test, dropped after it."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    url = pg_server.create_database(name)
    yield url
    if (pg_server.data / "postmaster.pid").exists():
        pg_server.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=PG_GROUP)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test once on a SQLite file in tmp_path and once on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'materiel.db'}"
    return request.getfixturevalue("fresh_postgres_url")
