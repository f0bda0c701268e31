"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from hypothesis import settings

from materiel import cli

# PostgreSQL for the store's tests: postgres_url, database_url (SQLite and PostgreSQL), pg_server.
pytest_plugins = ["tests.pgserver"]

# The property tests draw the same examples on every run, so `make test` and CI are repeatable (a
# found case is pinned with @example); HYPOTHESIS_PROFILE=explore draws new ones to search further.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """The command line in this process, as a user would call it: (exit status, stdout, stderr).
    One test per command also runs it as a real process (tests/test_cli.py)."""

    def go(*args: str) -> tuple[int, str, str]:
        code = cli.run(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return go
