"""The store's commands (docs/cli.md, docs/workspace.md): `materiel db`, `materiel runs`,
`materiel users`, and what `materiel plan --store` records. Every problem is a StoreError whose
one-line message the command line prints (exit 2)."""

from __future__ import annotations

import getpass
import json
import os
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .errors import StoreError

if TYPE_CHECKING:
    from ..assessment import Assessment
    from ..planner.result import Plan
    from .engine import Store

LOCAL_TEAM = "local"  # the team of runs recorded from the command line
PASSWORD_ENV = "MATERIEL_PASSWORD"

DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="A SQLite file, sqlite:///PATH or postgresql://USER@HOST:PORT/NAME "
        "(default: $MATERIEL_DATABASE, else the SQLite file in your data folder).",
    ),
]

db_app = typer.Typer(no_args_is_help=True, help="The store's database: its schema revision and migrations.")
runs_app = typer.Typer(no_args_is_help=True, help="Runs kept in the store: list, show, export.")
users_app = typer.Typer(no_args_is_help=True, help="Users and their roles in teams.")


def _say(text: str) -> None:
    typer.echo(text)


def open_store(database: str | None) -> Store:
    """The store at ``database`` (default: $MATERIEL_DATABASE or the SQLite file), at the newest
    schema; StoreError otherwise, with what to do."""
    from .engine import Store

    return Store.open(database)


# -- materiel db ----------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(database: DatabaseOpt = None) -> None:
    """Bring the database to the newest schema, keeping every row (one transaction)."""
    from .engine import make_engine
    from .faults import shown_url
    from .migrate import current, upgrade

    engine = make_engine(database)
    try:
        before = current(engine)
        after = upgrade(engine)
    finally:
        engine.dispose()
    shown = shown_url(engine)
    if before == after:
        _say(f"{shown} is at the newest revision, {after}; nothing to do")
    else:
        _say(f"{shown} upgraded from {before or 'an empty database'} to {after}")


@db_app.command("current")
def db_current(database: DatabaseOpt = None) -> None:
    """Print the database's schema revision and whether it is the newest."""
    from .engine import make_engine
    from .migrate import current, head

    engine = make_engine(database)
    try:
        at = current(engine)
    finally:
        engine.dispose()
    if at is None:
        _say("none: the database has no materiel schema (run `materiel db upgrade`)")
    elif at == head():
        _say(f"{at} (newest)")
    else:
        _say(f"{at} (the newest is {head()}: run `materiel db upgrade`)")


# -- materiel plan --store ------------------------------------------------------------------------


def _versions() -> tuple[str, str]:
    from .. import __version__

    try:
        solver = metadata.version("highspy")
    except metadata.PackageNotFoundError:
        solver = ""
    return __version__, f"HiGHS {solver}".strip()


def plan_outputs(
    result: Plan, assessment: Assessment, folder: Path, written: list[Path]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, bytes]]:
    """The summary, result tables and other files of a plan written by `materiel plan`: the glue
    between the CLI's outputs and the store, kept in this one function (the tables are the frames
    written as CSV, the files are read back from the folder)."""
    from ..report.cells import safe_table
    from ..report.files import assessment_tables, summary
    from ..scenario.provenance import inputs_table

    frames = {**result.tables(), **assessment_tables(assessment), "inputs": inputs_table(result.model.scenario)}
    tables = {name: safe_table(frame) for name, frame in frames.items()}
    table_files = {f"{name}.csv" for name in tables}
    files = {}
    for path in written:
        name = path.relative_to(folder).as_posix()
        if name not in table_files:
            files[name] = path.read_bytes()
    return summary(result, assessment), tables, files


def record_plan(
    store: Store,
    scenario: str | None,
    whatif: list[str] | None,
    assign: list[str] | None,
    result: Plan,
    assessment: Assessment,
    folder: Path,
    written: list[Path],
    seconds: float,
) -> int:
    """Record a finished `materiel plan` as a done run: the scenario's text as a version of the
    scenario of that name in team 'local' (a new version only when the text changed), by the OS
    user, with its what-ifs, --set values, versions, timings, summary, tables and files; the run's id."""
    from ..scenario.loader import resolve_path
    from .runs import create_run, finish, start, worker_name
    from .scenarios import create_scenario, newest, save_version, scenario_named, text_from_file
    from .users import ensure_team

    text = text_from_file(resolve_path(scenario))
    author = getpass.getuser()
    summary_data, tables, files = plan_outputs(result, assessment, folder, written)
    library, solver = _versions()
    sets = dict(a.split("=", 1) if "=" in a else (a, "") for a in assign or [])
    tick = time.perf_counter()
    with store.session() as s:
        team = ensure_team(s, LOCAL_TEAM)
        name = result.model.scenario.name
        found = scenario_named(s, team, name)
        if found is None:
            version = create_scenario(s, team, name, text, author).versions[0]
        else:
            version = save_version(s, found, text, author, newest(s, found).number, "from materiel plan --store")
        run = create_run(s, version, author, whatifs=result.model.whatifs or whatif or [], sets=sets)
        start(s, run.id, worker_name("cli"))
        timings = {**result.timings, "plan_and_write": seconds}
        finish(s, run.id, summary_data, tables, files, timings, library_version=library, solver_version=solver)
        run.timings = {**run.timings, "store": round(time.perf_counter() - tick, 4)}
        return run.id


# -- materiel runs --------------------------------------------------------------------------------


def _when(at: Any) -> str:
    from .runs import aware

    return aware(at).strftime("%Y-%m-%d %H:%M") if at is not None else "–"


def _cost(summary: dict | None) -> str:
    if not summary:
        return "–"
    for key in ("total_cost", "cost"):
        if isinstance(summary.get(key), int | float):
            return f"{summary[key]:,.0f}"
    return "–"


