"""Plans whose optimum is worked out by hand in each test's docstring."""

from __future__ import annotations

from pathlib import Path

import pytest

import materiel
from tests.builders import grid, line, scenario, shell, solve, target

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_tiny_fixture_exact_orders_deliveries_stock_and_cost() -> None:
    """Stock 100, target 500 from 2026Q3. Cheap (EUR 2, 200/quarter, lead one quarter) beats dear
    (EUR 5): order 200 in Q1 and 200 in Q2, delivered Q2 and Q3; cost 400 × 2 = EUR 800."""
    plan = materiel.plan(FIXTURES / "tiny.yaml")
    assert materiel.check(plan) == []
    assert grid(plan, "orders", "quantity", line="cheap") == [200, 200, 0, 0]
    assert grid(plan, "orders", "quantity", line="dear") == [0, 0, 0, 0]
    assert grid(plan, "deliveries", "quantity") == [0, 200, 200, 0]
    assert grid(plan, "stock", "stock") == [100, 300, 500, 500]
    assert plan.total_cost == pytest.approx(800)
    assert plan.summary()["shortfall_by_category"] == {"artillery-ammunition": {"2026": 0.0}}


def test_lead_time_shifts_deliveries(tmp_path: Path) -> None:
    """Lead 6 months = 2 quarters: the 100 needed by Q4 must be ordered by Q2 and arrive 2 later."""
    doc = scenario(lines=[line("a", lead={"value": 6, "unit": "months"})], requirements=[target(100)])
    plan = solve(tmp_path, doc)
    orders = grid(plan, "orders", "quantity")
    deliveries = grid(plan, "deliveries", "quantity")
    assert sum(orders) == pytest.approx(100) and orders[2:] == [0, 0]
    assert deliveries == [0, 0, *orders[:2]]
    assert set(plan.orders["delivery_period"]) <= {"2026Q3", "2026Q4"}


def test_build_time_delays_added_capacity(tmp_path: Path) -> None:
    """No base capacity; 400 needed by Q4, lead one quarter, so 400 must be ordered in Q3 (the
    only order period whose capacity can exist), or split Q3/Q4 impossible as Q4 orders arrive
    too late. Build 6 months: capacity started in Q1 is usable from Q3. 400 per quarter is 1,600
    a year; capex EUR 10 per unit of yearly capacity: 16,000; orders 400 × EUR 1: total 16,400."""
    doc = scenario(
        lines=[
            line(
                "new",
                capacity={"value": 0, "unit": "/year"},
                lead={"value": 3, "unit": "months"},
                expansion_max={"value": 6400, "unit": "/year"},
                capex={"value": 10, "unit": "EUR"},
                build={"value": 6, "unit": "months"},
            )
        ],
        funding=[{"id": "fund", "name": "f", "budget": {"value": 1e6, "unit": "EUR/year"}, "capex": True}],
        requirements=[target(400)],
    )
    plan = solve(tmp_path, doc)
    inv = plan.investments
    assert list(inv["period"]) == ["2026Q1"]
    assert inv["added_per_year"].iloc[0] == pytest.approx(1600)
    assert list(inv["usable_from"]) == ["2026Q3"]
    assert grid(plan, "capacity", "added_per_year") == [0, 0, 1600, 1600]
    assert grid(plan, "orders", "quantity") == [0, 0, 400, 0]
    assert plan.total_cost == pytest.approx(16_400)
    assert plan.funding.groupby("purpose")["amount"].sum().to_dict() == pytest.approx(
        {"capacity": 16_000, "orders": 400}
    )


def test_cheaper_eligible_line_wins(tmp_path: Path) -> None:
    """Both lines can meet 100 by Q4; the one at EUR 1 is bought, not the one at EUR 3."""
    doc = scenario(lines=[line("dear", price={"value": 3, "unit": "EUR"}), line("cheap")], requirements=[target(100)])
    plan = solve(tmp_path, doc)
    assert set(plan.orders["line"]) == {"cheap"}
    assert plan.total_cost == pytest.approx(100)


def test_money_never_flows_to_an_ineligible_line(tmp_path: Path) -> None:
    """The cheap line is American; the only fund buys European: the dear German line is used."""
    doc = scenario(
        lines=[line("us-cheap", country="US"), line("de-dear", price={"value": 3, "unit": "EUR"})],
        funding=[
            {"id": "eu", "name": "EU", "budget": {"value": 1e6, "unit": "EUR/year"}, "origins": ["EU", "EEA", "UA"]}
        ],
        requirements=[target(100)],
    )
    plan = solve(tmp_path, doc)
    assert set(plan.funding["line"]) == {"de-dear"}
    assert plan.total_cost == pytest.approx(300)


