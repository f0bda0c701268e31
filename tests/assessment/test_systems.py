"""Systems and the munitions they fire: only what the systems held can fire counts (docs/assessment.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import materiel
from materiel.assessment import assess
from materiel.cli import run
from materiel.planner import SolverOptions
from materiel.scenario.errors import ScenarioError
from materiel.uncertainty.metrics import draw_metrics
from materiel.uncertainty.resolve import Resolver
from tests.builders import scenario, solve, write


def launcher(stock: float = 2) -> dict:
    return {
        "id": "launcher",
        "name": "launcher",
        "category": "air-defence",
        "system": True,
        "stock": {"ukraine": stock},
    }


def missile(rate: float = 3, stock: float = 1000, **fields: object) -> dict:
    return {
        "id": "missile",
        "name": "missile",
        "category": "air-defence",
        "stock": {"ukraine": stock},
        "fired_by": [{"system": "launcher", "rate": {"value": rate, "unit": "/day"}}],
        **fields,
    }


def targets(**by_item: float) -> list[dict]:
    return [{"customer": "ukraine", "item": i, "targets": [{"by": "2026Q1", "value": v}]} for i, v in by_item.items()]


def test_readiness_counts_only_what_the_systems_can_fire(tmp_path: Path) -> None:
    """2 launchers firing 3 a day each fire 2 × 3 × 90 = 540 of the 1,000 missiles held over the
    90-day goal: the missile covers 540/1,000 = 54 % of its target, the launchers 2/2 = 100 %, the
    category (weights 1) 77 %."""
    doc = scenario(items=[launcher(), missile()], requirements=targets(launcher=2, missile=1000))
    a = assess(solve(tmp_path, doc))
    assert a.item_coverage.loc["missile"].tolist() == pytest.approx([0.54] * 4)
    assert a.item_coverage.loc["launcher"].tolist() == pytest.approx([1.0] * 4)
    assert a.coverage.loc["air-defence"].tolist() == pytest.approx([0.77] * 4)
    assert a.readiness.by_item == {"launcher": "2026Q1", "missile": None}
    assert a.readiness.period is None
    row = a.fire[a.fire["period"] == "2026Q4"].iloc[0]
    assert (row["stock"], row["fire_per_day"], row["can_fire_within_goal"]) == pytest.approx((1000, 6, 540))
    assert a.fire_statements() == ["missile: 1,000 held, 540 can be fired by 2 launcher in 90 days"]
    assert a.summary()["can_fire"][0]["can_fire_within_goal"] == pytest.approx(540)


def test_enough_systems_leave_the_munition_whole(tmp_path: Path) -> None:
    """4 launchers × 3 a day × 90 days = 1,080 ≥ 1,000 held: the whole stock counts."""
    doc = scenario(items=[launcher(4), missile()], requirements=targets(launcher=4, missile=1000))
    a = assess(solve(tmp_path, doc))
    assert a.item_coverage.loc["missile"].tolist() == pytest.approx([1.0] * 4)
    assert a.readiness.period == "2026Q1"
    assert a.fire_statements() == ["missile: 1,000 held, all can be fired by 4 launcher in 90 days"]


def test_days_of_war_reflect_launchers(tmp_path: Path) -> None:
    """1,000 missiles used 10 a day last 100 days. 2 launchers firing 3 a day fire 6 < 10 a day, so
    the war's use cannot be met: credited 6 × 90 / 10 = 54 days (what they fire in the 90-day goal,
    in days of use). At 5 a day each they fire the 10 a day and the stock's 100 days stand."""
    doc = scenario(items=[launcher(), missile(wartime_use={"value": 10, "unit": "/day"})])
    row = assess(solve(tmp_path, doc)).sustainment.iloc[0]
    assert (row["days_alone"], row["days"], row["fire_per_day"]) == pytest.approx((54, 54, 6))
    doc = scenario(items=[launcher(), missile(rate=5, wartime_use={"value": 10, "unit": "/day"})])
    row = assess(solve(tmp_path, doc)).sustainment.iloc[0]
    assert (row["days_alone"], row["days"]) == pytest.approx((100, 100))


