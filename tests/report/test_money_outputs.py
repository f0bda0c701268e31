"""The terminal, summary.json, the CSV tables and the HTML report say how much of each year's money
was used, who paid it, and what limits the plan."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console

from materiel.assessment import assess
from materiel.planner.result import Plan
from materiel.report.files import write_outputs
from materiel.report.html import render_report
from materiel.report.terminal import print_plan
from tests.builders import line, scenario, solve, target


def paid_plan(tmp_path: Path) -> Plan:
    """400 shells wanted, a line of 400 a year at EUR 1; aid of EUR 300 from Germany (60 %) and
    France (40 %), and Ukraine's own EUR 0 budget: 300 bought, money binds."""
    funds = [
        {
            "id": "aid",
            "name": "aid",
            "budget": {"value": 300, "unit": "EUR/year"},
            "contributors": {"DE": 0.6, "FR": 0.4},
        },
        {"id": "ua", "name": "own", "budget": {"value": 0, "unit": "EUR/year"}, "own": True, "origins": ["UA"]},
    ]
    return solve(tmp_path, scenario(lines=[line("a")], funding=funds, requirements=[target(400)]))


def test_the_terminal_says_what_was_used_who_paid_and_what_limits_the_plan(tmp_path: Path) -> None:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    print_plan(paid_plan(tmp_path), console)
    text = console.file.getvalue()
    assert "all vehicles │ 100 %" in text
    assert "Aid to Ukraine: EUR 300 (EUR 300 per year); its own means: EUR 0; together EUR 300" in text
    assert "DE          │" in text and "FR          │" in text
    assert (
        "2026: Ukraine's vehicles used EUR 300 of EUR 300 available (100%); money binds: aid spent all it had" in text
    )


def test_files_and_report_carry_the_same(tmp_path: Path) -> None:
    """DE paid 0.6 × 300 = 180, FR 0.4 × 300 = 120."""
    plan = paid_plan(tmp_path)
    written = {p.name: p for p in write_outputs(tmp_path / "out", plan, assess(plan))}
    assert {"envelope.csv", "contributions.csv", "limits.csv"} <= set(written)
    s = json.loads(written["summary.json"].read_text())
    assert s["spend_by_contributor"]["DE"]["2026"] == 180 and s["spend_by_contributor"]["FR"]["2026"] == 120
    assert s["envelope_use"]["2026"]["by_fund"]["aid"]["all_spent"] is True
    assert s["limits"]["2026"]["binds"] == "money"
    book = openpyxl.load_workbook(written["plan.xlsx"])
    figures = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert figures["aid to Ukraine"] == pytest.approx(300) and figures["Ukraine's own means"] == 0  # never mixed
    assert figures["aid to Ukraine, per year"] == pytest.approx(300)
    assert figures["all money, every customer"] == pytest.approx(300)
    assert figures["what limits 2026"].startswith(
        "2026: Ukraine's vehicles used EUR 300 of EUR 300 available (100%); money binds"
    )
    assert {"envelope", "contributions", "limits"} <= set(book.sheetnames)
    page = render_report(plan, assess(plan), {})
    assert "What limits the plan" in page and "money binds: aid spent all it had" in page
    assert "Money spent per contributing country" in page
    assert "aid to Ukraine<b>EUR 300</b>EUR 300 per year" in page
