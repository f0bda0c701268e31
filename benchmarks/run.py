"""The performance suite: ``python -m benchmarks.run`` (``make bench``).

For each size (a target number of LP variables) a synthetic scenario is generated
(benchmarks/synthetic.py) and the whole planning path is timed in a *fresh subprocess* per repeat,
so that peak memory belongs to one size only: validate → compile → build → HiGHS (pass the model,
phase 1 shortfall, phase 2 money) → read back the plan. Then the shipped default scenario is run
end to end through the ``materiel plan`` command, against importing the planner and assessment
measured in the same run. Every measurement is repeated (3 times by default) and the median kept.

Results go to benchmarks/results/ as JSON, and docs/performance.md is regenerated from them (not
with ``--quick``, which runs the two small sizes only and leaves the docs alone).

    python -m benchmarks.run                       # 2k, 10k, 50k, 100k, 200k variables
    python -m benchmarks.run --sizes 2k,50k --repeats 5
    python -m benchmarks.run --quick
    python -m benchmarks.run --profile 200k        # cProfile of build and read-back at one size
    python -m benchmarks.run --render              # rewrite docs/performance.md from results/latest.json
    python -m benchmarks.run --cli-only            # re-measure one part into results/latest.json
    python -m benchmarks.run --sweep-only          #   (the sizes keep the full run's figures)
    python -m benchmarks.run --store-only          # storing a run (SQLite, PostgreSQL) against its solve
    python -m benchmarks.run --live-only           # live what-ifs (benchmarks/live.py)
    python -m benchmarks.run --workspace-only      # the web app under 50 users (benchmarks/workspace.py)
    python -m benchmarks.run --stochastic-only     # two-stage plans, K = 10, 50, 200 (benchmarks/stochastic.py)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs" / "performance.md"
DEFAULT_SIZES = "2k,10k,50k,100k,200k"
QUICK_SIZES = "2k,10k"
MARKER = "BENCH-RESULT "
FALLBACK_SCENARIO = ROOT / "tests" / "fixtures" / "tiny.yaml"
Record = dict[str, Any]


# -- one size, inside a fresh process ------------------------------------------------------------
def _proc_status_mb(field: str) -> float:
    """``VmHWM`` (peak RSS) or ``VmRSS`` (current RSS) of this process image, in MB.

    Read from /proc/self/status, because ``ru_maxrss`` survives fork+exec on Linux: a worker would
    report its parent's peak as its own. Elsewhere, fall back to ``ru_maxrss``.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1024 if sys.platform.startswith("linux") else 1024**2  # KiB on Linux, bytes on macOS
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def _peak_mb() -> float:
    """Peak resident set size of this process so far."""
    return _proc_status_mb("VmHWM")


def _timed(seconds: dict[str, float], peaks: dict[str, float], stage: str, fn: Callable[[], Any]) -> Any:
    """Run one stage, recording its wall time and the process's peak RSS after it."""
    tick = time.perf_counter()
    out = fn()
    seconds[stage] = time.perf_counter() - tick
    peaks[stage] = _peak_mb()
    return out


