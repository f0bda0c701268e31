"""Hardening of the planner and its checker (issue 9): bad plan tables, extreme weights and
magnitudes, empty scenarios, every solver status."""

from __future__ import annotations

from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import pytest

import materiel
from materiel.planner import failure, make_plan
from materiel.planner.check import check_plan
from materiel.planner.formulation import build
from materiel.planner.solver import SolveResult, SolverOptions, SolveStatus, status_of
from tests.builders import line, scenario, target, write

FIXTURES = Path(__file__).parent.parent / "fixtures"
TINY = FIXTURES / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny() -> materiel.Plan:
    """Tiny plan: 200 ordered on 'cheap' in 2026Q1 and Q2, EUR 800 paid by 'eu' in 2026."""
    return materiel.plan(TINY)


def tables(plan: materiel.Plan) -> dict[str, pd.DataFrame]:
    """Copies of the tables ``materiel check`` reads."""
    return {name: getattr(plan, name).copy() for name in ("orders", "investments", "funding", "stock")}


def violations(plan: materiel.Plan, t: dict[str, pd.DataFrame]) -> list[str]:
    return [str(v) for v in check_plan(plan.model, t["orders"], t["investments"], t["funding"], t["stock"])]


@pytest.mark.parametrize("bad", [np.nan, None, "nan", "lots", "inf", "-inf", ""])
@pytest.mark.parametrize(
    ("table", "column", "row"),
    [("orders", "quantity", 0), ("funding", "amount", 0), ("stock", "stock", 2)],
)
def test_a_number_that_is_not_a_finite_number_is_a_violation(
    tiny: materiel.Plan, table: str, column: str, row: int, bad: object
) -> None:
    """Blanked, NaN, infinite or text figures used to pass (NaN compares false) or raise."""
    t = tables(tiny)
    t[table][column] = t[table][column].astype(object)
    t[table].loc[row, column] = bad
    found = violations(tiny, t)
    blank = bad is None or bad == "" or (isinstance(bad, float) and np.isnan(bad))
    why = "blank: a number is needed" if blank else f"{bad!r} is not a finite number"
    assert f"table — {table} row {row + 2}, column {column}: {why}" in found


def test_a_blank_investment_is_a_violation(tiny: materiel.Plan) -> None:
    t = tables(tiny)
    t["investments"] = pd.DataFrame({"line": ["cheap"], "period": ["2026Q1"], "added_per_year": [np.nan]})
    assert "table — investments row 2, column added_per_year: blank: a number is needed" in violations(tiny, t)


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("orders", "quantity"),
        ("funding", "amount"),
        ("investments", "added_per_year"),
        ("stock", "stock"),
        ("funding", "purpose"),
        ("orders", "line"),
    ],
)
def test_a_missing_column_is_a_violation_not_zeros(tiny: materiel.Plan, table: str, column: str) -> None:
    t = tables(tiny)
    t[table] = t[table].drop(columns=[column])
    assert f"table — {table}: missing column {column!r}" in violations(tiny, t)


def test_the_untouched_tables_pass(tiny: materiel.Plan) -> None:
    assert violations(tiny, tables(tiny)) == []


def test_check_command_reports_a_quantity_of_lots(tiny: materiel.Plan, tmp_path: Path, run) -> None:
    """`materiel check` on a hand-edited orders.csv: a located message and exit 1, no traceback."""
    t = tables(tiny)
    t["orders"]["quantity"] = t["orders"]["quantity"].astype(object)
    t["orders"].loc[1, "quantity"] = "lots"
    for name, df in t.items():
        df.to_csv(tmp_path / f"{name}.csv", index=False)
    code, _, err = run("check", str(tmp_path), "-s", str(TINY))
    assert code == 1, err
    assert "table — orders row 3, column quantity: 'lots' is not a finite number" in err


# -- priority weights ------------------------------------------------------------------------------

