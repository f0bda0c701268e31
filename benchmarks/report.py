"""docs/performance.md, rendered from one benchmark run's results (see benchmarks/run.py)."""

from __future__ import annotations

from typing import Any

from .live import section as live_section
from .live import target_row as live_target
from .stochastic import section as stochastic_section
from .stochastic import target_rows as stochastic_targets
from .workspace import section as workspace_section
from .workspace import target_rows as workspace_targets

Record = dict[str, Any]
TARGET_VARS = 200_000
OVERHEAD_TARGET = 0.15
PEAK_TARGET_MB = 2048.0
CLI_TARGET_S = 5.0
STORE_TARGET = 0.10


def finished(sizes: list[Record]) -> list[Record]:
    """The sizes whose runs finished (a run that hit the time limit leaves only a marker)."""
    return [s for s in sizes if "timed_out_s" not in s]


def unfinished(sizes: list[Record]) -> list[Record]:
    return [s for s in sizes if "timed_out_s" in s]


def _judged_size(sizes: list[Record]) -> tuple[Record | None, str]:
    """The size the ~200k-variable targets are judged on, and a note when it is not ~200k."""
    done = finished(sizes)
    if not done:
        return None, "not measured"
    near = [s for s in done if s["cols"] >= 0.75 * TARGET_VARS]
    if near:
        return min(near, key=lambda s: abs(s["cols"] - TARGET_VARS)), ""
    largest = max(done, key=lambda s: s["cols"])
    missed = [s for s in unfinished(sizes) if s["target_vars"] >= 0.75 * TARGET_VARS]
    if missed:
        return largest, f" (largest size that finished; ~200k did not finish within {missed[0]['timed_out_s']:.0f} s)"
    return largest, " (largest size in this run; ~200k not run)"


def targets(results: Record) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for each of the issue's targets."""
    rows = []
    big, note = _judged_size(results["sizes"])
    if big is not None:
        ratio, peak = big["overhead_ratio"], big["peak_rss_mb"]
        at = f"at {big['cols']:,} columns{note}"
        rows.append(
            (
                "(build + read-back) / HiGHS solve ≤ 15 % at ~200k variables",
                f"{ratio:.2%} {at}",
                _verdict(ratio <= OVERHEAD_TARGET, note),
            )
        )
        rows.append(
            (
                "peak memory < 2 GB at ~200k variables",
                f"{peak:,.0f} MB ({big['peak_ratio']:.1f}× the {big['baseline_rss_mb']:.0f} MB after imports) {at}",
                _verdict(peak < PEAK_TARGET_MB, note),
            )
        )
    cli = results.get("cli")
    if cli:
        rows.append(
            (
                "`materiel plan` end to end < 5 s",
                f"{cli['plan_s']:.2f} s ({cli['plan_to_import_ratio']:.1f}× importing the planner), {cli['scenario']}",
                _verdict(cli["plan_s"] < CLI_TARGET_S),
            )
        )
    sweep = results.get("sweep")
    if sweep:
        full, focused, scaling = sweep["all_ranged"], sweep["capacities_only"], sweep["scaling"]
        rows.append(
            (
                "sweep: draws per second re-solving in place ≥ 3× rebuilding every draw (default scenario)",
                f"{full['speedup']:.2f}× varying all {full['inputs']} ranged figures; "
                f"{focused['speedup']:.2f}× varying the {focused['inputs']} capacities",
                _verdict(full["speedup"] >= 3)
                + ("; **met** for the focused sweep" if focused["speedup"] >= 3 and full["speedup"] < 3 else ""),
            )
        )
        rows.append(
            (
                "sweep: 1 → 2 local workers, efficiency ≥ 80 %",
                f"{scaling['efficiency']:.0%} ({scaling['seconds_1']:.1f} s → {scaling['seconds_2']:.1f} s for {scaling['draws']} draws)",
                _verdict(scaling["efficiency"] >= 0.8),
            )
        )
    store = results.get("store")
    if store:
        worst = max(store["sqlite"]["ratio_to_plan"], store["postgresql"]["ratio_to_plan"])
        rows.append(
            (
                "storing a run < 10 % of its solve time (default scenario)",
                f"SQLite {store['sqlite']['ratio_to_plan']:.1%}, PostgreSQL {store['postgresql']['ratio_to_plan']:.1%} "
                f"of the {store['plan_s']:.2f} s plan",
                _verdict(worst < STORE_TARGET),
            )
        )
    if results.get("live"):
        rows.append(live_target(results["live"]))
    if results.get("workspace"):
        rows += workspace_targets(results["workspace"])
    if results.get("stochastic"):
        rows += stochastic_targets(results["stochastic"])
    return rows


