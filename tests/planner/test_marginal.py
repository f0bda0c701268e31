"""Marginal values against finite differences: every kind the table reports is checked by planning
again with the input nudged (docs/model.md, "Marginal values")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import materiel
from tests import builders as b

PRICE = 1000.0  # EUR a shell
BUDGET = 100_000.0  # EUR a year: 100 shells
RTOL = 1e-6


def fund(budget: Any = BUDGET) -> list[dict[str, Any]]:
    return [
        {
            "id": "fund",
            "name": "Aid fund",
            "budget": budget if isinstance(budget, list) else {"value": budget, "unit": "EUR/year"},
        }
    ]


def plan(tmp_path: Path, doc: dict[str, Any], name: str = "s.yaml") -> materiel.Plan:
    return materiel.plan(b.write(tmp_path, doc, name))


def row(p: materiel.Plan, kind: str, **where: Any) -> Any:
    table = p.marginal_values
    table = table[table["kind"] == kind]
    for col, v in where.items():
        table = table[table[col] == v]
    assert len(table) == 1, f"{kind} {where}: {len(table)} rows"
    return table.iloc[0]


def changes(base: materiel.Plan, nudged: materiel.Plan) -> tuple[float, float]:
    """Weighted shortfall closed and money added by the nudge."""
    shortfall = base.objective.shortfall_optimum - nudged.objective.shortfall_optimum
    return shortfall, nudged.objective.money - base.objective.money


def money_short() -> dict[str, Any]:
    """300 shells wanted by 2026Q4, a line of 100 a quarter at EUR 1,000, EUR 100,000 a year: money binds."""
    return b.scenario(
        requirements=[b.target(300)],
        lines=[b.line("a", price={"value": PRICE, "unit": "EUR"})],
        funding=fund(),
    )


def test_money_that_binds_matches_a_larger_budget(tmp_path: Path) -> None:
    base = plan(tmp_path, money_short())
    entry = row(base, "money", id="fund", year=2026)
    # by hand: EUR 1,000 buys a shell, a shell is 1/300 of the target at weight 1
    assert entry["shortfall_per_unit"] == pytest.approx(1 / 300 / PRICE, rel=RTOL)
    assert entry["cost_per_unit"] == pytest.approx(1.0, rel=RTOL)
    delta = 10_000.0
    nudged = plan(tmp_path, {**money_short(), "funding": fund(BUDGET + delta)}, "n.yaml")
    closed, added = changes(base, nudged)
    assert closed == pytest.approx(entry["shortfall_per_unit"] * delta, rel=1e-5)
    assert added == pytest.approx(entry["cost_per_unit"] * delta, rel=1e-5)
    assert entry["name"] == "Aid fund"
    assert "10 shells of Ukraine's shell gap in 2026Q4" in entry["buys"]


def test_money_that_does_not_bind_is_worth_nothing(tmp_path: Path) -> None:
    doc = {**money_short(), "funding": fund(1e9)}  # 600 wanted, 400 a year made: capacity binds
    doc["requirements"] = [b.target(600)]
    base = plan(tmp_path, doc)
    assert base.objective.shortfall_optimum > 0.1  # still short: capacity, not money, binds
    assert (base.marginal_values["kind"] != "money").all()  # value 0: not listed
    nudged = plan(tmp_path, {**doc, "funding": fund(1e9 + 1e6)}, "n.yaml")
    closed, added = changes(base, nudged)
    assert closed == pytest.approx(0.0, abs=1e-9)
    assert added == pytest.approx(0.0, abs=1e-3)


def capacity_short() -> dict[str, Any]:
    """600 shells wanted by 2026Q4, one line of 100 a quarter at EUR 1, plenty of money."""
    return b.scenario(requirements=[b.target(600)], lines=[b.line("a")], funding=fund(1e9))


def test_capacity_per_period_matches_one_period_more(tmp_path: Path) -> None:
    base = plan(tmp_path, capacity_short())
    entry = row(base, "capacity", id="a", period="2026Q3")
    assert entry["shortfall_per_unit"] == pytest.approx(1 / 600, rel=RTOL)
    delta = 10.0  # a period: 40 a year from 2026Q3 to 2026Q4
    steps = [
        {"value": 400, "unit": "/year"},
        {"from": "2026Q3", "value": 400 + 4 * delta, "unit": "/year"},
        {"from": "2026Q4", "value": 400, "unit": "/year"},
    ]
    doc = capacity_short()
    doc["lines"] = [b.line("a", capacity=steps)]
    closed, added = changes(base, plan(tmp_path, doc, "n.yaml"))
    assert closed == pytest.approx(entry["shortfall_per_unit"] * delta, rel=1e-5)
    assert added == pytest.approx(entry["cost_per_unit"] * delta, rel=1e-5)
    assert entry["cost_per_unit"] == pytest.approx(1.0, rel=1e-5)  # each shell more costs EUR 1


def test_capacity_per_year_matches_a_larger_line(tmp_path: Path) -> None:
    base = plan(tmp_path, capacity_short())
    entry = row(base, "capacity-year", id="a", year=2026)
    delta = 40.0  # a year
    doc = capacity_short()
    doc["lines"] = [b.line("a", capacity={"value": 400 + delta, "unit": "/year"})]
    closed, added = changes(base, plan(tmp_path, doc, "n.yaml"))
    assert closed == pytest.approx(entry["shortfall_per_unit"] * delta, rel=1e-5)
    assert added == pytest.approx(entry["cost_per_unit"] * delta, rel=1e-5)
    assert "sentences" in base.summary()["marginal_values"]


def test_capacity_that_saves_money_without_shortfall(tmp_path: Path) -> None:
    """Phase 2's duals: 500 shells from a line at EUR 1 (400 a year) and one at EUR 2; nothing is
    short, so more money buys nothing more, but capacity on the cheap line saves EUR 1 a shell."""
    doc = b.scenario(
        requirements=[b.target(500)],
        lines=[b.line("cheap"), b.line("dear", price={"value": 2, "unit": "EUR"})],
        funding=fund(1e9),
    )
    base = plan(tmp_path, doc)
    assert base.objective.shortfall_optimum == pytest.approx(0.0, abs=1e-9)
    entry = row(base, "capacity-year", id="cheap", year=2026)
    assert entry["shortfall_per_unit"] == pytest.approx(0.0, abs=1e-12)
    assert entry["cost_per_unit"] == pytest.approx(-1.0, rel=1e-6)
    delta = 40.0
    doc["lines"] = [b.line("cheap", capacity={"value": 440, "unit": "/year"}), doc["lines"][1]]
    closed, added = changes(base, plan(tmp_path, doc, "n.yaml"))
    assert closed == pytest.approx(0.0, abs=1e-9)
    assert added == pytest.approx(entry["cost_per_unit"] * delta, rel=1e-5)
    sentences = base.summary()["marginal_values"]["sentences"]
    assert sentences[0].startswith("Every target is met: more money buys nothing more")


def test_share_matches_a_higher_share(tmp_path: Path) -> None:
    doc = capacity_short()
    doc["lines"] = [b.line("a", share={"ukraine": 0.5})]
    base = plan(tmp_path, doc)
    entry = row(base, "share", id="a")
    # one percentage point of 100 a quarter over 4 quarters: 4 shells, each 1/600 of the target
    assert entry["shortfall_per_unit"] == pytest.approx(4 / 600, rel=RTOL)
    doc["lines"] = [b.line("a", share={"ukraine": 0.55})]
    closed, added = changes(base, plan(tmp_path, doc, "n.yaml"))
    assert closed == pytest.approx(entry["shortfall_per_unit"] * 5, rel=1e-5)
    assert added == pytest.approx(entry["cost_per_unit"] * 5, rel=1e-5)
    assert entry["customer"] == "Ukraine"


def test_lead_time_matches_a_shorter_lead(tmp_path: Path) -> None:
    """Targets by 2026Q2 from a line with a lead time of two quarters: only 2026Q1's orders arrive
    in time; one quarter less lets 2026Q2's arrive too."""
    doc = b.scenario(
        requirements=[b.target(300, by="2026Q3")],
        lines=[b.line("a", lead={"value": 6, "unit": "months"})],
        funding=fund(1e9),
    )
    base = plan(tmp_path, doc)
    entry = row(base, "lead", id="a")
    doc["lines"] = [b.line("a", lead={"value": 3, "unit": "months"})]
    closed, added = changes(base, plan(tmp_path, doc, "n.yaml"))
    assert closed > 0.1
    assert entry["shortfall_per_unit"] == pytest.approx(closed, rel=1e-6)
    assert entry["cost_per_unit"] == pytest.approx(added, rel=1e-6)
    assert entry["method"] == "re-plan"
    assert "of Ukraine's shell gap" in entry["buys"]


