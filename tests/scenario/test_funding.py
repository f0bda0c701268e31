"""Who pays and how much: schedules that grow, budgets that are a share of GDP, contributing
countries, and the recipients' own money (docs/scenario.md, "Time profiles" and "Who pays")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import materiel
from materiel.report.files import summary
from materiel.scenario.errors import ScenarioError
from tests.builders import line, scenario, solve, target, write

THREE_YEARS = {"start": "2026Q1", "periods": 12, "period": "quarter"}


def fund(id: str = "f", **kw: Any) -> dict[str, Any]:
    return {"id": id, "name": id, "budget": {"value": 1e9, "unit": "EUR/year"}, **kw}


def problems(tmp_path: Path, doc: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        materiel.load(write(tmp_path, doc))
    return [f"{'.'.join(map(str, p.loc))}: {p.message}" for p in exc.value.problems]


# -- a start value and a growth rate ------------------------------------------------------------


def test_a_capacity_grows_each_calendar_year_up_to_its_cap(tmp_path: Path) -> None:
    """400 a year growing 10 % a year, capped at 500: 400 in 2026, 440 in 2027, 484 in 2028
    (400 × 1.1² = 484 < 500); a quarter is a quarter of that."""
    capacity = {"value": 400, "unit": "/year", "growth": {"value": 10, "unit": "%"}, "cap": 500}
    doc = scenario(horizon=THREE_YEARS, lines=[line("a", capacity=capacity)])
    _, m = materiel.load(write(tmp_path, doc))
    assert (m.cap[0] * 4).tolist() == pytest.approx([400] * 4 + [440] * 4 + [484] * 4)


def test_growth_stops_at_the_cap_and_restarts_at_the_next_step(tmp_path: Path) -> None:
    """A budget of 100 growing 50 % with a cap of 200: 100, 150, 200 (not 225); a step from 2029
    of 10 without growth replaces it."""
    budget = [
        {"value": 100, "unit": "EUR/year", "growth": 0.5, "cap": 200},
        {"from": 2029, "value": 10, "unit": "EUR/year"},
    ]
    doc = scenario(horizon={"start": "2026Q1", "periods": 16}, funding=[fund(budget=budget)])
    _, m = materiel.load(write(tmp_path, doc))
    assert m.budget[0].tolist() == pytest.approx([100, 150, 200, 10])


def test_a_shrinking_price_stops_at_its_floor(tmp_path: Path) -> None:
    """EUR 10 falling 50 % a year, floor 4: 10, 5, 4."""
    price = {"value": 10, "unit": "EUR", "growth": -0.5, "cap": 4}
    doc = scenario(horizon=THREE_YEARS, lines=[line("a", price=price)])
    _, m = materiel.load(write(tmp_path, doc))
    assert m.price[0, ::4].tolist() == pytest.approx([10, 5, 4])


def test_a_plan_spends_a_growing_budget_within_each_year(tmp_path: Path) -> None:
    """EUR 100 in 2026 growing 100 %: 200 in 2027. A target of 300 shells at EUR 1 by 2027Q4 and
    a line of 400 a year: 100 bought in 2026, 200 in 2027; every euro spent both years."""
    doc = scenario(
        horizon={"start": "2026Q1", "periods": 8},
        lines=[line("a")],
        funding=[fund(budget={"value": 100, "unit": "EUR/year", "growth": 1.0})],
        requirements=[target(300, by="2027Q4")],
    )
    plan = solve(tmp_path, doc)
    assert plan.envelope["spent"].tolist() == pytest.approx([100, 200])
    assert plan.envelope["share_used"].tolist() == pytest.approx([1.0, 1.0])


@pytest.mark.parametrize(
    ("step", "where", "words"),
    [
        ({"growth": -1.5}, "budget.0.growth.value", "at least -1"),
        ({"growth": {"value": -150, "unit": "%"}}, "budget.0.growth.value", "at least -1"),
        ({"growth": 0.1, "cap": 50}, "budget.0.cap", "at least the start value 100"),
        ({"growth": -0.1, "cap": 150}, "budget.0.cap", "at most the start value 100"),
        ({"cap": 150}, "budget.0.cap", "give growth too"),
        ({"growth": {"value": 3, "unit": "%/month"}}, "budget.0.growth.unit", "growth rate is yearly"),
        ({"value": 1e13, "growth": 9}, "budget.0.growth", "grown to 1e+15 by 2028"),
    ],
)
def test_bad_growth_is_a_located_error(tmp_path: Path, step: dict, where: str, words: str) -> None:
    budget = [{"value": 100, "unit": "EUR/year", **step}]
    found = problems(tmp_path, scenario(horizon=THREE_YEARS, funding=[fund(budget=budget)]))
    assert any(p.startswith(f"funding.0.{where}") and words in p for p in found), found


# -- a share of GDP -------------------------------------------------------------------------------


def gdp_fund(share: Any = 0.25, **gdp: Any) -> dict[str, Any]:
    spec = {"value": 4000, "unit": "EUR bn/year", **gdp}
    return {"id": "de", "name": "Germany", "gdp_share": {"country": "DE", "share": share, "gdp": spec}}


def test_a_budget_can_be_a_share_of_a_growing_gdp(tmp_path: Path) -> None:
    """0.25 % of a GDP of EUR 4,000 bn growing 2 %: EUR 10 bn, then 10.2 bn; the GDP country
    is the sole contributor."""
    doc = scenario(
        horizon={"start": "2026Q1", "periods": 8},
        funding=[gdp_fund({"value": 0.25, "unit": "%"}, growth=0.02)],
    )
    _, m = materiel.load(write(tmp_path, doc))
    assert m.budget[0].tolist() == pytest.approx([10e9, 10.2e9])
    assert m.contributors == [{"DE": 1.0}]


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (
            {"gdp_share": {"country": "DE", "share": 1.5, "gdp": 1e9}, "budget": None},
            "gdp_share.share.value",
            "between 0 and 1",
        ),
        (
            {"gdp_share": {"country": "XX", "share": 0.1, "gdp": 1e9}, "budget": None},
            "gdp_share.country",
            "unknown country",
        ),
        ({"gdp_share": {"country": "DE", "share": 0.1, "gdp": 1e9}, "budget": 5}, "", "exactly one of"),
        ({"budget": None}, "", "exactly one of"),
    ],
)
def test_bad_gdp_share_is_a_located_error(tmp_path: Path, change: dict, where: str, words: str) -> None:
    f = {k: v for k, v in {**fund(), **change}.items() if v is not None}
    found = problems(tmp_path, scenario(funding=[f]))
    assert any(p.startswith(f"funding.0{'.' + where if where else ''}") and words in p for p in found), found


# -- contributors and the recipients' own money --------------------------------------------------


@pytest.mark.parametrize(
    ("contributors", "where", "words"),
    [
        ({"DE": 0.5, "FR": 0.4}, "contributors", "DE 0.5 + FR 0.4 = 0.9"),
        ({"DE": 0.5, "FR": 0.6}, "contributors", "must sum to 1"),
        ({"DE": 1.2, "FR": -0.2}, "contributors.DE", "between 0 and 1"),
        ({"XX": 1}, "contributors.XX", "unknown country"),
        ({}, "contributors", "at least one"),
    ],
)
def test_bad_contributors_are_located_errors(tmp_path: Path, contributors: dict, where: str, words: str) -> None:
    found = problems(tmp_path, scenario(funding=[fund(contributors=contributors)]))
    assert any(p.startswith(f"funding.0.{where}") and words in p for p in found), found


def own_and_aid() -> dict[str, Any]:
    """Ukraine needs 400 shells by 2026Q4. Its own budget (EUR 100, UA lines only) and an aid
    vehicle (EUR 1,000, Germany 60 %, France 40 %) pay; a Ukrainian line makes 100 a year at EUR 1,
    a German one 400 a year at EUR 1."""
    return scenario(
        lines=[line("de"), line("ua", country="UA", capacity={"value": 100, "unit": "/year"})],
        funding=[
            fund(
                "ua-budget", budget={"value": 100, "unit": "EUR/year"}, own=True, origins=["UA"], customers=["ukraine"]
            ),
            fund("aid", budget={"value": 1000, "unit": "EUR/year"}, contributors={"DE": 0.6, "FR": 0.4}),
        ],
        requirements=[target(400)],
    )


def test_money_per_contributor_and_own_means_apart_from_aid(tmp_path: Path) -> None:
    """400 shells at EUR 1 = EUR 400. Ukraine's own budget pays first where it may (docs/model.md,
    "Objective: lexicographic"): all 100 from the Ukrainian line, EUR 100; aid pays the other
    EUR 300, of which Germany 60 % (180) and France 40 % (120)."""
    plan = solve(tmp_path, own_and_aid())
    s = summary(plan, None)
    assert s["own_means"] == pytest.approx(100) and s["aid"] == pytest.approx(300)
    assert s["spend_by_contributor"]["DE"]["2026"] == pytest.approx(180)
    assert s["spend_by_contributor"]["FR"]["2026"] == pytest.approx(120)
    assert s["spend_by_contributor"]["not split"]["2026"] == pytest.approx(100)
    assert s["envelope_use"]["2026"]["budget"] == pytest.approx(1100)
    assert s["envelope_use"]["2026"]["spent"] == pytest.approx(400)


@pytest.mark.parametrize("own_first_in_file", [True, False])
def test_own_money_pays_before_aid_where_both_may(tmp_path: Path, own_first_in_file: bool) -> None:
    """300 shells from a Ukrainian line at EUR 1; aid (EUR 1,000, anywhere) and Ukraine's own
    budget (EUR 1,000, UA lines) may both pay. Whichever comes first in the file, Ukraine's budget
    pays all EUR 300 and aid nothing (before the fix the first vehicle in the file paid: aid 300)."""
    funds = [
        fund("aid", budget={"value": 1000, "unit": "EUR/year"}),
        fund("ua", budget={"value": 1000, "unit": "EUR/year"}, own=True, origins=["UA"]),
    ]
    if own_first_in_file:
        funds.reverse()
    doc = scenario(lines=[line("ua", country="UA")], funding=funds, requirements=[target(300)])
    s = summary(solve(tmp_path, doc), None)
    assert (s["own_means"], s["aid"]) == (pytest.approx(300), 0)
    assert s["total_cost"] == pytest.approx(300)


def test_a_declared_contributor_list_names_the_recipient_too(tmp_path: Path) -> None:
    """Ukraine's own budget with contributors {UA: 1}: UA's row is what its budget paid."""
    doc = own_and_aid()
    doc["funding"][0]["contributors"] = {"UA": 1}
    plan = solve(tmp_path, doc)
    by = plan.spend_by_contributor()
    assert by.loc["UA", 2026] == pytest.approx(summary(plan, None)["own_means"])
    assert set(plan.contributions.loc[plan.contributions["own"], "contributor"]) == {"UA"}


def test_the_own_budget_is_not_in_the_envelope_and_cannot_pay_a_force(tmp_path: Path) -> None:
    doc = own_and_aid()
    doc["funding"][1]["customers"] = ["ukraine"]
    _, m = materiel.load(write(tmp_path, doc, "envelope.yaml"))
    assert m.policy.envelope == [1]  # the aid vehicle only, though both buy only for Ukraine
    doc["options"] = {
        "reassurance": {"cost_per_soldier_year": 1, "rotation": 1, "willing": 1, "envelope": ["aid", "ua-budget"]}
    }
    found = problems(tmp_path, doc)
    assert any(p.startswith("options.reassurance.envelope.1") and "own money" in p for p in found), found


def test_a_scenario_without_the_new_fields_plans_as_before(tmp_path: Path) -> None:
    """No contributors, no own money: one 'not split' row per year, no own means, all aid."""
    doc = scenario(lines=[line("a")], requirements=[target(400)])
    plan = solve(tmp_path, doc)
    s = summary(plan, None)
    assert s["own_means"] == 0 and s["aid"] == pytest.approx(400)
    assert list(s["spend_by_contributor"]) == ["not split"]


def test_scaling_a_growing_schedule_scales_its_cap(tmp_path: Path) -> None:
    """A what-if tripling a budget of 100 growing 50 % to a cap of 200: 300, 450, 600 (before the
    fix the cap stayed at 200, below the new start, and the what-if was refused)."""
    doc = scenario(
        horizon=THREE_YEARS,
        funding=[fund(budget={"value": 100, "unit": "EUR/year", "growth": 0.5, "cap": 200})],
        overrides={"more": {"scale": {"funding[f].budget": 3}}},
    )
    _, m = materiel.load(write(tmp_path, doc), ["more"])
    assert m.budget[0].tolist() == pytest.approx([300, 450, 600])


def test_the_command_line_refuses_bad_funding_with_exit_2(tmp_path: Path, run) -> None:
    """Every problem at once, each with file, line and field."""
    doc = scenario(
        horizon=THREE_YEARS,
        funding=[
            fund(budget=[{"value": 100, "unit": "EUR/year", "growth": -2}]),
            fund("g", budget=None, gdp_share={"country": "DE", "share": 2, "gdp": 1e12}),
            fund("c", contributors={"DE": 0.7, "FR": 0.7}),
        ],
    )
    doc["funding"][1].pop("budget")
    code, _, err = run("validate", str(write(tmp_path, doc)))
    assert code == 2
    assert "funding[f].budget[0].growth.value: a growth rate" in err
    assert "funding[g].gdp_share.share.value: a share must lie between 0 and 1" in err
    assert "funding[c].contributors: contributors' shares must sum to 1: DE 0.7 + FR 0.7 = 1.4" in err
    assert err.count("s.yaml:") == 3


def test_a_sweep_varies_a_growth_rate_and_a_gdp_share(tmp_path: Path) -> None:
    from materiel.uncertainty.sampling import uncertain_inputs

    growth = {"value": 0.02, "low": 0, "high": 0.05, "assumption": "test"}
    doc = scenario(funding=[gdp_fund({"value": 0.001, "low": 0.0005, "high": 0.002}, growth=growth)])
    sc, _ = materiel.load(write(tmp_path, doc))
    assert [x.path for x in uncertain_inputs(sc)] == [
        "funding[de].gdp_share.share",
        "funding[de].gdp_share.gdp[0].growth",
    ]
