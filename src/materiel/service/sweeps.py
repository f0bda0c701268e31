"""A sweep as a run: its draws kept in a folder (so it resumes), its summary, baseline and files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .loading import Assignments, Clock, Loaded, Timings, loaded_source
from .runs import RunFiles

if TYPE_CHECKING:
    import pandas as pd

    from ..report.render import ChartPool, Drawing
    from ..uncertainty.summary import SweepSummary


@dataclass
class SweepRun(RunFiles):
    """A finished sweep: its summary (odds of readiness, quantiles, sensitivity, every draw), the
    folder its draws are kept in (run it again to resume), and the scenario as written as its
    baseline (``plan``, ``assessment``)."""

    uncertainty: SweepSummary = field(default=None, repr=False)  # type: ignore[assignment]
    folder: Path = Path()

    @property
    def summary(self) -> dict:
        return self.uncertainty.headline()

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        u = self.uncertainty
        return {
            "draws": u.draws,
            "p_ready": u.p_ready,
            "quantiles": u.quantiles.rename_axis("measure").reset_index(),
            "sensitivity": u.sensitivity,
            "fan": u.fan.rename_axis("period").reset_index(),
        }

    def _files(self, drawing: Drawing | None) -> dict[str, bytes]:
        from ..report.files import sweep_files

        return sweep_files(self.uncertainty, self.plan, self.assessment, drawing)

    def write(self, folder: str | Path | None = None, charts: bool = True) -> list[Path]:
        """Write the sweep's tables, summary and report beside its draws (default: its own folder)."""
        return super().write(self.folder if folder is None else folder, charts)


def sweep_run(
    source: Loaded | str | Path | None = None,
    *,
    folder: str | Path | None = None,
    draws: int = 100,
    seed: int = 0,
    method: str = "lhs",
    workers: int = 1,
    scheduler: str | None = None,
    vary: Sequence[str] = (),
    whatifs: Sequence[str] = (),
    sets: Assignments = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    pool: ChartPool | None = None,
) -> SweepRun:
    """Run (or resume) a sweep, as ``materiel sweep`` does, keeping its draws in ``folder``
    (default out/<scenario>/sweep). ``workers=0`` solves the draws in the calling thread (in a
    threaded server, where forking worker processes is unsafe); ``progress(done, total)`` is called
    as chunks of draws finish, ``cancel()`` between them: when it returns true the sweep stops with
    ``SweepCancelledError`` and what it finished is kept for a later resume."""
    from ..assessment import assess
    from ..planner import make_plan

    loaded = loaded_source(source, whatifs, sets)
    timings = Timings(load=loaded.timings.load)
    with Clock(timings, "solve"):
        uncertainty, where = sweep_draws(
            loaded, folder, draws, seed, method, workers, scheduler, vary, progress=progress, cancel=cancel
        )
        base = make_plan(loaded.model)
    drawing = pool.submit(base) if pool is not None else None
    with Clock(timings, "assess"):
        assessment = assess(base)
    return SweepRun(loaded, base, assessment, timings, drawing, uncertainty, where)


def sweep_draws(
    loaded: Loaded,
    folder: str | Path | None = None,
    draws: int = 100,
    seed: int = 0,
    method: str = "lhs",
    workers: int = 1,
    scheduler: str | None = None,
    vary: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> tuple[SweepSummary, Path]:
    """Run (or resume) the sweep's draws in ``folder`` (default out/<scenario>/sweep), holding the
    folder's lock, and summarise them (``materiel.sweep``; ``sweep_run`` adds the baseline)."""
    from ..uncertainty.runner import check_options, collect, execute, prepare, sweep_lock
    from ..uncertainty.summary import summarise

    where = Path(folder) if folder is not None else Path("out") / loaded.scenario.name / "sweep"
    check_options(draws, max(1, workers))
    with sweep_lock(where):
        sweep = prepare(loaded.scenario, draws, seed, where, method, vary=list(vary))
        execute(sweep, workers=workers, scheduler=scheduler, progress=progress, cancel=cancel)
        return summarise(collect(where), loaded.model), where


def sweep_summary(folder: str | Path, loaded: Loaded) -> SweepSummary:
    """The summary of a finished sweep of this very scenario (with these what-ifs and assignments);
    ``SweepError`` when the folder holds no such sweep."""
    from ..uncertainty.runner import check_sweep_of, collect
    from ..uncertainty.summary import summarise

    check_sweep_of(folder, loaded.scenario)
    return summarise(collect(folder), loaded.model)
