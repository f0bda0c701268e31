"""The constraint registry: every family has a builder, a wording and a checker rule, and each
of the three is checked by hand on one small scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import materiel
from materiel.planner import check
from materiel.planner.formulation import BOUND, BOUNDS, FAMILIES, FAMILY, build
from materiel.planner.iis import describe_row
from materiel.scenario.compiled import ModelData
from tests.builders import line, scenario, shell, target, write

# One line 'a' (100 a quarter, EUR 1, no lead; Ukraine may take half of it; it may add 25 a quarter
# per quarter, 100 a year per year, at EUR 10 per unit of yearly capacity, i.e. EUR 40 per unit
# per quarter, usable a quarter later); Ukraine wants 100 by 2026Q4; Europe holds 20 and uses 10 a
# quarter; one fund of EUR 1,000 a year that pays capex, carries money over and must spend half.
# Fund f pays for shells only. Ukraine holds 2 tanks, each costing EUR 40 a year (EUR 10 a quarter)
# to keep, and wants 4 by 2026Q4; line 'refurb' refurbishes tanks from a store of 3 (1 a quarter, EUR
# 100 each); drawdown 'dd' transfers up to 1 tank a quarter from a donor's stock of 4, delivered a
# quarter later and replaced two quarters later at refurb's price, paid by fund g. Fund g (EUR 800 a
# year less a fixed charge of EUR 200) pays Ukraine's armour and its upkeep.
# Each shell needs a charge, made on line 'c' (100 a quarter, no lead).
# Money unit 1 EUR and item scale 1: the LP's numbers are the scenario's.
EVERY_FAMILY = scenario(
    customers=[{"id": "ukraine", "name": "UA"}, {"id": "europe", "name": "EU", "weight": 0.5}],
    items=[
        shell(stock={"europe": 20}, use={"europe": {"value": 10, "unit": "/quarter"}}),
        {
            "id": "tank",
            "name": "tank",
            "category": "armour",
            "stock": {"ukraine": 2},
            "upkeep": {"value": 40, "unit": "EUR/year"},
        },
        {"id": "charge", "name": "charge", "category": "artillery-ammunition", "component": True},
    ],
    lines=[
        line(
            "a",
            share={"ukraine": 0.5},
            expansion_max={"value": 400, "unit": "/year"},
            capex={"value": 10, "unit": "EUR"},
            build={"value": 3, "unit": "months"},
            needs={"charge": 1},
        ),
        line("refurb", item="tank", capacity={"value": 4, "unit": "/year"}, price={"value": 100}, stored=3),
        line("c", item="charge"),
    ],
    requirements=[target(100), target(4, item="tank")],
    funding=[
        {
            "id": "f",
            "name": "f",
            "budget": {"value": 1000, "unit": "EUR/year"},
            "categories": ["artillery-ammunition"],
            "capex": True,
            "carry_over": True,
            "min_spend": 0.5,
        },
        {
            "id": "g",
            "name": "g",
            "budget": {"value": 800, "unit": "EUR/year"},
            "customers": ["ukraine"],
            "categories": ["armour"],
            "upkeep": True,
            "fixed_charge": {"value": 200, "unit": "EUR/year"},
        },
    ],
    drawdowns=[
        {
            "id": "dd",
            "donor": "US Army",
            "item": "tank",
            "customer": "ukraine",
            "stock": 4,
            "available": {"value": 4, "unit": "/year"},
            "delivery": {"value": 3, "unit": "months"},
            "replacement": {"line": "refurb", "fund": "g", "delay": {"value": 6, "unit": "months"}},
        }
    ],
)
UA, EU = 0, 1
CHARGE = 2
Q1, Q2, Q4 = 0, 1, 3
SHELL, TANK = 0, 1
REFURB, DD = 1, 0


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> ModelData:
    return materiel.load(write(tmp_path_factory.mktemp("s"), EVERY_FAMILY))[1]


def test_every_family_has_a_builder_a_wording_and_a_checker_rule(model: ModelData) -> None:
    form = build(model)
    built = [block.name for block in form.lp.row_blocks]
    assert built == [f.name for f in FAMILIES]
    assert all(block.size > 0 for block in form.lp.row_blocks), "the fixture exercises every family"
    assert list(check.RULES) == [f.name for f in FAMILIES]
    for family in FAMILIES:
        assert callable(family.build) and callable(family.describe)
        assert family.check is check.RULES[family.name]
        block = next(b for b in form.lp.row_blocks if b.name == family.name)
        coords = tuple(int(c) for c in np.argwhere(block.index >= 0)[0])
        assert family.describe(model, coords)
    assert list(check.BOUND_RULES) == [b.var for b in BOUNDS]
    assert all(b.check is check.BOUND_RULES[b.var] for b in BOUNDS)


def test_a_family_without_wording_is_an_error_not_a_silent_fallback(model: ModelData) -> None:
    with pytest.raises(KeyError):
        describe_row(model, "No-such-family", (0,))


# -- the builders: one row of each family, coefficient by coefficient --------------------------------


def row(model: ModelData, family: str, coords: tuple[int, ...]) -> tuple[dict[str, float], float, float]:
    """One row of the built LP: {variable[coords]: coefficient}, lower and upper bound."""
    form = build(model)
    block = next(b for b in form.lp.row_blocks if b.name == family)
    r = int(block.index[coords])
    A = form.lp.matrix().tocsr()
    terms = {}
    for j, a in zip(A.indices[A.indptr[r] : A.indptr[r + 1]], A.data[A.indptr[r] : A.indptr[r + 1]], strict=True):
        col_block, c = form.lp.which_col(int(j))
        terms[f"{col_block.name}{list(c)}"] = float(a)
    _, _, lo, hi = form.lp.bounds()
    return terms, float(lo[r]), float(hi[r])


BUILT = {
    "Line-capacity": (
        (0, Q2),
        {"x[0, 0, 1]": 1, "x[0, 1, 1]": 1, "K[0, 1]": -1},
        (-np.inf, 100),
    ),
    "Line-share": ((0, UA, Q2), {"x[0, 0, 1]": 1, "K[0, 1]": -0.5}, (-np.inf, 50)),
    "Line-expansion": ((0, Q2), {"K[0, 1]": 1, "K[0, 0]": -1, "e[0, 0]": -1}, (0, 0)),
    # europe's stock in Q1: s − v − x (lead 0) = −use + initial stock = −10 + 20
    "Stock-balance": ((EU, 0, Q1), {"s[1, 0, 0]": 1, "v[1, 0, 0]": -1, "x[0, 1, 0]": -1}, (10, 10)),
    "Stock-target": ((UA, 0, Q4), {"s[0, 0, 3]": 1, "u[0, 0, 3]": 1}, (100, np.inf)),
    "Order-payment": (
        (0, UA, 0),
        {"p[0, 0, 0, 0]": 1, "x[0, 0, 0]": -1, "x[0, 0, 1]": -1, "x[0, 0, 2]": -1, "x[0, 0, 3]": -1},
        (0, 0),
    ),
    # EUR 10 per unit of yearly capacity is EUR 40 per unit of capacity per quarter
    "Capex-payment": (
        (0, 0),
        {"q[0, 0, 0]": 1, "e[0, 0]": -40, "e[0, 1]": -40, "e[0, 2]": -40, "e[0, 3]": -40},
        (0, 0),
    ),
    # with carry-over: spending + carried out − carried in = budget (no carry-in in the first year)
    "Funding-budget": (
        (0, 0),
        {"p[0, 0, 0, 0]": 1, "p[0, 0, 1, 0]": 1, "q[0, 0, 0]": 1, "c[0, 0]": 1},
        (1000, 1000),
    ),
    "Funding-min-spend": ((0, 0), {"p[0, 0, 0, 0]": 1, "p[0, 0, 1, 0]": 1, "q[0, 0, 0]": 1}, (500, np.inf)),
    # EUR 40 a year is EUR 10 a quarter on each tank held at the end of each quarter of 2026
    "Upkeep-payment": (
        (UA, TANK, 0),
        {"w[1, 0, 1, 0]": 1, "s[0, 1, 0]": -10, "s[0, 1, 1]": -10, "s[0, 1, 2]": -10, "s[0, 1, 3]": -10},
        (0, 0),
    ),
    "Drawdown-stock": ((DD,), {"d[0, 0]": 1, "d[0, 1]": 1, "d[0, 2]": 1, "d[0, 3]": 1}, (-np.inf, 4)),
    # only g may pay for tanks, and only for ukraine: x[refurb, ukraine, ·]
    "Refurbish-pool": ((REFURB,), {"x[1, 0, 0]": 1, "x[1, 0, 1]": 1, "x[1, 0, 2]": 1, "x[1, 0, 3]": 1}, (-np.inf, 3)),
    # charges held at the end of Q2 = held at the end of Q1 + made on c in Q2 (no lead) − one per
    # shell ordered on a in Q2, for either customer
    "Component-balance": (
        (CHARGE, Q2),
        {"h[2, 1]": 1, "h[2, 0]": -1, "z[2, 1]": -1, "x[0, 0, 1]": 1, "x[0, 1, 1]": 1},
        (0, 0),
    ),
}


def test_holding_terms_enter_stock_and_budget_rows_as_worked_out_by_hand(model: ModelData) -> None:
    """Ukraine's tanks in Q2: the refurbished tank ordered in Q2 (lead 0) and the transfer of Q1
    (delivered a quarter later) come in, retirements go out; g's 2026 budget is EUR 800 less the
    fixed charge of EUR 200, and carries its orders, its upkeep and the replacements it pays in 2026
    (transfers of Q1 and Q2 replaced two quarters later; those of Q3 and Q4, due in 2027, after the
    horizon, in its last period), EUR 100 each."""
    terms, lo, hi = row(model, "Stock-balance", (UA, TANK, Q2))
    assert terms == {"s[0, 1, 1]": 1, "s[0, 1, 0]": -1, "x[1, 0, 1]": -1, "r[0, 1, 1]": 1, "d[0, 0]": -1}
    assert (lo, hi) == (0, 0)
    terms, lo, hi = row(model, "Funding-budget", (1, 0))
    orders = {"p[1, 1, 0, 0]": 1.0}
    upkeep = {"w[1, 0, 1, 0]": 1.0}
    replacements = {f"d[0, {t}]": 100.0 for t in range(4)}
    assert terms == {**orders, **upkeep, **replacements}
    assert (lo, hi) == (0, 600)


@pytest.mark.parametrize("family", [f.name for f in FAMILIES])
def test_each_family_builds_its_row_as_worked_out_by_hand(model: ModelData, family: str) -> None:
    coords, terms, (lo, hi) = BUILT[family]
    got, got_lo, got_hi = row(model, family, coords)
    assert got == pytest.approx({k: float(v) for k, v in terms.items()})
    assert (got_lo, got_hi) == (lo, hi)


# -- the wording ---------------------------------------------------------------------------------------

WORDED = {
    "Line-capacity": (
        (0, Q2),
        "capacity of line a in 2026Q2: at most 100 per period (400 a year) plus any capacity added",
    ),
    "Line-share": ((0, UA, Q2), "ukraine may take at most 50% of line a's output (2026Q2)"),
    "Line-expansion": ((0, Q2), "capacity build-up of line a in 2026Q2 (build time 1 periods)"),
    "Stock-balance": ((EU, 0, Q1), "stock balance of shell held by europe in 2026Q1"),
    "Stock-target": ((UA, 0, Q4), "target of 100 shell for ukraine in 2026Q4"),
    "Order-payment": ((0, UA, 0), "payment for ukraine's orders on a in 2026 at EUR 1 a unit"),
    "Capex-payment": ((0, 0), "payment for capacity investment on a in 2026 at EUR 10 per unit of yearly capacity"),
    "Funding-budget": (
        (0, 0),
        "budget of f in 2026: EUR 1.00 k; at least 50% must be spent (unspent money carries over)",
    ),
    "Funding-min-spend": ((0, 0), "minimum spend of f in 2026: at least 50% of its budget, EUR 500"),
    "Upkeep-payment": (
        (UA, TANK, 0),
        "upkeep of ukraine's tank in 2026 at EUR 40 a unit a year, paid by vehicles with upkeep: true "
        "(units no vehicle can pay for are retired)",
    ),
    "Drawdown-stock": ((DD,), "drawdown dd: at most 4 tank over the horizon, from the donor's declared stock of 4"),
    "Refurbish-pool": ((REFURB,), "refurbishment line refurb: at most 3 units from storage over the horizon"),
    "Component-balance": (
        (CHARGE, Q2),
        "component charge in 2026Q2: what lines a use cannot exceed what c made by then and what was carried",
    ),
}


@pytest.mark.parametrize("family", [f.name for f in FAMILIES])
def test_each_family_is_worded_in_the_scenarios_terms(model: ModelData, family: str) -> None:
    coords, text = WORDED[family]
    assert FAMILY[family].describe(model, coords) == text


def test_bounds_from_the_users_input_are_worded(model: ModelData) -> None:
    assert BOUND["e"].describe(model, (0, Q1)) == "expansion limit of line a: 400 a year of added capacity per year"
    assert BOUND["x"].describe(model, (0, UA, Q1)) is None  # no commitment: nothing of the user's to name
    assert BOUND["d"].describe(model, (DD, Q1)) == "drawdown dd in 2026Q1: at most 4 tank a year available"
    assert FAMILY["Funding-budget"].describe(model, (1, 0)) == (
        "budget of g in 2026: EUR 800 less a fixed charge of EUR 200"
    )
    assert BOUND["z"].describe(model, (2, Q1)) is None  # fixed at zero only by the horizon


# -- the checker's rules: tables that break exactly one rule, by an amount worked out by hand ---------


def grid(
    model: ModelData,
    orders=(),
    investments=(),
    funding=(),
    stock=None,
    retirements=None,
    drawdowns=None,
    components=(),
) -> check.PlanGrid:
    """Plan tables from rows of (line, customer, period, quantity), (line, period, added_per_year),
    (fund, purpose, line, customer, year, amount[, item]), (customer, item, period, stock, target),
    (customer, item, period, quantity) retired, (drawdown, period, quantity) transferred and
    (component, flow, line, period, quantity)."""
    columns = ["fund", "purpose", "line", "customer", "year", "amount", "item"]
    frames = {
        "orders": pd.DataFrame(list(orders), columns=["line", "customer", "period", "quantity"]),
        "investments": pd.DataFrame(list(investments), columns=["line", "period", "added_per_year"]),
        "funding": pd.DataFrame([(*r, "")[:7] for r in funding], columns=columns),
        "stock": None
        if stock is None
        else pd.DataFrame(list(stock), columns=["customer", "item", "period", "stock", "target"]),
        "retirements": None
        if retirements is None
        else pd.DataFrame(list(retirements), columns=["customer", "item", "period", "quantity"]),
        "drawdowns": None
        if drawdowns is None
        else pd.DataFrame(list(drawdowns), columns=["drawdown", "period", "quantity"]),
    }
    table = pd.DataFrame(list(components), columns=["component", "flow", "line", "period", "quantity"])
    out: list[check.Violation] = []
    g = check.read_grid(
        model,
        frames["orders"],
        frames["investments"],
        frames["funding"],
        frames["stock"],
        out,
        frames["retirements"],
        frames["drawdowns"],
        table,
    )
    assert out == []
    return g


CHECKED: dict[str, tuple[dict[str, Any], str]] = {
    "Line-capacity": (
        {"orders": [("a", "europe", "2026Q1", 120)]},
        "capacity — a 2026Q1: orders 120.0 exceed capacity 100.0",
    ),
    "Line-share": (
        {"orders": [("a", "ukraine", "2026Q1", 60)]},
        "customer share — a ukraine 2026Q1: takes 60.0, at most 50.0 (50%)",
    ),
    "Line-expansion": (
        {"investments": [("a", "2026Q4", 40)]},
        "build time — a 2026Q4: capacity started here would be ready after the horizon (build 1 periods)",
    ),
    "Stock-balance": (  # 20 held, 10 used in Q1: 10 left, not 20
        {"stock": [("europe", "shell", "2026Q1", 20, 0)]},
        "stock balance — europe shell 2026Q1: table says 20.00, deliveries, losses and use give 10.00",
    ),
    "Stock-target": (
        {"stock": [("ukraine", "shell", "2026Q4", 0, 90)]},
        "target — ukraine shell 2026Q4: table says 90.00, the scenario 100.00",
    ),
    "Order-payment": (
        {"orders": [("a", "ukraine", "2026Q1", 50)], "funding": [("f", "orders", "a", "ukraine", 2026, 40)]},
        "payment — a ukraine 2026: paid 40, orders cost 50 EUR",
    ),
    "Capex-payment": (  # 80 a year = 20 a quarter, at EUR 40 per unit per quarter: EUR 800
        {"investments": [("a", "2026Q1", 80)], "funding": [("f", "capacity", "a", "", 2026, 700)]},
        "payment — capacity on a 2026: paid 700, investment costs 800 EUR",
    ),
    "Funding-budget": (
        {"funding": [("f", "orders", "a", "ukraine", 2026, 1200)]},
        "budget — f 2026: spent 1,200 of 1,000 EUR available",
    ),
    "Funding-min-spend": (
        {"funding": [("f", "orders", "a", "ukraine", 2026, 400)]},
        "minimum spend — f 2026: spent 400, must spend 500",
    ),
    "Upkeep-payment": (  # 2 tanks held all year at EUR 10 a quarter each: EUR 80
        {"funding": [("g", "upkeep", "", "ukraine", 2026, 60, "tank")]},
        "upkeep — ukraine tank 2026: paid 60, the stock held costs 80 EUR to keep",
    ),
    "Drawdown-stock": (  # 5 transferred in Q1 from a stock of 4; replaced in Q3 at EUR 100: EUR 500, paid
        {"drawdowns": [("dd", "2026Q1", 5)], "funding": [("g", "replacement", "refurb", "ukraine", 2026, 500)]},
        "drawdown — dd: transfers 5.0, more than the 4.0 it may transfer",
    ),
    "Refurbish-pool": (
        {"orders": [("refurb", "ukraine", p, 1) for p in ("2026Q1", "2026Q2", "2026Q3", "2026Q4")]},
        "stored pool — refurb: orders 4.0 refurbished units, 3.0 are in storage",
    ),
    "Component-balance": (  # 50 charges made in Q1, 80 shells ordered then: 30 short
        {"orders": [("a", "europe", "2026Q1", 80)], "components": [("charge", "made", "c", "2026Q1", 50)]},
        "component — charge 2026Q1: lines use 80.0, but only 50.0 was made by then and carried",
    ),
}


@pytest.mark.parametrize("family", [f.name for f in FAMILIES])
def test_each_familys_checker_rule_finds_the_hand_worked_violation(model: ModelData, family: str) -> None:
    tables, expected = CHECKED[family]
    assert [str(v) for v in FAMILY[family].check(model, grid(model, **tables))] == [expected]


def test_each_familys_checker_rule_passes_a_plan_that_keeps_it(model: ModelData) -> None:
    plan = materiel.plan(model)
    g = check.read_grid(
        model,
        plan.orders,
        plan.investments,
        plan.funding,
        plan.stock,
        [],
        plan.retirements,
        plan.drawdowns,
        plan.components,
    )
    for family in FAMILIES:
        assert family.check(model, g) == [], family.name


def test_bound_rules_find_the_hand_worked_violations(model: ModelData) -> None:
    """25 a quarter per quarter is the limit: 160 a year started in one quarter is 40 a quarter."""
    found = BOUND["e"].check(model, grid(model, investments=[("a", "2026Q1", 160)]))
    assert [str(v) for v in found] == ["expansion limit — a 2026Q1: adds 160.0/year, limit 100.0/year per period"]


def test_commitments_are_checked(tmp_path: Path) -> None:
    doc = scenario(
        lines=[line("a")], commitments=[{"line": "a", "customer": "ukraine", "period": "2026Q2", "quantity": 60}]
    )
    m = materiel.load(write(tmp_path, doc))[1]
    found = BOUND["x"].check(m, grid(m, orders=[("a", "ukraine", "2026Q2", 40)]))
    assert [str(v) for v in found] == ["commitment — a ukraine 2026Q2: orders 40.0 below the contracted 60.0"]
    assert BOUND["x"].describe(m, (0, 0, 1)) == "commitment: 60 shell ordered on a for ukraine in 2026Q2"


def test_drawdown_bounds_are_checked(model: ModelData) -> None:
    """1 tank a quarter is available, delivered a quarter later: 2 in Q1 is too many, and one in Q4
    would arrive after the horizon."""
    found = BOUND["d"].check(model, grid(model, drawdowns=[("dd", "2026Q1", 2), ("dd", "2026Q4", 1)]))
    assert [str(v) for v in found] == [
        "delivery time — dd 2026Q4: a transfer would arrive after the horizon (delivery 1 periods)",
        "drawdown available — dd 2026Q1: transfers 2.0, at most 1.0 available",
    ]


def test_retirements_are_checked(model: ModelData) -> None:
    """Ukraine holds 2 tanks and no shells: retiring 3 tanks in Q1 is more than it holds, and
    shells (no upkeep) are never retired."""
    found = check.check_retirements(
        model, grid(model, retirements=[("ukraine", "tank", "2026Q1", 3), ("europe", "shell", "2026Q2", 1)])
    )
    assert [str(v) for v in found] == [
        "retirement — europe shell 2026Q2: only items with upkeep are retired",
        "retirement — ukraine tank 2026Q1: retires 3.00, more than the 2.00 held",
    ]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (("g", "orders", "refurb", "ukraine", 2026, 100), "'orders': orders on line refurb are 'refurbishment'"),
        (("f", "refurbishment", "a", "ukraine", 2026, 10), "'refurbishment': orders on line a are 'orders'"),
        (("f", "gift", "a", "ukraine", 2026, 10), "'gift': expected one of 'orders', 'refurbishment', 'capacity'"),
    ],
)
def test_funding_purposes_are_read_strictly(model: ModelData, row: tuple, expected: str) -> None:
    out: list[check.Violation] = []
    funding = pd.DataFrame([(*row, "")], columns=["fund", "purpose", "line", "customer", "year", "amount", "item"])
    empty = pd.DataFrame(columns=["line", "customer", "period", "quantity"])
    investments = pd.DataFrame(columns=["line", "period", "added_per_year"])
    components = pd.DataFrame(columns=["component", "flow", "line", "period", "quantity"])
    check.read_grid(model, empty, investments, funding, None, out, components=components)
    assert len(out) == 1 and expected in str(out[0])
