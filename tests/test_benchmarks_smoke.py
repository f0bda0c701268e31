"""The benchmark suite's synthetic scenarios are valid, solvable and keep every rule (no timings here)."""

from __future__ import annotations

from benchmarks.synthetic import count_variables, synthetic_scenario

import materiel


def test_smallest_synthetic_scenario_plans_and_passes_the_checker() -> None:
    sc = synthetic_scenario(1.0, seed=0)
    model = materiel.compile_scenario(sc)
    plan = materiel.plan(model)
    assert materiel.check(plan) == []
    assert count_variables(sc) > 500
    assert (plan.stock["shortfall"] > 1e-6).any(), "some targets should be out of reach"
    assert set(plan.funding["fund"]) > {"eu-instrument"}
    assert synthetic_scenario(1.0, seed=0) == sc, "the generator is deterministic"
