"""The chart worker: every chart drawn as PNG bytes; a drawing error reaches the caller."""

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


def test_pool_draws_every_chart_in_memory(plan: Plan) -> None:
    with ChartPool() as pool:
        drawn = pool.submit(plan).wait()
    assert sorted(drawn) == sorted(PLAN_CHART_FILES)
    for data in drawn.values():
        assert data[:4] == b"\x89PNG"


def test_without_a_worker_the_caller_draws_the_same_charts(plan: Plan) -> None:
    with ChartPool() as pool:
        forked = pool.submit(plan).wait()
    assert ChartPool(workers=0).submit(plan).wait() == forked


def test_a_chart_failing_in_the_worker_is_raised(plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(plan: Plan, path: Path) -> Path:
        raise ValueError("no data for this chart")

    monkeypatch.setitem(charts.PLAN_CHARTS, "spending_by_fund.png", broken)  # before the worker is forked
    with ChartPool() as pool:
        drawing = pool.submit(plan)
        with pytest.raises(ValueError, match="no data for this chart"):
            drawing.wait()
