"""Supply from existing stocks (docs/model.md, "Drawdowns and refurbishment"): transfers from a
donor's stock with their replacement, and refurbishment lines limited by a stored pool. Each
optimum is worked out by hand in the test's docstring and passes the independent checker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import materiel
from materiel.scenario.errors import ScenarioError
from tests.builders import grid, line, scenario, solve, target, write


def drawdown(**fields: Any) -> dict[str, Any]:
    """Shells from the US Army's stock of 5 for Ukraine: 2 a quarter, delivered a quarter later,
    replaced a quarter later at line us's price, paid by 'fund'."""
    out = {
        "id": "us-stock",
        "donor": "US Army",
        "item": "shell",
        "customer": "ukraine",
        "stock": 5,
        "available": {"value": 8, "unit": "/year"},
        "delivery": {"value": 3, "unit": "months"},
        "replacement": {"line": "us", "fund": "fund", "delay": {"value": 3, "unit": "months"}},
    }
    out.update(fields)
    return out


# Line us makes nothing for the plan (capacity 0); its price, EUR 7, is what a replacement costs.
US_LINE = line("us", country="US", capacity={"value": 0, "unit": "/year"}, price={"value": 7, "unit": "EUR"})


def test_a_drawdown_is_limited_by_the_donors_stock_and_replaced_at_the_lines_price(tmp_path: Path) -> None:
    """10 wanted by 2026Q4 and no production: transfers of 2 a quarter in Q1–Q3 (a Q4 transfer
    would arrive after the horizon) could give 6, but the donor's stock is 5, so 5 arrive and 5
    are short. Each is replaced a quarter later at EUR 7, in 2026: EUR 35 from 'fund'."""
    plan = solve(tmp_path, scenario(lines=[US_LINE], requirements=[target(10)], drawdowns=[drawdown()]))
    drawn = grid(plan, "drawdowns", "quantity")
    assert sum(drawn) == pytest.approx(5) and drawn[3] == 0 and max(drawn) <= 2
    assert grid(plan, "stock", "stock")[-1] == pytest.approx(5)
    replacement = plan.funding[plan.funding["purpose"] == "replacement"]
    assert list(replacement["fund"]) == ["fund"] and list(replacement["line"]) == ["us"]
    assert list(replacement["year"]) == [2026] and replacement["amount"].sum() == pytest.approx(35)
    assert plan.orders.empty and plan.summary()["drawn"] == {"us-stock": 5.0}


def test_the_replacement_is_paid_in_the_year_it_falls_due_at_that_periods_price(tmp_path: Path) -> None:
    """Two years; the donor can give 2 in 2026Q3 only (8 a year for one quarter); 2 are wanted by
    2027Q4. Replaced two quarters later, in 2027Q1, when the line's price has risen to EUR 9:
    EUR 18 paid in 2027, nothing in 2026."""
    doc = scenario(
        horizon={"start": "2026Q1", "periods": 8, "period": "quarter"},
        lines=[
            line(
                "us",
                country="US",
                capacity={"value": 0, "unit": "/year"},
                price=[{"value": 7, "unit": "EUR"}, {"from": "2027Q1", "value": 9, "unit": "EUR"}],
            )
        ],
        requirements=[target(2, by="2027Q4")],
        drawdowns=[
            drawdown(
                available=[
                    {"value": 0, "unit": "/year"},
                    {"from": "2026Q3", "value": 8, "unit": "/year"},
                    {"from": "2026Q4", "value": 0, "unit": "/year"},
                ],
                replacement={"line": "us", "fund": "fund", "delay": {"value": 6, "unit": "months"}},
            )
        ],
    )
    plan = solve(tmp_path, doc)
    assert grid(plan, "drawdowns", "quantity") == [0, 0, 2, 0, 0, 0, 0, 0]
    replacement = plan.funding[plan.funding["purpose"] == "replacement"]
    assert list(replacement["year"]) == [2027] and replacement["amount"].sum() == pytest.approx(18)
    assert plan.drawdowns["replacement_year"].tolist() == [2027]


def test_a_replacement_due_after_the_horizon_is_paid_in_its_last_year(tmp_path: Path) -> None:
    """Replaced two years later, after the one-year horizon: paid in 2026 all the same, so no
    transfer is free. 5 transferred × EUR 7 = EUR 35."""
    doc = scenario(
        lines=[US_LINE],
        requirements=[target(10)],
        drawdowns=[drawdown(replacement={"line": "us", "fund": "fund", "delay": {"value": 2, "unit": "years"}})],
    )
    plan = solve(tmp_path, doc)
    assert plan.funding.groupby(["purpose", "year"])["amount"].sum().to_dict() == pytest.approx(
        {("replacement", 2026): 35}
    )


