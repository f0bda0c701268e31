"""Rendering charts in worker processes started early.

Importing matplotlib and drawing the charts take longer than solving the default scenario. A pool
forked at the start of ``materiel plan`` imports matplotlib while the parent loads and solves, then
draws the charts while the parent writes the tables. Where fork is unavailable, charts are drawn
in-process.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path

from ..assess import Assessment
from ..assess.options import OptionResult
from ..plan.result import Plan


@dataclass
class ChartInputs:
    """What the charts are drawn from; charts whose input is missing are skipped."""

    plan: Plan
    assessment: Assessment | None = None
    comparison: list[OptionResult] | None = None


def _warm() -> None:
    from . import charts  # noqa: F401  (imports matplotlib once per worker)


def _draw(name: str, inputs: ChartInputs, folder: Path) -> Path:
    from .charts import ASSESSMENT_CHARTS, COMPARISON_CHARTS, PLAN_CHARTS

    if name in PLAN_CHARTS:
        return PLAN_CHARTS[name](inputs.plan, folder / name)
    if name in ASSESSMENT_CHARTS:
        return ASSESSMENT_CHARTS[name](inputs.assessment, folder / name)
    return COMPARISON_CHARTS[name](inputs.comparison, folder / name)


def chart_names(inputs: ChartInputs) -> list[str]:
    """The charts ``inputs`` can feed, slowest first (so two workers finish together)."""
    names = ["stock_vs_target.png", "capacity_build_up.png"]
    if inputs.comparison:
        names.append("options.png")
    if inputs.assessment is not None:
        names += ["sustainment.png", "coverage.png"]
    return [*names, "spending_by_fund.png"]


class ChartPool:
    """Worker processes that draw a plan's charts; use as a context manager."""

    def __init__(self, workers: int = 2) -> None:
        """``workers=0`` draws in-process when ``submit`` is called."""
        self._pool: Pool | None = None
        if workers > 0 and "fork" in multiprocessing.get_all_start_methods():
            self._pool = multiprocessing.get_context("fork").Pool(workers, initializer=_warm)

    def __enter__(self) -> ChartPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()

    def submit(self, inputs: ChartInputs, folder: Path) -> list[AsyncResult | Path]:
        """Start drawing every chart ``inputs`` can feed into ``folder``; returns handles for ``wait``."""
        names = chart_names(inputs)
        if self._pool is None:
            return [_draw(name, inputs, folder) for name in names]
        return [self._pool.apply_async(_draw, (name, inputs, folder)) for name in names]

    @staticmethod
    def wait(jobs: list[AsyncResult | Path]) -> list[Path]:
        """Block until every chart is written; a drawing error is raised here."""
        return [job.get() if isinstance(job, AsyncResult) else job for job in jobs]
