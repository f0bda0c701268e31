"""The planner's LP (docs/model.md): variables, one function per constraint family, objectives.

Every family is built from whole arrays; no Python loop runs over lines, customers or periods.
Money inside the LP is counted in a power of ten of the base currency (``money_unit``: millions
for the shipped scenarios), quantities in a power of ten per item (``item_scales``) and priority
weights relative to the least of them (``weight_unit``), to keep the numbers HiGHS sees near 1.

``FAMILIES`` is the registry of constraint families: each entry holds the family's builder, its
wording for infeasibility explanations (``wording``) and the independent checker's rule for it
(``check.RULES``); ``BOUNDS`` does the same for variable bounds that come from the user's input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..scenario.compiled import NEGLIGIBLE, ModelData
from . import check, wording
from .lp import INF, Block, LinearProgram

DIMS = {
    "x": ("line", "customer", "period"),
    "e": ("line", "period"),
    "K": ("line", "period"),
    "p": ("fund", "line", "customer", "year"),
    "q": ("fund", "line", "year"),
    "s": ("customer", "item", "period"),
    "u": ("customer", "item", "period"),
    "v": ("customer", "item", "period"),
    "c": ("fund", "year"),
    "r": ("customer", "item", "period"),
    "w": ("fund", "customer", "item", "year"),
    "d": ("drawdown", "period"),
    "z": ("line", "period"),
    "h": ("item", "period"),
}


@dataclass
class Variables:
    """The LP's variable blocks (docs/model.md, "Sets and variables")."""

    x: Block  # orders placed on line l for customer k in period t
    e: Block  # capacity added on l, started in t (per-period units)
    K: Block  # cumulative added capacity usable in t
    p: Block  # money from fund f for orders on l for k placed in year y
    q: Block  # money from fund f for capacity investment on l started in year y
    s: Block  # stock held by k of item i at the end of t
    u: Block  # shortfall of stock below target
    v: Block  # peacetime use that stock could not cover
    c: Block  # unspent money of fund f carried out of year y
    r: Block  # units of stock retired by k of item i in t (items with upkeep)
    w: Block  # money from fund f for the upkeep of k's stock of i in year y
    d: Block  # units transferred from drawdown j in t (delivered delivery(j) periods later)
    z: Block  # components whose production starts on line l in t (component lines only)
    h: Block  # component i held for the lines that need it at the end of t (components only)


@dataclass
class Formulation:
    """The built LP with its blocks and both objectives."""

    lp: LinearProgram
    var: Variables
    shortfall_cost: np.ndarray  # phase 1 objective (weighted relative shortfall, in weight units)
    money_cost: np.ndarray  # phase 2 objective (money, in money units)
    money_unit: float  # base-currency units per money unit (p, q and c are in money units)
    weight_unit: float = 1.0  # the scenario's priority weight that counts as 1 in shortfall_cost
    production_cost: np.ndarray | None = None  # phase 2's tie-break on components made (z)


# The largest price or capex per solver unit of quantity, in money units, that the money unit
# allows: HiGHS refuses matrix entries from 1e15 and loses precision well before.
LARGEST_PRICE = 1e9
# Capacity counts towards an item's scale up to this many times its largest demand figure: beyond
# that it is a loose bound, and letting it set the scale would shrink the stock and use that do
# matter below HiGHS's tolerance (measured: a stock of 1 beside a capacity of 1e10 a year).
CAPACITY_REACH = 1e4
# Phase 2 counts this many money units per solver unit of components made (z): among plans of
# least shortfall and money, no more components are made than lines use or hold for later. Above
# HiGHS's dual feasibility tolerance (1e-7) so that it steers, far below any price.
PRODUCTION_TIE = 1e-6
# At most 10⁴ units per solver unit: HiGHS's feasibility tolerance of 1e-7 solver units is then at
# most a thousandth of a unit, the checker's tolerance on stock (measured: with 10⁷, a target of 1e9
# beside a use of one a year left stock at −0.25). Figures up to 1e10 stay within 1e6 solver units.
LARGEST_ITEM_EXPONENT = 4


