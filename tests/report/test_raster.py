"""The Pillow chart canvas: round axis tops, dashed lines, and charts that are not blank."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from materiel.planner import make_plan
from materiel.report.axes import nice_ticks, nice_top
from materiel.report.charts import PLAN_CHARTS
from materiel.report.raster import _dashes
from materiel.scenario.loader import load

TINY = Path(__file__).parents[1] / "fixtures" / "tiny.yaml"


@pytest.mark.parametrize(("value", "top"), [(37.0, 40.0), (40.0, 40.0), (0.83, 1.0), (1234.0, 1250.0), (0.0, 1.0)])
def test_the_axis_top_is_the_first_round_tick_at_or_above_the_data(value: float, top: float) -> None:
    assert nice_top(value) == pytest.approx(top)


def test_ticks_are_round_and_cover_the_range() -> None:
    assert nice_ticks(0, 130, 4) == [0, 50, 100]
    assert nice_ticks(0, 1, 5) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])


def test_a_dashed_line_alternates_dash_and_gap_across_corners() -> None:
    pieces = _dashes([(0, 0), (20, 0)], 5)
    assert pieces == [((0, 0), (5, 0)), ((10, 0), (15, 0))]
    # a dash that starts before a corner carries on after it
    bent = _dashes([(0, 0), (3, 0), (3, 10)], 5)
    assert bent[0] == ((0, 0), (3, 0)) and bent[1] == ((3, 0), (3, 2))


def test_every_plan_chart_is_a_png_with_ink(tmp_path: Path) -> None:
    _, model = load(TINY)
    plan = make_plan(model)
    for name, draw in PLAN_CHARTS.items():
        path = draw(plan, tmp_path / name)
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width >= 600
            colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
            assert colours is not None and len(colours) > 20, name  # lines, text and fills, not a blank page