WEIGHTED = """\
name: weights
title: two items of different priority
as_of: 2026-11
horizon: {start: 2026Q1, periods: 4}
currency: {base: EUR, year: 2025}
customers: [{id: ukraine, name: Ukraine, weight: CUSTOMER}]
items:
  - {id: low, name: low, category: mines, weight: LOW}
  - {id: high, name: high, category: mines, weight: HIGH}
requirements:
  - {customer: ukraine, item: low, targets: [{by: 2026Q4, value: 100}], interpolate: step}
  - {customer: ukraine, item: high, targets: [{by: 2026Q4, value: 100}], interpolate: step}
lines:
  - {id: l-low, supplier: a, country: DE, item: low, capacity: {value: 400, unit: /year}, price: {value: 1, unit: EUR}, lead: {value: 0, unit: months}}
  - {id: l-high, supplier: b, country: DE, item: high, capacity: {value: 400, unit: /year}, price: {value: 1, unit: EUR}, lead: {value: 0, unit: months}}
funding: [{id: fund, name: fund, budget: {value: BUDGET, unit: EUR/year}}]
"""


def weighted(tmp_path: Path, customer: object = 1, low: object = 1, high: object = 1, budget: float = 1e6) -> Path:
    text = WEIGHTED.replace("CUSTOMER", str(customer)).replace("LOW", str(low)).replace("HIGH", str(high))
    path = tmp_path / "weights.yaml"
    path.write_text(text.replace("BUDGET", str(budget)))
    return path


def ordered(plan: materiel.Plan) -> dict[str, float]:
    return plan.orders.groupby("item")["quantity"].sum().to_dict()


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("low", "1e-9", "greater than or equal to 0.01"),
        ("high", "1e20", "less than or equal to 100"),
        ("customer", ".inf", "finite number"),
        ("customer", '"1e999"', "finite number"),
        ("high", ".nan", "finite number"),
        ("low", "0", "greater than or equal to 0.01"),
    ],
)
def test_a_weight_the_solver_cannot_honour_is_a_located_error(tmp_path: Path, field: str, value: str, why: str) -> None:
    """Weights of 1e-9, 1e20, .inf or "1e999" used to give "optimal" plans that ordered nothing."""
    with pytest.raises(materiel.ScenarioError) as info:
        materiel.load(weighted(tmp_path, **{field: value}))
    where = "customers[ukraine].weight" if field == "customer" else f"items[{field}].weight"
    text = str(info.value)
    assert where in text and "weights.yaml:" in text
    assert why in text or why.replace("or equal to ", "") in text.replace("≥", "greater than").replace("≤", "less than")


def test_a_low_weight_item_is_still_ordered_when_money_allows(tmp_path: Path) -> None:
    """Customer 0.01 × item 0.01 against item 100: 1e-4 against 1. Money for both: both targets
    are met in full (with the weights as written, phase 2's absolute slack of 1e-9 cost the low
    item 1e-9 / (1e-4 / 100) = 0.001 of its 100)."""
    plan = materiel.plan(weighted(tmp_path, customer=0.01, low=0.01, high=100))
    assert materiel.check(plan) == []
    assert ordered(plan) == pytest.approx({"low": 100, "high": 100}, rel=1e-8)


def test_a_high_weight_wins_when_money_is_short(tmp_path: Path) -> None:
    """EUR 100 buys one of the two targets of 100 at EUR 1: all of it goes to the weight-100 item."""
    plan = materiel.plan(weighted(tmp_path, low=0.01, high=100, budget=100))
    assert materiel.check(plan) == []
    assert ordered(plan) == pytest.approx({"high": 100})
    assert plan.objective.shortfall_optimum == pytest.approx(0.01 * 100 / 100)


def test_scaling_every_weight_by_ten_gives_the_same_plan(tmp_path: Path) -> None:
    """Only ratios of weights matter: the LP counts weights in a power of ten of the least. The
    weighted shortfall is in the scenario's weights: customer and item × 10 make it × 100."""
    a = materiel.plan(weighted(tmp_path, customer=0.5, low=0.02, high=3, budget=150))
    b = materiel.plan(weighted(tmp_path, customer=5, low=0.2, high=30, budget=150))
    assert ordered(a) == ordered(b) == pytest.approx({"high": 100, "low": 50})
    assert b.objective.shortfall == pytest.approx(100 * a.objective.shortfall)


