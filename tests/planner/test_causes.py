"""Why a target is missed (planner/causes.py): tiny scenarios whose cause is known by construction,
each checked against hand arithmetic. The builders' line makes 100 shells a quarter at EUR 1."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from materiel.planner import causes as why
from materiel.planner.result import Plan
from tests.builders import line, scenario, solve, target, write

Run = Callable[..., tuple[int, str, str]]
TWO_YEARS = {"start": "2026Q1", "periods": 8, "period": "quarter"}


def fund(amount: float, **rules: object) -> dict:
    return {"id": "fund", "name": "Support fund", "budget": {"value": amount, "unit": "EUR/year"}, **rules}


def causes_at(plan: Plan, period: str = "2026Q4") -> pd.DataFrame:
    """The causes of Ukraine's shortfall of shells at ``period``."""
    table = plan.causes
    return table[(table["customer"] == "ukraine") & (table["item"] == "shell") & (table["period"] == period)]


def test_a_budget_that_runs_out_is_named_with_its_year(tmp_path: Path) -> None:
    """300 shells by 2026Q4, EUR 100 a year at EUR 1: 100 bought, 200 short (2/3 of the target);
    the line was never full (100 of 400 a year), the fund spent all it had in 2026."""
    plan = solve(tmp_path, scenario(lines=[line("a")], funding=[fund(100)], requirements=[target(300)]))
    rows = causes_at(plan)
    assert rows["cause"].tolist() == ["budget"]
    row = rows.iloc[0]
    assert row["entity"] == "fund" and row["entity_name"] == "Support fund"
    assert row["short_by"] == pytest.approx(200) and row["short_share"] == pytest.approx(2 / 3)
    assert row["target"] == pytest.approx(300) and row["stock"] == pytest.approx(100)
    assert row["text"] == "Support fund spent all it had in 2026 (it may pay for line a (a, DE))"
    assert row["item_name"] == "shell"


def test_a_full_line_whose_expansion_is_capped(tmp_path: Path) -> None:
    """1,000 wanted by 2026Q4, a line of 100 a quarter that may add 40 a year of capacity per year
    of starts, i.e. 40/4² = 2.5 a quarter for each quarter's starts, ready at once: capacity
    100 + 2.5, 100 + 5, 100 + 7.5, 100 + 10 = 425, so 575 short; every quarter's start at the cap."""
    grow = {
        "expansion_max": {"value": 40, "unit": "/year"},
        "capex": {"value": 1, "unit": "EUR"},
        "build": {"value": 0, "unit": "months"},
    }
    doc = scenario(lines=[line("a", **grow)], funding=[fund(1e6, capex=True)], requirements=[target(1000)])
    rows = causes_at(solve(tmp_path, doc))
    assert rows["cause"].tolist() == ["capacity"]
    row = rows.iloc[0]
    assert row["entity"] == "a" and row["detail"] == "expansion cap reached"
    assert row["short_by"] == pytest.approx(575)
    assert "was full in all 4 quarters whose orders arrive by 2026Q4" in row["text"]
    assert "(40 a year of capacity per year of starts) in every quarter from 2026Q1 to 2026Q4" in row["text"]


@pytest.mark.parametrize(
    ("grow", "detail"),
    [
        ({}, "no expansion allowed"),
        (
            {
                "expansion_max": {"value": 40, "unit": "/year"},
                "capex": {"value": 1, "unit": "EUR"},
                "build": {"value": 3, "unit": "months"},
            },
            "no vehicle may pay for capacity",
        ),
    ],
)
def test_a_full_line_that_may_not_expand_says_why(tmp_path: Path, grow: dict, detail: str) -> None:
    """800 wanted, 400 made: without expansion_max, or with it but no vehicle with capex: true."""
    doc = scenario(lines=[line("a", **grow)], funding=[fund(1e6)], requirements=[target(800)])
    row = causes_at(solve(tmp_path, doc)).iloc[0]
    assert (row["cause"], row["detail"], row["short_by"]) == ("capacity", detail, pytest.approx(400))


