"""Report outputs: about the assessed customer whatever its id, safe with hostile text, and
quick with very long text.

Hostile text is set on the plan after planning where it could also be refused at validation: the
writers must hold for whatever reaches them.
"""

from __future__ import annotations

import csv
import io
import math
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from PIL import Image
from rich.console import Console

from materiel.assessment import assess
from materiel.fmt import days
from materiel.report.charts import capacity_build_up, stock_vs_target
from materiel.report.files import summary, write_outputs
from materiel.report.html import render_report
from materiel.report.terminal import LONGEST, print_assessment, print_plan
from tests.builders import line, scenario, solve, target
from tests.markers import ONE_WORKER


def _ua(tmp_path: Path):
    """One customer, id 'ua': a target of 800 shells by 2026Q4 that a line making 100 a quarter
    can only half meet, so its shortfall at the end of 2026 is 50 %."""
    doc = scenario(
        customers=[{"id": "ua", "name": "Ukraine"}],
        items=[{"id": "shell", "name": "shell", "category": "artillery-ammunition", "stock": {"ua": 0}}],
        lines=[line("a")],
        requirements=[target(800, customer="ua")],
        assessment={"customer": "ua"},
    )
    plan = solve(tmp_path, doc)
    return plan, assess(plan)


def _console() -> Console:
    return Console(file=io.StringIO(), width=120, color_system=None)


