"""The workbook writer's output reads back exactly in openpyxl (a strict, independent reader)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from materiel.report.xlsx import column_letter, write_xlsx


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
