"""Small scenarios built in code, written as YAML (JSON is YAML) so they go through the loader."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import materiel

BASE: dict[str, Any] = {
    "name": "t",
    "title": "test scenario",
    "as_of": "2026-11",
    "horizon": {"start": "2026Q1", "periods": 4, "period": "quarter"},
    "currency": {"base": "EUR", "year": 2025},
    "customers": [{"id": "ukraine", "name": "Ukraine"}],
    "items": [
        {"id": "shell", "name": "shell", "category": "artillery-ammunition", "unit": "shell", "stock": {"ukraine": 0}}
    ],
    "requirements": [],
    "lines": [],
    "funding": [{"id": "fund", "name": "fund", "budget": {"value": 1e9, "unit": "EUR/year"}}],
}


def shell(**fields: Any) -> dict[str, Any]:
    """The item 'shell' (artillery ammunition) with the given fields, e.g. stock={"ukraine": 100}."""
    return {"id": "shell", "name": "shell", "category": "artillery-ammunition", **fields}


def line(id: str, **kw: Any) -> dict[str, Any]:
    """A line making 'shell' in Germany: 400 a year (100 a quarter), EUR 1, no lead time."""
    out = {
        "id": id,
        "supplier": id,
        "country": "DE",
        "item": "shell",
        "capacity": {"value": 400, "unit": "/year"},
        "price": {"value": 1, "unit": "EUR"},
        "lead": {"value": 0, "unit": "months"},
    }
    out.update(kw)
    return out


def target(value: float, by: str = "2026Q4", customer: str = "ukraine", item: str = "shell") -> dict[str, Any]:
    return {"customer": customer, "item": item, "targets": [{"by": by, "value": value}], "interpolate": "step"}


def scenario(**sections: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc.update(copy.deepcopy(sections))
    return doc


def write(tmp_path: Path, doc: dict[str, Any], name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=1))
    return path


def solve(tmp_path: Path, doc: dict[str, Any]) -> materiel.Plan:
    """Plan a scenario and assert the independent checker finds nothing wrong."""
    plan = materiel.plan(write(tmp_path, doc))
    assert materiel.check(plan) == []
    return plan


def grid(plan: materiel.Plan, table: str, value: str, **where: str) -> list[float]:
    """A table's value column per period (0 where absent), filtered by the given columns."""
    df = getattr(plan, table)
    for col, v in where.items():
        df = df[df[col] == v]
    s = df.groupby("period")[value].sum()
    return [round(float(s.get(p, 0.0)), 3) + 0.0 for p in plan.model.periods]
