"""What limits a plan, year by year: money, capacity, neither, or nothing (planner/limits.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from materiel.report.files import summary
from tests.builders import line, scenario, solve, target

TWO_YEARS = {"start": "2026Q1", "periods": 8, "period": "quarter"}


def budget(amount: float) -> list[dict]:
    return [{"id": "fund", "name": "fund", "budget": {"value": amount, "unit": "EUR/year"}}]


def test_money_binds_when_the_budget_is_spent_and_items_are_short(tmp_path: Path) -> None:
    """400 shells by 2026Q4 at EUR 1, a line of 400 a year, EUR 300: 300 bought, 100 short; the
    fund spent all 300 of 300 (100 %); the line ran at 75 %, never full."""
    plan = solve(tmp_path, scenario(lines=[line("a")], funding=budget(300), requirements=[target(400)]))
    row = plan.limits.iloc[0]
    assert row["binds"] == "money"
    assert row["funds_all_spent"] == "fund" and row["lines_at_capacity"] == "" and row["items_short"] == "shell"
    assert "money binds: fund spent all it had" in row["text"]
    assert "Ukraine's vehicles used EUR 300 of EUR 300 available (100%)" in row["text"]
    assert plan.envelope["share_used"].tolist() == pytest.approx([1.0])


def test_capacity_binds_when_the_line_is_full_and_money_is_left(tmp_path: Path) -> None:
    """800 shells wanted, the line makes 400 a year (100 a quarter): all 400 bought for EUR 400 of
    EUR 1,000 (40 %); capacity binds, money does not."""
    plan = solve(tmp_path, scenario(lines=[line("a")], funding=budget(1000), requirements=[target(800)]))
    row = plan.limits.iloc[0]
    assert row["binds"] == "capacity" and row["lines_at_capacity"] == "a" and row["funds_all_spent"] == ""
    assert "capacity binds: a at full capacity all year" in row["text"]
    assert plan.summary()["envelope_use"]["2026"]["share_used"] == pytest.approx(0.4)


def test_a_customers_share_of_a_line_binds_like_its_capacity(tmp_path: Path) -> None:
    """Ukraine may take half of a line of 400 a year: 200 of the 400 it wants; the line is half
    used but Ukraine's share of it is full."""
    doc = scenario(lines=[line("a", share={"ukraine": 0.5})], funding=budget(1000), requirements=[target(400)])
    row = solve(tmp_path, doc).limits.iloc[0]
    assert row["binds"] == "capacity" and row["lines_at_capacity"] == "a"


def test_both_bind_and_nothing_binds_once_targets_are_met(tmp_path: Path) -> None:
    """800 wanted from 2026Q4 on, a line of 400 a year (100 a quarter), EUR 400 a year at EUR 1:
    in 2026 the line is full every quarter and all EUR 400 are spent, and shells are short (400 of
    800): both bind. In 2027 the next 400 reach 800 only by 2027Q4, short until then: both bind
    again. From 2028 the target is met: nothing limits the plan, and nothing is spent."""
    doc = scenario(
        horizon={"start": "2026Q1", "periods": 12, "period": "quarter"},
        lines=[line("a")],
        funding=budget(400),
        requirements=[{"customer": "ukraine", "item": "shell", "targets": [{"by": "2026Q4", "value": 800}]}],
    )
    limits = solve(tmp_path, doc).limits.set_index("year")
    assert limits.loc[2026, "binds"] == limits.loc[2027, "binds"] == "money and capacity"
    assert limits.loc[2028, "binds"] == "nothing"
    assert limits.loc[2028, "text"].startswith(
        "2028: Ukraine's vehicles used EUR 0 of EUR 400 available (0%); nothing limits"
    )
    assert limits.loc[2028, "spent"] == 0


def test_neither_binds_when_lead_times_hold_the_plan_back(tmp_path: Path) -> None:
    """A line with a 12-month lead cannot deliver within a one-year horizon: nothing is bought,
    no money is spent, the line is idle, and the shell is still short: neither binds."""
    doc = scenario(
        lines=[line("a", lead={"value": 12, "unit": "months"})], funding=budget(1000), requirements=[target(400)]
    )
    row = solve(tmp_path, doc).limits.iloc[0]
    assert row["binds"] == "neither"
    assert "lead and build times" in row["text"]


def test_a_vehicle_that_cannot_pay_for_the_short_item_does_not_bind(tmp_path: Path) -> None:
    """A second fund limited to drones spends nothing on shells; only the shell fund binds."""
    funds = [
        *budget(300),
        {"id": "drones", "name": "drones", "budget": {"value": 0, "unit": "EUR/year"}, "categories": ["drones"]},
    ]
    row = solve(tmp_path, scenario(lines=[line("a")], funding=funds, requirements=[target(400)])).limits.iloc[0]
    assert row["funds_all_spent"] == "fund"


def test_the_summary_says_what_limits_the_plan(tmp_path: Path) -> None:
    plan = solve(tmp_path, scenario(lines=[line("a")], funding=budget(300), requirements=[target(400)]))
    limits = summary(plan, None)["limits"]["2026"]
    assert limits["binds"] == "money" and limits["funds_all_spent"] == ["fund"] and limits["items_short"] == ["shell"]


def test_without_any_money_the_summary_still_says_what_limits_the_plan(tmp_path: Path) -> None:
    """No funding vehicle and a line that could make the shells: nothing is bought; neither money
    (there is none to spend) nor capacity binds, and the summary's money fields are empty, not
    missing (before the fix summary.json had no 'limits' for a plan without vehicles)."""
    plan = solve(tmp_path, scenario(lines=[line("a")], funding=[], requirements=[target(10)]))
    s = summary(plan, None)
    assert s["limits"]["2026"]["binds"] == "neither" and s["envelope_use"] == {} and s["aid"] == 0