def measure_size(size: float, seed: int) -> Record:
    """Time every stage of the planning path at one size; run in a fresh process."""
    tick = time.perf_counter()
    import materiel
    from materiel.planner.formulation import build
    from materiel.planner.result import read_plan
    from materiel.planner.solver import solve
    from materiel.scenario.compiled import compile_scenario
    from materiel.scenario.schema import Scenario

    from .synthetic import scenario_document, shape_for

    seconds: dict[str, float] = {"import": time.perf_counter() - tick}
    peaks: dict[str, float] = {"import": _peak_mb()}
    baseline = _proc_status_mb("VmRSS")
    doc = _timed(seconds, peaks, "generate", lambda: scenario_document(size, seed))
    sc = _timed(seconds, peaks, "validate", lambda: Scenario.model_validate(doc))
    m = _timed(seconds, peaks, "compile", lambda: compile_scenario(sc))
    form = _timed(seconds, peaks, "build", lambda: build(m))
    result = _timed(seconds, peaks, "solve_call", lambda: solve(form))
    if result.status != "optimal":
        raise RuntimeError(f"size {size}: HiGHS ended with {result.model_status}")
    seconds.update(result.seconds)
    plan = _timed(seconds, peaks, "read", lambda: read_plan(m, form, result.solution))
    peak = _peak_mb()
    _save_solution(form.lp.n_cols, seed, result.solution)
    violations = _timed(seconds, {}, "check", lambda: materiel.check(plan))
    return {
        "size": size,
        "seed": seed,
        "shape": vars(shape_for(size)),
        "lines": len(m.lines),
        "cols": form.lp.n_cols,
        "rows": form.lp.n_rows,
        "nnz": int(form.lp.matrix().nnz),
        "active_shortfall_cols": int(((result.solution > 1e-6) & (form.shortfall_cost > 0)).sum()),
        "shortfall": result.shortfall,
        "money": result.money,
        "violations": len(violations),
        "seconds": seconds,
        "peak_mb_after": peaks,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
    }


def _solution_path(cols: int, seed: int) -> Path:
    return RESULTS / f"solution-{cols}-seed{seed}.npy"


def _save_solution(cols: int, seed: int, solution: Any) -> None:
    """Keep the solution so that ``--profile`` can profile read-back without solving again."""
    import numpy as np

    RESULTS.mkdir(parents=True, exist_ok=True)
    np.save(_solution_path(cols, seed), solution)


def _load_or_solve(form: Any, seed: int) -> Any:
    import numpy as np

    from materiel.planner.solver import solve

    path = _solution_path(form.lp.n_cols, seed)
    if path.exists():
        return np.load(path)
    print(f"no stored solution at {path.relative_to(ROOT)}: solving (this can take long)", flush=True)
    return solve(form).solution


def _worker_main(size: float, seed: int) -> None:
    record = measure_size(size, seed)
    sys.stdout.write(MARKER + json.dumps(record) + "\n")


# -- orchestration ---------------------------------------------------------------------------------
def parse_sizes(text: str) -> list[int]:
    """'2k,10k,1.5M,300' -> [2000, 10000, 1500000, 300]."""
    scale = {"k": 1_000, "m": 1_000_000}
    out = []
    for part in text.split(","):
        part = part.strip().lower()
        if part:
            factor = scale.get(part[-1], 1)
            out.append(int(float(part[:-1] if factor > 1 else part) * factor))
    return out


def run_worker(size: float, seed: int, timeout: float) -> Record | None:
    """One measurement of one size in a fresh interpreter; None if it did not finish in ``timeout``."""
    cmd = [sys.executable, "-m", "benchmarks.run", "--worker", repr(size), "--seed", str(seed)]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"benchmark worker failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len(MARKER) :])


def _median_of(records: list[Record], key: str) -> dict[str, float]:
    keys = records[0][key].keys()
    return {k: statistics.median(r[key][k] for r in records) for k in keys}


def summarise(target: int, records: list[Record]) -> Record:
    """Medians over repeats and the ratios the targets are stated in."""
    sec = _median_of(records, "seconds")
    solve = sec["solve_shortfall"] + sec["solve_money"]
    baseline = statistics.median(r["baseline_rss_mb"] for r in records)
    peak = statistics.median(r["peak_rss_mb"] for r in records)
    first = records[0]
    return {
        "target_vars": target,
        **{k: first[k] for k in ("size", "shape", "lines", "cols", "rows", "nnz", "active_shortfall_cols")},
        "repeats": len(records),
        "violations": max(r["violations"] for r in records),
        "seconds": sec,
        "highs_solve_s": solve,
        "overhead_ratio": (sec["build"] + sec["read"]) / solve,
        "overhead_ratio_with_pass": (sec["build"] + sec["pass"] + sec["read"]) / solve,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
        "peak_ratio": peak / baseline,
        "peak_mb_after": _median_of(records, "peak_mb_after"),
        "raw": records,
    }


