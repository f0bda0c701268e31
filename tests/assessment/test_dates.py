"""Dates within a period (assessment/dates.py): stock and target in a straight line between period
ends, so months to target do not depend on the period length; checked by hand."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from materiel.assessment import assess
from materiel.assessment.dates import calendar_month, reached, runs_out, years_and_months
from materiel.planner.result import Plan
from tests.builders import line, scenario, solve, target, write

Run = Callable[..., tuple[int, str, str]]
QUARTERS = {"start": "2026Q1", "periods": 4, "period": "quarter"}
MONTHS = {"start": "2026-01", "periods": 12, "period": "month"}


def test_reached_is_the_last_crossing_in_a_straight_line() -> None:
    """Gap −30, −10, +20 at months 0, 3, 6: the line from −10 to +20 crosses 0 a third of the way,
    at month 4; a gap that dips again after crossing counts from its last crossing."""
    at = np.array([0.0, 3.0, 6.0, 9.0])
    assert reached(at, np.array([-30.0, -10.0, 20.0, 50.0])) == pytest.approx(4.0)
    assert reached(at, np.array([-30.0, 10.0, -5.0, 10.0])) == pytest.approx(6 + 3 * 5 / 15)
    assert reached(at, np.array([0.0, 1.0, 2.0, 3.0])) == 0.0
    assert reached(at, np.array([-3.0, -2.0, -1.0, -1.0])) == math.inf


def test_runs_out_is_the_first_crossing_of_zero() -> None:
    """Level 100, 40, −20 at months 0, 3, 6: zero two thirds of the way from 40 to −20, month 5."""
    at = np.array([0.0, 3.0, 6.0])
    assert runs_out(at, np.array([100.0, 40.0, -20.0])) == pytest.approx(5.0)
    assert runs_out(at, np.array([100.0, 40.0, 10.0])) == math.inf
    assert runs_out(at, np.array([0.0, 40.0, 10.0])) == 0.0


def test_years_and_months_in_words() -> None:
    assert years_and_months(10.0) == "10.0 m"
    assert years_and_months(21.25) == "1 y 9.3 m"  # 21.25 months rounded to a tenth: 21.3
    assert years_and_months(24.0) == "2 y 0.0 m"
    assert years_and_months(math.inf) == "never within the horizon"


def _constant_rate(tmp_path: Path, horizon: dict, per_period: float, labels: list[str]) -> Plan:
    """100 shells wanted from the start, none held; 120 a year contracted at a steady rate
    (``per_period`` in each period), the line's whole capacity."""
    tmp_path.mkdir()
    doc = scenario(
        horizon=horizon,
        lines=[line("a", capacity={"value": 120, "unit": "/year"})],
        requirements=[target(100, by=labels[0])],
        commitments=[{"line": "a", "customer": "ukraine", "period": p, "quantity": per_period} for p in labels],
    )
    return solve(tmp_path, doc)


def test_months_to_target_are_the_same_in_quarters_and_in_months(tmp_path: Path) -> None:
    """10 a month from nothing reaches 100 after 10 months. In quarters: 30, 60, 90, 120 at months
    3, 6, 9, 12; between 90 and 120 the target is a third of the way: 9 + 3 · 10/30 = 10. In months:
    90 at month 9, 100 at month 10: 10. Both say 10 months, reached in October 2026. To hold 100 at
    the end of 2026 from nothing takes 100/12 = 8.33 a month against the line's 10: 0.833 times."""
    quarters = _constant_rate(tmp_path / "q", QUARTERS, 30, ["2026Q1", "2026Q2", "2026Q3", "2026Q4"])
    months = _constant_rate(tmp_path / "m", MONTHS, 10, [f"2026-{n:02d}" for n in range(1, 13)])
    for plan in (quarters, months):
        row = assess(plan).time_to_target().set_index("item").loc["shell"]
        assert row["months_to_target"] == pytest.approx(10.0)
        assert (row["at_target_from"], row["time_to_target"]) == ("2026-10", "10.0 m")
        assert row["needed_per_month"] == pytest.approx(100 / 12)
        assert row["current_per_month"] == pytest.approx(10.0)
        assert row["times_current"] == pytest.approx(100 / 12 / 10)


