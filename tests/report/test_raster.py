"""The Pillow chart canvas: round axis tops, dashed lines, and charts that are not blank."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from materiel.planner import make_plan
from materiel.report.axes import DENSITY, fund_colours, nice_ticks, nice_top
from materiel.report.charts import PLAN_CHARTS
from materiel.report.raster import Canvas, Panel, _dashes
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


def test_charts_are_at_print_resolution_and_say_so(tmp_path: Path) -> None:
    _, model = load(TINY)
    path = PLAN_CHARTS["spending_by_fund.png"](make_plan(model), tmp_path / "s.png")
    with Image.open(path) as image:
        assert image.size == (900 * DENSITY, 450 * DENSITY)  # the layout is 900 x 450 CSS pixels
        assert image.info["dpi"] == pytest.approx((192, 192), abs=0.01)
    # at its widest on A4 (about 18 cm), 1800 pixels are over 250 dots per inch
    assert 900 * DENSITY / (180 / 25.4) > 250


def test_each_fund_is_drawn_in_the_colour_its_id_picks(tmp_path: Path) -> None:
    _, model = load(TINY)
    plan = make_plan(model)
    shown = list(plan.spend_by_year("fund").columns)
    path = PLAN_CHARTS["spending_by_fund.png"](plan, tmp_path / "s.png")
    with Image.open(path) as image:
        found = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    colours = fund_colours(model.funds)
    assert shown and set(shown) <= set(colours)
    for fund in shown:
        colour = colours[fund]
        rgb = tuple(int(colour[k : k + 2], 16) for k in (1, 3, 5))
        assert rgb in found, fund  # its legend box and bars, in exactly that colour


def _ink_runs(image: Image.Image, box: tuple[int, int, int, int], axis: int, gap: int = 8) -> int:
    """How many separate marks a strip of the image has along ``axis`` (0: x, 1: y): runs of dark
    pixels, those less than ``gap`` pixels apart taken as one (the characters of a label)."""
    strip = image.convert("L").crop(box)
    across = strip.size[1 - axis]
    inked = [
        k
        for k in range(strip.size[axis])
        if any(strip.getpixel((k, j) if axis == 0 else (j, k)) < 128 for j in range(across))
    ]
    return sum(1 for n, k in enumerate(inked) if n == 0 or k - inked[n - 1] > gap)


def test_a_panel_labels_the_ticks_of_both_axes(tmp_path: Path) -> None:
    canvas = Canvas(320, 220)
    panel = Panel(canvas, 50, 30, 240, 150, 10, 0.0, 130.0)
    panel.frame("title", [str(2026 + k) for k in range(10)])
    with Image.open(canvas.save(tmp_path / "p.png")) as image:
        d = DENSITY
        assert _ink_runs(image, (0, 25 * d, 44 * d, 185 * d), 1) == 3  # 0, 50 and 100 left of the axis
        assert _ink_runs(image, (40 * d, 184 * d, 300 * d, 200 * d), 0) == 5  # every other year below it
        assert _ink_runs(image, (0, 0, 320 * d, 24 * d), 1) == 1  # the title above