def store_section(store: Record | None) -> list[str]:
    """The section on storing runs (benchmarks/store.py)."""
    if not store:
        return ["Not measured in this run (`--no-store`)."]
    lines = (
        [f"Re-measured on its own (`--store-only`) at commit {store['commit']}, {store['measured']}.", ""]
        if "commit" in store
        else []
    )
    lines += [
        f"Scenario: {store['scenario']}, planned once (`materiel.plan`: {store['plan_s']:.2f} s, of which the two "
        f"HiGHS phases {store['highs_phases_s']:.2f} s), its outputs written as `materiel plan --no-charts` writes "
        f"them ({store['written_mb']:.1f} MB). Then `store.runs.finish` — the summary, {store['tables']} tables "
        f"as Parquet, {store['files']} files (plan.xlsx, report.html, summary.json) and status 'done', committed "
        f"as one transaction — is timed {store['repeats']} times into each database (median). Load average "
        f"(1, 5, 15 min) at the start {store['load_average'][0]}, at the end {store['load_average'][1]}, on "
        "2 cores: other work on the machine inflates these times.",
        "",
        "| database | store s | store / plan | store / the two HiGHS phases alone |",
        "|---|---:|---:|---:|",
    ]
    for name, label in (("sqlite", "SQLite file"), ("postgresql", "PostgreSQL 15 on loopback (throwaway cluster)")):
        r = store[name]
        lines.append(f"| {label} | {r['store_s']:.3f} | {r['ratio_to_plan']:.1%} | {r['ratio_to_highs_phases']:.0%} |")
    low, high = sorted(f"{store[name]['ratio_to_highs_phases']:.0%}" for name in ("sqlite", "postgresql"))
    share = low if low == high else f"{low} to {high}"
    lines += [
        "",
        "The target compares storing with the run's solve, everything the planner does for it (building, "
        "both phases, the marginal values' solves, reading back). Against the two HiGHS phases alone, which "
        f"this scenario solves in {store['highs_phases_s']:.2f} s, storing costs {share} of their time. Most of it is turning the tables into Parquet; PostgreSQL keeps the "
        "outputs without compressing them again (they are mostly compressed already).",
    ]
    return lines


