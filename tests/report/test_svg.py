"""The report's SVG charts: a title, ticks on every axis, lines told apart and legends that match."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zlib

import pytest

from materiel.report import svg
from materiel.report.axes import FUND_PALETTE, fund_colours, log_bounds, log_ticks

NS = {"s": "http://www.w3.org/2000/svg"}
PERIODS = [f"{y}Q{q}" for y in range(2026, 2036) for q in range(1, 5)]


def parse(chart: str) -> ET.Element:
    return ET.fromstring(chart)


def ticks(root: ET.Element, axis: str) -> list[str]:
    return [t.text or "" for t in root.iterfind("s:text", NS) if t.get("class") == f"tick {axis}"]


def test_a_log_axis_is_labelled_at_every_decade_and_at_2_and_5_times_it() -> None:
    assert log_bounds(5.3, 900) == (5.0, 1000.0)
    labelled, minor = log_ticks(5.0, 1000.0)
    assert labelled == [5, 10, 20, 50, 100, 200, 500, 1000]
    assert 30 in minor and 900 in minor and 20 not in minor
    # over five decades only the decades are labelled; under one, every whole multiple is
    assert log_ticks(0.02, 20_000)[0] == [0.1, 1, 10, 100, 1000, 10_000]
    assert log_ticks(30, 70) == ([30, 40, 50, 60, 70], [])


def test_the_days_of_war_chart_has_many_tick_labels_on_its_log_axis() -> None:
    days = {"pac3-mse": [9.0 + 5 * k for k in range(40)], "shell-155": [60.0 + 20 * k for k in range(40)]}
    root = parse(svg.line_chart(PERIODS, days, "days of war", "days (log scale)", log=True))
    assert ticks(root, "y") == ["5", "10", "20", "50", "100", "200", "500", "1k"]
    # one label a year, on the same quarter each year
    assert ticks(root, "x") == [f"{y}Q1" for y in range(2026, 2036)]


def test_every_chart_has_a_title_and_ticks_on_its_value_axis() -> None:
    charts = [
        svg.line_chart(PERIODS[:8], {"a": [1, 2, 3, 4, 5, 6, 7, 8]}, "lines", "units"),
        svg.bar_chart(["x", "y"], {"equipment": [3.0, 4.0], "troops": [1.0, 0.5]}, "bars", "bn"),
        svg.diverging_bars(["p", "q"], [0.6, -0.3], "tornado", "rho"),
    ]
    for chart, title, axis in zip(charts, ("lines", "bars", "tornado"), ("y", "x", "x"), strict=True):
        root = parse(chart)
        assert root.find("s:title", NS).text == title
        assert len(ticks(root, axis)) >= 3, title
    assert ticks(parse(charts[1]), "x") == ["0", "1", "2", "3", "4", "5"]  # totals 4 and 4.5 fit below 5
    assert ticks(parse(charts[2]), "x")[0] == "-0.6" and ticks(parse(charts[2]), "x")[-1] == "0.6"


def test_series_differ_in_dash_and_marker_and_the_legend_draws_each_as_its_line() -> None:
    series = {name: [float(k + n) for k in range(8)] for n, name in enumerate(("a", "b", "c"))}
    root = parse(svg.line_chart(PERIODS[:8], series, "three", "units"))
    lines = root.findall("s:polyline", NS)
    dashes = [line.get("stroke-dasharray") for line in lines]
    colours = [line.get("stroke") for line in lines]
    assert len(set(dashes)) == 3 and len(set(colours)) == 3
    legend = [line for line in root.findall("s:line", NS) if line.get("stroke-width") == "2"]
    assert [(line.get("stroke"), line.get("stroke-dasharray")) for line in legend] == list(
        zip(colours, dashes, strict=True)
    )
    markers = {child.tag.split("}")[1] for child in root if child.get("fill") in colours}
    assert {"circle", "rect", "polygon"} <= markers


def test_lines_that_coincide_are_named_in_the_legend_and_a_note() -> None:
    same = [50.0, 60.0, 70.0, 80.0]
    chart = svg.line_chart(PERIODS[:4], {"status quo": same, "more money": [50, 65, 90, 100], "late": same}, "t", "%")
    root = parse(chart)
    texts = [t.text for t in root.iterfind("s:text", NS)]
    assert "late (= status quo)" in texts
    assert "Lines on top of each other: late coincides with status quo." in texts
    assert svg.coinciding({"a": [1.0, None], "b": [1.0, None], "c": [1.0, 2.0]}, 1e-9) == {"b": "a"}


def test_a_fund_has_the_colour_its_id_picks_in_any_order_and_funds_never_share_one() -> None:
    funds = ["eu-support-loan", "nato-purl", "europe-national", "ua-defence-budget"]  # no two pick one slot
    colours = fund_colours(funds)
    assert colours == {f: FUND_PALETTE[zlib.crc32(f.encode()) % len(FUND_PALETTE)] for f in funds}
    assert fund_colours(reversed(funds)) == colours
    # asset-backed-loan, danish-model and safe-loans pick the same slot: the first by id keeps it
    crowded = fund_colours(["safe-loans", "danish-model", "asset-backed-loan"])
    assert crowded["asset-backed-loan"] == fund_colours(["asset-backed-loan"])["asset-backed-loan"]
    assert len(set(crowded.values())) == 3
    many = fund_colours([f"fund-{n}" for n in range(len(FUND_PALETTE))])
    assert len(set(many.values())) == len(FUND_PALETTE)  # twenty funds, twenty colours


@pytest.mark.parametrize("title", ['<script>alert("x")</script>', "a & b"])
def test_titles_are_escaped(title: str) -> None:
    root = parse(svg.line_chart(PERIODS[:2], {"a": [1.0, 2.0]}, title, "u"))
    assert root.find("s:title", NS).text == title and root.get("aria-label") == title