def test_summaries_are_about_the_assessed_customer_whatever_its_id(tmp_path: Path) -> None:
    plan, a = _ua(tmp_path)
    assert plan.shortfall_by_category().loc["artillery-ammunition", 2026] == pytest.approx(0.5)
    assert summary(plan, a)["shortfall_by_category"] == {"artillery-ammunition": {"2026": 0.5}}

    console = _console()
    print_plan(plan, console)
    text = console.file.getvalue()
    assert "Shortfall of Ukraine's targets" in text  # the assessed customer, by name
    assert any("Artillery shells and rockets" in row and "50 %" in row for row in text.splitlines())

    write_outputs(tmp_path / "out", plan, a)
    sheet = openpyxl.load_workbook(tmp_path / "out" / "plan.xlsx")["shortfall_by_category"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["category", "2026"] and rows[1][0] == "artillery-ammunition"
    assert rows[1][1] == pytest.approx(0.5)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Shortfall of Ukraine&#x27;s targets" in page and '<td class="bad">50 %</td>' in page


def _blue_pixels(path: Path) -> int:
    """Pixels of the first palette colour (#1f77b4), which draws the first item's lines."""
    image = np.asarray(Image.open(path).convert("RGB")).astype(int)
    r, g, b = image[..., 0], image[..., 1], image[..., 2]
    return int(((b - r > 80) & (b - g > 30)).sum())


def test_the_stock_chart_draws_the_assessed_customer(tmp_path: Path) -> None:
    plan, _ = _ua(tmp_path)
    assert _blue_pixels(stock_vs_target(plan, tmp_path / "stock.png")) > 100


@ONE_WORKER
def test_a_very_long_item_id_is_drawn_shortened(tmp_path: Path) -> None:
    """Chart labels are cut to ``raster.LONGEST`` characters: a 100,000-character label cost a
    second per chart to draw (linear, but unbounded) and can never fit."""
    plan, _ = _ua(tmp_path)
    long = "s" * 100_000
    plan.model.items[0] = long
    plan.stock = plan.stock.assign(item=long)
    start = time.perf_counter()
    path = stock_vs_target(plan, tmp_path / "stock.png")
    assert time.perf_counter() - start < 2.0
    assert _blue_pixels(path) > 100


def _two_items(tmp_path: Path):
    items = [
        {
            "id": item,
            "name": item,
            "category": cat,
            "stock": {"ukraine": stock},
            "wartime_use": {"value": use, "unit": "/day"},
        }
        for item, cat, stock, use in (("shell", "artillery-ammunition", 50, 10), ("mine", "mines", 700, 3))
    ]
    lines = [line("a"), line("b", item="mine", capacity={"value": 40, "unit": "/year"})]
    requirements = [target(300, "2026Q3"), target(900, "2026Q4", item="mine")]
    return solve(tmp_path, scenario(items=items, lines=lines, requirements=requirements))


DRAW = (stock_vs_target, capacity_build_up)


def test_a_reordered_stock_table_gives_the_same_numbers(tmp_path: Path) -> None:
    plan = _two_items(tmp_path)
    before = assess(plan)
    shortfall = plan.shortfall_by_category()
    charts = [np.asarray(Image.open(draw(plan, tmp_path / f"{n}.png"))) for n, draw in enumerate(DRAW)]
    plan.stock = plan.stock.sample(frac=1, random_state=3).reset_index(drop=True)
    plan.capacity = plan.capacity.sample(frac=1, random_state=3).reset_index(drop=True)
    after = assess(plan)
    for n, draw in enumerate(DRAW):
        assert (np.asarray(Image.open(draw(plan, tmp_path / f"again{n}.png"))) == charts[n]).all()
    pd.testing.assert_frame_equal(after.coverage, before.coverage)
    pd.testing.assert_frame_equal(after.sustainment, before.sustainment)
    pd.testing.assert_frame_equal(plan.shortfall_by_category(), shortfall)
    assert after.readiness == before.readiness
    grid = plan.stock_of("ukraine")
    assert grid[plan.model.items.index("mine"), 0] == pytest.approx(700 + 10)  # 40 a year: 10 a quarter


@ONE_WORKER
def test_very_long_text_is_shortened_on_the_terminal_and_quick(tmp_path: Path) -> None:
    """A 100,000-character title took 136 s: rich folds an unbroken word in quadratic time."""
    plan, a = _ua(tmp_path)
    long = 30_000
    plan.model.scenario.title = "[/] " + "x" * long  # also markup that rich would refuse
    plan.funding = plan.funding.assign(fund="f" * long)
    a.bottleneck = a.bottleneck.assign(item="i" * long)
    console = _console()
    start = time.perf_counter()
    print_plan(plan, console)
    print_assessment(a, console)
    elapsed = time.perf_counter() - start
    text = console.file.getvalue()
    assert "materiel — [/]" in text
    for letter in "xfi":
        assert letter * LONGEST not in text.replace("\n", "").replace(" ", "")
    assert elapsed < 2.0


def test_only_web_addresses_become_links_and_all_text_is_escaped(tmp_path: Path) -> None:
    sources = [
        {"id": f"s{n}", "publisher": "p", "title": "t", "date": "2025", "url": "https://example.org/"} for n in range(4)
    ]
    plan = solve(tmp_path, scenario(sources=sources, lines=[line("a")], requirements=[target(100)]))
    src = plan.model.scenario.sources
    src[0].url = "javascript:alert(document.domain)"
    src[1].url = "https://example.org/a?b=1&c=2"
    src[2].url = 'https://example.org/" onmouseover="alert(1)'
    src[3].url, src[3].title = " JavaScript:alert(1)", "<script>alert(1)</script>"
    page = render_report(plan, assess(plan), {})
    assert "javascript:alert(document.domain)" in page.replace("<wbr>", "")  # shown as text (breakable) ...
    assert 'href="javascript' not in page.lower() and 'href=" javascript' not in page.lower()  # ... not a link
    assert '<a href="https://example.org/a?b=1&amp;c=2">' in page
    assert 'onmouseover="' not in page and "onmouseover=&quot;alert(1)" in page
    assert "<script>" not in page and "&lt;script&gt;" in page


def _hostile_outputs(tmp_path: Path, supplier: str, assumption: str, note: str) -> Path:
    plan = solve(tmp_path, scenario(lines=[line("a")], requirements=[target(100)]))
    plan.orders = plan.orders.assign(supplier=supplier)
    figure = plan.model.scenario.lines[0].capacity[0]
    figure.assumption, figure.note = assumption, note
    write_outputs(tmp_path / "out", plan, assess(plan))
    return tmp_path / "out"


def test_text_a_spreadsheet_would_run_as_a_formula_is_quoted(tmp_path: Path) -> None:
    link = '=HYPERLINK("https://evil.example","click")'
    out = _hostile_outputs(tmp_path, link, "+1+cmd|' /C calc'!A0", "-5")
    orders = list(csv.DictReader((out / "orders.csv").open(encoding="utf-8")))
    assert {r["supplier"] for r in orders} == {"'" + link}
    assert all(float(r["quantity"]) > 0 for r in orders)  # numbers stay numbers
    inputs = [r for r in csv.DictReader((out / "inputs.csv").open(encoding="utf-8")) if r["field"].startswith("lines")]
    capacity = next(r for r in inputs if r["field"] == "lines[a].capacity[0]")
    assert capacity["assumption"] == "'+1+cmd|' /C calc'!A0"
    assert capacity["note"] == "-5"  # a plain number is not a formula
    book = openpyxl.load_workbook(out / "plan.xlsx")
    cell = book["orders"]["B2"]
    assert book["orders"]["B1"].value == "supplier" and cell.value == "'" + link and cell.data_type == "s"
    values = [c.value for row in book["inputs"].iter_rows() for c in row]
    assert "'+1+cmd|' /C calc'!A0" in values and "-5" in values


def test_characters_xml_forbids_do_not_break_the_workbook(tmp_path: Path) -> None:
    out = _hostile_outputs(tmp_path, "bad\ufffe\uffff\x01\x1fname", "ok\x0b", "fine")
    book = openpyxl.load_workbook(out / "plan.xlsx")  # raised before: the workbook was unreadable
    assert book["orders"]["B2"].value == "bad\ufffd\ufffd\ufffd\ufffdname"
    orders = (out / "orders.csv").read_text(encoding="utf-8")
    assert "\ufffe" not in orders and "bad\ufffd\ufffd\ufffd\ufffdname" in orders


def test_days_are_written_one_way() -> None:
    assert days(math.inf) == "never runs out"
    assert days(math.nan) == "–" and days(None) == "–"
    assert days(1234.4, " days of war") == "1,234 days of war"


def test_a_folder_name_with_brackets_is_printed_as_written(tmp_path: Path, run) -> None:
    """Rich read '[v2]' as a style and printed 'Wrote … to out'."""
    folder = tmp_path / "out[v2]"
    source = Path(__file__).parents[1] / "fixtures" / "tiny.yaml"
    code, out, err = run("plan", str(source), "-o", str(folder), "--no-charts")
    assert code == 0, err
    assert "out[v2]" in out.replace("\n", "") and (folder / "plan.xlsx").exists()
