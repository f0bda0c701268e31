"""The comparison on a terminal 100 columns wide: a table that fits, each long note once below it."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console

import materiel
from materiel.assessment.options import compare_options, compare_scenarios
from materiel.report.comparison import print_comparison
from materiel.report.files import write_outputs
from tests.assessment.test_options import doc_with_options
from tests.builders import write

LONG = "a constraint that goes on " + "and on " * 40 + "until the end"


def printed(results: list) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    print_comparison(results, console)
    return console.file.getvalue()


def test_the_options_table_fits_100_columns_and_notes_come_once(tmp_path: Path) -> None:
    doc = doc_with_options()
    doc["options"]["reassurance"]["constraints"] = LONG
    _, m = materiel.load(write(tmp_path, doc))
    text = printed(compare_options(m))
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    rows = [line for line in lines if line.startswith(("armed neutrality ", "reassurance force 0k ", "binding"))]
    assert len(rows) == 3  # one line each: nothing in the table wrapped
    assert "Options side by side (EUR, a year unless stated)" in text  # EUR 400: whole euros, not 0.00 bn
    # cost a year, of which troops and equipment; the plan's total over the horizon (one year here)
    assert rows[1].split()[:10] == ["reassurance", "force", "0k", "400", "200", "200", "200", "100", "%", "never"]
    assert text.replace("\n", "").count("until the end") == 1  # the long note, once, in full


def test_long_row_names_are_cut_in_the_table_and_given_in_full_below(tmp_path: Path) -> None:
    name = "a-scenario-file-with-a-name-far-longer-than-any-column-should-be"
    first = write(tmp_path, doc_with_options(), f"{name}-one.yaml")
    second = write(tmp_path, doc_with_options(), f"{name}-two.yaml")
    text = printed(compare_scenarios([first, second]))
    assert max(len(line) for line in text.splitlines()) <= 100
    assert f"• {name}-two:" in text  # the notes name each row in full
    table_rows = [line for line in text.splitlines() if line.startswith("a-scenario") and "…" in line]
    assert len(table_rows) == 2


def test_the_comparison_sheet_holds_numbers(tmp_path: Path) -> None:
    _, m = materiel.load(write(tmp_path, doc_with_options()))
    results = compare_options(m)
    first = results[0]
    written = {p.name: p for p in write_outputs(tmp_path / "out", first.plan, first.assessment, results)}
    ws = openpyxl.load_workbook(written["plan.xlsx"])["comparison"]
    header = [c.value for c in ws[1]]
    cost = [row[header.index("cost per year (EUR)")] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in cost] == pytest.approx([400, 400, 0]) and cost[0].data_type == "n"
    assert cost[0].number_format == '"EUR "#,##0'
    share = ws.cell(2, header.index("spent in Europe (share)") + 1)
    assert share.value == 1 and share.number_format == "0.0%"
    troops = ws.cell(3, header.index("troops committed") + 1)
    assert troops.value == 1 and troops.number_format == "#,##0"
    assert not any(isinstance(c.value, str) and c.value.startswith("EUR ") for row in ws.iter_rows() for c in row)
