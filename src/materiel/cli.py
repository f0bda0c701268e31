"""The ``materiel`` command. Bad input ends with a message and exit status 2, never a traceback."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from .atomic import OutputError, check_output_folder, refuse_inputs
from .report.output import LEGACY_OUTPUTS
from .report.render import ChartPool
from .scenario.errors import ScenarioError
from .service import ServiceError
from .store.commands import DatabaseOpt, db_app, runs_app, users_app
from .store.errors import StoreError

if TYPE_CHECKING:
    from .planner.face import FaceOptions
    from .service import CompareRun, Loaded, PlanRun

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Plan how Europe and its partners equip and sustain Ukraine's armed neutrality.",
)
app.add_typer(db_app, name="db")
app.add_typer(runs_app, name="runs")
app.add_typer(users_app, name="users")
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

ScenarioArg = Annotated[
    str | None, typer.Argument(help="Scenario file, or a shipped scenario's name (default: armed-neutrality).")
]
EXIT_INPUT, EXIT_PLAN = 2, 3
EXIT_OUTPUT = 1  # standard output could not be written (a full disk, a closed pipe)
CHART_COMMANDS = ("plan", "assess", "compare", "report")
_early_pool: ChartPool | None = None


@contextmanager
def _chart_pool(charts: bool = True) -> Iterator[ChartPool]:
    """The chart workers forked at start-up by ``main`` (or new ones, e.g. under a test runner)."""
    if not charts:
        yield ChartPool(workers=0)
    elif _early_pool is not None:
        yield _early_pool
    else:
        with ChartPool() as pool:
            yield pool


def _fail(message: str, code: int) -> None:
    err.print(message, markup=False, highlight=False)
    raise typer.Exit(code)


WhatIf = Annotated[
    list[str] | None,
    typer.Option("--whatif", "-w", help="Apply a named what-if or variant (repeatable, or comma-separated)."),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Change one input: PATH=VALUE, e.g. 'funding[nato-purl].budget=0' (repeatable)."),
]
OutOpt = Annotated[Path | None, typer.Option("-o", "--output", help="Output folder (default out/<scenario>).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable summary instead of tables.")]


DrawsOpt = Annotated[int, typer.Option("--draws", "-n", help="Number of draws.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed: the same seed gives the same draws and results.")]
MethodOpt = Annotated[str, typer.Option("--method", help="Sampling: lhs (Latin hypercube) or sobol.")]
WorkersOpt = Annotated[int, typer.Option("--workers", help="Local worker processes.")]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="A Dask scheduler address, e.g. tcp://10.0.0.5:8786 (instead of local workers)."),
]
VaryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--vary", help="Vary only the ranged figures matching this pattern, e.g. 'lines[*].capacity*' (repeatable)."
    ),
]


def _load(scenario: str | None, whatif: list[str] | None, assignments: list[str] | None) -> Loaded:
    """The scenario, compiled, with every file it was read from (outputs may not replace them);
    loaded as the Python API loads it (``service.load``); its warnings printed."""
    from .service import load

    loaded = load(scenario, whatifs=whatif or [], sets=assignments or [])
    for warning in loaded.warnings:  # located like errors, but the run goes on
        err.print(f"warning: {warning}", markup=False, highlight=False)
    return loaded


def _progress():
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def _plan_and_write(
    scenario: str | None,
    output: Path | None,
    whatif: list[str] | None,
    assign: list[str] | None,
    charts: bool = True,
    export_lp: Path | None = None,
    lp_names: bool = False,
    face: FaceOptions | None = None,
) -> tuple[PlanRun, Path, list[Path]]:
    """Load, plan, assess and write every output (``service.plan_run``); the output folder is
    checked before the solve, and the charts are drawn by the workers started first."""
    from .service import plan_run

    with _chart_pool(charts) as pool:
        loaded = _load(scenario, whatif, assign)
        folder = output or Path("out") / loaded.scenario.name
        check_output_folder(folder, loaded.files, LEGACY_OUTPUTS)
        if export_lp is not None:
            refuse_inputs(export_lp, loaded.files, inside=False)
        run = plan_run(loaded, export_lp=export_lp, lp_names=lp_names, face=face, pool=pool if charts else None)
        written = run.write(folder, charts=charts)
    return run, folder, written


def _cost_slack(text: str | None) -> float:
    """'1%' or '0.01' as a relative cost slack between 0 and 50 %."""
    if text is None:
        return 0.0
    try:
        value = float(text[:-1]) / 100 if text.strip().endswith("%") else float(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r}: give a percentage such as 1% (or a fraction such as 0.01)", param_hint="--near-optimal"
        ) from None
    if not 0 <= value <= 0.5:
        raise typer.BadParameter(f"{text!r}: the cost slack must lie between 0 % and 50 %", param_hint="--near-optimal")
    return value


@app.command()
def plan(
    scenario: ScenarioArg = None,
    output: OutOpt = None,
    as_json: JsonOpt = False,
    export_lp: Annotated[
        Path | None, typer.Option("--export-lp", help="Also write the LP as built (.mps or .lp).")
    ] = None,
    charts: Annotated[
        bool, typer.Option("--charts/--no-charts", help="Write PNG charts (and embed them in the report).")
    ] = True,
    lp_names: Annotated[
        bool,
        typer.Option(
            "--lp-names",
            help="Name the exported LP's rows and columns by family and ids, e.g. x(line,customer,period).",
        ),
    ] = False,
    whatif: WhatIf = None,
    assign: SetOpt = None,
    near_optimal: Annotated[
        str | None,
        typer.Option(
            "--near-optimal",
            help="Range the headline splits over plans as short and at most this much dearer, e.g. 1% "
            "(default: the equally cheap plans only).",
        ),
    ] = None,
    year_ranges: Annotated[
        bool,
        typer.Option(
            "--year-ranges", help="Also range the assessed customer's spending per year (two extra solves a year)."
        ),
    ] = False,
    ranges: Annotated[
        bool,
        typer.Option("--ranges/--no-ranges", help="Range the 'spent in Europe' shares over the equally good plans."),
    ] = True,
    store: Annotated[
        bool, typer.Option("--store", help="Also record the run in the store (see materiel runs) and print its id.")
    ] = False,
    database: DatabaseOpt = None,
) -> None:
    """Find the best time-phased plan of orders, capacity investments and funding flows."""
    from .fmt import days
    from .planner import FaceOptions, check_lp_path
    from .report.terminal import plain, print_plan
    from .scenario.names import names
    from .store.commands import open_store, record_plan

    if export_lp is not None:
        check_lp_path(export_lp)  # before solving: a bad name fails now, not after the solve

    face = FaceOptions(shares=ranges, years=year_ranges, near_optimal=_cost_slack(near_optimal))
    kept = open_store(database) if store else None  # a bad or unreachable database fails before the solve
    try:
        tick = time.perf_counter()
        run, folder, written = _plan_and_write(scenario, output, whatif, assign, charts, export_lp, lp_names, face)
        result, assessment = run.plan, run.assessment
        seconds = time.perf_counter() - tick
        run_id = (
            None
            if kept is None
            else record_plan(kept, scenario, whatif, assign, result, assessment, folder, written, seconds)
        )
    finally:
        if kept is not None:
            kept.dispose()
    if as_json:
        stored = {"run": run_id} if run_id is not None else {}
        typer.echo(json.dumps({**run.summary, "output": str(folder), **stored}, indent=2))
        return
    print_plan(result, out)
    year = assessment.year
    item, left = assessment.bottleneck_in(year)
    out.print(
        f"Ready: [bold]{assessment.readiness.text}[/]   bottleneck {year}: "
        f"{plain(names(result.model.scenario).item(item) if item else '–')} ({days(left, ' days of war')})"
    )
    out.print(
        f"Wrote {len(written)} files to [bold]{escape(str(folder))}[/] (report.html, tables as CSV, plan.xlsx, charts)"
    )
    if export_lp:
        out.print(f"LP written to {escape(str(export_lp))}")
    if run_id is not None:
        out.print(f"Stored as run {run_id} (materiel runs show {run_id})")


@app.command()
def assess(
    scenario: ScenarioArg = None,
    output: OutOpt = None,
    as_json: JsonOpt = False,
    whatif: WhatIf = None,
    assign: SetOpt = None,
) -> None:
    """Plan, then judge it: readiness date, days of war sustained, the bottleneck, air defence."""
    from .report.terminal import print_assessment

    run, folder, written = _plan_and_write(scenario, output, whatif, assign)
    if as_json:
        typer.echo(json.dumps({**run.summary["assessment"], "output": str(folder)}, indent=2))
        return
    print_assessment(run.assessment, out)
    out.print(f"Wrote {len(written)} files to [bold]{escape(str(folder))}[/]")


def _comparison(
    scenarios: list[str | None],
    variants: str | None,
    whatif: list[str] | None,
    assign: list[str] | None,
    folder_for: Callable[[str], Path] | None = None,
    pool: ChartPool | None = None,
) -> CompareRun:
    """Run the comparison ``materiel compare`` asks for (``service.compare_run``: scenario files,
    variants, or the policy options) with a progress bar; the output folder (``folder_for`` the
    first scenario's name) is checked before anything is solved."""
    from .service import compare_run

    paths = [s for s in scenarios if s is not None] or [None]
    several = len(paths) > 1
    loaded = [_load(p, None if several else whatif, assign) for p in paths]
    if folder_for is not None:
        check_output_folder(folder_for(loaded[0].scenario.name), [f for x in loaded for f in x.files], LEGACY_OUTPUTS)
    with _progress() as bar:
        task = bar.add_task("planning", total=None)
        return compare_run(
            *loaded,
            variants=[variants] if variants else (),
            whatifs=whatif or [] if several else (),
            progress=lambda name, row, rows: bar.update(
                task, completed=row, total=rows, description=f"planning {name}"
            ),
            pool=pool,
        )


@app.command()
def compare(
    scenarios: Annotated[
        list[str] | None,
        typer.Argument(
            help="Scenario file(s), or shipped scenarios' names (default: armed-neutrality). With two or more, "
            "each file is a row, and each what-if (-w) a row applied to the first."
        ),
    ] = None,
    variants: Annotated[
        str | None,
        typer.Option(
            "--variants",
            help="Compare these what-ifs or variants (comma-separated) with the baseline instead of the policy options.",
        ),
    ] = None,
    output: OutOpt = None,
    as_json: JsonOpt = False,
    whatif: WhatIf = None,
    assign: SetOpt = None,
) -> None:
    """Armed neutrality vs a reassurance force vs a binding guarantee — or what-if variants, or
    scenario files — side by side."""
    from .assessment.options import comparison_json
    from .report.terminal import print_comparison

    kind = "compared" if len(scenarios or []) > 1 else "variants" if variants else "options"

    def folder_for(name: str) -> Path:
        return output or Path("out") / name / kind

    with _chart_pool() as pool:
        run = _comparison(scenarios or [], variants, whatif, assign, folder_for, pool)
        folder = folder_for(run.loaded.scenario.name)
        written = run.write(folder)
    if as_json:
        typer.echo(json.dumps({"comparison": comparison_json(run.results), "output": str(folder)}, indent=2))
        return
    print_comparison(run.results, out)
    out.print(
        f"Wrote {len(written)} files to [bold]{escape(str(folder))}[/] (report.html, comparison.csv, plan.xlsx, charts)"
    )


@app.command()
def sweep(
    scenario: ScenarioArg = None,
    draws: DrawsOpt = 100,
    seed: SeedOpt = 0,
    method: MethodOpt = "lhs",
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
    vary: VaryOpt = None,
    output: OutOpt = None,
    as_json: JsonOpt = False,
    whatif: WhatIf = None,
    assign: SetOpt = None,
) -> None:
    """Vary every figure given with a range: the odds of readiness by year, cost ranges, what matters most."""
    from .service import sweep_run
    from .uncertainty.runner import SweepError, check_options, sweep_lock

    loaded = _load(scenario, whatif, assign)
    folder = output or Path("out") / loaded.scenario.name / "sweep"
    try:
        check_options(draws, workers)
        check_output_folder(folder, loaded.files, LEGACY_OUTPUTS)
        with sweep_lock(folder):  # held until the outputs are written
            with _progress() as bar:
                task = bar.add_task(f"{loaded.scenario.name}: {draws} draws", total=draws)
                run = sweep_run(
                    loaded,
                    folder=folder,
                    draws=draws,
                    seed=seed,
                    method=method,
                    workers=workers,
                    scheduler=scheduler,
                    vary=vary or [],
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            written = run.write()  # its charts drawn here: no worker is forked beside the sweep's
    except (SweepError, ValueError) as exc:
        _fail(f"{folder}: {exc}" if not str(exc).startswith(str(folder)) else str(exc), EXIT_INPUT)
    headline = run.summary
    if headline["warning"]:
        err.print(f"WARNING: {headline['warning']}", style="bold red", markup=False, highlight=False)
    if as_json:
        typer.echo(json.dumps({**headline, "output": str(folder)}, indent=2))
        return
    _print_sweep(headline, loaded.model.currency)
    out.print(
        f"Wrote {len(written)} files to [bold]{escape(str(folder))}[/] (report.html, draws, summary tables); "
        f"draws are kept in {escape(str(folder / 'draws'))} so an interrupted sweep resumes"
    )


def _print_sweep(h: dict, currency: str) -> None:
    from rich.table import Table

    from .fmt import money, probability
    from .report.sweep import sensitivity_lines
    from .report.terminal import plain

    if h.get("whatifs"):
        out.print(plain(f"what-ifs: {'; '.join(h['whatifs'])}"), style="bold yellow", highlight=False)
    out.print(f"{h['draws']} draws ({h['failed_draws']} without an optimal plan, counted as not ready)")
    table = Table(title="Probability of being ready by the end of each year", show_edge=False)
    years = list(h["p_ready_by_year"])
    for y in years:
        table.add_column(y, justify="right")
    table.add_row(*(probability(v) for v in h["p_ready_by_year"].values()))
    out.print(table)
    rq = h["readiness_date_quantiles"]
    out.print("Readiness date, 5/50/95 %: " + " / ".join(rq[q] or "not in horizon" for q in ("0.05", "0.5", "0.95")))
    cq = h["total_cost_quantiles"]
    out.print(
        "Total cost, 5/50/95 %: "
        + " / ".join("no plan" if cq[q] is None else money(cq[q], currency) for q in ("0.05", "0.5", "0.95"))
    )
    for line in sensitivity_lines(h):  # inputs by name, correlations within the noise band marked
        out.print(plain(line, 8 * 120), highlight=False)


DecisionOpt = Annotated[
    str | None,
    typer.Option(
        "--decision-date",
        help="Last period whose orders and investments are committed, e.g. 2027Q4 or 2027 (default: the end of "
        "the second year).",
    ),
]


@app.command()
def commit(
    scenario: ScenarioArg = None,
    decision_date: DecisionOpt = None,
    plan_folder: Annotated[
        Path | None,
        typer.Option(
            "--plan", help="Commit this plan folder's orders.csv and investments.csv (default: plan the scenario)."
        ),
    ] = None,
    draws: DrawsOpt = 100,
    seed: SeedOpt = 0,
    method: MethodOpt = "lhs",
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
    vary: VaryOpt = None,
    output: OutOpt = None,
    as_json: JsonOpt = False,
    whatif: WhatIf = None,
    assign: SetOpt = None,
) -> None:
    """Commit a plan's orders and investments up to a decision date and judge it on draws, beside perfect foresight."""
    from .uncertainty.committed import CommitError, judge_loaded, write_commit_outputs
    from .uncertainty.runner import SweepError, check_options
    from .uncertainty.text import commit_lines

    loaded = _load(scenario, whatif, assign)
    sc, model, inputs = loaded.scenario, loaded.model, loaded.files
    folder = output or Path("out") / sc.name / "commit"
    if plan_folder is not None and folder.resolve() == plan_folder.resolve():
        _fail(f"{folder}: the output folder is the --plan folder; write the judgement elsewhere (-o DIR)", EXIT_INPUT)
    try:
        check_options(draws, workers)
        check_output_folder(folder, inputs, LEGACY_OUTPUTS)
        with _progress() as bar:
            task = bar.add_task(f"{sc.name}: {draws} draws, committed and with foresight", total=draws)
            summary = judge_loaded(
                sc,
                model,
                draws,
                seed,
                decision_date,
                method,
                workers,
                scheduler,
                vary or [],
                plan_folder,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        written = write_commit_outputs(folder, summary)
    except (CommitError, SweepError, OutputError, ValueError) as exc:
        _fail(str(exc), EXIT_INPUT)
    headline = summary.headline()
    if as_json:
        typer.echo(json.dumps({**headline, "output": str(folder)}, indent=2))
        return
    for line in commit_lines(headline, model.currency):
        out.print(line, markup=False, highlight=False)
    out.print(
        f"Wrote {len(written)} files to [bold]{escape(str(folder))}[/] (summary.json, draws.csv, p_ready.csv, commitments.csv)"
    )


@app.command()
def robust(
    scenario: ScenarioArg = None,
    decision_date: DecisionOpt = None,
    alpha: Annotated[
        float | None,
        typer.Option(
            "--alpha", help="Minimise the CVaR of shortfall at this level (e.g. 0.9: the worst tenth of draws)."
        ),
    ] = None,
    draws: Annotated[int, typer.Option("--draws", "-n", help="Training draws K the first stage is planned for.")] = 10,
    eval_draws: Annotated[int, typer.Option("--eval-draws", help="Fresh draws both plans are judged on.")] = 100,
    decomposition: Annotated[
        str,
        typer.Option(
            "--decomposition",
            help="auto, extensive (one LP) or benders (per-draw subproblems on the workers); "
            "auto: extensive up to 5 draws or with --alpha, else benders.",
        ),
    ] = "auto",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the training draws (evaluation: seed + 1).")] = 0,
    method: MethodOpt = "lhs",
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
    vary: VaryOpt = None,
    output: OutOpt = None,
    as_json: JsonOpt = False,
    whatif: WhatIf = None,
    assign: SetOpt = None,
) -> None:
    """Plan the first stage for many draws at once (two-stage stochastic plan) and judge it against the deterministic plan."""
    from .uncertainty.committed import CommitError
    from .uncertainty.robust import robust_loaded, write_robust_outputs
    from .uncertainty.runner import SweepError, check_options
    from .uncertainty.text import robust_lines

    loaded = _load(scenario, whatif, assign)
    sc, model, inputs = loaded.scenario, loaded.model, loaded.files
    folder = output or Path("out") / sc.name / "robust"
    try:
        check_options(eval_draws, workers)
        check_output_folder(folder, inputs, LEGACY_OUTPUTS)
        with _progress() as bar:
            task = bar.add_task(f"{sc.name}: {draws} training draws, then {eval_draws} to judge", total=eval_draws)
            result = robust_loaded(
                sc,
                model,
                draws,
                seed,
                decision_date,
                alpha,
                eval_draws,
                method,
                workers,
                scheduler,
                vary or [],
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                decomposition=decomposition,
                training_progress=lambda i, lower, upper: bar.update(
                    task, description=f"{sc.name}: Benders iteration {i}, optimum between {lower:.4f} and {upper:.4f}"
                ),
            )
        written = write_robust_outputs(folder, result)
    except (CommitError, SweepError, OutputError, ValueError) as exc:
        _fail(str(exc), EXIT_INPUT)
    headline = result.headline()
    if as_json:
        typer.echo(json.dumps({**headline, "output": str(folder)}, indent=2))
        return
    for line in robust_lines(headline, model.currency):
        out.print(line, markup=False, highlight=False)
    out.print(
        f"Wrote {len(written)} files to [bold]{escape(str(folder))}[/] (orders.csv, investments.csv, funding.csv: the first stage)"
    )


@app.command()
def report(
    scenario: ScenarioArg = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="The HTML file to write.")] = Path("report.html"),
    sweep_dir: Annotated[
        Path | None, typer.Option("--sweep", help="Add the uncertainty section from this sweep's folder.")
    ] = None,
    robust_dir: Annotated[
        Path | None,
        typer.Option("--robust", help="Add the committed and robust plans section from this materiel robust folder."),
    ] = None,
    commit_dir: Annotated[
        Path | None,
        typer.Option("--commit", help="Add the committed and robust plans section from this materiel commit folder."),
    ] = None,
    whatif: WhatIf = None,
    assign: SetOpt = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also write the report as an A4 PDF brief beside it (same name, .pdf).")
    ] = False,
) -> None:
    """One self-contained HTML report: plan, readiness, sustainment, air defence, options, uncertainty, committed and robust plans, sources."""
    from .report.output import write_atomic
    from .service import report_run
    from .uncertainty.committed import CommitError
    from .uncertainty.runner import SweepError

    if output.is_dir():
        _fail(f"{output} is a folder; name the HTML file to write, e.g. -o {output / 'report.html'}", EXIT_INPUT)
    if pdf and output.suffix.lower() == ".pdf":
        _fail(
            f"-o names the HTML file; --pdf writes the PDF beside it: e.g. -o {output.with_suffix('.html')}", EXIT_INPUT
        )
    with _chart_pool() as pool:
        loaded = _load(scenario, whatif, assign)
        refuse_inputs(output, loaded.files, inside=False)
        if pdf:
            refuse_inputs(output.with_suffix(".pdf"), loaded.files, inside=False)
        with _progress() as bar:
            task = bar.add_task("planning", total=None)
            try:
                run = report_run(
                    loaded,
                    sweep=sweep_dir,
                    robust=robust_dir,
                    commit=commit_dir,
                    progress=lambda name, row, rows: bar.update(
                        task, completed=row, total=rows, description=f"planning {name}"
                    ),
                    pool=pool,
                )
            except (SweepError, CommitError) as exc:
                _fail(str(exc), EXIT_INPUT)
    if run.uncertainty is not None and run.uncertainty.warning():
        err.print(f"WARNING: {run.uncertainty.warning()}", style="bold red", markup=False, highlight=False)
    text = run.html
    write_atomic(output, text)
    out.print(f"Wrote [bold]{escape(str(output))}[/] ({len(text) / 1e6:.1f} MB, opens offline)")
    if pdf:
        _write_pdf(text, output.with_suffix(".pdf"))