def priced_out(m: ModelData) -> tuple[np.ndarray, np.ndarray]:
    """Orders (L, K, T) and capacity starts (L, T) of which the funds that may pay for them could
    not afford a millionth of a unit with all their money over the horizon (commitments excepted).
    They are fixed at zero and their prices left out of the LP: a unit price of 1e11 beside a
    budget of a few euros would otherwise put 14 orders of magnitude into one row, and HiGHS then
    stops with an unknown status (measured)."""
    money = m.budget.sum(axis=1)  # (F,) everything each fund has
    for_orders = np.einsum("f,flk->lk", money, m.eligible.astype(float))
    orders = (for_orders[:, :, None] < NEGLIGIBLE * m.price[:, None, :]) & (m.committed <= 0)
    for_capex = money @ m.eligible_capex.astype(float)
    starts = np.broadcast_to((for_capex < NEGLIGIBLE * m.capex)[:, None], (len(m.lines), m.T))
    return orders, starts


def replacement_price(m: ModelData) -> np.ndarray:
    """(J, T) money the replacement of one unit transferred in each period costs: its line's price
    in the period it is paid (0 for a drawdown without replacement)."""
    tr = m.transfers
    if not len(m.lines):
        return np.zeros((tr.J, m.T))
    paid_in = tr.pay_period(m.T)
    return np.where(tr.replaced[:, None], m.price[tr.line[:, None], paid_in], 0.0)


def transfers_priced_out(m: ModelData) -> np.ndarray:
    """(J, T) transfers whose replacement the paying vehicle could not afford a millionth of with
    all its money: fixed at zero and left out of its budget row, like priced-out orders."""
    money = m.budget.sum(axis=1)[m.transfers.fund]  # (J,)
    return m.transfers.replaced[:, None] & (money[:, None] < NEGLIGIBLE * replacement_price(m))


def upkeep_per_period(m: ModelData) -> np.ndarray:
    """(I,) money per unit held per period."""
    return m.upkeep.cost / m.cal.per_year


def money_unit(m: ModelData) -> float:
    """Base-currency units per money unit in the LP: a power of ten that puts the largest yearly
    budget at or above 10³ money units, never coarser than millions (the unit of the shipped and
    benchmark scenarios, whose budgets run to billions) nor finer than thousandths of the currency
    (smaller budgets are as good as none) — unless a price or capex per solver unit of quantity
    would then exceed ``LARGEST_PRICE`` money units, when the unit is coarsened until it does not
    (a unit price of 1e11 beside a budget of a few euros). A fixed unit of a million would make a
    small scenario's money vanish below HiGHS's tolerances: a budget of a few euros is 10⁻⁷
    millions, and the solver may then overspend it unseen."""
    biggest = float(m.budget.max(initial=0.0))
    unit = 1e6 if biggest <= 0 else float(10.0 ** np.clip(np.floor(np.log10(biggest)) - 3, -3, 6))
    sigma_items = item_scales(m)
    sigma = sigma_items[m.line_item]
    orders, starts = priced_out(m)
    prices = np.where(orders, 0.0, m.price[:, None, :]) * sigma[:, None, None]
    capex = np.where(starts[:, 0], 0.0, m.capex) * sigma
    dearest = max(float(prices.max(initial=0.0)), float(capex.max(initial=0.0)), dearest_holding(m, sigma_items))
    if dearest / unit > LARGEST_PRICE:
        unit = float(10.0 ** np.ceil(np.log10(dearest / LARGEST_PRICE)))
    return unit


def dearest_holding(m: ModelData, sigma: np.ndarray) -> float:
    """The largest upkeep per period and replacement price per solver unit of quantity, in base
    currency (0 for a scenario without them): they enter money rows like prices."""
    upkeep = np.where(m.upkeep.declared, upkeep_per_period(m), 0.0) * sigma
    price = np.where(transfers_priced_out(m), 0.0, replacement_price(m)) * sigma[m.transfers.item][:, None]
    return max(float(upkeep.max(initial=0.0)), float(price.max(initial=0.0)))


def item_scales(m: ModelData) -> np.ndarray:
    """(I,) natural units per solver unit of each item: a power of ten that brings the item's
    largest figure below about a thousand solver units, never more than 10⁴ units. The figures
    are its targets, stocks, uses and commitments, and the capacities per period of the lines that
    make it up to ``CAPACITY_REACH`` times the largest of the others (capacity alone for an item
    nobody holds, uses or wants). Without it a scenario counting FPV drones in millions and PAC-3
    in hundreds gives HiGHS coefficients over 9 orders of magnitude (measured: interior point then
    fails to converge)."""
    I = len(m.items)
    cap, committed = np.zeros(I), np.zeros(I)
    np.maximum.at(cap, m.line_item, m.cap.max(axis=1, initial=0.0))
    np.maximum.at(committed, m.line_item, m.committed.max(axis=(1, 2), initial=0.0))
    demand = np.maximum.reduce(
        [
            m.target.max(axis=(0, 2), initial=0.0),
            m.stock0.max(axis=0, initial=0.0),
            m.use.max(axis=(0, 2), initial=0.0),
            committed,
        ]
    )
    big = np.where(demand > 0, np.maximum(demand, np.minimum(cap, CAPACITY_REACH * demand)), cap)
    exponent = np.floor(np.log10(np.maximum(big, 1.0))) - 2
    return 10.0 ** np.clip(exponent, 0.0, LARGEST_ITEM_EXPONENT)


