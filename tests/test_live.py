"""Live what-ifs (materiel.live): sliders for every ranged figure, and warm re-plans that give
what a fresh full plan of the scenario with ``--set PATH=VALUE`` gives."""

from __future__ import annotations

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import materiel
from materiel.assessment import assess
from materiel.live import LiveCache, LiveError, LivePlanner, model_key, sliders
from materiel.live.planner import PREFERENCE_NOTE
from materiel.live.sliders import nice_step
from materiel.planner.formulation import build
from tests.builders import line, scenario, shell, write

TIMINGS = ("seconds", "solver_seconds", "iterations")


def live_doc() -> dict:
    """One item used in war, two lines (one ranged in capacity, price and lead time, the other in
    price and share), one ranged budget that binds: every figure moves the plan, and each plan
    solves in milliseconds."""
    return scenario(
        horizon={"start": "2026Q1", "periods": 8},
        items=[shell(stock={"ukraine": 50}, wartime_use={"value": 20, "unit": "/day", "low": 10, "high": 40})],
        lines=[
            line(
                "a",
                supplier="Alpha Munitions",
                price={"value": 1, "unit": "EUR", "low": 0.5, "high": 2},
                capacity={"value": 400, "unit": "/year", "low": 200, "high": 600},
                lead={"value": 3, "unit": "months", "low": 0, "high": 9},
            ),
            line(
                "b",
                supplier="Bravo Arms",
                price={"value": 2, "unit": "EUR", "low": 1, "high": 3},
                country="US",
                share={"ukraine": {"value": 1, "low": 0, "high": 1}},
            ),
        ],
        funding=[
            {"id": "fund", "name": "Joint fund", "budget": {"value": 600, "unit": "EUR/year", "low": 300, "high": 900}}
        ],
        requirements=[
            {
                "customer": "ukraine",
                "item": "shell",
                "targets": [{"by": "2026Q1", "value": 100}, {"by": "2027Q4", "value": 1000}],
            }
        ],
    )


@pytest.fixture
def live_file(tmp_path: Path) -> Path:
    return write(tmp_path, live_doc(), "live.yaml")


@pytest.fixture
def live(live_file: Path) -> LivePlanner:
    return LivePlanner(materiel.load(live_file)[1])


def figures(headline) -> dict:
    """A headline without its timings: what must repeat exactly."""
    out = headline.as_dict()
    for key in TIMINGS:
        out.pop(key)
    return out


def test_sliders_are_every_ranged_figure_named_with_its_set_path(live_file: Path) -> None:
    _, model = materiel.load(live_file)
    found = sliders(model)
    assert [s.path for s in found] == [
        "items[shell].wartime_use",
        "lines[a].capacity",
        "lines[a].price",
        "lines[a].lead",
        "lines[b].price",
        "lines[b].share.ukraine",
        "funding[fund].budget",
    ]
    budget = found[-1]
    assert (budget.low, budget.base, budget.high, budget.unit) == (300, 600, 900, "EUR/year")
    assert budget.step == 5 and budget.section == "funding" and budget.section_label == "Funding"
    assert budget.label == "Vehicle Joint fund — budget"
    assert found[1].label == "Line Alpha Munitions — capacity"
    assert budget.sweep_path == "funding[fund].budget[0]"
    assert json.loads(json.dumps([s.as_dict() for s in found]))[-1]["path"] == "funding[fund].budget"


