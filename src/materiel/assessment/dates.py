"""Dates within a period: when a stock reaches its target or runs out, and how many times today's
production reaching the target by a date would take (docs/assessment.md, "Dates within a period").

The plan knows stock and target at the end of each period. Between two period ends both are taken to
move in a straight line, and the start of the horizon is a point too (the initial stock against the
first period's target). The date a stock reaches its target is where that line crosses it for good;
the date a stock runs out is where the stock, counting the use it could not cover as negative, first
crosses zero. A stock growing (or falling) at a constant rate is a straight line, so the months are
exact whatever the period length: the same plan in quarters and in months gives the same months.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..planner.result import Plan
from ..scenario.compiled import ModelData
from .fire import fire_per_day, usable

MONTHS_PER_YEAR = 12
TOLERANCE = 1e-6  # relative: a stock this close below its target has reached it (solver tolerance)


def reached(months: np.ndarray, gap: np.ndarray) -> float:
    """Months from which ``gap`` (stock − target at the points ``months``) stays at or above 0:
    0 if it never falls below, ``inf`` if it is below at the last point, else where the straight
    line between the last point below and the next crosses 0."""
    below = np.flatnonzero(np.asarray(gap) < 0)
    if not below.size:
        return 0.0
    j = int(below[-1])
    if j == len(gap) - 1:
        return math.inf
    return float(_zero(months[j], months[j + 1], gap[j], gap[j + 1]))


def runs_out(months: np.ndarray, level: np.ndarray) -> float:
    """Months at which ``level`` (at the points ``months``) first falls to 0 or below, between the
    two points around it in a straight line; ``inf`` if it never does, 0 if it starts there."""
    out = np.flatnonzero(np.asarray(level) <= 0)
    if not out.size:
        return math.inf
    j = int(out[0])
    if j == 0:
        return 0.0
    return float(_zero(months[j - 1], months[j], level[j - 1], level[j]))


def _zero(m0: float, m1: float, v0: float, v1: float) -> float:
    """Where the straight line through (m0, v0) and (m1, v1) is 0 (v0 and v1 of opposite signs)."""
    return m0 + (m1 - m0) * v0 / (v0 - v1)


def years_and_months(months: float) -> str:
    """'1 y 9.5 m', '10.0 m', 'never within the horizon'."""
    if not math.isfinite(months):
        return "never within the horizon"
    tenths = math.floor(months * 10 + 0.5)
    years, rest = divmod(tenths, 10 * MONTHS_PER_YEAR)
    return f"{years} y {rest / 10:.1f} m" if years else f"{rest / 10:.1f} m"


def calendar_month(m: ModelData, months: float) -> str | None:
    """The calendar month ('2027-10') in which the moment ``months`` after the horizon's start
    falls, a moment at the end of a month counting in that month; None for never."""
    if not math.isfinite(months):
        return None
    months_per_period = MONTHS_PER_YEAR // m.cal.per_year
    start = m.cal.start * months_per_period  # months since year 0 of the horizon's first month
    year, month = divmod(start + max(math.ceil(months - 1e-6) - 1, 0), MONTHS_PER_YEAR)
    return f"{year}-{month + 1:02d}"


def points(m: ModelData) -> np.ndarray:
    """(T + 1,) months from the horizon's start of its start and of each period's end."""
    return np.arange(m.T + 1) * (MONTHS_PER_YEAR / m.cal.per_year)


def _with_start(m: ModelData, start: np.ndarray, by_period: np.ndarray) -> np.ndarray:
    """(I, T + 1): the start of the horizon, then each period's end."""
    return np.concatenate([start[:, None], by_period], axis=1)


def current_rate(m: ModelData, customer: int) -> np.ndarray:
    """(I,) units a month the customer may take from today's lines: its share of each line's
    capacity in the first period, on lines some vehicle may pay for."""
    open_to = (m.share[:, customer] > 0) & m.eligible[:, :, customer].any(axis=0)
    per_line = np.where(open_to, m.share[:, customer] * m.cap[:, 0], 0.0) * m.cal.per_year / MONTHS_PER_YEAR
    out = np.zeros(len(m.items))
    np.add.at(out, m.line_item, per_line)
    return out


def time_to_target(plan: Plan, customer: str, year: int) -> pd.DataFrame:
    """Per item with a target for ``customer``: the months (and the calendar month) from which its
    usable stock holds its whole target, in years and months; when its stock runs out (peacetime use
    left uncovered); and the production a month needed to hold the target at the end of ``year``
    from the initial stock, against what the customer may take from today's lines (how many times)."""
    m = plan.model
    k = m.customers.index(customer)
    goal = m.policy.goal_days
    stock = plan.stock_of(customer)
    start = m.stock0[k]
    held = _with_start(
        m, usable(m, start, fire_per_day(m, start[:, None])[:, 0], goal), usable(m, stock, fire_per_day(m, stock), goal)
    )
    target = _with_start(m, m.target[k, :, 0], m.target[k])
    unmet = np.cumsum(plan.stock_of(customer, "unmet_use"), axis=1)
    level = _with_start(m, start, stock - unmet)
    at = points(m)
    t_end = m.cal.year_ends[m.years.index(year)] if year in m.years else m.T - 1
    by_months = float(at[t_end + 1])
    needed = np.maximum(m.target[k, :, t_end] + m.use[k, :, : t_end + 1].sum(axis=1) - start, 0.0) / by_months
    today = current_rate(m, k)
    rows = []
    for i in np.flatnonzero((m.target[k] > 0).any(axis=1)):
        months = reached(at, held[i] - target[i] * (1 - TOLERANCE))
        empty = runs_out(at, level[i]) if (m.use[k, i] > 0).any() else math.inf
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a capacity of 1e-300: inf
            ratio = needed[i] / today[i] if today[i] > 0 else (0.0 if needed[i] == 0 else math.inf)
        rows.append(
            {
                "item": m.items[i],
                "item_name": m.scenario.items[i].name,
                "months_to_target": months,
                "at_target_from": calendar_month(m, months),
                "time_to_target": years_and_months(months),
                "runs_out_month": calendar_month(m, empty),
                "by": m.periods[t_end],
                "needed_per_month": float(needed[i]),
                "current_per_month": float(today[i]),
                "times_current": float(ratio),
            }
        )
    table = pd.DataFrame(rows, columns=COLUMNS)
    for month in ("at_target_from", "runs_out_month"):  # None stays None (never), not NaN
        table[month] = pd.Series([r[month] for r in rows], dtype=object)
    return table


COLUMNS = [
    "item",
    "item_name",
    "months_to_target",
    "at_target_from",
    "time_to_target",
    "runs_out_month",
    "by",
    "needed_per_month",
    "current_per_month",
    "times_current",
]
