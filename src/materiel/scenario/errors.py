"""Problems found in a scenario, each pointing at a file, a line and a field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Loc = tuple[str | int, ...]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with control characters written as escapes, so that a name quoted from the input
    cannot move the cursor, recolour the terminal or start a line of its own."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class TextSource(str):
    """The name of a scenario read from text rather than a file (one kept in a database, say
    'armed-neutrality v3'): a problem in it is located as 'NAME, line N' instead of 'FILE:N'."""

    __slots__ = ()


@dataclass
class Problem:
    """One thing wrong with the input, in the user's terms."""

    loc: Loc
    message: str
    file: str | None = None
    line: int | None = None
    path: str = ""

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f", line {self.line}" if isinstance(self.file, TextSource) else f":{self.line}"
        field_path = self.path or ".".join(str(p) for p in self.loc)
        text = f"{where}: {field_path}: {self.message}" if field_path else f"{where}: {self.message}"
        return printable(text)


@dataclass
class ScenarioError(Exception):
    """Raised when a scenario cannot be used; carries every problem found, not just the first."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the scenario:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class Collector:
    """Gathers problems during a pass so all of them can be reported at once, and warnings:
    figures that are valid but probably not what the author meant (they do not stop the run)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.tolerated: dict[str, set[str]] = {}

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append(Problem(tuple(loc), message))

    def warn(self, loc: Loc, message: str) -> None:
        self.warnings.append(Problem(tuple(loc), message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ScenarioError(self.problems)
