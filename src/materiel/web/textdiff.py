"""The difference between two versions' texts, as rows a page shows side by side or unified,
with line numbers and the changed lines marked."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

CONTEXT = 3  # unchanged lines shown around each change


@dataclass
class Side:
    number: int | None  # the line's number in its version (None: no line on this side)
    text: str
    kind: str  # "same", "removed", "added" or "" (an empty cell opposite a change)


@dataclass
class Row:
    """One row of the side-by-side view, or a gap between hunks (``gap`` lines skipped)."""

    left: Side
    right: Side
    gap: int = 0


def side_by_side(a: str, b: str, context: int = CONTEXT) -> list[Row]:
    """Rows of the two texts aligned, each change with ``context`` unchanged lines around it."""
    left, right = a.splitlines(), b.splitlines()
    rows: list[Row] = []
    shown = 0  # lines of ``left`` dealt with so far
    for group in difflib.SequenceMatcher(None, left, right, autojunk=False).get_grouped_opcodes(context):
        first = group[0][1]
        if first > shown:
            rows.append(Row(Side(None, "", ""), Side(None, "", ""), gap=first - shown))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [
                    Row(Side(i + 1, left[i], "same"), Side(j + 1, right[j], "same"))
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                ]
                continue
            for k in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + k, j1 + k
                rows.append(
                    Row(
                        Side(i + 1, left[i], "removed") if i < i2 else Side(None, "", ""),
                        Side(j + 1, right[j], "added") if j < j2 else Side(None, "", ""),
                    )
                )
        shown = group[-1][2]
    if rows and shown < len(left):
        rows.append(Row(Side(None, "", ""), Side(None, "", ""), gap=len(left) - shown))
    return rows


def unified(rows: list[Row]) -> list[tuple[int | None, int | None, str, str]]:
    """The same rows as one column: (old number, new number, kind, text); removed before added."""
    out: list[tuple[int | None, int | None, str, str]] = []
    pending: list[tuple[int | None, int | None, str, str]] = []
    for row in rows:
        if row.gap:
            out += pending
            pending = []
            out.append((None, None, "gap", f"{row.gap} unchanged lines"))
        elif row.left.kind == "same":
            out += pending
            pending = []
            out.append((row.left.number, row.right.number, "same", row.left.text))
        else:
            if row.left.kind == "removed":
                out.append((row.left.number, None, "removed", row.left.text))
            if row.right.kind == "added":
                pending.append((None, row.right.number, "added", row.right.text))
    return out + pending


def changed_lines(rows: list[Row]) -> tuple[list[int], list[int]]:
    """The numbers of the lines removed from the first text and added in the second."""
    return (
        [r.left.number for r in rows if r.left.kind == "removed" and r.left.number is not None],
        [r.right.number for r in rows if r.right.kind == "added" and r.right.number is not None],
    )
