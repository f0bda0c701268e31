"""The elementary measures, each against a hand computation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from materiel.assessment.measures import DAYS_PER_MONTH, days_until_empty, first_stable, years_to_target


def test_years_to_reach_a_target_at_a_net_rate() -> None:
    assert years_to_target(100, 400, 100) == pytest.approx(3.0)  # 300 missing at 100 a year
    assert years_to_target(500, 400, 100) == 0.0  # already there
    assert math.isinf(years_to_target(100, 400, 0))  # never reaches, not a negative number
    assert math.isinf(years_to_target(100, 400, -50))


def test_days_a_stock_lasts_without_production() -> None:
    assert days_until_empty(900, 30)[0] == pytest.approx(30)
    assert days_until_empty(0, 30)[0] == 0
    assert math.isinf(days_until_empty(900, 0)[0])  # no use: never runs out


def test_days_a_stock_lasts_with_production_during_the_fight() -> None:
    # 900 held, 30 used and 10 made a day: the stock falls 20 a day, so it lasts 45 days
    assert days_until_empty(900, 30, np.array([[10.0]]), 1e9)[0] == pytest.approx(45)
    # production that keeps up: never runs out (not a negative number of days)
    assert math.isinf(days_until_empty(900, 30, np.array([[30.0]]), 1e9)[0])
    assert math.isinf(days_until_empty(900, 30, np.array([[45.0]]), 1e9)[0])


def test_production_that_starts_later() -> None:
    # 100 held, 10 used a day; nothing arrives for 5 days, then 20 a day: 50 left, then it grows
    assert math.isinf(days_until_empty(100, 10, np.array([[0.0, 20.0]]), 5)[0])
    # nothing arrives for 20 days: empty on day 10, before production starts
    assert days_until_empty(100, 10, np.array([[0.0, 20.0]]), 20)[0] == pytest.approx(10)
    # 5 a day for 10 days (stock 100 -> 50), then 8 a day: 50 / 2 = 25 more days
    assert days_until_empty(100, 10, np.array([[5.0, 8.0]]), 10)[0] == pytest.approx(35)


def test_vectorised_over_items() -> None:
    out = days_until_empty(np.array([100.0, 100.0, 100.0]), np.array([10.0, 0.0, 20.0]))
    assert out[0] == pytest.approx(10) and math.isinf(out[1]) and out[2] == pytest.approx(5)


def test_a_year_of_monthly_use_lasts_365_days() -> None:
    # 12 months' worth of a use written per month lasts a 365-day year, not 360
    per_day = 1_000 / DAYS_PER_MONTH
    assert days_until_empty(12 * 1_000, per_day)[0] == pytest.approx(365, rel=1e-12)


def test_production_equal_to_use_up_to_rounding_never_runs_out() -> None:
    # the same rate reached by two conversions differs in its last bits; that is not a net loss
    use = 180_000 / (365 / 4)
    made = 60_000 / DAYS_PER_MONTH
    assert made < use  # the two roads give different floats
    assert math.isinf(days_until_empty(1_000, use, np.array([[made]]), 1e9)[0])
    from materiel.assessment.measures import days_until_empty_daily

    assert math.isinf(days_until_empty_daily(np.array([1_000.0]), np.array([use]), np.array([[made] * 100]))[0])


def test_first_period_from_which_a_condition_holds() -> None:
    assert first_stable([False, True, False, True, True]) == 3
    assert first_stable([True, True]) == 0
    assert first_stable([True, False]) is None
    assert first_stable([]) is None


def test_daily_inflow_matches_the_segment_form() -> None:
    from materiel.assessment.measures import days_until_empty_daily

    # 100 held, 10 used a day, 5 a day arrive for 10 days then 8 a day: 35 days (as above)
    inflow = np.array([[5.0] * 10 + [8.0] * 40])
    assert days_until_empty_daily(np.array([100.0]), np.array([10.0]), inflow)[0] == pytest.approx(35)
    # production that catches up before the stock is gone: never runs out
    assert math.isinf(
        days_until_empty_daily(np.array([100.0]), np.array([10.0]), np.array([[0.0] * 5 + [20.0] * 5]))[0]
    )
    # beyond the grid the last day's rate continues: 100 held, 2 short a day over 10 days -> 80, then 40 more days
    assert days_until_empty_daily(np.array([100.0]), np.array([10.0]), np.array([[8.0] * 10]))[0] == pytest.approx(50)
