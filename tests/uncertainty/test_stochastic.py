"""The two-stage stochastic plan (docs/uncertainty.md, "Planning for uncertainty"): a two-draw
case computed by hand, the extensive form against its own draws judged one by one, and the
stochastic plan never worse than the deterministic one on its training draws."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from materiel.planner.solver import SolverOptions
from materiel.scenario.loader import load
from materiel.uncertainty.committed import (
    decision_periods,
    deterministic_commitment,
    judge_spec,
    run_draws,
    sample_draws,
    summarise_commit,
)
from materiel.uncertainty.robust import compile_draws
from materiel.uncertainty.sampling import uncertain_inputs
from materiel.uncertainty.stochastic import solve_stochastic
from tests.builders import write
from tests.uncertainty.conftest import ranged_doc
from tests.uncertainty.test_committed import one_line_doc


@pytest.fixture
def two_draws(tmp_path: Path):
    """The one-line scenario (tests/uncertainty/test_committed.py) and its two draws: the line
    makes 50 a quarter and 400 are wanted by Q4, or 200 a quarter and 800 wanted."""
    sc, m = load(write(tmp_path, one_line_doc()))
    inputs = uncertain_inputs(sc)
    values = np.array([[cap if x.loc[0] == "lines" else tgt for x in inputs] for cap, tgt in ((200, 400), (800, 800))])
    models, invalid = compile_draws(sc, inputs, values.astype(float))
    assert invalid == 0
    return m, models


def test_two_draws_by_hand(two_draws) -> None:
    """Draw 0's line makes 200 in the year, so anything committed beyond 200 would be cut: the
    first stage commits 200 in all (at least 50 in Q1, which draw 0 makes then). Draw 0 then makes
    50 a quarter whatever is committed: shortfall 100/200 + 50/200 + 200/400 = 1.25, EUR 200.
    Draw 1 makes the 200 in Q1–Q2 and orders 200 + 200 more: Q4 stock 600 of 800, shortfall 0.25,
    EUR 600. Expected shortfall 0.75 (committing less leaves draw 1 shorter; more is cut in draw 0)."""
    m, models = two_draws
    plan = solve_stochastic(m, models, decision_periods(m, "2026Q2"))
    first = plan.commitment.x[0, 0]
    assert first[:2].sum() == pytest.approx(200, abs=0.01)
    assert first[0] >= 50 - 1e-6 and not first[2:].any()
    assert plan.shortfall == pytest.approx([1.25, 0.25], abs=1e-4)
    assert plan.money == pytest.approx([200, 600], abs=0.01)
    assert plan.objective == pytest.approx(0.75, abs=1e-4)
    assert plan.cut == pytest.approx(0, abs=0.01)


def test_cvar_is_the_worse_draw(two_draws) -> None:
    """At α = 0.5 over two draws the CVaR is the worse draw's shortfall, 1.25 (draw 0, whatever
    the first stage); money then falls as far as keeping draw 1 within 1.25 allows."""
    m, models = two_draws
    plan = solve_stochastic(m, models, decision_periods(m, "2026Q2"), alpha=0.5)
    assert plan.objective == pytest.approx(1.25, abs=1e-4)
    assert plan.cvar(0.5) == pytest.approx(1.25, abs=1e-4)
    assert max(plan.shortfall) == pytest.approx(1.25, abs=1e-4)
    assert plan.money.sum() < 800 - 1


def _judge(sc, m, inputs, values, periods, commitments):
    rows = run_draws(judge_spec(sc, inputs, SolverOptions(), commitments), values)
    return [summarise_commit(m, rows, periods, c, index=n) for n, c in enumerate(commitments)]


@settings(max_examples=3, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 1000), date=st.sampled_from(["2026Q2", "2026Q4"]), k=st.integers(2, 4))
def test_never_worse_than_the_deterministic_plan_on_its_draws(tmp_path: Path, seed: int, date: str, k: int) -> None:
    """Judged on its own training draws, the stochastic plan is never worse than the deterministic
    plan: lexicographically on (expected value cut, expected weighted shortfall) — and so on
    shortfall alone whenever the deterministic plan cuts nothing. Judged one by one, its draws'
    shortfalls add up to the extensive form's own."""
    path = write(tmp_path, ranged_doc(), "ranged.yaml")
    sc, m = load(path)
    periods = decision_periods(m, date)
    inputs, values = sample_draws(sc, k, seed)
    models, invalid = compile_draws(sc, inputs, values)
    assert invalid == 0
    plan = solve_stochastic(m, models, periods)
    det = deterministic_commitment(m, periods)
    sto_eval, det_eval = _judge(sc, m, inputs, values, periods, (plan.commitment, det))
    for s in (sto_eval, det_eval):
        assert (s.draws["committed:status"] == "optimal").all()
    cut_sto = sto_eval.draws["committed:cut_value"].mean()
    cut_det = det_eval.draws["committed:cut_value"].mean()
    es_sto = sto_eval.draws["committed:weighted_shortfall"].mean()
    es_det = det_eval.draws["committed:weighted_shortfall"].mean()
    assert es_sto == pytest.approx(plan.expected_shortfall, abs=1e-5)
    assert cut_sto <= cut_det + 1e-3
    if cut_det <= 1e-3:
        assert es_sto <= es_det + 1e-5


