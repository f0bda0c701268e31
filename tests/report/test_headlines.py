"""Headlines that cannot be misread: money split by customer (aid to the assessed customer apart
from its own means, another customer's own purchases apart from both) with one defined 'per year',
the envelope line as 'used X of Y available', spent-in shares per customer, names instead of ids,
and the what-ifs a run was made with recorded in the terminal, summary.json and the report."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

import materiel
from materiel.assessment import assess
from materiel.planner.result import Plan
from materiel.report.files import write_outputs
from materiel.report.terminal import print_plan
from materiel.scenario.loader import load
from materiel.scenario.names import describe_path
from tests.builders import line, scenario, target, write


def two_customers() -> dict:
    """Ukraine wants 400 shells and Europe 200 by 2026Q4, over two years. Aid (EUR 300 a year, German
    lines only) and Ukraine's own budget (EUR 100 a year, Ukrainian lines only) pay for Ukraine;
    Europe's budget (German lines only) for Europe. At EUR 1 a shell: aid 300 (Germany), own 100
    (Ukraine), Europe's purchases 200 (Germany); per year (two years): aid 150, Europe 100."""
    return scenario(
        horizon={"start": "2026Q1", "periods": 8, "period": "quarter"},
        customers=[
            {"id": "ukraine", "name": "Armed Forces of Ukraine"},
            {"id": "europe", "name": "European forces"},
        ],
        lines=[line("de-shells", capacity={"value": 1000, "unit": "/year"}), line("ua-shells", country="UA")],
        funding=[
            {
                "id": "aid",
                "name": "Aid budgets",
                "budget": {"value": 300, "unit": "EUR/year"},
                "customers": ["ukraine"],
                "origins": ["DE"],
            },
            {
                "id": "ua",
                "name": "Ukraine's budget",
                "budget": {"value": 100, "unit": "EUR/year"},
                "own": True,
                "customers": ["ukraine"],
                "origins": ["UA"],
            },
            {
                "id": "eu",
                "name": "European budgets",
                "budget": {"value": 1000, "unit": "EUR/year"},
                "customers": ["europe"],
                "origins": ["DE"],
            },
        ],
        requirements=[target(400), target(200, customer="europe")],
    )


@pytest.fixture
def plan(tmp_path: Path) -> Plan:
    out = materiel.plan(write(tmp_path, two_customers()))
    assert materiel.check(out) == []
    return out


def test_summary_splits_the_money_by_customer(plan: Plan) -> None:
    s = plan.summary()
    ua, eu = s["money_by_customer"]["ukraine"], s["money_by_customer"]["europe"]
    assert (ua["aid"], ua["own_means"], ua["total"]) == (300, 100, 400)
    assert ua["aid_per_year"] == 150 and ua["aid_by_year"] == {"2026": 300, "2027": 0}
    assert ua["spent_in"] == {"Europe": 0.75, "Ukraine": 0.25, "elsewhere": 0}
    assert eu["assessed"] is False and "aid" not in eu
    assert (eu["total"], eu["per_year"]) == (200, 100) and eu["spent_in"]["Europe"] == 1
    assert ua["total"] + eu["total"] + s["money_shared"] == s["total_cost"] == 600
    assert "calendar years" in s["money_definitions"]["per_year"]


def test_the_terminal_says_each_customers_money_apart(plan: Plan) -> None:
    console = Console(file=io.StringIO(), width=300, color_system=None)
    print_plan(plan, console)
    text = console.file.getvalue()
    assert (
        "Aid to Armed Forces of Ukraine: EUR 300 (EUR 150 per year); its own means: EUR 100; together EUR 400" in text
    )
    assert "European forces: own purchases EUR 200 (EUR 100 per year), not aid" in text
    assert "All money spent: EUR 600" in text
    assert "Armed Forces of Ukraine: Europe 75 %, Ukraine 25 %, elsewhere 0 %" in text
    assert "Total cost:" not in text  # no mixed total without its parts


def test_the_envelope_line_is_used_of_available_for_the_assessed_customer(plan: Plan) -> None:
    """2026: aid 300 + own 100 available, all used; 2027: nothing carried, 400 available, none used."""
    text = list(plan.limits["text"])
    assert text[0].startswith("2026: Armed Forces of Ukraine's vehicles used EUR 400 of EUR 400 available (100%);")
    assert text[1].startswith("2027: Armed Forces of Ukraine's vehicles used EUR 0 of EUR 400 available (0%);")
    assert list(plan.limits["customer_available"]) == [400, 400]


