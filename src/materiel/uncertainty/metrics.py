"""What a sweep keeps of each draw, computed straight from the solution vector (no tables), with
the same definitions as the assessment (docs/assessment.md)."""

from __future__ import annotations

import math

import numpy as np

from ..assessment.fire import fire_limited_days, fire_per_day
from ..assessment.measures import days_until_empty_daily
from ..assessment.readiness import coverage_grid, readiness_index
from ..assessment.sustainment import war_inflow
from ..planner.formulation import Formulation, money_by_fund
from ..scenario.compiled import ModelData


def draw_metrics(m: ModelData, form: Formulation, solution: np.ndarray) -> dict[str, float | str | None]:
    """Headline results of one draw: cost, readiness, the bottleneck, coverage over time and the
    shortfall by category at the end of each year (for the assessed customer)."""
    pol = m.policy
    k = pol.customer
    v = form.var
    stock = v.s.values(solution)[k]  # (I, T)
    grid = coverage_grid(m, stock, k, pol.goal_days)
    coverage = grid.category  # (C, T)
    ready = readiness_index(grid, pol.threshold)
    money = money_by_fund(m, v, solution)
    out: dict[str, float | str | None] = {
        "total_cost": float(money.sum() * form.money_unit),
        "envelope_cost_per_year": float(money[pol.envelope].sum() * form.money_unit / len(m.years)),
        "readiness_index": float(ready) if ready is not None else math.nan,
        "readiness_date": m.periods[ready] if ready is not None else None,
    }
    year = pol.year if pol.year in m.years else m.years[-1]
    t = m.cal.year_ends[m.years.index(year)]
    items = np.flatnonzero((m.wartime > 0).any(axis=1))
    if items.size:
        x = v.x.values(solution)
        added = v.K.values(solution)
        pool_left = m.transfers.stored - x.sum(axis=(1, 2))
        drawn = v.d.values(solution)
        flow = war_inflow(m, x[:, k, :], added, k, pol.surge, np.array([t]), pool_left, drawn)[0]
        use = m.wartime[items, t]
        days = days_until_empty_daily(stock[items, t], use, flow[items])
        days = fire_limited_days(days, use, fire_per_day(m, stock)[items, t], pol.goal_days)
        worst = int(np.argmin(days))
        out["bottleneck_item"] = m.items[items[worst]]
        out["bottleneck_days"] = float(days[worst])
    low = np.nanmin(np.where(np.isnan(coverage), np.inf, coverage), axis=0)
    for n, period in enumerate(m.periods):
        out[f"coverage:{period}"] = float(low[n]) if np.isfinite(low[n]) else math.nan
    for c, cat in enumerate(m.categories):
        for tt, yy in zip(m.cal.year_ends, m.years, strict=True):
            out[f"shortfall:{cat}:{yy}"] = 1 - float(coverage[c, tt]) if not np.isnan(coverage[c, tt]) else math.nan
    return out
