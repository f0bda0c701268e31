"""Ranges over the equally good plans, and the preference that picks one of them (planner/face.py).

Two lines make the same shell at the same price, one in Germany (Europe) and one in Ukraine; a
target of 100 shells by the end of 2026 can be met from either, so every split between them is
equally short (not at all) and equally cheap (EUR 100). The budget of EUR 1,000 a year keeps the
LP's money unit at one euro.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import materiel
from materiel.planner import FaceOptions, make_plan
from materiel.scenario.loader import load
from tests.builders import line, scenario, target, write
from tests.planner.test_properties import examples, scenarios

FUND = [{"id": "fund", "name": "fund", "budget": {"value": 1000, "unit": "EUR/year"}}]


def two_lines(de: dict | None = None, ua: dict | None = None, **sections: object) -> dict:
    """The two-line scenario; ``de`` and ``ua`` change the lines' fields."""
    return scenario(
        **{
            "lines": [line("de", country="DE", **(de or {})), line("ua", country="UA", **(ua or {}))],
            "requirements": [target(100)],
            "funding": FUND,
            **sections,
        }
    )


def plan(tmp_path: Path, doc: dict, face: FaceOptions | None = None) -> materiel.Plan:
    """Plan with the ranges asked for; the independent checker must accept the plan."""
    result = make_plan(load(write(tmp_path, doc))[1], face=face or FaceOptions())
    assert materiel.check(result) == []
    return result


def bought(result: materiel.Plan, line_id: str) -> float:
    return float(result.orders.loc[result.orders["line"] == line_id, "quantity"].sum())


def test_same_price_in_two_countries_spans_every_split(tmp_path: Path) -> None:
    face = plan(tmp_path, two_lines()).face
    assert face is not None
    share = face.europe_share[""]
    assert share.low == pytest.approx(0.0, abs=1e-6) and share.high == pytest.approx(1.0, abs=1e-6)
    assert face.europe_share["ukraine"].low == pytest.approx(0.0, abs=1e-6)  # the only customer: the same range
    assert share.low <= share.value <= share.high


def test_a_capacity_limit_narrows_the_range(tmp_path: Path) -> None:
    # Ukraine's line makes 60 a year: at least 40 of the 100 shells come from Germany.
    share = plan(tmp_path, two_lines(ua={"capacity": {"value": 60, "unit": "/year"}})).face.europe_share[""]
    assert share.low == pytest.approx(0.4, abs=1e-6) and share.high == pytest.approx(1.0, abs=1e-6)


def test_a_unique_optimum_has_a_range_of_zero_width(tmp_path: Path) -> None:
    result = plan(tmp_path, two_lines(ua={"price": {"value": 2, "unit": "EUR"}}))
    share = result.face.europe_share[""]
    assert share.low == pytest.approx(1.0, abs=1e-6) and share.width == pytest.approx(0.0, abs=1e-6)
    assert bought(result, "de") == pytest.approx(100)


def test_near_optimal_plans_may_cost_the_slack_more(tmp_path: Path) -> None:
    # Ukraine's shells cost EUR 1.05: within 2.5 % of the least cost (EUR 100) Ukraine may make
    # 50 of them (50 × 0.05 = 2.5), so Europe's share of the money falls to 50 / (50 + 52.5);
    # at the least cost it stays 1.
    doc = two_lines(ua={"price": {"value": 1.05, "unit": "EUR"}})
    near = plan(tmp_path, doc, FaceOptions(near_optimal=0.025)).face
    assert near.europe_share[""].low == pytest.approx(50 / 102.5, abs=1e-6) and near.cost_slack == 0.025
    assert plan(tmp_path, doc).face.europe_share[""].low == pytest.approx(1.0, abs=1e-6)


def test_yearly_spending_ranges_over_when_orders_are_placed(tmp_path: Path) -> None:
    # Two years, the target at the end of the second: the 100 shells (EUR 100) may be bought in
    # either year, so each year's spending ranges from 0 to 100.
    doc = two_lines(
        horizon={"start": "2026Q1", "periods": 8, "period": "quarter"}, requirements=[target(100, by="2027Q4")]
    )
    face = plan(tmp_path, doc, FaceOptions(years=True)).face
    for year in (2026, 2027):
        r = face.spend_by_year[year]
        assert r.low == pytest.approx(0.0, abs=1e-3) and r.high == pytest.approx(100.0, abs=1e-3)


@pytest.mark.parametrize(("prefer", "line_id"), [(["UA"], "ua"), (["EUROPE"], "de"), (["DE", "UA"], "de")])
def test_the_preference_picks_the_preferred_line_at_the_same_shortfall_and_cost(
    tmp_path: Path, prefer: list[str], line_id: str
) -> None:
    without = plan(tmp_path, two_lines())
    result = plan(tmp_path, two_lines(preference={"prefer": prefer}))
    assert bought(result, line_id) == pytest.approx(100)
    assert result.total_cost == pytest.approx(without.total_cost)
    assert result.objective.shortfall == pytest.approx(without.objective.shortfall, abs=1e-9)
    # The ranges still span every equally cheap plan, not only the preferred one.
    assert result.face.europe_share[""].width == pytest.approx(1.0, abs=1e-6)


def test_the_preference_fills_what_the_preferred_line_cannot(tmp_path: Path) -> None:
    doc = two_lines(ua={"capacity": {"value": 60, "unit": "/year"}}, preference={"prefer": ["UA"]})
    result = plan(tmp_path, doc, face=None)
    assert bought(result, "ua") == pytest.approx(60) and bought(result, "de") == pytest.approx(40)


