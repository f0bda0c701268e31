"""The storing-a-run benchmark's page section and target row (no timings here)."""

from __future__ import annotations

from benchmarks.report import store_section, targets
from benchmarks.run import _with_target_row

RECORD = {
    "scenario": "armed-neutrality",
    "repeats": 3,
    "plan_s": 2.0,
    "highs_phases_s": 0.4,
    "tables": 24,
    "files": 3,
    "written_mb": 3.1,
    "load_average": [[1.0, 1.0, 1.0], [1.5, 1.0, 1.0]],
    "sqlite": {"store_s": 0.1, "ratio_to_plan": 0.05, "ratio_to_highs_phases": 0.25},
    "postgresql": {"store_s": 0.3, "ratio_to_plan": 0.15, "ratio_to_highs_phases": 0.75},
}


def test_the_target_is_judged_on_the_slower_database() -> None:
    [(target, measured, verdict)] = targets({"sizes": [], "store": RECORD})
    assert target == "storing a run < 10 % of its solve time (default scenario)"
    assert measured == "SQLite 5.0%, PostgreSQL 15.0% of the 2.00 s plan"
    assert verdict == "**not met**"
    section = "\n".join(store_section(RECORD))
    assert "| SQLite file | 0.100 | 5.0% | 25% |" in section


def test_the_targets_row_is_added_once_then_replaced() -> None:
    page = "# Performance\n\n## Targets\n\n| target | measured | |\n|---|---|---|\n| a | b | c |\n\n## Machine\n"
    row = targets({"sizes": [], "store": RECORD})[0]
    once = _with_target_row(page, row)
    assert once.count("| storing a run") == 1 and once.index("| a | b | c |") < once.index("| storing a run")
    again = _with_target_row(once, (row[0], "new figures", "**met**"))
    assert again.count("| storing a run") == 1 and "new figures" in again
