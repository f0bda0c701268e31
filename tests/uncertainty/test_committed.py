"""A committed plan judged under uncertainty (docs/uncertainty.md, "Committed plans"): one line,
two draws, every figure computed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from materiel.planner.solver import SolverOptions
from materiel.scenario.loader import load
from materiel.uncertainty.committed import (
    CommitError,
    Commitment,
    decision_periods,
    deterministic_commitment,
    judge,
    judge_chunk,
    judge_spec,
    summarise_commit,
)
from materiel.uncertainty.sampling import uncertain_inputs
from tests.builders import line, scenario, shell, write


def one_line_doc() -> dict:
    """Line a: 100 a quarter at EUR 1, no lead time; 200 wanted by 2026Q2, 400 by 2026Q4 (step).
    The plan as written orders the line's whole output, 100 each quarter: the only plan without a
    shortfall. Capacity (200–800 a year) and the last target (300–900) are uncertain."""
    return scenario(
        items=[shell(stock={"ukraine": 0})],
        lines=[line("a", capacity={"value": 400, "unit": "/year", "low": 200, "high": 800})],
        requirements=[
            {
                "customer": "ukraine",
                "item": "shell",
                "interpolate": "step",
                "targets": [
                    {"by": "2026Q2", "value": 200},
                    {"by": "2026Q4", "value": 400, "low": 300, "high": 900},
                ],
            }
        ],
    )


@pytest.fixture
def judged(tmp_path: Path):
    sc, m = load(write(tmp_path, one_line_doc()))
    periods = decision_periods(m, "2026Q2")
    commitment = deterministic_commitment(m, periods)
    inputs = uncertain_inputs(sc)
    column = {x.loc[0]: j for j, x in enumerate(inputs)}
    values = np.zeros((2, len(inputs)))
    # draw 0: the line makes 50 a quarter, 400 wanted by Q4; draw 1: 200 a quarter, 800 wanted
    values[:, column["lines"]] = [200, 800]
    values[:, column["requirements"]] = [400, 800]
    spec = judge_spec(sc, inputs, SolverOptions(), (commitment,))
    rows = judge_chunk(spec, (0, 1), values)
    return m, commitment, summarise_commit(m, rows, periods, commitment)


def test_the_commitment_is_the_plans_first_two_quarters(judged) -> None:
    _, c, s = judged
    assert c.x[0, 0].tolist() == pytest.approx([100, 100, 0, 0])
    assert c.value == pytest.approx(200)
    assert s.decision_date == "2026Q2"


def test_hand_computed_draws(judged) -> None:
    _, _, s = judged
    d = s.draws.set_index("draw")
    # draw 0: the line makes only 50 of the fixed 100 in each of Q1 and Q2; the other 100 are made
    # in Q3 and Q4 (the backlog: EUR 100 delayed, nothing cut), which leaves no room for new orders;
    # stock 50, 100, 150, 200 against 0, 200, 200, 400: shortfall 100/200 + 50/200 + 200/400 = 1.25,
    # cost EUR 200 — as with perfect foresight.
    assert d.loc[0, "committed:delayed_value"] == pytest.approx(100)
    assert d.loc[0, "committed:cut_value"] == pytest.approx(0, abs=1e-6)
    assert d.loc[0, "committed:weighted_shortfall"] == pytest.approx(1.25)
    assert d.loc[0, "foresight:weighted_shortfall"] == pytest.approx(1.25)
    assert d.loc[0, "committed:total_cost"] == pytest.approx(200)
    # draw 1: the fixed 100 + 100 are delivered; the recourse orders 200 + 200; stock 600 against
    # 800 in Q4: shortfall 200/800 = 0.25, cost EUR 600. Foresight orders 200 a quarter: none short.
    assert d.loc[1, "committed:cut_value"] == pytest.approx(0, abs=1e-6)
    assert d.loc[1, "committed:delayed_value"] == pytest.approx(0, abs=1e-6)
    assert d.loc[1, "committed:weighted_shortfall"] == pytest.approx(0.25)
    assert d.loc[1, "committed:total_cost"] == pytest.approx(600)
    assert d.loc[1, "foresight:weighted_shortfall"] == pytest.approx(0, abs=1e-6)
    assert d.loc[1, "foresight:total_cost"] == pytest.approx(800)


def test_which_commitments_would_help(judged) -> None:
    """Draw 1 makes everything committed and could make more in Q1 and Q2: a unit more committed in
    either is one more shell by Q4, 1/800 less shortfall there. Draw 0's line is full with the
    backlog: a unit more would only be cut, and lowers nothing. Expected: −1/1600 a unit, in half
    the draws; at EUR 1 a shell, −625 points per EUR 1 m."""
    _, _, s = judged
    c = s.commitments.set_index("period")
    assert c.loc["2026Q1", "shortfall_change_per_unit"] == pytest.approx(-1 / 1600, abs=1e-9)
    assert c.loc["2026Q2", "shortfall_change_per_unit"] == pytest.approx(-1 / 1600, abs=1e-9)
    assert c["draws_helped"].tolist() == pytest.approx([0.5, 0.5])
    assert c.loc["2026Q1", "shortfall_change_per_million"] == pytest.approx(-625, rel=1e-6)
    best = s.headline()["most_valuable_commitments"]
    assert [(b["line"], b["customer"], b["kind"]) for b in best] == [("a", "ukraine", "order")] * 2


def test_value_of_perfect_information(judged) -> None:
    _, _, s = judged
    h = s.headline()
    assert h["expected_weighted_shortfall"]["committed"] == pytest.approx(0.75)
    assert h["expected_weighted_shortfall"]["perfect_foresight"] == pytest.approx(0.625)
    assert h["value_of_perfect_information"]["weighted_shortfall"] == pytest.approx(0.125)
    assert h["cuts"]["draws_with_cuts"] == 0
    p = h["p_ready_by_year"]
    assert p["committed"]["2026"] <= p["perfect_foresight"]["2026"]


def test_decision_date_is_checked(tmp_path: Path) -> None:
    _, m = load(write(tmp_path, one_line_doc()))
    assert decision_periods(m, None) == 4  # a one-year horizon: the end of its only year
    assert decision_periods(m, "2026") == 4
    assert decision_periods(m, "2026q1") == 1
    with pytest.raises(CommitError, match=r"'2031Q1'.*2026Q1–2026Q4.*such as 2026Q4"):
        decision_periods(m, "2031Q1")


@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 1000), date=st.sampled_from(["2026Q1", "2026Q4", "2027Q2"]))
@example(seed=499, date="2027Q2")
def test_committed_is_never_shorter_than_foresight(ranged: Path, seed: int, date: str) -> None:
    """Foresight may choose the committed plan too: draw by draw its shortfall is no larger. (Its
    P(ready) need not be: readiness is a threshold on coverage, not the LP's objective
    (docs/uncertainty.md). Seed 499 at 2027Q2 is such a sample: the committed plan is ready by
    2027 in 2 of 6 draws, foresight in 1. Which samples Hypothesis draws depends on the modules
    loaded, so it met that one only in some runs.)"""
    s = judge(ranged, draws=6, seed=seed, decision_date=date)
    d = s.draws[s.draws["committed:status"] == "optimal"]
    assert len(d) == 6
    gap = d["committed:weighted_shortfall"] - d["foresight:weighted_shortfall"]
    assert (gap >= -1e-6).all()


def test_commit_command(ranged: Path, tmp_path: Path, run) -> None:
    """The command writes its three files and prints both plans' odds, labelled; bad input exits 2."""
    code, out, err = run(
        "commit", str(ranged), "-n", "3", "--decision-date", "2026Q4", "-o", str(tmp_path / "c"), "--json"
    )
    assert code == 0, err
    h = json.loads(out)
    assert set(h["p_ready_by_year"]) == {"committed", "perfect_foresight"}
    assert h["decision_date"] == "2026Q4" and h["draws"] == 3
    files = {"summary.json", "draws.csv", "p_ready.csv", "commitments.csv"}
    assert {p.name for p in (tmp_path / "c").iterdir()} == files
    commitments = pd.read_csv(tmp_path / "c" / "commitments.csv")
    assert len(commitments) > 0 and commitments["shortfall_change_per_million"].is_monotonic_increasing
    code, again, err = run(
        "commit",
        str(ranged),
        "-n",
        "3",
        "--decision-date",
        "2026Q4",
        "--workers",
        "2",
        "-o",
        str(tmp_path / "w"),
        "--json",
    )
    assert code == 0, err  # on two worker processes: the same draws, the same results
    assert json.loads(again)["expected_weighted_shortfall"] == h["expected_weighted_shortfall"]
    code, out, _ = run("commit", str(ranged), "-n", "2", "-o", str(tmp_path / "d"))
    assert code == 0 and "committed plan" in out and "perfect foresight" in out
    code, _, err = run("commit", str(ranged), "--decision-date", "1999Q1", "-o", str(tmp_path / "e"))
    assert code == 2 and "not a period or year of the horizon 2026Q1–2027Q4" in err


