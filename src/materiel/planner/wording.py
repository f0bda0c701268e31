"""Constraints and bounds of the LP in the scenario's own words, for explaining infeasibility.

One function per constraint family (``formulation.FAMILIES`` pairs each with its builder and its
checker rule) and one per variable whose bounds come from the user's input; each takes the
coordinates of one row or column of its block.
"""

from __future__ import annotations

import numpy as np

from .. import fmt
from ..scenario.compiled import ModelData

HUGE = 1e15  # figures from here on are written in scientific notation, not with 16 or more digits


def count(x: float) -> str:
    """A quantity: '1,250' or, for an absurd figure, '1e+300'."""
    return f"{x:,.0f}" if abs(x) < HUGE else f"{x:.3g}"


def money(x: float, currency: str) -> str:
    """An amount of money: 'EUR 1.25 bn' or, for an absurd figure, 'EUR 1e+300'."""
    return fmt.money(x, currency) if abs(x) < HUGE else f"{currency} {x:.3g}"


def line_capacity(m: ModelData, c: tuple[int, ...]) -> str:
    l, t = c
    per_year = m.cap[l, t] * m.cal.per_year
    return (
        f"capacity of line {m.lines[l]} in {m.periods[t]}: at most {count(m.cap[l, t])} per period "
        f"({count(per_year)} a year) plus any capacity added"
    )


def line_share(m: ModelData, c: tuple[int, ...]) -> str:
    l, k, t = c
    return f"{m.customers[k]} may take at most {m.share[l, k]:.0%} of line {m.lines[l]}'s output ({m.periods[t]})"


def line_expansion(m: ModelData, c: tuple[int, ...]) -> str:
    l, t = c
    return f"capacity build-up of line {m.lines[l]} in {m.periods[t]} (build time {m.build[l]} periods)"


def stock_balance(m: ModelData, c: tuple[int, ...]) -> str:
    k, i, t = c
    return f"stock balance of {m.items[i]} held by {m.customers[k]} in {m.periods[t]}"


def stock_target(m: ModelData, c: tuple[int, ...]) -> str:
    k, i, t = c
    return f"target of {count(m.target[k, i, t])} {m.items[i]} for {m.customers[k]} in {m.periods[t]}"


def order_payment(m: ModelData, c: tuple[int, ...]) -> str:
    l, k, y = c
    unit = money(float(np.median(m.price[l][m.year_index == y])), m.currency)
    return f"payment for {m.customers[k]}'s orders on {m.lines[l]} in {m.years[y]} at {unit} a unit"


def capex_payment(m: ModelData, c: tuple[int, ...]) -> str:
    l, y = c
    per_unit = money(float(m.capex[l]) / m.cal.per_year, m.currency)
    return f"payment for capacity investment on {m.lines[l]} in {m.years[y]} at {per_unit} per unit of yearly capacity"


def funding_budget(m: ModelData, c: tuple[int, ...]) -> str:
    f, y = c
    rule = f"; at least {m.min_spend[f]:.0%} must be spent" if m.min_spend[f] > 0 else ""
    carry = " (unspent money carries over)" if m.carry[f] else ""
    fixed = f" less a fixed charge of {money(m.upkeep.fixed[f, y], m.currency)}" if m.upkeep.fixed_declared[f] else ""
    return f"budget of {m.funds[f]} in {m.years[y]}: {money(m.budget[f, y], m.currency)}{fixed}{rule}{carry}"


def funding_min_spend(m: ModelData, c: tuple[int, ...]) -> str:
    f, y = c
    need = money(m.min_spend[f] * m.budget[f, y], m.currency)
    return f"minimum spend of {m.funds[f]} in {m.years[y]}: at least {m.min_spend[f]:.0%} of its budget, {need}"


def order_bounds(m: ModelData, c: tuple[int, ...]) -> str | None:
    """An order's lower bound is a commitment (its upper bound, zero after the horizon, is not input)."""
    l, k, t = c
    if m.committed[l, k, t] <= 0:
        return None
    return (
        f"commitment: {count(m.committed[l, k, t])} {m.items[m.line_item[l]]} ordered on {m.lines[l]} "
        f"for {m.customers[k]} in {m.periods[t]}"
    )


