"""What a plan is worth: readiness, sustainment, the bottleneck, air defence (docs/assessment.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..planner.result import Plan
from .airdefence import air_defence_tables
from .readiness import Readiness, coverage_table, readiness
from .sustainment import bottlenecks, inflows, sustainment_table


@dataclass
class Assessment:
    """Readiness, sustainment and air defence of one plan for one customer."""

    plan: Plan
    customer: str
    readiness: Readiness
    coverage: pd.DataFrame  # categories × periods
    sustainment: pd.DataFrame  # item × period: days alone and with production
    bottleneck: pd.DataFrame  # per period: the item that runs out first
    interceptors: pd.DataFrame  # per period and interceptor type
    attacks: pd.DataFrame  # per period and attack type
    goal_days: float

    @property
    def year(self) -> int:
        """The year comparisons report: the scenario's sustainment year, or the horizon's last."""
        m = self.plan.model
        return m.policy.year if m.policy.year in m.years else m.years[-1]

    def at_year_end(self, year: int) -> str | None:
        """The last period of ``year`` inside the horizon (None for a year outside it)."""
        m = self.plan.model
        return m.periods[m.cal.year_ends[m.years.index(year)]] if year in m.years else None

    def bottleneck_in(self, year: int) -> tuple[str | None, float]:
        """Bottleneck item and its days of war at the end of ``year``."""
        period = self.at_year_end(year)
        if period is None or self.bottleneck.empty:
            return None, math.nan
        row = self.bottleneck.set_index("period").loc[period]
        return row["item"], float(row["days"])

    def summary(self) -> dict:
        """Machine-readable headline of the assessment."""
        year = self.year
        item, days = self.bottleneck_in(year)
        return {
            "customer": self.customer,
            "readiness_threshold": self.readiness.threshold,
            "readiness_date": self.readiness.period,
            "readiness_by_category": self.readiness.by_category,
            "sustainment_goal_days": self.goal_days,
            "bottleneck_year": year,
            "bottleneck_item": item,
            "bottleneck_days": round(days, 1) if math.isfinite(days) else None,
        }


def assess(plan: Plan) -> Assessment:
    """Assess a plan with the scenario's assessment settings."""
    m = plan.model
    pol = m.policy
    k = pol.customer
    flow = inflows(plan, k, pol.surge)
    sust = sustainment_table(plan, k, flow)
    interceptors, attacks = air_defence_tables(plan, k, pol.goal_days, flow, sust)
    return Assessment(
        plan=plan,
        customer=m.customers[k],
        readiness=readiness(plan, m.customers[k], pol.threshold),
        coverage=coverage_table(plan, m.customers[k]),
        sustainment=sust,
        bottleneck=bottlenecks(sust, m.periods),
        interceptors=interceptors,
        attacks=attacks,
        goal_days=pol.goal_days,
    )


__all__ = ["Assessment", "Readiness", "assess"]