def bench_sizes(targets: list[int], repeats: int, seed: int, timeout: float, max_repeat_s: float) -> list[Record]:
    """Calibrate each size to its variable target, then measure it ``repeats`` times (once only
    when a single HiGHS solve already takes longer than ``max_repeat_s``)."""
    from .synthetic import size_for_variables

    out = []
    for target in targets:
        size = size_for_variables(target, seed)
        records: list[Record] = []
        while len(records) < repeats:
            rec = run_worker(size, seed, timeout)
            if rec is None:
                print(f"  {target:>8,} vars (size {size:g}): did not finish within {timeout:.0f}s", flush=True)
                break
            records.append(rec)
            s = rec["seconds"]
            solve = s["solve_shortfall"] + s["solve_money"]
            print(
                f"  {target:>8,} vars (size {size:g}) run {len(records)}/{repeats}: {rec['cols']:,} cols, "
                f"build {s['build']:.2f}s, solve {solve:.2f}s, read {s['read']:.2f}s, peak {rec['peak_rss_mb']:.0f} MB",
                flush=True,
            )
            if solve > max_repeat_s:
                print(f"  one solve took {solve:.0f}s > {max_repeat_s:.0f}s: not repeated", flush=True)
                break
        out.append(
            summarise(target, records) if records else {"target_vars": target, "size": size, "timed_out_s": timeout}
        )
    return out


# -- the command line, end to end --------------------------------------------------------------------
def _wall(cmd: list[str], repeats: int, env: dict[str, str] | None = None) -> list[float]:
    times = []
    for _ in range(repeats):
        tick = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
        times.append(time.perf_counter() - tick)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return times


def default_scenario() -> tuple[list[str], str]:
    """CLI arguments naming the scenario, and a description: the shipped default if it exists."""
    shipped = ROOT / "src" / "materiel" / "data" / "armed-neutrality.yaml"
    if shipped.exists():
        return [], "shipped default (src/materiel/data/armed-neutrality.yaml)"
    return [str(FALLBACK_SCENARIO)], "tests/fixtures/tiny.yaml (the shipped default scenario did not exist yet)"


# ``import materiel`` alone is lazy (a few ms); the baseline is importing what a plan needs.
BASELINE_IMPORT = "import materiel.planner, materiel.assessment"


def bench_cli(repeats: int) -> Record:
    """Wall time of ``materiel plan -o <tmp>`` including start-up, against importing the planner."""
    exe = str(Path(sys.executable).with_name("materiel"))
    args, scenario = default_scenario()
    python = _wall([sys.executable, "-c", "pass"], repeats)
    imports = _wall([sys.executable, "-c", BASELINE_IMPORT], repeats)
    plans = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            plans += _wall([exe, "plan", *args, "-o", tmp], 1)
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([exe, "plan", *args, "-o", tmp, "--json"], capture_output=True, text=True, check=False)
    timings = json.loads(proc.stdout).get("timings", {}) if proc.returncode == 0 else {}
    plan_s, import_s = statistics.median(plans), statistics.median(imports)
    return {
        "scenario": scenario,
        "command": f"materiel plan {' '.join(args)} -o <tmpdir>".replace("  ", " "),
        "repeats": repeats,
        "python_startup_s": statistics.median(python),
        "import_s": import_s,
        "plan_s": plan_s,
        "plan_to_import_ratio": plan_s / import_s,
        "internal_timings": timings,
        "raw": {"python": python, "import": imports, "plan": plans},
    }


# -- machine and output ----------------------------------------------------------------------------
def _meminfo_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float("nan")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or "unknown"


