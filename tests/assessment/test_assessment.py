"""Readiness, sustainment and air defence on scenarios small enough to check by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import materiel
from materiel.assessment import assess
from materiel.scenario.errors import ScenarioError
from tests.builders import line, scenario, shell, solve, write


def test_month_and_year_conventions_in_wartime_use(tmp_path: Path) -> None:
    """365 a month is 12 a day (a month is 365/12 days); 4,380 a year is 12 a day (365-day year)."""
    doc = scenario(
        items=[
            {
                "id": "a",
                "name": "a",
                "category": "mines",
                "wartime_use": {"value": 365, "unit": "/month"},
                "stock": {"ukraine": 120},
            },
            {
                "id": "b",
                "name": "b",
                "category": "mines",
                "wartime_use": {"value": 4380, "unit": "/year"},
                "stock": {"ukraine": 120},
            },
        ]
    )
    a = assess(solve(tmp_path, doc))
    first = a.sustainment[a.sustainment["period"] == "2026Q1"].set_index("item")
    assert first.loc["a", "use_per_day"] == pytest.approx(12) and first.loc["b", "use_per_day"] == pytest.approx(12)
    assert first.loc["a", "days_alone"] == pytest.approx(10) and first.loc["b", "days_alone"] == pytest.approx(10)


def test_surge_production_extends_sustainment(tmp_path: Path) -> None:
    """1,000 held, 100 used a day. A line Ukraine may fully use makes 3,650 a year = 10 a day with no
    lead time, so during a war the stock falls 90 a day: 11.1 days instead of 10."""
    doc = scenario(
        items=[shell(stock={"ukraine": 1000}, wartime_use={"value": 100, "unit": "/day"})],
        lines=[line("a", capacity={"value": 3650, "unit": "/year"})],
    )
    a = assess(solve(tmp_path, doc))
    row = a.sustainment[a.sustainment["period"] == "2026Q1"].iloc[0]
    assert row["days_alone"] == pytest.approx(10)
    assert row["days"] == pytest.approx(1000 / 90)
    assert a.bottleneck.iloc[0]["item"] == "shell"


def test_a_refurbishment_line_surges_only_until_its_pool_is_used(tmp_path: Path) -> None:
    """As above, but the line refurbishes from a store of 50: 10 a day for 5 days (stock 1,000 −
    5 × 90 = 550), then nothing (550 / 100 = 5.5 days more): 10.5 days, not 11.1."""
    doc = scenario(
        items=[shell(stock={"ukraine": 1000}, wartime_use={"value": 100, "unit": "/day"})],
        lines=[line("a", capacity={"value": 3650, "unit": "/year"}, stored=50)],
    )
    a = assess(solve(tmp_path, doc))
    row = a.sustainment[a.sustainment["period"] == "2026Q1"].iloc[0]
    assert row["days"] == pytest.approx(10.5)


def test_transfers_arriving_after_a_war_starts_are_in_the_pipeline(tmp_path: Path) -> None:
    """1,000 held, 100 used a day; 91.25 shells transferred in 2026Q1 (365 a year for one quarter)
    arrive in Q2, a quarter later. A war after Q1 gets them over Q2's 91.25 days, 1 a day: the
    stock falls 99 a day, 1,000 / 99 = 10.10 days instead of 10."""
    transfer = {
        "id": "dd",
        "donor": "donor",
        "item": "shell",
        "customer": "ukraine",
        "stock": 91.25,
        "available": [{"value": 365, "unit": "/year"}, {"from": "2026Q2", "value": 0, "unit": "/year"}],
        "delivery": {"value": 3, "unit": "months"},
    }
    doc = scenario(
        items=[shell(stock={"ukraine": 1000}, wartime_use={"value": 100, "unit": "/day"})],
        requirements=[{"customer": "ukraine", "item": "shell", "targets": [{"by": "2026Q2", "value": 2000}]}],
        drawdowns=[transfer],
    )
    a = assess(solve(tmp_path, doc))
    row = a.sustainment[a.sustainment["period"] == "2026Q1"].iloc[0]
    assert row["days_alone"] == pytest.approx(10)
    assert row["days"] == pytest.approx(1000 / 99)


def test_readiness_date_on_a_crafted_trajectory(tmp_path: Path) -> None:
    """Target 400 from the start; 100 a quarter arrive with no stock: coverage 25, 50, 75, 100 %.
    At a 70 % threshold Ukraine is ready from 2026Q3; at 100 % from 2026Q4."""
    doc = scenario(
        lines=[line("a")],
        requirements=[{"customer": "ukraine", "item": "shell", "targets": [{"by": "2026Q1", "value": 400}]}],
    )
    plan = solve(tmp_path, doc)
    cov = assess(plan).coverage.loc["artillery-ammunition"].tolist()
    assert cov == pytest.approx([0.25, 0.5, 0.75, 1.0])
    doc["assessment"] = {"readiness_threshold": 0.7}
    assert assess(solve(tmp_path, doc)).readiness.period == "2026Q3"
    doc["assessment"] = {"readiness_threshold": 1.0}
    assert assess(solve(tmp_path, doc)).readiness.period == "2026Q4"


def test_never_ready_is_stated(tmp_path: Path) -> None:
    doc = scenario(
        lines=[line("a")],
        requirements=[{"customer": "ukraine", "item": "shell", "targets": [{"by": "2026Q1", "value": 10_000}]}],
    )
    a = assess(solve(tmp_path, doc))
    assert a.readiness.period is None and a.readiness.text == "never within the horizon"
    assert a.summary()["readiness_date"] is None


THREAT = {
    "attacks": [
        {"id": "drone", "name": "attack drone", "rate": {"value": 365, "unit": "/month"}},
        {"id": "missile", "name": "missile", "rate": {"value": 365, "unit": "/month"}},
    ],
    "defences": [{"attack": "drone", "item": "interceptor", "share": 0.5, "per_attack": 2, "p_kill": 0.8}],
}


def test_air_defence_demand_exhaustion_and_engaged_share(tmp_path: Path) -> None:
    """Half of 365 drones a month engaged with 2 interceptors each: 365 fired a month = 12 a day
    (a month is 365/12 days). 540 held lasts 45 days. Over a 90-day goal 1,080 are needed, 540
    held: half of the engaged half of drone launches is covered, i.e. 25 % of drones engaged and
    20 % destroyed (p_kill 0.8);
    missiles are not engaged, so of all attacks 12.5 % are engaged and 10 % destroyed."""
    doc = scenario(
        items=[{"id": "interceptor", "name": "i", "category": "air-defence", "stock": {"ukraine": 540}}], threat=THREAT
    )
    a = assess(solve(tmp_path, doc))
    first = a.interceptors[a.interceptors["period"] == "2026Q1"].iloc[0]
    assert first["demand_per_month"] == pytest.approx(365)
    assert first["days_to_exhaustion"] == pytest.approx(45)
    assert first["coverage_of_goal"] == pytest.approx(0.5)
    att = a.attacks[a.attacks["period"] == "2026Q1"].set_index("attack")
    assert att.loc["drone", "engaged_share"] == pytest.approx(0.25)
    assert att.loc["drone", "destroyed_share"] == pytest.approx(0.2)
    assert att.loc["missile", "engaged_share"] == 0
    assert att.loc["all", "engaged_share"] == pytest.approx(0.125)
    assert att.loc["all", "destroyed_share"] == pytest.approx(0.1)


def test_interceptor_with_its_own_wartime_use_is_rejected(tmp_path: Path) -> None:
    doc = scenario(
        items=[{"id": "interceptor", "name": "i", "category": "air-defence", "wartime_use": 5}], threat=THREAT
    )
    with pytest.raises(ScenarioError) as info:
        materiel.load(write(tmp_path, doc))
    assert "comes from the threat section" in str(info.value)


def test_shares_of_one_attack_cannot_exceed_one(tmp_path: Path) -> None:
    threat = {
        **THREAT,
        "defences": [
            *THREAT["defences"],
            {"attack": "drone", "item": "interceptor", "share": 0.6, "per_attack": 1, "p_kill": 0.5},
        ],
    }
    doc = scenario(items=[{"id": "interceptor", "name": "i", "category": "air-defence"}], threat=threat)
    with pytest.raises(ScenarioError) as info:
        materiel.load(write(tmp_path, doc))
    assert "add up to 1.10; at most 1" in str(info.value)


def test_bottleneck_is_the_item_that_runs_out_first(tmp_path: Path) -> None:
    doc = scenario(
        items=[
            {"id": "a", "name": "a", "category": "mines", "wartime_use": 10, "stock": {"ukraine": 100}},
            {"id": "b", "name": "b", "category": "mines", "wartime_use": 10, "stock": {"ukraine": 50}},
            {"id": "c", "name": "c", "category": "mines", "stock": {"ukraine": 1}},
        ]
    )
    a = assess(solve(tmp_path, doc))
    assert a.bottleneck.iloc[0]["item"] == "b" and a.bottleneck.iloc[0]["days"] == pytest.approx(5)
    assert set(a.sustainment["item"]) == {"a", "b"}
    assert not math.isinf(a.summary()["bottleneck_days"])
