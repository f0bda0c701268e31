"""The use-case layer (docs/api.md, "The use-case layer"): load, plan, compare, sweep and report
as library calls that the command line and the web app both make.

Each call returns a run object holding its results, its timings and its files: ``outputs()``
makes every file in memory (name -> bytes: for a database), ``write(folder)`` puts them in a
folder as one unit (``materiel plan -o``). Nothing here is process-wide: the charts are drawn in
the calling thread unless the caller passes a ``ChartPool`` it owns (the command line forks one
at start-up), so runs may go on in several threads at once.
"""

from .loading import Assignments, Loaded, ServiceError, Timings, assignments, load, split_names
from .reports import ReportRun, plans_folders, report_run
from .runs import CompareRun, PlanRun, RunFiles, compare_rows, compare_run, plan_run
from .sweeps import SweepRun, sweep_draws, sweep_run, sweep_summary

__all__ = [
    "Assignments",
    "CompareRun",
    "Loaded",
    "PlanRun",
    "ReportRun",
    "RunFiles",
    "ServiceError",
    "SweepRun",
    "Timings",
    "assignments",
    "compare_rows",
    "compare_run",
    "load",
    "plan_run",
    "plans_folders",
    "report_run",
    "split_names",
    "sweep_draws",
    "sweep_run",
    "sweep_summary",
]