def test_build_time_too_long_to_help_by_the_date(tmp_path: Path) -> None:
    """Capacity started in 2026Q1 with a 9-month build is usable from 2026Q4 (3 quarters), so an
    order then arrives in 2026Q4 at the earliest... with a 3-month lead time, in 2027Q1: too late."""
    grow = {
        "expansion_max": {"value": 400, "unit": "/year"},
        "capex": {"value": 1, "unit": "EUR"},
        "build": {"value": 9, "unit": "months"},
        "lead": {"value": 3, "unit": "months"},
    }
    doc = scenario(
        horizon=TWO_YEARS, lines=[line("a", **grow)], funding=[fund(1e6, capex=True)], requirements=[target(800)]
    )
    row = causes_at(solve(tmp_path, doc)).iloc[0]
    assert (row["cause"], row["detail"]) == ("capacity", "build time too long")
    assert row["short_by"] == pytest.approx(500)  # orders of 2026Q1–Q3 arrive by 2026Q4: 300
    assert "usable from 2026Q4, and orders then arrive in 2027Q1, after 2026Q4" in row["text"]


def test_a_lead_time_longer_than_the_time_to_the_date(tmp_path: Path) -> None:
    """50 wanted from 2026Q4, lead 12 months (4 quarters): an order in 2026Q1 arrives in 2027Q1."""
    doc = scenario(
        horizon=TWO_YEARS,
        lines=[line("a", lead={"value": 12, "unit": "months"})],
        funding=[fund(1e6)],
        requirements=[target(50)],
    )
    plan = solve(tmp_path, doc)
    rows = causes_at(plan)
    assert rows["cause"].tolist() == ["lead_time"]
    assert rows.iloc[0]["short_by"] == pytest.approx(50)
    assert rows.iloc[0]["text"] == (
        "an order on line a (a, DE) placed in the first quarter (2026Q1) arrives in 2027Q1 "
        "(lead time 12 months), after 2026Q4"
    )
    assert causes_at(plan, "2027Q1").empty  # met once the first order arrives


def test_a_fund_whose_origin_rule_excludes_the_only_line(tmp_path: Path) -> None:
    """The only fund buys from France; the only line is in Germany: nothing can be bought."""
    doc = scenario(lines=[line("a")], funding=[fund(1e6, origins=["FR"])], requirements=[target(100)])
    row = causes_at(solve(tmp_path, doc)).iloc[0]
    assert (row["cause"], row["entity"], row["detail"]) == ("no_eligible_money", "a", "origin rule")
    assert row["short_by"] == pytest.approx(100) and row["short_share"] == pytest.approx(1.0)
    assert "Support fund: origin rule: buys only from FR, not DE" in row["text"]


def test_customer_and_category_rules_are_named(tmp_path: Path) -> None:
    """A fund for another customer and only for air defence blocks both ways."""
    doc = scenario(
        customers=[{"id": "ukraine", "name": "Ukraine"}, {"id": "europe", "name": "Europe"}],
        lines=[line("a")],
        funding=[fund(1e6, customers=["europe"], categories=["air-defence"])],
        requirements=[target(100)],
    )
    row = causes_at(solve(tmp_path, doc)).iloc[0]
    assert row["detail"] == "category rule, customer rule"
    assert "customer rule: buys only for europe" in row["text"]
    assert "category rule: buys only air-defence, not artillery-ammunition" in row["text"]


def test_a_customer_share_cap(tmp_path: Path) -> None:
    """Ukraine may take half of a line of 100 a quarter: 200 of 300 by 2026Q4, the line half used
    and money left: the share binds, not capacity or money."""
    doc = scenario(lines=[line("a", share={"ukraine": 0.5})], funding=[fund(1e6)], requirements=[target(300)])
    rows = causes_at(solve(tmp_path, doc))
    assert rows["cause"].tolist() == ["share"]
    assert rows.iloc[0]["short_by"] == pytest.approx(100)
    assert rows.iloc[0]["text"] == (
        "Ukraine took its whole share (50%) of line a (a, DE) in all 4 quarters whose orders arrive by 2026Q4"
    )


def test_every_cause_of_one_shortfall_is_listed(tmp_path: Path) -> None:
    """Two lines: one full, the other closed to Ukraine by its fund's origin rule."""
    doc = scenario(
        lines=[line("a"), line("b", country="FR")],
        funding=[fund(1e6, exclude=["FR"])],
        requirements=[target(800)],
    )
    rows = causes_at(solve(tmp_path, doc))
    assert list(zip(rows["cause"], rows["entity"], strict=True)) == [("no_eligible_money", "b"), ("capacity", "a")]
    assert rows["short_by"].tolist() == pytest.approx([400, 400])


