"""Carrying out one run of the queue: its scenario version's text loaded with the run's what-ifs and
``--set`` values, then planned, compared or swept with the library's own calls, and every file the
command line writes for it made for the store (docs/workspace.md, "Runs, the queue and sharing").

A job holds everything it needs (no database access), so it can run in a worker process or be
submitted whole to a Dask cluster."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


class RunFailed(Exception):  # noqa: N818
    """The run could not be carried out; the message says why (located, for a scenario's problems)."""


class Cancelled(Exception):  # noqa: N818 (named for what happened)
    """The run was cancelled while it ran; what it made is thrown away."""


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return ""


@dataclass(frozen=True)
class Job:
    """One run as the worker carries it out: what to run, on which scenario text, with what."""

    run_id: int
    kind: str  # plan | compare | sweep
    label: str  # 'tiny v3': the name located messages give the scenario
    text: str
    whatifs: tuple[str, ...] = ()
    sets: tuple[tuple[str, Any], ...] = ()
    options: dict = field(default_factory=dict)  # draws, seed, method, variants, charts


@dataclass
class Outcome:
    """What a run gives: its summary (summary.json, with the CLI's sentences under 'text'), its
    tables (the CSV files, by name without '.csv'), its other files by name, a sweep's draws, and
    the versions and timings it ran with."""

    summary: dict
    tables: dict[str, pd.DataFrame]
    files: dict[str, bytes]
    draws: list[dict] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    library_version: str = field(default_factory=lambda: package_version("materiel"))
    solver_version: str = field(default_factory=lambda: package_version("highspy"))


Progress = Callable[[int, int], None]


def _load(job: Job):
    """The job's scenario text loaded with its what-ifs and --set values, problems located as
    'tiny v3, line 12: ...' (service.load)."""
    from ..service import load

    return load(text=job.text, name=job.label, whatifs=job.whatifs, sets=list(job.sets))


def check_job(job: Job) -> None:
    """Load the job's scenario as the worker will (and, for a comparison, check it has rows to
    compare): ``RunFailed`` says what is wrong before the run is queued."""
    from ..service import compare_rows

    try:
        loaded = _load(job)
        if job.kind == "compare":
            compare_rows(loaded, 1, job.options.get("variants") or ())
    except Exception as exc:
        raise RunFailed(str(exc) or type(exc).__name__) from exc


def run_job(
    job: Job,
    progress: Progress | None = None,
    scheduler: str | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Outcome:
    """Carry out ``job`` with the use-case layer (service.py). ``progress(done, total)`` reports a
    sweep's draws and ``cancel()``, asked between chunks of them, stops it (``Cancelled``);
    ``scheduler``: a Dask address the sweep's draws are sent to. Any failure is ``RunFailed``."""
    from ..uncertainty.runner import SweepCancelledError

    try:
        if job.kind == "sweep":
            return _sweep(job, progress, scheduler, cancel)
        return _plan_or_compare(job)
    except SweepCancelledError as exc:
        raise Cancelled(str(exc)) from exc
    except Exception as exc:
        raise RunFailed(str(exc) or type(exc).__name__) from exc


def _outcome(run, summary: dict, charts: bool) -> Outcome:
    """A service run's summary, tables and files (the CSVs that are tables kept once, as tables)."""
    tables = run.tables
    files = {n: b for n, b in run.outputs(charts).items() if not (n.endswith(".csv") and n[:-4] in tables)}
    timings = {**run.timings.as_dict(), **{f"plan {k}": v for k, v in run.plan.timings.items()}}
    return Outcome(summary, tables, files, timings=timings)


def _plan_or_compare(job: Job) -> Outcome:
    from ..service import compare_run, plan_run

    loaded = _load(job)
    if job.kind == "compare":
        from ..report.files import summary as full_summary

        run = compare_run(loaded, variants=list(job.options.get("variants") or ()))
        summary = full_summary(run.plan, run.assessment, list(run.results))  # the first row's, and the rows
    else:
        run = plan_run(loaded)
        summary = dict(run.summary)
    summary["text"] = page_text(run.plan, run.assessment)
    return _outcome(run, summary, bool(job.options.get("charts", True)))


def page_text(plan, assessment) -> dict:
    """The sentences the command line prints for a plan, made with its own functions, for the run
    page (a stored run keeps no Plan to make them again)."""
    from ..fmt import days
    from ..planner.money import headline
    from ..report.headline import whatif_text
    from ..report.ranges import lines as range_lines
    from ..scenario.names import names

    year = assessment.year
    item, left = assessment.bottleneck_in(year)
    sc = plan.model.scenario
    n = names(sc)
    return {
        "names": {  # ids as the reader knows them, for the page's tables and charts
            "fund": {f.id: n.fund(f.id) for f in sc.funding},
            "item": {i.id: n.item(i.id) for i in sc.items},
            "category": {i.category: n.category(i.category) for i in sc.items},
        },
        "whatifs": whatif_text(plan.model),
        "headline": headline(plan),
        "ranges": range_lines(plan),
        "ready": assessment.readiness.text,
        "bottleneck": (
            f"bottleneck {year}: {names(plan.model.scenario).item(item) if item else '–'} "
            f"({days(left, ' days of war')})"
        ),
        "held_back": assessment.held_back(),
        "can_fire": assessment.fire_statements(),
    }


def _sweep(job: Job, progress: Progress | None, scheduler: str | None, cancel: Callable[[], bool] | None) -> Outcome:
    from ..service import sweep_run

    o = job.options
    with tempfile.TemporaryDirectory(prefix="materiel-sweep-") as folder:  # the draws, until summarised
        run = sweep_run(
            _load(job),
            folder=folder,
            draws=int(o.get("draws", 100)),
            seed=int(o.get("seed", 0)),
            method=str(o.get("method", "lhs")),
            scheduler=scheduler,
            progress=progress,
            cancel=cancel,
        )
        outcome = _outcome(run, dict(run.summary), bool(o.get("charts", True)))
        outcome.summary["currency"] = run.plan.currency
        outcome.draws = [_draw(row) for row in run.uncertainty.draws.to_dict("records")]
    return outcome


def _plain(value: Any) -> Any:
    """A JSON-safe value: NaN and infinities as None, numpy scalars as Python's."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _draw(row: dict) -> dict:
    """One draw's row split into the inputs it drew and what it gave."""
    inputs = {k.removeprefix("input:"): _plain(v) for k, v in row.items() if k.startswith("input:")}
    outcome = {k: _plain(v) for k, v in row.items() if not k.startswith("input:")}
    return {"draw": int(row["draw"]), "inputs": inputs, "outcome": outcome, "total_cost": outcome.get("total_cost")}