THREAT = {
    "attacks": [{"id": "drone", "name": "attack drone", "rate": {"value": 365, "unit": "/month"}}],
    "defences": [{"attack": "drone", "item": "missile", "share": 0.5, "per_attack": 2, "p_kill": 0.8}],
}


def test_air_defence_engages_only_what_the_launchers_fire(tmp_path: Path) -> None:
    """Half of 365 drones a month engaged with 2 each: 12 interceptors a day, 1,080 over 90 days.
    1,080 held would cover it all, but 1 launcher firing 6 a day fires 540 in 90 days: coverage ½,
    a quarter of the drones engaged, a fifth destroyed (p_kill 0.8). Days: 6 × 90 / 12 = 45."""
    doc = scenario(items=[launcher(1), missile(rate=6, stock=1080)], threat=THREAT)
    a = assess(solve(tmp_path, doc))
    first = a.interceptors[a.interceptors["period"] == "2026Q1"].iloc[0]
    assert first["coverage_of_goal"] == pytest.approx(0.5)
    assert first["can_fire_within_goal"] == pytest.approx(540)
    assert first["days_to_exhaustion"] == pytest.approx(45)
    att = a.attacks[a.attacks["period"] == "2026Q1"].set_index("attack")
    assert att.loc["drone", "engaged_share"] == pytest.approx(0.25)
    assert att.loc["drone", "destroyed_share"] == pytest.approx(0.2)


def test_a_sweep_judges_a_draw_as_the_assessment_does(tmp_path: Path) -> None:
    """uncertainty.metrics uses the same definitions: readiness never (the missile covers 54 %),
    the bottleneck's days 54 (as above)."""
    doc = scenario(
        items=[launcher(), missile(wartime_use={"value": 10, "unit": "/day"}, min_coverage=0.5)],
        requirements=targets(launcher=2, missile=1000),
        assessment={"readiness_threshold": 0.6},
    )
    plan = solve(tmp_path, doc)
    a = assess(plan)
    m = plan.model
    solved = Resolver(m, SolverOptions(), warm=False).solve(Resolver(m, SolverOptions(), warm=False).form)
    got = draw_metrics(m, solved.form, solved.solution)
    assert got["readiness_date"] == a.readiness.period == "2026Q1"  # 0.77 ≥ 0.6, missile 0.54 ≥ 0.5
    assert got["bottleneck_days"] == pytest.approx(a.bottleneck_in(2026)[1]) == pytest.approx(54)
    doc["items"][1]["min_coverage"] = 0.6  # the missile (0.54) now holds its category back
    plan = solve(tmp_path, doc)
    solved = Resolver(plan.model, SolverOptions(), warm=False).solve(Resolver(plan.model, SolverOptions(), False).form)
    got = draw_metrics(plan.model, solved.form, solved.solution)
    assert got["readiness_date"] is None and assess(plan).readiness.period is None
    assert got["coverage:2026Q1"] == pytest.approx(0.54)


