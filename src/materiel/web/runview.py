"""What the run, compare and share pages show of a stored run, read from its summary (summary.json,
with the command line's sentences under 'text') and its tables; the wording comes from the
library's own functions (planner/causes.py, report/sweep.py, fmt.py), not a second copy of it."""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..fmt import money, probability, share
from ..planner import causes
from ..report.sweep import OUTPUTS, sensitivity_lines, tornado_label
from ..store.models import Run, RunTable
from ..store.runs import PARQUET

CHART_TABLES = ("stock", "funding", "capacity")
PDF_NAME = "report.pdf"  # made from report.html when asked for


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _money(value: Any, currency: str = "") -> str:
    return money(value, currency) if _number(value) else "–"


def _share(value: Any) -> str:
    return share(value) if _number(value) else "–"


def _days(value: Any) -> str:
    """Days of war; a bottleneck that never runs out has none (None in summary.json)."""
    if value is None:
        return "never runs out"
    return f"{value:,.0f}" if _number(value) else "–"


def register_filters(env: Any) -> None:
    """The templates' filters for money, shares and days of war, worded as the command line words
    them; a figure a summary lacks (a run stored by an older version) shows as '–'."""
    env.filters["money"] = _money
    env.filters["share"] = _share
    env.filters["days"] = _days


def files_of(s: Session, run: Run) -> list[dict]:
    """Every file a run stored, as it is downloaded: tables as CSV, the rest as they are."""
    rows = s.execute(select(RunTable.name, RunTable.media_type, RunTable.size).where(RunTable.run_id == run.id))
    out = [
        {"name": f"{name}.csv" if media == PARQUET else name, "size": size, "table": media == PARQUET}
        for name, media, size in rows
    ]
    if any(f["name"] == "report.html" for f in out):
        out.append({"name": PDF_NAME, "size": None, "table": False})
    return sorted(out, key=lambda f: f["name"])


