"""The workbook writer's output reads back exactly in openpyxl (a strict, independent reader)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import materiel
from materiel.assessment import assess
from materiel.report.files import write_outputs
from materiel.report.xlsx import Sheet, column_letter, write_xlsx
from tests.builders import line, scenario, solve, target


def test_column_letters() -> None:
    assert [column_letter(j) for j in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_round_trip_values_types_and_header(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "text": ["a & b", "<tag>", "ctrl\x01char", None],
            "int": [1, 2, 3, 4],
            "float": [1.5, np.nan, -2.25e-7, 1e15],
            "flag": [True, False, True, False],
            "mixed": ["x", 2.5, None, 7],
        }
    )
    wide = pd.DataFrame({f"c{j}": [j] for j in range(30)})
    path = write_xlsx(tmp_path / "t.xlsx", {"data": df, "wide": wide, "a/b:c": df.head(1)})
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["data", "wide", "a_b_c"]
    ws = wb["data"]
    assert [c.value for c in ws[1]] == ["text", "int", "float", "flag", "mixed"]
    assert ws["A1"].font.b and ws.freeze_panes == "A2"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert rows[0] == ["a & b", 1, 1.5, True, "x"]
    assert rows[1] == ["<tag>", 2, None, False, 2.5]
    assert rows[2][0] == "ctrl\ufffdchar" and rows[2][2] == -2.25e-7 and rows[2][4] is None
    assert rows[3][0] is None and rows[3][2] == 1e15 and rows[3][4] == 7
    assert wb["wide"]["AD2"].value == 29


def test_empty_table_gets_its_header(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "e.xlsx",
        {"empty": pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=object)})},
    )
    ws = openpyxl.load_workbook(path)["empty"]
    assert [c.value for c in ws[1]] == ["a", "b"] and ws.max_row == 1


def sourced_plan(tmp_path: Path) -> materiel.Plan:
    """400 shells wanted, one line of 400 a year at EUR 2.5 m (source with a web address), a fund
    of EUR 2 bn a year (source without one): 400 bought for EUR 1 bn, paid in one funding row."""
    doc = scenario(
        lines=[
            line(
                "rheinmetall-unterluss",
                supplier="Rheinmetall (Unterlüß)",
                price={"value": 2.5e6, "unit": "EUR", "source": "web"},
            )
        ],
        requirements=[target(400)],
    )
    doc["funding"][0]["budget"] = {"value": 2e9, "unit": "EUR/year", "source": "paper"}
    doc["sources"] = [
        {"id": "web", "publisher": "p", "title": "t", "date": "2025", "url": "https://example.org/a?b=1&c=2"},
        {"id": "paper", "publisher": "p", "title": "t", "date": "2025"},
    ]
    return solve(tmp_path, doc)


def test_the_workbook_reads_as_an_analyst_wants_it(tmp_path: Path) -> None:
    plan = sourced_plan(tmp_path)
    written = {p.name: p for p in write_outputs(tmp_path / "out", plan, assess(plan))}
    book = openpyxl.load_workbook(written["plan.xlsx"])
    assert book.sheetnames[0] == "Summary"
    summary = {row[0].value: row[1:] for row in book["Summary"].iter_rows(min_row=2)}
    cost, unit = summary["all money, every customer"]
    assert cost.value == pytest.approx(1e9) and cost.number_format == '"EUR "#,##0.00,,," bn"'
    assert unit.value == "EUR, 2025 prices"
    europe, _ = summary["share spent in Europe, all money"]
    assert europe.value == 1 and europe.number_format == "0.0%"
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}", ws.title
    funding = book["funding"]
    header = [c.value for c in funding[1]]
    amount = funding.cell(2, header.index("amount") + 1)
    assert amount.value == pytest.approx(1e9) and amount.number_format == '"EUR "#,##0.00,,," bn"'
    assert funding.cell(2, header.index("year") + 1).number_format == "0"  # 2026, not 2,026
    stock = book["stock"]
    header = [c.value for c in stock[1]]
    last = stock.max_row  # 2026Q4, where the target is
    assert stock.cell(last, header.index("coverage") + 1).value == pytest.approx(1)
    assert stock.cell(last, header.index("coverage") + 1).number_format == "0.0%"
    assert stock.cell(last, header.index("stock") + 1).number_format == "#,##0"
    orders = book["orders"]
    header = [c.value for c in orders[1]]
    assert orders.cell(2, header.index("quantity") + 1).number_format == "#,##0"
    assert orders.cell(2, header.index("unit_price") + 1).number_format == '"EUR "#,##0.00,," m"'
    assert book["orders"].column_dimensions["B"].width >= len("Rheinmetall (Unterlüß)")


def test_every_numeric_column_has_a_format(tmp_path: Path) -> None:
    plan = sourced_plan(tmp_path)
    written = {p.name: p for p in write_outputs(tmp_path / "out", plan, assess(plan))}
    book = openpyxl.load_workbook(written["plan.xlsx"])
    unformatted = {
        (ws.title, ws.cell(1, c.column).value)
        for ws in book.worksheets
        if ws.title not in ("Summary", "inputs")
        for row in ws.iter_rows(min_row=2)
        for c in row
        if isinstance(c.value, float | int) and not isinstance(c.value, bool) and c.number_format == "General"
    }
    assert unformatted == set()


def test_the_inputs_sheet_names_entity_and_field_and_links_its_source(tmp_path: Path) -> None:
    plan = sourced_plan(tmp_path)
    written = {p.name: p for p in write_outputs(tmp_path / "out", plan, assess(plan))}
    ws = openpyxl.load_workbook(written["plan.xlsx"])["inputs"]
    header = [c.value for c in ws[1]]
    rows = {r[header.index("field")].value: r for r in ws.iter_rows(min_row=2)}
    price = rows["lines[rheinmetall-unterluss].price[0]"]
    assert price[header.index("input")].value == "Line Rheinmetall (Unterlüß), shell — price"
    source = price[header.index("source")]
    assert source.value == "web" and source.hyperlink.target == "https://example.org/a?b=1&c=2"
    budget = rows["funding[fund].budget[0]"]
    assert budget[header.index("input")].value == "Funding fund — budget"
    assert budget[header.index("source")].value == "paper" and budget[header.index("source")].hyperlink is None
    assert budget[header.index("value")].number_format == "#,##0"
    sources = openpyxl.load_workbook(written["plan.xlsx"])["sources"]
    links = [c.hyperlink.target for row in sources.iter_rows() for c in row if c.hyperlink]
    assert links == ["https://example.org/a?b=1&c=2"]


def test_only_web_addresses_become_links(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {"name": ["a", "b", "c", "d"], "url": ["https://x.org", "javascript:alert(1)", "file:///etc", None]}
    )
    path = write_xlsx(tmp_path / "l.xlsx", {"s": Sheet(df, links={"url": list(df["url"])})})
    ws = openpyxl.load_workbook(path)["s"]
    assert [c.hyperlink.target if c.hyperlink else None for c in ws["B"][1:]] == ["https://x.org", None, None, None]
