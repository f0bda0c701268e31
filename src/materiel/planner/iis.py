"""Explaining an infeasible plan in the scenario's own words, from HiGHS's irreducible
infeasible subset (IIS): which lines, which budgets, which commitments, which periods."""

from __future__ import annotations

import highspy
import numpy as np

from ..scenario.compiled import ModelData
from .formulation import BOUND, FAMILY, Formulation

# Derive the IIS from the LP itself and make it irreducible (HiGHS's light default finds only
# bound conflicts, and misses a commitment that exceeds a budget).
IIS_STRATEGY = int(highspy._core.kIisStrategyFromLp) | int(highspy._core.kIisStrategyIrreducible)
LIMIT_ROW = "the least shortfall found first, held while minimising money (a numerical tolerance problem)"


def describe_row(m: ModelData, family: str, c: tuple[int, ...]) -> str:
    """A constraint in words (every family has its wording in the registry)."""
    return FAMILY[family].describe(m, c)


def describe_col(m: ModelData, var: str, c: tuple[int, ...]) -> str | None:
    """A variable bound in words; None for variables whose bounds are not the user's input."""
    bound = BOUND.get(var)
    return bound.describe(m, c) if bound is not None else None


def explain(h: highspy.Highs, form: Formulation, m: ModelData) -> list[str]:
    """The conflicting inputs, one line each; empty when HiGHS cannot isolate them."""
    try:
        h.setOptionValue("iis_strategy", IIS_STRATEGY)
        status, iis = h.getIis()
    except Exception:  # an older HiGHS without IIS support
        return []
    if status != highspy.HighsStatus.kOk:
        return []
    lines: list[str] = []
    for r in np.asarray(iis.row_index_, dtype=np.int64):
        if r >= form.lp.n_rows:
            lines.append(LIMIT_ROW)
            continue
        block, coords = form.lp.which_row(int(r))
        lines.append(describe_row(m, block.name, coords))
    for j in np.asarray(iis.col_index_, dtype=np.int64):
        block, coords = form.lp.which_col(int(j))
        text = describe_col(m, block.name, coords)
        if text:
            lines.append(text)
    seen: set[str] = set()
    return [x for x in lines if not (x in seen or seen.add(x))]