def test_commit_a_plan_folder(ranged: Path, tmp_path: Path, run) -> None:
    """--plan commits a plan folder's orders; an unknown line in it is a located error."""
    assert run("plan", str(ranged), "-o", str(tmp_path / "p"), "--no-charts")[0] == 0
    code, out, err = run(
        "commit", str(ranged), "-n", "2", "--plan", str(tmp_path / "p"), "-o", str(tmp_path / "c"), "--json"
    )
    assert code == 0, err
    _, m = load(ranged)
    planned = deterministic_commitment(m, decision_periods(m, None))
    assert json.loads(out)["committed_value"] == pytest.approx(planned.value, rel=1e-6)
    code, _, err = run("commit", str(ranged), "--plan", str(tmp_path / "p"), "-o", str(tmp_path / "p"))
    assert code == 2 and "the output folder is the --plan folder" in err
    orders = tmp_path / "p" / "orders.csv"
    orders.write_text(orders.read_text().replace("\na,", "\nzz,", 1))
    code, _, err = run("commit", str(ranged), "-n", "2", "--plan", str(tmp_path / "p"), "-o", str(tmp_path / "c"))
    assert code == 2 and "orders.csv:2: line: 'zz' is not one of the scenario's" in err


def test_what_the_horizon_cannot_make_is_cut(tmp_path: Path) -> None:
    """300 committed in Q1 on a line that makes 50 a quarter: 100 are made in Q1–Q2, 100 after the
    decision date (delayed), 100 never (cut: EUR 100 of EUR 300); nothing else is made."""
    sc, m = load(write(tmp_path, one_line_doc()))
    x = np.zeros((1, 1, 4))
    x[0, 0, 0] = 300
    c = Commitment(2, x, np.zeros((1, 4)), m.price.copy(), m.capex.copy())
    inputs = uncertain_inputs(sc)
    values = np.array([[400 if x.loc[0] == "requirements" else 200 for x in inputs]], dtype=float)
    rows = judge_chunk(judge_spec(sc, inputs, SolverOptions(), (c,)), (0,), values)
    d = summarise_commit(m, rows, 2, c).draws.iloc[0]
    assert d["committed:value"] == pytest.approx(300)
    assert d["committed:cut_value"] == pytest.approx(100, abs=0.2)  # phase 2 may give up 1e-7 money units
    assert d["committed:delayed_value"] == pytest.approx(100, abs=0.2)
    assert d["committed:weighted_shortfall"] == pytest.approx(1.25)
