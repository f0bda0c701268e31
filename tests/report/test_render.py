"""The chart worker: every chart drawn and moved into place; a drawing error reaches the caller."""

from __future__ import annotations

from pathlib import Path

import pytest

from materiel.planner import make_plan
from materiel.planner.result import Plan
from materiel.report import charts
from materiel.report.render import PLAN_CHART_FILES, ChartPool
from materiel.scenario.loader import load

TINY = Path(__file__).parents[1] / "fixtures" / "tiny.yaml"


@pytest.fixture(scope="module")
def plan() -> Plan:
    _, model = load(TINY)
    return make_plan(model)


def test_pool_draws_every_chart_and_moves_them(plan: Plan, tmp_path: Path) -> None:
    with ChartPool() as pool:
        drawing = pool.submit(plan)
        try:
            moved = drawing.move_to(tmp_path)
        finally:
            drawing.discard()
    assert sorted(moved) == sorted(PLAN_CHART_FILES)
    for path in moved.values():
        assert path.read_bytes()[:4] == b"\x89PNG"
    assert not drawing.folder.exists()


def test_a_chart_failing_in_the_worker_is_raised_and_its_scratch_removed(
    plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(plan: Plan, path: Path) -> Path:
        raise ValueError("no data for this chart")

    monkeypatch.setitem(charts.PLAN_CHARTS, "spending_by_fund.png", broken)  # before the worker is forked
    with ChartPool() as pool:
        drawing = pool.submit(plan)
        try:
            with pytest.raises(ValueError, match="no data for this chart"):
                drawing.move_to(tmp_path)
        finally:
            drawing.discard()
    assert not drawing.folder.exists()
