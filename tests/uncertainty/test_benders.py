"""The multi-cut Benders decomposition equals the extensive form (docs/uncertainty.md,
"Decomposition"), in this process and with its subproblems on two worker processes."""

from __future__ import annotations

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
