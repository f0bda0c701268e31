"""materiel: plan how Europe and its partners equip and sustain Ukraine's armed neutrality.

The Python API mirrors the command line (docs/api.md)::

    import materiel
    p = materiel.plan(whatifs=["no-us-supply"], set={"funding[nato-purl].budget": 0})
    p                                        # scenario, total cost, ready date
    p.orders, p.stock, p.funding, p.summary()
    p.write("out/mine")                      # the files `materiel plan -o out/mine` writes
    back = materiel.read_plan("out/mine")    # its tables and summary, read back
    c = materiel.compare()                   # the policy options; c.table is comparison.csv
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The API is imported on first use (PEP 562), so ``materiel`` itself is light to import: the
# command line forks its chart workers before the planner's heavy dependencies are loaded.
_LAZY = {
    "Assessment": "materiel.assessment",
    "assess": "materiel.assessment",
    "Plan": "materiel.planner",
    "PlanError": "materiel.planner",
    "SolverOptions": "materiel.planner",
    "make_plan": "materiel.planner",
    "Violation": "materiel.planner.check",
    "check_plan": "materiel.planner.check",
    "ModelData": "materiel.scenario.compiled",
    "compile_scenario": "materiel.scenario.compiled",
    "ScenarioError": "materiel.scenario.errors",
    "load": "materiel.scenario.loader",
    "load_scenario": "materiel.scenario.loader",
    "Scenario": "materiel.scenario.schema",
    "sweep": "materiel.uncertainty",
    "robust": "materiel.uncertainty.robust",
    "judge": "materiel.uncertainty.committed",
    "Comparison": "materiel.api",
    "WrittenPlan": "materiel.api",
    "read_plan": "materiel.api",
    "OptionResult": "materiel.assessment.options",
}

if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ imports on demand
    from .api import Assignments, Comparison, WrittenPlan, read_plan
    from .assessment import Assessment, assess
    from .assessment.options import OptionResult
    from .planner import Plan, PlanError, SolverOptions, make_plan
    from .planner.check import Violation, check_plan
    from .scenario.compiled import ModelData, compile_scenario
    from .scenario.errors import ScenarioError
    from .scenario.loader import load, load_scenario
    from .scenario.schema import Scenario
    from .uncertainty import sweep
    from .uncertainty.committed import judge
    from .uncertainty.robust import robust


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'materiel' has no attribute {name!r}")


def plan(
    scenario: str | Path | Scenario | ModelData | None = None,
    options: SolverOptions | None = None,
    *,
    whatifs: Sequence[str] = (),
    set: Assignments = None,  # the command line's --set
) -> Plan:
    """Plan a scenario given as a path, a shipped name, a Scenario or compiled ModelData; with a
    path or name, ``whatifs`` and ``set`` (a mapping path -> value, or 'PATH=VALUE' texts) are
    applied as ``materiel plan -w ... --set ...`` applies them."""
    from .api import load_model
    from .planner import make_plan
    from .scenario.compiled import ModelData, compile_scenario
    from .scenario.schema import Scenario

    if isinstance(scenario, ModelData | Scenario):
        if whatifs or set:
            raise ValueError("what-ifs and --set apply to a scenario file or name, not to a loaded Scenario")
        model = scenario if isinstance(scenario, ModelData) else compile_scenario(scenario)
    else:
        model = load_model(scenario, whatifs, set)[1]
    return make_plan(model, options)


def compare(
    *scenarios: str | Path,
    variants: Sequence[str] = (),
    whatifs: Sequence[str] = (),
    set: Assignments = None,  # the command line's --set
    options: SolverOptions | None = None,
) -> Comparison:
    """What ``materiel compare`` compares: two or more scenario files (each a row, then each
    what-if applied to the first), a scenario's ``variants`` beside it as written, or (by default)
    its policy options. Returns the rows; ``.table`` is the numeric comparison as a DataFrame."""
    from .api import Comparison, run_comparison

    return Comparison(run_comparison(list(scenarios), variants, whatifs, set, options))


def report(
    result: Plan | Comparison,
    folder: str | Path,
    *,
    whatifs: list[str] | None = None,
    charts: bool = True,
) -> list[Path]:
    """Write a plan's (or a comparison's, with its first row's plan) files into ``folder``:
    the tables, plan.xlsx, summary.json, report.html and charts; returns their paths.

    (Once ``materiel.report``, the package of writers, is imported, the name is that package,
    which is callable and does the same: report/__init__.py.)"""
    from .api import write_report

    return write_report(result, folder, whatifs=whatifs, charts=charts)


def check(p: Plan) -> list[Violation]:
    """Re-verify a plan against its scenario with the independent checker."""
    from .planner.check import check_plan

    return check_plan(p.model, p.orders, p.investments, p.funding, p.stock, p.retirements, p.drawdowns, p.components)


__all__ = [
    "Assessment",
    "Comparison",
    "ModelData",
    "OptionResult",
    "Plan",
    "PlanError",
    "Scenario",
    "ScenarioError",
    "SolverOptions",
    "Violation",
    "WrittenPlan",
    "assess",
    "check",
    "check_plan",
    "compare",
    "compile_scenario",
    "judge",
    "load",
    "load_scenario",
    "make_plan",
    "plan",
    "read_plan",
    "report",
    "robust",
    "sweep",
]
