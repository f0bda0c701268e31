"""Marginal values reach every output: the terminal's top sentences, summary.json, the CSV table,
the workbook sheet and the HTML report (planner/marginal.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
from rich.console import Console

from materiel.assessment import assess
from materiel.planner.result import Plan
from materiel.report.files import write_outputs
from materiel.report.html import render_report
from materiel.report.terminal import print_plan
from tests.builders import line, scenario, solve, target

SENTENCE = "EUR 10.00 k more from Aid fund in 2026 would close 10 shells of Ukraine's shell gap in 2026Q4."


def short_of_money(tmp_path: Path) -> Plan:
    funds = [{"id": "aid", "name": "Aid fund", "budget": {"value": 100_000, "unit": "EUR/year"}}]
    lines = [line("a", price={"value": 1000, "unit": "EUR"})]
    return solve(tmp_path, scenario(lines=lines, funding=funds, requirements=[target(300)]))


def test_the_terminal_prints_the_top_sentences(tmp_path: Path) -> None:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    print_plan(short_of_money(tmp_path), console)
    text = console.file.getvalue()
    assert "What more would buy" in text
    assert SENTENCE in text


def test_files_carry_the_table_and_the_sentences(tmp_path: Path) -> None:
    plan = short_of_money(tmp_path)
    written = {p.name: p for p in write_outputs(tmp_path / "out", plan, assess(plan))}
    assert "marginal_values.csv" in written
    csv = written["marginal_values.csv"].read_text().splitlines()
    assert csv[0].startswith("rank,kind,id,name,")
    assert csv[1].startswith("1,money,aid,Aid fund,")
    s = json.loads(written["summary.json"].read_text())
    assert s["marginal_values"]["sentences"] == [SENTENCE]
    assert s["marginal_values"]["top"][0]["shortfall_per_unit"] > 0
    book = openpyxl.load_workbook(written["plan.xlsx"])
    assert "marginal_values" in book.sheetnames
    page = render_report(plan, assess(plan), {})
    assert "What more would buy" in page and SENTENCE.replace("'", "&#x27;") in page