def test_sliders_of_the_default_carry_their_source_and_are_valid_set_paths() -> None:
    """Every slider path of the shipped default, given to --set with its written value, loads and
    builds the very same LP: the paths name what the panel moves, in the command line's syntax."""
    _, model = materiel.load()
    found = sliders(model)
    assert len(found) == len({s.path for s in found}) > 100
    purl = next(s for s in found if s.path == "funding[nato-purl].budget")
    assert purl.source and purl.as_of and purl.unit == "USD bn/year" and purl.low < purl.base < purl.high
    assert "NATO PURL" in purl.label
    _, again = materiel.load(None, [], [(s.path, s.base) for s in found])
    a, b = build(model), build(again)
    assert (a.lp.solver_matrix() != b.lp.solver_matrix()).nnz == 0
    for x, y in zip(a.lp.solver_bounds(), b.lp.solver_bounds(), strict=True):
        assert np.array_equal(x, y)
    assert np.array_equal(a.money_cost, b.money_cost)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("funding[fund].budget", 450.0),  # a budget: a right-hand side
        ("funding[fund].budget", 1200.0),  # outside its range: allowed, flagged
        ("lines[a].capacity", 250.0),  # a capacity: bounds
        ("lines[a].price", 1.7),  # a price: matrix entries (the LP is passed whole)
        ("lines[a].lead", 9.0),  # a lead time: deliveries move to other periods
        ("items[shell].wartime_use", 40.0),  # the assessment's use in war
        ("lines[b].share.ukraine", 0.0),  # a share: the LP takes another shape, solved cold
    ],
)
def test_a_replan_gives_what_a_fresh_plan_with_set_gives(
    live: LivePlanner, live_file: Path, path: str, value: float
) -> None:
    head = live.replan({path: value})
    plan = materiel.plan(live_file, set={path: value})
    a = assess(plan)
    assert head.status == "optimal"
    assert head.total_cost == pytest.approx(plan.total_cost, rel=1e-6)
    assert head.readiness_date == a.readiness.period
    item, days = a.bottleneck_in(a.year)
    assert head.bottleneck == "shell" == item
    assert head.days_of_war == pytest.approx(days, rel=1e-6)
    split = plan.summary()["money_by_customer"]["ukraine"]
    assert head.money_by_customer["ukraine"]["total"] == pytest.approx(split["total"], rel=1e-6)
    assert head.changes == {path: value}
    assert head.in_place == (path != "lines[b].share.ukraine")
    assert head.outside_range == ([path] if value == 1200.0 else [])
    spent = plan.envelope.groupby("year")["spent"].sum()
    assert {int(y): e["spent"] for y, e in head.envelope_use.items()} == pytest.approx(
        spent.to_dict(), rel=1e-6, abs=0.01
    )


def test_the_figures_move_the_headline(live: LivePlanner) -> None:
    """The fixture is built so each kind of figure changes the answer (else the test above proves little)."""
    base = live.base
    assert live.replan({"funding[fund].budget": 450.0}).shortfall > base.shortfall
    assert live.replan({"lines[a].price": 1.7}).total_cost != base.total_cost
    assert live.replan({"items[shell].wartime_use": 40.0}).days_of_war < base.days_of_war


def test_resetting_to_the_written_values_gives_the_base_headline_exactly(live: LivePlanner) -> None:
    base = figures(live.base)
    moves = (
        {"lines[a].price": 1.7},
        {"lines[a].lead": 9.0},
        {"lines[b].share.ukraine": 0.0},
        {"funding[fund].budget": 450.0},
    )
    for change in moves:
        live.replan(change)
        assert figures(live.replan({})) == base
    live.replan({"lines[a].capacity": 250.0})
    written = {s.path: s.base for s in live.sliders}
    assert figures(live.replan(written)) == base | {"changes": written}


def test_the_base_headline_is_the_full_plan(live: LivePlanner, live_file: Path) -> None:
    plan = materiel.plan(live_file)
    assert live.base.total_cost == pytest.approx(plan.total_cost, rel=1e-9)
    assert live.base.readiness_date == assess(plan).readiness.period
    assert live.base.customer == "Ukraine" and live.base.currency == "EUR" and live.base.notes == []
    assert json.loads(json.dumps(live.base.as_dict()))["total_cost"] == live.base.total_cost


def test_a_sweep_path_names_the_same_figure(live: LivePlanner) -> None:
    by_sweep = live.replan({"funding[fund].budget[0]": 450.0})
    assert figures(by_sweep) == figures(live.replan({"funding[fund].budget": 450.0}))


def test_a_path_that_is_not_a_ranged_figure_is_a_located_error(live: LivePlanner) -> None:
    with pytest.raises(LiveError) as typo:
        live.replan({"funding[fund].budgt": 450.0})
    assert str(typo.value).startswith("funding[fund].budgt: not a ranged figure of t;")
    assert "did you mean funding[fund].budget?" in str(typo.value)
    with pytest.raises(LiveError) as fixed:
        live.replan({"lines[b].capacity": 100.0})  # written without a range
    assert "lines[b].capacity: not a ranged figure" in str(fixed.value)
    assert "written with low and high (7 here, e.g. items[shell].wartime_use" in str(fixed.value)
    with pytest.raises(LiveError, match=r"^lines\[a\].price: needs a finite number in EUR \(got 'cheap'\)"):
        live.replan({"lines[a].price": "cheap"})
    with pytest.raises(LiveError, match=r"^funding\[fund\].budget: .*cannot be negative"):
        live.replan({"funding[fund].budget": -5.0, "lines[a].price": 1.5})  # located at the figure refused
    assert figures(live.replan({})) == figures(live.base)  # a refused change leaves nothing behind