def define_variables(lp: LinearProgram, m: ModelData) -> Variables:
    """Create every variable block with its bounds; absent elements are never created."""
    L, K, I, T = len(m.lines), len(m.customers), len(m.items), m.T
    F, Y = len(m.funds), len(m.years)
    t = np.arange(T)
    sigma = item_scales(m)
    by_line = sigma[m.line_item]
    # Orders that would arrive after the horizon, and capacity that would be ready after it, are
    # fixed at zero by their bounds rather than left out: the LP's shape then does not depend on
    # lead and build times, so a sweep can change them in place (uncertainty.resolve).
    deliverable = (t[None, :] + m.lead[:, None]) < T  # (L, T)
    payable = m.eligible.any(axis=0)  # (L, K)
    x_mask = (m.share > 0)[:, :, None] & payable[:, :, None] & np.ones((1, 1, T), dtype=bool)
    orders_out, starts_out = priced_out(m)
    x_upper = np.where(deliverable[:, None, :] & ~orders_out, np.inf, 0.0)
    x = lp.add_vars("x", DIMS["x"], x_mask, lower=m.committed, upper=x_upper, scale=by_line[:, None, None])
    useful = (t[None, :] + m.build[:, None]) < T
    e_mask = np.broadcast_to(((m.emax > 0) & m.eligible_capex.any(axis=0))[:, None], (L, T))
    e = lp.add_vars(
        "e", DIMS["e"], e_mask, upper=np.where(useful & ~starts_out, m.emax[:, None], 0.0), scale=by_line[:, None]
    )
    K_mask = np.broadcast_to(e_mask.any(axis=1)[:, None], (L, T))
    Kb = lp.add_vars("K", DIMS["K"], K_mask, scale=by_line[:, None])
    # Budgets are yearly, so money is allocated to lines by year: 4× fewer columns than by quarter.
    ordered_in_year = np.broadcast_to(x_mask[:, :, :1], (L, K, Y))
    p = lp.add_vars("p", DIMS["p"], m.eligible[:, :, :, None] & ordered_in_year[None])
    built_in_year = np.broadcast_to(e_mask[:, :1], (L, Y))
    q = lp.add_vars("q", DIMS["q"], m.eligible_capex[:, :, None] & built_in_year[None])
    per_item = sigma[None, :, None]
    s = lp.add_vars("s", DIMS["s"], np.ones((K, I, T), dtype=bool), scale=per_item)
    u = lp.add_vars("u", DIMS["u"], m.target > 0, upper=m.target, scale=per_item)
    v = lp.add_vars("v", DIMS["v"], m.use > 0, upper=m.use, scale=per_item)
    c = lp.add_vars("c", DIMS["c"], np.broadcast_to(m.carry[:, None], (F, Y)))
    r, w = upkeep_variables(lp, m, sigma)
    d = drawdown_variables(lp, m, sigma)
    return Variables(x, e, Kb, p, q, s, u, v, c, r, w, d, *component_variables(lp, m))


def component_variables(lp: LinearProgram, m: ModelData) -> tuple[Block, Block]:
    """z[l,t] on every line making a component and h[i,t] for every component, whatever their
    figures; production that would be ready after the horizon is fixed at zero by its bound, like
    an order (the LP's shape then does not depend on lead times)."""
    T = m.T
    sigma = item_scales(m)
    ready = (np.arange(T)[None, :] + m.lead[:, None]) < T
    made = np.broadcast_to(m.component_line[:, None], (len(m.lines), T))
    z = lp.add_vars("z", DIMS["z"], made, upper=np.where(ready, np.inf, 0.0), scale=sigma[m.line_item][:, None])
    held = np.broadcast_to(m.component[:, None], (len(m.items), T))
    h = lp.add_vars("h", DIMS["h"], held, scale=sigma[:, None])
    return z, h