def test_the_preference_never_buys_dearer(tmp_path: Path) -> None:
    doc = two_lines(ua={"price": {"value": 1.01, "unit": "EUR"}}, preference={"prefer": ["UA"]})
    result = plan(tmp_path, doc)
    assert bought(result, "de") == pytest.approx(100) and result.total_cost == pytest.approx(100)


def test_an_unknown_preference_is_a_located_error(tmp_path: Path, run) -> None:
    path = write(tmp_path, two_lines(preference={"prefer": ["UA", "EUROP"]}))
    code, out, err = run("validate", str(path))
    at = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if '"EUROP"' in text)
    assert code == 2 and out == ""
    assert f"{path}:{at}: preference.prefer[1]: 'EUROP' is neither a country code nor a region" in err
    assert "regions: EU, EEA, UA, EUROPE, NATO, ALLIED" in err


def test_a_preference_no_line_meets_is_a_located_warning(tmp_path: Path) -> None:
    m = load(write(tmp_path, two_lines(preference={"prefer": ["UA", "JP"]})))[1]
    assert [(w.loc, w.message) for w in m.warnings] == [
        (("preference", "prefer", 1), "no line is in JP: this preference changes nothing")
    ]


def test_plan_reports_the_range_in_the_terminal_summary_and_report(tmp_path: Path, run) -> None:
    path = write(tmp_path, two_lines(preference={"prefer": ["UA"]}))
    code, out, err = run("plan", str(path), "-o", str(tmp_path / "out"), "--no-charts")
    assert code == 0, err
    assert (
        "Spent in Europe, all money: 0.0–100.0 % across equally short and equally cheap plans (this plan 0.0 %)" in out
    )
    assert "prefers production in UA" in out
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    ranges = summary["equally_good_plans"]
    assert ranges["europe_share"]["all"] == {"low": 0.0, "high": 1.0, "plan": 0.0}
    assert ranges["preference"] == ["UA"] and ranges["preference_levels_honoured"] == 1
    report = (tmp_path / "out" / "report.html").read_text()
    assert "Spent in Europe, all money: 0.0–100.0 %" in report
    sheet = openpyxl.load_workbook(tmp_path / "out" / "plan.xlsx")["Summary"]
    figures = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert figures["share spent in Europe, most across equally short and equally cheap plans"] == 1.0


def test_the_report_command_shows_the_range(tmp_path: Path, run) -> None:
    code, _, err = run("report", str(write(tmp_path, two_lines())), "-o", str(tmp_path / "r.html"))
    assert code == 0, err
    assert (
        "Spent in Europe, all money: 0.0–100.0 % across equally short and equally cheap plans"
        in (tmp_path / "r.html").read_text()
    )


def test_no_ranges_leaves_them_out_but_keeps_the_preference(tmp_path: Path, run) -> None:
    path = write(tmp_path, two_lines(preference={"prefer": ["UA"]}))
    code, out, err = run("plan", str(path), "-o", str(tmp_path / "out"), "--no-charts", "--no-ranges", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert "equally_good_plans" not in summary and summary["ukraine_share"] == 1.0


def test_a_bad_near_optimal_slack_is_refused_before_planning(tmp_path: Path, run) -> None:
    code, _, err = run("plan", str(write(tmp_path, two_lines())), "-o", str(tmp_path / "o"), "--near-optimal", "80%")
    assert code == 2 and "between 0 % and 50 %" in err and not (tmp_path / "o").exists()


@examples(40)
@given(scenarios(), st.sampled_from([["UA"], ["EUROPE", "UA"], ["US"]]))
def test_random_scenarios_keep_shortfall_and_cost_and_their_plan_in_range(doc: dict, prefer: list[str]) -> None:
    """On small random scenarios: the preferred plan keeps its rules and the least shortfall and
    cost; every range holds the plan's own value; shares lie in [0, 1]."""
    with tempfile.TemporaryDirectory() as folder:
        m = load(write(Path(folder), doc))[1]
        preferred = load(write(Path(folder), {**doc, "preference": {"prefer": prefer}}, "p.yaml"))[1]
    base = make_plan(m)
    result = make_plan(preferred, face=FaceOptions(years=True))
    assert materiel.check(result) == []
    limit = base.objective.limit + 1e-9 * abs(base.objective.shortfall_optimum)
    assert result.objective.shortfall <= limit + 1e-9
    assert result.objective.money <= base.objective.money * (1 + 2e-6) + 1e-3
    for r in [*result.face.europe_share.values(), *result.face.spend_by_year.values()]:
        if r is not None:
            assert r.low <= r.value <= r.high
    for r in result.face.europe_share.values():
        if r is not None:
            assert r.low >= -1e-9 and r.high <= 1 + 1e-9


def test_the_assessed_customers_aid_has_its_own_range(tmp_path: Path) -> None:
    # Ukraine's own budget (EUR 30) pays first; aid pays the other 70 shells. Ukraine's line makes
    # at most 60, so at least 40 come from Germany: aid pays for at most 60 Ukrainian shells, so at
    # least 10 of its 70 euros go to Europe (own money then buys 30 German shells); at most all 70.
    own = {"id": "own", "name": "own", "own": True, "budget": {"value": 30, "unit": "EUR/year"}}
    doc = two_lines(ua={"capacity": {"value": 60, "unit": "/year"}}, funding=[*FUND, own])
    face = plan(tmp_path, doc).face
    aid = face.europe_share["ukraine/aid"]
    assert aid.low == pytest.approx(10 / 70, abs=1e-6) and aid.high == pytest.approx(1.0, abs=1e-6)
    assert face.europe_share["ukraine"].low == pytest.approx(0.4, abs=1e-6)
