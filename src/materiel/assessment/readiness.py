"""Readiness: coverage of targets by category, and the date from which it holds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..planner.result import Plan, category_coverage
from .measures import first_stable


@dataclass
class Readiness:
    """The first period from which every category keeps coverage ≥ threshold (None: never)."""

    customer: str
    threshold: float
    period: str | None
    by_category: dict[str, str | None]

    @property
    def text(self) -> str:
        return self.period or "never within the horizon"


def readiness_indices(values: np.ndarray, threshold: float) -> tuple[int | None, list[int | None]]:
    """Readiness period index overall and per category from a (categories × periods) coverage.

    A category counts from its first targeted period on; before that it is not (yet) ready.
    """
    meets = np.where(np.isnan(values), True, values >= threshold - 1e-6)  # 1e-6: solver tolerance
    started = np.cumsum(~np.isnan(values), axis=1) > 0
    meets &= started
    overall = first_stable(meets.all(axis=0)) if values.size and not np.isnan(values).all() else None
    return overall, [first_stable(row) for row in meets]


def coverage_table(plan: Plan, customer: str) -> pd.DataFrame:
    """Categories × periods coverage as a labelled table (categories with a target somewhere)."""
    m = plan.model
    values = category_coverage(m, plan.stock_of(customer), m.customers.index(customer))
    table = pd.DataFrame(values, index=pd.Index(m.categories, name="category"), columns=m.periods)
    return table[~table.isna().all(axis=1)]


def readiness(plan: Plan, customer: str, threshold: float) -> Readiness:
    """Readiness date of ``customer``: from it on, every category is at or above the threshold."""
    table = coverage_table(plan, customer)
    overall, per_cat = readiness_indices(table.to_numpy(), threshold)
    periods = list(table.columns)
    by_cat = {cat: periods[t] if t is not None else None for cat, t in zip(table.index, per_cat, strict=True)}
    return Readiness(customer, threshold, periods[overall] if overall is not None else None, by_cat)
