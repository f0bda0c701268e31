"""Two-stage stochastic planning on the shipped default scenario (docs/uncertainty.md,
"Decomposition"), measured side by side in one run:

* the extensive form (all K draws in one HiGHS LP) against multi-cut Benders (its subproblems on
  two local worker processes) for K = 10, 50 and 200 training draws: wall time, peak memory of the
  whole process tree (the process and its workers, summed, sampled from /proc every 0.2 s), the
  bounds and the relative gap; each run in a fresh process, stopped at a time limit;
* Benders from 1 to 2 local workers at K = 10 (efficiency = t₁ / (2·t₂); its iterations are the
  same, as each draw's basis travels with its task);
* the out-of-sample evaluation of 1,000 fresh draws: `materiel robust --decomposition benders
  --draws 10 --eval-draws 1000 --workers 2`, both plans committed and perfect foresight beside them.

    python -m benchmarks.run --stochastic-only    # re-measure this part into results/latest.json
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

Record = dict[str, Any]
MARKER = "STOCHASTIC-RESULT "
SEED = 1
GAP = 1e-4
PEAK_TARGET_MB = 4096.0
EFFICIENCY_TARGET = 0.70
KS = (10, 50, 200)
# Seconds each solve may take before it is stopped (the extensive form at K = 50 and 200 is what
# is expected to need it: its solve grows faster than K); the evaluation of 1,000 draws has its own.
LIMITS = {
    ("extensive", 10): 1200.0,
    ("extensive", 50): 1200.0,
    ("extensive", 200): 600.0,
    ("benders", 10): 1200.0,
    ("benders", 50): 1800.0,
    ("benders", 200): 1800.0,
}
EVAL_DRAWS = 1000
EVAL_LIMIT = 3600.0


def _tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and every process below it (MB), from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(rss.get(p, 0.0) for p in tree)


def _measured(args: list[str], limit: float) -> Record:
    """Run ``python -m benchmarks.stochastic ARGS`` and sample its tree's memory until it ends or
    ``limit`` + 120 s pass (then it is stopped: the record says so)."""
    tick = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.stochastic", *args, str(limit)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_mb(proc.pid))
        if time.perf_counter() - tick > limit + 120:
            os.killpg(proc.pid, 9)
            proc.wait()
            return {"status": "stopped", "seconds": time.perf_counter() - tick, "peak_mb": peak}
        time.sleep(0.2)
    wall = time.perf_counter() - tick
    output = proc.stdout.read() if proc.stdout else ""
    lines = [line for line in output.splitlines() if line.startswith(MARKER)]
    if not lines:
        tail = output.strip().splitlines()[-3:]
        return {"status": "failed", "seconds": wall, "peak_mb": peak, "error": " | ".join(tail)}
    return {**json.loads(lines[-1][len(MARKER) :]), "wall_s": wall, "peak_mb": peak}


def _inputs(k: int) -> tuple[Any, Any, list, Any, int]:
    import materiel
    from materiel.uncertainty.committed import decision_periods, sample_draws

    sc, m = materiel.load()
    inputs, values = sample_draws(sc, k, SEED, "lhs", ())
    return sc, m, inputs, values, decision_periods(m, None)


def _child(mode: str, k: int, workers: int, limit: float) -> Record:
    """One measurement, in this (fresh) process."""
    from materiel.planner.solver import SolverOptions
    from materiel.uncertainty.committed import CommitError

    tick = time.perf_counter()
    if mode == "extensive":
        from materiel.uncertainty.robust import compile_draws
        from materiel.uncertainty.stochastic import solve_stochastic

        sc, m, inputs, values, periods = _inputs(k)
        models, _ = compile_draws(sc, inputs, values)
        try:
            plan = solve_stochastic(m, models, periods, options=SolverOptions(time_limit=limit))
        except CommitError as exc:
            return {"status": "time limit", "seconds": time.perf_counter() - tick, "error": str(exc)}
        return {
            "status": "optimal",
            "seconds": time.perf_counter() - tick,
            "objective": plan.objective,
            "columns": plan.columns,
            "rows": plan.rows,
        }
    if mode == "benders":
        from materiel.uncertainty.benders import solve_benders

        sc, m, inputs, values, periods = _inputs(k)
        b = solve_benders(
            sc, m, inputs, values, periods, gap=GAP, workers=workers, time_limit=limit, max_iterations=2000
        )
        return {
            "status": "gap reached" if b.gap <= GAP else "time limit",
            "seconds": time.perf_counter() - tick,
            "lower": b.lower,
            "upper": b.upper,
            "gap": b.gap,
            "foresight": b.foresight,
            "iterations": b.iterations,
            "master_s": b.master_seconds,
            "history": [list(h) for h in b.history],
        }
    if mode == "evaluate":
        import materiel

        r = materiel.robust(draws=k, eval_draws=EVAL_DRAWS, seed=SEED, workers=workers, decomposition="benders")
        total = time.perf_counter() - tick
        head = r.headline()
        return {
            "status": "done",
            "seconds": total,
            "training_s": r.plan.seconds,
            "evaluation_s": total - r.plan.seconds,
            "draws": len(r.stochastic.draws),
            "expected_weighted_shortfall": head["evaluation"]["expected_weighted_shortfall"],
            "vss": head["evaluation"]["value_of_stochastic_solution"]["weighted_shortfall"],
        }
    raise ValueError(mode)


def bench_stochastic(ks: tuple[int, ...] = KS, evaluate: bool = True) -> Record:
    """Every measurement of this part for the training draws ``ks``, each in its own process (see
    the module's docstring); ``evaluate``: also the 1,000-draw evaluation."""
    runs: list[Record] = []
    for k in ks:
        plan = [("extensive", 1), ("benders", 2)] + ([("benders", 1)] if k == 10 else [])
        for mode, workers in plan:
            print(f"  {mode} K = {k} ({workers} worker{'s' if workers > 1 else ''}) ...", flush=True)
            measured = _measured([mode, str(k), str(workers)], LIMITS[(mode, k)])
            runs.append({"mode": mode, "k": k, "workers": workers, **measured})
    evaluation = None
    if evaluate:
        print(f"  robust with {EVAL_DRAWS:,} evaluation draws ...", flush=True)
        evaluation = _measured(["evaluate", "10", "2"], EVAL_LIMIT)
    return {"seed": SEED, "gap": GAP, "runs": runs, "evaluation": evaluation}


def merged(old: Record, new: Record) -> Record:
    """``old`` with ``new``'s runs in place of the runs of the same method, K and workers (and its
    evaluation, if it has one): part of this suite measured again."""
    key = lambda r: (r["mode"], r["k"], r["workers"])  # noqa: E731
    again = {key(r) for r in new["runs"]}
    runs = [r for r in old["runs"] if key(r) not in again] + new["runs"]
    runs.sort(key=lambda r: (r["k"], r["mode"] != "extensive", -r["workers"]))
    return {**old, "runs": runs, "evaluation": new["evaluation"] or old["evaluation"]}


def _run_of(results: Record, mode: str, k: int, workers: int) -> Record | None:
    return next((r for r in results["runs"] if (r["mode"], r["k"], r["workers"]) == (mode, k, workers)), None)


def efficiency(results: Record) -> tuple[float, float] | None:
    """Benders at K = 10 from 1 to 2 workers: (throughput, whole solve). Throughput is
    subproblems solved per second, t₁/(2·t₂) per subproblem: the path (how many iterations) may
    differ with the workers, as ties between equally good vertices break differently, so the
    whole-solve ratio t₁ / (2·t₂) mixes the parallel speed-up with that luck."""
    one, two = _run_of(results, "benders", 10, 1), _run_of(results, "benders", 10, 2)
    if not one or not two or "iterations" not in one or "iterations" not in two:
        return None
    per_one, per_two = one["seconds"] / one["iterations"], two["seconds"] / two["iterations"]
    return per_one / (2 * per_two), one["seconds"] / (2 * two["seconds"])


def target_rows(results: Record) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) rows for docs/performance.md's targets table."""
    rows = []
    b50 = _run_of(results, "benders", 50, 2)
    if b50 is not None and "gap" in b50:
        ok = b50["gap"] <= GAP
        rows.append(
            (
                "two-stage plan, default scenario, K = 50, relative gap ≤ 1e-4",
                f"gap {b50['gap']:.1e} after {b50['iterations']} Benders iterations, {b50['seconds']:.0f} s on 2 workers",
                "**met**" if ok else "**not met**",
            )
        )
    eff = efficiency(results)
    if eff is not None:
        rows.append(
            (
                "two-stage plan: Benders 1 → 2 workers, efficiency ≥ 70 %",
                f"{eff[0]:.0%} in subproblems per second at K = 10 ({eff[1]:.0%} whole solve to whole solve)",
                "**met**" if eff[0] >= EFFICIENCY_TARGET else "**not met**",
            )
        )
    peaks = [r["peak_mb"] for r in results["runs"] if r.get("peak_mb")] + [results["evaluation"].get("peak_mb", 0.0)]
    if peaks:
        rows.append(
            (
                "two-stage plan: peak memory < 4 GB",
                f"{max(peaks):,.0f} MB at most over every run below (process and workers summed)",
                "**met**" if max(peaks) < PEAK_TARGET_MB else "**not met**",
            )
        )
    return rows