def test_robust_command(tmp_path: Path, run) -> None:
    """materiel robust writes the first stage as a plan's tables, which materiel commit reads;
    every probability is labelled with its plan; a CVaR level outside [0, 1) exits 2."""
    path = write(tmp_path, ranged_doc(), "ranged.yaml")
    out = tmp_path / "r"
    args = ("robust", str(path), "--decision-date", "2026Q4", "--draws", "3", "--eval-draws", "3", "-o", str(out))
    code, text, err = run(*args, "--json")
    assert code == 0, err
    h = json.loads(text)
    assert set(h["evaluation"]["p_ready_by_year"]) == {"stochastic_plan", "deterministic_plan", "perfect_foresight"}
    assert h["training"]["draws"] == 3 and h["decision_date"] == "2026Q4"
    names = {p.name for p in out.iterdir()}
    assert {"orders.csv", "investments.csv", "funding.csv", "summary.json", "evaluation.csv", "p_ready.csv"} <= names
    code, text, err = run(
        "commit",
        str(path),
        "--plan",
        str(out),
        "--decision-date",
        "2026Q4",
        "-n",
        "2",
        "-o",
        str(tmp_path / "c"),
        "--json",
    )
    assert code == 0, err
    assert json.loads(text)["committed_value"] == pytest.approx(h["first_stage"]["stochastic_value"], rel=1e-6)
    code, text, _ = run(
        "robust",
        str(path),
        "--decision-date",
        "2026Q4",
        "--draws",
        "2",
        "--eval-draws",
        "2",
        "--alpha",
        "0.5",
        "-o",
        str(out),
    )
    assert code == 0 and "stochastic plan" in text and "deterministic plan" in text and "perfect foresight" in text
    code, _, err = run("robust", str(path), "--alpha", "1.5", "-o", str(out))
    assert code == 2 and "--alpha 1.5" in err
    code, _, err = run("robust", str(path), "--draws", "0", "-o", str(out))
    assert code == 2 and "give 1 to 200" in err
    code, text, err = run(*args, "--decomposition", "benders", "--json")
    assert code == 0, err
    b = json.loads(text)
    assert b["training"]["method"].startswith("multi-cut Benders")
    assert b["training"]["objective_value"] == pytest.approx(h["training"]["objective_value"], rel=1e-4, abs=1e-6)
    code, _, err = run(*args, "--decomposition", "other")
    assert code == 2 and "give auto, extensive or benders" in err
