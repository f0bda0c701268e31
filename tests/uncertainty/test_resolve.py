"""Re-solving in place: which start each draw gets, and that every start gives the cold plan."""

from __future__ import annotations

from pathlib import Path

import pytest

import materiel
from materiel.planner.formulation import build
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
    "changes",
    [
        {CAPACITY_A: 250.0},  # a capacity: bounds and right-hand sides only
        {BUDGET: 450.0},  # a budget: a right-hand side only
        {CAPACITY_A: 550.0, BUDGET: 800.0},
        {PRICE_A: 1.7},  # a price: costs and matrix entries move (the LP is passed whole)
        {PRICE_A: 0.6, BUDGET: 350.0},
    ],
)
def test_draws_start_from_the_base_optimum_and_match_a_cold_plan(ranged: Path, changes: dict[tuple, float]) -> None:
    base = compile_scenario(materiel.load_scenario(ranged))
    resolver = Resolver(base, SolverOptions(), warm=True)
    assert resolver.base_basis is not None
    draw = _draw(ranged, changes)
    solved = resolver.solve(build(draw))
    var = solved.form.var
    money = float(var.p.values(solved.solution).sum() + var.q.values(solved.solution).sum()) * solved.form.money_unit
    assert money == pytest.approx(materiel.plan(draw).total_cost, rel=1e-7)
    assert solved.seconds > 0


def test_on_the_default_a_capacity_draw_re_solves_in_a_fraction_of_the_iterations() -> None:
    """The shipped default with one production line's capacities 20 % higher: from the scenario's
    own optimum the re-solve needs a fraction of a cold solve's simplex iterations, to the same cost."""
    sc, _ = materiel.load()
    base = compile_scenario(sc)
    line = sc.lines[0]
    for step in line.capacity:
        step.value *= 1.2
    draw = build(compile_scenario(sc))
    warm = Resolver(base, SolverOptions(), warm=True).solve(draw)
    cold = Resolver(base, SolverOptions(), warm=False).solve(draw)
    assert 3 * warm.iterations < cold.iterations
    cost = float(draw.money_cost @ warm.solution)
    assert cost == pytest.approx(float(draw.money_cost @ cold.solution), rel=1e-7)


def test_upkeep_and_drawdowns_are_re_solved_in_place_and_costed_in_full(tmp_path: Path) -> None:
    """A drawn upkeep (0 or EUR 400 a tank a year in the scenario of tests/planner/test_registry.py)
    keeps the LP's shape, so the base resolver solves it; the sweep's total cost counts upkeep and
    replacements as the plan's funding table does: EUR 800 as written (500 of f, 100 refurbishment,
    100 upkeep, 100 replacement), EUR 700 without upkeep."""
    import copy

    from materiel.uncertainty.metrics import draw_metrics
    from materiel.uncertainty.resolve import ResolverCache
    from tests.builders import write
    from tests.planner.test_registry import EVERY_FAMILY

    doc = copy.deepcopy(EVERY_FAMILY)
    doc["items"][1]["upkeep"] |= {"low": 0, "high": 400}
    sc, base = materiel.load(write(tmp_path, doc))
    cache = ResolverCache(base, SolverOptions())
    for value, cost in ((40, 800), (0, 700), (400, None)):
        sc.items[1].upkeep.value = value
        m = compile_scenario(sc)
        solved = cache.solve(m)
        got = draw_metrics(m, solved.form, solved.solution)["total_cost"]
        assert got == pytest.approx(materiel.plan(m).total_cost, rel=1e-6)
        if cost is not None:
            assert got == pytest.approx(cost, rel=1e-6)
    assert cache.rebuilt == 0
