"""The comparison on the terminal, within 100 columns (docs/cli.md, "compare"): one compact table
of figures, money in billions with the unit in the title, then each long note once below it (what
a row is, what it gives up, its constraints) and the assumptions behind the options."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from ..assessment.options import OptionResult, comparison_table, given_up, option_assumptions
from ..fmt import clip, money
from ..scenario.names import describe_path
from .headline import comparison_money, whatif_text
from .terminal import LONGEST, plain

NOTE_LONGEST = 2000  # characters of one row's notes
WIDTH = 100  # the table fits a terminal this wide
NAME_WIDTH = 40  # longest row name in the table; a longer one (or one that would widen the table
# past WIDTH) is cut and given in full below it
ITEM_WIDTH = 12  # the bottleneck item


def money_scale(results: list[OptionResult]) -> tuple[float, str]:
    """The unit the table's money is shown in: billions, millions or whole units of the currency,
    whichever its largest figure (a plan's total) needs."""
    largest = max((abs(r.plan.total_cost) for r in results), default=0.0)
    for scale, word in ((1e9, " bn"), (1e6, " m")):
        if largest >= scale:
            return scale, word
    return 1.0, ""


def _amount(value: float, scale: float) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value / scale:,.2f}" if scale > 1 else f"{value:,.0f}"


def _days(value: float) -> str:
    return "never" if not math.isfinite(value) else f"{value:,.0f}"


def compact_table(results: list[OptionResult]) -> Table:
    """The figures of each row (``_table``), its row names cut so that it fits ``WIDTH`` columns."""
    table = _table(results, NAME_WIDTH)
    probe = Console(file=io.StringIO(), width=4 * WIDTH, color_system=None)
    probe.print(table)
    wide = max(len(line.rstrip()) for line in probe.file.getvalue().splitlines())
    return _table(results, max(12, NAME_WIDTH - (wide - WIDTH))) if wide > WIDTH else table


def _table(results: list[OptionResult], name_width: int) -> Table:
    """Cost a year and its parts, the plan's total, the share spent in Europe, the readiness date,
    the bottleneck and its days of war."""
    first = results[0]
    m = first.plan.model
    year = first.assessment.year
    troops = any(r.troops for r in results)
    own = m.own is not None and m.own.any()
    kind = "Options" if first.kind != "variant" else "Compared"
    scale, word = money_scale(results)
    table = Table(
        title=f"{kind} side by side ({m.currency}{word}, a year unless stated)",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )
    table.add_column("", no_wrap=True, max_width=name_width)
    table.add_column("cost", justify="right", no_wrap=True)
    if troops:
        table.add_column("troops", justify="right", no_wrap=True)
    table.add_column("equip.", justify="right", no_wrap=True)
    if own:
        table.add_column("own", justify="right", no_wrap=True)
    table.add_column("total", justify="right", no_wrap=True)
    table.add_column("Europe", justify="right", no_wrap=True)
    table.add_column("ready", no_wrap=True)
    table.add_column(f"short {year}", no_wrap=True, max_width=ITEM_WIDTH)
    table.add_column("days", justify="right", no_wrap=True)
    for r in results:
        item, days = r.assessment.bottleneck_in(year)
        cells = [plain(clip(r.name, name_width)), _amount(r.cost_per_year, scale)]
        if troops:
            cells.append(_amount(float(r.force_cost.mean()), scale))
        cells.append(_amount(float(r.envelope_cost.mean()), scale))
        if own:
            cells.append(_amount(r.own_means_per_year, scale))
        cells += [
            _amount(r.plan.total_cost, scale),
            f"{100 * r.plan.europe_share:.0f} %",
            r.assessment.readiness.period or "never",
            plain(clip(item or "–", ITEM_WIDTH)),
            _days(days),
        ]
        table.add_row(*cells)
    return table


def _legend(results: list[OptionResult]) -> str:
    first = results[0]
    year = first.assessment.year
    parts = [
        "cost: to the European envelope a year",
        *(["troops: of which the force"] if any(r.troops for r in results) else []),
        "equip.: of which equipment",
        *(
            ["own: the recipients' own money a year"]
            if first.plan.model.own is not None and first.plan.model.own.any()
            else []
        ),
        "total: all money over the horizon, every customer (by customer below)",
        "Europe: share of all money spent with European producers",
        f"short {year}: the item that runs out first at the end of {year}, and its days of war",
    ]
    return "; ".join(parts) + "."


def notes(results: list[OptionResult]) -> list[str]:
    """Each row's long text, once: what it is, what it gives up against the first, its constraints."""
    table = comparison_table(results)
    first = results[0]
    out = []
    for r, constraints in zip(results, table["constraints"], strict=True):
        parts = [r.description] if r.description else []
        if r is not first:
            parts.append(f"gives up against {first.name}: {given_up(r, first).text(r, first)}")
        if r.troops:
            pol = r.plan.model.policy
            gap = r.troops / r.willing if r.willing else np.inf
            parts.append(
                f"{r.troops:,} troops deployed ({r.committed:,.0f} committed), {r.willing:,.0f} willing"
                + (f" from {pol.contributors:,.0f} countries" if pol.contributors else "")
                + (": within what is offered" if gap <= 1 else f": {gap:.1f}× what is offered")
            )
        if r.force_cost_range is not None:
            low, high = r.force_cost_range
            cur = r.plan.currency
            parts.append(
                f"troops cost {money(low, cur)}–{money(high, cur)} a year over the range of the cost per soldier"
            )
        if constraints:
            parts.append(constraints)
        out.append(f"{r.name}: " + "; ".join(parts))
    return out


def print_comparison(results: list[OptionResult], console: Console) -> None:
    """The what-ifs applied, the compact table, its legend, each row's notes once, each row's money
    by customer, then the options' assumptions."""
    if (applied := whatif_text(results[0].plan.model)) is not None:
        console.print(f"[bold yellow]{plain(applied, 4 * LONGEST)}[/]", highlight=False)
    console.print(compact_table(results))
    console.print(f"[dim]{plain(_legend(results), 4 * LONGEST)}[/]")
    for text in notes(results):
        console.print(f"• {plain(text, NOTE_LONGEST)}", highlight=False)
    console.print("[bold]Money by customer[/] (per year: money over the horizon ÷ its calendar years)")
    for text in comparison_money([(r.name, r.plan) for r in results]):
        console.print(f"  {plain(text, NOTE_LONGEST)}", highlight=False)
    if results[0].kind != "variant":
        _print_assumptions(results, console)


def _print_assumptions(results: list[OptionResult], console: Console) -> None:
    assumptions = option_assumptions(results[0].plan.model)
    console.print("[bold]Assumptions[/]")
    for _, row in assumptions.iterrows():
        where = (
            row["source"] and f"source {row['source']} ({row['source_date']})"
        ) or f"assumption: {row['assumption']}"
        rng = f" [{row['low']:g}–{row['high']:g}]" if pd.notna(row["low"]) and pd.notna(row["high"]) else ""
        console.print(
            plain(
                f"  {describe_path(results[0].plan.model.scenario, row['field'])} = {row['value']:g} {row['unit']}{rng}"
                f" — {where}",
                4 * LONGEST,
            ),
            highlight=False,
        )
