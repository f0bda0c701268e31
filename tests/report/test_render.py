"""The chart worker: charts drawn side by side in forked processes, failures reported, not lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from materiel.planner import make_plan
from materiel.planner.result import Plan
from materiel.report import charts
from materiel.report.render import PLAN_CHART_FILES, ChartPool, _draw_side_by_side
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


def test_a_chart_failing_in_a_forked_child_is_raised_with_its_name(
    plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(plan: Plan, path: Path) -> Path:
        raise ValueError("no data for this chart")

    monkeypatch.setitem(charts.PLAN_CHARTS, "broken.png", broken)
    with pytest.raises(RuntimeError, match=r"broken\.png: ValueError: no data for this chart"):
        _draw_side_by_side(["spending_by_fund.png", "broken.png"], plan, tmp_path)
    assert (tmp_path / "spending_by_fund.png").exists()  # the other chart was still drawn