def test_table_is_written_with_the_plan(tmp_path: Path) -> None:
    p = plan(tmp_path, money_short())
    tables = p.tables()
    assert list(tables["marginal_values"]["rank"]) == list(range(1, len(tables["marginal_values"]) + 1))
    top = p.summary()["marginal_values"]["top"][0]
    assert top["kind"] == "money" and top["id"] == "fund" and top["year"] == 2026


def test_a_degenerate_dual_is_replaced_by_what_the_step_does(tmp_path: Path) -> None:
    """Two years, money binding in both: the plan buys 2027's 100 shells in 2027Q1 at the line's
    full capacity, so capacity there has a dual although money, not the line, holds 2027 back; more
    capacity in 2027Q1 closes nothing, and the table does not say it would."""
    doc = money_short()
    doc["horizon"] = {**doc["horizon"], "periods": 8}
    base = plan(tmp_path, doc)
    table = base.marginal_values
    assert not ((table["kind"] == "capacity") & (table["period"] == "2027Q1")).any()
    steps = [
        {"value": 400, "unit": "/year"},
        {"from": "2027Q1", "value": 440, "unit": "/year"},
        {"from": "2027Q2", "value": 400, "unit": "/year"},
    ]
    doc["lines"] = [b.line("a", price={"value": PRICE, "unit": "EUR"}, capacity=steps)]
    closed, _ = changes(base, plan(tmp_path, doc, "n.yaml"))
    assert closed == pytest.approx(0.0, abs=1e-9)
    entry = row(base, "money", year=2027)  # and money's cost rate is what the step costs: EUR 1 a euro
    assert entry["method"] == "re-solve over the step"
    assert entry["cost_per_unit"] == pytest.approx(1.0, rel=1e-6)
    doc["lines"] = money_short()["lines"]
    doc["funding"] = fund(
        [{"value": BUDGET, "unit": "EUR/year"}, {"from": "2027Q1", "value": BUDGET + 10_000, "unit": "EUR/year"}]
    )
    closed, added = changes(base, plan(tmp_path, doc, "m.yaml"))
    assert closed == pytest.approx(entry["shortfall_per_unit"] * 10_000, rel=1e-5)
    assert added == pytest.approx(entry["cost_per_unit"] * 10_000, rel=1e-5)