def upkeep_variables(lp: LinearProgram, m: ModelData, sigma: np.ndarray) -> tuple[Block, Block]:
    """Retirements r[k,i,t] of items with upkeep and upkeep money w[f,k,i,y] from vehicles that
    may pay it; both exist where upkeep is declared, whatever its value (a sweep may vary it)."""
    K, I, T = m.target.shape
    declared = np.broadcast_to(m.upkeep.declared[None, :, None], (K, I, T))
    r = lp.add_vars("r", DIMS["r"], declared, scale=sigma[None, :, None])
    Y = len(m.years)
    w = lp.add_vars("w", DIMS["w"], np.broadcast_to(m.upkeep.eligible[..., None], (*m.upkeep.eligible.shape, Y)))
    return r, w


def drawdown_variables(lp: LinearProgram, m: ModelData, sigma: np.ndarray) -> Block:
    """Transfers d[j,t] from each declared drawdown in every period, at most what is available and
    zero where they would arrive after the horizon or their replacement is priced out (bounds, so
    the shape does not depend on delivery times)."""
    tr, T = m.transfers, m.T
    arrives = (np.arange(T)[None, :] + tr.delivery[:, None]) < T
    upper = np.where(arrives & ~transfers_priced_out(m), tr.available, 0.0)
    return lp.add_vars("d", DIMS["d"], np.ones((tr.J, T), dtype=bool), upper=upper, scale=sigma[tr.item][:, None])


def line_capacity(lp: LinearProgram, m: ModelData, v: Variables) -> Block:
    """Σ_k x[l,k,t] + z[l,t] − K[l,t] ≤ cap(l,t)   (Line-capacity; z on component lines only)"""
    rows = lp.add_rows(
        "Line-capacity",
        ("line", "period"),
        np.ones(m.cap.shape, dtype=bool),
        upper=m.cap,
        scale=item_scales(m)[m.line_item][:, None],
    )
    lp.add_terms(rows.index[:, None, :], v.x.index, 1.0)
    lp.add_terms(rows.index, v.z.index, 1.0)
    lp.add_terms(rows.index, v.K.index, -1.0)
    return rows


def customer_share(lp: LinearProgram, m: ModelData, v: Variables) -> Block:
    """x[l,k,t] − share(l,k)·K[l,t] ≤ share(l,k)·cap(l,t)   (Line-share)"""
    share = m.share[:, :, None]
    mask = (v.x.index >= 0) & (share < 1)
    rows = lp.add_rows(
        "Line-share",
        ("line", "customer", "period"),
        mask,
        upper=share * m.cap[:, None, :],
        scale=item_scales(m)[m.line_item][:, None, None],
    )
    lp.add_terms(rows.index, v.x.index, 1.0)
    lp.add_terms(rows.index, v.K.index[:, None, :], -share)
    return rows


def capacity_build_up(lp: LinearProgram, m: ModelData, v: Variables) -> Block:
    """K[l,t] − K[l,t−1] − e[l,t−build(l)] = 0   (Line-expansion); e[l,t] ≤ emax(l) is a bound"""
    rows = lp.add_rows(
        "Line-expansion",
        ("line", "period"),
        v.K.index >= 0,
        lower=0.0,
        upper=0.0,
        scale=item_scales(m)[m.line_item][:, None],
    )
    lp.add_terms(rows.index, v.K.index, 1.0)
    lp.add_terms(rows.index[:, 1:], v.K.index[:, :-1], -1.0)
    T = m.T
    t = np.arange(T)
    started = t[None, :] - m.build[:, None]  # period the capacity was started
    ok = started >= 0
    cols = np.where(ok, np.take_along_axis(v.e.index, np.clip(started, 0, T - 1), axis=1), -1)
    lp.add_terms(rows.index, cols, -1.0)
    return rows


