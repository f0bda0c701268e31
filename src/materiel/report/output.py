"""Where a command's outputs go: one folder replaced as a unit (docs/cli.md, "Output folders")."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..atomic import OutputError, replace_folder, write_atomic
from .render import PLAN_CHART_FILES

PLAN_TABLES = (
    "orders",
    "deliveries",
    "stock",
    "capacity",
    "investments",
    "funding",
    "budgets",
    "inputs",
    "coverage",
    "sustainment",
    "bottleneck",
    "interceptors",
    "attacks",
    "comparison",
)
SWEEP_TABLES = ("draws", "p_ready", "quantiles", "sensitivity", "fan")
# What earlier versions wrote, before output folders carried a manifest: these names in a folder
# without one are taken as an earlier run's outputs (replaced or removed); everything else is kept.
LEGACY_OUTPUTS = frozenset(
    {f"{t}.csv" for t in PLAN_TABLES + SWEEP_TABLES} | {"plan.xlsx", "summary.json", "report.html", *PLAN_CHART_FILES}
)


@contextmanager
def output_folder(folder: str | Path, scenario: str, inputs: Iterable[str | Path] = ()) -> Iterator[Path]:
    """A staging folder for a run's outputs, swapped in for ``folder`` when the block ends well."""
    with replace_folder(folder, {"scenario": scenario}, inputs, LEGACY_OUTPUTS) as stage:
        yield stage


__all__ = ["LEGACY_OUTPUTS", "OutputError", "output_folder", "write_atomic"]
