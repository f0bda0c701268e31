"""A small scenario with ranges on prices, capacities, a lead time and a budget: every draw solves
in milliseconds, and the lead time makes some draws change the model's shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import line, scenario, shell, write


def ranged_doc() -> dict:
    return scenario(
        horizon={"start": "2026Q1", "periods": 8},
        items=[shell(stock={"ukraine": 50}, wartime_use={"value": 10, "unit": "/day", "low": 5, "high": 20})],
        lines=[
            line(
                "a",
                price={"value": 1, "unit": "EUR", "low": 0.5, "high": 2},
                capacity={"value": 400, "unit": "/year", "low": 200, "high": 600},
                lead={"value": 3, "unit": "months", "low": 0, "high": 9},
            ),
            line("b", price={"value": 2, "unit": "EUR", "low": 1, "high": 3, "dist": "uniform"}, country="US"),
        ],
        funding=[{"id": "fund", "name": "f", "budget": {"value": 600, "unit": "EUR/year", "low": 300, "high": 900}}],
        requirements=[
            {
                "customer": "ukraine",
                "item": "shell",
                "targets": [{"by": "2026Q1", "value": 100}, {"by": "2027Q4", "value": 1000}],
            }
        ],
    )


@pytest.fixture
def ranged(tmp_path: Path) -> Path:
    return write(tmp_path, ranged_doc(), "ranged.yaml")
