"""A run's results as files, made in memory (CSV tables, one Excel workbook, charts, a JSON summary,
the HTML report) and written into an output folder as one unit."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..assessment import Assessment
from ..assessment.options import OptionResult, comparison_json, comparison_table
from ..atomic import staged_files
from ..fmt import NEVER_RUNS_OUT
from ..planner import money
from ..planner.result import Plan
from ..scenario.names import possessive
from ..scenario.provenance import inputs_table
from ..uncertainty.summary import SweepSummary
from .cells import safe_table
from .html import render_report
from .output import output_folder
from .ranges import summary_rows
from .render import Drawing
from .workbook import workbook_sheets
from .xlsx import write_xlsx


def _money_rows(plan: Plan) -> list[tuple[str, object]]:
    """Money by customer (planner/money.py): aid to the assessed customer and its own means apart,
    each other customer's own purchases apart, each with where it was spent; never one mixed total."""
    rows: list[tuple[str, object]] = []
    for e in money.by_customer(plan).values():
        name = e["name"]
        if e["assessed"]:
            rows += [
                (f"aid to {name}", e["aid"]),
                (f"aid to {name}, per year", e["aid_per_year"]),
                (f"{possessive(name)} own means", e["own_means"]),
            ]
        else:
            rows += [(f"{possessive(name)} own purchases, not aid", e["total"]), (f"{name}, per year", e["per_year"])]
        for region, value in e["spent_in"].items():
            if value is not None:
                rows.append((f"{name}: share spent in {region}", value))
    return rows


def _summary_frame(plan: Plan, assessment: Assessment | None) -> pd.DataFrame:
    s = plan.summary()
    rows = [
        ("scenario", s["scenario"]),
        ("status", s["status"]),
        ("currency", s["currency"]),
        ("price year", s["price_year"]),
        ("horizon", " – ".join(s["horizon"])),
        *_money_rows(plan),
        ("all money, every customer", s["total_cost"]),
        ("share spent in Europe, all money", s["europe_share"]),
        ("share spent in Ukraine, all money", s["ukraine_share"]),
        *summary_rows(plan),  # ranges over the equally good plans (docs/model.md)
    ]
    rows += [(f"what limits {year}", limits["text"]) for year, limits in s["limits"].items()]
    if assessment is not None:
        a = assessment.summary()
        rows += [
            ("readiness date", a["readiness_date"] or "never within the horizon"),
            (f"bottleneck {a['bottleneck_year']}", a["bottleneck_item"]),
            (
                f"days of war {a['bottleneck_year']}",
                a["bottleneck_days"] if a["bottleneck_days"] is not None else NEVER_RUNS_OUT,
            ),
        ]
        rows += [(f"held back {assessment.year}", text) for text in assessment.held_back()]
        rows += [(f"can be fired {assessment.year}", text) for text in assessment.fire_statements()]
    return pd.DataFrame(rows, columns=["figure", "value"])


def assessment_tables(a: Assessment) -> dict[str, pd.DataFrame]:
    """The assessment's tables by name."""
    coverage = a.coverage.reset_index().melt(id_vars="category", var_name="period", value_name="coverage")
    items = a.item_coverage.reset_index().melt(id_vars="item", var_name="period", value_name="coverage")
    tables = {"coverage": coverage, "item_coverage": items, "sustainment": a.sustainment, "bottleneck": a.bottleneck}
    tables["time_to_target"] = a.time_to_target()
    if not a.fire.empty:
        tables["can_fire"] = a.fire
    if not a.interceptors.empty:
        tables |= {"interceptors": a.interceptors, "attacks": a.attacks}
    return tables


def summary(plan: Plan, assessment: Assessment | None, comparison: list[OptionResult] | None = None) -> dict:
    """The machine-readable summary (--json)."""
    out = plan.summary()
    if assessment is not None:
        out["assessment"] = assessment.summary()
    if comparison:
        out["comparison"] = comparison_json(comparison)
    return out


