"""The concise terminal summary of a plan (rich tables).

Every piece of scenario text (titles, ids, names) goes through ``plain``: escaped, so that rich
does not read brackets as markup, and shortened to ``LONGEST`` characters, because rich folds an
unbroken word in time that grows with the square of its length (a 100,000-character title took
minutes). The files written beside the summary keep the full text.
"""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..assessment import Assessment
from ..assessment.options import OptionResult, comparison_table, option_assumptions
from ..fmt import clip, days, money, share
from ..planner import causes as why
from ..planner.result import Plan

LONGEST = 120  # characters of one piece of scenario text on the terminal


def plain(value: object, longest: int = LONGEST) -> str:
    """Scenario text made safe for rich markup and bounded in length."""
    return escape(clip(str(value), longest))


def _shortfall_style(v: float) -> str:
    if pd.isna(v):
        return "dim"
    return "green" if v <= 0.1 else "yellow" if v <= 0.3 else "red"


def print_plan(plan: Plan, console: Console, customer: str | None = None) -> None:
    """Headline figures, spending by year and fund, and the shortfall by category and year of
    ``customer`` (default: the assessed customer)."""
    m = plan.model
    sc = m.scenario
    cur = plan.currency
    customer = customer or plan.assessed_customer
    console.print(
        f"[bold]materiel[/] — {plain(sc.title)} [dim]({plain(sc.name)}, {m.periods[0]}–{m.periods[-1]}, "
        f"{cur} at {sc.currency.year} prices)[/]"
    )
    t = plan.timings
    solve_s = sum(v for k, v in t.items() if k.startswith("solve"))
    console.print(
        f"Plan: [green]optimal[/] (HiGHS {solve_s:.2f} s; build {t.get('build', 0):.2f} s, read-back {t.get('read', 0):.2f} s)"
    )
    by_customer = plan.funding.groupby("customer")["amount"].sum()
    parts = ", ".join(f"{plain(k or 'capacity')} {money(v, cur)}" for k, v in by_customer.items()) or "nothing bought"
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
        table.add_row(plain(fund), *(f"{v:.1f}" for v in spend[fund]))
    table.add_row("[bold]total[/]", *(f"[bold]{v:.1f}[/]" for v in spend.sum(axis=1)))
    console.print(table)
    print_money_used(plan, console)

    sbc = plan.shortfall_by_category(customer)
    table = Table(
        title=f"Shortfall of {plain(customer)}'s targets at the end of each year", show_edge=False, pad_edge=False
    )
    table.add_column("category")
    for y in sbc.columns:
        table.add_column(str(y), justify="right")
    for cat, row in sbc.iterrows():
        table.add_row(plain(cat), *(f"[{_shortfall_style(v)}]{share(None if pd.isna(v) else v)}[/]" for v in row))
    console.print(table)
    _print_why_short(plan, console, customer)
    _print_component_bottlenecks(plan, console)


def _print_why_short(plan: Plan, console: Console, customer: str) -> None:
    """Why targets are missed: per item, the latest date it is short and its causes (planner/causes.py)."""
    entries = why.by_item(plan.causes, customer)
    if not entries:
        return
    console.print(f"[bold]Why targets are missed[/] ({plain(customer)}; the latest date each item is short)")
    for entry in entries:
        console.print(
            f"  {plain(why.headline(entry), 4 * LONGEST)}: {plain(why.brief(entry), 4 * LONGEST)}", highlight=False
        )


def _print_component_bottlenecks(plan: Plan, console: Console) -> None:
    """Which component limited which line, and when (scenarios with components only)."""
    if not plan.model.component.any():
        return
    found = plan.component_bottlenecks()
    if not found:
        console.print("Components: none limited a line that was still wanted")
        return
    console.print("Components that limited output (used up while the line had capacity to spare):")
    for b in found:
        console.print(
            f"  {plain(b['line'])} by {plain(b['component'])}: {b['first']}–{b['last']} ({b['periods']} periods)"
        )