def _cell(r: Record | None) -> str:
    if r is None:
        return "not run"
    if r["status"] == "stopped":
        return f"stopped at {r['seconds']:.0f} s, {r['peak_mb']:,.0f} MB"
    if r["status"] == "failed":
        return f"failed: {r.get('error', '')[:80]}"
    return f"{r['seconds']:.0f} s, {r['peak_mb']:,.0f} MB"


def section(results: Record) -> list[str]:
    """The markdown under "## Stochastic planning"."""
    lines = [
        f"The two-stage plan of `materiel robust` on the shipped default scenario (training draws with seed "
        f"{results['seed']}; decision date the end of the second year), each run in a fresh process; memory is the "
        "process and its worker processes summed, sampled every 0.2 s. Benders stops at a relative gap of "
        f'{results["gap"]:.0e} or its time limit (docs/uncertainty.md, "Decomposition").',
        "",
        "| K | extensive form: time, peak memory | its optimum | Benders (2 workers): time, peak memory | "
        "iterations | lower / upper bound | gap |",
        "|---:|---|---:|---|---:|---|---:|",
    ]
    for k in sorted({r["k"] for r in results["runs"]}):
        ef, b = _run_of(results, "extensive", k, 1), _run_of(results, "benders", k, 2)
        optimum = f"{ef['objective']:.4f}" if ef and "objective" in ef else (ef or {}).get("status", "")
        bounds = f"{b['lower']:.4f} / {b['upper']:.4f}" if b and "lower" in b else ""
        gap = f"{b['gap']:.1e}" if b and "gap" in b else ""
        its = str(b["iterations"]) if b and "iterations" in b else ""
        lines.append(f"| {k} | {_cell(ef)} | {optimum} | {_cell(b)} | {its} | {bounds} | {gap} |")
    one = _run_of(results, "benders", 10, 1)
    eff = efficiency(results)
    if one is not None and eff is not None:
        two = _run_of(results, "benders", 10, 2)
        lines += [
            "",
            f"Benders at K = 10 on one worker: {one['seconds']:.0f} s ({one['iterations']} iterations, "
            f"{one['seconds'] / one['iterations']:.2f} s each); on two: {two['seconds']:.0f} s ({two['iterations']} "
            f"iterations, {two['seconds'] / two['iterations']:.2f} s each): efficiency {eff[0]:.0%} per iteration "
            f"(target 70 %), {eff[1]:.0%} whole solve to whole solve. The iterations differ: ties between equally "
            "good vertices break differently when the draws' subproblems are solved in other processes.",
        ]
    ev = results["evaluation"]
    if "evaluation_s" in ev:
        e = ev["expected_weighted_shortfall"]
        lines += [
            "",
            f"Out-of-sample evaluation: `materiel robust --decomposition benders --draws 10 --eval-draws "
            f"{ev['draws']:,} --workers 2` took {ev['seconds']:.0f} s ({ev['training_s']:.0f} s training, "
            f"{ev['evaluation_s']:.0f} s judging both plans and perfect foresight on {ev['draws']:,} fresh draws), "
            f"peak {ev['peak_mb']:,.0f} MB. Expected weighted shortfall: stochastic plan "
            f"{e['stochastic_plan']:.2f}, deterministic plan {e['deterministic_plan']:.2f}, perfect foresight "
            f"{e['perfect_foresight']:.2f} (value of the stochastic solution {ev['vss']:.2f}).",
        ]
    else:
        lines += ["", f"Out-of-sample evaluation of {EVAL_DRAWS:,} draws: {_cell(ev)}."]
    return lines


def main() -> None:
    mode, k, workers, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    print(MARKER + json.dumps(_child(mode, k, workers, limit)), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    main()
