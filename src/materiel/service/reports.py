"""The one-file HTML report as a run (and its PDF brief)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .loading import Assignments, Clock, Loaded, Timings, loaded_source
from .runs import CompareRun, PlanRun, RunFiles, compare_run, plan_run
from .sweeps import sweep_summary

if TYPE_CHECKING:
    from ..report.render import ChartPool
    from ..uncertainty.summary import SweepSummary


@dataclass
class ReportRun:
    """The one-file HTML report (plan, readiness, options when the scenario has them, uncertainty
    from a finished sweep) and its PDF brief on demand."""

    html: str
    comparison: CompareRun | None
    plan_run: PlanRun | None
    uncertainty: SweepSummary | None
    timings: Timings

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
    progress: Callable[[str, int, int], None] | None = None,
    pool: ChartPool | None = None,
) -> ReportRun:
    """The report ``materiel report`` writes: the scenario's policy options side by side when it
    has an options section (else its plan), with the uncertainty of the finished sweep in
    ``sweep`` (a folder; ``SweepError`` when it holds another scenario's sweep); ``progress`` as
    for ``compare_run``."""
    from ..report.html import render_report
    from ..report.render import ChartPool

    loaded = loaded_source(source, whatifs, sets)
    uncertainty = sweep_summary(sweep, loaded) if sweep is not None else None
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
        text = render_report(run.plan, run.assessment, drawing.wait(), comparison, loaded.whatifs or None, uncertainty)
    return ReportRun(text, compared, planned, uncertainty, run.timings)