def _write_pdf(text: str, path: Path) -> None:
    """The report as an A4 PDF, written whole or not at all (report/pdf.py)."""
    from .report.output import write_atomic
    from .report.pdf import PdfError, pdf_bytes

    try:
        data = pdf_bytes(text, path.parent)
    except PdfError as exc:
        _fail(str(exc), EXIT_OUTPUT)
    write_atomic(path, data)
    out.print(f"Wrote [bold]{escape(str(path))}[/] ({len(data) / 1e6:.1f} MB, A4)")


@app.command()
def validate(scenario: ScenarioArg = None, whatif: WhatIf = None, assign: SetOpt = None) -> None:
    """Check a scenario file (and any what-ifs) and report every problem with file, line and field."""
    from .scenario.compiled import unsourced

    loaded = _load(scenario, whatif, assign)
    sc, model = loaded.scenario, loaded.model
    out.print(
        f"[green]ok[/]: {sc.name} — {len(sc.items)} items, {len(sc.lines)} lines, "
        f"{len(sc.funding)} funding vehicles, {len(sc.customers)} customers, {model.T} {sc.horizon.period.value}s"
        + (f"; {len(model.warnings)} warning(s) above" if model.warnings else "")
    )
    missing = unsourced(sc)
    if missing:
        out.print(
            f"[yellow]note[/]: {len(missing)} figures carry neither a source nor an assumption, e.g. "
            + escape(", ".join(".".join(str(p) for p in loc) for loc in missing[:3]))
        )