def test_threads_each_get_the_plan_of_their_own_value(live: LivePlanner, live_file: Path) -> None:
    values = [350.0, 450.0, 500.0, 550.0]
    expected = {v: materiel.plan(live_file, set={"funding[fund].budget": v}).total_cost for v in values}
    start = threading.Barrier(len(values))

    def move(value: float) -> tuple[float, float | None]:
        start.wait()
        got = [live.replan({"funding[fund].budget": value}).total_cost for _ in range(3)]
        assert len(set(got)) == 1
        return value, got[0]

    with ThreadPoolExecutor(len(values)) as pool:
        results = list(pool.map(move, values))
    assert len(set(expected.values())) == len(values)  # four different answers to get right
    for value, cost in results:
        assert cost == pytest.approx(expected[value], rel=1e-6)


def test_the_cache_keeps_one_planner_per_key_and_builds_it_once(live_file: Path) -> None:
    _, model = materiel.load(live_file)
    cache = LiveCache(size=2)
    loads = []

    def load() -> materiel.ModelData:
        loads.append(1)
        return model

    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda _: cache.planner("v1", load), range(4)))
    assert len(loads) == 1 and all(p is got[0] for p in got)
    assert cache.for_model(model) is cache.for_model(model)
    assert model_key(model) != model_key(materiel.load(live_file, sets=[("funding[fund].budget", 500)])[1])
    cache.planner("v2", load)  # the least recently used ("v1") is dropped
    assert len(cache) == 2 and cache.planner("v1", load) is not got[0]


def test_on_the_default_a_budget_move_matches_a_full_plan() -> None:
    _, model = materiel.load()
    live = LivePlanner(model)
    path = "funding[europe-national].budget"
    head = live.replan({path: 6.0})
    plan = materiel.plan(set={path: 6.0})
    assert head.total_cost != pytest.approx(live.base.total_cost, rel=1e-6)
    assert head.total_cost == pytest.approx(plan.total_cost, rel=1e-6)
    assert head.readiness_date == assess(plan).readiness.period
    assert head.in_place


def test_the_example_in_the_docs_runs() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "api.md").read_text()
    example = re.search(r"## Live what-ifs\n.*?```python\n(.*?)```", docs, re.S)
    assert example is not None
    namespace: dict = {}
    exec(compile(example.group(1), "docs/api.md", "exec"), namespace)  # our own documentation
    live, head = namespace["live"], namespace["head"]
    assert head.changes == {"funding[nato-purl].budget": 4.0} and head.status == "optimal"
    assert figures(live.replan({})) == figures(live.base)


def test_a_move_with_no_plan_says_so_and_the_next_one_plans_again(tmp_path: Path) -> None:
    """A commitment of 90 shells from line a in the first quarter: at 200 a year (50 a quarter)
    no plan keeps it."""
    doc = live_doc() | {"commitments": [{"line": "a", "customer": "ukraine", "period": "2026Q1", "quantity": 90}]}
    live = LivePlanner(materiel.load(write(tmp_path, doc))[1])
    assert live.base.status == "optimal"
    head = live.replan({"lines[a].capacity": 200.0})
    assert head.status.startswith("no optimal plan: ") and head.status != "no optimal plan: "
    assert head.total_cost is None and head.readiness_date is None and head.money_by_customer == {}
    assert json.loads(json.dumps(head.as_dict()))["changes"] == {"lines[a].capacity": 200.0}
    assert figures(live.replan({})) == figures(live.base)


def test_a_planner_that_cannot_be_built_is_not_kept(live_file: Path) -> None:
    cache = LiveCache()

    def broken() -> materiel.ModelData:
        raise LiveError("v1", "cannot load")

    with pytest.raises(LiveError, match="cannot load"):
        cache.planner("v1", broken)
    assert len(cache) == 0
    assert cache.planner("v1", lambda: materiel.load(live_file)[1]).base.status == "optimal"


def test_a_scenario_with_a_preference_is_noted(tmp_path: Path) -> None:
    """Phase 3 (the preference among equally good plans) is not run live: the headline says so."""
    doc = live_doc() | {"preference": {"prefer": ["US"]}}
    path = write(tmp_path, doc)
    head = LivePlanner(materiel.load(path)[1]).replan({"lines[a].price": 1.7})
    assert head.notes == [PREFERENCE_NOTE]
    assert head.total_cost == pytest.approx(materiel.plan(path, set={"lines[a].price": 1.7}).total_cost, rel=1e-6)


@pytest.mark.parametrize(
    ("low", "high", "step"),
    [(300, 900, 5), (0, 9, 0.05), (0.5, 2, 0.01), (0, 1, 0.01), (0.9, 1.0, 0.001), (0, 250, 2), (7, 7, 1)],
)
def test_a_step_is_about_a_hundredth_of_the_range_at_1_2_or_5(low: float, high: float, step: float) -> None:
    """(0.9, 1.0): a hundredth is 0.000999… in floating point, which log10 rounds to -3."""
    assert nice_step(low, high) == pytest.approx(step)