def test_budget_binds_and_shortfall_is_reported(tmp_path: Path) -> None:
    """EUR 50 a year at EUR 1 a shell buys 50 of the 100 wanted: shortfall 50, coverage 50 %."""
    doc = scenario(
        lines=[line("a")],
        requirements=[target(100)],
        funding=[{"id": "fund", "name": "f", "budget": {"value": 50, "unit": "EUR/year"}}],
    )
    plan = solve(tmp_path, doc)
    assert plan.total_cost == pytest.approx(50)
    last = plan.stock.iloc[-1]
    assert last["stock"] == pytest.approx(50) and last["shortfall"] == pytest.approx(50)
    assert plan.summary()["shortfall_by_category"]["artillery-ammunition"]["2026"] == pytest.approx(0.5)
    assert plan.budgets["spent"].sum() <= 50 + 1e-6


def test_unreachable_target_is_a_shortfall_not_an_error(tmp_path: Path) -> None:
    """At most 4 × 100 can be delivered; a target of 10,000 (in 2026Q4 only) leaves 9,600 short:
    a weighted relative shortfall of 9,600 / 10,000 = 0.96, the least possible."""
    doc = scenario(lines=[line("a")], requirements=[target(10_000)])
    plan = solve(tmp_path, doc)
    assert plan.stock.iloc[-1]["shortfall"] == pytest.approx(9_600)
    assert plan.objective.shortfall_optimum == pytest.approx(0.96)


def test_carry_over_moves_money_to_years_with_capacity(tmp_path: Path) -> None:
    """The line opens in 2027; EUR 400 a year at EUR 1. Without carry-over only 2027's 400 can buy
    (stock 400 of 700); with it, 2026's money is spent in 2027 too (700 of 700)."""
    base = {"id": "fund", "name": "f", "budget": {"value": 400, "unit": "EUR/year"}}
    common = {
        "horizon": {"start": "2026Q1", "periods": 8, "period": "quarter"},
        "lines": [line("a", capacity=[{"from": "2027Q1", "value": 4000, "unit": "/year"}])],
        "requirements": [target(700, by="2027Q4")],
    }
    without = solve(tmp_path, scenario(**common, funding=[base]))
    assert without.stock.iloc[-1]["stock"] == pytest.approx(400)
    carried = solve(tmp_path, scenario(**common, funding=[{**base, "carry_over": True}]))
    assert carried.stock.iloc[-1]["stock"] == pytest.approx(700)
    row = carried.budgets.set_index("year").loc[2026]
    assert row["spent"] == pytest.approx(0) and row["carried_out"] == pytest.approx(400)


def test_customer_share_holds(tmp_path: Path) -> None:
    """Ukraine may take a quarter of 100 a quarter: 25 a quarter, 100 over the year, of 400 wanted."""
    doc = scenario(lines=[line("a", share={"ukraine": 0.25})], requirements=[target(400)])
    plan = solve(tmp_path, doc)
    assert grid(plan, "orders", "quantity") == [25, 25, 25, 25]


def test_two_customers_compete_for_one_line(tmp_path: Path) -> None:
    """One line, 100 a quarter; Ukraine (weight 1) and Europe (weight 0.5) each want 400 by Q4.
    Relative shortfall is cheaper to leave with Europe, so Ukraine gets everything."""
    doc = scenario(
        customers=[{"id": "ukraine", "name": "UA"}, {"id": "europe", "name": "EU forces", "weight": 0.5}],
        lines=[line("a")],
        requirements=[target(400), target(400, customer="europe")],
    )
    plan = solve(tmp_path, doc)
    by = plan.orders.groupby("customer")["quantity"].sum().to_dict()
    assert by == pytest.approx({"ukraine": 400})


def test_currency_and_price_year_conversion(tmp_path: Path) -> None:
    """Base EUR 2025, inflation 10 %/year. USD 10 at 0.9 EUR/USD = EUR 9; a EUR 100 price in 2023
    money is EUR 121 in 2025 money. 10 of each cost 90 + 1,210 = EUR 1,300."""
    doc = scenario(
        currency={"base": "EUR", "year": 2025, "fx": {"USD": 0.9}, "inflation": 0.1},
        items=[{"id": "a", "name": "a", "category": "mines"}, {"id": "b", "name": "b", "category": "mines"}],
        lines=[
            line("usd", item="a", price={"value": 10, "unit": "USD"}),
            line("old", item="b", price={"value": 100, "unit": "EUR", "year": 2023}),
        ],
        requirements=[target(10, item="a"), target(10, item="b")],
    )
    plan = solve(tmp_path, doc)
    prices = plan.orders.groupby("line")["unit_price"].first()
    assert prices["usd"] == pytest.approx(9)
    assert prices["old"] == pytest.approx(121)
    assert plan.total_cost == pytest.approx(1300)


