"""A plan's files: CSV tables, one Excel workbook, charts and a JSON summary."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..plan.result import Plan
from .output import staged_output
from .provenance import inputs_table, sources_table
from .render import ChartPool
from .xlsx import write_xlsx


def _summary_frame(plan: Plan) -> pd.DataFrame:
    s = plan.summary()
    rows = [
        ("scenario", s["scenario"]),
        ("status", s["status"]),
        ("currency", s["currency"]),
        ("price year", s["price_year"]),
        ("horizon", " – ".join(s["horizon"])),
        ("total cost", s["total_cost"]),
        ("share spent in Europe", s["europe_share"]),
        ("share spent in Ukraine", s["ukraine_share"]),
    ]
    return pd.DataFrame(rows, columns=["figure", "value"])


def write_workbook(plan: Plan, path: Path) -> Path:
    """One sheet per table, plus the summary, every input figure and the sources."""
    spend = plan.spend_by_year("fund")
    spend.columns = [str(c) for c in spend.columns]
    sbc = plan.shortfall_by_category()
    sbc.columns = [str(c) for c in sbc.columns]
    sheets = {
        "summary": _summary_frame(plan),
        "shortfall_by_category": sbc.reset_index(),
        "spend_by_year": spend.reset_index(),
        **plan.tables(),
        "inputs": inputs_table(plan.model.scenario),
        "sources": sources_table(plan.model.scenario),
    }
    return write_xlsx(path, sheets)


def write_plan(plan: Plan, folder: str | Path, charts: bool = True, pool: ChartPool | None = None) -> list[Path]:
    """Write every output of a plan into ``folder`` atomically; returns the final paths.

    Charts are drawn by ``pool`` (started early by the caller) while the tables are written.
    """
    folder = Path(folder)
    with staged_output(folder) as stage:
        jobs = (pool or ChartPool(workers=0)).submit(plan, stage) if charts else []
        for name, table in plan.tables().items():
            table.to_csv(stage / f"{name}.csv", index=False)
        inputs_table(plan.model.scenario).to_csv(stage / "inputs.csv", index=False)
        write_workbook(plan, stage / "plan.xlsx")
        (stage / "summary.json").write_text(json.dumps(plan.summary(), indent=2) + "\n")
        ChartPool.wait(jobs)
        written = sorted(p.relative_to(stage) for p in stage.rglob("*") if p.is_file())
    return [folder / p for p in written]
