"""Runs in the store: queued, claimed by one worker, finished with every result in one transaction,
or failed with the reason, and read back (docs/workspace.md).

A run's result tables are kept as Parquet bytes and its other outputs (plan.xlsx, summary.json,
report.html, charts) as files, both in run_tables; ``export`` writes them back as the folder
`materiel plan -o` writes. Each function works in the caller's session: ``with store.session()``
commits its changes, with their audit entries, as one unit."""

from __future__ import annotations

import io
import math
import mimetypes
import os
import socket
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, defer, selectinload

from ..atomic import staged_files
from ..report.output import output_folder
from .audit import record
from .errors import NotFoundError, StoreError
from .models import RUN_KINDS, Run, RunTable, ScenarioVersion, SweepDraw, Team, User, now

PARQUET = "application/vnd.apache.parquet"


def worker_name(label: str = "worker") -> str:
    """This process's name as a worker: label@host:pid (``reap`` checks the pid on this host)."""
    return f"{label}@{socket.gethostname()}:{os.getpid()}"


def aware(at: datetime | None) -> datetime | None:
    """A stored time as timezone-aware UTC (SQLite gives back naive times; all are stored in UTC)."""
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def _jsonable(value: Any) -> Any:
    """JSON that both databases accept: no NaN or infinity (PostgreSQL refuses them), plain types."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # a numpy scalar
        return _jsonable(value.item())
    return value


def create_run(
    s: Session,
    version: ScenarioVersion,
    actor: User | str,
    *,
    kind: str = "plan",
    name: str = "",
    whatifs: Iterable[str] = (),
    sets: Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | None = None,
) -> Run:
    """A queued run of a scenario version, in the scenario's team."""
    if kind not in RUN_KINDS:
        raise StoreError(f"run kind {kind!r}: use one of {', '.join(RUN_KINDS)}")
    team_id = version.scenario.team_id
    run = Run(
        team_id=team_id,
        scenario_version_id=version.id,
        kind=kind,
        name=name,
        whatifs=list(whatifs),
        sets=_jsonable(dict(sets or {})),
        options=_jsonable(dict(options or {})),
        status="queued",
        created_by=actor.id if isinstance(actor, User) else None,
    )
    s.add(run)
    s.flush()
    record(s, actor, "run", "run", run.id, team_id, kind=kind, scenario=version.scenario.name, version=version.number)
    return run


def get_run(s: Session, run_id: int, team: Team | int | None = None) -> Run:
    """The run (in ``team`` when given); NotFoundError names the id otherwise."""
    run = s.get(Run, run_id, populate_existing=True)
    team_id = team.id if isinstance(team, Team) else team
    if run is None or (team_id is not None and run.team_id != team_id):
        raise NotFoundError(f"no run {run_id}")
    return run


def list_runs(
    s: Session,
    team: Team | int | None = None,
    *,
    status: str | None = None,
    kind: str | None = None,
    scenario_id: int | None = None,
    limit: int = 100,
) -> list[Run]:
    """Runs, newest first, filtered by team, status, kind or scenario. A list shows no results: the
    summaries and the scenarios' texts are not read (each is read if asked for); the versions and
    scenarios come in two queries, not one a run."""
    query = select(Run).options(
        defer(Run.summary),
        defer(Run.timings),
        selectinload(Run.version).defer(ScenarioVersion.text).selectinload(ScenarioVersion.scenario),
    )
    if team is not None:
        query = query.where(Run.team_id == (team.id if isinstance(team, Team) else team))
    if status is not None:
        query = query.where(Run.status == status)
    if kind is not None:
        query = query.where(Run.kind == kind)
    if scenario_id is not None:
        query = query.join(ScenarioVersion).where(ScenarioVersion.scenario_id == scenario_id)
    return list(s.scalars(query.order_by(Run.id.desc()).limit(limit)))


def _start(run: Run, worker: str) -> None:
    at = now()
    run.status, run.worker, run.started_at, run.heartbeat_at = "running", worker, at, at
    run.attempts = (run.attempts or 0) + 1


def start(s: Session, run_id: int, worker: str) -> Run:
    """Mark a queued run as running in ``worker`` (a run made and solved by the same process, as
    `materiel plan --store` does); StoreError if it is not queued."""
    run = get_run(s, run_id)
    if run.status != "queued":
        raise StoreError(f"run {run_id} is {run.status}, not queued")
    _start(run, worker)
    s.flush()
    record(s, worker, "change", "run", run.id, run.team_id, status="running")
    return run


