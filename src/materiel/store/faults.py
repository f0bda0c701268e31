"""A database that cannot be reached, or goes away mid-operation, becomes ``StoreUnavailable`` with
a one-line message instead of a driver's traceback; the open transaction is rolled back by then,
so nothing half-written is left."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError, DBAPIError, InterfaceError, OperationalError

from .errors import StoreUnavailable

# SQLite's operational errors that mean the file cannot be used now: gone, unreadable, read-only, or
# still locked by another writer after the busy timeout (30 s).
_SQLITE_GONE = (
    "unable to open database file",
    "disk i/o error",
    "file is not a database",
    "readonly database",
    "database is locked",
)


def shown_url(engine: Engine) -> str:
    """The engine's URL as a user writes it: no password, postgresql:// rather than the driver."""
    return engine.url.render_as_string(hide_password=True).replace("postgresql+psycopg://", "postgresql://", 1)


def is_unavailable(error: BaseException, dialect: str) -> bool:
    """Whether a driver error means the database is unreachable or went away."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if dialect == "sqlite":
        return isinstance(error, DatabaseError) and any(s in str(error.orig).lower() for s in _SQLITE_GONE)
    return isinstance(error, OperationalError | InterfaceError)


def describe(error: DBAPIError, shown_url: str) -> str:
    first = str(error.orig).strip().splitlines()[0] if error.orig is not None else type(error).__name__
    return f"the database {shown_url} is not available ({first}); nothing was written to it"


@contextmanager
def unavailable(engine: Engine) -> Iterator[None]:
    """Turn a lost or unreachable database into StoreUnavailable for the code inside."""
    try:
        yield
    except DBAPIError as error:
        if is_unavailable(error, engine.dialect.name):
            raise StoreUnavailable(describe(error, shown_url(engine))) from error
        raise