def test_money_units_with_scale_and_time_basis(tmp_path: Path) -> None:
    """'EUR k/month' of 1 is EUR 12,000 a year; 'EUR m' of 0.000002 is EUR 2 a unit."""
    doc = scenario(
        lines=[line("a", price={"value": 0.000002, "unit": "EUR m"}, capacity={"value": 1e6, "unit": "/year"})],
        funding=[{"id": "fund", "name": "f", "budget": {"value": 1, "unit": "EUR k/month"}}],
        requirements=[target(1e6)],
    )
    plan = solve(tmp_path, doc)
    assert plan.model.budget[0, 0] == pytest.approx(12_000)
    assert plan.total_cost == pytest.approx(12_000)
    assert plan.stock.iloc[-1]["stock"] == pytest.approx(6_000)


def test_losses_and_peacetime_use(tmp_path: Path) -> None:
    """1,000 held, 34.39 % lost a year (= 10 % a quarter), 40 a year used (10 a quarter):
    900 − 10 = 890, 801 − 10 = 791, 711.9 − 10 = 701.9, 631.71 − 10 = 621.71."""
    doc = scenario(
        items=[
            shell(
                stock={"ukraine": 1000},
                loss={"value": 0.3439, "unit": "/year"},
                use={"ukraine": {"value": 40, "unit": "/year"}},
            )
        ]
    )
    plan = solve(tmp_path, doc)
    assert grid(plan, "stock", "stock") == pytest.approx([890, 791, 701.9, 621.71])


def test_use_beyond_stock_is_unmet_not_infeasible(tmp_path: Path) -> None:
    """Using 100 a quarter from a stock of 150 leaves 50, then 0 with 50 unmet, then 100 unmet."""
    doc = scenario(items=[shell(stock={"ukraine": 150}, use={"ukraine": {"value": 100, "unit": "/quarter"}})])
    plan = solve(tmp_path, doc)
    assert grid(plan, "stock", "stock") == [50, 0, 0, 0]
    assert grid(plan, "stock", "unmet_use") == [0, 50, 100, 100]


def test_linear_targets_interpolate_between_milestones(tmp_path: Path) -> None:
    doc = scenario(
        requirements=[
            {
                "customer": "ukraine",
                "item": "shell",
                "targets": [{"by": "2026Q1", "value": 100}, {"by": "2026Q4", "value": 400}],
            }
        ]
    )
    plan = solve(tmp_path, doc)
    assert grid(plan, "stock", "target") == [100, 200, 300, 400]


def test_force_design_derives_targets(tmp_path: Path) -> None:
    """10 brigades × 50 + 30 reserve days × 20 a day = 1,100; half by Q2, all by Q4."""
    doc = scenario(
        items=[shell(wartime_use={"value": 20, "unit": "/day"})],
        force_design=[
            {
                "customer": "ukraine",
                "brigades": 10,
                "reserve_days": 30,
                "phase_in": [{"by": "2026Q2", "value": 0.5}, {"by": "2026Q4", "value": 1}],
                "allotments": [{"item": "shell", "per_brigade": 50}],
            }
        ],
    )
    plan = solve(tmp_path, doc)
    assert grid(plan, "stock", "target") == [0, 550, 825, 1100]


def test_commitments_are_ordered_even_when_not_needed(tmp_path: Path) -> None:
    doc = scenario(
        lines=[line("a")], commitments=[{"line": "a", "customer": "ukraine", "period": "2026Q2", "quantity": 60}]
    )
    plan = solve(tmp_path, doc)
    assert grid(plan, "orders", "quantity") == [0, 60, 0, 0]


def test_interior_point_first_phase_gives_the_same_plan() -> None:
    """Large models start with interior point (then crossover); the optimum is the same."""
    plan = materiel.plan(FIXTURES / "tiny.yaml", materiel.SolverOptions(first_solver="ipm"))
    assert materiel.check(plan) == []
    assert grid(plan, "orders", "quantity", line="cheap") == [200, 200, 0, 0]
    assert plan.total_cost == pytest.approx(800)


def test_money_tie_break_in_phase_1_leaves_both_optima_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Phase 1 first stops at a cheap vertex (money as a tie-break), then re-solves on shortfall
    alone: the least shortfall and the least money at it are those of the plain two-phase solve.
    On the shipped default, where many plans are equally short, the tie-break is what makes phase 2
    short: it needs far fewer simplex iterations than from an arbitrary phase-1 optimum."""
    from materiel.planner import solver
    from materiel.planner.formulation import build
    from materiel.scenario.compiled import compile_scenario

    form = build(compile_scenario(materiel.load()[0]))

    def solved() -> tuple[solver.SolveResult, int]:
        result = solver.solve(form)
        return result, int(result.highs.getInfo().simplex_iteration_count)

    tied, tied_phase2 = solved()
    monkeypatch.setattr(solver, "TIE_BREAK", 0.0)
    plain, plain_phase2 = solved()
    assert tied.shortfall == pytest.approx(plain.shortfall, rel=1e-9)
    assert tied.money == pytest.approx(plain.money, rel=1e-7)
    assert 10 * tied_phase2 < plain_phase2