def _git_commit() -> str:
    """Short commit hash, marked '+local changes' when src/ differs from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True, text=True)
    return (head.stdout.strip() or "unknown") + (" +local changes in src/" if dirty.stdout.strip() else "")


def machine() -> Record:
    """Where the numbers were measured."""
    import platform
    from importlib.metadata import version

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": round(_meminfo_gb(), 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": {p: version(p) for p in ("highspy", "numpy", "scipy", "pandas", "pydantic")},
        "commit": _git_commit(),
        "load_average_at_start": _load(),
    }


def _load() -> list[float]:
    """1, 5 and 15-minute load averages (other work on the machine skews the timings)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def save(results: Record, write_docs: bool) -> Path:
    """JSON into benchmarks/results/ (a timestamped copy, and latest.json when the docs are regenerated from it, else partial.json)."""
    from .report import render

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = results["started"].replace(":", "").replace("-", "")[:15]
    path = RESULTS / f"bench-{stamp}.json"
    text = json.dumps(results, indent=1)
    path.write_text(text)
    (RESULTS / ("latest.json" if write_docs else "partial.json")).write_text(text)
    if write_docs:
        DOCS.parent.mkdir(parents=True, exist_ok=True)
        DOCS.write_text(render(results))
    return path


# -- profiling -------------------------------------------------------------------------------------
def _profiled(fn: Callable[[], Any]) -> tuple[Any, Any]:
    import cProfile

    prof = cProfile.Profile()
    return prof.runcall(fn), prof


def profile(target: int, seed: int, top: int) -> Path:
    """cProfile of build and of read-back at one size (in this process); text into results/."""
    import io
    import pstats

    from materiel.planner.formulation import build
    from materiel.planner.result import read_plan
    from materiel.scenario.compiled import compile_scenario

    from .synthetic import size_for_variables, synthetic_scenario

    m = compile_scenario(synthetic_scenario(size_for_variables(target, seed), seed))
    form, build_prof = _profiled(lambda: build(m))
    solution = _load_or_solve(form, seed)
    _, read_prof = _profiled(lambda: read_plan(m, form, solution))
    out = io.StringIO()
    for name, prof in (("build", build_prof), ("read-back", read_prof)):
        out.write(f"==== {name} at {form.lp.n_cols:,} columns ====\n")
        for key in ("tottime", "cumulative"):
            pstats.Stats(prof, stream=out).sort_stats(key).print_stats(top)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"profile-{target}.txt"
    path.write_text(out.getvalue())
    return path


# -- main ------------------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", help=f"target LP variable counts, comma-separated (default {DEFAULT_SIZES})")
    p.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES} only; JSON only, docs untouched")
    p.add_argument("--repeats", type=int, default=3, help="runs per measurement; the median is reported")
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic scenarios")
    p.add_argument("--timeout", type=float, default=7200.0, help="seconds allowed per size and run")
    p.add_argument(
        "--max-repeat-seconds",
        type=float,
        default=600.0,
        help="do not repeat a size whose first HiGHS solve took longer than this",
    )
    p.add_argument(
        "--cli-only",
        action="store_true",
        help="re-measure only the command line and merge it into results/latest.json (and the docs)",
    )
    p.add_argument(
        "--sweep-only",
        action="store_true",
        help="re-measure only the sweep throughput and merge it into results/latest.json (and the docs)",
    )
    p.add_argument(
        "--store-only",
        action="store_true",
        help="re-measure only storing a run and merge it into results/latest.json (and the docs)",
    )
    p.add_argument(
        "--live-only",
        action="store_true",
        help="re-measure only the live what-if re-plans and merge them into results/latest.json (and the docs)",
    )
    p.add_argument(
        "--workspace-only",
        action="store_true",
        help="load-test only the web workspace (50 users, 60 s) and merge it into results/latest.json (and the docs)",
    )
    p.add_argument(
        "--stochastic-only",
        action="store_true",
        help="measure only two-stage stochastic planning (K = 10, 50, 200; about two hours) into results/latest.json",
    )
    p.add_argument(
        "--stochastic-ks",
        help="with --stochastic-only: only these training-draw counts (e.g. 10), merged into the last measurement",
    )
    p.add_argument("--no-cli", action="store_true", help="skip the end-to-end command-line measurement")
    p.add_argument("--no-store", action="store_true", help="skip the storing-a-run measurement")
    p.add_argument("--no-sweep", action="store_true", help="skip the sweep throughput measurement")
    p.add_argument("--no-live", action="store_true", help="skip the live what-if measurement")
    p.add_argument("--no-workspace", action="store_true", help="skip the web workspace's load test")
    p.add_argument("--no-docs", action="store_true", help="do not regenerate docs/performance.md")
    p.add_argument("--profile", metavar="SIZE", help="profile build and read-back at one size (e.g. 200k) and exit")
    p.add_argument("--top", type=int, default=20, help="functions listed per profile")
    p.add_argument("--render", action="store_true", help="rewrite docs/performance.md from results/latest.json")
    p.add_argument("--worker", type=float, help=argparse.SUPPRESS)
    return p