def stock_balance(lp: LinearProgram, m: ModelData, v: Variables) -> Block:
    """s[k,i,t] − (1−loss(i))·s[k,i,t−1] − Σ_{l makes i} x[l,k,t−lead(l)] − v[k,i,t] = −use(k,i,t)

    with s[k,i,−1] the initial stock   (Stock-balance)"""
    K, I, T = m.target.shape
    keep = 1 - m.loss  # (I,)
    rhs = -m.use.copy()
    rhs[:, :, 0] += keep[None, :] * m.stock0
    rows = lp.add_rows(
        "Stock-balance",
        DIMS["s"],
        np.ones((K, I, T), dtype=bool),
        lower=rhs,
        upper=rhs,
        scale=item_scales(m)[None, :, None],
    )
    lp.add_terms(rows.index, v.s.index, 1.0)
    lp.add_terms(rows.index[:, :, 1:], v.s.index[:, :, :-1], -keep[None, :, None])
    lp.add_terms(rows.index, v.v.index, -1.0)
    L = len(m.lines)
    l_, k_, t_ = np.meshgrid(np.arange(L), np.arange(K), np.arange(T), indexing="ij")
    arrive = t_ + m.lead[l_]
    target_rows = np.where(arrive < T, rows.index[k_, m.line_item[l_], np.minimum(arrive, T - 1)], -1)
    lp.add_terms(target_rows, v.x.index, -1.0)
    lp.add_terms(rows.index, v.r.index, 1.0)
    drawdown_arrivals(lp, m, v, rows)
    return rows


def drawdown_arrivals(lp: LinearProgram, m: ModelData, v: Variables, rows: Block) -> None:
    """−d[j,t'] in the Stock-balance row of its customer and item in t' + delivery(j)."""
    tr, T = m.transfers, m.T
    arrive = np.arange(T)[None, :] + tr.delivery[:, None]  # (J, T)
    at = rows.index[tr.customer[:, None], tr.item[:, None], np.minimum(arrive, T - 1)]
    lp.add_terms(np.where(arrive < T, at, -1), v.d.index, -1.0)


def stock_target(lp: LinearProgram, m: ModelData, v: Variables) -> Block:
    """s[k,i,t] + u[k,i,t] ≥ target(k,i,t)   (Stock-target)"""
    rows = lp.add_rows("Stock-target", DIMS["s"], m.target > 0, lower=m.target, scale=item_scales(m)[None, :, None])
    lp.add_terms(rows.index, v.s.index, 1.0)
    lp.add_terms(rows.index, v.u.index, 1.0)
    return rows


def order_payment(lp: LinearProgram, m: ModelData, v: Variables) -> Block:
    """Σ_f p[f,l,k,y] − Σ_{t∈y} price(l,t)·x[l,k,t] = 0   (Order-payment)"""
    mask = (v.p.index >= 0).any(axis=0)
    rows = lp.add_rows("Order-payment", ("line", "customer", "year"), mask, lower=0.0, upper=0.0)
    lp.add_terms(rows.index[None], v.p.index, 1.0)
    price = np.where(priced_out(m)[0], 0.0, m.price[:, None, :])
    lp.add_terms(rows.index[:, :, m.year_index], v.x.index, -price / money_unit(m))
    return rows


def capex_payment(lp: LinearProgram, m: ModelData, v: Variables) -> Block:
    """Σ_f q[f,l,y] − Σ_{t∈y} capex(l)·e[l,t] = 0   (Capex-payment)"""
    mask = (v.q.index >= 0).any(axis=0)
    rows = lp.add_rows("Capex-payment", ("line", "year"), mask, lower=0.0, upper=0.0)
    lp.add_terms(rows.index[None], v.q.index, 1.0)
    capex = np.where(priced_out(m)[1], 0.0, m.capex[:, None])
    lp.add_terms(rows.index[:, m.year_index], v.e.index, -capex / money_unit(m))
    return rows


def funding_budget(lp: LinearProgram, m: ModelData, v: Variables) -> Block:
    """min_spend(f)·budget(f,y) ≤ Σ (p + q)[f,·,y] ≤ budget(f,y) + c[f,y−1] − c[f,y]
    (Funding-budget; with carry-over the upper side is an equality and the lower side is the
    separate family Funding-min-spend)"""
    F, Y = m.budget.shape
    B = for_the_plan(m) / money_unit(m)
    carry = m.carry[:, None]
    lower = np.where(carry, B, m.min_spend[:, None] * B)
    rows = lp.add_rows("Funding-budget", ("fund", "year"), np.ones((F, Y), dtype=bool), lower=lower, upper=B)
    lp.add_terms(rows.index[:, None, None, :], v.p.index, 1.0)
    lp.add_terms(rows.index[:, None, :], v.q.index, 1.0)
    lp.add_terms(rows.index, v.c.index, 1.0)
    lp.add_terms(rows.index[:, 1:], v.c.index[:, :-1], -1.0)
    holding_spending(lp, m, v, rows)
    return rows


