"""Explaining an infeasible plan in the scenario's own words, from HiGHS's irreducible
infeasible subset (IIS): which lines, which budgets, which commitments, which periods."""

from __future__ import annotations

import highspy
import numpy as np

from ..fmt import money
from ..scenario.compiled import ModelData
from .formulation import Formulation

# Derive the IIS from the LP itself and make it irreducible (HiGHS's light default finds only
# bound conflicts, and misses a commitment that exceeds a budget).
IIS_STRATEGY = int(highspy._core.kIisStrategyFromLp) | int(highspy._core.kIisStrategyIrreducible)


def describe_row(m: ModelData, family: str, c: tuple[int, ...]) -> str:
    """A constraint in words."""
    P, ppy = m.periods, m.cal.per_year
    if family == "Line-capacity":
        l, t = c
        return f"capacity of line {m.lines[l]} in {P[t]}: at most {m.cap[l, t]:,.0f} per period ({m.cap[l, t] * ppy:,.0f} a year) plus any capacity added"
    if family == "Line-share":
        l, k, t = c
        return f"{m.customers[k]} may take at most {m.share[l, k]:.0%} of line {m.lines[l]}'s output ({P[t]})"
    if family == "Line-expansion":
        l, t = c
        return f"capacity build-up of line {m.lines[l]} in {P[t]} (build time {m.build[l]} periods)"
    if family == "Stock-balance":
        k, i, t = c
        return f"stock balance of {m.items[i]} held by {m.customers[k]} in {P[t]}"
    if family == "Stock-target":
        k, i, t = c
        return f"target of {m.target[k, i, t]:,.0f} {m.items[i]} for {m.customers[k]} in {P[t]}"
    if family == "Order-payment":
        l, k, y = c
        unit = money(float(m.price[l][m.year_index == y].mean()), m.currency)
        return f"payment for {m.customers[k]}'s orders on {m.lines[l]} in {m.years[y]} at {unit} a unit"
    if family == "Capex-payment":
        l, y = c
        return f"payment for capacity investment on {m.lines[l]} in {m.years[y]}"
    if family in ("Funding-budget", "Funding-min-spend"):
        f, y = c
        b = m.budget[f, y]
        rule = f"; at least {m.min_spend[f]:.0%} must be spent" if m.min_spend[f] > 0 else ""
        carry = " (unspent money carries over)" if m.carry[f] else ""
        return f"budget of {m.funds[f]} in {m.years[y]}: {money(b, m.currency)}{rule}{carry}"
    return f"{family}{list(c)}"


def describe_col(m: ModelData, var: str, c: tuple[int, ...]) -> str | None:
    """A variable bound in words (only bounds that come from the user's input)."""
    P = m.periods
    if var == "x":
        l, k, t = c
        if m.committed[l, k, t] > 0:
            return f"commitment: {m.committed[l, k, t]:,.0f} {m.items[m.line_item[l]]} ordered on {m.lines[l]} for {m.customers[k]} in {P[t]}"
        return None
    if var == "e":
        l, t = c
        return f"expansion limit of line {m.lines[l]}: {m.emax[l] * m.cal.per_year**2:,.0f} a year of added capacity per year"
    return None


def explain(h: highspy.Highs, form: Formulation, m: ModelData) -> list[str]:
    """The conflicting inputs, one line each; empty when HiGHS cannot isolate them."""
    try:
        h.setOptionValue("iis_strategy", IIS_STRATEGY)
        status, iis = h.getIis()
    except Exception:  # an older HiGHS without IIS support
        return []
    if status != highspy.HighsStatus.kOk:
        return []
    lines: list[str] = []
    for r in np.asarray(iis.row_index_, dtype=np.int64):
        if r >= form.lp.n_rows:
            lines.append("the least shortfall found first, held while minimising money (a numerical tolerance problem)")
            continue
        block, coords = form.lp.which_row(int(r))
        lines.append(describe_row(m, block.name, coords))
    for j in np.asarray(iis.col_index_, dtype=np.int64):
        block, coords = form.lp.which_col(int(j))
        text = describe_col(m, block.name, coords)
        if text:
            lines.append(text)
    seen: set[str] = set()
    return [x for x in lines if not (x in seen or seen.add(x))]