def print_money_used(plan: Plan, console: Console) -> None:
    """Share of each year's money used, aid apart from the recipients' own, money per contributing
    country, and what limits the plan each year (planner/limits.py)."""
    env = plan.envelope
    if env.empty:
        return
    cur = plan.currency
    totals = env.groupby("year")[["budget", "spent"]].sum()
    table = Table(
        title="Share of each year's budget spent (over 100 %: money carried in from earlier years)",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("fund")
    for y in totals.index:
        table.add_column(str(y), justify="right")
    for fund, rows in env.groupby("fund", sort=False):
        table.add_row(plain(fund), *(share(None if pd.isna(v) else v) for v in rows["share_used"]))
    ratio = totals["spent"] / totals["budget"].where(totals["budget"] > 0)
    table.add_row("[bold]all vehicles[/]", *(f"[bold]{share(None if pd.isna(v) else v)}[/]" for v in ratio))
    console.print(table)
    own, aid = plan.own_and_aid()
    if own.sum() > 0 or (plan.model.own is not None and plan.model.own.any()):
        console.print(
            f"Of the money spent, aid: [bold]{money(float(aid.sum()), cur)}[/]; "
            f"the recipients' own means: [bold]{money(float(own.sum()), cur)}[/]"
        )
    who = plan.spend_by_contributor() / 1e9
    if list(who.index) != ["not split"]:
        table = Table(title=f"Money spent per contributing country ({cur} bn)", show_edge=False, pad_edge=False)
        table.add_column("contributor")
        for y in who.columns:
            table.add_column(str(y), justify="right")
        for code, row in who.iterrows():
            table.add_row(plain(code), *(f"{v:.2f}" for v in row))
        console.print(table)
    console.print("[bold]What limits the plan[/]")
    for text in plan.limits["text"]:
        console.print(f"  {plain(text, 4 * LONGEST)}", highlight=False)


def print_assessment(a: Assessment, console: Console) -> None:
    """Readiness, the bottleneck at the end of each year, and air defence."""
    r = a.readiness
    console.print(
        f"Readiness of {plain(a.customer)} (every category ≥ {r.threshold:.0%} from then on): [bold]{r.text}[/]"
    )
    cats = ", ".join(f"{plain(c)} {p or 'never'}" for c, p in r.by_category.items())
    console.print(f"[dim]by category: {cats}[/]")
    for text in a.held_back():
        console.print(f"[red]held back at the end of {a.year}:[/] {plain(text, 4 * LONGEST)}")
    for text in a.fire_statements():
        console.print(f"[dim]can be fired (end of {a.year}): {plain(text, 4 * LONGEST)}[/]")
    _print_items(a, console)
    _print_time_to_target(a, console)
    m = a.plan.model
    table = Table(
        title=f"Days of high-intensity war sustained (goal {a.goal_days:.0f}), with production", show_edge=False
    )
    table.add_column("year")
    table.add_column("bottleneck")
    table.add_column("days", justify="right")
    table.add_column("days from stock alone", justify="right")
    for y in m.years:
        period = a.at_year_end(y)
        row = a.bottleneck.set_index("period").loc[period] if period else None
        if row is None or row["item"] is None:
            continue
        style = "green" if row["days"] >= a.goal_days else "red"
        table.add_row(str(y), plain(row["item"]), f"[{style}]{days(row['days'])}[/]", days(row["days_alone"]))
    console.print(table)
    if not a.attacks.empty:
        year = a.year
        period = a.at_year_end(year)
        att = a.attacks[a.attacks["period"] == period]
        table = Table(
            title=f"Air defence at the end of {year}: attacks engaged / destroyed over {a.goal_days:.0f} days",
            show_edge=False,
        )
        for col in ("attack", "launches a month", "engaged", "destroyed"):
            table.add_column(col, justify="left" if col == "attack" else "right")
        for _, row in att.iterrows():
            table.add_row(
                plain(row["attack"]),
                f"{row['launches_per_month']:,.0f}",
                share(row["engaged_share"]),
                share(row["destroyed_share"]),
            )
        console.print(table)
        ic = a.interceptors[a.interceptors["period"] == period]
        parts = ", ".join(
            f"{plain(r_['item'])} {r_['demand_per_month']:,.0f}/month, {days(r_['days_to_exhaustion'], ' days')}"
            for _, r_ in ic.iterrows()
        )
        console.print(f"[dim]interceptor demand and days to exhaustion: {parts}[/]")


def _print_items(a: Assessment, console: Console) -> None:
    """Readiness item by item: coverage at the end of the sustainment year and the date it holds."""
    items = a.item_table()
    if items.empty:
        return
    table = Table(title=f"Readiness by item (coverage at the end of {a.year})", show_edge=False)
    for col in ("item", "category", "weight", "critical minimum", "coverage", "ready from"):
        table.add_column(col, justify="left" if col in ("item", "category", "ready from") else "right")
    for _, row in items.iterrows():
        minimum = row["critical minimum"]
        table.add_row(
            plain(row["item"]),
            plain(row["category"]),
            f"{row['weight']:g}",
            "–" if pd.isna(minimum) else share(minimum),
            share(row[f"coverage {a.year}"]),
            "never" if pd.isna(row["ready from"]) else str(row["ready from"]),
        )
    console.print(table)


def _print_time_to_target(a: Assessment, console: Console) -> None:
    """Per item: when it holds its whole target (within its period) and how many times today's
    production holding it by the end of the sustainment year takes (assessment/dates.py)."""
    table = a.time_to_target()
    if table.empty:
        return
    by = table["by"].iloc[0]
    out = Table(title=f"Time to target, and production needed to hold the {by} target", show_edge=False)
    for col in ("item", "at target in", "time to target", "needed a month", "today a month", "times today"):
        out.add_column(col, justify="left" if col in ("item", "at target in") else "right")
    for r in table.itertuples():
        times = (
            "–"
            if r.needed_per_month == 0
            else "no line today"
            if r.current_per_month == 0
            else f"{r.times_current:,.2f}×"
        )
        out.add_row(
            plain(r.item_name),
            r.at_target_from or "never",
            r.time_to_target,
            f"{r.needed_per_month:,.1f}",
            f"{r.current_per_month:,.1f}",
            times,
        )
    console.print(out)


def print_comparison(results: list[OptionResult], console: Console) -> None:
    """The options or variants side by side, then their stated constraints and the assumptions."""
    table = comparison_table(results)
    kind = "Options" if results[0].kind != "variant" else "What-if variants"
    out = Table(title=f"{kind} side by side", show_edge=False)
    numbers = table.drop(columns=["constraints", "gives up"])
    for col in numbers.columns:
        out.add_column(col, justify="left" if col == "option" else "right")
    for _, row in numbers.iterrows():
        out.add_row(*(plain(v) for v in row))
    console.print(out)
    costs = Table(title=f"What each {'option' if kind == 'Options' else 'variant'} costs and gives up", show_edge=False)
    costs.add_column("option")
    costs.add_column("cost per year", justify="right")
    costs.add_column(f"gives up, against {plain(results[0].name)}")
    for _, row in table.iterrows():
        costs.add_row(plain(row["option"]), plain(row["cost per year"]), plain(row["gives up"], 4 * LONGEST))
    console.print(costs)
    for r, text in zip(results, table["constraints"], strict=True):
        if results[0].kind == "variant":
            console.print(f"[bold]{plain(r.name)}[/]: {plain(r.description, 4 * LONGEST)}")
        elif text:
            console.print(f"[bold]{plain(r.name)}[/] — {plain(text, 4 * LONGEST)}")
    if results[0].kind != "variant":
        assumptions = option_assumptions(results[0].plan.model)
        console.print("[bold]Assumptions[/]")
        for _, row in assumptions.iterrows():
            where = (
                row["source"] and f"source {row['source']} ({row['source_date']})"
            ) or f"assumption: {row['assumption']}"
            rng = f" [{row['low']:g}–{row['high']:g}]" if pd.notna(row["low"]) and pd.notna(row["high"]) else ""
            console.print(
                plain(f"  {row['field']} = {row['value']:g} {row['unit']}{rng} — {where}", 4 * LONGEST), highlight=False
            )