# -- scenarios with nothing to buy -----------------------------------------------------------------

STOCK_ONLY = """\
name: stock-only
title: How long does this stock last?
as_of: 2026-11
horizon: {start: 2026Q1, periods: 8}
currency: {base: EUR, year: 2025}
customers: [{id: ukraine, name: Ukraine}]
items:
  - id: shell
    name: 155 mm shell
    category: artillery-ammunition
    stock: {ukraine: 1000}
    use: {ukraine: {value: 100, unit: /quarter}}
    wartime_use: {value: 50, unit: /day}
requirements:
  - {customer: ukraine, item: shell, targets: [{by: 2026Q4, value: 800}], interpolate: step}
lines: LINES
funding: FUNDING
"""
LINE = "[{id: a, supplier: a, country: DE, item: shell, capacity: {value: 400, unit: /year}, price: {value: 1, unit: EUR}, lead: {value: 0, unit: months}}]"
FUND = "[{id: fund, name: fund, budget: {value: 1000, unit: EUR/year}}]"


@pytest.mark.parametrize(("lines", "funding"), [("[]", "[]"), (LINE, "[]"), ("[]", FUND)])
def test_a_scenario_with_nothing_to_buy_is_planned(tmp_path: Path, lines: str, funding: str) -> None:
    """No lines or no funds used to raise "zero-size array" in the formulation. Stock 1,000 used
    100 a quarter: 900, 800, ..., 200 at the end; against a target of 800 from 2026Q4, 200 short
    at the end of 2026 (25 %) and 600 short at the end of 2027 (75 %)."""
    path = tmp_path / "s.yaml"
    path.write_text(STOCK_ONLY.replace("LINES", lines).replace("FUNDING", funding))
    plan = materiel.plan(path)
    assert materiel.check(plan) == []
    assert plan.total_cost == 0 and plan.orders.empty
    assert list(plan.stock["stock"]) == pytest.approx([900, 800, 700, 600, 500, 400, 300, 200])
    assert plan.summary()["shortfall_by_category"] == {"artillery-ammunition": {"2026": 0.25, "2027": 0.75}}


def test_a_stock_only_scenario_runs_end_to_end(tmp_path: Path, run) -> None:
    """`materiel plan`, `assess` and `check` on "how long does this stock last?": every output."""
    path = tmp_path / "s.yaml"
    path.write_text(STOCK_ONLY.replace("LINES", "[]").replace("FUNDING", "[]"))
    code, out, err = run("plan", str(path), "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert "All money spent: EUR 0 (nothing bought)" in out
    for name in ("orders.csv", "funding.csv", "stock.csv", "plan.xlsx", "report.html", "stock_vs_target.png"):
        assert (tmp_path / "out" / name).stat().st_size > 0, name
    code, _, err = run("assess", str(path), "-o", str(tmp_path / "assessed"))
    assert code == 0, err
    code, out, err = run("check", str(tmp_path / "out"), "-s", str(path))
    assert code == 0 and "keeps every rule" in out, err


# -- numbers HiGHS cannot take ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "named"),
    [
        ("cap", "capacity of line cheap in 2026Q1: at most 1e+300 per period (4e+300 a year)"),
        ("target", "shortfall of shell for ukraine below target in 2026Q1"),
        ("stock0", "stock balance of shell held by ukraine in 2026Q1"),
        ("budget", "budget of eu in 2026: EUR 1e+300"),
    ],
)
def test_a_number_the_solver_cannot_take_is_a_plan_error_naming_the_scenario(field: str, named: str) -> None:
    """1e300 in the compiled arrays (validation refuses such figures in a file; the planner must
    still fail cleanly) used to end in `RuntimeError: HiGHS refused the LP`."""
    _, model = materiel.load(TINY)
    getattr(model, field)[...] = 1e300
    with pytest.raises(materiel.PlanError) as info:
        materiel.plan(model)
    assert info.value.status is SolveStatus.error
    text = str(info.value)
    assert "span more than the solver can hold" in text and named in text