@runs_app.command("list")
def runs_list(
    database: DatabaseOpt = None,
    status: Annotated[str | None, typer.Option("--status", help="Only runs in this state, e.g. done.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only this team's runs.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, newest first.")] = 50,
) -> None:
    """List runs, newest first: id, state, kind, scenario and version, author, when."""
    from .models import RUN_STATES, User
    from .runs import list_runs
    from .users import team_named

    if status is not None and status not in RUN_STATES:
        raise StoreError(f"--status {status!r}: use one of {', '.join(RUN_STATES)}")
    store = open_store(database)
    try:
        with store.session() as s:
            team_row = None
            if team is not None and (team_row := team_named(s, team)) is None:
                raise StoreError(f"--team {team!r}: no such team")
            runs = list_runs(s, team_row, status=status, limit=limit)
            if not runs:
                _say("no runs")
                return
            _say(f"{'id':>5}  {'state':<9} {'kind':<7} {'scenario':<28} {'by':<12} {'created':<16}")
            for run in runs:
                who = s.get(User, run.created_by).name if run.created_by else run.version.author
                label = f"{run.version.scenario.name} v{run.version.number}"
                _say(
                    f"{run.id:>5}  {run.status:<9} {run.kind:<7} {label[:28]:<28} {who[:12]:<12} {_when(run.created_at)}"
                )
    finally:
        store.dispose()


@runs_app.command("show")
def runs_show(run_id: Annotated[int, typer.Argument(help="The run's id.")], database: DatabaseOpt = None) -> None:
    """Show one run: its scenario version, what-ifs, state, versions, timings and outputs."""
    from sqlalchemy import select

    from .models import RunTable
    from .runs import get_run

    store = open_store(database)
    try:
        with store.session() as s:
            run = get_run(s, run_id)
            version = run.version
            lines = [
                f"run {run.id}: {run.kind} of {version.scenario.name} version {version.number} "
                f"(saved by {version.author}, {_when(version.created_at)}, sha256 {version.digest[:12]})",
                f"state:     {run.status}" + (f" — {run.error}" if run.error else ""),
                f"what-ifs:  {', '.join(run.whatifs) or 'none'}",
                f"created:   {_when(run.created_at)}; finished {_when(run.finished_at)}; attempts {run.attempts}",
                f"versions:  materiel {run.library_version or '–'}, {run.solver_version or '–'}",
            ]
            if run.timings:
                lines.append("timings:   " + ", ".join(f"{k} {v:.2f} s" for k, v in run.timings.items()))
            if run.summary:
                lines.append(f"summary:   {json.dumps(run.summary)[:300]}")
            outputs = s.execute(
                select(RunTable.name, RunTable.size).where(RunTable.run_id == run.id).order_by(RunTable.name)
            ).all()
            if outputs:
                lines.append(f"outputs:   {len(outputs)} ({sum(size for _, size in outputs) / 1e6:,.2f} MB): ")
                lines[-1] += ", ".join(name for name, _ in outputs)
            for line in lines:
                _say(line)
    finally:
        store.dispose()


@runs_app.command("export")
def runs_export(
    run_id: Annotated[int, typer.Argument(help="The run's id.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The folder to write (replaced as a unit).")],
    database: DatabaseOpt = None,
) -> None:
    """Write a run's outputs into a folder, as `materiel plan -o` wrote them."""
    from .runs import export

    store = open_store(database)
    try:
        with store.session() as s:
            written = export(s, run_id, output)
    finally:
        store.dispose()
    _say(f"Wrote {len(written)} files of run {run_id} to {output}")


# -- materiel users -------------------------------------------------------------------------------


def _password(password_file: Path | None) -> str:
    """From --password-file, else $MATERIEL_PASSWORD, else asked twice on the terminal."""
    if password_file is not None:
        try:
            return password_file.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as error:
            raise StoreError(f"--password-file {password_file}: cannot read it ({error})") from None
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    try:
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != first:
            raise StoreError("the two passwords differ; nothing was saved")
    except EOFError:
        raise StoreError(f"no password: give --password-file or set {PASSWORD_ENV}") from None
    return first


PasswordFileOpt = Annotated[
    Path | None,
    typer.Option("--password-file", help=f"Read the password from this file (else ${PASSWORD_ENV}, else asked)."),
]
TeamOpt = Annotated[str, typer.Option("--team", help="The team (made if it does not exist).")]


def _add_user(name: str, team: str, role: str, password_file: Path | None, database: str | None) -> None:
    from .audit import record
    from .users import AccountError, create_user, ensure_team, set_role

    password = _password(password_file)
    store = open_store(database)
    try:
        with store.session() as s:
            try:
                team_row = ensure_team(s, team)
                user = create_user(s, name, password)
                set_role(s, user, team_row, role)
            except AccountError as error:
                raise StoreError(str(error)) from None
            record(s, getpass.getuser(), "create", "user", user.id, team_row.id, name=user.name, role=role)
    finally:
        store.dispose()
    _say(f"user {name} is {'an' if role == 'admin' else 'a'} {role} of team {team}")


@users_app.command("create-admin")
def users_create_admin(
    name: Annotated[str, typer.Argument(help="Sign-in name.")],
    team: TeamOpt,
    password_file: PasswordFileOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """Make a user who is an admin of the team (the first admin of a new store)."""
    _add_user(name, team, "admin", password_file, database)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Sign-in name.")],
    team: TeamOpt,
    role: Annotated[str, typer.Option("--role", help="viewer, editor or admin.")] = "viewer",
    password_file: PasswordFileOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """Make a user with a role in the team."""
    _add_user(name, team, role, password_file, database)
