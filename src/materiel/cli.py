"""The ``materiel`` command. Bad input ends with a message and exit status 2, never a traceback."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .plan import PlanError
from .report.output import OutputError
from .scenario.errors import ScenarioError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Plan how Europe and its partners equip and sustain Ukraine's armed neutrality.",
)
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

ScenarioArg = Annotated[
    str | None, typer.Argument(help="Scenario file, or a shipped scenario's name (default: armed-neutrality).")
]
EXIT_INPUT, EXIT_PLAN = 2, 3


def _fail(message: str, code: int) -> None:
    err.print(message, markup=False, highlight=False)
    raise typer.Exit(code)


@app.command()
def plan(
    scenario: ScenarioArg = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Folder for tables, workbook and charts (default out/<scenario>)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable summary instead of tables.")
    ] = False,
    export_lp: Annotated[
        Path | None, typer.Option("--export-lp", help="Also write the LP as built (.mps or .lp).")
    ] = None,
    charts: Annotated[bool, typer.Option("--charts/--no-charts", help="Write PNG charts.")] = True,
) -> None:
    """Find the best time-phased plan of orders, capacity investments and funding flows."""
    from .plan import make_plan
    from .report.files import write_plan
    from .report.render import ChartPool
    from .report.terminal import print_plan
    from .scenario.loader import load

    with ChartPool(workers=2 if charts else 0) as pool:
        _, model = load(scenario)
        result = make_plan(model, export_lp=export_lp)
        folder = output or Path("out") / model.scenario.name
        written = write_plan(result, folder, charts=charts, pool=pool)
    if as_json:
        summary = result.summary()
        summary["output"] = str(folder)
        typer.echo(json.dumps(summary, indent=2))
        return
    print_plan(result, out)
    out.print(f"Wrote {len(written)} files to [bold]{folder}[/] (tables as CSV, plan.xlsx, charts as PNG)")
    if export_lp:
        out.print(f"LP written to {export_lp}")


@app.command()
def validate(scenario: ScenarioArg = None) -> None:
    """Check a scenario file and report every problem with file, line and field."""
    from .scenario.compiled import unsourced
    from .scenario.loader import load

    sc, model = load(scenario)
    out.print(
        f"[green]ok[/]: {sc.name} — {len(sc.items)} items, {len(sc.lines)} lines, "
        f"{len(sc.funding)} funding vehicles, {len(sc.customers)} customers, {model.T} {sc.horizon.period.value}s"
    )
    missing = unsourced(sc)
    if missing:
        out.print(
            f"[yellow]note[/]: {len(missing)} figures carry neither a source nor an assumption, e.g. "
            + ", ".join(".".join(str(p) for p in loc) for loc in missing[:3])
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
        Path, typer.Argument(help="Folder with a plan's orders.csv, investments.csv, funding.csv (and stock.csv).")
    ],
    scenario: Annotated[
        str | None, typer.Option("-s", "--scenario", help="Scenario the plan was made for (default: armed-neutrality).")
    ] = None,
) -> None:
    """Re-verify a (possibly hand-edited) plan against every rule of its scenario."""
    import pandas as pd

    from .plan.check import check_plan
    from .scenario.loader import load

    _, model = load(scenario)
    tables = {}
    for name in ("orders", "investments", "funding", "stock"):
        path = plan_dir / f"{name}.csv"
        if not path.exists():
            if name == "stock":
                continue
            _fail(
                f"{path}: file not found (a plan folder holds orders.csv, investments.csv and funding.csv)", EXIT_INPUT
            )
        try:
            tables[name] = pd.read_csv(path, keep_default_na=False, na_values=[""])
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            _fail(f"{path}: cannot read the table: {exc}", EXIT_INPUT)
    violations = check_plan(model, tables["orders"], tables["investments"], tables["funding"], tables.get("stock"))
    if not violations:
        out.print(f"[green]ok[/]: the plan in {plan_dir} keeps every rule of {model.scenario.name}")
        return
    for v in violations:
        err.print(str(v), markup=False, highlight=False)
    _fail(f"{len(violations)} rule(s) broken", 1)


def main() -> None:
    """Console-script entry point: turn known errors into messages and exit codes."""
    try:
        app()
    except ScenarioError as exc:
        err.print(str(exc), markup=False, highlight=False)
        sys.exit(EXIT_INPUT)
    except PlanError as exc:
        err.print(f"Planning failed: {exc}", markup=False, highlight=False)
        sys.exit(EXIT_PLAN)
    except OutputError as exc:
        err.print(str(exc), markup=False, highlight=False)
        sys.exit(EXIT_INPUT)


if __name__ == "__main__":
    main()
