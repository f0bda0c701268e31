"""A plan and a comparison as runs: results, timings and every file, in memory or in a folder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .loading import Assignments, Clock, Loaded, ServiceError, Timings, load, loaded_source, split_names

if TYPE_CHECKING:
    import pandas as pd

    from ..api import Comparison
    from ..assessment import Assessment
    from ..planner import FaceOptions, SolverOptions
    from ..planner.result import Plan
    from ..report.render import ChartPool, Drawing
    from ..scenario.compiled import ModelData
    from ..scenario.schema import Scenario


@dataclass
class RunFiles:
    """What every run shares: its (first) plan and assessment, its timings, its charts and files."""

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
        from ..report.render import ChartPool

        with Clock(self.timings, "outputs"):
            if charts and self.drawing is None:
                self.drawing = ChartPool(workers=0).submit(self.plan)  # drawn in this thread, once
            return self._files(self.drawing if charts else None)

    def write(self, folder: str | Path, charts: bool = True) -> list[Path]:
        """Write ``outputs()`` into ``folder``, replacing its previous outputs as one unit (the
        scenario's own files may not be in it); returns the paths written."""
        from ..report.files import write_files

        files = self.outputs(charts)
        with Clock(self.timings, "outputs"):
            return write_files(folder, self.plan.model.scenario.name, files, self.loaded.files)


@dataclass
class PlanRun(RunFiles):
    """A plan, its assessment, its summary (summary.json) and tables (the CSV files), and timings."""

    @property
    def summary(self) -> dict:
        from ..report.files import summary

        return summary(self.plan, self.assessment)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables ``materiel plan`` writes as CSV, by name (without '.csv')."""
        from ..report.files import output_tables

        return output_tables(self.plan, self.assessment)

    def _files(self, drawing: Drawing | None) -> dict[str, bytes]:
        from ..report.files import plan_files

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
    from ..assessment import assess
    from ..planner import FaceOptions, make_plan

    loaded = loaded_source(source, whatifs, sets)
    timings = Timings(load=loaded.timings.load)
    with Clock(timings, "solve"):
        plan = make_plan(loaded.model, options, export_lp=export_lp, face=face or FaceOptions(), lp_names=lp_names)
    drawing = pool.submit(plan) if pool is not None else None
    with Clock(timings, "assess"):
        assessment = assess(plan)
    return PlanRun(loaded, plan, assessment, timings, drawing)


@dataclass
class CompareRun(RunFiles):
    """The rows of a comparison (``results``: the first is the one the others are set against;
    ``plan`` and ``assessment`` are its), what was compared (``kind``: 'options', 'variants' or
    'compared' files), and timings."""

    results: Comparison = field(default=None, repr=False)  # type: ignore[assignment]
    kind: str = "options"
    whatifs: list[str] = field(default_factory=list)  # as asked, named in the report

    @property
    def summary(self) -> dict:
        from ..assessment.options import comparison_json

        return {"comparison": comparison_json(list(self.results))}

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables ``materiel compare`` writes as CSV (its first row's plan, and comparison)."""
        from ..report.files import output_tables

        return output_tables(self.plan, self.assessment, list(self.results))

    def _files(self, drawing: Drawing | None) -> dict[str, bytes]:
        from ..report.files import plan_files

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
    from ..api import Comparison
    from ..assessment.options import compare_options, compare_scenarios, compare_variants

    timings = Timings()
    given = [s for s in scenarios if s is not None] or [None]
    several = len(given) > 1
    with Clock(timings, "load"):
        if several:  # every file loaded (so checked) before anything is planned
            each = [s if isinstance(s, Loaded) else load(s, sets=sets) for s in given]
            if any(s.text is not None for s in each):
                raise ValueError("compare several scenarios by their files (or shipped names)")
            first = each[0]
        else:
            first = loaded_source(given[0], whatifs, sets)
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

    with Clock(timings, "solve"):
        if several:
            results = compare_scenarios([s.path for s in each], rows, first.sets, options, row)
        elif variants:
            results = compare_variants(None, rows, first.sets, options, row, load_as=load_as)
        else:
            results = compare_options(first.model, options, row)
    drawing = pool.submit(results[0].plan) if pool is not None else None
    shown = split_names(whatifs) or first.whatifs
    return CompareRun(first, results[0].plan, results[0].assessment, timings, drawing, Comparison(results), kind, shown)
