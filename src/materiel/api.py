"""The Python API's steps that the command line shares (docs/api.md): loading with what-ifs and
``--set`` assignments, choosing the comparison, writing a plan's files, and reading them back."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .fmt import money
from .service import Assignments, assignments, split_names  # noqa: F401  (kept here for earlier callers)

if TYPE_CHECKING:
    from .assessment import Assessment
    from .assessment.options import OptionResult
    from .planner import SolverOptions
    from .planner.result import Plan
    from .scenario.compiled import ModelData
    from .scenario.schema import Scenario


def load_model(
    scenario: str | Path | None, whatifs: Sequence[str] = (), sets: Assignments = None
) -> tuple[Scenario, ModelData, list[Path]]:
    """The scenario with its what-ifs (names, or comma-separated names) and assignments applied,
    compiled, and the files it was read from: how every command loads (``materiel plan -w ...
    --set ...``; ``service.load``)."""
    from .service import load

    loaded = load(scenario, whatifs=whatifs, sets=sets)
    return loaded.scenario, loaded.model, loaded.files


def run_comparison(
    scenarios: Sequence[str | Path | None],
    variants: Sequence[str] = (),
    whatifs: Sequence[str] = (),
    sets: Assignments = None,
    options: SolverOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[OptionResult]:
    """The comparison ``materiel compare`` makes (``service.compare_run``): with two or more
    scenario files, each file and each what-if (applied to the first file) a row; with
    ``variants``, the scenario as written and each variant; otherwise the policy options of the
    scenario with ``whatifs`` applied."""
    from .service import compare_run

    def each(name: str, row: int, rows: int) -> None:
        if progress is not None:
            progress(name)

    return list(
        compare_run(*scenarios, variants=variants, whatifs=whatifs, sets=sets, options=options, progress=each).results
    )


def write_plan(
    plan: Plan,
    folder: str | Path,
    assessment: Assessment | None = None,
    comparison: list[OptionResult] | None = None,
    whatifs: list[str] | None = None,
    charts: bool = True,
) -> list[Path]:
    """Write the files ``materiel plan`` writes (tables, plan.xlsx, summary.json, report.html,
    charts) into ``folder``, replacing its previous outputs as one unit; returns their paths."""
    from .assessment import assess
    from .report.files import write_outputs
    from .report.render import ChartPool

    assessment = assessment if assessment is not None else assess(plan)
    with ChartPool(workers=0) as pool:
        drawing = pool.submit(plan) if charts else None
        return write_outputs(folder, plan, assessment, comparison, whatifs, drawing)


class Comparison(list):
    """The rows of a comparison (``OptionResult``s, first the one the others are set against),
    with ``table``: the numeric comparison.csv as a DataFrame."""

    @property
    def table(self) -> pd.DataFrame:
        from .assessment.options import comparison_table

        return comparison_table(list(self))

    def __repr__(self) -> str:
        return "<Comparison of " + ", ".join(r.name for r in self) + ">\n" + "\n".join(f"  {r!r}" for r in self)


def write_report(
    result: Plan | Comparison, folder: str | Path, whatifs: list[str] | None = None, charts: bool = True
) -> list[Path]:
    """``materiel.report``: a plan's files, or a comparison's (its first row's plan and comparison.csv)."""
    if isinstance(result, Comparison):
        first = result[0]
        return write_plan(first.plan, folder, first.assessment, list(result), whatifs, charts)
    return write_plan(result, folder, whatifs=whatifs, charts=charts)


TEXT_COLUMNS = frozenset({"period", "delivery_period", "usable_from", "ready_period", "country", "option"})


def _typed(column: pd.Series) -> pd.Series:
    """A CSV column read as text, as numbers or booleans when every non-empty cell is one."""
    if column.name in TEXT_COLUMNS:
        return column
    filled = column[column != ""]
    if len(filled) and filled.isin(["True", "False"]).all():
        return column.map({"True": True, "False": False}).astype(bool)
    numbers = pd.to_numeric(filled, errors="coerce")
    if len(filled) == 0 or numbers.isna().any():
        return column
    return pd.to_numeric(column.replace("", None))


def read_table(path: Path) -> pd.DataFrame:
    """One written table: text stays text (an empty cell is ''), numbers and booleans come back typed."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return table.apply(_typed) if len(table.columns) else table


@dataclass
class WrittenPlan:
    """A plan read back from its folder (``materiel.read_plan``): every CSV table by name and the
    summary.json figures. Not restored: the scenario and the solver's model, so nothing that
    needs them (re-planning, the assessment's methods, charts); text a spreadsheet would run as a
    formula comes back with the quote the CSV gave it."""

    folder: Path
    summary: dict
    tables: dict[str, pd.DataFrame] = field(repr=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"{type(self).__name__} has no table {name!r} (it has {', '.join(tables)})")

    @property
    def total_cost(self) -> float:
        return float(self.summary["total_cost"])

    def __repr__(self) -> str:
        s = self.summary
        ready = (s.get("assessment") or {}).get("readiness_date")
        return (
            f"<WrittenPlan {s['scenario']} from {self.folder}: total cost {money(s['total_cost'], s['currency'])}"
            f", ready {ready or 'not within the horizon'}; tables: {', '.join(self.tables)}>"
        )


def read_plan(folder: str | Path) -> WrittenPlan:
    """Load the tables and summary a plan's folder holds (``materiel plan -o`` or ``Plan.write``)."""
    folder = Path(folder)
    summary_path = folder / "summary.json"
    if not summary_path.is_file():
        raise FileNotFoundError(f"{summary_path}: not found; a plan's folder holds summary.json and its tables")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    tables = {p.stem: read_table(p) for p in sorted(folder.glob("*.csv"))}
    return WrittenPlan(folder, summary, tables)


def plan_repr(plan: Plan) -> str:
    """A plan in three lines: scenario and horizon, what it costs, when the assessed customer is ready."""
    from .assessment.readiness import readiness

    m = plan.model
    cur = plan.currency
    own, aid = plan.own_and_aid()
    ready = readiness(plan, plan.assessed_customer, m.policy.threshold)
    split = f" (aid {money(float(aid.sum()), cur)}, own means {money(float(own.sum()), cur)})" if own.any() else ""
    return (
        f"<Plan {m.scenario.name}: {m.periods[0]}–{m.periods[-1]}, {plan.status}\n"
        f"  total cost {money(plan.total_cost, cur)}{split}, {plan.europe_share:.0%} spent in Europe\n"
        f"  {ready.customer} ready: {ready.text}>"
    )


def assessment_repr(a: Assessment) -> str:
    """An assessment in two lines: whose, ready when, the bottleneck and its days of war."""
    from .fmt import days

    item, left = a.bottleneck_in(a.year)
    return (
        f"<Assessment {a.plan.scenario_name} for {a.customer}: ready {a.readiness.text}\n"
        f"  bottleneck {a.year}: {item or '–'} ({days(left, ' days of war')})>"
    )


def option_repr(r: OptionResult) -> str:
    """One row of a comparison in a line: its name, cost a year, readiness."""
    cur = r.plan.currency
    return (
        f"<OptionResult {r.name!r}: {money(r.cost_per_year, cur)} a year, plan total "
        f"{money(r.plan.total_cost, cur)}, ready {r.assessment.readiness.text}>"
    )