@app.command()
def schema(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the field reference of docs/scenario.md instead.")
    ] = False,
) -> None:
    """Print the JSON schema of scenario files (for editor completion)."""
    if markdown:
        from .scenario.reference import field_reference

        typer.echo(field_reference())
        return
    from .scenario.schema import Scenario

    typer.echo(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))


@app.command()
def check(
    plan_dir: Annotated[
        Path,
        typer.Argument(
            help="Folder with a plan's orders.csv, investments.csv, funding.csv (and stock.csv, retirements.csv, "
            "drawdowns.csv, components.csv)."
        ),
    ],
    scenario: Annotated[
        str | None, typer.Option("-s", "--scenario", help="Scenario the plan was made for (default: armed-neutrality).")
    ] = None,
) -> None:
    """Re-verify a (possibly hand-edited) plan against every rule of its scenario."""
    import pandas as pd

    from .planner.check import check_plan

    model = _load(scenario, None, None).model
    tables = {}
    for name in ("orders", "investments", "funding", "stock", "retirements", "drawdowns", "components"):
        path = plan_dir / f"{name}.csv"
        if not path.exists():
            if name in ("stock", "retirements", "drawdowns", "components"):
                continue
            _fail(
                f"{path}: file not found (a plan folder holds orders.csv, investments.csv and funding.csv)", EXIT_INPUT
            )
        try:
            tables[name] = pd.read_csv(path, keep_default_na=False, na_values=[""])
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            _fail(f"{path}: cannot read the table: {exc}", EXIT_INPUT)
    violations = check_plan(
        model,
        tables["orders"],
        tables["investments"],
        tables["funding"],
        tables.get("stock"),
        tables.get("retirements"),
        tables.get("drawdowns"),
        tables.get("components"),
    )
    if not violations:
        out.print(f"[green]ok[/]: the plan in {escape(str(plan_dir))} keeps every rule of {model.scenario.name}")
        return
    for v in violations:
        err.print(str(v), markup=False, highlight=False)
    _fail(f"{len(violations)} rule(s) broken", 1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database: Annotated[
        str | None,
        typer.Option(
            "--database", help="Database URL or SQLite file (default: $MATERIEL_DATABASE or the user's SQLite file)."
        ),
    ] = None,
    secure_cookies: Annotated[bool, typer.Option(help="Send cookies over HTTPS only (behind a TLS proxy).")] = False,
    workers: Annotated[
        int, typer.Option("--workers", min=0, max=64, help="Queue worker processes to start with the server (0: none).")
    ] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="A Dask scheduler address, e.g. tcp://10.0.0.5:8786: runs go to the cluster."),
    ] = None,
) -> None:
    """Start the workspace: a web app where a team edits scenarios, runs plans and compares them."""
    from .web.serve import serve as run_server
    from .web.settings import Settings

    run_server(host, port, database, Settings(secure_cookies=secure_cookies, run_workers=workers, scheduler=scheduler))


