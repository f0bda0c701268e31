"""Carrying out one run of the queue: its scenario version's text loaded with the run's what-ifs and
``--set`` values, then planned, compared or swept with the library's own calls, and every file the
command line writes for it made for the store (docs/workspace.md, "Runs, the queue and sharing").

A job holds everything it needs (no database access), so it can run in a worker process or be
submitted whole to a Dask cluster."""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
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


@contextmanager
def _scratch(job: Job) -> Iterator[tuple[Path, Path]]:
    """The job's scenario text in a scratch file (and a folder for outputs beside it), removed
    afterwards; any failure inside becomes ``RunFailed``, located at the scenario version."""
    with tempfile.TemporaryDirectory(prefix="materiel-run-") as scratch:
        folder = Path(scratch)
        path = folder / f"{_file_stem(job.label)}.yaml"
        path.write_text(job.text, encoding="utf-8")
        try:
            yield path, folder / "out"
        except Cancelled:
            raise
        except Exception as exc:
            # messages locate problems in the scratch file: name the scenario version instead
            text = str(exc).replace(str(path), job.label).replace(str(folder) + "/", "")
            raise RunFailed(text or type(exc).__name__) from exc


def check_job(job: Job) -> None:
    """Load the job's scenario with its what-ifs and --set values (and, for a comparison of the
    policy options, check it has some), as the worker will: ``RunFailed`` says what is wrong
    before the run is queued."""
    from .. import api

    with _scratch(job) as (path, _):
        sc, _, _ = api.load_model(path, job.whatifs, dict(job.sets))
        if job.kind == "compare" and not job.options.get("variants") and sc.options is None:
            raise ValueError(
                f"{job.label}: the scenario has no 'options' section to compare; name variants to compare instead"
            )


def run_job(job: Job, progress: Progress | None = None, scheduler: str | None = None) -> Outcome:
    """Carry out ``job`` in a scratch folder that is removed afterwards. ``progress(done, total)``
    reports a sweep's draws (it may raise ``Cancelled`` to stop the sweep between chunks);
    ``scheduler``: a Dask address the sweep's draws are sent to. Any failure is ``RunFailed``."""
    with _scratch(job) as (path, out):
        if job.kind == "sweep":
            return _sweep(job, path, out, progress, scheduler)
        return _plan_or_compare(job, path, out)


def _file_stem(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-") or "scenario"


def _outputs(folder: Path) -> tuple[dict[str, pd.DataFrame], dict[str, bytes]]:
    """What a command wrote into ``folder``: its CSV tables read back typed, and its other files
    (not the draws' folder or the folder's manifest)."""
    from ..api import read_table

    written = [p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")]
    tables = {p.stem: read_table(p) for p in written if p.suffix == ".csv"}
    return tables, {p.name: p.read_bytes() for p in written if p.suffix != ".csv"}


def _plan_or_compare(job: Job, path: Path, out: Path) -> Outcome:
    from .. import api
    from ..assessment import assess
    from ..planner import FaceOptions, make_plan

    charts = bool(job.options.get("charts", True))
    _, model, _ = api.load_model(path, job.whatifs, dict(job.sets))
    comparison = None
    if job.kind == "compare":
        variants = list(job.options.get("variants") or [])
        comparison = api.run_comparison([path], variants, job.whatifs, dict(job.sets), model=model)
        plan, assessment = comparison[0].plan, comparison[0].assessment
    else:
        plan = make_plan(model, face=FaceOptions())
        assessment = assess(plan)
    api.write_plan(plan, out, assessment, comparison, list(job.whatifs), charts)
    from ..report.files import summary as summary_of

    summary = summary_of(plan, assessment, comparison)
    summary["text"] = page_text(plan, assessment)
    return Outcome(summary, *_outputs(out), timings=dict(plan.timings))


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
    return {
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


def _sweep(job: Job, path: Path, out: Path, progress: Progress | None, scheduler: str | None) -> Outcome:
    from .. import api
    from ..assessment import assess
    from ..planner import make_plan
    from ..report.files import write_sweep_outputs
    from ..uncertainty import sweep

    o = job.options
    result = sweep(
        path,
        draws=int(o.get("draws", 100)),
        seed=int(o.get("seed", 0)),
        folder=out,
        method=str(o.get("method", "lhs")),
        scheduler=scheduler,
        whatifs=list(job.whatifs),
        sets=list(job.sets),
        progress=progress,
    )
    _, model, _ = api.load_model(path, job.whatifs, dict(job.sets))
    base = make_plan(model)
    write_sweep_outputs(out, result, base, assess(base))
    summary = result.headline()
    draws = [_draw(row) for row in result.draws.to_dict("records")]
    return Outcome(summary, *_outputs(out), draws)


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
