"""The workspace's store: scenarios, their versions, runs and their results, users, teams and an
audit log, in SQLite or PostgreSQL (docs/workspace.md)."""

from .engine import DATABASE_ENV, Store, default_url, make_engine, normal_url

__all__ = ["DATABASE_ENV", "Store", "default_url", "make_engine", "normal_url"]
