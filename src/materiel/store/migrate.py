"""The store's schema migrations (Alembic, shipped in store/migrations, configured here so no
alembic.ini is needed): bring a database to the newest schema, say which revision it is at, and
check it before use (docs/workspace.md)."""

from __future__ import annotations

import threading
from contextlib import suppress
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from .engine import make_engine
from .errors import OutdatedDatabaseError
from .faults import shown_url, unavailable

MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATING = threading.RLock()  # re-entrant: ensure_current holds it around upgrade
_LOCK_KEY = 0x6D6174657269656C  # "materiel": the advisory lock PostgreSQL upgrades hold


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    """The newest revision this version of materiel ships."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def _engine(url: str | Path | Engine | None) -> tuple[Engine, bool]:
    if isinstance(url, Engine):
        return url, False
    return make_engine(url), True


def upgrade(url: str | Path | Engine | None = None, revision: str = "head") -> str:
    """Migrate the database to ``revision`` (default: the newest) in one transaction; the revision
    it is at afterwards. Upgrades of one database never run at once: within a process a lock
    (Alembic's context is global), across processes the database's own (PostgreSQL: an advisory
    lock; SQLite: its write lock, taken at the start), so the second finds the work done."""
    engine, owned = _engine(url)
    sqlite = engine.dialect.name == "sqlite"
    try:
        with _MIGRATING, unavailable(engine), engine.connect() as conn:
            if sqlite:
                # SQLite alters a table by copying it and dropping the old one: with foreign keys on,
                # the drop would cascade to the rows that refer to it (a run's tables), so they are
                # off while migrating. The driver is told not to open transactions of its own, so
                # that one explicit transaction holds every statement, DDL included.
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
                conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            elif engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            try:
                config = _config()
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
                if sqlite:
                    conn.exec_driver_sql("COMMIT")
                conn.commit()
            except BaseException:
                if sqlite:
                    with suppress(DBAPIError):
                        conn.exec_driver_sql("ROLLBACK")
                conn.rollback()
                raise
            finally:
                if sqlite:
                    conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        return current(engine) or ""
    finally:
        if owned:
            engine.dispose()


def current(url: str | Path | Engine | None = None) -> str | None:
    """The revision the database is at, or None for a database the store has never touched."""
    engine, owned = _engine(url)
    try:
        with unavailable(engine), engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if owned:
            engine.dispose()


def ensure_current(engine: Engine) -> None:
    """Refuse a database that is not at the newest revision, with the command that fixes it; an
    empty SQLite file (a new default store) is brought to the newest schema at once."""
    if engine.dialect.name == "sqlite":
        # threads opening one new file at once: one brings it to the newest schema, the others then
        # find it there (measured: without the lock, one of four got "database is locked", as the
        # first connections of a new file set its journal mode while another thread migrated it)
        with _MIGRATING:
            _ensure_current(engine)
    else:
        _ensure_current(engine)


def _ensure_current(engine: Engine) -> None:
    at = current(engine)
    if at == head():
        return
    shown = shown_url(engine)
    if at is None and engine.dialect.name == "sqlite":
        with unavailable(engine), engine.connect() as conn:
            empty = not inspect(conn).get_table_names()
        if empty:
            upgrade(engine)
            return
    typed = shown.removeprefix("sqlite:///")
    state = "has no materiel schema" if at is None else f"is at revision {at}, this materiel needs {head()}"
    raise OutdatedDatabaseError(f"the database {shown} {state}: run `materiel db upgrade --database {typed}`")


__all__ = ["current", "ensure_current", "head", "upgrade"]