def claim_next(s: Session, worker: str, kinds: Iterable[str] | None = None) -> Run | None:
    """The oldest queued run, now running in ``worker``, or None. Two workers never get the same
    run: PostgreSQL locks the row (FOR UPDATE SKIP LOCKED, so others pass it by); SQLite updates
    it only while it is still queued, under the database's single write lock, and checks that
    its update took. Commit soon after: the claim holds its lock until then."""
    query = select(Run.id).where(Run.status == "queued")
    if kinds is not None:
        query = query.where(Run.kind.in_(list(kinds)))
    query = query.order_by(Run.id).limit(1)
    if s.bind.dialect.name == "postgresql":
        run_id = s.scalar(query.with_for_update(skip_locked=True))
        if run_id is None:
            return None
        run = s.get(Run, run_id, populate_existing=True)
        _start(run, worker)
        s.flush()
    else:
        while True:
            run_id = s.scalar(query)
            if run_id is None:
                return None
            at = now()
            took = s.execute(
                update(Run)
                .where(Run.id == run_id, Run.status == "queued")
                .values(status="running", worker=worker, started_at=at, heartbeat_at=at, attempts=Run.attempts + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            if took == 1:
                run = s.get(Run, run_id, populate_existing=True)
                break
    record(s, worker, "change", "run", run.id, run.team_id, status="running")
    return run


def heartbeat(s: Session, run_id: int, worker: str, done: int | None = None, total: int | None = None) -> None:
    """The worker is alive (and, for a sweep, has ``done`` of ``total`` draws); StoreError if the
    run is no longer this worker's (reaped, cancelled)."""
    values: dict[str, Any] = {"heartbeat_at": now()}
    if done is not None:
        values["progress_done"] = done
    if total is not None:
        values["progress_total"] = total
    took = s.execute(
        update(Run)
        .where(Run.id == run_id, Run.status == "running", Run.worker == worker)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if took != 1:
        raise StoreError(f"run {run_id} is no longer running in {worker}")


def _parquet(frame: pd.DataFrame) -> bytes:
    """A table as Parquet bytes (its index dropped: the CSVs do not write it either)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not all(isinstance(c, str) for c in frame.columns):
        frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a text column holding numbers too: kept as text
        mixed = [c for c in frame.columns if frame[c].dtype.kind == "O"]
        frame = frame.assign(
            **{c: frame[c].map(lambda v: v if v is None or isinstance(v, str) else str(v)) for c in mixed}
        )
        table = pa.Table.from_pandas(frame, preserve_index=False)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def finish(
    s: Session,
    run_id: int,
    summary: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    files: Mapping[str, bytes],
    timings: Mapping[str, float],
    *,
    library_version: str = "",
    solver_version: str = "",
) -> Run:
    """Store a run's summary, result tables (as Parquet), files and timings and mark it done, all
    in the caller's transaction: if anything fails before the commit, the run has no results and
    is not done."""
    run = get_run(s, run_id)
    if run.status not in ("queued", "running"):
        raise StoreError(f"run {run_id} is {run.status}; only a queued or running run can be finished")
    bad = [n for n in files if not n or n.startswith("/") or ".." in Path(n).parts]
    if bad:
        raise StoreError(f"run {run_id}: file name {bad[0]!r} must be a relative path inside the run's folder")
    clash = sorted(set(tables) & set(files))
    if clash:
        raise StoreError(f"run {run_id}: {clash[0]!r} is both a table and a file")
    s.execute(delete(RunTable).where(RunTable.run_id == run_id))
    for name, frame in tables.items():
        data = _parquet(frame)
        s.add(RunTable(run_id=run_id, name=name, media_type=PARQUET, data=data, size=len(data)))
    for name, data in files.items():
        media = mimetypes.guess_type(name)[0] or "application/octet-stream"
        s.add(RunTable(run_id=run_id, name=name, media_type=media, data=bytes(data), size=len(data)))
    run.summary = _jsonable(dict(summary))
    run.timings = _jsonable(dict(timings))
    run.library_version = library_version[:40]
    run.solver_version = solver_version[:40]
    run.status, run.finished_at, run.error = "done", now(), None
    s.flush()
    record(s, run.worker or "materiel", "change", "run", run.id, run.team_id, status="done")
    return run


def fail(s: Session, run_id: int, reason: str, actor: User | str | None = None) -> Run:
    """Mark a queued or running run failed with ``reason`` (it keeps no results)."""
    run = get_run(s, run_id)
    if run.status not in ("queued", "running"):
        raise StoreError(f"run {run_id} is {run.status}; only a queued or running run can fail")
    s.execute(delete(RunTable).where(RunTable.run_id == run_id))
    run.status, run.error, run.finished_at = "failed", reason, now()
    s.flush()
    record(s, actor or run.worker or "materiel", "change", "run", run.id, run.team_id, status="failed", reason=reason)
    return run


def retry(s: Session, run_id: int, actor: User | str) -> Run:
    """Queue a failed or cancelled run again, from the start (its draws and progress cleared)."""
    run = get_run(s, run_id)
    if run.status not in ("failed", "cancelled"):
        raise StoreError(f"run {run_id} is {run.status}; only a failed or cancelled run can be retried")
    s.execute(delete(SweepDraw).where(SweepDraw.run_id == run_id))
    s.execute(delete(RunTable).where(RunTable.run_id == run_id))
    run.status, run.error, run.worker = "queued", None, None
    run.started_at = run.finished_at = run.heartbeat_at = None
    run.progress_done = 0
    s.flush()
    record(s, actor, "retry", "run", run.id, run.team_id)
    return run


def _pid_gone(worker: str, host: str) -> bool:
    """Whether ``worker`` (label@host:pid) ran on this host in a process that no longer runs."""
    where, _, pid_text = worker.rpartition(":")
    if where.rpartition("@")[2] != host or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed child that its parent has not waited for yet is a zombie: gone too
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def reap(s: Session, stale_after: timedelta, actor: str = "materiel") -> list[Run]:
    """Fail every running run whose worker stopped: no heartbeat for ``stale_after``, or its
    process on this host is gone. The reason names the worker and its last heartbeat; the run
    can be retried."""
    host = socket.gethostname()
    cutoff = now() - stale_after
    query = select(Run).where(Run.status == "running").order_by(Run.id)
    if s.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    reaped = []
    for run in s.scalars(query.execution_options(populate_existing=True)):
        beat = aware(run.heartbeat_at) or aware(run.started_at) or cutoff
        if beat >= cutoff and not _pid_gone(run.worker or "", host):
            continue
        reason = f"worker {run.worker} stopped (no heartbeat since {beat:%Y-%m-%d %H:%M:%S} UTC)"
        reaped.append(fail(s, run.id, reason, actor))
    return reaped


def add_draws(s: Session, run_id: int, rows: Iterable[Mapping[str, Any]]) -> int:
    """Store a sweep's draws (each with draw, inputs, outcome and total_cost) and move the run's
    progress to the number stored; the count added."""
    run = get_run(s, run_id)
    added = 0
    for row in rows:
        cost = row.get("total_cost")
        s.add(
            SweepDraw(
                run_id=run_id,
                draw=int(row["draw"]),
                inputs=_jsonable(dict(row.get("inputs", {}))),
                outcome=_jsonable(dict(row.get("outcome", {}))),
                total_cost=float(cost) if cost is not None and math.isfinite(float(cost)) else None,
            )
        )
        added += 1
    s.flush()
    run.progress_done = (run.progress_done or 0) + added
    return added


def draws(s: Session, run_id: int) -> list[SweepDraw]:
    return list(s.scalars(select(SweepDraw).where(SweepDraw.run_id == run_id).order_by(SweepDraw.draw)))


def read_tables(s: Session, run_id: int) -> dict[str, pd.DataFrame]:
    """A run's result tables by name."""
    rows = s.scalars(select(RunTable).where(RunTable.run_id == run_id, RunTable.media_type == PARQUET))
    return {row.name: pd.read_parquet(io.BytesIO(row.data)) for row in rows}


def read_files(s: Session, run_id: int) -> dict[str, bytes]:
    """A run's other outputs (plan.xlsx, summary.json, report.html, charts) by file name."""
    rows = s.scalars(select(RunTable).where(RunTable.run_id == run_id, RunTable.media_type != PARQUET))
    return {row.name: row.data for row in rows}


def export(s: Session, run_id: int, folder: str | Path) -> list[Path]:
    """Write a done run's outputs into ``folder`` as `materiel plan -o` does: each table as CSV and
    every file, the folder replaced as one unit (docs/cli.md, "Output folders")."""
    run = get_run(s, run_id)
    if run.status != "done":
        raise StoreError(f"run {run_id} is {run.status}; only a done run has outputs to export")
    target = Path(folder)
    with output_folder(target, run.version.scenario.name) as stage:
        for name, frame in read_tables(s, run_id).items():
            frame.to_csv(stage / f"{name}.csv", index=False)
        for name, data in read_files(s, run_id).items():
            path = stage / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        written = staged_files(stage)
    return [target / p for p in written]


__all__ = [
    "PARQUET",
    "add_draws",
    "aware",
    "claim_next",
    "create_run",
    "draws",
    "export",
    "fail",
    "finish",
    "get_run",
    "heartbeat",
    "list_runs",
    "read_files",
    "read_tables",
    "reap",
    "retry",
    "start",
    "worker_name",
]
