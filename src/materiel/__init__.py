"""materiel: plan how Europe and its partners equip and sustain Ukraine's armed neutrality.

The Python API mirrors the command line::

    import materiel
    sc = materiel.load_scenario()            # the shipped default, or a path
    p = materiel.plan(sc)                    # an optimal Plan with tidy pandas tables
    p.orders, p.stock, p.funding, p.summary()
"""

from __future__ import annotations

from pathlib import Path

from .assess import Assessment, assess
from .plan import Plan, PlanError, SolverOptions, make_plan
from .plan.check import Violation, check_plan
from .scenario.compiled import ModelData, compile_scenario
from .scenario.errors import ScenarioError
from .scenario.loader import load, load_scenario
from .scenario.schema import Scenario

__version__ = "0.1.0"


def plan(scenario: str | Path | Scenario | ModelData | None = None, options: SolverOptions | None = None) -> Plan:
    """Plan a scenario given as a path, a shipped name, a Scenario or compiled ModelData."""
    if isinstance(scenario, ModelData):
        model = scenario
    elif isinstance(scenario, Scenario):
        model = compile_scenario(scenario)
    else:
        model = load(scenario)[1]
    return make_plan(model, options)


def check(p: Plan) -> list[Violation]:
    """Re-verify a plan against its scenario with the independent checker."""
    return check_plan(p.model, p.orders, p.investments, p.funding, p.stock)


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
    "plan",
]
