"""Resolving ids between entities, with suggestions for typos."""

from __future__ import annotations

import difflib

from .errors import Collector, Loc


def duplicates(ids: list[str], section: str, problems: Collector) -> dict[str, int]:
    index: dict[str, int] = {}
    for j, ident in enumerate(ids):
        if ident in index:
            problems.add((section, j, "id"), f"duplicate id {ident!r} (first used at {section}[{index[ident]}])")
        else:
            index[ident] = j
    return index


def ref(name: str, table: dict[str, int], loc: Loc, what: str, problems: Collector) -> int | None:
    if name in table:
        return table[name]
    if name in problems.tolerated.get(what, ()):
        return None  # the entity exists but failed validation; that problem is already reported
    guess = difflib.get_close_matches(name, list(table), n=1)
    hint = f"; did you mean {guess[0]!r}?" if guess else ""
    known = ", ".join(list(table)[:12]) + (" ..." if len(table) > 12 else "")
    problems.add(loc, f"unknown {what} {name!r}{hint} Known: {known}")
    return None
