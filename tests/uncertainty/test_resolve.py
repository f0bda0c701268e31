"""Re-solving in place: which start each draw gets, and that every start gives the cold plan."""

from __future__ import annotations

from pathlib import Path

import pytest

import materiel
from materiel.planner.formulation import MONEY, build
from materiel.planner.solver import SolverOptions
from materiel.scenario.compiled import ModelData, compile_scenario, iter_quantities
from materiel.uncertainty.resolve import Resolver

CAPACITY_A, PRICE_A, BUDGET = ("lines", 0, "capacity", 0), ("lines", 0, "price", 0), ("funding", 0, "budget", 0)


def _draw(path: Path, changes: dict[tuple, float]) -> ModelData:
    sc = materiel.load_scenario(path)
    figures = dict(iter_quantities(sc, explicit=True))
    for loc, value in changes.items():
        figures[loc].value = value
    return compile_scenario(sc)


@pytest.mark.parametrize(
    ("changes", "rhs_only"),
    [
        ({CAPACITY_A: 250.0}, True),  # a capacity: bounds and right-hand sides only
        ({BUDGET: 450.0}, True),  # a budget: a right-hand side only
        ({CAPACITY_A: 550.0, BUDGET: 800.0}, True),
        ({PRICE_A: 1.7}, False),  # a price: costs and matrix entries move
        ({PRICE_A: 0.6, BUDGET: 350.0}, False),
    ],
)
def test_draws_start_from_the_base_optima_and_match_a_cold_plan(
    ranged: Path, changes: dict[tuple, float], rhs_only: bool
) -> None:
    resolver = Resolver(compile_scenario(materiel.load_scenario(ranged)), SolverOptions(), warm=True)
    assert resolver.base_basis is not None and resolver.base_money_basis is not None
    draw = _draw(ranged, changes)
    solved = resolver.solve(build(draw))
    assert resolver._at_base is rhs_only  # phase 2 restarts from the scenario's own optimum only then
    var = solved.form.var
    money = float(var.p.values(solved.solution).sum() + var.q.values(solved.solution).sum()) * MONEY
    assert money == pytest.approx(materiel.plan(draw).total_cost, rel=1e-7)
    assert solved.seconds > 0