def test_outputs_state_what_can_be_fired(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The terminal, summary.json, can_fire.csv and the report say how many of the missiles held
    the launchers can fire."""
    doc = scenario(items=[launcher(), missile()], requirements=targets(launcher=2, missile=1000))
    folder = tmp_path / "out"
    assert run(["assess", str(write(tmp_path, doc)), "--output", str(folder)]) == 0
    assert "missile: 1,000 held, 540 can be fired by 2 launcher in 90 days" in capsys.readouterr().out
    assert "can_fire_within_goal" in (folder / "can_fire.csv").read_text()
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["assessment"]["can_fire"][0]["statement"] == (
        "missile: 1,000 held, 540 can be fired by 2 launcher in 90 days"
    )
    assert "540 can be fired by 2 launcher in 90 days" in (folder / "report.html").read_text()


@pytest.mark.parametrize(
    ("fired_by", "message"),
    [
        ({"system": "lanucher", "rate": 3}, "unknown item 'lanucher'; did you mean 'launcher'?"),
        ({"system": "shell", "rate": 3}, "item 'shell' is not a system; mark it system: true or name a system"),
        ({"system": "launcher", "rate": -1}, "a fire rate cannot be negative"),
        ({"system": "launcher", "rate": {"value": 3, "unit": "/fortnight"}}, "fortnight"),
    ],
)
def test_bad_fired_by_is_a_located_error(tmp_path: Path, fired_by: dict, message: str) -> None:
    doc = scenario(
        items=[
            {"id": "shell", "name": "shell", "category": "artillery-ammunition"},
            launcher(),
            {"id": "missile", "name": "missile", "category": "air-defence", "fired_by": [fired_by]},
        ]
    )
    with pytest.raises(ScenarioError) as info:
        materiel.load(write(tmp_path, doc))
    problem = info.value.problems[0]
    assert message in str(problem)
    assert problem.line is not None and problem.loc[:4] == ("items", 2, "fired_by", 0)


def test_a_non_finite_rate_and_a_system_named_twice_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    doc = scenario(items=[launcher(), missile()])
    path.write_text(json.dumps(doc).replace('"value": 3', '"value": .nan'))
    with pytest.raises(ScenarioError) as info:
        materiel.load(path)
    assert "finite" in str(info.value) and "fired_by" in str(info.value)
    doc["items"][1]["fired_by"] *= 2
    with pytest.raises(ScenarioError) as info:
        materiel.load(write(tmp_path, doc))
    assert "system 'launcher' is named twice for 'missile'" in str(info.value)
    doc = scenario(items=[{**launcher(), "fired_by": [{"system": "launcher", "rate": 1}]}])
    with pytest.raises(ScenarioError) as info:
        materiel.load(write(tmp_path, doc))
    assert "a system is not fired by other systems" in str(info.value)


def test_systems_take_targets_like_any_item(tmp_path: Path) -> None:
    """A system is an item: a milestone target for launchers is planned like any other (3 bought
    on a line at EUR 1 each to reach 5 from 2)."""
    doc = scenario(
        items=[launcher(), missile()],
        requirements=targets(launcher=5),
        lines=[
            {
                "id": "l",
                "supplier": "s",
                "country": "DE",
                "item": "launcher",
                "capacity": {"value": 40, "unit": "/year"},
                "price": {"value": 1, "unit": "EUR"},
                "lead": {"value": 0, "unit": "months"},
            }
        ],
    )
    plan = solve(tmp_path, doc)
    assert plan.orders["quantity"].sum() == pytest.approx(3)
    assert assess(plan).fire.iloc[-1]["fire_per_day"] == pytest.approx(15)


def test_a_force_design_gives_systems_targets(tmp_path: Path) -> None:
    """3 brigades × 2 launchers each = 6 launchers to hold once phased in."""
    design = {
        "customer": "ukraine",
        "brigades": 3,
        "phase_in": [{"by": "2026Q1", "value": 1}],
        "allotments": [{"item": "launcher", "per_brigade": 2}],
    }
    _, m = materiel.load(write(tmp_path, scenario(items=[launcher(), missile()], force_design=[design])))
    assert m.target[0, m.items.index("launcher")].tolist() == [6, 6, 6, 6]


def test_a_defence_naming_a_system_is_refused(tmp_path: Path) -> None:
    """Fire units are not fired at attacks; the interceptor they fire is."""
    threat = {**THREAT, "defences": [{**THREAT["defences"][0], "item": "launcher"}]}
    with pytest.raises(ScenarioError) as info:
        materiel.load(write(tmp_path, scenario(items=[launcher(), missile()], threat=threat)))
    (problem,) = info.value.problems
    assert problem.path == "threat.defences[0].item" and "is a system (a fire unit)" in problem.message
