"""Readiness: coverage of targets by item and by category, and the date from which it holds.

Coverage counts what can be fired (``fire.usable``), and a category cannot pass while one of its
critical items is below its minimum coverage (docs/assessment.md, "Readiness").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..planner.result import Plan, category_coverage
from ..scenario.compiled import ModelData
from .fire import fire_per_day, usable
from .measures import first_stable

TOLERANCE = 1e-6  # a coverage this close below a threshold meets it (solver tolerance)


@dataclass
class Readiness:
    """The first period from which every category keeps coverage ≥ threshold (None: never)."""

    customer: str
    threshold: float
    period: str | None
    by_category: dict[str, str | None]
    by_item: dict[str, str | None]

    @property
    def text(self) -> str:
        return self.period or "never within the horizon"


@dataclass
class CoverageGrid:
    """Coverage of one customer's targets, items i, categories c, periods t."""

    item: np.ndarray  # (I, T) min(1, usable stock / target); NaN where nothing is targeted
    category: np.ndarray  # (C, T) weighted mean, capped by a critical item below its minimum
    blocked: np.ndarray  # (C, T) bool: a critical item of the category is below its minimum


def coverage_grid(m: ModelData, stock: np.ndarray, customer: int, goal_days: float) -> CoverageGrid:
    """Item and category coverage from the customer's (items × periods) stock.

    A munition fired by systems counts min(stock, rounds a day its systems can fire × G). A
    category's coverage is the weighted mean of its items' coverage; while a critical item is below
    its ``min_coverage`` the category is blocked and its coverage is at most that item's.
    """
    held = usable(m, stock, fire_per_day(m, stock), goal_days)
    target = m.target[customer]
    with np.errstate(divide="ignore", invalid="ignore"):
        item = np.where(target > 0, np.minimum(1.0, held / np.where(target > 0, target, 1.0)), np.nan)
    category = category_coverage(m, held, customer)
    short = ~np.isnan(item) & (item < m.fire.min_coverage[:, None] - TOLERANCE)  # NaN minimum: never short
    cats = np.array(m.item_category)
    blocked = np.zeros(category.shape, dtype=bool)
    for c, cat in enumerate(m.categories):
        rows = short[cats == cat]
        if rows.any():
            blocked[c] = rows.any(axis=0)
            worst = np.where(rows, item[cats == cat], np.inf).min(axis=0)
            category[c] = np.where(blocked[c], np.minimum(category[c], worst), category[c])
    return CoverageGrid(item, category, blocked)


def readiness_indices(
    values: np.ndarray, threshold: float | np.ndarray, blocked: np.ndarray | None = None
) -> tuple[int | None, list[int | None]]:
    """Readiness period index overall and per row from a (rows × periods) coverage.

    A row counts from its first targeted period on; before that it is not (yet) ready. ``threshold``
    may differ by row ((rows × 1)); ``blocked`` rows × periods never meet it.
    """
    meets = np.where(np.isnan(values), True, values >= np.asarray(threshold) - TOLERANCE)
    if blocked is not None:
        meets &= ~blocked
    started = np.cumsum(~np.isnan(values), axis=1) > 0
    meets &= started
    overall = first_stable(meets.all(axis=0)) if values.size and not np.isnan(values).all() else None
    return overall, [first_stable(row) for row in meets]


def readiness_index(grid: CoverageGrid, threshold: float) -> int | None:
    """The readiness period index from a coverage grid (categories with a target somewhere)."""
    rows = ~np.isnan(grid.category).all(axis=1)
    return readiness_indices(grid.category[rows], threshold, grid.blocked[rows])[0]


def item_thresholds(m: ModelData, threshold: float) -> np.ndarray:
    """(I, 1) what each item must keep: its minimum if it is critical, else the readiness threshold."""
    mins = m.fire.min_coverage
    return np.where(np.isnan(mins), threshold, mins)[:, None]


def coverage_tables(plan: Plan, customer: str) -> tuple[CoverageGrid, pd.DataFrame, pd.DataFrame]:
    """The grid, and categories × periods and items × periods coverage as labelled tables (rows
    with a target somewhere)."""
    m = plan.model
    grid = coverage_grid(m, plan.stock_of(customer), m.customers.index(customer), m.policy.goal_days)
    cats = pd.DataFrame(grid.category, index=pd.Index(m.categories, name="category"), columns=m.periods)
    items = pd.DataFrame(grid.item, index=pd.Index(m.items, name="item"), columns=m.periods)
    return grid, cats[~cats.isna().all(axis=1)], items[~items.isna().all(axis=1)]


def readiness(plan: Plan, customer: str, threshold: float) -> Readiness:
    """Readiness date of ``customer``: from it on, every category is at or above the threshold and
    no critical item is below its minimum."""
    m = plan.model
    grid, cats, items = coverage_tables(plan, customer)
    rows = ~np.isnan(grid.category).all(axis=1)
    overall, per_cat = readiness_indices(grid.category[rows], threshold, grid.blocked[rows])
    targeted = ~np.isnan(grid.item).all(axis=1)
    _, per_item = readiness_indices(grid.item[targeted], item_thresholds(m, threshold)[targeted])
    periods = m.periods
    by_cat = {cat: periods[t] if t is not None else None for cat, t in zip(cats.index, per_cat, strict=True)}
    by_item = {it: periods[t] if t is not None else None for it, t in zip(items.index, per_item, strict=True)}
    return Readiness(customer, threshold, periods[overall] if overall is not None else None, by_cat, by_item)
