"""Rendering charts in worker processes started early.

Importing matplotlib and drawing the charts take longer than solving the default scenario. The
command line forks this pool first thing, before importing the planner, so the workers import
matplotlib while the parent imports, loads and solves, then draw the charts while the parent writes
the tables. Where fork is unavailable, charts are drawn in-process.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # kept light: the pool is forked before the heavy modules are imported
    from ..assessment import Assessment
    from ..assessment.options import OptionResult
    from ..planner.result import Plan


@dataclass
class ChartInputs:
    """What the charts are drawn from; charts whose input is missing are skipped."""

    plan: Plan
    assessment: Assessment | None = None
    comparison: list[OptionResult] | None = None


def _warm() -> None:
    """Import what drawing needs once per worker, while the parent is still busy."""
    import pandas  # noqa: F401  (to unpickle the plan's tables)

    from . import charts  # noqa: F401  (matplotlib)


def _draw(name: str, inputs: ChartInputs, folder: Path) -> Path:
    from .charts import ASSESSMENT_CHARTS, COMPARISON_CHARTS, PLAN_CHARTS

    if name in PLAN_CHARTS:
        return PLAN_CHARTS[name](inputs.plan, folder / name)
    if name in ASSESSMENT_CHARTS:
        return ASSESSMENT_CHARTS[name](inputs.assessment, folder / name)
    return COMPARISON_CHARTS[name](inputs.comparison, folder / name)


WORKER_CHARTS = ("stock_vs_target.png", "capacity_build_up.png", "options.png", "spending_by_fund.png")


def chart_names(inputs: ChartInputs) -> list[str]:
    """The charts ``inputs`` can feed, slowest first."""
    names = ["stock_vs_target.png", "capacity_build_up.png"]
    if inputs.comparison:
        names.append("options.png")
    if inputs.assessment is not None:
        names += ["sustainment.png", "coverage.png"]
    return [*names, "spending_by_fund.png"]


@dataclass
class Drawing:
    """Charts being drawn: handles of the worker's jobs, and the charts left for the caller."""

    jobs: list[AsyncResult]
    local: list[str]
    inputs: ChartInputs
    folder: Path

    def wait(self) -> list[Path]:
        """Draw the caller's share, then block until the worker's are written (errors raise here)."""
        drawn = [_draw(name, self.inputs, self.folder) for name in self.local]
        return drawn + [job.get() for job in self.jobs]


class ChartPool:
    """A worker process that draws a plan's charts; use as a context manager.

    One worker takes the slow plan charts while the caller writes the tables; the caller draws the
    small assessment charts itself once its writing is done (measured: a second worker costs more
    in contention while the parent imports and solves than it saves).
    """

    def __init__(self, workers: int = 1) -> None:
        """``workers=0`` draws everything in the caller, when ``wait`` is called."""
        self._pool: Pool | None = None
        if workers > 0 and "fork" in multiprocessing.get_all_start_methods():
            self._pool = multiprocessing.get_context("fork").Pool(workers, initializer=_warm)

    def __enter__(self) -> ChartPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()

    def submit(self, inputs: ChartInputs, folder: Path) -> Drawing:
        """Start drawing every chart ``inputs`` can feed into ``folder``."""
        names = chart_names(inputs)
        if self._pool is None:
            return Drawing([], names, inputs, folder)
        remote = [n for n in names if n in WORKER_CHARTS]
        jobs = [self._pool.apply_async(_draw, (name, inputs, folder)) for name in remote]
        return Drawing(jobs, [n for n in names if n not in WORKER_CHARTS], inputs, folder)