@app.command()
def worker(
    database: Annotated[
        str | None,
        typer.Option(
            "--database", help="Database URL or SQLite file (default: $MATERIEL_DATABASE or the user's SQLite file)."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="A Dask scheduler address: plans and sweeps' draws are solved there."),
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="Stop when the queue is empty.")] = False,
) -> None:
    """Work on the workspace's run queue: claim queued runs, carry them out, store their results."""
    from .queue.worker import main as work

    raise typer.Exit(work(database, scheduler, once))


class Terminated(BaseException):
    """SIGTERM arrived: unwind like Ctrl-C, so staging folders are cleaned and workers stopped."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_MAIN_PID = os.getpid()


def _on_signal(signum: int, frame: object) -> None:
    if os.getpid() != _MAIN_PID:  # a worker forked after the handler was set: end it quietly
        os._exit(128 + signum)
    raise Terminated(signum)


def _stdout_failed() -> OSError | None:
    """The error writing standard output gives (e.g. a full disk, a closed pipe), if any."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        return exc
    return None


def _abandon_stdout() -> None:
    """Point standard output at /dev/null so that the interpreter's final flush stays quiet."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def run(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: the process's arguments) in this process and
    return the exit status; known errors become one-line messages, as for the console script."""
    try:
        code = app(args=argv, prog_name="materiel", standalone_mode=False)  # an int after typer.Exit
    except ScenarioError as exc:
        err.print(str(exc), markup=False, highlight=False)
        return EXIT_INPUT
    except (OutputError, ServiceError) as exc:
        err.print(str(exc), markup=False, highlight=False)
        return EXIT_INPUT
    except StoreError as exc:
        err.print(f"materiel: {exc}", markup=False, highlight=False)
        return EXIT_INPUT
    except typer.TyperException as exc:
        # usage errors (typer >= 0.29 carries its own copy of click; its errors are TyperExceptions)
        if hasattr(exc, "show"):
            exc.show()
        else:
            err.print(exc.format_message(), markup=False, highlight=False)
        return exc.exit_code
    except typer.Abort:
        return 128 + signal.SIGINT
    except Terminated as exc:
        err.print("materiel: terminated; no output was half-written", highlight=False)
        return 128 + exc.signum
    except OSError as exc:
        if _stdout_failed() is None and exc.errno not in (errno.EPIPE, errno.ENOSPC):
            raise
        _abandon_stdout()
        err.print(f"materiel: cannot write the output: {exc.strerror or exc}", markup=False, highlight=False)
        return EXIT_OUTPUT
    except Exception as exc:
        from .planner import PlanError

        if not isinstance(exc, PlanError):
            raise
        err.print(f"Planning failed: {exc}", markup=False, highlight=False)
        return EXIT_PLAN
    if (failed := _stdout_failed()) is not None:
        _abandon_stdout()
        err.print(f"materiel: cannot write the output: {failed.strerror or failed}", markup=False, highlight=False)
        return EXIT_OUTPUT
    return code if isinstance(code, int) else 0


def main() -> None:
    """Console-script entry point: turn known errors into messages and exit codes.

    For commands that draw charts, the chart workers are forked first, before the planner's heavy
    modules are imported, so that it loads what drawing needs in parallel with everything else.
    SIGTERM unwinds like Ctrl-C: the run's staging folder is removed and the workers stopped, and
    the exit status is 128 + the signal's number.
    """
    global _early_pool
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    if command in CHART_COMMANDS and "--no-charts" not in sys.argv:
        _early_pool = ChartPool()
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        code = run()
    finally:
        if _early_pool is not None:
            _early_pool.__exit__()
    sys.exit(code)


if __name__ == "__main__":
    main()