def test_a_refurbishment_line_is_limited_by_its_stored_pool_and_reported_apart(tmp_path: Path) -> None:
    """100 wanted by 2026Q4. Refurbished shells cost EUR 0.5 but only 30 are in storage; new ones
    EUR 1: 30 refurbished + 70 new, EUR 15 + EUR 70 (least money, at no shortfall)."""
    doc = scenario(
        lines=[line("new"), line("refurb", price={"value": 0.5, "unit": "EUR"}, stored=30)],
        requirements=[target(100)],
    )
    plan = solve(tmp_path, doc)
    assert sum(grid(plan, "orders", "quantity", line="refurb")) == pytest.approx(30)
    assert sum(grid(plan, "orders", "quantity", line="new")) == pytest.approx(70)
    spent = plan.funding.groupby("purpose")["amount"].sum().to_dict()
    assert spent == pytest.approx({"refurbishment": 15, "orders": 70})


def problems(tmp_path: Path, doc: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        materiel.load(write(tmp_path, doc))
    return [str(p) for p in info.value.problems]


def test_a_drawdown_larger_than_the_donors_stock_is_a_located_error(tmp_path: Path) -> None:
    doc = scenario(lines=[US_LINE], drawdowns=[drawdown(quantity=6)])
    (text,) = problems(tmp_path, doc)
    assert "drawdowns[us-stock].quantity: a drawdown of 6 is larger than the donor's declared stock of 5;" in text
    ranged = drawdown(stock={"value": 5, "high": 6}, quantity={"value": 8, "low": 7, "high": 9})
    (text,) = problems(tmp_path, scenario(lines=[US_LINE], drawdowns=[ranged]))
    assert "quantity: a drawdown of 7 is larger than the donor's declared stock of 6 at most" in text


def test_a_quantity_whose_range_meets_the_stocks_is_limited_by_the_stock(tmp_path: Path) -> None:
    """Quantity 6 (4 to 8) of a stock of 5 (4 to 7): the ranges meet, so a sweep may draw either
    above the other; the stock limits the transfer: 5 of the 10 wanted, EUR 35."""
    ranged = drawdown(stock={"value": 5, "low": 4, "high": 7}, quantity={"value": 6, "low": 4, "high": 8})
    plan = solve(tmp_path, scenario(lines=[US_LINE], requirements=[target(10)], drawdowns=[ranged]))
    assert sum(grid(plan, "drawdowns", "quantity")) == pytest.approx(5)
    assert plan.total_cost == pytest.approx(35)


def test_a_drawdowns_quantity_limits_it_below_the_donors_stock(tmp_path: Path) -> None:
    """Quantity 3 of a stock of 5: 3 transferred, replaced at EUR 7: EUR 21."""
    plan = solve(tmp_path, scenario(lines=[US_LINE], requirements=[target(10)], drawdowns=[drawdown(quantity=3)]))
    assert sum(grid(plan, "drawdowns", "quantity")) == pytest.approx(3)
    assert plan.total_cost == pytest.approx(21)


def test_a_replacement_naming_a_missing_line_or_vehicle_is_a_located_error(tmp_path: Path) -> None:
    doc = scenario(lines=[US_LINE], drawdowns=[drawdown(replacement={"line": "uss", "fund": "fnd"})])
    texts = problems(tmp_path, doc)
    assert any("drawdowns[us-stock].replacement.line: unknown line 'uss'" in t for t in texts)
    assert any("drawdowns[us-stock].replacement.fund: unknown funding vehicle 'fnd'" in t for t in texts)


def test_a_replacement_on_a_line_of_another_item_is_a_located_error(tmp_path: Path) -> None:
    doc = scenario(
        items=[
            {"id": "shell", "name": "shell", "category": "artillery-ammunition"},
            {"id": "tank", "name": "tank", "category": "armour"},
        ],
        lines=[US_LINE],
        drawdowns=[drawdown(item="tank")],
    )
    (text,) = problems(tmp_path, doc)
    assert "drawdowns[us-stock].replacement.line: line us makes shell, not tank" in text


def test_a_drawdown_naming_a_missing_item_or_customer_is_a_located_error(tmp_path: Path) -> None:
    doc = scenario(lines=[US_LINE], drawdowns=[drawdown(item="shel", customer="ukrain")])
    texts = problems(tmp_path, doc)
    assert any("drawdowns[us-stock].item: unknown item 'shel'" in t for t in texts)
    assert any("drawdowns[us-stock].customer: unknown customer 'ukrain'" in t for t in texts)


def test_commitments_beyond_a_stored_pool_are_explained_in_the_scenarios_terms(tmp_path: Path) -> None:
    doc = scenario(
        lines=[line("refurb", stored=30)],
        requirements=[target(100)],
        commitments=[{"line": "refurb", "customer": "ukraine", "period": "2026Q1", "quantity": 50}],
    )
    with pytest.raises(materiel.PlanError) as info:
        materiel.plan(write(tmp_path, doc))
    assert info.value.conflicts == [
        "refurbishment line refurb: at most 30 units from storage over the horizon",
        "commitment: 50 shell ordered on refurb for ukraine in 2026Q1",
    ]


def test_two_drawdowns_with_one_id_are_a_located_error(tmp_path: Path) -> None:
    texts = problems(tmp_path, scenario(lines=[US_LINE], drawdowns=[drawdown(), drawdown()]))
    assert any("drawdowns" in t and "us-stock" in t and "duplicate" in t.lower() for t in texts), texts
