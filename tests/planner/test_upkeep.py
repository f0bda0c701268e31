"""Upkeep, retirement and fixed charges (docs/model.md, "Upkeep and retirement"): plans whose
optimum is worked out by hand in each test's docstring, each passing the independent checker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import materiel
from materiel.scenario.errors import ScenarioError
from tests.builders import grid, line, scenario, shell, solve, target, write
from tests.planner.test_properties import PRICE, assert_plan_keeps_its_rules, examples, extreme, log_uniform, scenarios

# EUR 4 a year is EUR 1 a quarter for each shell held at the end of a quarter.
UPKEEP = {"value": 4, "unit": "EUR/year"}


def fund(budget: float, **rules: Any) -> dict[str, Any]:
    return {"id": "fund", "name": "fund", "budget": {"value": budget, "unit": "EUR/year"}, **rules}


def test_upkeep_is_charged_on_every_unit_held_initial_stock_included(tmp_path: Path) -> None:
    """10 shells held from the start, wanted all year: 10 × EUR 1 × 4 quarters = EUR 40 in 2026,
    paid by the one vehicle that pays upkeep; nothing is retired."""
    doc = scenario(
        items=[shell(stock={"ukraine": 10}, upkeep=UPKEEP)],
        requirements=[target(10, by="2026Q1")],
        funding=[fund(1000, upkeep=True)],
    )
    plan = solve(tmp_path, doc)
    upkeep = plan.funding[plan.funding["purpose"] == "upkeep"]
    assert list(upkeep["year"]) == [2026] and list(upkeep["item"]) == ["shell"]
    assert upkeep["amount"].sum() == pytest.approx(40)
    assert upkeep["line"].tolist() == [""]
    assert plan.retirements.empty
    assert plan.budgets["upkeep"].tolist() == pytest.approx([40])
    assert plan.summary()["upkeep_by_year"] == {"2026": 40.0}


def test_upkeep_competes_with_purchases_in_the_budget(tmp_path: Path) -> None:
    """EUR 100 for the year; 10 shells held (EUR 4 each to keep all year), 100 wanted in 2026Q4;
    new shells at EUR 10 bought in Q4 cost 10 + 1 quarter's upkeep = EUR 11 each. Keeping the 10
    (EUR 40, cheaper than buying them again) leaves EUR 60: 60/11 = 5.45 new shells. Without
    upkeep the same money buys 10."""
    doc = scenario(
        items=[shell(stock={"ukraine": 10}, upkeep=UPKEEP)],
        lines=[line("a", price={"value": 10, "unit": "EUR"})],
        requirements=[target(100)],
        funding=[fund(100, upkeep=True)],
    )
    plan = solve(tmp_path, doc)
    assert grid(plan, "orders", "quantity") == pytest.approx([0, 0, 0, round(60 / 11, 3)], abs=1e-3)
    by_purpose = plan.funding.groupby("purpose")["amount"].sum()
    assert by_purpose["upkeep"] == pytest.approx(40 + 60 / 11)
    assert by_purpose["orders"] == pytest.approx(600 / 11)
    assert plan.total_cost == pytest.approx(100)
    assert grid(plan, "stock", "stock")[-1] == pytest.approx(10 + 60 / 11, abs=1e-3)

    del doc["items"][0]["upkeep"]
    assert sum(grid(solve(tmp_path, doc), "orders", "quantity")) == pytest.approx(10)


def test_stock_whose_upkeep_no_vehicle_may_pay_is_retired_and_counts_as_shortfall(tmp_path: Path) -> None:
    """The only vehicle does not pay upkeep: the 10 shells held must go in 2026Q1 (retirements
    table), so the target of 10 is missed in full every quarter; a warning says so up front."""
    doc = scenario(
        items=[shell(stock={"ukraine": 10}, upkeep=UPKEEP)],
        requirements=[target(10, by="2026Q1")],
        funding=[fund(1000)],
    )
    m = materiel.load(write(tmp_path, doc))[1]
    assert any("no funding vehicle with upkeep: true may pay the upkeep of shell" in w.message for w in m.warnings)
    plan = solve(tmp_path, doc)
    assert grid(plan, "retirements", "quantity") == [10, 0, 0, 0]
    assert grid(plan, "stock", "shortfall") == [10, 10, 10, 10]
    assert plan.funding.empty


def test_phase_2_retires_stock_above_every_later_need_to_save_upkeep(tmp_path: Path) -> None:
    """30 held, 10 wanted all year: phase 1 is short of nothing either way; phase 2 (least money)
    retires the 20 spare in 2026Q1 (mothballing) and pays upkeep on 10: 10 × 4 = EUR 40. It never
    retires what the target needs."""
    doc = scenario(
        items=[shell(stock={"ukraine": 30}, upkeep=UPKEEP)],
        requirements=[target(10, by="2026Q1")],
        funding=[fund(1000, upkeep=True)],
    )
    plan = solve(tmp_path, doc)
    assert grid(plan, "retirements", "quantity") == [20, 0, 0, 0]
    assert grid(plan, "stock", "stock") == [10, 10, 10, 10]
    assert plan.total_cost == pytest.approx(40)
    assert plan.summary()["retired"] == {"shell": 20.0}


def test_a_fixed_charge_reduces_what_the_vehicle_can_spend_on_the_plan(tmp_path: Path) -> None:
    """EUR 100 a year less EUR 60 of personnel pay leaves EUR 40: 40 shells at EUR 1 of the 100
    wanted. The charge is shown in the budgets table, outside 'spent'."""
    doc = scenario(
        lines=[line("a")],
        requirements=[target(100)],
        funding=[fund(100, fixed_charge={"value": 60, "unit": "EUR/year"})],
    )
    plan = solve(tmp_path, doc)
    assert sum(grid(plan, "orders", "quantity")) == pytest.approx(40)
    row = plan.budgets.iloc[0]
    assert (row["budget"], row["fixed_charge"], row["spent"]) == pytest.approx((100, 60, 40))


def test_a_scenario_without_upkeep_has_its_tables_as_before(tmp_path: Path) -> None:
    """No upkeep, fixed charge, drawdown or refurbishment: no new columns, tables or summary keys."""
    plan = solve(tmp_path, scenario(lines=[line("a")], requirements=[target(100)]))
    assert list(plan.budgets.columns) == ["fund", "year", "budget", "spent", "carried_out", "min_spend"]
    assert "retirements" not in plan.tables() and "drawdowns" not in plan.tables()
    assert "spend_by_purpose" not in plan.summary()


def problems(tmp_path: Path, doc: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        materiel.load(write(tmp_path, doc))
    return [str(p) for p in info.value.problems]


def test_upkeep_without_a_money_unit_is_a_located_error(tmp_path: Path) -> None:
    doc = scenario(items=[shell(upkeep=4)])
    (text,) = problems(tmp_path, doc)
    assert "items[shell].upkeep.unit: upkeep needs a money unit, e.g. 'EUR k'" in text


def test_upkeep_with_a_wrong_unit_or_out_of_range_is_a_located_error(tmp_path: Path) -> None:
    doc = scenario(items=[shell(upkeep={"value": 4, "unit": "shells"})])
    assert any("items[shell].upkeep.unit" in p for p in problems(tmp_path, doc))
    doc = scenario(items=[shell(upkeep={"value": -4, "unit": "EUR"})])
    assert any("items[shell].upkeep.value: upkeep cannot be negative" in p for p in problems(tmp_path, doc))


def test_a_fixed_charge_above_the_budget_is_a_located_error(tmp_path: Path) -> None:
    doc = scenario(funding=[fund(100, fixed_charge={"value": 160, "unit": "EUR/year"})])
    (text,) = problems(tmp_path, doc)
    assert "funding[fund].fixed_charge: the fixed charge of 160 EUR in 2026 exceeds the vehicle's budget of 100" in text


def test_a_draw_that_puts_a_fixed_charge_above_the_budget_leaves_nothing_for_the_plan(tmp_path: Path) -> None:
    """Budget 100 (80 to 120), charge 60 (50 to 130): the ranges meet, so the file is valid; a
    sweep's draw of budget 80 and charge 120 leaves EUR 0 for the plan, not an invalid draw."""
    ranged = fund(100, fixed_charge={"value": 60, "low": 50, "high": 130, "unit": "EUR/year"})
    ranged["budget"] |= {"low": 80, "high": 120}
    doc = scenario(lines=[line("a")], requirements=[target(100)], funding=[ranged])
    sc, _ = materiel.load(write(tmp_path, doc))
    sc.funding[0].budget[0].value, sc.funding[0].fixed_charge[0].value = 80, 120
    plan = materiel.plan(sc)
    assert materiel.check(plan) == [] and plan.orders.empty
    assert plan.budgets[["budget", "fixed_charge", "spent"]].iloc[0].tolist() == [80, 120, 0]


