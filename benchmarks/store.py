"""Storing a run against solving it, on the shipped default scenario: the plan is made and written
once, as `materiel plan` writes it (without charts), then ``store.runs.finish`` — the summary,
every table as Parquet, the workbook, summary.json and report.html, and status 'done', committed
as one transaction — is timed into a SQLite file and into a throwaway PostgreSQL server
(tests/pgserver.py). Target (issue 12): storing a run takes under 10 % of its solve time."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import materiel
from materiel.report.files import write_outputs
from materiel.scenario.loader import resolve_path
from materiel.store import Store
from materiel.store.commands import plan_outputs
from materiel.store.migrate import upgrade
from materiel.store.models import ScenarioVersion
from materiel.store.runs import create_run, finish, start
from materiel.store.scenarios import create_scenario, text_from_file
from materiel.store.users import ensure_team

TARGET = 0.10


def _store_times(url: str, text: str, outputs: tuple, repeats: int) -> list[float]:
    """Seconds for ``finish`` and its commit, one new run each time."""
    summary, tables, files = outputs
    upgrade(url)
    store = Store.open(url)
    try:
        with store.session() as s:
            version_id = create_scenario(s, ensure_team(s, "bench"), "default", text, "bench").versions[0].id
        times = []
        for _ in range(repeats):
            with store.session() as s:
                run_id = create_run(s, s.get(ScenarioVersion, version_id), "bench").id
                start(s, run_id, "bench")
            tick = time.perf_counter()
            with store.session() as s:
                finish(s, run_id, summary, tables, files, {})
            times.append(time.perf_counter() - tick)
        return times
    finally:
        store.dispose()


def bench_store(repeats: int = 5) -> dict[str, Any]:
    """Store time against the run's solve on SQLite and PostgreSQL (medians over ``repeats``). The
    solve is everything the planner does for the run (``materiel.plan``: build, both HiGHS phases,
    the marginal values' solves, read-back); the two HiGHS phases alone are reported beside it."""
    from tests.pgserver import start_server, stop_server

    load_at_start = [round(x, 2) for x in os.getloadavg()]
    sc, model = materiel.load()
    tick = time.perf_counter()
    plan = materiel.plan(model)
    plan_s = time.perf_counter() - tick
    assessment = materiel.assess(plan)
    highs_s = plan.timings["solve_shortfall"] + plan.timings["solve_money"]
    text = text_from_file(resolve_path(None))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "out"
        written = write_outputs(folder, plan, assessment)
        outputs = plan_outputs(plan, assessment, folder, written)
        size = sum(p.stat().st_size for p in written)
        sqlite = _store_times(f"sqlite:///{tmp}/materiel.db", text, outputs, repeats)
    server = start_server()
    try:
        postgres = _store_times(server.url(), text, outputs, repeats)
    finally:
        stop_server(server)
    result: dict[str, Any] = {
        "scenario": sc.name,
        "repeats": repeats,
        "plan_s": plan_s,
        "highs_phases_s": highs_s,
        "plan_timings": plan.timings,
        "tables": len(outputs[1]),
        "files": len(outputs[2]),
        "written_mb": size / 1e6,
        "load_average": [load_at_start, [round(x, 2) for x in os.getloadavg()]],
    }
    for name, times in (("sqlite", sqlite), ("postgresql", postgres)):
        median = statistics.median(times)
        result[name] = {
            "store_s": median,
            "ratio_to_plan": median / plan_s,
            "ratio_to_highs_phases": median / highs_s,
            "raw": times,
        }
    return result