def for_the_plan(m: ModelData) -> np.ndarray:
    """(F, Y) money each vehicle has for the plan in each year: its budget less its fixed charge
    (validation refuses a charge above the budget; a sweep's draw that puts it above leaves 0)."""
    return np.maximum(m.budget - m.upkeep.fixed, 0.0)


def holding_spending(lp: LinearProgram, m: ModelData, v: Variables, rows: Block) -> None:
    """A vehicle's upkeep money w[f,·,·,y] and the replacements it pays, price/M · d[j,t], in the
    year the replacement is paid: terms of its budget row (or minimum-spend row)."""
    lp.add_terms(rows.index[:, None, None, :], v.w.index, 1.0)
    tr = m.transfers
    paid_year = m.year_index[tr.pay_period(m.T)]  # (J, T)
    cost = np.where(transfers_priced_out(m), 0.0, replacement_price(m)) / money_unit(m)
    at = np.where(tr.replaced[:, None], rows.index[tr.fund[:, None], paid_year], -1)
    lp.add_terms(at, v.d.index, cost)


def funding_min_spend(lp: LinearProgram, m: ModelData, v: Variables) -> Block:
    """Σ (p + q)[f,·,y] ≥ min_spend(f)·budget(f,y)   (Funding-min-spend: funds with carry-over
    and a minimum spend only; without carry-over it is Funding-budget's lower side)"""
    B = for_the_plan(m) / money_unit(m)
    need_min = m.carry[:, None] & (m.min_spend[:, None] > 0) & (m.budget > 0)
    rows = lp.add_rows("Funding-min-spend", ("fund", "year"), need_min, lower=m.min_spend[:, None] * B)
    lp.add_terms(rows.index[:, None, None, :], v.p.index, 1.0)
    lp.add_terms(rows.index[:, None, :], v.q.index, 1.0)
    holding_spending(lp, m, v, rows)
    return rows


def upkeep_payment(lp: LinearProgram, m: ModelData, v: Variables) -> Block:
    """Σ_f w[f,k,i,y] − Σ_{t∈y} upkeep(i)/ppy · s[k,i,t] = 0   (Upkeep-payment; items with upkeep)"""
    K, I, _ = m.target.shape
    Y = len(m.years)
    mask = np.broadcast_to(m.upkeep.declared[None, :, None], (K, I, Y))
    rows = lp.add_rows("Upkeep-payment", ("customer", "item", "year"), mask, lower=0.0, upper=0.0)
    lp.add_terms(rows.index[None], v.w.index, 1.0)
    per_period = upkeep_per_period(m) / money_unit(m)
    lp.add_terms(rows.index[:, :, m.year_index], v.s.index, -per_period[None, :, None])
    return rows


def drawdown_stock(lp: LinearProgram, m: ModelData, v: Variables) -> Block:
    """Σ_t d[j,t] ≤ total(j)   (Drawdown-stock: the drawdown's quantity, at most the donor's stock)"""
    tr = m.transfers
    scale = item_scales(m)[tr.item]
    rows = lp.add_rows("Drawdown-stock", ("drawdown",), np.ones(tr.J, dtype=bool), upper=tr.total, scale=scale)
    lp.add_terms(rows.index[:, None], v.d.index, 1.0)
    return rows


def refurbishment_pool(lp: LinearProgram, m: ModelData, v: Variables) -> Block:
    """Σ_{k,t} x[l,k,t] ≤ stored(l)   (Refurbish-pool: refurbishment lines only)"""
    tr = m.transfers
    scale = item_scales(m)[m.line_item]
    rows = lp.add_rows("Refurbish-pool", ("line",), tr.refurbished, upper=tr.stored, scale=scale)
    lp.add_terms(rows.index[:, None, None], v.x.index, 1.0)
    return rows


def pipeline(m: ModelData) -> np.ndarray:
    """(I, T) components a running line started before the horizon, at its first period's
    capacity, that are ready in t < lead(l): a plant in production has its pipeline full."""
    out = np.zeros((len(m.items), m.T))
    t = np.arange(m.T)
    filling = m.component_line[:, None] & (t[None, :] < m.lead[:, None])  # (L, T)
    np.add.at(out, m.line_item, np.where(filling, m.cap[:, :1], 0.0))
    return out


