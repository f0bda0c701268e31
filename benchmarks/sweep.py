"""Sweep throughput on the shipped default scenario, measured in one run against its baselines:

* draws per second re-solving one built model in place (``uncertainty.resolve``, in the mode the
  sweep calibrates) against rebuilding for every draw (compile, build, pass to HiGHS, cold solve,
  plan tables, assessment) — for a sweep of every ranged figure and for one of capacities only;
* scaling from 1 to 2 local workers (efficiency = speed-up / 2), through ``uncertainty.runner``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from typing import Any

import materiel
from materiel.planner.solver import SolverOptions
from materiel.scenario.compiled import compile_scenario, iter_quantities
from materiel.uncertainty.metrics import draw_metrics
from materiel.uncertainty.resolve import ResolverCache, Solved
from materiel.uncertainty.runner import calibrate, execute, prepare, select_inputs
from materiel.uncertainty.sampling import respect_limits, sample, uncertain_inputs

FOCUSED = ("lines[*].capacity*",)
# Enough draws that each worker's start-up (its copy of the model and the scenario's own solve)
# is a small part of the sweep, as in the hundreds of draws a planner runs.
SCALING_DRAWS = 96


def _rates(draws: int, seed: int, vary: tuple[str, ...]) -> dict[str, Any]:
    sc, _ = materiel.load()
    inputs = select_inputs(uncertain_inputs(sc), vary)
    values = respect_limits(sc, inputs, sample(inputs, draws, seed))
    found = dict(iter_quantities(sc, explicit=True))
    figures = [found[x.loc] for x in inputs]
    nominal = [q.value for q in figures]

    def set_row(row: Any) -> None:
        for q, v in zip(figures, row, strict=True):
            q.value = float(v)

    warm = calibrate(sc, inputs, values, SolverOptions())
    # Rebuilding and re-solving in place take turns draw by draw, so both see the machine in the
    # same state (on this VM its speed drifts by ±20 % over minutes).
    cache = ResolverCache(compile_scenario(sc), SolverOptions(), warm)
    rebuild = in_place = highs = 0.0
    iterations = 0
    for row in values:
        set_row(row)
        tick = time.perf_counter()
        materiel.assess(materiel.plan(compile_scenario(sc)))
        rebuild += time.perf_counter() - tick
        tick = time.perf_counter()
        solved = _re_solve(cache, sc)
        in_place += time.perf_counter() - tick
        highs += solved.seconds
        iterations += solved.iterations
    set_row(nominal)
    other = ResolverCache(compile_scenario(sc), SolverOptions(), not warm)
    other_highs = other_iterations = 0.0
    for row in values:
        set_row(row)
        solved = _re_solve(other, sc)
        other_highs += solved.seconds
        other_iterations += solved.iterations
    set_row(nominal)
    return {
        "inputs": len(inputs),
        "draws": draws,
        "warm_start": warm,
        "rebuild_s_per_draw": rebuild / draws,
        "in_place_s_per_draw": in_place / draws,
        "speedup": rebuild / in_place,
        "highs_s_per_draw": highs / draws,
        "iterations_per_draw": iterations / draws,
        "other_mode_highs_s_per_draw": other_highs / draws,
        "other_mode_iterations_per_draw": other_iterations / draws,
        # the most re-solving in place could gain if everything but HiGHS itself took no time
        "solve_bound_speedup": rebuild / highs,
    }


def _re_solve(cache: ResolverCache, sc: Any) -> Solved:
    """One draw re-solved in place, its headline results read from the solution vector."""
    m = compile_scenario(sc)
    solved = cache.solve(m)
    draw_metrics(m, solved.form, solved.solution)
    return solved


def _scaling(draws: int, seed: int) -> dict[str, Any]:
    """A sweep as a user runs it (warm re-solves, the sweep's own chunk size) on 1 and 2 workers."""
    sc, _ = materiel.load()
    seconds = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            plan = prepare(sc, draws, seed, tmp, warm=True)
            chunk = len(plan.chunks[0].draws)
            tick = time.perf_counter()
            execute(plan, workers=workers)
            seconds[workers] = time.perf_counter() - tick
    speedup = seconds[1] / seconds[2]
    return {
        "draws": draws,
        "chunk_size": chunk,
        "seconds_1": seconds[1],
        "seconds_2": seconds[2],
        "speedup": speedup,
        "efficiency": speedup / 2,
    }


def bench_sweep(draws: int = 16, repeats: int = 1, seed: int = 11) -> dict[str, Any]:
    """Throughput records (medians over ``repeats``)."""

    def median(runs: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            k: statistics.median(r[k] for r in runs) if isinstance(runs[0][k], float) else runs[0][k] for k in runs[0]
        }

    full = median([_rates(draws, seed + n, ()) for n in range(repeats)])
    focused = median([_rates(draws, seed + n, FOCUSED) for n in range(repeats)])
    scaling = median([_scaling(SCALING_DRAWS, seed + n) for n in range(repeats)])
    return {"all_ranged": full, "capacities_only": focused, "pattern": FOCUSED[0], "scaling": scaling}