def test_a_stock_runs_out_within_its_period(tmp_path: Path) -> None:
    """100 held, 120 a year used, nothing made: 10 a month, empty after 10 months. In quarters the
    stock is 70, 40, 10 and then 0 with 20 unmet, i.e. −20 counting what was not covered: zero a
    third of the way from 10 to −20, 9 + 3 · 10/30 = 10 months, in October 2026; in months too."""
    for name, horizon, first in (("q", QUARTERS, "2026Q1"), ("m", MONTHS, "2026-01")):
        item = {
            "id": "shell",
            "name": "shell",
            "category": "artillery-ammunition",
            "stock": {"ukraine": 100},
            "use": {"ukraine": {"value": 120, "unit": "/year"}},
        }
        doc = scenario(horizon=horizon, items=[item], requirements=[target(1, by=first)])
        (tmp_path / name).mkdir()
        row = assess(solve(tmp_path / name, doc)).time_to_target().iloc[0]
        assert row["runs_out_month"] == "2026-10"
        assert row["time_to_target"] == "never within the horizon"  # below 1 at the end
        assert row["current_per_month"] == 0.0 and row["times_current"] == math.inf


def test_calendar_month_counts_a_month_end_in_that_month(tmp_path: Path) -> None:
    plan = solve(tmp_path, scenario(horizon=QUARTERS))
    m = plan.model
    assert [calendar_month(m, v) for v in (0.0, 0.5, 1.0, 9.5, 10.0, math.inf)] == [
        "2026-01",
        "2026-01",
        "2026-01",
        "2026-10",
        "2026-10",
        None,
    ]


def test_assess_prints_time_to_target(tmp_path: Path, run: Run) -> None:
    doc = scenario(
        lines=[line("a", capacity={"value": 120, "unit": "/year"})],
        requirements=[target(100, by="2026Q1")],
        commitments=[
            {"line": "a", "customer": "ukraine", "period": p, "quantity": 30}
            for p in ("2026Q1", "2026Q2", "2026Q3", "2026Q4")
        ],
    )
    code, out, _ = run("assess", str(write(tmp_path, doc)), "-o", str(tmp_path / "out"))
    assert code == 0
    assert "Time to target" in out and "2026-10" in out and "10.0 m" in out and "0.83×" in out


def test_the_report_has_the_time_to_target_table(tmp_path: Path) -> None:
    from materiel.report.html import render_report

    plan = _constant_rate(tmp_path / "q", QUARTERS, 30, ["2026Q1", "2026Q2", "2026Q3", "2026Q4"])
    page = render_report(plan, assess(plan), {})
    assert "<h3>Time to target</h3>" in page and '<td class="text">2026-10</td>' in page and "0.83×" in page


def test_assess_json_gives_time_to_target(tmp_path: Path, run: Run) -> None:
    """The constant-rate scenario in quarters: 10 months, October 2026, 0.833 times today's 10 a month."""
    doc = scenario(
        lines=[line("a", capacity={"value": 120, "unit": "/year"})],
        requirements=[target(100, by="2026Q1")],
        commitments=[
            {"line": "a", "customer": "ukraine", "period": p, "quantity": 30}
            for p in ("2026Q1", "2026Q2", "2026Q3", "2026Q4")
        ],
    )
    code, out, _ = run("assess", str(write(tmp_path, doc)), "-o", str(tmp_path / "out"), "--json")
    assert code == 0
    entry = json.loads(out)["time_to_target"]["shell"]
    assert entry == {
        "months_to_target": 10.0,
        "at_target_from": "2026-10",
        "runs_out": None,
        "by": "2026Q4",
        "needed_per_month": 8.333,
        "current_per_month": 10.0,
        "times_current": 0.833,
    }