def _remeasure(part: str, label: str, measure: Callable[[], Record], write_docs: bool) -> None:
    """Re-measure one part of the suite and merge it into results/latest.json, marked with the
    commit and time it was measured at (the sizes keep the full run's figures)."""
    results = json.loads((RESULTS / "latest.json").read_text())
    results[part] = {**measure(), "commit": _git_commit(), "measured": datetime.now(UTC).isoformat(timespec="seconds")}
    path = save(results, write_docs=write_docs)
    print(f"{label} re-measured into {path.relative_to(ROOT)}")


def _with_target_row(text: str, row: tuple[str, str, str]) -> str:
    """docs/performance.md with the targets table's row for ``row``'s target added or replaced."""
    lines = text.split("\n")
    cells = f"| {row[0]} | {row[1]} | {row[2]} |"
    for i, line in enumerate(lines):
        if line.startswith(f"| {row[0]} |"):
            lines[i] = cells
            return "\n".join(lines)
    start = lines.index("## Targets")
    end = next(i for i in range(start + 3, len(lines)) if not lines[i].startswith("|"))
    lines.insert(end, cells)
    return "\n".join(lines)


def _splice(text: str, heading: str, lines: list[str]) -> str:
    """docs/performance.md with the section under ``heading`` replaced, or added before the methods."""
    part = "\n".join([heading, "", *lines, "", ""])
    if heading in text:
        before, rest = text.split(heading, 1)
        after = rest[rest.index("\n## ") + 1 :] if "\n## " in rest else ""
        return before + part + after
    before, after = text.split("## What is measured and how", 1)
    return before + part + "## What is measured and how" + after


def _remeasure_alone(
    key: str,
    label: str,
    measure: Callable[[], Record],
    write_docs: bool,
    heading: str,
    section: Callable[[Record], list[str]],
    rows: Callable[[Record], list[tuple[str, str, str]]],
) -> None:
    """One part re-measured: merged into results/latest.json as the other parts are, or, without a
    full run's results here, saved as results/KEY.json with its section and target rows of
    docs/performance.md replaced on their own."""
    if (RESULTS / "latest.json").exists():
        _remeasure(key, label, measure, write_docs)
        return
    measured = {**measure(), "commit": _git_commit(), "measured": datetime.now(UTC).isoformat(timespec="seconds")}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{key}.json").write_text(json.dumps(measured, indent=1))
    if write_docs:
        text = _splice(DOCS.read_text(), heading, section(measured))
        for row in rows(measured):
            text = _with_target_row(text, row)
        DOCS.write_text(text)
    print(f"{label} re-measured into {(RESULTS / f'{key}.json').relative_to(ROOT)}")


def _remeasure_store(repeats: int, write_docs: bool) -> None:
    from .report import STORE_HEADING, store_section, targets
    from .store import bench_store

    def rows(measured: Record) -> list:
        return [targets({"sizes": [], "store": measured})[0]]

    def measure() -> Record:
        return bench_store(max(repeats, 3))

    _remeasure_alone("store", "storing a run", measure, write_docs, STORE_HEADING, store_section, rows)


def _remeasure_workspace(write_docs: bool) -> None:
    from .report import WORKSPACE_HEADING
    from .workspace import bench_workspace, section, target_rows

    _remeasure_alone("workspace", "the workspace", bench_workspace, write_docs, WORKSPACE_HEADING, section, target_rows)