def test_nothing_to_buy_and_plans_that_skip_them(tmp_path: Path) -> None:
    """A scenario without lines is short with nothing to buy: money closes no gap, said once; a
    comparison's other plans skip the marginal values and their summary has none."""
    from materiel.planner import make_plan
    from materiel.scenario.loader import load

    doc = b.scenario(requirements=[b.target(300)], funding=fund())
    p = plan(tmp_path, doc)
    assert p.summary()["marginal_values"]["sentences"][0].startswith("More money from any vehicle in any year")
    assert "marginal_values" not in p.tables()
    skipped = make_plan(load(b.write(tmp_path, money_short(), "m.yaml"))[1], marginal=False)
    assert "marginal_values" not in skipped.summary()


def test_the_rate_holds_up_to_its_range_and_not_beyond(tmp_path: Path) -> None:
    """600 wanted, 400 made: 200 more capacity in 2026Q3 closes the gap at the rate, more does not."""
    base = plan(tmp_path, capacity_short())
    entry = row(base, "capacity", id="a", period="2026Q3")
    assert entry["valid_up_to"] == pytest.approx(200.0, rel=1e-6)  # HiGHS's ranging, by hand: the gap

    def closed_with(delta: float) -> float:
        steps = [
            {"value": 400, "unit": "/year"},
            {"from": "2026Q3", "value": 400 + 4 * delta, "unit": "/year"},
            {"from": "2026Q4", "value": 400, "unit": "/year"},
        ]
        doc = capacity_short()
        doc["lines"] = [b.line("a", capacity=steps)]
        return changes(base, plan(tmp_path, doc, f"n{delta:g}.yaml"))[0]

    assert closed_with(200.0) == pytest.approx(entry["shortfall_per_unit"] * 200, rel=1e-6)
    assert closed_with(400.0) == pytest.approx(entry["shortfall_per_unit"] * 200, rel=1e-6)  # not × 400


def test_days_of_war_and_readiness_are_those_of_the_plan_after_the_step(tmp_path: Path) -> None:
    """600 shells wanted, 400 a year made, 10 fired a day in war and no surge production counted:
    400 shells last 40 days; the re-solved step's days of war are what the assessment gives the plan
    made with the step (docs/model.md, "Marginal values": surge production stays at the scenario's)."""
    doc = capacity_short()
    doc["items"] = [b.shell(unit="shell", stock={"ukraine": 0}, wartime_use={"value": 10, "unit": "/day"})]
    doc["assessment"] = {"surge": False}
    base = plan(tmp_path, doc)
    entry = row(base, "capacity-year", id="a", year=2026)
    assert entry["method"] == "re-solve over the step"
    nudged_doc = {**doc, "lines": [b.line("a", capacity={"value": 400 + entry["step"], "unit": "/year"})]}
    nudged = plan(tmp_path, nudged_doc, "n.yaml")
    before = materiel.assess(base).bottleneck_in(2026)[1]
    after = materiel.assess(nudged).bottleneck_in(2026)[1]
    assert before == pytest.approx(40.0) and after == pytest.approx(40.0 + entry["step"] / 10)  # by hand
    assert entry["days_of_war"] == pytest.approx(after, rel=1e-6)
    assert f"2026 days of war from {before:.0f} to {after:.0f}" in entry["buys"]
