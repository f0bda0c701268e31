"""What a plan is worth: readiness, sustainment, the bottleneck, air defence (docs/assessment.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..fmt import share
from ..planner.result import Plan
from ..scenario.names import names
from .airdefence import air_defence_tables
from .dates import time_to_target
from .fire import fire_statement, fire_table, systems_text
from .readiness import Readiness, coverage_tables, readiness
from .sustainment import bottlenecks, inflows, sustainment_table


@dataclass
class Assessment:
    """Readiness, sustainment and air defence of one plan for one customer."""

    plan: Plan
    customer: str
    readiness: Readiness
    coverage: pd.DataFrame  # categories × periods
    item_coverage: pd.DataFrame  # items × periods (items with a target)
    blocked: pd.DataFrame  # categories × periods: a critical item is below its minimum
    fire: pd.DataFrame  # per period and munition fired by systems: what they can fire (empty if none)
    sustainment: pd.DataFrame  # item × period: days alone and with production
    bottleneck: pd.DataFrame  # per period: the item that runs out first
    interceptors: pd.DataFrame  # per period and interceptor type
    attacks: pd.DataFrame  # per period and attack type
    goal_days: float
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)  # dates.time_to_target

    def __repr__(self) -> str:
        from ..api import assessment_repr

        return assessment_repr(self)

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

    def critical_items(self) -> pd.DataFrame:
        """Critical items with their minimum coverage, their coverage at the end of the sustainment
        year and the date from which they keep their minimum."""
        m = self.plan.model
        period = self.at_year_end(self.year)
        rows = [
            (
                m.items[i],
                m.item_category[i],
                float(m.fire.min_coverage[i]),
                float(self.item_coverage.loc[m.items[i], period]) if m.items[i] in self.item_coverage.index else None,
                self.readiness.by_item.get(m.items[i]),
            )
            for i in np.flatnonzero(~np.isnan(m.fire.min_coverage))
        ]
        return pd.DataFrame(rows, columns=["item", "category", "min_coverage", f"coverage {self.year}", "ready from"])

    def item_table(self) -> pd.DataFrame:
        """One row per item with a target: category, weight and its rationale, minimum coverage if
        critical, coverage at the end of the sustainment year and the date from which it holds."""
        m = self.plan.model
        period = self.at_year_end(self.year)
        ix = {name: i for i, name in enumerate(m.items)}
        rows = []
        for name, coverage in self.item_coverage[period].items():
            i = ix[name]
            minimum = m.fire.min_coverage[i]
            rows.append(
                (
                    name,
                    m.item_category[i],
                    float(m.item_weight[i]),
                    m.scenario.items[i].weight_rationale or "",
                    None if np.isnan(minimum) else float(minimum),
                    float(coverage),
                    self.readiness.by_item.get(name),
                )
            )
        columns = ["item", "category", "weight", "weight rationale", "critical minimum", f"coverage {self.year}"]
        return pd.DataFrame(rows, columns=[*columns, "ready from"])

    def held_back(self) -> list[str]:
        """'Air-defence interceptors (…): PAC-3 MSE interceptor at 55 % of target, below its minimum of
        90 %', for each critical item holding its category back at the end of the sustainment year
        (the category's and the item's names)."""
        m = self.plan.model
        n = names(m.scenario)
        period = self.at_year_end(self.year)
        out = []
        for i in np.flatnonzero(~np.isnan(m.fire.min_coverage)):
            name = m.items[i]
            if name not in self.item_coverage.index:
                continue
            coverage, minimum = float(self.item_coverage.loc[name, period]), float(m.fire.min_coverage[i])
            if coverage < minimum - 1e-6:
                out.append(
                    f"{n.category(m.item_category[i])}: {n.item(name)} at {share(coverage)} of target, "
                    f"below its minimum of {share(minimum)}"
                )
        return out

    def fire_statements(self) -> list[str]:
        """'pac-3: 1,200 held, 640 can be fired by 5 patriot-battery in 90 days', at the end of the
        sustainment year, for each munition fired by systems."""
        if self.fire.empty:
            return []
        period = self.at_year_end(self.year)
        rows = self.fire[self.fire["period"] == period]
        return [fire_statement(row, self.goal_days) for _, row in self._named(rows, period).iterrows()]

    def _named(self, rows: pd.DataFrame, period: str) -> pd.DataFrame:
        """Fire rows with the munition and the systems by name, for sentences (the table keeps ids)."""
        m = self.plan.model
        n = names(m.scenario)
        labels = [n.item(i) for i in m.items]
        held = self.plan.stock_of(self.customer)[:, m.periods.index(period)]
        return rows.assign(
            item=[n.item(i) for i in rows["item"]],
            systems=[systems_text(m, m.items.index(i), held, labels) for i in rows["item"]],
        )

    def time_to_target(self) -> pd.DataFrame:
        """Per item: when its stock holds its whole target, within its period, and the production
        needed to hold it at the end of the sustainment year against today's (assessment/dates.py)."""
        return self.targets

    def summary(self) -> dict:
        """Machine-readable headline of the assessment."""
        year = self.year
        item, days = self.bottleneck_in(year)
        period = self.at_year_end(year)
        fire = self.fire[self.fire["period"] == period] if not self.fire.empty else self.fire
        return {
            "customer": self.customer,
            "readiness_threshold": self.readiness.threshold,
            "readiness_date": self.readiness.period,
            "readiness_by_category": self.readiness.by_category,
            "readiness_by_item": self.readiness.by_item,
            "critical_items": {
                row["item"]: {"min_coverage": row["min_coverage"], "ready_from": row["ready from"]}
                for _, row in self.critical_items().iterrows()
            },
            "sustainment_goal_days": self.goal_days,
            "bottleneck_year": year,
            "bottleneck_item": item,
            "bottleneck_days": round(days, 1) if math.isfinite(days) else None,
            "time_to_target": _time_to_target_json(self.time_to_target()),
            "can_fire": [
                {
                    "item": row["item"],
                    "period": period,
                    "held": round(float(row["stock"]), 3),
                    "systems": row["systems"],
                    "rounds_per_day": round(float(row["fire_per_day"]), 3),
                    "can_fire_within_goal": round(float(row["can_fire_within_goal"]), 3),
                    "statement": statement,
                }
                for (_, row), statement in zip(fire.iterrows(), self.fire_statements(), strict=True)
            ],
        }