def expansion_bounds(m: ModelData, c: tuple[int, ...]) -> str:
    l, _ = c
    per_year = m.emax[l] * m.cal.per_year**2
    return f"expansion limit of line {m.lines[l]}: {count(per_year)} a year of added capacity per year"


def upkeep_payment(m: ModelData, c: tuple[int, ...]) -> str:
    k, i, y = c
    per_unit = money(float(m.upkeep.cost[i]), m.currency)
    return (
        f"upkeep of {m.customers[k]}'s {m.items[i]} in {m.years[y]} at {per_unit} a unit a year, paid by vehicles "
        "with upkeep: true (units no vehicle can pay for are retired)"
    )


def drawdown_stock(m: ModelData, c: tuple[int, ...]) -> str:
    (j,) = c
    tr = m.transfers
    return (
        f"drawdown {tr.ids[j]}: at most {count(tr.total[j])} {m.items[tr.item[j]]} over the horizon, "
        f"from the donor's declared stock of {count(tr.stock[j])}"
    )


def refurbishment_pool(m: ModelData, c: tuple[int, ...]) -> str:
    (l,) = c
    return (
        f"refurbishment line {m.lines[l]}: at most {count(m.transfers.stored[l])} units from storage over the horizon"
    )


def drawdown_bounds(m: ModelData, c: tuple[int, ...]) -> str:
    j, t = c
    tr = m.transfers
    per_year = tr.available[j, t] * m.cal.per_year
    return f"drawdown {tr.ids[j]} in {m.periods[t]}: at most {count(per_year)} {m.items[tr.item[j]]} a year available"


def component_balance(m: ModelData, c: tuple[int, ...]) -> str:
    i, t = c
    makers = ", ".join(m.lines[l] for l in np.flatnonzero(m.line_item == i))
    users = ", ".join(m.lines[l] for l in np.flatnonzero(m.need[:, i] > 0))
    return (
        f"component {m.items[i]} in {m.periods[t]}: what lines {users or '(none)'} use cannot exceed what "
        f"{makers or '(no line)'} made by then and what was carried"
    )


def production_bounds(m: ModelData, c: tuple[int, ...]) -> None:
    """A component line's production has no bound from the user's input (after the horizon it is
    fixed at zero by its lead time, as an order is)."""
    return None


VARIABLES = {
    "x": "orders on line {line} for {customer} in {period}",
    "e": "capacity added on line {line} from {period}",
    "K": "added capacity of line {line} in {period}",
    "p": "money from {fund} for {customer}'s orders on line {line} in {year}",
    "q": "money from {fund} for capacity on line {line} in {year}",
    "s": "stock of {item} held by {customer} at the end of {period}",
    "u": "shortfall of {item} for {customer} below target in {period}",
    "v": "use of {item} by {customer} that stock cannot cover in {period}",
    "c": "money {fund} carries out of {year}",
    "r": "units of {item} retired by {customer} in {period}",
    "w": "money from {fund} for the upkeep of {customer}'s {item} in {year}",
    "d": "units transferred by drawdown {drawdown} in {period}",
    "z": "production of a component on line {line} started in {period}",
    "h": "{item} held for the lines that need it at the end of {period}",
}


def dimension_labels(m: ModelData) -> dict[str, list]:
    """The scenario's labels along each dimension of the LP's blocks (ids, periods, years)."""
    return {
        "line": m.lines,
        "customer": m.customers,
        "item": m.items,
        "fund": m.funds,
        "period": m.periods,
        "year": m.years,
        "drawdown": m.transfers.ids,
    }


def variable(m: ModelData, var: str, dims: tuple[str, ...], c: tuple[int, ...]) -> str:
    """Any variable of the LP in words, from its block's dimensions and coordinates."""
    names = dimension_labels(m)
    return VARIABLES[var].format(**{d: names[d][n] for d, n in zip(dims, c, strict=True)})