def _tables(s: Session, run: Run, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    rows = s.execute(
        select(RunTable.name, RunTable.data).where(
            RunTable.run_id == run.id, RunTable.name.in_(names), RunTable.media_type == PARQUET
        )
    )
    return {name: pd.read_parquet(io.BytesIO(data)) for name, data in rows}


def _num(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else float(v)


def chart_data(s: Session, run: Run) -> dict:
    """The page's charts as data for static/run.js: stock against target per item (the assessed
    customer), spending by fund and year, capacity per item and period."""
    t = _tables(s, run, CHART_TABLES)
    out: dict[str, Any] = {"currency": (run.summary or {}).get("currency", "")}
    named = ((run.summary or {}).get("text") or {}).get("names") or {}
    item_name = named.get("item", {}).get
    fund_name = named.get("fund", {}).get
    customer = ((run.summary or {}).get("assessment") or {}).get("customer")
    if "stock" in t and not t["stock"].empty:
        stock = t["stock"]
        if customer is not None and "customer" in stock:
            stock = stock[stock["customer"].astype(str) == customer]
        out["stock"] = {
            item_name(str(item), str(item)): {
                "period": g["period"].astype(str).tolist(),
                "stock": [_num(v) for v in g["stock"]],
                "target": [_num(v) for v in g["target"]],
            }
            for item, g in stock.groupby("item", sort=False)
        }
    if "funding" in t and not t["funding"].empty:
        spend = t["funding"].groupby(["fund", "year"])["amount"].sum().unstack(fill_value=0.0)
        out["spending"] = {
            "years": [str(y) for y in spend.columns],
            "funds": {fund_name(str(f), str(f)): [round(float(v), 2) for v in row] for f, row in spend.iterrows()},
        }
    if "capacity" in t and not t["capacity"].empty:
        cap = t["capacity"].groupby(["item", "period"], sort=False)["total_per_year"].sum().unstack()
        out["capacity"] = {
            "periods": [str(p) for p in cap.columns],
            "items": {item_name(str(i), str(i)): [_num(v) for v in row] for i, row in cap.iterrows()},
        }
    return out


def money_rows(summary: dict) -> list[dict]:
    """Money by customer, as summary.json splits it: aid and own means of the assessed customer,
    other customers' own purchases, each with where it was spent."""
    cur = summary.get("currency", "")
    rows = []
    for e in (summary.get("money_by_customer") or {}).values():
        where = e.get("spent_in") or {}
        spent = ", ".join(f"{k} {share(v)}" for k, v in where.items() if v is not None)
        if e.get("assessed"):
            rows.append(
                {
                    "label": f"aid to {e['name']}",
                    "total": money(e["aid"], cur),
                    "per_year": money(e["aid_per_year"], cur),
                    "spent_in": spent,
                }
            )
            rows.append(
                {
                    "label": f"{e['name']}: own means",
                    "total": money(e["own_means"], cur),
                    "per_year": "",
                    "spent_in": "",
                }
            )
        else:
            rows.append(
                {
                    "label": f"{e['name']}: own purchases, not aid",
                    "total": money(e["total"], cur),
                    "per_year": money(e["per_year"], cur),
                    "spent_in": spent,
                }
            )
    return rows


def envelope_rows(summary: dict) -> tuple[list[str], list[dict]]:
    """Share of each year's budget spent, per fund and for all funds (over 100 %: money carried in)."""
    use = summary.get("envelope_use") or {}
    years = list(use)
    funds: dict[str, list[str]] = {}
    for i, year in enumerate(years):
        for fund, f in (use[year].get("by_fund") or {}).items():
            funds.setdefault(fund, [""] * len(years))[i] = share(f.get("share_used"))
    named = ((summary.get("text") or {}).get("names") or {}).get("fund", {})
    rows = [{"fund": named.get(fund, fund), "cells": cells} for fund, cells in funds.items()]
    rows.append({"fund": "all vehicles", "cells": [share(use[y].get("share_used")) for y in years], "total": True})
    return years, rows


def categories(summary: dict) -> list[tuple[str, str]]:
    """Readiness by category: (category's name, the period it is ready from, or 'never')."""
    named = ((summary.get("text") or {}).get("names") or {}).get("category", {})
    ready = (summary.get("assessment") or {}).get("readiness_by_category") or {}
    return [(named.get(c, c), p or "never") for c, p in ready.items()]


def why_short(summary: dict) -> list[str]:
    """Why targets are missed, item by item (the terminal's lines, planner/causes.py)."""
    customer = (summary.get("assessment") or {}).get("customer")
    entries = (summary.get("why_short") or {}).get(customer, []) if customer else []
    return [f"{causes.headline(e)}: {causes.brief(e)}" for e in entries]


def sweep_view(summary: dict, currency: str) -> dict:
    """A sweep's odds of readiness by year, its quantiles, its sensitivity lines and tornado data."""
    cq = summary.get("total_cost_quantiles") or {}
    rq = summary.get("readiness_date_quantiles") or {}
    tornado = {
        OUTPUTS.get(output, output): [
            {"label": tornado_label(r.get("name") or r["input"], bool(r.get("in_noise_band"))), "rho": r["rho"]}
            for r in rows
        ]
        for output, rows in (summary.get("top_sensitivities") or {}).items()
    }
    return {
        "p_ready": {y: probability(p) for y, p in (summary.get("p_ready_by_year") or {}).items()},
        "cost": {q: "no plan" if v is None else money(v, currency) for q, v in cq.items()},
        "ready": {q: v or "not in horizon" for q, v in rq.items()},
        "lines": sensitivity_lines(summary) if summary.get("top_sensitivities") is not None else [],
        "tornado": tornado,
    }


def compare_rows(runs: list[Run]) -> list[dict]:
    """The comparison of any runs (report/comparison.py's figures where a run has them): cost a
    year, aid a year, all money, share spent in Europe, readiness, the bottleneck and its days of
    war; each cell that differs from the first run's is marked."""

    def figures(run: Run) -> dict[str, str]:
        s = run.summary or {}
        a = s.get("assessment") or {}
        cur = s.get("currency", "")
        years = max(1, len(s.get("spend_by_year") or {}) or 1)
        aid = next((e for e in (s.get("money_by_customer") or {}).values() if e.get("assessed")), None)
        days = a.get("bottleneck_days")
        item = a.get("bottleneck_item")
        item = ((s.get("text") or {}).get("names") or {}).get("item", {}).get(item, item)
        total = s.get("total_cost")
        return {
            "status": run.status,
            "cost a year": "–" if total is None else money(total / years, cur),
            "aid a year": "–" if aid is None else money(aid["aid_per_year"], cur),
            "all money": "–" if total is None else money(total, cur),
            "spent in Europe": "–" if s.get("europe_share") is None else share(s["europe_share"]),
            "ready": a.get("readiness_date") or "never within the horizon",
            "bottleneck": f"{item or '–'} ({a.get('bottleneck_year', '–')})",
            "days of war": "never runs out" if days is None else f"{days:,.0f}",
        }

    each = [figures(r) for r in runs]
    names = list(each[0]) if each else []
    return [
        {
            "figure": name,
            "cells": [{"value": f[name], "changed": i > 0 and f[name] != each[0][name]} for i, f in enumerate(each)],
        }
        for name in names
    ]