def _time_to_target_json(table: pd.DataFrame) -> dict[str, dict]:
    """Per item: months to target (None: never within the horizon), the month it is reached, and
    the production needed by the date against today's (None: nothing to take today)."""

    def number(v: float, digits: int) -> float | None:
        return round(float(v), digits) if math.isfinite(v) else None

    return {
        r.item: {
            "months_to_target": number(r.months_to_target, 2),
            "at_target_from": r.at_target_from,
            "runs_out": r.runs_out_month,
            "by": r.by,
            "needed_per_month": number(r.needed_per_month, 3),
            "current_per_month": number(r.current_per_month, 3),
            "times_current": number(r.times_current, 3),
        }
        for r in table.itertuples()
    }


def assess(plan: Plan) -> Assessment:
    """Assess a plan with the scenario's assessment settings."""
    m = plan.model
    pol = m.policy
    k = pol.customer
    flow = inflows(plan, k, pol.surge)
    sust = sustainment_table(plan, k, flow)
    interceptors, attacks = air_defence_tables(plan, k, pol.goal_days, flow, sust)
    grid, coverage, item_coverage = coverage_tables(plan, m.customers[k])
    blocked = pd.DataFrame(grid.blocked, index=pd.Index(m.categories, name="category"), columns=m.periods)
    return Assessment(
        plan=plan,
        customer=m.customers[k],
        readiness=readiness(plan, m.customers[k], pol.threshold),
        coverage=coverage,
        item_coverage=item_coverage,
        blocked=blocked.loc[coverage.index],
        fire=fire_table(m, plan.stock_of(m.customers[k]), pol.goal_days),
        sustainment=sust,
        bottleneck=bottlenecks(sust, m.periods),
        interceptors=interceptors,
        attacks=attacks,
        goal_days=pol.goal_days,
        targets=time_to_target(plan, m.customers[k], pol.year if pol.year in m.years else m.years[-1]),
    )


__all__ = ["Assessment", "Readiness", "assess"]
