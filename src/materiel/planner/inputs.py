"""The compiled figures the planner can use: finite, and within each figure's own bounds.

Validation refuses bad figures in a scenario file with located messages; this is the planner's
own guard for compiled data that did not come through it (a ModelData built or changed in code,
a sweep's draw), so that such data ends in a ``PlanError`` naming the figure, never in an
"optimal" plan that breaks its own rules.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..scenario.compiled import ModelData
from .wording import dimension_labels

# array name, what it is, its dimensions, the rule and the rule in words
Rule = tuple[str, str, tuple[str, ...], Callable[[np.ndarray], np.ndarray], str]

NONNEGATIVE = (lambda a: a >= 0, "a finite number ≥ 0")
POSITIVE = (lambda a: a > 0, "a finite number > 0")
FRACTION = (lambda a: (a >= 0) & (a <= 1), "between 0 and 1")
LOSS = (lambda a: (a >= 0) & (a < 1), "at least 0 and below 1")

RULES: tuple[Rule, ...] = (
    ("cap", "capacity", ("line", "period"), *NONNEGATIVE),
    ("price", "price", ("line", "period"), *POSITIVE),
    ("emax", "expansion limit", ("line",), *NONNEGATIVE),
    ("capex", "capex", ("line",), *NONNEGATIVE),
    ("lead", "lead time", ("line",), *NONNEGATIVE),
    ("build", "build time", ("line",), *NONNEGATIVE),
    ("share", "share", ("line", "customer"), *FRACTION),
    ("committed", "commitment", ("line", "customer", "period"), *NONNEGATIVE),
    ("stock0", "initial stock", ("customer", "item"), *NONNEGATIVE),
    ("use", "use", ("customer", "item", "period"), *NONNEGATIVE),
    ("target", "target", ("customer", "item", "period"), *NONNEGATIVE),
    ("loss", "loss per period", ("item",), *LOSS),
    ("budget", "budget", ("fund", "year"), *NONNEGATIVE),
    ("min_spend", "minimum spend", ("fund",), *FRACTION),
    ("customer_weight", "weight", ("customer",), *POSITIVE),
    ("item_weight", "weight", ("item",), *POSITIVE),
    ("upkeep.cost", "upkeep", ("item",), *NONNEGATIVE),
    ("upkeep.fixed", "fixed charge", ("fund", "year"), *NONNEGATIVE),
    ("transfers.stock", "donor's stock", ("drawdown",), *NONNEGATIVE),
    ("transfers.total", "drawdown quantity", ("drawdown",), *NONNEGATIVE),
    ("transfers.available", "available quantity", ("drawdown", "period"), *NONNEGATIVE),
    ("transfers.delivery", "delivery time", ("drawdown",), *NONNEGATIVE),
    ("transfers.delay", "replacement delay", ("drawdown",), *NONNEGATIVE),
    ("transfers.stored", "stored pool", ("line",), *NONNEGATIVE),
    ("need", "need", ("line", "item"), *NONNEGATIVE),
)


def figure(m: ModelData, attr: str) -> np.ndarray:
    """The compiled array named ``attr`` ('price', or 'upkeep.cost' for a nested one)."""
    node: object = m
    for part in attr.split("."):
        node = getattr(node, part)
    return np.asarray(node, dtype=float)


def unusable(m: ModelData) -> list[str]:
    """The first figure of each array that breaks its rule, in words (empty: all usable)."""
    names = dimension_labels(m)
    out = []
    for attr, what, dims, ok, rule in RULES:
        values = figure(m, attr)
        with np.errstate(invalid="ignore"):
            bad = ~(np.isfinite(values) & ok(values))
        if bad.any():
            at = np.argwhere(bad)[0]
            where = " ".join(str(names[d][n]) for d, n in zip(dims, at, strict=True))
            more = f" ({int(bad.sum()) - 1} more like it)" if bad.sum() > 1 else ""
            out.append(f"{what} of {where} is {values[tuple(at)]:g}; it must be {rule}{more}")
    return out
