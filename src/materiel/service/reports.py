"""The one-file HTML report as a run (and its PDF brief)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .loading import Assignments, Clock, Loaded, Timings, loaded_source
from .runs import CompareRun, PlanRun, RunFiles, compare_run, plan_run
from .sweeps import sweep_summary

if TYPE_CHECKING:
    from ..report.render import ChartPool
    from ..uncertainty.folders import PlansFolder
    from ..uncertainty.summary import SweepSummary


@dataclass
class ReportRun:
    """The one-file HTML report (plan, readiness, options when the scenario has them, uncertainty
    from a finished sweep, committed and robust plans from their folders) and its PDF brief on demand."""

    html: str
    comparison: CompareRun | None
    plan_run: PlanRun | None
    uncertainty: SweepSummary | None
    timings: Timings
    plans: list[PlansFolder] = field(default_factory=list)  # materiel robust and materiel commit folders read

    def pdf(self) -> bytes:
        """The report as an A4 PDF brief (``PdfError`` when it cannot be made here)."""
        from ..report.pdf import pdf_bytes

        return pdf_bytes(self.html)


def report_run(
    source: Loaded | str | Path | None = None,
    *,
    whatifs: Sequence[str] = (),
    sets: Assignments = None,
    sweep: str | Path | None = None,
    robust: str | Path | None = None,
    commit: str | Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    pool: ChartPool | None = None,
) -> ReportRun:
    """The report ``materiel report`` writes: the scenario's policy options side by side when it
    has an options section (else its plan), with the uncertainty of the finished sweep in
    ``sweep`` (a folder; ``SweepError`` when it holds another scenario's sweep) and the committed
    and robust plans of a ``materiel robust`` folder ``robust`` and a ``materiel commit`` folder
    ``commit`` (``CommitError`` when one is not such a folder of this scenario, or is damaged; all
    folders are read before anything is planned); ``progress`` as for ``compare_run``."""
    from ..report.html import render_report
    from ..report.render import ChartPool

    loaded = loaded_source(source, whatifs, sets)
    uncertainty = sweep_summary(sweep, loaded) if sweep is not None else None
    plans = plans_folders(loaded, robust, commit)
    compared = planned = None
    if loaded.scenario.options is not None:
        compared = compare_run(loaded, progress=progress, pool=pool)
        run: RunFiles = compared
    else:
        planned = plan_run(loaded, pool=pool)
        run = planned
    with Clock(run.timings, "outputs"):
        drawing = run.drawing or ChartPool(workers=0).submit(run.plan)
        comparison = list(compared.results) if compared is not None else None
        text = render_report(
            run.plan, run.assessment, drawing.wait(), comparison, loaded.whatifs or None, uncertainty, plans
        )
    return ReportRun(text, compared, planned, uncertainty, run.timings, plans)


def plans_folders(
    loaded: Loaded, robust: str | Path | None = None, commit: str | Path | None = None
) -> list[PlansFolder]:
    """The ``materiel robust`` folder ``robust`` and the ``materiel commit`` folder ``commit`` (either
    may be None), each checked to hold that command's outputs for this very scenario."""
    from ..uncertainty.folders import read_plans_folder

    given = (("robust", robust), ("commit", commit))
    return [read_plans_folder(folder, kind, loaded.scenario) for kind, folder in given if folder is not None]
