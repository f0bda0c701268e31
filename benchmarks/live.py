"""Live what-ifs on the shipped default scenario (materiel.live, docs/api.md "Live what-ifs"),
measured in one run against a full plan of the same what-if:

* time: ~20 slider moves, each re-planned warm by one ``LivePlanner`` (median and p95), taking
  turns move by move with ``materiel.plan(set=...)`` of the same change (so both see the machine
  in the same state); the full plan's total cost is compared with the re-plan's as a check;
* peak memory: a fresh process that opens the planner and makes the moves, against a fresh process
  that makes one full plan (``VmHWM``, as benchmarks/run.py measures every size).

    python -m benchmarks.run --live-only     # re-measure this part into results/latest.json
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np

TARGET_S = 0.5  # the target: a what-if re-plan from the editor, median, warm, default scenario
MOVES = 20
SEED = 5
# The sections whose figures the plan uses (the rest move the assessment's air defence or the
# policy options' comparison, not the plan): where an analyst's slider moves re-plan.
PLANNED = ("items", "requirements", "force_design", "lines", "funding", "drawdowns", "currency")
MARKER = "LIVE-RESULT "
Record = dict[str, Any]


def slider_moves(n: int = MOVES, seed: int = SEED) -> list[dict[str, float]]:
    """``n`` slider moves on the default: a ranged figure of the plan, chosen at random, to a value
    drawn uniformly in its range (each move from the scenario as written, as a panel's first
    touch is)."""
    import materiel
    from materiel.live import sliders

    _, model = materiel.load()
    found = [s for s in sliders(model) if s.section in PLANNED]
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(found), size=n, replace=False)
    return [{found[j].path: float(rng.uniform(found[j].low, found[j].high))} for j in chosen]


def _timings(moves: list[dict[str, float]]) -> Record:
    import materiel
    from materiel.live import LivePlanner

    _, model = materiel.load()
    tick = time.perf_counter()
    live = LivePlanner(model)
    opened = time.perf_counter() - tick
    replans, plans, solver, differences, in_place = [], [], [], [], 0
    for change in moves:
        tick = time.perf_counter()
        head = live.replan(change)
        replans.append(time.perf_counter() - tick)
        solver.append(head.solver_seconds)
        in_place += head.in_place
        tick = time.perf_counter()
        full = materiel.plan(set=change)
        plans.append(time.perf_counter() - tick)
        differences.append(abs(head.total_cost - full.total_cost) / full.total_cost)
    median, plan_median = statistics.median(replans), statistics.median(plans)
    return {
        "moves": len(moves),
        "open_s": opened,
        "median_s": median,
        "p95_s": float(np.percentile(replans, 95)),
        "max_s": max(replans),
        "solver_median_s": statistics.median(solver),
        "plan_median_s": plan_median,
        "plan_p95_s": float(np.percentile(plans, 95)),
        "speedup": plan_median / median,
        "in_place": in_place,
        "max_cost_difference": max(differences),
        "raw": {"replan": replans, "plan": plans},
    }


def _memory_worker(kind: str) -> None:
    """Peak RSS of one fresh process: ``live`` opens a planner and makes the moves, ``plan`` makes
    one full plan of the first move."""
    import materiel
    import materiel.assessment  # what a plan needs, imported before the baseline is read
    from materiel.live import LivePlanner

    from .run import _peak_mb, _proc_status_mb

    moves = slider_moves()
    baseline = _proc_status_mb("VmRSS")
    if kind == "live":
        live = LivePlanner(materiel.load()[1])
        for change in moves:
            live.replan(change)
    else:
        materiel.plan(set=moves[0])
    print(MARKER + json.dumps({"baseline_mb": baseline, "peak_mb": _peak_mb()}), flush=True)


def _memory(kind: str) -> Record:
    from .run import ROOT

    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.live", kind], cwd=ROOT, capture_output=True, text=True, check=False
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"live memory worker failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len(MARKER) :])


def bench_live(repeats: int = 1) -> Record:
    """Re-plan times against full plans (medians over ``repeats`` runs of the moves) and peak memory."""
    moves = slider_moves()
    load_before = os.getloadavg()
    runs = [_timings(moves) for _ in range(repeats)]
    out = {k: statistics.median(r[k] for r in runs) if isinstance(runs[0][k], float) else runs[0][k] for k in runs[0]}
    live, plan = _memory("live"), _memory("plan")
    return {
        **out,
        "repeats": repeats,
        "target_s": TARGET_S,
        "changes": [next(iter(c)) for c in moves],
        "baseline_mb": plan["baseline_mb"],
        "live_peak_mb": live["peak_mb"],
        "plan_peak_mb": plan["peak_mb"],
        "memory_ratio": live["peak_mb"] / plan["peak_mb"],
        "load_average": [round(x, 2) for x in (*load_before, *os.getloadavg())],
    }


def target_row(live: Record) -> tuple[str, str, str]:
    """The issue's target as a row of docs/performance.md's table: (target, measured, verdict)."""
    met = live["median_s"] < live["target_s"]
    return (
        f"a what-if re-plan from the editor < {live['target_s']:g} s (median, warm, default scenario)",
        f"{live['median_s']:.3f} s median, {live['p95_s']:.3f} s p95 over {live['moves']} slider moves "
        f"({live['speedup']:.1f}× faster than a full plan)",
        "**met**" if met else "**not met**",
    )


def section(live: Record | None) -> list[str]:
    """The "Live what-ifs" section of docs/performance.md."""
    if not live:
        return ["Not measured in this run (`--no-live`)."]
    again = (
        [f"Re-measured on its own (`--live-only`) at commit {live['commit']}, {live['measured']}.", ""]
        if "commit" in live
        else []
    )
    return [
        *again,
        f"The shipped default; {live['moves']} slider moves, each a ranged figure of the plan chosen at random "
        "(seeded) and set to a value drawn uniformly in its range. Each move is re-planned by one warm "
        "`LivePlanner` and, in turn, planned in full by `materiel.plan(set=...)`.",
        "",
        "| measurement | live re-plan | full plan | ratio full / live |",
        "|---|---:|---:|---:|",
        f"| median (s) | {live['median_s']:.3f} | {live['plan_median_s']:.3f} | {live['speedup']:.1f}× |",
        f"| p95 (s) | {live['p95_s']:.3f} | {live['plan_p95_s']:.3f} | {live['plan_p95_s'] / live['p95_s']:.1f}× |",
        f"| peak memory (MB; {live['baseline_mb']:.0f} after imports) | {live['live_peak_mb']:.0f} "
        f"| {live['plan_peak_mb']:.0f} | {1 / live['memory_ratio']:.2f}× |",
        "",
        f"Opening the planner (the scenario's first solve, once per scenario version) took "
        f"{live['open_s']:.2f} s; of a re-plan's median, HiGHS took {live['solver_median_s']:.3f} s, the "
        "rest being the scenario's compilation with the moved figure, the LP's update and the headline's "
        f"read-back. {_in_place(live)} The largest relative difference between a re-plan's total cost and "
        f"the full plan's was {live['max_cost_difference']:.1e}. Load average (1, 5, 15 min) before the "
        f"moves {live['load_average'][:3]}, after {live['load_average'][3:]}: other work on the machine "
        "inflates the times.",
        "",
        "A re-plan applies the moved figure to the scenario, compiles it, updates the LP kept in HiGHS in "
        "place and re-solves both phases from the scenario's own optimum (the sweep's re-solver, "
        "uncertainty/resolve.py); the headline reads only the plan's money tables (money by customer, "
        "envelope use) and the sweep's assessment figures (readiness, days of war, bottleneck). A full plan "
        "also computes marginal values and the ranges over equally good plans and reads every table.",
    ]


def _in_place(live: Record) -> str:
    cold = live["moves"] - live["in_place"]
    if not cold:
        return f"All {live['moves']} moves were re-solved in place."
    return (
        f"{live['in_place']} of {live['moves']} moves were re-solved in place; {cold} gave the LP another "
        "shape (a share moved off 1 or to 0, a lead time rounding to another number of periods) and were "
        "solved cold on an LP of that shape."
    )


if __name__ == "__main__":
    _memory_worker(sys.argv[1])
