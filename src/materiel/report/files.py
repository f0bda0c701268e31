"""A plan's files: CSV tables, one Excel workbook, charts and a JSON summary."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..plan.result import Plan
from .output import staged_output
from .provenance import inputs_table, sources_table


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
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        _summary_frame(plan).to_excel(xw, sheet_name="summary", index=False)
        plan.shortfall_by_category().to_excel(xw, sheet_name="shortfall_by_category")
        plan.spend_by_year("fund").to_excel(xw, sheet_name="spend_by_year")
        for name, table in plan.tables().items():
            table.to_excel(xw, sheet_name=name, index=False)
        inputs_table(plan.model.scenario).to_excel(xw, sheet_name="inputs", index=False)
        sources_table(plan.model.scenario).to_excel(xw, sheet_name="sources", index=False)
    return path


def write_plan(plan: Plan, folder: str | Path, charts: bool = True) -> list[Path]:
    """Write every output of a plan into ``folder`` atomically; returns the final paths."""
    from .charts import write_charts

    folder = Path(folder)
    with staged_output(folder) as stage:
        for name, table in plan.tables().items():
            table.to_csv(stage / f"{name}.csv", index=False)
        inputs_table(plan.model.scenario).to_csv(stage / "inputs.csv", index=False)
        write_workbook(plan, stage / "plan.xlsx")
        (stage / "summary.json").write_text(json.dumps(plan.summary(), indent=2) + "\n")
        if charts:
            write_charts(plan, stage)
        written = sorted(p.relative_to(stage) for p in stage.rglob("*") if p.is_file())
    return [folder / p for p in written]