def test_exporting_an_lp_the_solver_cannot_take_is_a_plan_error(tmp_path: Path) -> None:
    _, model = materiel.load(TINY)
    model.cap[...] = 1e300
    with pytest.raises(materiel.PlanError, match="span more than the solver can hold"):
        make_plan(model, export_lp=tmp_path / "model.mps")


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("item_weight", np.inf, "weight of shell is inf; it must be a finite number > 0"),
        ("target", np.nan, "target of ukraine shell 2026Q1 is nan; it must be a finite number ≥ 0"),
        ("share", -1.0, "share of cheap ukraine is -1; it must be between 0 and 1"),
        ("cap", -np.inf, "capacity of cheap 2026Q1 is -inf; it must be a finite number ≥ 0"),
        ("budget", np.nan, "budget of eu 2026 is nan; it must be a finite number ≥ 0"),
    ],
)
def test_compiled_figures_the_planner_cannot_use_are_named(field: str, value: float, named: str) -> None:
    """Compiled data that skipped validation (built or changed in code): a NaN target or a share
    of −1 used to give "optimal" plans the checker rejects; an infinite weight reached HiGHS."""
    _, model = materiel.load(TINY)
    getattr(model, field).flat[0] = value
    with pytest.raises(materiel.PlanError) as info:
        materiel.plan(model)
    assert info.value.status is SolveStatus.error
    assert named in info.value.conflicts


# -- solver statuses and the phases' figures -------------------------------------------------------


def test_every_highs_status_keeps_its_own_name() -> None:
    """kIterationLimit used to read as time_limit and kUnboundedOrInfeasible as infeasible."""
    S = highspy.HighsModelStatus
    assert status_of(S.kIterationLimit) is SolveStatus.iteration_limit
    assert status_of(S.kUnboundedOrInfeasible) is SolveStatus.unbounded_or_infeasible
    assert status_of(S.kTimeLimit) is SolveStatus.time_limit
    assert status_of(S.kInfeasible) is SolveStatus.infeasible
    assert status_of(S.kUnbounded) is SolveStatus.unbounded
    assert status_of(S.kSolveError) is SolveStatus.error


def test_an_iteration_limit_is_said_as_such() -> None:
    """The default scenario needs thousands of simplex iterations; a limit of 5 stops HiGHS."""
    with pytest.raises(materiel.PlanError) as info:
        materiel.plan(None, SolverOptions(iteration_limit=5))
    assert info.value.status is SolveStatus.iteration_limit
    assert "limit of 5 simplex iterations" in str(info.value)


def test_unbounded_or_infeasible_is_said_as_such() -> None:
    _, model = materiel.load(TINY)
    form = build(model)
    result = SolveResult(SolveStatus.unbounded_or_infeasible, "Primal infeasible or unbounded", np.zeros(0))
    err = failure(model, form, result, SolverOptions())
    assert err.status is SolveStatus.unbounded_or_infeasible
    assert "either no plan satisfies every rule or the LP is unbounded" in str(err)


def test_the_plan_reports_both_phases_and_the_slack_used(tmp_path: Path) -> None:
    """EUR 50 for a target of 100 at EUR 1: 50 short in 2026Q4, weighted shortfall 1 × 50/100 =
    0.5 in phase 1 and in the plan; the slack is the scenario's tolerance."""
    doc = scenario(
        lines=[line("a")],
        requirements=[target(100)],
        funding=[{"id": "fund", "name": "f", "budget": {"value": 50, "unit": "EUR/year"}}],
        planner={"shortfall_tolerance": 1e-4},
    )
    plan = materiel.plan(write(tmp_path, doc))
    objective = plan.summary()["objective"]
    assert objective["weighted_shortfall_phase1"] == pytest.approx(0.5)
    assert objective["weighted_shortfall"] == pytest.approx(0.5, rel=2e-4)
    assert objective["weighted_shortfall"] <= 0.5 * (1 + 1e-4) + 1e-9
    assert objective["shortfall_slack"] == 1e-4
    assert objective["money"] == pytest.approx(plan.total_cost, abs=0.01)
