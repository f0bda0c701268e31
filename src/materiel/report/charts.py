"""The plan's standard charts as PNG files (matplotlib, Agg backend; no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from ..planner.result import Plan

SCALE = 1e9


def warm_up() -> None:
    """Draw a tiny figure with text so fonts and the Agg renderer are loaded before the real charts."""
    import io

    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1], [0, 1], label="x")
    ax.set_title("x")
    ax.legend()
    fig.savefig(io.BytesIO(), format="png", dpi=20)
    plt.close(fig)


def _grid(n: int, cols: int = 3, sharey: bool = False) -> tuple[plt.Figure, np.ndarray]:
    """Small multiples with fixed margins (a layout engine would draw every figure twice)."""
    rows = max(1, -(-n // cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(4.2 * cols, 3.0 * rows + 0.6), squeeze=False, sharex=True, sharey=sharey
    )
    fig.subplots_adjust(
        left=0.06, right=0.98, bottom=0.1 / rows + 0.04, top=1 - 0.8 / (3.0 * rows + 0.6), wspace=0.2, hspace=0.35
    )
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()


def _ticks(ax: plt.Axes, periods: list[str]) -> None:
    """About five period labels along the x axis."""
    step = max(1, len(periods) // 5)
    ax.set_xticks(range(0, len(periods), step))
    ax.set_xticklabels(periods[::step], fontsize=7)


def stock_vs_target(plan: Plan, path: Path, customer: str = "ukraine") -> Path:
    """One panel per category: each item's stock (solid) and target (dashed), both as a share of
    the item's highest target, so items counted in thousands and in millions share one scale."""
    m = plan.model
    st = plan.stock[plan.stock["customer"] == customer]
    cats = [c for c in m.categories if (st.loc[st["category"] == c, "target"] > 0).any()]
    fig, axes = _grid(len(cats), sharey=True)
    for ax, cat in zip(axes, cats, strict=False):
        sub = st[st["category"] == cat]
        for n, (item, g) in enumerate(sub.groupby("item", sort=False)):
            peak = g["target"].max()
            if peak <= 0:
                continue
            colour = f"C{n}"
            ax.plot(range(len(g)), 100 * g["stock"].to_numpy() / peak, color=colour, label=f"{item} ({peak:,.0f})")
            ax.plot(range(len(g)), 100 * g["target"].to_numpy() / peak, color=colour, linestyle="--", linewidth=1)
        ax.set_title(cat, fontsize=9, y=1.0)  # a fixed y skips the per-draw title placement
        ax.legend(fontsize=6, loc="lower right")
        ax.tick_params(labelsize=7)
        _ticks(ax, m.periods)
    axes[0].set_ylim(0, 130)
    axes[0].set_ylabel("% of highest target", fontsize=7)
    fig.suptitle(
        f"{customer}: stock (solid) and target (dashed), % of each item's highest target (in brackets)", fontsize=10
    )
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def spending_by_fund(plan: Plan, path: Path) -> Path:
    """Stacked bars: money spent per year by funding vehicle."""
    table = plan.spend_by_year("fund") / SCALE
    fig, ax = plt.subplots(figsize=(9, 4.5))
    bottom = np.zeros(len(table))
    for n, fund in enumerate(table.columns):
        ax.bar(table.index.astype(str), table[fund], bottom=bottom, label=fund, color=f"C{n % 10}")
        bottom += table[fund].to_numpy()
    ax.set_ylabel(f"{plan.currency} bn ({plan.model.scenario.currency.year} prices)")
    ax.set_title("Spending per year by funding vehicle", y=1.0)
    ax.legend(fontsize=7, ncol=2, loc="upper right")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.1, top=0.92)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def capacity_build_up(plan: Plan, path: Path, top: int = 6) -> Path:
    """The lines with most money spent: base and added capacity (per year) and what was ordered."""
    m = plan.model
    spend = plan.funding.groupby("line")["amount"].sum().sort_values(ascending=False)
    lines = list(spend.index[:top]) or m.lines[:top]
    fig, axes = _grid(len(lines))
    ppy = m.cal.per_year
    for ax, line in zip(axes, lines, strict=False):
        g = plan.capacity[plan.capacity["line"] == line]
        x = range(len(g))
        ax.stackplot(
            x, g["base_per_year"], g["added_per_year"], labels=["base", "added"], colors=["#9ab", "#e84"], alpha=0.8
        )
        ax.plot(x, g["ordered"] * ppy, color="black", linewidth=1, label="ordered")
        ax.set_title(line, fontsize=9, y=1.0)
        ax.tick_params(labelsize=7)
        _ticks(ax, m.periods)
        ax.legend(fontsize=6, loc="upper left")
    fig.suptitle("Capacity build-up of the main lines (units per year)", fontsize=11)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


PLAN_CHARTS = {
    "stock_vs_target.png": stock_vs_target,
    "capacity_build_up.png": capacity_build_up,
    "spending_by_fund.png": spending_by_fund,
}
