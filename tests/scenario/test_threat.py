"""A threat that moves: attack rates that grow or follow milestones, and what follows them."""

from __future__ import annotations

from pathlib import Path

import pytest

import materiel
from materiel.assessment import assess
from materiel.scenario.errors import ScenarioError
from materiel.scenario.loader import load
from tests.builders import scenario, solve, write

INTERCEPTOR = {"id": "interceptor", "name": "interceptor", "category": "air-defence", "stock": {"ukraine": 0}}


def threat(**attack: object) -> dict:
    """One attack of 365 a month (12 a day), each engaged by one interceptor."""
    return {
        "attacks": [{"id": "drone", "name": "drone", "rate": {"value": 365, "unit": "/month"}, **attack}],
        "defences": [{"attack": "drone", "item": "interceptor", "share": 1, "per_attack": 1, "p_kill": 1}],
    }


def reserve_design(days: float = 10) -> list[dict]:
    """A force design whose only target is ``days`` of the interceptor's wartime use."""
    return [
        {
            "customer": "ukraine",
            "brigades": 1,
            "phase_in": [{"by": "2026Q1", "value": 1}],
            "reserve_days": {"value": days, "unit": "days"},
            "allotments": [{"item": "interceptor", "per_brigade": 0}],
        }
    ]


def test_a_growing_threat_raises_demand_and_the_reserve_target(tmp_path: Path) -> None:
    """12 a day growing 100 % a year, quarterly: 12 × 2^(t/4) → 12, 14.27, 16.97, 20.18, 24 a day.
    A 10-day reserve follows it: 120, 142.7, 169.7, 201.8, 240."""
    doc = scenario(
        horizon={"start": "2026Q1", "periods": 5},
        items=[INTERCEPTOR],
        threat=threat(growth={"value": 100, "unit": "%"}),
        force_design=reserve_design(),
    )
    _, m = load(write(tmp_path, doc))
    per_day = [12 * 2 ** (t / 4) for t in range(5)]
    assert m.wartime[0].tolist() == pytest.approx(per_day)
    assert m.target[0, 0].tolist() == pytest.approx([10 * u for u in per_day])
    a = assess(solve(tmp_path, doc))
    assert a.interceptors["demand_per_month"].tolist() == pytest.approx([u * 365 / 12 for u in per_day])
    launches = a.attacks[a.attacks["attack"] == "drone"]["launches_per_month"].tolist()
    assert launches == pytest.approx([365 * 2 ** (t / 4) for t in range(5)])


def test_milestones_draw_straight_lines_from_the_start(tmp_path: Path) -> None:
    """12 a day at the start, 24 a day by 2026Q3: 12, 18, 24, then held at 24."""
    doc = scenario(items=[INTERCEPTOR], threat=threat(milestones=[{"by": "2026Q3", "value": 24, "unit": "/day"}]))
    _, m = load(write(tmp_path, doc))
    assert m.wartime[0].tolist() == pytest.approx([12, 18, 24, 24])


def test_the_single_rate_form_is_unchanged(tmp_path: Path) -> None:
    _, m = load(write(tmp_path, scenario(items=[INTERCEPTOR], threat=threat())))
    assert m.wartime[0].tolist() == pytest.approx([12] * 4)


def test_a_milestone_outside_the_horizon_is_a_warning(tmp_path: Path) -> None:
    """A milestone after the horizon still shapes the line inside it: 12 at 2026Q1 to 24 at 2027Q1
    (period 4) gives 12, 15, 18, 21 — and a warning."""
    doc = scenario(items=[INTERCEPTOR], threat=threat(milestones=[{"by": "2027Q1", "value": 24, "unit": "/day"}]))
    path = write(tmp_path, doc)
    _, m = load(path)
    assert m.wartime[0].tolist() == pytest.approx([12, 15, 18, 21])
    (w,) = m.warnings
    assert w.path == "threat.attacks[drone].milestones[0].by" and w.line is not None
    assert "2027Q1 is after the horizon ends in 2026Q4" in w.message


def test_a_milestone_before_the_horizon_is_a_warning_and_ignored(tmp_path: Path) -> None:
    doc = scenario(items=[INTERCEPTOR], threat=threat(milestones=[{"by": "2025Q1", "value": 99, "unit": "/day"}]))
    _, m = load(write(tmp_path, doc))
    assert m.wartime[0].tolist() == pytest.approx([12] * 4)
    (w,) = m.warnings
    assert "2025Q1 is before the horizon starts" in w.message and w.line is not None


@pytest.mark.parametrize(
    ("attack", "where", "message"),
    [
        ({"growth": -1.5}, "threat.attacks[drone].growth.value", "must be at least -1"),
        ({"growth": {"value": -150, "unit": "%"}}, "threat.attacks[drone].growth.value", "must be at least -1"),
        ({"growth": {"value": 5, "unit": "%/month"}}, "threat.attacks[drone].growth.unit", "growth is yearly"),
        (
            {"growth": 0.1, "milestones": [{"by": "2026Q3", "value": 400}]},
            "threat.attacks[drone].milestones",
            "either growth or milestones",
        ),
        ({"milestones": [{"by": "2026Q3", "value": -4}]}, "threat.attacks[drone].milestones[0].value", "negative"),
    ],
)
def test_bad_growth_is_a_located_error(tmp_path: Path, attack: dict, where: str, message: str) -> None:
    doc = scenario(items=[INTERCEPTOR], threat=threat(**attack))
    with pytest.raises(ScenarioError) as info:
        materiel.load(write(tmp_path, doc))
    (problem,) = info.value.problems
    assert problem.path == where and problem.line is not None
    assert message in problem.message


def test_growth_that_would_pass_the_limit_of_an_attack_rate_is_refused(tmp_path: Path) -> None:
    """1,000 % a year over 40 quarters multiplies 12 a day by 11^9.75: far above 100,000 a day."""
    doc = scenario(horizon={"start": "2026Q1", "periods": 40}, items=[INTERCEPTOR], threat=threat(growth=10))
    with pytest.raises(ScenarioError) as info:
        materiel.load(write(tmp_path, doc))
    assert "the limit for an attack rate" in str(info.value)
    assert info.value.problems[0].path == "threat.attacks[drone].growth"


def test_the_report_follows_a_moving_threat_year_by_year(tmp_path: Path) -> None:
    """Demand doubles over 2026 (12 → 24 a day by 2027Q1): the report gives it at each year's end
    (2026Q4: 12 × 2^(3/4) = 20.18 a day = 613.9 a month; 2027Q4: 24 × 2^(3/4) = 40.36 a day = 1,227.7)."""
    from materiel.report.html import render_report

    doc = scenario(horizon={"start": "2026Q1", "periods": 8}, items=[INTERCEPTOR], threat=threat(growth=1))
    plan = solve(tmp_path, doc)
    text = render_report(plan, assess(plan), {})
    assert "as the threat moves" in text and "<td>614</td>" in text and "<td>1,228</td>" in text