def test_no_cause_when_every_target_is_met(tmp_path: Path) -> None:
    plan = solve(tmp_path, scenario(lines=[line("a")], funding=[fund(1e6)], requirements=[target(100)]))
    assert plan.causes.empty and list(plan.causes.columns) == list(why.COLUMNS)
    assert plan.summary()["why_short"] == {"ukraine": []}


def test_the_outputs_carry_the_causes(tmp_path: Path, run: Run) -> None:
    """CSV and workbook sheet, summary.json, the terminal block and the report's table."""
    doc = scenario(lines=[line("a")], funding=[fund(100)], requirements=[target(300)])
    code, out, _ = run("plan", str(write(tmp_path, doc)), "-o", str(tmp_path / "out"), "--no-charts")
    assert code == 0
    assert "Why targets are missed" in out
    assert "shell at 2026Q4, short by 200 (67 % of target): budget Support fund" in out
    folder = next((tmp_path / "out").iterdir()) if not (tmp_path / "out" / "causes.csv").exists() else tmp_path / "out"
    assert (folder / "causes.csv").read_text().splitlines()[0] == ",".join(why.COLUMNS)
    summary = json.loads((folder / "summary.json").read_text())
    entry = summary["why_short"]["ukraine"][0]
    assert (entry["item"], entry["period"], entry["short_by"]) == ("shell", "2026Q4", 200)
    assert entry["causes"][0]["cause"] == "budget"
    assert "Why targets are missed" in (folder / "report.html").read_text()
    assert "causes" in load_workbook(folder / "plan.xlsx", read_only=True).sheetnames


def test_a_full_line_at_the_customers_share_names_both(tmp_path: Path) -> None:
    """Ukraine and Europe may each take half of a line of 100 a quarter and each wants 400: each
    gets 50 a quarter, 200, short by 200; the line is full and Ukraine at its share: both bind."""
    doc = scenario(
        customers=[{"id": "ukraine", "name": "Ukraine"}, {"id": "europe", "name": "Europe"}],
        lines=[line("a", share={"ukraine": 0.5, "europe": 0.5})],
        funding=[fund(1e6)],
        requirements=[target(400), target(400, customer="europe")],
    )
    rows = causes_at(solve(tmp_path, doc))
    assert list(zip(rows["cause"], rows["detail"], strict=True)) == [
        ("capacity", "no expansion allowed"),
        ("share", ""),
    ]
    assert rows["short_by"].tolist() == pytest.approx([200, 200])


def test_a_component_used_up_is_named(tmp_path: Path) -> None:
    """Shells need one charge each; the charge line makes 600 a quarter for a shell line of 1,000:
    600 a quarter, 2,400 of the 10,000 wanted by 2026Q4; the charge, not the shell line, binds."""
    from tests.planner.test_components import CHARGES, SHELLS, shells_and_charges

    rows = causes_at(solve(tmp_path, shells_and_charges(SHELLS, CHARGES)))
    assert list(zip(rows["cause"], rows["entity"], strict=True)) == [("components", "charge")]
    assert rows.iloc[0]["short_by"] == pytest.approx(10_000 - 2_400)
    assert "ran out of charge while it had capacity to spare in all 4 quarters" in rows.iloc[0]["text"]


def test_the_worked_example_of_the_default_scenario() -> None:
    """docs/assessment.md, "Why a target is missed": PAC-3 MSE at the end of 2030, 1,250 wanted,
    385 held; Lockheed Martin's line full in the 12 quarters whose orders arrive by then, Ukraine at
    its half of it, and no expansion_max."""
    import materiel

    plan = materiel.plan(Path(materiel.__file__).parent / "data" / "armed-neutrality.yaml")
    table = plan.causes
    rows = table[(table["customer"] == "ukraine") & (table["item"] == "pac3-mse") & (table["period"] == "2030Q4")]
    assert list(zip(rows["cause"], rows["entity"], rows["detail"], strict=True)) == [
        ("capacity", "lockheed-pac3", "no expansion allowed"),
        ("share", "lockheed-pac3", ""),
    ]
    assert rows.iloc[0]["target"] == pytest.approx(1250)
    assert rows.iloc[0]["short_by"] == pytest.approx(865, abs=1)
    assert "full in all 12 quarters whose orders arrive by 2030Q4" in rows.iloc[0]["text"]
    assert "(50%) of line lockheed-pac3" in rows.iloc[1]["text"]
