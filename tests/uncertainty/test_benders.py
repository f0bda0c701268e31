"""The multi-cut Benders decomposition equals the extensive form (docs/uncertainty.md,
"Decomposition"), in this process and with its subproblems on two worker processes."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from materiel.scenario.loader import load
from materiel.uncertainty.benders import solve_benders
from materiel.uncertainty.committed import decision_periods, sample_draws
from materiel.uncertainty.robust import compile_draws
from materiel.uncertainty.sampling import uncertain_inputs
from materiel.uncertainty.stochastic import solve_stochastic
from tests.builders import write
from tests.markers import ONE_WORKER
from tests.uncertainty.conftest import ranged_doc
from tests.uncertainty.test_committed import one_line_doc


def test_two_draws_by_hand(tmp_path: Path) -> None:
    """The two-draw case of test_stochastic.py: expected shortfall 0.75, 200 committed in all."""
    sc, m = load(write(tmp_path, one_line_doc()))
    inputs = uncertain_inputs(sc)
    values = np.array([[c if x.loc[0] == "lines" else t for x in inputs] for c, t in ((200, 400), (800, 800))], float)
    b = solve_benders(sc, m, inputs, values, decision_periods(m, "2026Q2"), gap=1e-7)
    assert b.lower <= 0.75 + 1e-9 <= b.upper + 2e-9
    assert b.upper == pytest.approx(0.75, abs=1e-6)
    assert b.values == pytest.approx([1.25, 0.25], abs=1e-5)
    assert b.commitment.x[0, 0, :2].sum() == pytest.approx(200, abs=0.1)
    assert b.cut < 1e-3  # currency units: nothing cut


@pytest.mark.parametrize(("seed", "k", "workers"), [(0, 3, 1), (1, 4, 1), (2, 4, 1), (3, 4, 2)])
def test_equals_the_extensive_form(tmp_path: Path, seed: int, k: int, workers: int) -> None:
    """Seed 0: the deterministic plan, where Benders starts, cannot be made in full in every
    draw, so the first iterations add feasibility cuts."""
    sc, m = load(write(tmp_path, ranged_doc(), "ranged.yaml"))
    periods = decision_periods(m, "2026Q4")
    inputs, values = sample_draws(sc, k, seed)
    models, _ = compile_draws(sc, inputs, values)
    ef = solve_stochastic(m, models, periods)
    b = solve_benders(sc, m, inputs, values, periods, workers=workers)
    # the bounds hold the extensive form's optimum between them, within the gap asked for
    optimum = ef.expected_shortfall
    assert b.lower <= optimum * (1 + 1e-7) + 1e-9
    assert optimum <= b.upper * (1 + 1e-7) + 1e-9
    assert b.upper - b.lower <= 1e-4 * max(1.0, b.upper) + 1e-12
    assert b.foresight <= b.lower + 1e-9


def test_two_decompositions_in_threads(tmp_path: Path) -> None:
    """Two Benders solves in threads of one process (as a server runs them), each on its own draws:
    every thread keeps its own copy of the scenario, whose figures a draw changes in place, so each
    still holds its own extensive form's optimum between its bounds."""
    sc, m = load(write(tmp_path, ranged_doc(), "ranged.yaml"))
    periods = decision_periods(m, "2026Q4")
    cases = [sample_draws(sc, 3, seed) for seed in (1, 2)]
    optima = [solve_stochastic(m, compile_draws(sc, i, v)[0], periods).expected_shortfall for i, v in cases]
    results: dict[int, object] = {}

    def solve(n: int) -> None:
        # each thread loads its own scenario object, as each of a server's requests does
        sc_n, m_n = load(tmp_path / "ranged.yaml")
        inputs, values = sample_draws(sc_n, 3, (1, 2)[n])
        results[n] = solve_benders(sc_n, m_n, inputs, values, periods)

    threads = [threading.Thread(target=solve, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for n, optimum in enumerate(optima):
        b = results[n]
        assert b.lower <= optimum * (1 + 1e-7) + 1e-9
        assert optimum <= b.upper * (1 + 1e-7) + 1e-9
        assert b.upper - b.lower <= 1e-4 * max(1.0, b.upper) + 1e-12


@ONE_WORKER
def test_on_a_dask_cluster(tmp_path: Path) -> None:
    """The subproblems on a real scheduler with two worker processes on loopback: each draw's basis
    travels with its task, so the bounds still hold the extensive form's optimum within the gap."""
    import dask
    from distributed import LocalCluster

    sc, m = load(write(tmp_path, ranged_doc(), "ranged.yaml"))
    periods = decision_periods(m, "2026Q4")
    inputs, values = sample_draws(sc, 4, 1)
    optimum = solve_stochastic(m, compile_draws(sc, inputs, values)[0], periods).expected_shortfall
    with (
        dask.config.set({"temporary-directory": str(tmp_path / "scratch")}),
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
    ):
        b = solve_benders(sc, m, inputs, values, periods, workers=2, scheduler=cluster.scheduler_address)
    assert b.lower <= optimum * (1 + 1e-7) + 1e-9
    assert optimum <= b.upper * (1 + 1e-7) + 1e-9
    assert b.upper - b.lower <= 1e-4 * max(1.0, b.upper) + 1e-12
