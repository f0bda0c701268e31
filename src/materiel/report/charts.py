"""The plan's standard charts as PNG, into a file or a buffer (drawn with Pillow on ``raster.Canvas``; no display)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..planner.result import Plan
from .axes import PALETTE, fund_colours, nice_ticks, nice_top
from .raster import Canvas, Panel, grid_layout

SCALE = 1e9
PANEL_W, PANEL_H, GAP = 380, 230, 44
MARGINS = (56, 20, 40, GAP)


def _series(values: np.ndarray, panel: Panel) -> list[tuple[float, float]]:
    return [(panel.x(i), panel.y(float(v))) for i, v in enumerate(values)]


def stock_vs_target(plan: Plan, path: Path | BinaryIO, customer: str | None = None) -> Path | BinaryIO:
    """One panel per category: each item's stock (solid) and target (dashed), both as a share of
    the item's highest target, so items counted in thousands and in millions share one scale.
    ``customer`` defaults to the assessed customer."""
    m = plan.model
    customer = customer or plan.assessed_customer
    stock, target = plan.stock_of(customer), plan.stock_of(customer, "target")
    item_cat = np.array(m.item_category)
    cats = [c for c in m.categories if (target[item_cat == c] > 0).any()]
    width, height, places = grid_layout(len(cats), 3, PANEL_W, PANEL_H, 56, MARGINS)
    canvas = Canvas(width, height)
    canvas.text(
        width / 2,
        10,
        f"{customer}: stock (solid) and target (dashed), % of each item's highest target (in brackets)",
        15,
        "ma",
    )
    _line_key(canvas, width / 2, 30, [("stock", 0.0), ("target", 5.0)])
    for n, (cat, (left, top)) in enumerate(zip(cats, places, strict=True)):
        panel = Panel(canvas, left, top, PANEL_W, PANEL_H, m.T, 0.0, 130.0)
        panel.frame(cat, m.periods, y_labels=n % 3 == 0)
        entries = []
        for k, i in enumerate(np.flatnonzero(item_cat == cat)):
            peak = float(np.nanmax(target[i], initial=0.0))
            if peak <= 0:
                continue
            colour = PALETTE[k % len(PALETTE)]
            canvas.line(_series(100 * stock[i] / peak, panel), colour, 1.8)
            canvas.line(_series(100 * target[i] / peak, panel), colour, 1.2, dash=5)
            entries.append((f"{m.items[i]} ({peak:,.0f})", colour, 0))
        panel.legend(entries)
    canvas.vertical_text(14, 56 + PANEL_H / 2, "% of highest target", 11)
    return canvas.save(path)


def _line_key(canvas: Canvas, centre: float, y: float, entries: list[tuple[str, float]]) -> None:
    """A key of line styles (label, dash) in black, centred at ``centre``: what solid and dashed mean."""
    step = 110
    left = centre - step * len(entries) / 2
    for n, (label, dash) in enumerate(entries):
        x = left + step * n
        canvas.line([(x, y), (x + 28, y)], "#000000", 1.8, dash=dash)
        canvas.text(x + 34, y, label, 11, "lm")


def spending_by_fund(plan: Plan, path: Path | BinaryIO) -> Path | BinaryIO:
    """Stacked bars: money spent per year by funding vehicle, each in its own colour in every run."""
    table = plan.spend_by_year("fund") / SCALE
    colours = fund_colours(plan.model.funds)
    width, height = 900, 450
    canvas = Canvas(width, height)
    canvas.text(width / 2, 12, "Spending per year by funding vehicle", 15, "ma")
    totals = table.sum(axis=1).to_numpy() if len(table.columns) else np.zeros(len(table))
    high = nice_top(float(totals.max(initial=0.0)) * 1.02)
    years = [str(y) for y in table.index]
    panel = Panel(canvas, 72, 44, 620, height - 44 - 44, max(2, len(years) + 1), 0.0, high)
    c = panel.canvas
    for v in nice_ticks(0.0, panel.y_high, 5):
        c.line([(panel.left, panel.y(v)), (panel.left + panel.width, panel.y(v))], "#e4e4e4", 1)
        c.text(panel.left - 4, panel.y(v), f"{v:g}", 10, "rm")
    slot = panel.width / max(1, len(years))
    bottom = np.zeros(len(years))
    for fund in table.columns:
        colour = colours[fund]
        values = table[fund].to_numpy()
        for j, v in enumerate(values):
            if v > 0:
                x0 = panel.left + slot * j + slot * 0.15
                c.rect(x0, panel.y(bottom[j]), x0 + slot * 0.7, panel.y(bottom[j] + v), colour)
        bottom += values
    for j, year in enumerate(years):
        c.text(panel.left + slot * (j + 0.5), panel.top + panel.height + 5, year, 10, "ma")
    c.rect(panel.left, panel.top, panel.left + panel.width, panel.top + panel.height, None, "#555555")
    canvas.vertical_text(
        16, panel.top + panel.height / 2, f"{plan.currency} bn ({plan.model.scenario.currency.year} prices)"
    )
    for n, fund in enumerate(table.columns):
        y = panel.top + 8 + 17 * n
        c.rect(panel.left + panel.width + 14, y - 5, panel.left + panel.width + 26, y + 5, colours[fund])
        c.text(panel.left + panel.width + 32, y, str(fund), 10, "lm")
    return canvas.save(path)


def capacity_build_up(plan: Plan, path: Path | BinaryIO, top: int = 6) -> Path | BinaryIO:
    """The lines with most money spent: base and added capacity (per year) and what was ordered."""
    m = plan.model
    to_lines = plan.funding[plan.funding["line"] != ""]  # upkeep is paid to no line
    spend = to_lines.groupby("line")["amount"].sum().sort_values(ascending=False)
    lines = list(spend.index[:top]) or m.lines[:top]
    width, height, places = grid_layout(len(lines), 3, PANEL_W, PANEL_H, 56, MARGINS)
    canvas = Canvas(width, height)
    canvas.text(width / 2, 14, "Capacity build-up of the main lines (units per year)", 15, "ma")
    ppy = m.cal.per_year
    base_colour, added_colour = "#99aabb", "#ee8844"
    for line, (left, top_px) in zip(lines, places, strict=True):
        rows = plan.capacity[plan.capacity["line"] == line]
        g = rows.set_index("period")[["base_per_year", "added_per_year", "ordered"]].reindex(m.periods).fillna(0.0)
        base = g["base_per_year"].to_numpy(dtype=float)
        added = g["added_per_year"].to_numpy(dtype=float)
        ordered = g["ordered"].to_numpy(dtype=float) * ppy
        high = max(float((base + added).max(initial=0.0)), float(ordered.max(initial=0.0)))
        panel = Panel(canvas, left, top_px, PANEL_W, PANEL_H, len(g), 0.0, nice_top(high * 1.02, 4))
        xs = [panel.x(i) for i in range(len(g))]
        floor = panel.y(0.0)
        canvas.polygon(
            [*zip(xs, [panel.y(v) for v in base], strict=True), (xs[-1], floor), (xs[0], floor)], base_colour
        )
        canvas.polygon(
            [
                *zip(xs, [panel.y(v) for v in base + added], strict=True),
                *reversed(list(zip(xs, [panel.y(v) for v in base], strict=True))),
            ],
            added_colour,
        )
        canvas.line(list(zip(xs, [panel.y(v) for v in ordered], strict=True)), "#000000", 1.2)
        panel.frame(line, m.periods)
        panel.legend(
            [("base", base_colour, 0, "box"), ("added", added_colour, 0, "box"), ("ordered", "#000000", 0)],
            "upper left",
        )
    return canvas.save(path)


PLAN_CHARTS = {
    "stock_vs_target.png": stock_vs_target,
    "capacity_build_up.png": capacity_build_up,
    "spending_by_fund.png": spending_by_fund,
}
