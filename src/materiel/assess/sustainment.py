"""Sustainment: how many days of high-intensity war each item's stock lasts, alone and with the
production that can still arrive during the fight; the bottleneck is the item that runs out first.

If a war starts after period t, inflow during the fight is (per later period τ):
  pipeline(τ) = deliveries of orders placed up to t that arrive in τ, and
  surge(τ)    = Σ_l share(l,k)·capacity(l, τ − lead(l)) for new orders placed after t,
both spread evenly over the period's days; after the horizon the capacity of its last period
continues. Peacetime use stops and wartime use takes over.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..plan.result import Plan
from .measures import days_until_empty


def _orders_grid(plan: Plan) -> np.ndarray:
    """(L, K, T) order quantities from the plan's table."""
    m = plan.model
    x = np.zeros((len(m.lines), len(m.customers), m.T))
    o = plan.orders
    if len(o):
        li = pd.Index(m.lines).get_indexer(o["line"])
        ki = pd.Index(m.customers).get_indexer(o["customer"])
        ti = pd.Index(m.periods).get_indexer(o["period"])
        np.add.at(x, (li, ki, ti), o["quantity"].to_numpy())
    return x


def _added_capacity(plan: Plan) -> np.ndarray:
    """(L, T) capacity added by the plan's investments."""
    m = plan.model
    cap = plan.capacity
    added = np.zeros((len(m.lines), m.T))
    li = pd.Index(m.lines).get_indexer(cap["line"])
    ti = pd.Index(m.periods).get_indexer(cap["period"])
    added[li, ti] = cap["added_per_year"].to_numpy() / m.cal.per_year
    return added


def inflows(plan: Plan, customer: int, surge: bool) -> tuple[np.ndarray, float]:
    """Inflow per day (T start periods × I items × S segments) and the segment length in days.

    Segment s of start period t is period t + 1 + s; segments past the horizon carry the
    last period's capacity.
    """
    m = plan.model
    T, I, L = m.T, len(m.items), len(m.lines)
    x = _orders_grid(plan)[:, customer, :]
    total_cap = m.cap + _added_capacity(plan)
    S = T + int(m.lead.max(initial=0)) + 1
    days = 365.0 / m.cal.per_year
    flow = np.zeros((T, I, S))
    t = np.arange(T)[:, None]
    s = np.arange(S)[None, :]
    tau = t + 1 + s  # (T, S) period of each segment
    for l in range(L):
        i, lead = m.line_item[l], int(m.lead[l])
        ordered = tau - lead  # when the delivery was ordered
        placed = np.where((ordered >= 0) & (ordered <= t) & (ordered < T), x[l, np.clip(ordered, 0, T - 1)], 0.0)
        flow[:, i, :] += placed
        if surge and m.share[l, customer] > 0:
            cap = total_cap[l, np.clip(ordered, 0, T - 1)] * m.share[l, customer]
            flow[:, i, :] += np.where(ordered > t, cap, 0.0)
    return flow / days, days


def sustainment_table(plan: Plan, customer: int, surge: bool = True) -> pd.DataFrame:
    """Per item with a wartime use and per period: days alone, and days with production."""
    m = plan.model
    use = m.wartime_use
    items = np.flatnonzero(use > 0)
    st = plan.stock[plan.stock["customer"] == m.customers[customer]]
    stock = st["stock"].to_numpy().reshape(len(m.items), m.T)  # stock table is item-major
    flow, days = inflows(plan, customer, surge)
    rows = []
    for t in range(m.T):
        alone = days_until_empty(stock[items, t], use[items])
        with_prod = days_until_empty(stock[items, t], use[items], flow[t, items, :], days)
        for n, i in enumerate(items):
            rows.append(
                (
                    m.items[i],
                    m.item_category[i],
                    m.periods[t],
                    int(m.cal.year_of[t]),
                    stock[i, t],
                    use[i],
                    alone[n],
                    with_prod[n],
                )
            )
    return pd.DataFrame(
        rows, columns=["item", "category", "period", "year", "stock", "use_per_day", "days_alone", "days"]
    )


def bottlenecks(table: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """Per period: the item that runs out first (with production) and its days."""
    if table.empty:
        return pd.DataFrame(
            {
                "period": periods,
                "year": [int(p[:4]) for p in periods],
                "item": None,
                "category": None,
                "days": np.inf,
                "days_alone": np.inf,
            }
        )
    idx = table.groupby("period", sort=False)["days"].idxmin()
    out = table.loc[idx, ["period", "year", "item", "category", "days", "days_alone"]].set_index("period")
    return out.reindex(periods).reset_index()
