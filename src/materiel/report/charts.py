"""Static charts of a plan (PNG via matplotlib's Agg backend; no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from ..assessment import Assessment
from ..assessment.options import OptionResult
from ..planner.result import Plan

SCALE = 1e9


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
        ax.set_title(cat, fontsize=9)
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
    ax.set_title("Spending per year by funding vehicle")
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
        ax.set_title(line, fontsize=9)
        ax.tick_params(labelsize=7)
        _ticks(ax, m.periods)
        ax.legend(fontsize=6, loc="upper left")
    fig.suptitle("Capacity build-up of the main lines (units per year)", fontsize=11)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def coverage_by_category(a: Assessment, path: Path) -> Path:
    """Coverage of the customer's targets per category over time, with the readiness threshold."""
    m = a.plan.model
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for n, (cat, row) in enumerate(a.coverage.iterrows()):
        ax.plot(range(m.T), 100 * row.to_numpy(dtype=float), label=cat, color=f"C{n % 10}")
    ax.axhline(100 * a.readiness.threshold, color="black", linestyle=":", linewidth=1, label="threshold")
    if a.readiness.period is not None:
        ax.axvline(m.periods.index(a.readiness.period), color="green", linestyle="--", linewidth=1, label="ready")
    ax.set_ylim(0, 105)
    ax.set_ylabel("% of target held (weighted)")
    ax.set_title(f"{a.customer}: coverage by category — ready {a.readiness.text}")
    _ticks(ax, m.periods)
    ax.legend(fontsize=7, ncol=2, loc="lower right")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.1, top=0.92)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def sustainment_days(a: Assessment, path: Path) -> Path:
    """Days of high-intensity war each item's stock sustains (with production), and the goal."""
    m = a.plan.model
    fig, ax = plt.subplots(figsize=(9, 4.5))
    cap = 10 * max(a.goal_days, 1)
    for n, (item, g) in enumerate(a.sustainment.groupby("item", sort=False)):
        days = np.minimum(g["days"].to_numpy(dtype=float), cap)
        ax.plot(range(len(g)), days, label=item, color=f"C{n % 10}")
    ax.axhline(a.goal_days, color="black", linestyle=":", linewidth=1, label=f"goal {a.goal_days:.0f} days")
    ax.set_yscale("log")
    ax.set_ylabel(f"days of war (capped at {cap:.0f})")
    ax.set_title(f"{a.customer}: days of high-intensity war each stock sustains, counting production")
    _ticks(ax, m.periods)
    ax.legend(fontsize=7, ncol=2, loc="lower right")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.1, top=0.92)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def options_readiness(results: list[OptionResult], path: Path) -> Path:
    """Per option: the lowest category coverage over time (the readiness index) and cost per year."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [2, 1]})
    m = results[0].plan.model
    for n, r in enumerate(results):
        low = r.assessment.coverage.min(axis=0).to_numpy(dtype=float)
        ax.plot(range(len(low)), 100 * low, label=r.name, color=f"C{n % 10}")
    ax.axhline(100 * results[0].assessment.readiness.threshold, color="black", linestyle=":", linewidth=1)
    ax.set_ylim(0, 105)
    ax.set_ylabel("lowest category coverage, %")
    _ticks(ax, m.periods)
    ax.legend(fontsize=7, loc="lower right")
    names = [r.name for r in results]
    equipment = np.array([r.envelope_cost.mean() for r in results]) / SCALE
    troops = np.array([r.force_cost.mean() for r in results]) / SCALE
    bx.barh(names, equipment, color="#4a7", label="equipment")
    bx.barh(names, troops, left=equipment, color="#c64", label="troops")
    bx.set_xlabel(f"{m.currency} bn a year")
    bx.tick_params(labelsize=7)
    bx.invert_yaxis()
    bx.legend(fontsize=7)
    fig.suptitle("Options: readiness over time and cost per year", fontsize=11)
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.12, top=0.88, wspace=0.45)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


PLAN_CHARTS = {
    "stock_vs_target.png": stock_vs_target,
    "capacity_build_up.png": capacity_build_up,
    "spending_by_fund.png": spending_by_fund,
}
ASSESSMENT_CHARTS = {"coverage.png": coverage_by_category, "sustainment.png": sustainment_days}
COMPARISON_CHARTS = {"options.png": options_readiness}
