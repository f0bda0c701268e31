"""The concise terminal summary of a plan (rich tables)."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from ..fmt import money, share
from ..plan.result import Plan


def _shortfall_style(v: float) -> str:
    if pd.isna(v):
        return "dim"
    return "green" if v <= 0.1 else "yellow" if v <= 0.3 else "red"


def print_plan(plan: Plan, console: Console, customer: str = "ukraine") -> None:
    """Headline figures, spending by year and fund, and shortfall by category and year."""
    m = plan.model
    sc = m.scenario
    cur = plan.currency
    console.print(
        f"[bold]materiel[/] — {sc.title} [dim]({sc.name}, {m.periods[0]}–{m.periods[-1]}, {cur} at {sc.currency.year} prices)[/]"
    )
    t = plan.timings
    solve_s = sum(v for k, v in t.items() if k.startswith("solve"))
    console.print(
        f"Plan: [green]optimal[/] (HiGHS {solve_s:.2f} s; build {t.get('build', 0):.2f} s, read-back {t.get('read', 0):.2f} s)"
    )
    by_customer = plan.funding.groupby("customer")["amount"].sum()
    parts = ", ".join(f"{k or 'capacity'} {money(v, cur)}" for k, v in by_customer.items())
    console.print(f"Total cost: [bold]{money(plan.total_cost, cur)}[/] ({parts})")
    console.print(
        f"Spent in Europe: [bold]{share(plan.europe_share)}[/]   in Ukraine: {share(plan.ukraine_share)}   "
        f"elsewhere: {share(max(0.0, 1 - plan.europe_share - plan.ukraine_share))}"
    )

    spend = plan.spend_by_year("fund") / 1e9
    table = Table(title=f"Spending by year and funding vehicle ({cur} bn)", show_edge=False, pad_edge=False)
    table.add_column("fund")
    for y in spend.index:
        table.add_column(str(y), justify="right")
    for fund in spend.columns:
        table.add_row(fund, *(f"{v:.1f}" for v in spend[fund]))
    table.add_row("[bold]total[/]", *(f"[bold]{v:.1f}[/]" for v in spend.sum(axis=1)))
    console.print(table)

    sbc = plan.shortfall_by_category(customer)
    table = Table(title=f"Shortfall of {customer}'s targets at the end of each year", show_edge=False, pad_edge=False)
    table.add_column("category")
    for y in sbc.columns:
        table.add_column(str(y), justify="right")
    for cat, row in sbc.iterrows():
        table.add_row(cat, *(f"[{_shortfall_style(v)}]{share(None if pd.isna(v) else v)}[/]" for v in row))
    console.print(table)