def _sweep_section(sweep: Record | None) -> list[str]:
    if not sweep:
        return ["Not measured in this run (`--no-sweep`)."]
    lines = (
        [f"Re-measured on its own (`--sweep-only`) at commit {sweep['commit']}, {sweep['measured']}.", ""]
        if "commit" in sweep
        else []
    )
    lines += [
        "| sweep | ranged figures varied | re-solve mode chosen | rebuild s/draw | in place s/draw | speed-up "
        "| of which HiGHS s/draw | bound: rebuild / HiGHS | simplex iterations per draw, warm / cold |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, label in (("all_ranged", "every ranged figure"), ("capacities_only", f"`--vary '{sweep['pattern']}'`")):
        r = sweep[name]
        warm_it, cold_it = (
            (r["iterations_per_draw"], r["other_mode_iterations_per_draw"])
            if r["warm_start"]
            else (r["other_mode_iterations_per_draw"], r["iterations_per_draw"])
        )
        lines.append(
            f"| {label} | {r['inputs']} | {'warm (from the base basis)' if r['warm_start'] else 'cold, presolved'} "
            f"| {r['rebuild_s_per_draw']:.3f} | {r['in_place_s_per_draw']:.3f} | {r['speedup']:.2f}× "
            f"| {r['highs_s_per_draw']:.3f} | {r['solve_bound_speedup']:.2f}× | {warm_it:,.0f} / {cold_it:,.0f} |"
        )
    sc = sweep["scaling"]
    lines += [
        "",
        f"Scaling through the sweep runner (`materiel sweep`, {sc['draws']} draws, chunks of "
        f"{sc.get('chunk_size', 2)}, warm re-solves): 1 worker "
        f"{sc['seconds_1']:.1f} s, 2 workers {sc['seconds_2']:.1f} s — speed-up {sc['speedup']:.2f}, efficiency "
        f"{sc['efficiency']:.0%} on this 2-core machine.",
        "",
        "*Rebuild* = for every draw: compile the scenario, build the LP, pass it to HiGHS, solve cold, read "
        "the plan's tables back and assess it (what planning each draw separately costs); it takes turns with "
        "re-solving in place, draw by draw, so both run on the machine in the same state. *In place* = one LP "
        "kept in HiGHS: a draw's bounds and right-hand sides are changed in place, and a draw that moves matrix "
        "entries (every price does) has its LP passed whole in one call; both phases re-solve from the "
        "scenario's own phase-1 optimum (dual simplex with Devex pricing), and the draw's headline results are "
        "read straight from the solution vector (docs/uncertainty.md). *Bound* is the speed-up re-solving in "
        "place would reach if everything but HiGHS itself took no time. "
        + " ".join(
            _iterations_sentence(sweep[name], label)
            for name, label in (
                ("all_ranged", "every ranged figure varies"),
                ("capacities_only", "only capacities vary"),
            )
        ),
    ]
    return lines


def _iterations_sentence(r: Record, label: str) -> str:
    warm, cold = r["iterations_per_draw"], r["other_mode_iterations_per_draw"]
    if not r["warm_start"]:
        warm, cold = cold, warm
    return f"When {label}, a warm re-solve needs {warm / cold:.0%} of a cold solve's simplex iterations."


def _verdict(ok: bool, note: str = "") -> str:
    text = "**met**" if ok else "**not met**"
    return f"{text} (not at 200k)" if note and ok else text


def _size_table(sizes: list[Record]) -> list[str]:
    head = (
        "| target | vars | rows | nnz | runs | compile s | build s | solve s | read s | (build+read)/solve "
        "| peak RSS MB | × baseline RSS |"
    )
    out = [head, "|" + "---:|" * 12]
    for s in sizes:
        sec = s["seconds"]
        out.append(
            f"| {s['target_vars']:,} | {s['cols']:,} | {s['rows']:,} | {s['nnz']:,} | {s['repeats']} | {sec['compile']:.3f} "
            f"| {sec['build']:.3f} | {s['highs_solve_s']:.2f} | {sec['read']:.3f} | {s['overhead_ratio']:.2%} "
            f"| {s['peak_rss_mb']:,.0f} | {s['peak_ratio']:.2f} |"
        )
    return out


def _detail_table(sizes: list[Record]) -> list[str]:
    head = (
        "| target | items × lines × quarters × funds | active shortfall vars | validate s | pass s "
        "| phase 1 s | phase 2 s | (build+pass+read)/solve | check s | violations | baseline RSS MB | peak after build / solve / read MB |"
    )
    out = [head, "|" + "---:|" * 12]
    for s in sizes:
        sec, sh, pk = s["seconds"], s["shape"], s["peak_mb_after"]
        out.append(
            f"| {s['target_vars']:,} | {sh['items']} × {s['lines']} × {sh['periods']} × {sh['funds']} "
            f"| {s['active_shortfall_cols']:,} | {sec['validate']:.3f} | {sec['pass']:.3f} "
            f"| {sec['solve_shortfall']:.2f} | {sec['solve_money']:.2f} | {s['overhead_ratio_with_pass']:.2%} "
            f"| {sec['check']:.3f} | {s['violations']} | {s['baseline_rss_mb']:.0f} | {pk['build']:.0f} / {pk['solve_call']:.0f} "
            f"/ {pk['read']:.0f} |"
        )
    return out


def _where_time_goes(sizes: list[Record]) -> list[str]:
    """One computed sentence on the largest size: the solver's share of the whole path."""
    if not sizes:
        return []
    s = max(sizes, key=lambda r: r["cols"])
    sec = s["seconds"]
    path = sum(sec[k] for k in ("validate", "compile", "build", "pass", "solve_shortfall", "solve_money", "read"))
    return [
        f"At {s['cols']:,} columns HiGHS's two solves take {s['highs_solve_s'] / path:.1%} of the path from "
        f"validation to read-back ({path:,.1f} s); build takes {sec['build'] * 1e3:,.0f} ms, passing the model "
        f"{sec['pass'] * 1e3:,.0f} ms and read-back {sec['read'] * 1e3:,.0f} ms.",
        "",
        *_slow_money_phase(s),
    ]


def _slow_money_phase(s: Record) -> list[str]:
    """A note when phase 2 (least money) dominates phase 1 at the largest size."""
    sec = s["seconds"]
    if sec["solve_money"] <= 2 * sec["solve_shortfall"]:
        return []
    return [
        f"At this size phase 2 (least money at the least shortfall) takes {sec['solve_money']:,.0f} s against "
        f"phase 1's {sec['solve_shortfall']:,.0f} s. Phase 2 continues by primal simplex from phase 1's "
        "tie-broken basis (docs/model.md); every funding flow costs the same per unit of money, so which "
        "vehicle pays for an order is massively degenerate and primal simplex can creep across those ties.",
        "",
    ]


def _cli_section(cli: Record | None) -> list[str]:
    if not cli:
        return ["Not measured in this run (`--no-cli`)."]
    timings = cli["internal_timings"]
    internal = ", ".join(f"{k} {v:.3f} s" for k, v in timings.items()) or "not reported"
    rest = cli["plan_s"] - cli["import_s"] - sum(timings.values())
    separately = (
        [f"Re-measured on its own (`--cli-only`) at commit {cli['commit']}, {cli['measured']}.", ""]
        if "commit" in cli
        else []
    )
    return [
        *separately,
        f"Scenario: {cli['scenario']}. Command: `{cli['command']}`, with every output it writes by default.",
        "",
        "| measurement | median of " + str(cli["repeats"]) + " (s) |",
        "|---|---:|",
        f"| `python -c pass` (interpreter start-up) | {cli['python_startup_s']:.3f} |",
        f'| `python -c "import materiel.planner, materiel.assessment"` (baseline) | {cli["import_s"]:.3f} |',
        f"| `materiel plan -o <tmpdir>` end to end | {cli['plan_s']:.3f} |",
        f"| ratio plan / baseline | {cli['plan_to_import_ratio']:.2f}× |",
        "",
        f"Inside the plan command (from `--json`, one run): {internal}. The remaining "
        f"{rest:.2f} s of the end-to-end median, beyond start-up with the planner's imports and these stages, "
        "go to everything else the command does: loading the scenario file, the assessment, writing the "
        "tables, workbook, report and charts, and printing.",
    ]


def _machine_lines(m: Record) -> list[str]:
    pk = m["packages"]
    return [
        f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram_gb']} GB; {m['os']}",
        f"- Python {m['python']}; HiGHS {pk['highspy']} (highspy {pk['highspy']}); numpy {pk['numpy']}, "
        f"scipy {pk['scipy']}, pandas {pk['pandas']}, pydantic {pk['pydantic']}",
        f"- materiel at commit {m['commit']}; run started {m.get('started', '')}",
        f"- load average (1, 5, 15 min) at start {m.get('load_average_at_start')}, at end {m.get('load_average_at_end')}; "
        "other work on the machine during the run inflates times (solve most)",
    ]


METHOD = """\
## What is measured and how

Each size is a synthetic scenario (`benchmarks/synthetic.py`) calibrated to a target number of LP
variables: two customers (Ukraine, European forces), items in all nine categories with 3–5
production lines each in several countries (lead and build times, capacity ramps, expansion with
capex, export shares below 1, prices in EUR/USD/GBP/KRW), funding vehicles with origin rules
(EU/EEA/UA, US only, Ukraine only, Europe, anywhere), customer and category limits, carry-over and
a minimum spend, and targets of which some are out of reach so shortfall variables are active.
Quarters grow with size up to 80; the seed is fixed, so the same sizes give the same scenarios.

Every run of every size is a **fresh Python process**, so peak memory belongs to that size alone.
Stages, timed with `time.perf_counter`:

- **validate**: `Scenario.model_validate(dict)` (pydantic); **compile**: `compile_scenario`;
- **build**: `materiel.planner.formulation.build` (the LP as whole-array constraint families);
- **pass**: `SolveResult.seconds['pass']` — create HiGHS, assemble the CSC matrix, `passModel`;
- **solve**: HiGHS phase 1 (least shortfall) + phase 2 (least money), `seconds['solve_shortfall']`
  + `seconds['solve_money']`; this is the baseline the overhead ratio divides by;
- **read**: `read_plan` (the solution into pandas tables);
- **check**: the independent checker `materiel.check(plan)`, reported but in no ratio; its number
  of violations is in the detail table (it should be 0).

Memory is the worker process's **peak resident set size**, `VmHWM` in `/proc/self/status`, which
counts everything: Python objects, numpy/scipy arrays, pandas tables and HiGHS's own C++
allocations (tracemalloc would see Python allocations only). `ru_maxrss` is not used: on Linux it
survives fork+exec, so a worker would report its parent's peak as its own. The baseline is the
worker's current RSS (`VmRSS`) right after the imports (materiel, highspy, pandas, pydantic), so the
ratio reads "how many times the memory of an idle materiel process". The peak after each stage
shows which stage sets it.

The overhead ratio is (build + read) / solve with the issue's definition; the stricter
(build + pass + read) / solve, which also charges the matrix assembly in `pass` to materiel, is in
the detail table. At the smallest sizes the solve takes milliseconds and the ratio says little; the
target is stated at ~200k variables. Every figure is the **median** of the repeated runs.
"""


STORE_HEADING = "## Storing runs"
WORKSPACE_HEADING = "## Workspace"
STOCHASTIC_HEADING = "## Stochastic planning"


def render(results: Record) -> str:
    """The whole of docs/performance.md."""
    sizes, cli = finished(results["sizes"]), results.get("cli")
    missed = [
        f"The {s['target_vars']:,}-variable size (synthetic size {s['size']:g}) did not finish within its "
        f"{s['timed_out_s']:.0f} s limit and is left out of the tables."
        for s in unfinished(results["sizes"])
    ]
    machine = {
        **results["machine"],
        "started": results["started"],
        "load_average_at_end": results.get("load_average_at_end"),
    }
    lines = [
        "# Performance",
        "",
        "<!-- Written by `python -m benchmarks.run` (`make bench`) from benchmarks/results/latest.json. "
        "Do not edit by hand: re-run the suite. -->",
        "",
        "The planner's rule (docs/model.md): the HiGHS solve is the floor; building the LP and reading the plan "
        "back must cost a small fraction of it. This page holds the numbers, regenerated by the benchmark "
        "suite so they stay in step with the code.",
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "|---|---|---|",
        *[f"| {t} | {m} | {v} |" for t, m, v in targets(results)],
        "",
        "## Machine",
        "",
        *_machine_lines(machine),
        "",
        "## Results per size (medians over the runs)",
        "",
        *_size_table(sizes),
        "",
        *([*missed, ""] if missed else []),
        *_where_time_goes(sizes),
        "Details:",
        "",
        *_detail_table(sizes),
        "",
        "## Command line, end to end",
        "",
        *_cli_section(cli),
        "",
        "## Sweeps",
        "",
        *_sweep_section(results.get("sweep")),
        "",
        STORE_HEADING,
        "",
        *store_section(results.get("store")),
        "",
        "## Live what-ifs",
        "",
        *live_section(results.get("live")),
        "",
        WORKSPACE_HEADING,
        "",
        *workspace_section(results.get("workspace")),
        "",
        *(
            [STOCHASTIC_HEADING, "", *stochastic_section(results["stochastic"]), ""]
            if results.get("stochastic")
            else []
        ),
        METHOD,
        "## Reproducing",
        "",
        "```",
        "make bench                                   # or: .venv/bin/python -m benchmarks.run",
        ".venv/bin/python -m benchmarks.run --sizes 2k,50k --repeats 5",
        ".venv/bin/python -m benchmarks.run --quick   # 2k and 10k only; JSON, docs untouched",
        ".venv/bin/python -m benchmarks.run --profile 200k   # cProfile of build and read-back",
        ".venv/bin/python -m benchmarks.run --render   # rewrite this page from latest.json",
        ".venv/bin/python -m benchmarks.run --store-only   # storing a run, SQLite and PostgreSQL",
        ".venv/bin/python -m benchmarks.run --live-only   # re-measure the live what-ifs alone",
        ".venv/bin/python -m benchmarks.run --workspace-only   # the web workspace: 50 users for 60 s",
        ".venv/bin/python -m benchmarks.run --stochastic-only   # two-stage plans: K = 10, 50, 200",
        "```",
        "",
        "Raw per-run numbers are in `benchmarks/results/` (git-ignored).",
        "",
    ]
    return "\n".join(lines)


def summary_lines(results: Record) -> list[str]:
    """A short console summary of the run."""
    out = ["", *_size_table(finished(results["sizes"])), ""]
    cli = results.get("cli")
    if cli:
        out.append(
            f"CLI end to end: {cli['plan_s']:.2f} s vs importing the planner {cli['import_s']:.2f} s ({cli['scenario']})"
        )
    out += [f"{t}: {m} -> {v.replace('**', '')}" for t, m, v in targets(results)]
    return out
