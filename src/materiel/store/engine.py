"""Opening the workspace's database: a SQLite file by default (nothing to set up), PostgreSQL by
URL for a team (docs/workspace.md)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from .errors import StoreError
from .faults import unavailable

DATABASE_ENV = "MATERIEL_DATABASE"


def default_url() -> str:
    """$MATERIEL_DATABASE, else a SQLite file in the user's data folder ($XDG_DATA_HOME/materiel)."""
    if os.environ.get(DATABASE_ENV):
        return os.environ[DATABASE_ENV]
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'materiel' / 'materiel.db'}"


def normal_url(url: str | Path | None) -> str:
    """A database URL from what a user types: a URL, a path to a SQLite file, or nothing (the
    default). 'postgresql://' uses psycopg 3."""
    text = default_url() if url is None or str(url) == "" else str(url)
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    return text


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys enforced, readers not blocked by a writer, and a writer waits for another."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")  # first, so the journal mode's switch waits too
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_engine(url: str | Path | None = None) -> Engine:
    """An engine for the URL (see ``normal_url``); a SQLite file's folder is created."""
    text = normal_url(url)
    url = url if url is not None and str(url) != "" else default_url()  # named as given in messages
    try:
        if text.startswith("sqlite:///") and text != "sqlite:///:memory:":
            folder = Path(text.removeprefix("sqlite:///")).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"the SQLite file's folder {folder} cannot be made: {error.strerror}") from error
            # as many connections as the web server has threads (40), so a busy server never
            # waits on the pool (SQLite serialises writers itself)
            engine = create_engine(
                text, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=40, max_overflow=10
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        # up to 50 connections per process: the web server's 40 threads and some slack; PostgreSQL's
        # default max_connections (100) leaves room for the queue's workers
        if text.startswith("sqlite"):  # in memory: one connection, SQLAlchemy's own pool for it
            return create_engine(text)
        return create_engine(text, pool_pre_ping=True, pool_size=20, max_overflow=30)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise StoreError(
            f"database {url!r} is not a database URL: use a SQLite file's path, sqlite:///PATH "
            "or postgresql://USER@HOST:PORT/NAME"
        ) from error


class Store:
    """A database and its sessions: ``with store.session() as s:`` commits on success, rolls back
    on any error, so a request or run that fails half-way writes nothing."""

    def __init__(self, url: str | Path | None = None, engine: Engine | None = None) -> None:
        self.engine = engine if engine is not None else make_engine(url)
        self.url = self.engine.url.render_as_string(hide_password=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose changes are committed as one unit when the block ends well; a database
        that cannot be reached or goes away meanwhile is StoreUnavailable, with nothing written."""
        s = self._sessions()
        try:
            with unavailable(self.engine):
                yield s
                s.commit()
        except BaseException:
            with suppress(DBAPIError):  # the connection may be gone with the database
                s.rollback()
            raise
        finally:
            with suppress(DBAPIError):
                s.close()

    @classmethod
    def open(cls, url: str | Path | None = None) -> Store:
        """The store at ``url``, checked to be at the newest schema (an empty SQLite file is brought
        there at once); otherwise OutdatedDatabaseError says to run `materiel db upgrade`, and a
        database that cannot be reached is StoreUnavailable."""
        from .migrate import ensure_current

        store = cls(url)
        try:
            ensure_current(store.engine)
        except BaseException:
            store.dispose()
            raise
        return store

    def new_session(self) -> Session:
        """A session the caller commits and closes (the web app's per-request session)."""
        return self._sessions()

    def dispose(self) -> None:
        self.engine.dispose()
