"""materiel: plan how Europe and its partners equip and sustain Ukraine's armed neutrality.

The Python API mirrors the command line::

    import materiel
    sc = materiel.load_scenario()            # the shipped default, or a path
    p = materiel.plan(sc)                    # an optimal Plan with tidy pandas tables
    p.orders, p.stock, p.funding, p.summary()
"""

from __future__ import annotations

import importlib
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
}

if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ imports on demand
    from .assessment import Assessment, assess
    from .planner import Plan, PlanError, SolverOptions, make_plan
    from .planner.check import Violation, check_plan
    from .scenario.compiled import ModelData, compile_scenario
    from .scenario.errors import ScenarioError
    from .scenario.loader import load, load_scenario
    from .scenario.schema import Scenario
    from .uncertainty import sweep


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'materiel' has no attribute {name!r}")


def plan(scenario: str | Path | Scenario | ModelData | None = None, options: SolverOptions | None = None) -> Plan:
    """Plan a scenario given as a path, a shipped name, a Scenario or compiled ModelData."""
    from .planner import make_plan
    from .scenario.compiled import ModelData, compile_scenario
    from .scenario.loader import load
    from .scenario.schema import Scenario

    if isinstance(scenario, ModelData):
        model = scenario
    elif isinstance(scenario, Scenario):
        model = compile_scenario(scenario)
    else:
        model = load(scenario)[1]
    return make_plan(model, options)


def check(p: Plan) -> list[Violation]:
    """Re-verify a plan against its scenario with the independent checker."""
    from .planner.check import check_plan

    return check_plan(p.model, p.orders, p.investments, p.funding, p.stock, p.retirements, p.drawdowns, p.components)


__all__ = [
    "Assessment",
    "ModelData",
    "Plan",
    "PlanError",
    "Scenario",
    "ScenarioError",
    "SolverOptions",
    "Violation",
    "assess",
    "check",
    "check_plan",
    "compile_scenario",
    "load",
    "load_scenario",
    "make_plan",
    "plan",
    "sweep",
]
