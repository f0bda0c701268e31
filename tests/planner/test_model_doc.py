"""docs/model.md rebuilds the LP: the formulas written there, coded here element by element with
plain numpy and nothing from the formulation, give the matrix, bounds, scales and both objectives
the planner builds, for a small scenario that exercises every family, scale and unit."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

import materiel
from materiel.planner.formulation import OWN_FIRST, build
from materiel.scenario.compiled import ModelData
from tests.builders import line, scenario, shell, target, write


def drone_line(country: str, price: float) -> dict:
    """A line in ``country`` (its id, lower-case) making 40 drones a year at ``price`` EUR each."""
    return line(
        country.lower(),
        country=country,
        item="drone",
        capacity={"value": 40, "unit": "/year"},
        price={"value": price, "unit": "EUR"},
    )


DOC = scenario(
    horizon={"start": "2026Q1", "periods": 6, "period": "quarter"},
    customers=[{"id": "ukraine", "name": "UA"}, {"id": "europe", "name": "EU", "weight": 0.5}],
    items=[
        shell(
            weight=0.3,
            stock={"ukraine": 400, "europe": 50},
            loss={"value": 0.1, "unit": "/year"},
            use={"europe": {"value": 40, "unit": "/year"}},
        ),
        {
            "id": "drone",
            "name": "drone",
            "category": "drones",
            "stock": {"europe": 3},
            "use": {"europe": {"value": 2, "unit": "/quarter"}, "ukraine": {"value": 1, "unit": "/quarter"}},
        },
        {  # EUR 400 a year to keep; europe's tank has no fund for its upkeep and is retired
            "id": "tank",
            "name": "tank",
            "category": "armour",
            "stock": {"ukraine": 3, "europe": 1},
            "upkeep": {"value": 400, "unit": "EUR/year"},
        },
        # components: a charge (lost at 20 % a year in store) of which each de shell needs 1.5, and
        # powder, of which each charge needs 2
        {"id": "charge", "name": "charge", "category": "artillery-ammunition", "component": True, "loss": 0.2},
        {"id": "powder", "name": "powder", "category": "artillery-ammunition", "unit": "kg", "component": True},
    ],
    lines=[
        line(
            "de",
            capacity=[
                {"from": "2026Q1", "value": 8000, "unit": "/year"},
                {"from": "2026Q3", "value": 12000, "unit": "/year"},
            ],
            price={"value": 3, "unit": "EUR"},
            lead={"value": 3, "unit": "months"},
            share={"ukraine": 0.5},
            expansion_max={"value": 4000, "unit": "/year"},
            capex={"value": 20, "unit": "EUR"},
            build={"value": 6, "unit": "months"},
            needs={"charge": 1.5},
        ),
        line("us", country="US", capacity={"value": 2000, "unit": "/year"}, price={"value": 5, "unit": "EUR"}),
        drone_line("UA", 900),
        drone_line("KR", 1e10),  # EUR 1e10 a drone against the US fund's EUR 4,500 in all: priced out
        line(
            "charges",
            country="PL",
            item="charge",
            capacity={"value": 40_000, "unit": "/year"},
            lead={"value": 3, "unit": "months"},
            needs={"powder": 2},
            expansion_max={"value": 4000, "unit": "/year"},
            capex={"value": 2, "unit": "EUR"},
            build={"value": 3, "unit": "months"},
        ),
        line("powder", country="FR", item="powder", capacity={"value": 30_000, "unit": "/year"}),
        line(
            "refurb",
            country="PL",
            item="tank",
            capacity={"value": 8, "unit": "/year"},
            price=[{"value": 1500, "unit": "EUR"}, {"from": "2027Q1", "value": 1800, "unit": "EUR"}],
            lead={"value": 3, "unit": "months"},
            stored=4,
        ),
    ],
    drawdowns=[
        {
            "id": "dd",
            "donor": "donor",
            "item": "tank",
            "customer": "ukraine",
            "stock": 3,
            "quantity": 2,
            "available": {"value": 4, "unit": "/year"},
            "delivery": {"value": 3, "unit": "months"},
            "replacement": {"line": "refurb", "fund": "ua", "delay": {"value": 6, "unit": "months"}},
        }
    ],
    requirements=[
        {
            "customer": "ukraine",
            "item": "shell",
            "targets": [{"by": "2026Q2", "value": 1000}, {"by": "2027Q2", "value": 5000}],
        },
        target(200, by="2026Q4", customer="europe"),
        target(5, by="2026Q4", item="tank"),
    ],
    commitments=[{"line": "us", "customer": "ukraine", "period": "2026Q2", "quantity": 100}],
    funding=[
        {
            "id": "eu",
            "name": "EU",
            "budget": {"value": 12_000, "unit": "EUR/year"},
            "origins": ["EU", "UA"],
            "capex": True,
            "carry_over": True,
            "min_spend": 0.2,
        },
        {
            "id": "us",
            "name": "US",
            "budget": {"value": 3_000, "unit": "EUR/year"},
            "origins": ["US", "KR"],
            "customers": ["ukraine"],
            "min_spend": 0.1,
        },
        {
            "id": "ua",
            "name": "UA",
            "budget": {"value": 6_000, "unit": "EUR/year"},
            "customers": ["ukraine"],
            "categories": ["armour"],
            "upkeep": True,
            "fixed_charge": {"value": 1_000, "unit": "EUR/year"},
            "min_spend": 0.1,
        },
        {  # Ukraine's own money: costs OWN_FIRST less per unit in the money objective
            "id": "ua-own",
            "name": "UA own",
            "own": True,
            "budget": {"value": 500, "unit": "EUR/year"},
            "origins": ["UA"],
            "customers": ["ukraine"],
        },
    ],
)


def priced_out(m: ModelData) -> tuple[np.ndarray, np.ndarray]:
    """docs/model.md, "Sets and variables": orders and capacity no eligible fund could buy a
    millionth of a unit of with all its money (commitments excepted)."""
    L, K, T = len(m.lines), len(m.customers), m.T
    total = m.budget.sum(axis=1)
    orders = np.zeros((L, K, T), dtype=bool)
    for l, k, t in itertools.product(range(L), range(K), range(T)):
        money = sum(total[f] for f in range(len(m.funds)) if m.eligible[f, l, k])
        orders[l, k, t] = money < 1e-6 * m.price[l, t] and m.committed[l, k, t] <= 0
    capex = np.array(
        [sum(total[f] for f in range(len(m.funds)) if m.eligible_capex[f, l]) < 1e-6 * m.capex[l] for l in range(L)]
    )
    return orders, capex


def rprice(m: ModelData, j: int, t: int) -> float:
    """docs/model.md, "Constraint families": the replacement's line price in the period it is paid,
    min(t + delay(j), T−1); 0 without replacement or when the paying fund could not buy a millionth."""
    tr = m.transfers
    if not tr.replaced[j]:
        return 0.0
    price = m.price[tr.line[j], min(t + tr.delay[j], m.T - 1)]
    return 0.0 if m.budget[tr.fund[j]].sum() < 1e-6 * price else price


def item_scale(m: ModelData, i: int) -> float:
    """10^clip(⌊log₁₀ max(1, g(i))⌋ − 2, 0, 4), g(i) from demand d(i) and capacity c(i)."""
    makes = [l for l in range(len(m.lines)) if m.line_item[l] == i]
    d = max([m.target[:, i].max(), m.stock0[:, i].max(), m.use[:, i].max()] + [m.committed[l].max() for l in makes])
    c = max([m.cap[l].max() for l in makes], default=0.0)
    g = max(d, min(c, 1e4 * d)) if d > 0 else c
    return 10.0 ** np.clip(np.floor(np.log10(max(1.0, g))) - 2, 0, 4)


def money_unit(m: ModelData) -> float:
    """10^clip(⌊log₁₀ b⌋ − 3, −3, 6), raised until no price or capex per solver unit exceeds 10⁹."""
    b = m.budget.max()
    unit = 1e6 if b <= 0 else 10.0 ** np.clip(np.floor(np.log10(b)) - 3, -3, 6)
    orders, capex = priced_out(m)
    dearest = 0.0
    for l, k, t in itertools.product(range(len(m.lines)), range(len(m.customers)), range(m.T)):
        if not orders[l, k, t]:
            dearest = max(dearest, m.price[l, t] * item_scale(m, m.line_item[l]))
    for l in range(len(m.lines)):
        if not capex[l]:
            dearest = max(dearest, m.capex[l] * item_scale(m, m.line_item[l]))
    for i in range(len(m.items)):
        if m.upkeep.declared[i]:
            dearest = max(dearest, m.upkeep.cost[i] / m.cal.per_year * item_scale(m, i))
    for j, t in itertools.product(range(m.transfers.J), range(m.T)):
        dearest = max(dearest, rprice(m, j, t) * item_scale(m, m.transfers.item[j]))
    if dearest / unit > 1e9:
        unit = 10.0 ** np.ceil(np.log10(dearest / 1e9))
    return unit


def weight_unit(m: ModelData) -> float:
    """The power of ten at or above the least weight of the pairs with a target or a use."""
    least = min(
        m.customer_weight[k] * m.item_weight[i]
        for k in range(len(m.customers))
        for i in range(len(m.items))
        if (m.target[k, i] > 0).any() or (m.use[k, i] > 0).any()
    )
    return 10.0 ** np.ceil(np.log10(least))


class Rebuilt:
    """Columns and rows appended in the documented order, with their bounds, scales and costs."""

    def __init__(self) -> None:
        self.col: dict[tuple, int] = {}
        self.col_lo, self.col_hi, self.col_scale = [], [], []
        self.rows: list[dict[int, float]] = []
        self.row_lo, self.row_hi, self.row_scale = [], [], []

    def var(self, key: tuple, lo: float = 0.0, hi: float = np.inf, scale: float = 1.0) -> None:
        self.col[key] = len(self.col)
        self.col_lo.append(lo)
        self.col_hi.append(hi)
        self.col_scale.append(scale)

    def row(self, terms: list[tuple[tuple, float]], lo: float, hi: float, scale: float = 1.0) -> None:
        coef: dict[int, float] = {}
        for key, a in terms:
            if key in self.col and a != 0:
                coef[self.col[key]] = coef.get(self.col[key], 0.0) + a
        self.rows.append(coef)
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        self.row_scale.append(scale)

    def matrix(self) -> np.ndarray:
        A = np.zeros((len(self.rows), len(self.col)))
        for r, coef in enumerate(self.rows):
            for j, a in coef.items():
                A[r, j] = a
        return A


def rebuild(m: ModelData) -> tuple[Rebuilt, np.ndarray, np.ndarray, np.ndarray]:
    """The LP of docs/model.md, element by element: (LP, shortfall cost, money cost, phase 2's
    tie-break on components made)."""
    L, K, I, T, F, Y = len(m.lines), len(m.customers), len(m.items), m.T, len(m.funds), len(m.years)
    M, W = money_unit(m), weight_unit(m)
    sigma = [item_scale(m, i) for i in range(I)]
    y_of = [m.cal.year_of[t] - m.years[0] for t in range(T)]
    orders_out, capex_out = priced_out(m)
    lp = Rebuilt()

    # -- variables, in the documented order, each block in row-major order of its dimensions
    has_x = {(l, k): m.share[l, k] > 0 and m.eligible[:, l, k].any() for l in range(L) for k in range(K)}
    has_e = {l: m.emax[l] > 0 and m.eligible_capex[:, l].any() for l in range(L)}
    for l, k, t in itertools.product(range(L), range(K), range(T)):
        if has_x[l, k]:
            hi = 0.0 if t + m.lead[l] >= T or orders_out[l, k, t] else np.inf
            lp.var(("x", l, k, t), m.committed[l, k, t], hi, sigma[m.line_item[l]])
    for l, t in itertools.product(range(L), range(T)):
        if has_e[l]:
            hi = 0.0 if t + m.build[l] >= T or capex_out[l] else m.emax[l]
            lp.var(("e", l, t), 0.0, hi, sigma[m.line_item[l]])
    for l, t in itertools.product(range(L), range(T)):
        if has_e[l]:
            lp.var(("K", l, t), scale=sigma[m.line_item[l]])
    for f, l, k, y in itertools.product(range(F), range(L), range(K), range(Y)):
        if m.eligible[f, l, k] and has_x[l, k]:
            lp.var(("p", f, l, k, y))
    for f, l, y in itertools.product(range(F), range(L), range(Y)):
        if m.eligible_capex[f, l] and has_e[l]:
            lp.var(("q", f, l, y))
    for k, i, t in itertools.product(range(K), range(I), range(T)):
        lp.var(("s", k, i, t), scale=sigma[i])
    for k, i, t in itertools.product(range(K), range(I), range(T)):
        if m.target[k, i, t] > 0:
            lp.var(("u", k, i, t), hi=m.target[k, i, t], scale=sigma[i])
    for k, i, t in itertools.product(range(K), range(I), range(T)):
        if m.use[k, i, t] > 0:
            lp.var(("v", k, i, t), hi=m.use[k, i, t], scale=sigma[i])
    for f, y in itertools.product(range(F), range(Y)):
        if m.carry[f]:
            lp.var(("c", f, y))
    up, tr = m.upkeep, m.transfers
    for k, i, t in itertools.product(range(K), range(I), range(T)):
        if up.declared[i]:
            lp.var(("r", k, i, t), scale=sigma[i])
    for f, k, i, y in itertools.product(range(F), range(K), range(I), range(Y)):
        if up.eligible[f, k, i]:
            lp.var(("w", f, k, i, y))
    for j, t in itertools.product(range(tr.J), range(T)):
        out = t + tr.delivery[j] >= T or (tr.replaced[j] and rprice(m, j, t) == 0)
        lp.var(("d", j, t), hi=0.0 if out else tr.available[j, t], scale=sigma[tr.item[j]])
    makes_component = [m.component[m.line_item[l]] for l in range(L)]
    for l, t in itertools.product(range(L), range(T)):
        if makes_component[l]:
            lp.var(("z", l, t), 0.0, 0.0 if t + m.lead[l] >= T else np.inf, sigma[m.line_item[l]])
    for i, t in itertools.product(range(I), range(T)):
        if m.component[i]:
            lp.var(("h", i, t), scale=sigma[i])

    # -- constraint families, in the documented order
    inf = np.inf
    for l, t in itertools.product(range(L), range(T)):  # Line-capacity
        terms = [(("x", l, k, t), 1.0) for k in range(K)] + [(("z", l, t), 1.0), (("K", l, t), -1.0)]
        lp.row(terms, -inf, m.cap[l, t], sigma[m.line_item[l]])
    for l, k, t in itertools.product(range(L), range(K), range(T)):  # Line-share
        if has_x[l, k] and m.share[l, k] < 1:
            terms = [(("x", l, k, t), 1.0), (("K", l, t), -m.share[l, k])]
            lp.row(terms, -inf, m.share[l, k] * m.cap[l, t], sigma[m.line_item[l]])
    for l, t in itertools.product(range(L), range(T)):  # Line-expansion
        if has_e[l]:
            terms = [(("K", l, t), 1.0), (("K", l, t - 1), -1.0), (("e", l, t - m.build[l]), -1.0)]
            lp.row([(key, a) for key, a in terms if key[-1] >= 0], 0.0, 0.0, sigma[m.line_item[l]])
    for k, i, t in itertools.product(range(K), range(I), range(T)):  # Stock-balance
        keep = 1 - m.loss[i]
        terms = [(("s", k, i, t), 1.0), (("v", k, i, t), -1.0), (("r", k, i, t), 1.0)]
        if t > 0:
            terms.append((("s", k, i, t - 1), -keep))
        terms += [(("x", l, k, t - m.lead[l]), -1.0) for l in range(L) if m.line_item[l] == i and t - m.lead[l] >= 0]
        terms += [
            (("d", j, t - tr.delivery[j]), -1.0)
            for j in range(tr.J)
            if tr.customer[j] == k and tr.item[j] == i and t - tr.delivery[j] >= 0
        ]
        rhs = -m.use[k, i, t] + (keep * m.stock0[k, i] if t == 0 else 0.0)
        lp.row(terms, rhs, rhs, sigma[i])
    for k, i, t in itertools.product(range(K), range(I), range(T)):  # Stock-target
        if m.target[k, i, t] > 0:
            lp.row([(("s", k, i, t), 1.0), (("u", k, i, t), 1.0)], m.target[k, i, t], inf, sigma[i])
    for l, k, y in itertools.product(range(L), range(K), range(Y)):  # Order-payment
        if any(("p", f, l, k, y) in lp.col for f in range(F)):
            terms = [(("p", f, l, k, y), 1.0) for f in range(F)]
            terms += [
                (("x", l, k, t), -m.price[l, t] / M) for t in range(T) if y_of[t] == y and not orders_out[l, k, t]
            ]
            lp.row(terms, 0.0, 0.0)
    for l, y in itertools.product(range(L), range(Y)):  # Capex-payment
        if any(("q", f, l, y) in lp.col for f in range(F)):
            terms = [(("q", f, l, y), 1.0) for f in range(F)]
            terms += [(("e", l, t), -m.capex[l] / M) for t in range(T) if y_of[t] == y and not capex_out[l]]
            lp.row(terms, 0.0, 0.0)

    def spending(f: int, y: int) -> list[tuple[tuple, float]]:
        paid = [(("p", f, l, k, y), 1.0) for l in range(L) for k in range(K)]
        paid += [(("q", f, l, y), 1.0) for l in range(L)]
        paid += [(("w", f, k, i, y), 1.0) for k in range(K) for i in range(I)]
        return paid + [
            (("d", j, t), rprice(m, j, t) / M)
            for j in range(tr.J)
            for t in range(T)
            if tr.replaced[j] and tr.fund[j] == f and y_of[min(t + tr.delay[j], T - 1)] == y
        ]

    for f, y in itertools.product(range(F), range(Y)):  # Funding-budget
        B = max(0.0, m.budget[f, y] - up.fixed[f, y]) / M
        if m.carry[f]:
            lp.row([*spending(f, y), (("c", f, y), 1.0), (("c", f, y - 1), -1.0)], B, B)
        else:
            lp.row(spending(f, y), m.min_spend[f] * B, B)
    for f, y in itertools.product(range(F), range(Y)):  # Funding-min-spend
        B = max(0.0, m.budget[f, y] - up.fixed[f, y]) / M
        if m.carry[f] and m.min_spend[f] > 0 and m.budget[f, y] > 0:
            lp.row(spending(f, y), m.min_spend[f] * B, inf)
    for k, i, y in itertools.product(range(K), range(I), range(Y)):  # Upkeep-payment
        if up.declared[i]:
            terms = [(("w", f, k, i, y), 1.0) for f in range(F)]
            terms += [(("s", k, i, t), -up.cost[i] / (m.cal.per_year * M)) for t in range(T) if y_of[t] == y]
            lp.row(terms, 0.0, 0.0)
    for j in range(tr.J):  # Drawdown-stock
        lp.row([(("d", j, t), 1.0) for t in range(T)], -inf, tr.total[j], sigma[tr.item[j]])
    for l in range(L):  # Refurbish-pool
        if tr.refurbished[l]:
            terms = [(("x", l, k, t), 1.0) for k in range(K) for t in range(T)]
            lp.row(terms, -inf, tr.stored[l], sigma[m.line_item[l]])
    for i, t in itertools.product(range(I), range(T)):  # Component-balance
        if m.component[i]:
            terms = [(("h", i, t), 1.0), (("h", i, t - 1), -(1 - m.loss[i]))]
            terms += [(("z", l, t - m.lead[l]), -1.0) for l in range(L) if m.line_item[l] == i]
            for l in range(L):
                if m.need[l, i] > 0:
                    terms += [(("x", l, k, t), m.need[l, i]) for k in range(K)] + [(("z", l, t), m.need[l, i])]
            # a running line's pipeline: started before the horizon at its first period's capacity
            piped = sum(m.cap[l, 0] for l in range(L) if m.line_item[l] == i and t < m.lead[l])
            lp.row([(key, a) for key, a in terms if key[-1] >= 0], piped, piped, sigma[i])

    # -- objectives (natural units)
    shortfall, money, production = np.zeros(len(lp.col)), np.zeros(len(lp.col)), np.zeros(len(lp.col))
    for key, j in lp.col.items():
        if key[0] in ("u", "v"):
            _, k, i, t = key
            w = m.customer_weight[k] * m.item_weight[i] / W
            if key[0] == "u":
                shortfall[j] = w / m.target[k, i, t]
            else:
                positive = m.target[k, i][m.target[k, i] > 0]
                ref = positive.min() if positive.size else m.use[k, i].max()
                shortfall[j] = (T + 1) * (2 - t / T) * w / ref
        elif key[0] in ("p", "q", "w"):
            money[j] = 1.0 - OWN_FIRST * bool(m.own is not None and m.own[key[1]])
        elif key[0] == "d":
            money[j] = rprice(m, key[1], key[2]) / M
        elif key[0] == "z":
            production[j] = 1e-6 / sigma[m.line_item[key[1]]]  # 10⁻⁶ money units per solver unit
    return lp, shortfall, money, production


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> ModelData:
    return materiel.load(write(tmp_path_factory.mktemp("doc"), DOC))[1]


def test_the_fixture_exercises_every_unit_and_family(model: ModelData) -> None:
    form = build(model)
    assert all(block.size > 0 for block in form.lp.row_blocks)
    assert all(block.size > 0 for block in form.lp.col_blocks)
    assert money_unit(model) == 10 and weight_unit(model) == 1.0
    # 5,000 shells; 10 drones a quarter; 5 tanks; 10,000 charges and 7,500 kg of powder a quarter
    assert [item_scale(model, i) for i in range(5)] == [10.0, 1.0, 1.0, 100.0, 10.0]
    orders, capex = priced_out(model)
    assert orders[3, 0].all() and not orders[0].any() and not capex.any()  # kr for ukraine only
    assert orders[4:6].all()  # no fund pays for orders on component lines


def test_the_documented_lp_is_the_built_lp(model: ModelData) -> None:
    form = build(model)
    lp, shortfall, money, production = rebuild(model)
    assert (form.lp.n_rows, form.lp.n_cols) == (len(lp.rows), len(lp.col))
    np.testing.assert_allclose(form.lp.matrix().toarray(), lp.matrix(), rtol=1e-12, atol=0)
    col_lo, col_hi, row_lo, row_hi = form.lp.bounds()
    np.testing.assert_array_equal(col_lo, lp.col_lo)
    np.testing.assert_array_equal(col_hi, lp.col_hi)
    np.testing.assert_allclose(row_lo, lp.row_lo, rtol=1e-12)
    np.testing.assert_allclose(row_hi, lp.row_hi, rtol=1e-12)
    col_scale, row_scale = form.lp.scales()
    np.testing.assert_array_equal(col_scale, lp.col_scale)
    np.testing.assert_array_equal(row_scale, lp.row_scale)
    np.testing.assert_allclose(form.shortfall_cost, shortfall, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(form.money_cost, money)
    np.testing.assert_allclose(form.production_cost, production, rtol=1e-12, atol=0)


def test_the_documented_solver_units(model: ModelData) -> None:
    """Matrix a·cs/rs, bounds over the scales, costs times the column scales."""
    form = build(model)
    lp, shortfall, _, _ = rebuild(model)
    cs, rs = np.array(lp.col_scale), np.array(lp.row_scale)
    expected = lp.matrix() * cs[None, :] / rs[:, None]
    np.testing.assert_allclose(form.lp.solver_matrix().toarray(), expected, rtol=1e-12, atol=0)
    np.testing.assert_allclose(form.lp.solver_bounds()[1], np.array(lp.col_hi) / cs, rtol=1e-12)
    np.testing.assert_allclose(form.lp.solver_cost(form.shortfall_cost), shortfall * cs, rtol=1e-12)


def solve_documented(lp: Rebuilt, cost: np.ndarray, extra: tuple[np.ndarray, float] | None = None) -> float:
    """The optimum of the rebuilt LP (scipy's own HiGHS interface), optionally with one more row
    ``a · x ≤ b``."""
    A, lo, hi = lp.matrix(), np.array(lp.row_lo), np.array(lp.row_hi)
    eq = lo == hi
    upper = ~eq & np.isfinite(hi)
    lower = ~eq & np.isfinite(lo)
    A_ub = np.vstack([A[upper], -A[lower]] + ([extra[0][None, :]] if extra else []))
    b_ub = np.concatenate([hi[upper], -lo[lower]] + ([[extra[1]]] if extra else []))
    bounds = list(zip(lp.col_lo, lp.col_hi, strict=True))
    result = linprog(cost, A_ub=A_ub, b_ub=b_ub, A_eq=A[eq], b_eq=lo[eq], bounds=bounds, method="highs")
    assert result.status == 0, result.message
    return float(result.fun)


def test_the_documented_lp_solves_to_the_planners_optima(model: ModelData) -> None:
    """Least shortfall, then least money within the documented slack: the planner's two optima."""
    plan = materiel.plan(model)
    assert materiel.check(plan) == []
    lp, shortfall, money, _ = rebuild(model)
    z1 = solve_documented(lp, shortfall)
    assert plan.objective.shortfall_optimum == pytest.approx(z1, rel=1e-7)
    limit = z1 + plan.objective.slack * abs(z1) + 1e-9
    least_money = solve_documented(lp, money, (shortfall, limit)) * money_unit(model)
    assert plan.objective.money == pytest.approx(least_money, rel=1e-7)
    assert plan.total_cost == pytest.approx(least_money, rel=2 * OWN_FIRST)  # own money counts a little less


def test_the_docs_name_what_the_test_rebuilds() -> None:
    text = (Path(__file__).parent.parent.parent / "docs" / "model.md").read_text()
    phrases = ("smallest positive", "largest use", "item_scales", "per period", "RETRY_TOLERANCES", "weight_unit")
    for phrase in (*phrases, "Component-balance", "need(l,i)"):
        assert phrase in text, phrase
