"""Rendering charts in a worker process started early.

Drawing the three PNG charts takes about as long as solving the default scenario. The command line
forks this worker first thing, before importing the planner, so it imports what drawing needs
(pandas, Pillow, its font) while the parent imports, loads and solves, then draws the charts while
the parent assesses the plan and writes the tables. Where fork is unavailable, charts are drawn
in-process.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # kept light: the pool is forked before the heavy modules are imported
    from ..planner.result import Plan


PLAN_CHART_FILES = ("stock_vs_target.png", "capacity_build_up.png", "spending_by_fund.png")


def _warm() -> None:
    """Import what drawing needs once per worker, while the parent is still busy."""
    import pandas  # noqa: F401  (to unpickle the plan's tables)

    from . import charts  # noqa: F401  (the plan's charts and Pillow)
    from .raster import font

    for size in (9, 10, 11, 12, 15):  # the sizes the charts use
        font(size)


def _draw(name: str, plan: Plan, folder: Path) -> Path:
    from .charts import PLAN_CHARTS

    return PLAN_CHARTS[name](plan, folder / name)


def _draw_all(names: list[str], plan: Plan, folder: Path) -> list[Path]:
    return [_draw(name, plan, folder) for name in names]


@dataclass
class Drawing:
    """The plan's charts being drawn into a scratch folder (by the worker, or by the caller on
    ``wait`` when there is none); ``move_to`` puts them where the outputs go."""

    jobs: list[AsyncResult]
    local: list[str]
    plan: Plan
    folder: Path

    def wait(self) -> list[Path]:
        """Block until every chart is written (drawing errors are raised here)."""
        drawn = [_draw(name, self.plan, self.folder) for name in self.local]
        return drawn + [path for job in self.jobs for path in job.get()]

    def move_to(self, target: Path) -> dict[str, Path]:
        """Wait, then move the charts into ``target``; name -> final path."""
        out = {}
        for path in self.wait():
            dest = target / path.name
            shutil.move(str(path), dest)
            out[path.name] = dest
        return out

    def discard(self) -> None:
        """Remove the scratch folder (whatever happened)."""
        shutil.rmtree(self.folder, ignore_errors=True)


class ChartPool:
    """A worker process that draws the plan's PNG charts while the caller assesses the plan and
    writes the tables; use as a context manager. (The report's other charts are inline SVG.)"""

    def __init__(self, workers: int = 1) -> None:
        """``workers=0`` draws in the caller, when ``wait`` is called."""
        self._pool: Pool | None = None
        if workers > 0 and "fork" in multiprocessing.get_all_start_methods():
            self._pool = multiprocessing.get_context("fork").Pool(workers, initializer=_warm)

    def __enter__(self) -> ChartPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()

    def submit(self, plan: Plan) -> Drawing:
        """Start drawing the plan's charts into a new scratch folder."""
        folder = Path(tempfile.mkdtemp(prefix="materiel-charts-"))
        names = list(PLAN_CHART_FILES)
        if self._pool is None:
            return Drawing([], names, plan, folder)
        return Drawing([self._pool.apply_async(_draw_all, (names, plan, folder))], [], plan, folder)
