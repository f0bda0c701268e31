"""Readiness: coverage of targets by category, and the date from which it holds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..planner.result import Plan
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


def coverage_table(plan: Plan, customer: str) -> pd.DataFrame:
    """Categories × periods: weighted mean of min(1, stock/target) (NaN where nothing is targeted)."""
    cov = plan.coverage()
    cov = cov[cov["customer"] == customer]
    table = cov.pivot(index="category", columns="period", values="coverage")
    m = plan.model
    return table.reindex(index=[c for c in m.categories if c in table.index], columns=m.periods)


def readiness(plan: Plan, customer: str, threshold: float) -> Readiness:
    """Readiness date of ``customer``: from it on, every category is at or above the threshold.

    A category counts from its first targeted period on; before that it is not (yet) ready.
    """
    table = coverage_table(plan, customer)
    values = table.to_numpy()
    meets = np.where(np.isnan(values), True, values >= threshold - 1e-6)  # 1e-6: solver tolerance
    started = np.cumsum(~np.isnan(values), axis=1) > 0
    meets &= started  # before a category's first target, nothing is yet shown to be ready
    periods = list(table.columns)
    overall = first_stable(meets.all(axis=0)) if values.size and not np.isnan(values).all() else None
    by_cat = {}
    for n, cat in enumerate(table.index):
        t = first_stable(meets[n])
        by_cat[cat] = periods[t] if t is not None else None
    return Readiness(customer, threshold, periods[overall] if overall is not None else None, by_cat)
