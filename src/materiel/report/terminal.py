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
from ..assessment.options import OptionResult
from ..fmt import clip, days, share
from ..planner import causes as why
from ..planner.money import headline as money_headline
from ..planner.result import Plan
from ..scenario.names import names, possessive
from .headline import money_by_customer_table, whatif_text
from .ranges import lines as range_lines

LONGEST = 120  # characters of one piece of scenario text on the terminal
NAMED = 40  # characters of a name in a table's first column (the files keep it whole)


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
    if (applied := whatif_text(m)) is not None:
        console.print(f"[bold yellow]{plain(applied, 4 * LONGEST)}[/]", highlight=False)
    t = plan.timings
    solve_s = sum(v for k, v in t.items() if k.startswith("solve"))
    console.print(
        f"Plan: [green]optimal[/] (HiGHS {solve_s:.2f} s; build {t.get('build', 0):.2f} s, read-back {t.get('read', 0):.2f} s)"
    )
    for text in money_headline(plan):  # money by customer, never one mixed total (planner/money.py)
        console.print(plain(text, 4 * LONGEST), highlight=False)
    for line in range_lines(plan):  # how firm the split is (docs/model.md, "Equally good plans")
        console.print(escape(line), highlight=False)

    spend = plan.spend_by_year("fund") / 1e9
    table = Table(title=f"Spending by year and funding vehicle ({cur} bn)", show_edge=False, pad_edge=False)
    table.add_column("fund")
    for y in spend.index:
        table.add_column(str(y), justify="right")
    for fund in spend.columns:
        table.add_row(plain(names(sc).fund(fund), NAMED), *(f"{v:.1f}" for v in spend[fund]))
    table.add_row("[bold]all vehicles, every customer[/]", *(f"[bold]{v:.1f}[/]" for v in spend.sum(axis=1)))
    console.print(table)
    _print_by_customer(plan, console)
    print_money_used(plan, console)

    sbc = plan.shortfall_by_category(customer)
    table = Table(
        title=f"Shortfall of {plain(possessive(names(sc).customer(customer)))} targets at the end of each year (share of target)",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("category")
    for y in sbc.columns:
        table.add_column(str(y), justify="right")
    for cat, row in sbc.iterrows():
        table.add_row(
            plain(names(sc).category(cat), NAMED),
            *(f"[{_shortfall_style(v)}]{share(None if pd.isna(v) else v)}[/]" for v in row),
        )
    console.print(table)
    _print_why_short(plan, console, customer)
    _print_component_bottlenecks(plan, console)
    _print_marginal_values(plan, console)


def _print_marginal_values(plan: Plan, console: Console) -> None:
    """The five marginal values with the most effect, as sentences (planner/marginal.py)."""
    from ..planner.marginal import plan_sentences

    found = plan_sentences(plan.marginal_values, plan.objective.shortfall_optimum if plan.objective else None)
    if found:
        console.print("[bold]What more would buy[/] (marginal values, ranked by effect; marginal_values.csv):")
        for text in found:
            console.print(f"  {plain(text, 8 * LONGEST)}", highlight=False)


def _print_by_customer(plan: Plan, console: Console) -> None:
    """Money per year by customer: aid, the assessed customer's own means, others' own purchases."""
    by = money_by_customer_table(plan) / 1e9
    table = Table(title=f"Money per year by customer ({plan.currency} bn)", show_edge=False, pad_edge=False)
    table.add_column("money")
    for y in by.columns:
        table.add_column(y, justify="right")
    for label, row in by.iterrows():
        bold = label == "all money"
        table.add_row(
            f"[bold]{plain(label, 60)}[/]" if bold else plain(label, 60),
            *(f"[bold]{v:.1f}[/]" if bold else f"{v:.1f}" for v in row),
        )
    console.print(table)


def _print_why_short(plan: Plan, console: Console, customer: str) -> None:
    """Why targets are missed: per item, the latest date it is short and its causes (planner/causes.py)."""
    entries = why.by_item(plan.causes, customer)
    if not entries:
        return
    who = names(plan.model.scenario).customer(customer)
    console.print(f"[bold]Why targets are missed[/] ({plain(who)}; the latest date each item is short)")
    for entry in entries:
        console.print(
            f"  {plain(why.headline(entry), 4 * LONGEST)}: {plain(why.brief(entry), 4 * LONGEST)}", highlight=False
        )


def _print_component_bottlenecks(plan: Plan, console: Console) -> None:
    """Which component limited which line, and when (scenarios with components only)."""
    if not plan.model.component.any():
        return
    found = plan.component_bottlenecks()
    n = names(plan.model.scenario)
    if not found:
        console.print("Components: none limited a line that was still wanted")
        return
    console.print("Components that limited output (used up while the line had capacity to spare):")
    for b in found:
        console.print(
            f"  {plain(n.line(b['line']))} by {plain(n.item(b['component']))}: {b['first']}–{b['last']} "
            f"({b['periods']} periods)"
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
        table.add_row(
            plain(names(plan.model.scenario).fund(fund), NAMED),
            *(share(None if pd.isna(v) else v) for v in rows["share_used"]),
        )
    ratio = totals["spent"] / totals["budget"].where(totals["budget"] > 0)
    table.add_row("[bold]all vehicles[/]", *(f"[bold]{share(None if pd.isna(v) else v)}[/]" for v in ratio))
    console.print(table)
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
    for text in plan.limits["text"]:  # generated; long only through the names it lists (at most four)
        console.print(f"  {plain(text, 8 * LONGEST)}", highlight=False)


def print_assessment(a: Assessment, console: Console) -> None:
    """Readiness, the bottleneck at the end of each year, and air defence."""
    r = a.readiness
    n = names(a.plan.model.scenario)
    if (applied := whatif_text(a.plan.model)) is not None:
        console.print(f"[bold yellow]{plain(applied, 4 * LONGEST)}[/]", highlight=False)
    console.print(
        f"Readiness of {plain(n.customer(a.customer))} (every category ≥ {r.threshold:.0%} from then on): [bold]{r.text}[/]"
    )
    cats = "; ".join(f"{plain(n.category(c))} {p or 'never'}" for c, p in r.by_category.items())
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
        table.add_row(
            str(y), plain(n.item(row["item"]), NAMED), f"[{style}]{days(row['days'])}[/]", days(row["days_alone"])
        )
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
                plain(n.attack(row["attack"]), NAMED),
                f"{row['launches_per_month']:,.0f}",
                share(row["engaged_share"]),
                share(row["destroyed_share"]),
            )
        console.print(table)
        ic = a.interceptors[a.interceptors["period"] == period]
        parts = ", ".join(
            f"{plain(n.item(r_['item']))} {r_['demand_per_month']:,.0f}/month, {days(r_['days_to_exhaustion'], ' days')}"
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
    n = names(a.plan.model.scenario)
    for _, row in items.iterrows():
        minimum = row["critical minimum"]
        table.add_row(
            plain(n.item(row["item"]), NAMED),
            plain(n.category(row["category"]), NAMED),
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
    """The options or variants side by side, within 100 columns (report/comparison.py)."""
    from .comparison import print_comparison as compact

    compact(results, console)
