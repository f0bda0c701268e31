"""The workspace's store: scenarios, their versions, runs and their results, users, teams and an
audit log, in SQLite or PostgreSQL (docs/workspace.md).

Names are imported on first use, so that the command line, which names the store's commands,
does not load SQLAlchemy unless a command uses the store."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "DATABASE_ENV": "engine",
    "Store": "engine",
    "default_url": "engine",
    "make_engine": "engine",
    "normal_url": "engine",
    "ConflictError": "errors",
    "InvalidScenarioError": "errors",
    "NotFoundError": "errors",
    "OutdatedDatabaseError": "errors",
    "StoreError": "errors",
    "StoreUnavailable": "errors",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_WHERE[name]}", __name__), name)