def test_limits_name_vehicles_lines_and_items(tmp_path: Path) -> None:
    """Too little aid: money binds, said with the vehicle's and the item's names, not their ids."""
    doc = two_customers()
    doc["items"][0]["name"] = "155 mm shell"
    doc["requirements"][0]["targets"][0]["value"] = 800
    text = materiel.plan(write(tmp_path, doc)).limits["text"][0]
    assert "money binds: Aid budgets, Ukraine's budget spent all they had" in text
    assert "still short: 155 mm shell" in text


def test_what_ifs_are_recorded_in_terminal_summary_and_report(tmp_path: Path) -> None:
    doc = two_customers()
    doc["overrides"] = {"less-aid": {"description": "aid halved", "scale": {"funding[aid].budget": 0.5}}}
    path = write(tmp_path, doc)
    _, model = load(path, ["less-aid"], [("funding[eu].budget", 500)])
    p = materiel.planner.make_plan(model)
    assert p.summary()["whatifs"] == ["less-aid", "--set funding[eu].budget=500"]
    console = Console(file=io.StringIO(), width=300, color_system=None)
    print_plan(p, console)
    assert "what-ifs: less-aid; --set funding[eu].budget=500" in console.file.getvalue()
    written = {f.name: f for f in write_outputs(tmp_path / "out", p, assess(p))}
    assert json.loads(written["summary.json"].read_text())["whatifs"] == ["less-aid", "--set funding[eu].budget=500"]
    assert "with what-ifs: less-aid; --set funding[eu].budget=500" in written["report.html"].read_text()


def test_the_cli_records_what_ifs_in_json(run, tmp_path: Path) -> None:
    path = write(tmp_path, two_customers())
    code, out, _ = run(
        "plan", str(path), "-o", str(tmp_path / "o"), "--json", "--no-charts", "--set", "funding[eu].budget=900"
    )
    assert code == 0 and json.loads(out)["whatifs"] == ["--set funding[eu].budget=900"]


def test_the_report_shows_money_by_customer(plan: Plan) -> None:
    from materiel.report.html import render_report

    page = render_report(plan, assess(plan), {})
    assert "aid to Armed Forces of Ukraine<b>EUR 300</b>EUR 150 per year" in page
    assert "European forces: own purchases, not aid<b>EUR 200</b>" in page
    assert "All money spent: EUR 600" in page and "by the line&#x27;s country" in page


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("requirements[ukraine/shell].targets[0]", "Requirement Armed Forces of Ukraine / shell — target by 2026Q4"),
        ("funding[aid].budget[0]", "Vehicle Aid budgets — budget"),
        ("lines[ua-shells].capacity[0]", "Line ua-shells — capacity"),
        ("items[shell].stock.ukraine", "Item shell — stock, Armed Forces of Ukraine"),
        ("not[a].path", "not[a].path"),
    ],
)
def test_field_paths_read_as_a_reader_knows_them(tmp_path: Path, path: str, words: str) -> None:
    sc, _ = load(write(tmp_path, two_customers()))
    assert describe_path(sc, path) == words


def test_the_default_scenarios_force_design_is_named() -> None:
    sc, _ = load(None)
    assert describe_path(sc, "force_design[0].brigades") == "Armed Forces of Ukraine's force design — brigades"
    assert describe_path(sc, "requirements[ukraine/pac3-mse].targets[1]").startswith(
        "Requirement Armed Forces of Ukraine / PAC-3 MSE"
    )


def test_money_per_year_by_customer_adds_up_to_all_money(plan: Plan) -> None:
    from materiel.report.headline import comparison_money, money_by_customer_table

    table = money_by_customer_table(plan)
    assert table.loc["aid to Armed Forces of Ukraine"].tolist() == pytest.approx([300, 0])
    assert table.loc["Armed Forces of Ukraine's own means"].tolist() == pytest.approx([100, 0])
    assert table.loc["European forces' own purchases"].tolist() == pytest.approx([200, 0])
    assert table.loc["all money"].tolist() == pytest.approx([600, 0])
    assert "capacity shared by several customers" not in table.index
    assert comparison_money([("baseline", plan)]) == [
        "baseline: aid to Armed Forces of Ukraine EUR 150; its own means EUR 50; "
        "European forces' own purchases EUR 100 per year"
    ]
