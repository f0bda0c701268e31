"""One calendar everywhere: a year is 365 days, 12 months or 4 quarters, a month 365/12 days.

A rate is the same rate whatever unit it is written in: a line making exactly what a war uses keeps
up for ever, and a stock with no production lasts stock / use days on this calendar.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from materiel.assessment import assess
from materiel.scenario.units import DAYS_PER, YEARS_PER
from tests.builders import line, scenario, shell, solve

PER_DAY = 1_200  # one rate, written below in every unit
IN_UNITS = {
    "day": PER_DAY,
    "week": PER_DAY * 7,
    "month": PER_DAY * 365 / 12,  # 36,500
    "quarter": PER_DAY * 365 / 4,  # 109,500
    "year": PER_DAY * 365,  # 438,000
}
HORIZONS = {
    "month": {"start": "2026-01", "periods": 12, "period": "month"},
    "quarter": {"start": "2026Q1", "periods": 4, "period": "quarter"},
    "year": {"start": "2026", "periods": 3, "period": "year"},
}


def _war(tmp_path: Path, horizon: str, use_unit: str, made_unit: str | None, stock: float = 10_000):
    """Assess a scenario whose one item is used at PER_DAY in a war, made by one line (or none)."""
    items = [
        shell(stock={"ukraine": stock}, wartime_use={"value": IN_UNITS[use_unit], "unit": f"shells/{use_unit}"}),
        {"id": "other", "name": "other", "category": "mines", "stock": {"ukraine": 0}},
    ]
    made = line("a", capacity={"value": IN_UNITS[made_unit], "unit": f"/{made_unit}"}) if made_unit else None
    lines = [made] if made else [line("b", item="other")]  # the plan needs one line somewhere
    return assess(solve(tmp_path, scenario(horizon=HORIZONS[horizon], items=items, lines=lines)))


@pytest.mark.parametrize("horizon", HORIZONS)
@pytest.mark.parametrize(
    ("use_unit", "made_unit"),
    [("month", unit) for unit in IN_UNITS] + [(unit, "month") for unit in IN_UNITS if unit != "month"],
)
def test_a_line_making_what_is_fired_never_runs_out(tmp_path: Path, horizon: str, use_unit: str, made_unit: str):
    a = _war(tmp_path, horizon, use_unit, made_unit)
    days = a.sustainment.set_index("period")["days"]
    assert days.map(math.isinf).all(), f"runs out after {days.min():,.0f} days"
    assert a.summary()["bottleneck_days"] is None  # "never runs out"


def test_the_issue_case_60000_a_month_made_and_fired(tmp_path: Path) -> None:
    """A line making 60,000 a month against 60,000 fired a month ran out after 3,650 days."""
    items = [shell(stock={"ukraine": 100_000}, wartime_use={"value": 60_000, "unit": "shells/month"})]
    lines = [line("a", capacity={"value": 60_000, "unit": "shells/month"})]
    a = assess(solve(tmp_path, scenario(items=items, lines=lines)))
    assert a.sustainment["days"].map(math.isinf).all()
    assert a.sustainment["use_per_day"].iloc[0] == pytest.approx(60_000 * 12 / 365)


@pytest.mark.parametrize("horizon", HORIZONS)
@pytest.mark.parametrize("use_unit", IN_UNITS)
def test_with_no_production_a_stock_lasts_stock_over_use_days(tmp_path: Path, horizon: str, use_unit: str):
    # 36,500 held at 1,200 a day lasts 30.42 days: one month on the 365-day calendar
    a = _war(tmp_path, horizon, use_unit, None, stock=36_500)
    row = a.sustainment.set_index("item").loc["shell"].iloc[0]
    assert row["use_per_day"] == pytest.approx(PER_DAY, rel=1e-12)
    assert row["days_alone"] == pytest.approx(365 / 12, rel=1e-12)
    assert row["days"] == pytest.approx(365 / 12, rel=1e-12)


def test_a_threat_written_per_month_is_demand_per_month_on_the_same_calendar(tmp_path: Path) -> None:
    """365 missiles a month, one interceptor each: 365 fired a month is 12 a day, and a line making
    365 interceptors a month keeps up with it."""
    threat = {
        "attacks": [{"id": "missile", "name": "missile", "rate": {"value": 365, "unit": "/month"}}],
        "defences": [{"attack": "missile", "item": "shell", "share": 1, "per_attack": 1, "p_kill": 1}],
    }
    items = [{"id": "shell", "name": "interceptor", "category": "air-defence", "stock": {"ukraine": 1_000}}]
    made = line("a", capacity={"value": 365 * 3, "unit": "/quarter"})
    a = assess(solve(tmp_path, scenario(items=items, lines=[made], threat=threat)))
    first = a.interceptors.iloc[0]
    assert first["demand_per_month"] == pytest.approx(365)
    assert a.sustainment["use_per_day"].iloc[0] == pytest.approx(12)
    assert math.isinf(first["days_to_exhaustion"])
    assert a.attacks.set_index("attack").loc["missile", "launches_per_month"].iloc[0] == pytest.approx(365)


@pytest.mark.parametrize("basis", DAYS_PER)
def test_days_and_years_per_unit_are_one_calendar(basis: str) -> None:
    assert DAYS_PER[basis] == pytest.approx(YEARS_PER[basis] * 365, rel=1e-15)


@pytest.mark.parametrize(
    ("horizon", "ends"),
    [
        ({"start": "2026Q2", "periods": 6, "period": "quarter"}, ["2026Q4", "2027Q3"]),
        ({"start": "2026-11", "periods": 4, "period": "month"}, ["2026-12", "2027-02"]),
        ({"start": "2026", "periods": 2, "period": "year"}, ["2026", "2027"]),
    ],
)
def test_the_last_period_of_each_year_inside_the_horizon(tmp_path: Path, horizon: dict, ends: list[str]) -> None:
    doc = scenario(horizon=horizon, lines=[line("a")])
    doc["requirements"] = [
        {"customer": "ukraine", "item": "shell", "targets": [{"by": horizon["start"], "value": 10_000}]}
    ]
    plan = solve(tmp_path, doc)
    cal = plan.model.cal
    assert [cal.labels[t] for t in cal.year_ends] == ends
    a = assess(plan)
    assert [a.at_year_end(y) for y in cal.years] == ends
    assert a.at_year_end(cal.years[-1] + 1) is None
    # the shortfall at each year's end is 1 − the stock held then / 10,000 (400 made a year)
    held = plan.stock.set_index("period")["stock"]
    expected = [1 - held[p] / 10_000 for p in ends]
    assert plan.shortfall_by_category().loc["artillery-ammunition"].tolist() == pytest.approx(expected)