def component_balance(lp: LinearProgram, m: ModelData, v: Variables) -> Block:
    """h[i,t] − (1−loss(i))·h[i,t−1] − Σ_{i(l)=i} z[l,t−lead(l)] + Σ_l need(l,i)·(x+z)[l,t] = pipeline(i,t)

    with (x+z)[l,t] = Σ_k x[l,k,t] + z[l,t] and h[i,−1] = 0   (Component-balance: what lines use in t was made, after its lead time, and
    carried; a line uses its components in the period an order on it is placed)"""
    I, T = len(m.items), m.T
    keep = 1 - m.loss
    rhs = pipeline(m)
    rows = lp.add_rows(
        "Component-balance",
        DIMS["h"],
        np.broadcast_to(m.component[:, None], (I, T)),
        lower=rhs,
        upper=rhs,
        scale=item_scales(m)[:, None],
    )
    lp.add_terms(rows.index, v.h.index, 1.0)
    lp.add_terms(rows.index[:, 1:], v.h.index[:, :-1], -keep[:, None])
    l_, t_ = np.meshgrid(np.arange(len(m.lines)), np.arange(T), indexing="ij")
    ready = t_ + m.lead[l_]
    arrive_rows = np.where(ready < T, rows.index[m.line_item[l_], np.minimum(ready, T - 1)], -1)
    lp.add_terms(arrive_rows, v.z.index, -1.0)
    users, parts = np.nonzero(m.need > 0)
    need = m.need[users, parts]
    lp.add_terms(rows.index[parts][:, None, :], v.x.index[users], need[:, None, None])
    lp.add_terms(rows.index[parts], v.z.index[users], need[:, None])
    return rows


Coords = tuple[int, ...]


@dataclass(frozen=True)
class Family:
    """A constraint family: how the LP builds its rows, how an infeasibility explanation names
    one of them, and the independent checker's rule for it."""

    name: str
    build: Callable[[LinearProgram, ModelData, Variables], Block]
    describe: Callable[[ModelData, Coords], str]
    check: check.Rule


@dataclass(frozen=True)
class Bound:
    """Bounds of a variable block that come from the user's input: their wording (None for a
    column whose bounds are not input) and the checker's rule for them."""

    var: str
    describe: Callable[[ModelData, Coords], str | None]
    check: check.Rule


FAMILIES = (
    Family("Line-capacity", line_capacity, wording.line_capacity, check.check_capacity),
    Family("Line-share", customer_share, wording.line_share, check.check_share),
    Family("Line-expansion", capacity_build_up, wording.line_expansion, check.check_build_time),
    Family("Stock-balance", stock_balance, wording.stock_balance, check.check_stock_balance),
    Family("Stock-target", stock_target, wording.stock_target, check.check_stock_target),
    Family("Order-payment", order_payment, wording.order_payment, check.check_order_payment),
    Family("Capex-payment", capex_payment, wording.capex_payment, check.check_capex_payment),
    Family("Funding-budget", funding_budget, wording.funding_budget, check.check_budget),
    Family("Funding-min-spend", funding_min_spend, wording.funding_min_spend, check.check_min_spend),
    Family("Upkeep-payment", upkeep_payment, wording.upkeep_payment, check.check_upkeep_payment),
    Family("Drawdown-stock", drawdown_stock, wording.drawdown_stock, check.check_drawdowns),
    Family("Refurbish-pool", refurbishment_pool, wording.refurbishment_pool, check.check_refurbishment_pool),
    Family("Component-balance", component_balance, wording.component_balance, check.check_component_balance),
)
BOUNDS = (
    Bound("x", wording.order_bounds, check.check_order_bounds),
    Bound("e", wording.expansion_bounds, check.check_expansion_bounds),
    Bound("d", wording.drawdown_bounds, check.check_drawdown_bounds),
    Bound("z", wording.production_bounds, check.check_production_bounds),
)
FAMILY = {f.name: f for f in FAMILIES}
BOUND = {b.var: b for b in BOUNDS}
CONSTRAINT_FAMILIES = tuple(f.build for f in FAMILIES)


def money_by_fund(m: ModelData, v: Variables, solution: np.ndarray) -> np.ndarray:
    """(F,) money units each fund pays over the horizon in a solution: orders, capacity, upkeep and
    the replacements of drawdowns it pays for."""
    money = v.p.values(solution).sum(axis=(1, 2, 3)) + v.q.values(solution).sum(axis=(1, 2))
    money += v.w.values(solution).sum(axis=(1, 2, 3))
    tr = m.transfers
    cost = v.d.values(solution) * np.where(transfers_priced_out(m), 0.0, replacement_price(m)) / money_unit(m)
    np.add.at(money, tr.fund[tr.replaced], cost[tr.replaced].sum(axis=1))
    return money


