"""Air defence against the scenario's threat: interceptor demand, days to exhaustion, and the
share of attacks that can be engaged (and destroyed) with what is held.

For interceptor type i: demand per month = Σ_a rate_a · share_{a,i} · per_attack_{a,i}, a month
being 365/12 days (the one calendar of ``scenario.units``), with the attack rates of the period the
war starts after. Over the sustainment goal of G days, what is available is the stock plus
production arriving within G days, and for an interceptor fired by systems no more than they can
fire in G days (``fire.usable``); coverage_i = min(1, available_i / (demand_i/day · G)). An attack a is engaged in the share
Σ_i share_{a,i} · coverage_i of launches and destroyed in Σ_i share_{a,i} · coverage_i · p_kill_{a,i}.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..planner.result import Plan
from .fire import fire_per_day, usable
from .measures import DAYS_PER_MONTH


def _arrived_within(flow: np.ndarray, horizon_days: float) -> np.ndarray:
    """Units arriving in the first ``horizon_days`` from per-day inflow (last axis, days)."""
    whole = int(horizon_days)
    out = flow[..., : min(whole, flow.shape[-1])].sum(axis=-1)
    if horizon_days > flow.shape[-1]:
        out = out + flow[..., -1] * (horizon_days - flow.shape[-1])
    elif horizon_days > whole:
        out = out + flow[..., whole] * (horizon_days - whole)
    return out


def air_defence_tables(
    plan: Plan, customer: int, goal_days: float, flow: np.ndarray, sustainment: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(interceptors, attacks) tables per period; empty when the scenario has no threat."""
    m = plan.model
    th = m.threat
    if th is None:
        return pd.DataFrame(), pd.DataFrame()
    demand_day = th.demand_per_day(len(m.items))  # (I, T)
    types = np.flatnonzero((demand_day > 0).any(axis=1))
    stock = plan.stock_of(m.customers[customer])
    arrived = _arrived_within(flow, goal_days)  # (T, I)
    fire = fire_per_day(m, stock)
    available = usable(m, stock + arrived.T, fire, goal_days)  # (I, T): what the systems can fire of it
    need = demand_day * goal_days
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a need of 1e-300 is covered
        cover = np.where(need > 0, np.minimum(1.0, available / np.where(need > 0, need, 1)), 1.0).T  # (T, I)
    days = sustainment.set_index(["item", "period"])["days"]
    rows = []
    for t, period in enumerate(m.periods):
        for i in types:
            rows.append(
                (
                    period,
                    m.items[i],
                    demand_day[i, t] * DAYS_PER_MONTH,
                    stock[i, t],
                    arrived[t, i],
                    days.get((m.items[i], period), np.inf),
                    cover[t, i],
                    fire[i, t],
                    available[i, t],
                )
            )
    interceptors = pd.DataFrame(
        rows,
        columns=[
            "period",
            "item",
            "demand_per_month",
            "stock",
            "arriving_within_goal",
            "days_to_exhaustion",
            "coverage_of_goal",
            "fire_per_day",
            "can_fire_within_goal",
        ],
    )
    if not m.fire.limited.any():
        interceptors = interceptors.drop(columns=["fire_per_day", "can_fire_within_goal"])
    engaged = np.zeros((m.T, len(th.attacks)))
    killed = np.zeros((m.T, len(th.attacks)))
    np.add.at(engaged.T, th.attack, (th.share[:, None] * cover[:, th.item].T))
    np.add.at(killed.T, th.attack, (th.share[:, None] * th.p_kill[:, None] * cover[:, th.item].T))
    rows = []
    for t, period in enumerate(m.periods):
        rate = th.rate[:, t]
        for a, name in enumerate(th.attacks):
            rows.append((period, name, rate[a] * DAYS_PER_MONTH, engaged[t, a], killed[t, a]))
        total = rate.sum()
        if total > 0:
            rows.append(
                (
                    period,
                    "all",
                    total * DAYS_PER_MONTH,
                    float(rate @ engaged[t]) / total,
                    float(rate @ killed[t]) / total,
                )
            )
    attacks = pd.DataFrame(rows, columns=["period", "attack", "launches_per_month", "engaged_share", "destroyed_share"])
    return interceptors, attacks