def workbook_bytes(
    plan: Plan, assessment: Assessment | None = None, comparison: list[OptionResult] | None = None
) -> bytes:
    """plan.xlsx: one sheet per table, plus the summary, every input figure and the sources."""
    spend = plan.spend_by_year("fund")
    spend.columns = [str(c) for c in spend.columns]
    sbc = plan.shortfall_by_category()
    sbc.columns = [str(c) for c in sbc.columns]
    tables = {
        "shortfall_by_category": sbc.reset_index(),
        "spend_by_year": spend.reset_index(),
        **plan.tables(),
        **(assessment_tables(assessment) if assessment is not None else {}),
        **({"comparison": comparison_table(comparison)} if comparison else {}),
    }
    sheets = workbook_sheets(_summary_frame(plan, assessment), tables, plan.model.scenario, plan.currency)
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def output_tables(
    plan: Plan, assessment: Assessment | None = None, comparison: list[OptionResult] | None = None
) -> dict[str, pd.DataFrame]:
    """The tables a plan's folder holds as CSV, by name (without the ``.csv``), as the plan has them."""
    tables = {**plan.tables(), **(assessment_tables(assessment) if assessment is not None else {})}
    if comparison:
        tables["comparison"] = comparison_table(comparison)
    tables["inputs"] = inputs_table(plan.model.scenario)
    return tables


def csv_bytes(table: pd.DataFrame, index: bool = False) -> bytes:
    """A table as the CSV file we write (text a spreadsheet would run as a formula quoted)."""
    return safe_table(table).to_csv(index=index).encode("utf-8")


def json_bytes(data: dict) -> bytes:
    """A summary as the JSON file we write."""
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def plan_files(
    plan: Plan,
    assessment: Assessment | None = None,
    comparison: list[OptionResult] | None = None,
    whatifs: list[str] | None = None,
    drawing: Drawing | None = None,
) -> dict[str, bytes]:
    """Every output of a plan by file name, made in memory: the tables as CSV, plan.xlsx,
    summary.json, the charts (``drawing``, started by the caller, is waited for after the
    tables are made) and report.html, which embeds them."""
    files = {f"{name}.csv": csv_bytes(table) for name, table in output_tables(plan, assessment, comparison).items()}
    files["plan.xlsx"] = workbook_bytes(plan, assessment, comparison)
    files["summary.json"] = json_bytes(summary(plan, assessment, comparison))
    drawn = drawing.wait() if drawing is not None else {}
    files |= drawn
    if assessment is not None:
        files["report.html"] = render_report(plan, assessment, drawn, comparison, whatifs).encode("utf-8")
    return files


def write_files(
    folder: str | Path, scenario: str, files: dict[str, bytes], inputs: Iterable[str | Path] = ()
) -> list[Path]:
    """Write files made in memory into ``folder``, replacing the previous run's outputs as one unit
    (files the scenario reads, ``inputs``, may not be in it); returns the final paths."""
    folder = Path(folder)
    with output_folder(folder, scenario, inputs) as stage:
        for name, data in files.items():
            (stage / name).write_bytes(data)
        written = staged_files(stage)
    return [folder / p for p in written]


def write_outputs(
    folder: str | Path,
    plan: Plan,
    assessment: Assessment | None = None,
    comparison: list[OptionResult] | None = None,
    whatifs: list[str] | None = None,
    drawing: Drawing | None = None,
    inputs: Iterable[str | Path] = (),
) -> list[Path]:
    """Write every output (``plan_files``) into ``folder`` as one unit; returns the final paths."""
    files = plan_files(plan, assessment, comparison, whatifs, drawing)
    return write_files(folder, plan.model.scenario.name, files, inputs)


def sweep_files(
    u: SweepSummary, plan: Plan, assessment: Assessment, drawing: Drawing | None = None
) -> dict[str, bytes]:
    """A sweep's tables, summary and report (with the scenario as written as its baseline), in memory."""
    files = {
        "draws.csv": csv_bytes(u.draws),
        "p_ready.csv": csv_bytes(u.p_ready),
        "quantiles.csv": csv_bytes(u.quantiles.rename_axis("measure"), index=True),
        "sensitivity.csv": csv_bytes(u.sensitivity),
        "fan.csv": csv_bytes(u.fan.rename_axis("period"), index=True),
        "summary.json": json_bytes(u.headline()),
    }
    drawn = drawing.wait() if drawing is not None else {}
    files |= drawn
    files["report.html"] = render_report(plan, assessment, drawn, uncertainty=u).encode("utf-8")
    return files
