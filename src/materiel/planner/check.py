"""Independent plan checker: re-verifies a plan's tables against the scenario with plain numpy.

It shares nothing with the LP formulation; it recomputes capacity, stock and money from the
orders, investments and funding tables. Tests use it on every solved plan, and users run
``materiel check`` on a plan they edited by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scenario.compiled import ModelData

REL, ABS = 1e-6, 1e-4


@dataclass(frozen=True)
class Violation:
    """One broken rule, in the scenario's terms."""

    rule: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule} — {self.where}: {self.detail}"


def _over(lhs: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    return lhs > rhs + REL * np.abs(rhs) + ABS


class _Index:
    """Maps table columns of ids to array indices, reporting unknown ids."""

    def __init__(self, m: ModelData, out: list[Violation]) -> None:
        self.out = out
        self.maps = {
            "line": {v: n for n, v in enumerate(m.lines)},
            "customer": {v: n for n, v in enumerate(m.customers)},
            "fund": {v: n for n, v in enumerate(m.funds)},
            "period": {v: n for n, v in enumerate(m.periods)},
        }

    def __call__(self, table: pd.DataFrame, name: str, column: str) -> np.ndarray:
        if column not in table.columns:
            self.out.append(Violation("table", name, f"missing column {column!r}"))
            return np.full(len(table), -1)
        mapping = self.maps[column]
        idx = table[column].astype(str).map(mapping).fillna(-1).astype(int).to_numpy()
        for bad in sorted(set(table[column].astype(str)[idx < 0])):
            self.out.append(Violation("table", f"{name}.{column}", f"unknown {column} {bad!r}"))
        return idx


def _years(funding: pd.DataFrame, m: ModelData, out: list[Violation]) -> np.ndarray:
    """Index into the horizon's years of each funding row (-1, with a violation, if outside)."""
    if "year" not in funding:
        out.append(Violation("table", "funding", "missing column 'year'"))
        return np.full(len(funding), -1)
    years = pd.to_numeric(funding["year"], errors="coerce").fillna(-1).astype(int).to_numpy()
    index = np.where(np.isin(years, m.years), years - m.years[0], -1)
    for bad in sorted(set(funding["year"].astype(str)[index < 0])):
        out.append(Violation("table", "funding.year", f"year {bad!r} is not in the horizon {m.years[0]}–{m.years[-1]}"))
    return index


def rebuild_stock(m: ModelData, orders: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stock (K, I, T) and unmet use from orders (L, K, T), lead times, losses and use."""
    K, I, T = m.target.shape
    deliveries = np.zeros((K, I, T))
    for l in range(len(m.lines)):
        lead = int(m.lead[l])
        if lead < T:
            deliveries[:, m.line_item[l], lead:] += orders[l, :, : T - lead]
    keep = (1 - m.loss)[None, :]
    stock = np.zeros((K, I, T))
    unmet = np.zeros((K, I, T))
    prev = m.stock0.copy()
    for t in range(T):
        level = keep * prev + deliveries[:, :, t] - m.use[:, :, t]
        unmet[:, :, t] = np.maximum(0.0, -level)
        stock[:, :, t] = np.maximum(0.0, level)
        prev = stock[:, :, t]
    return stock, unmet


def check_plan(
    m: ModelData,
    orders: pd.DataFrame,
    investments: pd.DataFrame,
    funding: pd.DataFrame,
    stock: pd.DataFrame | None = None,
) -> list[Violation]:
    """Every violated rule of the scenario by the plan's tables (empty list: the plan is valid)."""
    out: list[Violation] = []
    ix = _Index(m, out)
    L, K, T = len(m.lines), len(m.customers), m.T
    F, Y = len(m.funds), len(m.years)
    P, ppy = m.periods, m.cal.per_year

    # -- orders and investments on the grid ----------------------------------------------------
    x = np.zeros((L, K, T))
    ol, ok, ot = ix(orders, "orders", "line"), ix(orders, "orders", "customer"), ix(orders, "orders", "period")
    good = (ol >= 0) & (ok >= 0) & (ot >= 0)
    qty = orders["quantity"].to_numpy(dtype=float) if "quantity" in orders else np.zeros(len(orders))
    if (qty < -ABS).any():
        out.append(Violation("orders", "orders.quantity", "negative order quantities"))
    np.add.at(x, (ol[good], ok[good], ot[good]), qty[good])
    e = np.zeros((L, T))
    il, it = ix(investments, "investments", "line"), ix(investments, "investments", "period")
    goodi = (il >= 0) & (it >= 0)
    added = (
        investments["added_per_year"].to_numpy(dtype=float) / ppy
        if "added_per_year" in investments
        else np.zeros(len(investments))
    )
    np.add.at(e, (il[goodi], it[goodi]), added[goodi])

    # -- lead and build times: nothing ordered or built that would arrive after the horizon -----
    t = np.arange(T)
    late = (x.sum(axis=1) > ABS) & (t[None, :] + m.lead[:, None] >= T)
    for l, tt in zip(*np.nonzero(late), strict=True):
        out.append(
            Violation(
                "lead time", f"{m.lines[l]} {P[tt]}", f"order would arrive after the horizon (lead {m.lead[l]} periods)"
            )
        )
    if "delivery_period" in orders:
        expect = np.where(good, ot + m.lead[np.maximum(ol, 0)], -1)
        got = orders["delivery_period"].astype(str).map({p: n for n, p in enumerate(P)}).fillna(-2).to_numpy()
        for n in np.nonzero(good & (expect < T) & (got != expect))[0]:
            out.append(
                Violation(
                    "lead time",
                    f"{orders['line'].iat[n]} {orders['period'].iat[n]}",
                    f"delivery in {orders['delivery_period'].iat[n]}, but lead time {m.lead[ol[n]]} periods means {P[expect[n]]}",
                )
            )

    # -- capacity, expansion, shares -----------------------------------------------------------
    Kadd = np.zeros((L, T))
    for l in range(L):
        b = int(m.build[l])
        if b < T:
            Kadd[l, b:] = np.cumsum(e[l])[: T - b]
    for l, tt in zip(*np.nonzero(_over(e, np.broadcast_to(m.emax[:, None], e.shape))), strict=True):
        out.append(
            Violation(
                "expansion limit",
                f"{m.lines[l]} {P[tt]}",
                f"adds {e[l, tt] * ppy:,.1f}/year, limit {m.emax[l] * ppy:,.1f}/year per period",
            )
        )
    total = m.cap + Kadd
    used = x.sum(axis=1)
    for l, tt in zip(*np.nonzero(_over(used, total)), strict=True):
        out.append(
            Violation(
                "capacity", f"{m.lines[l]} {P[tt]}", f"orders {used[l, tt]:,.1f} exceed capacity {total[l, tt]:,.1f}"
            )
        )
    limit = m.share[:, :, None] * total[:, None, :]
    for l, k, tt in zip(*np.nonzero(_over(x, limit) & (m.share[:, :, None] < 1)), strict=True):
        out.append(
            Violation(
                "customer share",
                f"{m.lines[l]} {m.customers[k]} {P[tt]}",
                f"takes {x[l, k, tt]:,.1f}, at most {limit[l, k, tt]:,.1f} ({m.share[l, k]:.0%})",
            )
        )
    for l, k, tt in zip(*np.nonzero(x < m.committed - REL * m.committed - ABS), strict=True):
        out.append(
            Violation(
                "commitment",
                f"{m.lines[l]} {m.customers[k]} {P[tt]}",
                f"orders {x[l, k, tt]:,.1f} below the contracted {m.committed[l, k, tt]:,.1f}",
            )
        )

    # -- money: eligibility, payment, budgets --------------------------------------------------
    fl, ff = ix(funding, "funding", "line"), ix(funding, "funding", "fund")
    fy = _years(funding, m, out)
    purpose = funding["purpose"].astype(str).to_numpy() if "purpose" in funding else np.full(len(funding), "orders")
    is_order = purpose == "orders"
    fk = np.full(len(funding), -1)
    if is_order.any():
        fk[is_order] = ix(funding[is_order], "funding", "customer")
    amount = funding["amount"].to_numpy(dtype=float) if "amount" in funding else np.zeros(len(funding))
    paid = np.zeros((L, K, Y))
    paid_capex = np.zeros((L, Y))
    spent = np.zeros((F, Y))
    for n in range(len(funding)):
        f, l, y = ff[n], fl[n], fy[n]
        if min(f, l, y) < 0:
            continue
        spent[f, y] += amount[n]
        if is_order[n]:
            k = fk[n]
            if k < 0:
                continue
            if not m.eligible[f, l, k]:
                out.append(
                    Violation(
                        "eligibility",
                        f"{m.funds[f]} → {m.lines[l]} for {m.customers[k]} {m.years[y]}",
                        "this fund may not pay for these orders",
                    )
                )
            paid[l, k, y] += amount[n]
        else:
            if not m.eligible_capex[f, l]:
                out.append(
                    Violation(
                        "eligibility",
                        f"{m.funds[f]} → capacity on {m.lines[l]} {m.years[y]}",
                        "this fund may not pay for capacity on this line",
                    )
                )
            paid_capex[l, y] += amount[n]
    owed = np.zeros((L, K, Y))
    np.add.at(owed.T, m.year_index, (m.price[:, None, :] * x).T)
    bad = np.abs(paid - owed) > REL * np.abs(owed) + 1.0
    for l, k, y in zip(*np.nonzero(bad), strict=True):
        out.append(
            Violation(
                "payment",
                f"{m.lines[l]} {m.customers[k]} {m.years[y]}",
                f"paid {paid[l, k, y]:,.0f}, orders cost {owed[l, k, y]:,.0f} {m.currency}",
            )
        )
    owed_capex = np.zeros((L, Y))
    np.add.at(owed_capex.T, m.year_index, (m.capex[:, None] * e).T)
    bad = np.abs(paid_capex - owed_capex) > REL * np.abs(owed_capex) + 1.0
    for l, y in zip(*np.nonzero(bad), strict=True):
        out.append(
            Violation(
                "payment",
                f"capacity on {m.lines[l]} {m.years[y]}",
                f"paid {paid_capex[l, y]:,.0f}, investment costs {owed_capex[l, y]:,.0f} {m.currency}",
            )
        )
    for f in range(F):
        available = 0.0
        for y in range(Y):
            budget = m.budget[f, y]
            available = available + budget if m.carry[f] else budget
            if spent[f, y] > available + REL * available + 1.0:
                out.append(
                    Violation(
                        "budget",
                        f"{m.funds[f]} {m.years[y]}",
                        f"spent {spent[f, y]:,.0f} of {available:,.0f} {m.currency} available",
                    )
                )
            if spent[f, y] < m.min_spend[f] * budget - REL * budget - 1.0:
                out.append(
                    Violation(
                        "minimum spend",
                        f"{m.funds[f]} {m.years[y]}",
                        f"spent {spent[f, y]:,.0f}, must spend {m.min_spend[f] * budget:,.0f}",
                    )
                )
            if m.carry[f]:
                available -= spent[f, y]

    # -- stock balance -------------------------------------------------------------------------
    if stock is not None and len(stock):
        sk, sp = ix(stock, "stock", "customer"), ix(stock, "stock", "period")
        item_ix = {v: n for n, v in enumerate(m.items)}
        si = stock["item"].astype(str).map(item_ix).fillna(-1).astype(int).to_numpy()
        rebuilt, _ = rebuild_stock(m, x)
        okr = (sk >= 0) & (sp >= 0) & (si >= 0)
        claimed = stock["stock"].to_numpy(dtype=float)
        truth = np.full(len(stock), np.nan)
        truth[okr] = rebuilt[sk[okr], si[okr], sp[okr]]
        wrong = okr & (np.abs(claimed - truth) > REL * np.abs(truth) + 1e-3)
        for n in np.nonzero(wrong)[0]:
            out.append(
                Violation(
                    "stock balance",
                    f"{stock['customer'].iat[n]} {stock['item'].iat[n]} {stock['period'].iat[n]}",
                    f"table says {claimed[n]:,.2f}, deliveries, losses and use give {truth[n]:,.2f}",
                )
            )
    return out
