"""Rendering charts in worker processes started early.

Importing matplotlib and drawing the charts take longer than solving the default scenario. A pool
forked at the start of ``materiel plan`` imports matplotlib while the parent loads and solves, then
draws the charts while the parent writes the tables. Where fork is unavailable, charts are drawn
in-process.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path

from ..plan.result import Plan

CHART_FILES = ("stock_vs_target.png", "capacity_build_up.png", "spending_by_fund.png")


def _warm() -> None:
    from . import charts  # noqa: F401  (imports matplotlib once per worker)


def _draw(name: str, plan: Plan, folder: Path) -> Path:
    from .charts import CHARTS

    return CHARTS[name](plan, folder / name)


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

    def submit(self, plan: Plan, folder: Path) -> list[AsyncResult | Path]:
        """Start drawing every chart into ``folder``; returns handles for ``wait``."""
        if self._pool is None:
            return [_draw(name, plan, folder) for name in CHART_FILES]
        return [self._pool.apply_async(_draw, (name, plan, folder)) for name in CHART_FILES]

    @staticmethod
    def wait(jobs: list[AsyncResult | Path]) -> list[Path]:
        """Block until every chart is written; a drawing error is raised here."""
        return [job.get() if isinstance(job, AsyncResult) else job for job in jobs]