def test_committed_deliveries_whose_upkeep_no_vehicle_may_pay_are_retired_not_infeasible(tmp_path: Path) -> None:
    """50 shells contracted for 2026Q2 (lead 0) on a vehicle without upkeep: they must be bought
    (EUR 50) but cannot be kept, so they are retired on arrival; the plan stays feasible."""
    doc = scenario(
        items=[shell(upkeep=UPKEEP)],
        lines=[line("a")],
        requirements=[target(10, by="2026Q1")],
        commitments=[{"line": "a", "customer": "ukraine", "period": "2026Q2", "quantity": 50}],
        funding=[fund(1000)],
    )
    plan = solve(tmp_path, doc)
    assert grid(plan, "retirements", "quantity") == [0, 50, 0, 0]
    assert grid(plan, "stock", "stock") == [0, 0, 0, 0]
    assert plan.total_cost == pytest.approx(50)


@st.composite
def holding(draw: st.DrawFn) -> dict[str, Any]:
    """A random scenario of tests/planner/test_properties.py with upkeep on some items (from EUR
    0.01 to 10⁶ a unit a year, including 0), some vehicles paying it, fixed charges up to the
    budget, a refurbishment pool on some lines and a drawdown with or without replacement."""
    doc = draw(scenarios())
    for item in doc["items"]:
        if draw(st.booleans()):
            item["upkeep"] = {"value": draw(st.sampled_from([0.0, 0.01, 3.0, 50.0, 1e3, 1e6])), "unit": "EUR/year"}
    for fund in doc["funding"]:
        fund["upkeep"] = draw(st.booleans())
        if draw(st.booleans()):
            share = draw(st.sampled_from([0.0, 0.3, 1.0]))
            fund["fixed_charge"] = {"value": fund["budget"]["value"] * share, "unit": "EUR/year"}
    for ln in doc["lines"]:
        if draw(st.booleans()):
            ln["stored"] = draw(st.floats(0, 1000))
    if draw(st.booleans()):
        line = doc["lines"][0]
        stock = draw(st.floats(0, 2000))
        transfer = {
            "id": "dd",
            "donor": "donor",
            "item": line["item"],
            "customer": doc["customers"][0]["id"],
            "stock": stock,
            "quantity": stock * draw(st.floats(0, 1)),
            "available": {"value": draw(st.floats(0, 3000)), "unit": "/year"},
            "delivery": {"value": draw(st.integers(0, 9)), "unit": "months"},
        }
        if draw(st.booleans()):
            transfer["replacement"] = {
                "line": line["id"],
                "fund": doc["funding"][-1]["id"],
                "delay": {"value": draw(st.integers(0, 30)), "unit": "months"},
            }
        doc["drawdowns"] = [transfer]
    return doc


@examples(60)
@given(holding())
def test_upkeep_charges_drawdowns_and_pools_never_make_a_valid_scenario_infeasible(doc: dict[str, Any]) -> None:
    assert_plan_keeps_its_rules(doc)


@st.composite
def extreme_holding(draw: st.DrawFn) -> dict[str, Any]:
    """Figures across their plausible ranges (tests/planner/test_properties.py) with upkeep from
    EUR 0.01 to 10¹¹ a unit a year, paid by some vehicles."""
    doc = draw(extreme())
    for item in doc["items"]:
        if draw(st.booleans()):
            item["upkeep"] = {"value": log_uniform(draw, *PRICE, zero=True), "unit": "EUR/year"}
    for fund in doc["funding"]:
        fund["upkeep"] = draw(st.booleans())
    return doc


@examples(60)
@given(extreme_holding())
def test_upkeep_across_its_plausible_range_gives_a_plan_that_keeps_its_rules(doc: dict[str, Any]) -> None:
    assert_plan_keeps_its_rules(doc)
