"""The store's fixtures: a migrated store on each backend, a team and a user in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from materiel.store import Store
from materiel.store.migrate import upgrade

TINY = (Path(__file__).parents[1] / "fixtures" / "tiny.yaml").read_text(encoding="utf-8")


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A store at the newest schema, once on SQLite and once on PostgreSQL."""
    upgrade(database_url)
    opened = Store.open(database_url)
    yield opened
    opened.dispose()
