"""Contradictory input: the error names the scenario's own lines, budgets and periods."""

from __future__ import annotations

from pathlib import Path

import pytest

import materiel
from materiel.planner import PlanError, SolveStatus
from tests.builders import line, scenario, write


def test_commitment_beyond_capacity_names_line_and_period(tmp_path: Path) -> None:
    doc = scenario(
        lines=[line("a")], commitments=[{"line": "a", "customer": "ukraine", "period": "2026Q2", "quantity": 500}]
    )
    with pytest.raises(PlanError) as info:
        materiel.plan(write(tmp_path, doc))
    err = info.value
    assert err.status is SolveStatus.infeasible
    assert any("capacity of line a in 2026Q2" in c for c in err.conflicts)
    assert any("commitment: 500 shell ordered on a for ukraine in 2026Q2" in c for c in err.conflicts)
    assert "x[" not in str(err) and "row" not in str(err)


def test_commitment_beyond_budget_names_the_budget(tmp_path: Path) -> None:
    doc = scenario(
        lines=[line("a")],
        funding=[{"id": "small", "name": "small fund", "budget": {"value": 10, "unit": "EUR/year"}}],
        commitments=[{"line": "a", "customer": "ukraine", "period": "2026Q1", "quantity": 50}],
    )
    with pytest.raises(PlanError) as info:
        materiel.plan(write(tmp_path, doc))
    text = str(info.value)
    assert "budget of small in 2026: EUR 10" in text
    assert "commitment: 50 shell ordered on a for ukraine in 2026Q1" in text


def test_minimum_spend_that_cannot_be_spent(tmp_path: Path) -> None:
    """A fund must spend 90 % of EUR 1,000 but the only line sells at most 400 × EUR 1 a year."""
    doc = scenario(
        lines=[line("a")],
        funding=[
            {
                "id": "use-it",
                "name": "use it or lose it",
                "budget": {"value": 1000, "unit": "EUR/year"},
                "min_spend": 0.9,
            }
        ],
    )
    with pytest.raises(PlanError) as info:
        materiel.plan(write(tmp_path, doc))
    text = str(info.value)
    assert "budget of use-it in 2026" in text and "at least 90% must be spent" in text


def test_time_limit_is_an_error_not_a_plan(tmp_path: Path) -> None:
    doc = scenario(lines=[line("a")], planner={"time_limit": 1e-9})
    with pytest.raises(PlanError) as info:
        materiel.plan(write(tmp_path, doc))
    assert info.value.status is SolveStatus.time_limit
    assert "time limit of 1e-09 s (planner.time_limit)" in str(info.value)
