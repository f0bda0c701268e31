"""Readable row and column names for the exported LP (``materiel plan --export-lp FILE --lp-names``).

Each name is its block's family and the scenario's ids along the block's dimensions, e.g.
``x(rheinmetall_unterluss,ukraine,2027Q1)`` for an order or ``Funding_budget(safe_loans,2028)`` for
a budget row (docs/model.md gives the families). Names keep to the characters the CPLEX LP format
allows in a name (letters, digits and ``_ ( ) , . @``): every other character becomes ``_``, a name
is at most 255 characters, and a name that would repeat another gets ``@2``, ``@3`` … so that
every name is unique and the file reads back as written.
"""

from __future__ import annotations

import re

import highspy
import numpy as np

from ..scenario.compiled import ModelData
from .lp import Block, LinearProgram
from .wording import dimension_labels

LONGEST = 255  # characters of one name (CPLEX LP format)
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_(),.@]")


def sanitise(text: str) -> str:
    """``text`` with every character the LP format does not take in a name replaced by ``_``."""
    return _NOT_ALLOWED.sub("_", text)


def _block_names(block: Block, labels: dict[str, list[str]]) -> list[str]:
    """The names of one block's members, in their order in the LP."""
    coords = np.nonzero(block.index >= 0)  # C order: the order positions were given in
    order = np.argsort(block.index[coords], kind="stable")
    axes = [
        np.array([sanitise(str(v)) for v in labels[d]], dtype=object)[c[order]]
        for d, c in zip(block.dims, coords, strict=True)
    ]
    family = sanitise(block.name)
    return [f"{family}({','.join(parts)})" for parts in zip(*axes, strict=True)] if axes else [family] * block.size


def _unique(names: list[str]) -> list[str]:
    """Names cut to ``LONGEST`` characters, a repeat marked @2, @3, …"""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        name = name[:LONGEST]
        if name in seen:
            seen[name] += 1
            name = f"{name[: LONGEST - 8]}@{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def lp_names(m: ModelData, lp: LinearProgram) -> tuple[list[str], list[str]]:
    """(column names, row names) of ``lp`` built from ``m``, in the LP's order."""
    labels = {d: [str(v) for v in values] for d, values in dimension_labels(m).items()}
    cols = [n for b in sorted(lp.col_blocks, key=lambda b: b.offset) for n in _block_names(b, labels)]
    rows = [n for b in sorted(lp.row_blocks, key=lambda b: b.offset) for n in _block_names(b, labels)]
    return _unique(cols), _unique(rows)


def pass_names(h: highspy.Highs, m: ModelData, lp: LinearProgram) -> None:
    """Give every column and row of the model in ``h`` (passed from ``lp``) its readable name."""
    cols, rows = lp_names(m, lp)
    for j, name in enumerate(cols):
        h.passColName(j, name)
    for i, name in enumerate(rows):
        h.passRowName(i, name)
