"""A readiness rule that cannot hide a gap: critical items and readiness by item."""

from __future__ import annotations

from pathlib import Path

import pytest

from materiel.assessment import assess
from materiel.report.html import render_report
from materiel.scenario.loader import load
from tests.builders import scenario, solve, write

ITEMS = [
    {"id": "patriot", "name": "patriot", "category": "air-defence", "stock": {"ukraine": 55}},
    {
        "id": "drone",
        "name": "interceptor drone",
        "category": "air-defence",
        "stock": {"ukraine": 1000},
        "weight": 9,
        "weight_rationale": "cheap and plentiful: counted nine times",
    },
]
TARGETS = [
    {"customer": "ukraine", "item": i, "targets": [{"by": "2026Q1", "value": v}]}
    for i, v in (("patriot", 100), ("drone", 1000))
]


def test_cheap_items_at_full_cover_hide_a_critical_gap_no_more(tmp_path: Path) -> None:
    """Patriot at 55/100, drones at 100 % with weight 9: the category's mean is
    (1 × 0.55 + 9 × 1) / 10 = 95.5 % ≥ 90 %, ready from the start. With Patriot critical at 90 %
    the category is held back at Patriot's 55 % and never ready."""
    doc = scenario(items=ITEMS, requirements=TARGETS)
    a = assess(solve(tmp_path, doc))
    assert a.coverage.loc["air-defence"].tolist() == pytest.approx([0.955] * 4)
    assert a.readiness.period == "2026Q1"
    doc["items"][0]["min_coverage"] = 0.9
    a = assess(solve(tmp_path, doc))
    assert a.coverage.loc["air-defence"].tolist() == pytest.approx([0.55] * 4)
    assert a.blocked.loc["air-defence"].tolist() == [True] * 4
    assert a.readiness.period is None and a.readiness.by_category == {"air-defence": None}
    assert a.readiness.by_item == {"patriot": None, "drone": "2026Q1"}
    assert a.held_back() == [
        "Air-defence interceptors (missiles and interceptor drones): patriot at 55 % of target, below its minimum of 90 %"
    ]
    assert a.summary()["critical_items"] == {"patriot": {"min_coverage": 0.9, "ready_from": None}}


def test_a_critical_item_above_its_minimum_does_not_block(tmp_path: Path) -> None:
    """Patriot critical at 50 %: at 55 % it holds it; the category's 95.5 % passes."""
    doc = scenario(items=[{**ITEMS[0], "min_coverage": {"value": 50, "unit": "%"}}, ITEMS[1]], requirements=TARGETS)
    a = assess(solve(tmp_path, doc))
    assert a.coverage.loc["air-defence"].tolist() == pytest.approx([0.955] * 4)
    assert a.readiness.period == "2026Q1"
    assert a.readiness.by_item == {"patriot": "2026Q1", "drone": "2026Q1"}  # its own minimum, not 90 %


def test_a_critical_minimum_above_the_threshold_still_blocks(tmp_path: Path) -> None:
    """Patriot at 95/100 is above the 90 % threshold but below its 98 % minimum: the category's mean
    (0.95 + 9 × 1)/10 = 99.5 % is shown at Patriot's 95 %, and it is not ready."""
    items = [{**ITEMS[0], "stock": {"ukraine": 95}, "min_coverage": 0.98}, ITEMS[1]]
    a = assess(solve(tmp_path, scenario(items=items, requirements=TARGETS)))
    assert a.coverage.loc["air-defence"].tolist() == pytest.approx([0.95] * 4)
    assert a.readiness.period is None


def test_the_report_shows_readiness_by_item_and_the_weights_rationale(tmp_path: Path) -> None:
    doc = scenario(items=[{**ITEMS[0], "min_coverage": 0.9}, ITEMS[1]], requirements=TARGETS)
    plan = solve(tmp_path, doc)
    text = render_report(plan, assess(plan), {})
    assert "Readiness by item" in text and "cheap and plentiful: counted nine times" in text
    assert "patriot at 55 % of target, below its minimum of 90 %" in text


def test_item_coverage_is_min_of_one_and_stock_over_target(tmp_path: Path) -> None:
    """Drones 1,000 of 1,000 → 100 %; Patriot 55 of 100 → 55 %; the table has both."""
    a = assess(solve(tmp_path, scenario(items=ITEMS, requirements=TARGETS)))
    table = a.item_table().set_index("item")
    assert table.loc["patriot", "coverage 2026"] == pytest.approx(0.55)
    assert table.loc["drone", "weight rationale"] == "cheap and plentiful: counted nine times"


def test_a_critical_item_without_a_target_is_a_warning(tmp_path: Path) -> None:
    """A minimum coverage with no target to cover never applies: said, located, and planned anyway."""
    doc = scenario(items=[{**ITEMS[0], "min_coverage": 0.9}, ITEMS[1]], requirements=TARGETS[1:])
    _, m = load(write(tmp_path, doc))
    (w,) = m.warnings
    assert w.path == "items[patriot].min_coverage" and w.line is not None
    assert "ukraine has no target for 'patriot'" in w.message


def test_a_weight_without_a_rationale_is_a_warning(tmp_path: Path) -> None:
    """Drones weigh 9: with a rationale nothing is said; without, a located warning asks for one."""
    _, m = load(write(tmp_path, scenario(items=ITEMS, requirements=TARGETS)))
    assert m.warnings == []
    items = [ITEMS[0], {k: v for k, v in ITEMS[1].items() if k != "weight_rationale"}]
    _, m = load(write(tmp_path, scenario(items=items, requirements=TARGETS)))
    (w,) = m.warnings
    assert w.path == "items[drone].weight" and "counts 9 times an item of weight 1" in w.message
