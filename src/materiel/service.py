"""The use-case layer (docs/api.md, "The use-case layer"): load, plan, compare, sweep and report
as library calls that the command line and the web app both make.

Each call returns a run object holding its results, its timings and its files: ``outputs()``
makes every file in memory (name -> bytes: for a database), ``write(folder)`` puts them in a
folder as one unit (``materiel plan -o``). Nothing here is process-wide: the charts are drawn in
the calling thread unless the caller passes a ``ChartPool`` it owns (the command line forks one
at start-up), so runs may go on in several threads at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .api import Comparison
    from .assessment import Assessment
    from .planner import FaceOptions, SolverOptions
    from .planner.result import Plan
    from .report.render import ChartPool, Drawing
    from .scenario.compiled import ModelData
    from .scenario.errors import Problem
    from .scenario.schema import Scenario
    from .uncertainty.summary import SweepSummary

Assignments = Mapping[str, Any] | Iterable[str | tuple[str, Any]] | None


class ServiceError(ValueError):
    """A request that cannot be carried out as asked (not a fault of the scenario's figures); the
    message says why and what would do."""


def assignments(values: Assignments) -> list[tuple[str, Any]]:
    """``--set`` assignments from 'PATH=VALUE' texts (as on the command line, the value read as
    YAML), (path, value) pairs, or a mapping of path to value."""
    from .scenario.overrides import parse_assignment

    if values is None:
        return []
    if isinstance(values, Mapping):
        return [(str(path).strip(), value) for path, value in values.items()]
    if isinstance(values, str):
        values = [values]
    return [(str(v[0]).strip(), v[1]) if isinstance(v, tuple) else parse_assignment(v) for v in values]


def split_names(names: Iterable[str] | None) -> list[str]:
    """What-if names given repeatedly or comma-separated ('-w x,y -w z'), in order."""
    return [n.strip() for text in names or [] for n in text.split(",") if n.strip()]


@dataclass
class Timings:
    """Seconds spent loading, solving, assessing and making the outputs of one run."""

    load: float = 0.0
    solve: float = 0.0
    assess: float = 0.0
    outputs: float = 0.0

    @property
    def seconds(self) -> float:
        return self.load + self.solve + self.assess + self.outputs

    def as_dict(self) -> dict[str, float]:
        return {"load": self.load, "solve": self.solve, "assess": self.assess, "outputs": self.outputs}


class _Clock:
    """Adds the seconds a block takes to one field of ``Timings``."""

    def __init__(self, timings: Timings, name: str) -> None:
        self.timings, self.name = timings, name

    def __enter__(self) -> None:
        self.tick = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        setattr(self.timings, self.name, getattr(self.timings, self.name) + time.perf_counter() - self.tick)


# -- loading --------------------------------------------------------------------------------------


@dataclass
class Loaded:
    """A scenario read, validated and compiled with its what-ifs and assignments, and where it came
    from: a file or shipped name (``path``), or YAML ``text`` kept elsewhere under ``name``."""

    scenario: Scenario
    model: ModelData
    files: list[Path]  # the files read (no output may replace them); none for text
    whatifs: list[str]
    sets: list[tuple[str, Any]]
    path: str | Path | None = None
    text: str | None = None
    name: str | None = None
    tables: Mapping[str, bytes] | None = field(default=None, repr=False)
    timings: Timings = field(default_factory=Timings)

    @property
    def warnings(self) -> list[Problem]:
        """Figures that are valid but probably not meant (located like errors; the run goes on)."""
        return self.model.warnings

    def again(self, whatifs: Sequence[str] = ()) -> Loaded:
        """The same scenario and assignments with other what-ifs."""
        return load(self.path, text=self.text, name=self.name, tables=self.tables, whatifs=whatifs, sets=self.sets)


def load(
    scenario: str | Path | None = None,
    *,
    text: str | None = None,
    name: str | None = None,
    tables: Mapping[str, bytes] | None = None,
    whatifs: Sequence[str] = (),
    sets: Assignments = None,
) -> Loaded:
    """A scenario file or shipped name (default: the shipped default), or its YAML ``text`` (as a
    database keeps it) under ``name``, e.g. 'armed-neutrality v3': then every problem is located
    as 'armed-neutrality v3, line 12: ...', and the table files it names are given as ``tables``
    (file name -> bytes); what-ifs (names, or comma-separated names) and assignments applied as
    ``materiel plan -w ... --set ...`` applies them."""
    from .scenario.loader import load_text, load_with_files

    tick = time.perf_counter()
    names, pairs = split_names(whatifs), assignments(sets)
    if text is not None:
        if scenario is not None:
            raise ValueError("give a scenario's path or its text, not both")
        label = name or "scenario"
        sc, model = load_text(text, label, names, pairs, tables)
        loaded = Loaded(sc, model, [], names, pairs, None, text, label, tables)
    else:
        sc, model, files = load_with_files(scenario, names, pairs)
        loaded = Loaded(sc, model, files, names, pairs, scenario)
    loaded.timings.load = time.perf_counter() - tick
    return loaded


def _loaded(source: Loaded | str | Path | None, whatifs: Sequence[str], sets: Assignments) -> Loaded:
    if isinstance(source, Loaded):
        if whatifs or sets:
            raise ValueError("what-ifs and assignments apply when loading; pass them to load()")
        return source
    return load(source, whatifs=whatifs, sets=sets)


# -- a plan ---------------------------------------------------------------------------------------


@dataclass
class _Outputs:
    """What every run shares: its first plan and assessment, its charts, its files."""

    loaded: Loaded
    plan: Plan
    assessment: Assessment
    timings: Timings
    drawing: Drawing | None = field(default=None, repr=False)

    def _files(self, drawing: Drawing | None) -> dict[str, bytes]:
        raise NotImplementedError

    def outputs(self, charts: bool = True) -> dict[str, bytes]:
        """Every file the command writes, by name, made in memory (nothing touches the disk):
        the tables as CSV, summary.json, plan.xlsx, report.html and, with ``charts``, the PNG charts."""
        from .report.render import ChartPool

        with _Clock(self.timings, "outputs"):
            drawing = None
            if charts:
                drawing = self.drawing or ChartPool(workers=0).submit(self.plan)  # drawn in this thread
            return self._files(drawing)

    def write(self, folder: str | Path, charts: bool = True) -> list[Path]:
        """Write ``outputs()`` into ``folder``, replacing its previous outputs as one unit (the
        scenario's own files may not be in it); returns the paths written."""
        from .report.files import write_files

        files = self.outputs(charts)
        with _Clock(self.timings, "outputs"):
            return write_files(folder, self.plan.model.scenario.name, files, self.loaded.files)


@dataclass
class PlanRun(_Outputs):
    """A plan, its assessment, its summary (summary.json) and tables (the CSV files), and timings."""

    @property
    def summary(self) -> dict:
        from .report.files import summary

        return summary(self.plan, self.assessment)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables ``materiel plan`` writes as CSV, by name (without '.csv')."""
        from .report.files import output_tables

        return output_tables(self.plan, self.assessment)

    def _files(self, drawing: Drawing | None) -> dict[str, bytes]:
        from .report.files import plan_files

        return plan_files(self.plan, self.assessment, whatifs=self.loaded.whatifs, drawing=drawing)


def plan_run(
    source: Loaded | str | Path | None = None,
    *,
    whatifs: Sequence[str] = (),
    sets: Assignments = None,
    options: SolverOptions | None = None,
    face: FaceOptions | None = None,
    export_lp: str | Path | None = None,
    lp_names: bool = False,
    pool: ChartPool | None = None,
) -> PlanRun:
    """Plan and assess a scenario (a ``Loaded`` one, or a path or shipped name loaded here with
    ``whatifs`` and ``sets``), as ``materiel plan`` does; ``face`` defaults to the share ranges.
    With ``pool`` (a ``ChartPool`` the caller owns), the charts are drawn there while the plan
    is assessed; without, ``outputs()`` draws them in the calling thread."""
    from .assessment import assess
    from .planner import FaceOptions, make_plan

    loaded = _loaded(source, whatifs, sets)
    timings = Timings(load=loaded.timings.load)
    with _Clock(timings, "solve"):
        plan = make_plan(loaded.model, options, export_lp=export_lp, face=face or FaceOptions(), lp_names=lp_names)
    drawing = pool.submit(plan) if pool is not None else None
    with _Clock(timings, "assess"):
        assessment = assess(plan)
    return PlanRun(loaded, plan, assessment, timings, drawing)


# -- a comparison ---------------------------------------------------------------------------------


@dataclass
class CompareRun(_Outputs):
    """The rows of a comparison (``results``: the first is the one the others are set against;
    ``plan`` and ``assessment`` are its), what was compared (``kind``: 'options', 'variants' or
    'compared' files), and timings."""

    results: Comparison = field(default=None, repr=False)  # type: ignore[assignment]
    kind: str = "options"
    whatifs: list[str] = field(default_factory=list)  # as asked, named in the report

    @property
    def summary(self) -> dict:
        from .assessment.options import comparison_json

        return {"comparison": comparison_json(list(self.results))}

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables ``materiel compare`` writes as CSV (its first row's plan, and comparison)."""
        from .report.files import output_tables

        return output_tables(self.plan, self.assessment, list(self.results))

    def _files(self, drawing: Drawing | None) -> dict[str, bytes]:
        from .report.files import plan_files

        return plan_files(self.plan, self.assessment, list(self.results), self.whatifs, drawing)


def compare_rows(loaded: Loaded, scenarios: int = 1, variants: Sequence[str] = ()) -> tuple[str, int]:
    """What a comparison compares ('compared' files, 'variants' or the policy 'options') and how
    many rows it has (with several files, ``variants`` are the what-if rows added to the first);
    a scenario without an options section cannot compare its options."""
    if scenarios > 1:
        return "compared", scenarios + len(split_names(variants))
    if variants:
        return "variants", len(split_names(variants)) + 1
    options = loaded.scenario.options
    if options is None:
        raise ServiceError(
            f"{loaded.scenario.name}: the scenario has no 'options' section; add one (docs/assessment.md), "
            "compare --variants, or compare two scenario files"
        )
    reassurance = options.reassurance
    return "options", 1 + len(reassurance.troops if reassurance else []) + (options.guarantee is not None)


def compare_run(
    *scenarios: Loaded | str | Path | None,
    variants: Sequence[str] = (),
    whatifs: Sequence[str] = (),
    sets: Assignments = None,
    options: SolverOptions | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    pool: ChartPool | None = None,
) -> CompareRun:
    """The comparison ``materiel compare`` makes: with two or more scenario files, each file and
    each what-if (applied to the first file) a row; with ``variants``, the scenario as written and
    each variant; otherwise the policy options of the scenario with ``whatifs`` applied. A single
    scenario may be ``Loaded`` (from text, say: its variants are loaded from the same text).
    ``progress(name, row, rows)`` is called as each row starts."""
    from .api import Comparison
    from .assessment.options import compare_options, compare_scenarios, compare_variants

    timings = Timings()
    given = [s for s in scenarios if s is not None] or [None]
    several = len(given) > 1
    with _Clock(timings, "load"):
        if several:  # every file loaded (so checked) before anything is planned
            each = [s if isinstance(s, Loaded) else load(s, sets=sets) for s in given]
            if any(s.text is not None for s in each):
                raise ValueError("compare several scenarios by their files (or shipped names)")
            first = each[0]
        else:
            first = _loaded(given[0], whatifs, sets)
    rows = [*split_names(whatifs), *split_names(variants)] if several else split_names(variants)
    kind, total = compare_rows(first, len(given), rows if several else variants)
    started = 0

    def row(name: str) -> None:
        nonlocal started
        started += 1
        if progress is not None:
            progress(name, started, total)

    def load_as(names: list[str]) -> tuple[Scenario, ModelData]:
        again = first.again(names)
        return again.scenario, again.model

    with _Clock(timings, "solve"):
        if several:
            results = compare_scenarios([s.path for s in each], rows, first.sets, options, row)
        elif variants:
            results = compare_variants(None, rows, first.sets, options, row, load_as=load_as)
        else:
            results = compare_options(first.model, options, row)
    drawing = pool.submit(results[0].plan) if pool is not None else None
    shown = split_names(whatifs) or first.whatifs
    return CompareRun(first, results[0].plan, results[0].assessment, timings, drawing, Comparison(results), kind, shown)


# -- a sweep --------------------------------------------------------------------------------------


@dataclass
class SweepRun(_Outputs):
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
        from .report.files import sweep_files

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
    from .assessment import assess
    from .planner import make_plan

    loaded = _loaded(source, whatifs, sets)
    timings = Timings(load=loaded.timings.load)
    with _Clock(timings, "solve"):
        uncertainty, where = sweep_draws(
            loaded, folder, draws, seed, method, workers, scheduler, vary, progress=progress, cancel=cancel
        )
        base = make_plan(loaded.model)
    drawing = pool.submit(base) if pool is not None else None
    with _Clock(timings, "assess"):
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
    from .uncertainty.runner import check_options, collect, execute, prepare, sweep_lock
    from .uncertainty.summary import summarise

    where = Path(folder) if folder is not None else Path("out") / loaded.scenario.name / "sweep"
    check_options(draws, max(1, workers))
    with sweep_lock(where):
        sweep = prepare(loaded.scenario, draws, seed, where, method, vary=list(vary))
        execute(sweep, workers=workers, scheduler=scheduler, progress=progress, cancel=cancel)
        return summarise(collect(where), loaded.model), where


def sweep_summary(folder: str | Path, loaded: Loaded) -> SweepSummary:
    """The summary of a finished sweep of this very scenario (with these what-ifs and assignments);
    ``SweepError`` when the folder holds no such sweep."""
    from .uncertainty.runner import check_sweep_of, collect
    from .uncertainty.summary import summarise

    check_sweep_of(folder, loaded.scenario)
    return summarise(collect(folder), loaded.model)


# -- the report -----------------------------------------------------------------------------------


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
        from .report.pdf import pdf_bytes

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
    from .report.html import render_report
    from .report.render import ChartPool

    loaded = _loaded(source, whatifs, sets)
    uncertainty = sweep_summary(sweep, loaded) if sweep is not None else None
    compared = planned = None
    if loaded.scenario.options is not None:
        compared = compare_run(loaded, progress=progress, pool=pool)
        run: _Outputs = compared
    else:
        planned = plan_run(loaded, pool=pool)
        run = planned
    with _Clock(run.timings, "outputs"):
        drawing = run.drawing or ChartPool(workers=0).submit(run.plan)
        comparison = list(compared.results) if compared is not None else None
        text = render_report(run.plan, run.assessment, drawing.wait(), comparison, loaded.whatifs or None, uncertainty)
    return ReportRun(text, compared, planned, uncertainty, run.timings)
