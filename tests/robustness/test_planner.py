"""Hardening of the planner and its checker (issue 9): bad plan tables, extreme weights and
magnitudes, empty scenarios, every solver status."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import materiel
from materiel.cli import app
from materiel.planner.check import check_plan

FIXTURES = Path(__file__).parent.parent / "fixtures"
TINY = FIXTURES / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny() -> materiel.Plan:
    """Tiny plan: 200 ordered on 'cheap' in 2026Q1 and Q2, EUR 800 paid by 'eu' in 2026."""
    return materiel.plan(TINY)


def tables(plan: materiel.Plan) -> dict[str, pd.DataFrame]:
    """Copies of the tables ``materiel check`` reads."""
    return {name: getattr(plan, name).copy() for name in ("orders", "investments", "funding", "stock")}


def violations(plan: materiel.Plan, t: dict[str, pd.DataFrame]) -> list[str]:
    return [str(v) for v in check_plan(plan.model, t["orders"], t["investments"], t["funding"], t["stock"])]


@pytest.mark.parametrize("bad", [np.nan, None, "nan", "lots", "inf", "-inf", ""])
@pytest.mark.parametrize(
    ("table", "column", "row"),
    [("orders", "quantity", 0), ("funding", "amount", 0), ("stock", "stock", 2)],
)
def test_a_number_that_is_not_a_finite_number_is_a_violation(
    tiny: materiel.Plan, table: str, column: str, row: int, bad: object
) -> None:
    """Blanked, NaN, infinite or text figures used to pass (NaN compares false) or raise."""
    t = tables(tiny)
    t[table][column] = t[table][column].astype(object)
    t[table].loc[row, column] = bad
    found = violations(tiny, t)
    blank = bad is None or bad == "" or (isinstance(bad, float) and np.isnan(bad))
    why = "blank: a number is needed" if blank else f"{bad!r} is not a finite number"
    assert f"table — {table} row {row + 2}, column {column}: {why}" in found


def test_a_blank_investment_is_a_violation(tiny: materiel.Plan) -> None:
    t = tables(tiny)
    t["investments"] = pd.DataFrame({"line": ["cheap"], "period": ["2026Q1"], "added_per_year": [np.nan]})
    assert "table — investments row 2, column added_per_year: blank: a number is needed" in violations(tiny, t)


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("orders", "quantity"),
        ("funding", "amount"),
        ("investments", "added_per_year"),
        ("stock", "stock"),
        ("funding", "purpose"),
        ("orders", "line"),
    ],
)
def test_a_missing_column_is_a_violation_not_zeros(tiny: materiel.Plan, table: str, column: str) -> None:
    t = tables(tiny)
    t[table] = t[table].drop(columns=[column])
    assert f"table — {table}: missing column {column!r}" in violations(tiny, t)


def test_the_untouched_tables_pass(tiny: materiel.Plan) -> None:
    assert violations(tiny, tables(tiny)) == []


def test_check_command_reports_a_quantity_of_lots(tiny: materiel.Plan, tmp_path: Path) -> None:
    """`materiel check` on a hand-edited orders.csv: a located message and exit 1, no traceback."""
    t = tables(tiny)
    t["orders"]["quantity"] = t["orders"]["quantity"].astype(object)
    t["orders"].loc[1, "quantity"] = "lots"
    for name, df in t.items():
        df.to_csv(tmp_path / f"{name}.csv", index=False)
    result = CliRunner().invoke(app, ["check", str(tmp_path), "-s", str(TINY)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "table — orders row 3, column quantity: 'lots' is not a finite number" in result.output