def _remeasure_stochastic(write_docs: bool, ks: tuple[int, ...] | None = None) -> None:
    """Two-stage planning measured (``ks``: only those training-draw counts, merged into the last
    measurement of this part, from results/latest.json or results/stochastic.json)."""
    from .report import STOCHASTIC_HEADING
    from .stochastic import bench_stochastic, merged, section, target_rows

    def measure() -> Record:
        if ks is None:
            return bench_stochastic()
        for name in ("latest.json", "stochastic.json"):
            path = RESULTS / name
            if path.exists():
                found = json.loads(path.read_text())
                old = found.get("stochastic") if name == "latest.json" else found
                if old:
                    return merged(old, bench_stochastic(ks, evaluate=False))
        raise SystemExit(
            "--stochastic-ks: no earlier measurement of this part to merge into; run --stochastic-only first"
        )

    print("two-stage stochastic planning on the default scenario ...", flush=True)
    _remeasure_alone("stochastic", "two-stage planning", measure, write_docs, STOCHASTIC_HEADING, section, target_rows)


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.worker is not None:
        _worker_main(args.worker, args.seed)
        return
    if args.render:
        from .report import render

        DOCS.write_text(render(json.loads((RESULTS / "latest.json").read_text())))
        print(f"{DOCS.relative_to(ROOT)} rewritten from {RESULTS.relative_to(ROOT)}/latest.json")
        return
    if args.cli_only:
        _remeasure("cli", "command line", lambda: bench_cli(args.repeats), not args.no_docs)
        return
    if args.sweep_only:
        from .sweep import bench_sweep

        _remeasure("sweep", "sweep throughput", lambda: bench_sweep(repeats=args.repeats), not args.no_docs)
        return
    if args.store_only:
        _remeasure_store(args.repeats, not args.no_docs)
        return
    if args.live_only:
        from .live import bench_live

        _remeasure("live", "live what-ifs", lambda: bench_live(repeats=args.repeats), not args.no_docs)
        return
    if args.workspace_only:
        _remeasure_workspace(not args.no_docs)
        return
    if args.stochastic_only:
        ks = tuple(int(k) for k in args.stochastic_ks.split(",")) if args.stochastic_ks else None
        _remeasure_stochastic(not args.no_docs, ks)
        return
    if args.profile:
        print(f"profile written to {profile(parse_sizes(args.profile)[0], args.seed, args.top)}")
        return
    targets = parse_sizes(args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES))
    started = datetime.now(UTC).isoformat(timespec="seconds")
    where = machine()
    print(f"materiel benchmarks: sizes {', '.join(f'{t:,}' for t in targets)}; {args.repeats} runs each", flush=True)
    # the short measurements first, so a long solve at the largest size cannot hold them up
    cli = None if args.no_cli else bench_cli(args.repeats)
    sweeps = None
    if not args.no_sweep:
        from .sweep import bench_sweep

        print("sweep throughput on the default scenario ...", flush=True)
        sweeps = bench_sweep(repeats=1 if args.quick else 2)
    stored = None
    if not args.no_store:
        from .store import bench_store

        print("storing a run of the default scenario (SQLite, PostgreSQL) ...", flush=True)
        stored = bench_store(repeats=max(args.repeats, 3))
    live = None
    if not args.no_live:
        from .live import bench_live

        print("live what-if re-plans on the default scenario ...", flush=True)
        live = bench_live()
    workspace = None
    if not args.no_workspace:
        from .workspace import bench_workspace

        print("the web workspace under 50 simulated users for 60 s ...", flush=True)
        workspace = bench_workspace()
    sizes = bench_sizes(targets, args.repeats, args.seed, args.timeout, args.max_repeat_seconds)
    results = {
        "started": started,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_at_end": _load(),
        "quick": bool(args.quick),
        "seed": args.seed,
        "machine": where,
        "sizes": sizes,
        "cli": cli,
        "sweep": sweeps,
        "store": stored,
        "live": live,
        "workspace": workspace,
    }
    path = save(results, write_docs=not (args.quick or args.no_docs))
    from .report import summary_lines

    print("\n".join(summary_lines(results)))
    print(
        f"results: {path.relative_to(ROOT)}"
        + ("" if args.quick or args.no_docs else f"; docs: {DOCS.relative_to(ROOT)}")
    )


if __name__ == "__main__":
    main()
