"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from materiel import cli


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """The command line in this process, as a user would call it: (exit status, stdout, stderr).
    One test per command also runs it as a real process (tests/test_cli.py)."""

    def go(*args: str) -> tuple[int, str, str]:
        code = cli.run(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return go