def weight_unit(m: ModelData) -> float:
    """The priority weight (customer weight × item weight) that counts as 1 in the LP: the power of
    ten at or above the least weight among the customer–item pairs with a target or a use, so that
    in the LP the least weight lies in [0.1, 1]. Phase 2 may give up an absolute 10⁻⁹ of weighted
    shortfall for money (``solver.ABS_SHORTFALL_SLACK``); counted in this unit, that is at most
    10⁻⁸ of one period's target of the least important item, whatever the weights' scale. (With
    the weights as written, a weight of 10⁻⁶ lost a thousandth of its target and 10⁻⁹ all of it.)
    Weights of 0.1 to 1, as in the shipped scenarios, keep the unit 1."""
    w = np.outer(m.customer_weight, m.item_weight)
    wanted = (m.target > 0).any(axis=2) | (m.use > 0).any(axis=2)
    if not wanted.any():
        return 1.0
    return float(10.0 ** np.ceil(np.log10(w[wanted].min())))


def shortfall_weights(m: ModelData) -> tuple[np.ndarray, np.ndarray]:
    """Phase-1 cost of one unit of u and of v, in weight units (``weight_unit``).

    u: w(k,i)/target(k,i,t), the weighted relative shortfall. v: (T+1)·(2 − t/T)·w(k,i)/ref(k,i),
    where ref is the smallest positive target of (k,i) — or, for an item without a target, its
    largest use. One unit of unmet use then costs more than the same unit short of target summed
    over every period, and earlier more than later, so the optimum spends stock on use first (as
    the independent checker assumes) instead of hoarding it. Taking ref from targets, not from tiny
    uses, keeps the objective's coefficients within a few orders of magnitude.
    """
    T = m.T
    with np.errstate(divide="ignore", invalid="ignore"):  # non-finite weights are refused when passed
        w = m.customer_weight[:, None, None] * m.item_weight[None, :, None] / weight_unit(m)
        cu = np.where(m.target > 0, w / m.target, 0.0)
        min_target = np.where(m.target > 0, m.target, np.inf).min(axis=2, keepdims=True)
        max_use = m.use.max(axis=2, keepdims=True)
        ref = np.where(np.isfinite(min_target), min_target, max_use)
        urgency = (T + 1) * (2 - np.arange(T) / T)
        cv = np.where(m.use > 0, w * urgency[None, None, :] / np.where(ref > 0, ref, 1.0), 0.0)
    return cu, cv


# The recipients' own money (``own: true``) costs this much less per money unit than aid in the
# money objective, so that where both could pay, their own budget pays first and aid fills the gap
# (docs/model.md, "Objective: lexicographic"): above HiGHS's dual tolerance (1e-7), and small
# enough that the plan's money exceeds its least by at most 10⁻⁵ of what their budget pays.
OWN_FIRST = 1e-5


def money_per_fund(m: ModelData) -> np.ndarray:
    """(F,) cost of one money unit from each fund in the money objective: 1, less ``OWN_FIRST``
    for the recipients' own money."""
    own = m.own if m.own is not None else np.zeros(len(m.funds), dtype=bool)
    return 1.0 - OWN_FIRST * own.astype(float)


def build(m: ModelData) -> Formulation:
    """Build the whole LP for a compiled scenario."""
    lp = LinearProgram()
    var = define_variables(lp, m)
    for family in FAMILIES:
        family.build(lp, m, var)
    cu, cv = shortfall_weights(m)
    shortfall_cost = lp.cost({"u": cu, "v": cv})
    per_fund = money_per_fund(m)
    replacement = np.where(transfers_priced_out(m), 0.0, replacement_price(m)) / money_unit(m)
    money_cost = lp.cost(
        {
            "p": per_fund[:, None, None, None],
            "q": per_fund[:, None, None],
            "w": per_fund[:, None, None, None],
            "d": replacement,
        }
    )
    production = lp.cost({"z": PRODUCTION_TIE / item_scales(m)[m.line_item][:, None]})
    return Formulation(lp, var, shortfall_cost, money_cost, money_unit(m), weight_unit(m), production)


__all__ = ["BOUNDS", "FAMILIES", "INF", "Formulation", "Variables", "build", "money_unit"]
