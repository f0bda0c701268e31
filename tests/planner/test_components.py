"""Components limit output: plans whose optimum is worked out by hand in each test's docstring
(docs/model.md, "Components")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import materiel
from materiel.assessment import assess
from materiel.planner import check, limits
from materiel.report.html import render_report
from tests.builders import grid, line, scenario, shell, solve, target, write
from tests.planner.test_properties import assert_plan_keeps_its_rules, examples, scenarios


def component(ident: str, **fields: Any) -> dict[str, Any]:
    return {"id": ident, "name": ident, "category": "artillery-ammunition", "component": True, **fields}


def per_quarter(n: float) -> dict[str, Any]:
    return {"value": n, "unit": "/quarter"}


def made(plan: materiel.Plan, **where: str) -> list[float]:
    return grid(plan, "components", "quantity", flow="made", **where)


def used(plan: materiel.Plan, **where: str) -> list[float]:
    return grid(plan, "components", "quantity", flow="used", **where)


def held(plan: materiel.Plan, **where: str) -> list[float]:
    return grid(plan, "components", "quantity", flow="held", **where)


SHELLS = line("shells", capacity=per_quarter(1000), needs={"charge": 1})
CHARGES = line("charges", item="charge", capacity=per_quarter(600))


def shells_and_charges(*lines: dict[str, Any], **sections: Any) -> dict[str, Any]:
    """Shells wanted far beyond reach (10,000 in every quarter, so the sooner they arrive the
    better); the given lines; one fund of EUR 1 m a year that may pay for capacity."""
    doc = scenario(
        items=[shell(stock={"ukraine": 0}), component("charge")],
        lines=list(lines),
        requirements=[target(10_000, by="2026Q1")],
        funding=[{"id": "fund", "name": "f", "budget": {"value": 1e6, "unit": "EUR/year"}, "capex": True}],
    )
    doc.update(sections)
    return doc


def test_the_scarcest_component_limits_the_line(tmp_path: Path) -> None:
    """A shell line of 1,000 a quarter needs one charge per shell; the charge line makes 600 a
    quarter: 600 shells a quarter, 2,400 in the year at EUR 1 each. The charges are not paid for
    again (their price is inside the shell's)."""
    plan = solve(tmp_path, shells_and_charges(SHELLS, CHARGES))
    assert grid(plan, "orders", "quantity", line="shells") == [600, 600, 600, 600]
    assert made(plan, line="charges") == [600, 600, 600, 600]
    assert used(plan, line="shells") == [600, 600, 600, 600]
    assert held(plan) == [0, 0, 0, 0]
    assert plan.total_cost == pytest.approx(2_400)
    assert set(plan.funding["line"]) == {"shells"}
    # charges were used up while the shell line had 400 to spare and shells were short: limiting
    rows = plan.components[plan.components["flow"] == "used"]
    assert list(rows["limiting"]) == [True] * 4
    assert plan.summary()["component_bottlenecks"] == [
        {"line": "shells", "component": "charge", "first": "2026Q1", "last": "2026Q4", "periods": 4}
    ]


def test_what_limits_the_plan_names_the_component_that_held_a_line_back(tmp_path: Path) -> None:
    """The shell line above has 400 a quarter to spare and EUR 1 m is barely touched (EUR 2,400
    spent): neither money nor the shell line's capacity binds, the charges do, in every quarter of
    the year, so the year's row says components bind and names the line and the component."""
    plan = solve(tmp_path, shells_and_charges(SHELLS, CHARGES))
    row = plan.limits.iloc[0]
    assert row["binds"] == "components"
    assert row["lines_short_of_components"] == "shells (charge)" and row["lines_at_capacity"] == ""
    assert "; components bind: shells — charge ran out of the components named all year" in row["text"]
    assert plan.summary()["limits"]["2026"]["lines_short_of_components"] == ["shells (charge)"]
    page = render_report(plan, assess(plan), {})
    assert "Components bind when" in page and "components bind: shells — charge" in page


def test_a_component_that_runs_out_when_nothing_more_is_wanted_is_not_limiting(tmp_path: Path) -> None:
    """Ukraine wants 600 shells from Q1 on: 600 charges are made in Q1 and used at once, none
    after (nothing more is wanted). Charges are used up every quarter while the shell line has
    capacity to spare, but shells are never short: no bottleneck."""
    doc = shells_and_charges(SHELLS, CHARGES, requirements=[target(600, by="2026Q1")])
    plan = solve(tmp_path, doc)
    assert grid(plan, "orders", "quantity", line="shells") == [600, 0, 0, 0]
    assert made(plan) == [600, 0, 0, 0]
    assert not plan.components["limiting"].any()
    assert plan.summary()["component_bottlenecks"] == []


def test_the_terminal_names_the_component_that_limited_a_line(tmp_path: Path) -> None:
    from rich.console import Console

    from materiel.report.terminal import print_plan

    console = Console(record=True, width=200)
    print_plan(solve(tmp_path, shells_and_charges(SHELLS, CHARGES)), console)
    assert "shells by charge: 2026Q1–2026Q4 (4 periods)" in console.export_text()


def test_investing_in_the_component_plant_lifts_output_after_its_build_time(tmp_path: Path) -> None:
    """The charge line may add 6,400 a year of yearly capacity per year, i.e. 400 a quarter by
    starts in one quarter, at EUR 10 per unit of yearly capacity, usable a quarter (3 months) after.
    Shells need 1,000 charges a quarter from Q2: a start of 400 in Q1 (1,600 a year, EUR 16,000)
    gives 1,000 charges in Q2, Q3 and Q4; nothing can help Q1. Shells 600 + 3 × 1,000 = 3,600
    at EUR 1: EUR 3,600 + 16,000 = 19,600. (Starting later would buy less: 3,600 shells need
    3·e(Q1) + 2·e(Q2) + e(Q3) ≥ 1,200 charges beyond 2,400, cheapest with everything in Q1.)"""
    plant = {**CHARGES, "expansion_max": {"value": 6400, "unit": "/year"}}
    plant.update(capex={"value": 10, "unit": "EUR"}, build={"value": 3, "unit": "months"})
    plan = solve(tmp_path, shells_and_charges(SHELLS, plant))
    assert grid(plan, "orders", "quantity", line="shells") == [600, 1000, 1000, 1000]
    assert list(plan.investments["period"]) == ["2026Q1"]
    assert plan.investments["added_per_year"].iloc[0] == pytest.approx(1_600)
    assert list(plan.investments["usable_from"]) == ["2026Q2"]
    assert made(plan, line="charges") == [600, 1000, 1000, 1000]
    assert plan.total_cost == pytest.approx(19_600)
    assert plan.funding.groupby("purpose")["amount"].sum().to_dict() == pytest.approx(
        {"capacity": 16_000, "orders": 3_600}
    )
    limiting = plan.components[plan.components["flow"] == "used"]["limiting"]
    assert list(limiting) == [True, False, False, False]  # from Q2 the shell line itself is full


def test_a_fund_that_cannot_pay_for_the_plant_leaves_output_at_the_component_limit(tmp_path: Path) -> None:
    """The same plant, but the only fund may not pay for capacity: 600 shells a quarter again."""
    plant = {**CHARGES, "expansion_max": {"value": 6400, "unit": "/year"}}
    plant.update(capex={"value": 10, "unit": "EUR"}, build={"value": 3, "unit": "months"})
    doc = shells_and_charges(SHELLS, plant, funding=[{"id": "fund", "name": "f", "budget": 1e6}])
    plan = solve(tmp_path, doc)
    assert grid(plan, "orders", "quantity", line="shells") == [600, 600, 600, 600]
    assert plan.investments.empty


def test_component_lead_time_and_a_running_plants_pipeline(tmp_path: Path) -> None:
    """Charges take a quarter (3 months) from start to use. The plant is running: what it started
    in the quarter before the horizon, at its first quarter's 600, is ready in Q1 (the pipeline).
    Started in Q1–Q3 they serve Q2–Q4; started in Q4 they would be ready after the horizon, so
    none are: shells 600 a quarter."""
    plan = solve(tmp_path, shells_and_charges(SHELLS, {**CHARGES, "lead": {"value": 3, "unit": "months"}}))
    assert made(plan, line="charges") == [600, 600, 600, 0]
    assert grid(plan, "components", "quantity", flow="pipeline") == [600, 0, 0, 0]
    assert grid(plan, "orders", "quantity", line="shells") == [600, 600, 600, 600]
    ready = plan.components[plan.components["flow"] == "made"]["ready_period"]
    assert list(ready) == ["2026Q2", "2026Q3", "2026Q4"]


def test_a_new_plant_has_no_pipeline(tmp_path: Path) -> None:
    """The same plant opening in Q2 (capacity 0 before): nothing in its pipeline; charges started
    in Q2 and Q3 are ready in Q3 and Q4, so shells 0, 0, 600, 600."""
    new = {**CHARGES, "lead": {"value": 3, "unit": "months"}}
    new["capacity"] = [{"from": "2026Q2", "value": 600, "unit": "/quarter"}]
    plan = solve(tmp_path, shells_and_charges(SHELLS, new))
    assert grid(plan, "orders", "quantity", line="shells") == [0, 0, 600, 600]
    assert "pipeline" not in set(plan.components["flow"])


def test_components_are_carried_to_later_periods(tmp_path: Path) -> None:
    """The shell line (1,000 a quarter) opens only in Q3; charges (600 a quarter) made before are
    stored. Q3 and Q4 need 1,000 each: 600 made then + 400 from store each, so 800 are made in Q1
    and Q2 (no more: phase 2 makes no components nobody uses) and held: 800 at the end of Q2, 400
    after Q3, none after Q4. 2,000 shells."""
    opens = {**SHELLS, "capacity": [{"from": "2026Q3", "value": 1000, "unit": "/quarter"}]}
    plan = solve(tmp_path, shells_and_charges(opens, CHARGES))
    assert grid(plan, "orders", "quantity", line="shells") == [0, 0, 1000, 1000]
    assert held(plan)[1:] == [800, 400, 0]
    assert sum(made(plan)) == pytest.approx(2_000)


def test_stored_components_lose_the_items_loss_rate(tmp_path: Path) -> None:
    """As above, with charges in store losing 10 % a quarter (the item's loss), so they are made
    as late as they can be. After Q3's use 400/0.9 = 444.44 must be held for Q4 (0.9 × 444.44 +
    600 = 1,000); before Q3's loss (444.44 + 1,000 − 600)/0.9 = 938.27 at the end of Q2, of which
    Q2 made 600: (938.27 − 600)/0.9 = 375.86 made and held at the end of Q1."""
    opens = {**SHELLS, "capacity": [{"from": "2026Q3", "value": 1000, "unit": "/quarter"}]}
    doc = shells_and_charges(opens, CHARGES)
    doc["items"][1]["loss"] = {"value": 0.1, "unit": "/quarter"}
    plan = solve(tmp_path, doc)
    assert grid(plan, "orders", "quantity", line="shells") == [0, 0, 1000, 1000]
    after_q3 = 400 / 0.9
    end_q2 = (after_q3 + 1000 - 600) / 0.9
    end_q1 = (end_q2 - 600) / 0.9
    assert held(plan) == pytest.approx([end_q1, end_q2, after_q3, 0], abs=1e-3)
    assert made(plan) == pytest.approx([end_q1, 600, 600, 600], abs=1e-3)


def test_a_component_line_serves_every_line_that_needs_it(tmp_path: Path) -> None:
    """Two shell lines of 1,000 a quarter each draw on one charge line of 600 a quarter: together
    they make 600 a quarter, whichever line makes them."""
    doc = shells_and_charges(SHELLS, line("more-shells", capacity=per_quarter(1000), needs={"charge": 1}), CHARGES)
    plan = solve(tmp_path, doc)
    assert grid(plan, "orders", "quantity") == [600, 600, 600, 600]
    assert used(plan) == [600, 600, 600, 600]


def test_components_of_components(tmp_path: Path) -> None:
    """A charge needs 3 kg of powder; the powder plant makes 1,200 kg a quarter: 400 charges a
    quarter, so 400 shells, though the charge line could make 600."""
    doc = shells_and_charges(
        SHELLS,
        {**CHARGES, "needs": {"powder": 3}},
        line("powder-plant", item="powder", capacity=per_quarter(1200)),
    )
    doc["items"].append(component("powder", unit="kg"))
    plan = solve(tmp_path, doc)
    assert grid(plan, "orders", "quantity", line="shells") == [400, 400, 400, 400]
    assert made(plan, line="charges") == [400, 400, 400, 400]
    assert used(plan, component="powder") == [1200, 1200, 1200, 1200]


def test_the_checker_needs_the_component_table_and_reads_it(tmp_path: Path) -> None:
    """A plan whose component table is left out, or says more charges were held than made, breaks
    the rules; the plan as made keeps them."""
    plan = solve(tmp_path, shells_and_charges(SHELLS, CHARGES))
    tables = (plan.model, plan.orders, plan.investments, plan.funding, plan.stock)
    assert [str(v) for v in check.check_plan(*tables)] == [
        "table — components: missing: the scenario has components, so the plan must say what was made"
    ]
    edited = plan.components.copy()
    edited.loc[(edited["flow"] == "held") & (edited["period"] == "2026Q2"), "quantity"] = 50.0
    found = [str(v) for v in check.check_plan(*tables, components=edited)]
    assert found == ["component — components row 7 (held): table says 50.00, production, orders and needs give 0.00"]
    fewer = plan.components[~((plan.components["flow"] == "made") & (plan.components["period"] == "2026Q3"))]
    found = [str(v) for v in check.check_plan(*tables, components=fewer)]
    assert "component — charge 2026Q3: lines use 600.0, but only 0.0 was made by then and carried" in found


def test_production_ready_after_the_horizon_breaks_the_lead_time_rule(tmp_path: Path) -> None:
    plan = solve(tmp_path, shells_and_charges(SHELLS, {**CHARGES, "lead": {"value": 3, "unit": "months"}}))
    late = pd.DataFrame(
        [{"component": "charge", "flow": "made", "line": "charges", "period": "2026Q4", "quantity": 10.0}]
    )
    components = pd.concat([plan.components, late], ignore_index=True)
    found = check.check_plan(plan.model, plan.orders, plan.investments, plan.funding, plan.stock, components=components)
    assert "lead time — charges 2026Q4: components started here would be ready after the horizon (lead 1 periods)" in [
        str(v) for v in found
    ]


def test_a_scenario_without_components_has_no_component_table(tmp_path: Path) -> None:
    plan = solve(tmp_path, scenario(lines=[line("a")], requirements=[target(100)]))
    assert "components" not in plan.tables()
    assert "component_bottlenecks" not in plan.summary()


def test_the_component_table_is_written_and_checked_from_a_plan_folder(tmp_path: Path) -> None:
    """`materiel plan` writes components.csv; `materiel check` on the folder reads it back, and
    finds a hand edit that claims fewer charges were made than the shells used."""
    from materiel.cli import run

    path = write(tmp_path, shells_and_charges(SHELLS, CHARGES))
    out = tmp_path / "out"
    assert run(["plan", str(path), "-o", str(out), "--no-charts"]) == 0
    assert (out / "components.csv").is_file()
    assert run(["check", str(out), "-s", str(path)]) == 0
    table = pd.read_csv(out / "components.csv")
    table.loc[table["flow"] == "made", "quantity"] = 1.0
    table.to_csv(out / "components.csv", index=False)
    assert run(["check", str(out), "-s", str(path)]) == 1


@st.composite
def with_components(draw: st.DrawFn) -> dict[str, Any]:
    """A random scenario of the property test with one or two components: each made on one or two
    lines (lead, capacity and expansion drawn, the first with a running pipeline or not), needed
    by some of the scenario's lines in random amounts, the second also by the first's lines."""
    doc = draw(scenarios())
    made_by: list[str] = []
    for c in range(draw(st.integers(1, 2))):
        ident = f"c{c}"
        doc["items"].append(component(ident, loss={"value": draw(st.floats(0, 0.3)), "unit": "/year"}))
        users = [ln for ln in doc["lines"] if ln["item"] not in made_by and draw(st.booleans())]
        users += [ln for ln in doc["lines"] if ln["item"] in made_by]  # c1 is needed by c0's lines
        for ln in users:
            ln.setdefault("needs", {})[ident] = draw(st.floats(0.1, 5))
        made_by.append(ident)
        for n in range(draw(st.integers(1, 2))):
            maker = {
                "id": f"{ident}-{n}",
                "supplier": "m",
                "country": draw(st.sampled_from(["DE", "FR", "US"])),
                "item": ident,
                "capacity": [{"from": draw(st.sampled_from(["2026Q1", "2026Q2"])), "value": draw(st.floats(0, 5000))}],
                "price": {"value": draw(st.floats(0.5, 50)), "unit": "EUR"},
                "lead": {"value": draw(st.integers(0, 9)), "unit": "months"},
            }
            if draw(st.booleans()):
                maker |= {
                    "expansion_max": {"value": draw(st.floats(1, 3000)), "unit": "/year"},
                    "capex": {"value": draw(st.floats(0.1, 20)), "unit": "EUR"},
                    "build": {"value": draw(st.integers(0, 9)), "unit": "months"},
                }
            doc["lines"].append(maker)
    return doc


@examples(40)
@given(with_components())
def test_random_scenarios_with_components_solve_and_pass_the_checker(doc: dict[str, Any]) -> None:
    assert_plan_keeps_its_rules(doc)


def test_a_commitment_the_components_cannot_supply_is_explained(tmp_path: Path) -> None:
    """1,000 shells committed in Q1, but only 600 charges can be ready then: no plan, and the
    explanation names the charge balance and the commitment."""
    doc = shells_and_charges(
        SHELLS, CHARGES, commitments=[{"line": "shells", "customer": "ukraine", "period": "2026Q1", "quantity": 1000}]
    )
    with pytest.raises(materiel.PlanError) as info:
        materiel.plan(write(tmp_path, doc))
    assert set(info.value.conflicts) >= {
        "component charge in 2026Q1: what lines shells use cannot exceed what charges made by then and what was "
        "carried",
        "commitment: 1,000 shell ordered on shells for ukraine in 2026Q1",
    }


def test_the_lps_shape_does_not_depend_on_ranged_component_figures(tmp_path: Path) -> None:
    """A sweep re-solves one LP in place: drawing another need, capacity or lead time of a
    component line changes numbers only, never which rows and columns exist."""
    from dataclasses import replace

    from materiel.planner.formulation import build
    from materiel.uncertainty.resolve import structure_key

    m = materiel.load(write(tmp_path, shells_and_charges(SHELLS, CHARGES)))[1]
    drawn = replace(m, need=m.need * 1.7, cap=m.cap * 0.3, lead=m.lead + 2)
    assert structure_key(build(drawn)) == structure_key(build(m))
    assert (build(drawn).lp.matrix() != build(m).lp.matrix()).nnz > 0


def test_three_things_that_bind_read_as_a_list() -> None:
    """Two keep the wording the limits table always had ('money and capacity'); three are a list."""
    assert limits._and(["money", "capacity"]) == "money and capacity"
    assert limits._and(["money", "capacity", "components"]) == "money, capacity and components"
    assert limits._and(["components"]) == "components" and limits._and([]) == ""
