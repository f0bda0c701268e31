"""Sustainment: how many days of high-intensity war each item's stock lasts, alone and with the
production that can still arrive during the fight; the bottleneck is the item that runs out first.

If a war starts after period t, inflow during the fight (per day) is the pipeline — deliveries of
orders placed and transfers made up to t, spread over their period's days — plus surge: new orders up to the
customer's share of each line's capacity, arriving after the line's lead time in days. Peacetime
use stops and wartime use takes over. A munition fired by systems counts only what they can fire
(docs/assessment.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..planner.result import Plan
from ..scenario.compiled import ModelData
from ..scenario.components import supply_factor
from .fire import fire_limited_days, fire_per_day
from .measures import days_until_empty, days_until_empty_daily


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


def war_inflow(
    m: ModelData,
    orders: np.ndarray,
    added: np.ndarray,
    customer: int,
    surge: bool,
    starts: np.ndarray,
    pool_left: np.ndarray | None = None,
    drawn: np.ndarray | None = None,
) -> np.ndarray:
    """Units arriving per day of a war that starts after each period in ``starts``:
    (starts × items × days).

    ``orders`` (L × T) are the customer's orders and ``added`` (L × T) the capacity investments add.
    Pipeline deliveries (orders placed up to t, on the plan's periods) are spread over their
    period's days. Surge orders can be placed from the war's first day, up to the customer's share
    of each line's capacity (base plus added, of the period the order is placed in, as far as its
    components allow: ``components.supply_factor``; the last
    period's after the horizon), and arrive after the line's lead time in days (not rounded up to
    whole periods). After the last day of the grid the last day's inflow continues. A refurbishment
    line surges only until its stored pool is used up: ``pool_left`` (L,) is what the plan leaves in
    storage (by default its stored pool less ``orders``). ``drawn`` (J × T) are the transfers from
    donors' stocks: those made up to t and delivered later are pipeline too.
    """
    T, I, L = m.T, len(m.items), len(m.lines)
    total_cap = (m.cap + added) * supply_factor(m.component, m.need, m.line_item, m.cap + added)
    per_day = m.cal.days_per_period
    horizon = T + int(m.lead.max(initial=0)) + 1
    days = np.arange(int(np.ceil(horizon * per_day)))
    period_of_day = (days // per_day).astype(np.int64)  # 0 = the first war period
    starts = np.asarray(starts, dtype=np.int64)
    flow = np.zeros((starts.size, I, days.size))
    for l in range(L):
        i, lead = m.line_item[l], int(m.lead[l])
        # pipeline: an order placed in o ≤ t arrives in o + lead > t, i.e. war period o + lead − t − 1
        arrive = period_of_day[None, :] + starts[:, None] + 1 - lead  # (starts, D) order period
        placed = (arrive >= 0) & (arrive <= starts[:, None])
        flow[:, i, :] += np.where(placed, orders[l, np.clip(arrive, 0, T - 1)], 0.0) / per_day
        if surge and m.share[l, customer] > 0:
            when = days - m.lead_days[l]  # war day the order was placed
            order_period = np.clip(starts[:, None] + 1 + np.floor(when / per_day).astype(np.int64)[None, :], 0, T - 1)
            rate = np.where(when[None, :] >= 0, m.share[l, customer] * total_cap[l, order_period] / per_day, 0.0)
            if m.transfers.refurbished[l]:
                left = m.transfers.stored[l] - orders[l].sum() if pool_left is None else pool_left[l]
                rate = within_pool(rate, max(float(left), 0.0))
            flow[:, i, :] += rate
    if drawn is not None:
        flow += transfers_in_pipeline(m, drawn, customer, starts, period_of_day, per_day)
    return flow


def transfers_in_pipeline(
    m: ModelData, drawn: np.ndarray, customer: int, starts: np.ndarray, period_of_day: np.ndarray, per_day: float
) -> np.ndarray:
    """(starts × items × days) deliveries of the customer's transfers made up to each start and
    arriving in a later period, spread over their period's days (as orders in the pipeline)."""
    tr = m.transfers
    flow = np.zeros((starts.size, len(m.items), period_of_day.size))
    for j in np.flatnonzero(tr.customer == customer):
        made = period_of_day[None, :] + starts[:, None] + 1 - tr.delivery[j]  # period of the transfer
        placed = (made >= 0) & (made <= starts[:, None])
        flow[:, tr.item[j], :] += np.where(placed, drawn[j, np.clip(made, 0, m.T - 1)], 0.0) / per_day
    return flow


def within_pool(rate: np.ndarray, pool: float) -> np.ndarray:
    """Daily inflows (starts × days) cut so that their running total never exceeds ``pool``."""
    delivered = np.minimum(np.cumsum(rate, axis=1), pool)
    return np.diff(delivered, axis=1, prepend=0.0)


def inflows(plan: Plan, customer: int, surge: bool) -> np.ndarray:
    """War inflow (T starts × I items × D days) for the plan's customer orders and investments."""
    m = plan.model
    x = _orders_grid(plan)
    pool_left = m.transfers.stored - x.sum(axis=(1, 2))
    starts = np.arange(m.T)
    added = _added_capacity(plan)
    return war_inflow(m, x[:, customer, :], added, customer, surge, starts, pool_left, _drawn_grid(plan))


def _drawn_grid(plan: Plan) -> np.ndarray:
    """(J, T) transfers from the plan's drawdowns table."""
    m = plan.model
    drawn = np.zeros((m.transfers.J, m.T))
    d = plan.drawdowns
    if len(d):
        ji = pd.Index(m.transfers.ids).get_indexer(d["drawdown"])
        ti = pd.Index(m.periods).get_indexer(d["period"])
        np.add.at(drawn, (ji, ti), d["quantity"].to_numpy(dtype=float))
    return drawn


def sustainment_table(plan: Plan, customer: int, flow: np.ndarray) -> pd.DataFrame:
    """Per item with a wartime use and per period: days alone, and days with production.

    The wartime use is that of a war starting at the end of the period (it follows the threat). A
    munition fired by systems lasts at full use only as long as its systems can fire it
    (``fire.fire_limited_days``); the table then also gives the rounds a day they can fire.
    """
    m = plan.model
    items = np.flatnonzero((m.wartime > 0).any(axis=1))
    stock = plan.stock_of(m.customers[customer])
    fire = fire_per_day(m, stock)
    goal = m.policy.goal_days
    rows = []
    for t in range(m.T):
        use = m.wartime[items, t]
        alone = days_until_empty(stock[items, t], use)
        with_prod = days_until_empty_daily(stock[items, t], use, flow[t, items, :])
        alone = fire_limited_days(alone, use, fire[items, t], goal)
        with_prod = fire_limited_days(with_prod, use, fire[items, t], goal)
        for n, i in enumerate(items):
            rows.append(
                (
                    m.items[i],
                    m.item_category[i],
                    m.periods[t],
                    int(m.cal.year_of[t]),
                    stock[i, t],
                    use[n],
                    alone[n],
                    with_prod[n],
                    fire[i, t],
                )
            )
    table = pd.DataFrame(
        rows,
        columns=["item", "category", "period", "year", "stock", "use_per_day", "days_alone", "days", "fire_per_day"],
    )
    return table if m.fire.limited.any() else table.drop(columns="fire_per_day")


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
