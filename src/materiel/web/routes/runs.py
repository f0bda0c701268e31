"""Runs (docs/workspace.md, "Runs, the queue and sharing"): launching a plan, comparison or sweep of a
scenario version into the queue, a team's runs, the run page with live progress, its files, retry,
cancel, and any runs side by side."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session as DbSession

from ...queue.execute import Job, RunFailed, check_job
from ...store.audit import record
from ...store.models import RUN_STATES, Run, RunTable, Scenario, ScenarioVersion, Team, User, now
from ...store.runs import PARQUET, create_run, list_runs, retry
from ..auth import current_user
from ..deps import TEMPLATES, db, render, team_role
from ..errors import Conflict, NotFound, WebError
from ..runview import (
    PDF_NAME,
    categories,
    chart_data,
    compare_rows,
    envelope_rows,
    files_of,
    money_rows,
    register_filters,
    sweep_view,
    why_short,
)

router = APIRouter()
Db = Annotated[DbSession, Depends(db)]
MAX_COMPARED = 8
register_filters(TEMPLATES.env)


class RunIn(BaseModel):
    """A run to queue: which scenario version, what kind, with which what-ifs and --set values."""

    version_id: int
    kind: Literal["plan", "compare", "sweep"] = "plan"
    name: str = Field("", max_length=200)
    whatifs: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=50)
    sets: dict[str, Any] = Field(default_factory=dict, description="--set assignments: path -> value")
    variants: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=20)
    draws: int = Field(100, ge=2, le=20000, description="a sweep's draws")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="a sweep's seed")


class RunOut(BaseModel):
    """A run's state, as the run page polls it."""

    id: int
    team_id: int
    scenario_version_id: int
    kind: str
    name: str
    status: str
    error: str | None
    progress_done: int
    progress_total: int
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    url: str


def run_out(run: Run) -> RunOut:
    return RunOut(
        id=run.id,
        team_id=run.team_id,
        scenario_version_id=run.scenario_version_id,
        kind=run.kind,
        name=run.name or "",
        status=run.status,
        error=run.error,
        progress_done=run.progress_done or 0,
        progress_total=run.progress_total or 0,
        attempts=run.attempts or 0,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        url=f"/runs/{run.id}",
    )


def run_for(s: DbSession, user: User, run_id: int, needed: str = "viewer") -> Run:
    """The run, when the user's role in its team allows ``needed`` (404 for other teams' runs)."""
    run = s.get(Run, run_id)
    if run is None:
        raise NotFound("Not found (or not shared with you).")
    team_role(s, user, run.team_id, needed)
    return run


def launch(s: DbSession, user: User, body: RunIn) -> Run:
    """Check the version, the role (editor) and that the scenario loads with these what-ifs and
    --set values (a located message otherwise, 422), then queue the run with its audit entry."""
    version = s.get(ScenarioVersion, body.version_id)
    if version is None or version.scenario.deleted_at is not None:
        raise NotFound(f"No scenario version {body.version_id}.")
    team_role(s, user, version.scenario.team_id, "editor")
    options: dict[str, Any] = {}
    if body.kind == "sweep":
        options |= {"draws": body.draws, "seed": body.seed}
    if body.kind == "compare" and body.variants:
        options["variants"] = list(body.variants)
    job = Job(
        0,
        body.kind,
        f"{version.scenario.name} v{version.number}",
        version.text,
        tuple(body.whatifs),
        tuple(body.sets.items()),
        options,
    )
    try:
        check_job(job)
    except RunFailed as exc:
        raise WebError(str(exc), 422) from None
    return create_run(
        s, version, user, kind=body.kind, name=body.name, whatifs=body.whatifs, sets=body.sets, options=options
    )


@router.post("/api/runs", status_code=201, response_model=RunOut, tags=["runs"])
def api_launch(request: Request, s: Db, body: RunIn) -> RunOut:
    """Queue a plan, comparison or sweep of a scenario version (editor)."""
    run = launch(s, current_user(request, s), body)
    s.commit()
    return run_out(run)


@router.get("/api/runs/{run_id}", response_model=RunOut, tags=["runs"])
def api_run(request: Request, s: Db, run_id: int) -> RunOut:
    """A run's status and progress."""
    return run_out(run_for(s, current_user(request, s), run_id))


@router.get("/api/teams/{team_id}/runs", response_model=list[RunOut], tags=["runs"])
def api_team_runs(
    request: Request,
    s: Db,
    team_id: int,
    status: Literal["queued", "running", "done", "failed", "cancelled"] | None = None,
    kind: Literal["plan", "compare", "sweep"] | None = None,
) -> list[RunOut]:
    """A team's runs, newest first."""
    team_role(s, current_user(request, s), team_id, "viewer")
    return [run_out(r) for r in list_runs(s, team_id, status=status, kind=kind)]


def _versions(s: DbSession, team_id: int) -> list[tuple[int, str]]:
    """Every version of the team's scenarios, newest first within each scenario: (id, 'name vN')."""
    rows = s.execute(
        select(ScenarioVersion.id, Scenario.name, ScenarioVersion.number)
        .join(Scenario)
        .where(Scenario.team_id == team_id, Scenario.deleted_at.is_(None))
        .order_by(Scenario.name, ScenarioVersion.number.desc())
    )
    return [(vid, f"{name} v{number}") for vid, name, number in rows]


def _runs_page(
    request: Request,
    s: DbSession,
    user: User,
    team_id: int,
    status: str | None,
    kind: str | None,
    form: dict | None = None,
    error: str | None = None,
    code: int = 200,
) -> Response:
    role = team_role(s, user, team_id, "viewer")
    team = s.get(Team, team_id)
    runs = list_runs(s, team_id, status=status or None, kind=kind or None)
    ids = {r.created_by for r in runs if r.created_by}
    authors = {i: n for i, n in s.execute(select(User.id, User.name).where(User.id.in_(ids)))} if ids else {}
    return render(
        request,
        "runs.html",
        status=code,
        team=team,
        role=role,
        runs=runs,
        versions=_versions(s, team_id),
        status_filter=status or "",
        kind_filter=kind or "",
        states=RUN_STATES,
        authors=authors,
        form=form or {},
        error=error,
        can_run=role in ("editor", "admin"),
    )


@router.get("/teams/{team_id}/runs", include_in_schema=False)
def team_runs(
    request: Request,
    s: Db,
    team_id: int,
    status: str | None = None,
    kind: str | None = None,
    version_id: int | None = None,
) -> Response:
    user = current_user(request, s)
    return _runs_page(request, s, user, team_id, status, kind, {"version_id": version_id})


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


@router.post("/teams/{team_id}/runs", include_in_schema=False)
def team_launch(
    request: Request,
    s: Db,
    team_id: int,
    version_id: Annotated[int, Form()],
    kind: Annotated[Literal["plan", "compare", "sweep"], Form()] = "plan",
    name: Annotated[str, Form(max_length=200)] = "",
    whatifs: Annotated[str, Form(max_length=5000)] = "",
    sets: Annotated[str, Form(max_length=20000)] = "",
    variants: Annotated[str, Form(max_length=5000)] = "",
    draws: Annotated[int, Form(ge=2, le=20000)] = 100,
    seed: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
) -> Response:
    """The launch form: what-ifs and variants comma- or line-separated, --set values one 'PATH=VALUE' a line."""
    from ...api import assignments

    user = current_user(request, s)
    team_role(s, user, team_id, "editor")
    form = {
        "version_id": version_id,
        "kind": kind,
        "name": name,
        "whatifs": whatifs,
        "sets": sets,
        "variants": variants,
        "draws": draws,
        "seed": seed,
    }
    try:
        pairs = dict(assignments([line for line in sets.splitlines() if line.strip()]))
    except Exception as exc:  # the --set parser's message names the assignment and what is valid
        return _runs_page(request, s, user, team_id, None, None, form, f"--set: {exc}", 422)
    version = s.get(ScenarioVersion, version_id)
    if version is None or version.scenario.team_id != team_id:
        return _runs_page(request, s, user, team_id, None, None, form, "Choose a scenario version of this team.", 422)
    body = RunIn(
        version_id=version_id,
        kind=kind,
        name=name,
        whatifs=_lines(whatifs),
        sets=pairs,
        variants=_lines(variants),
        draws=draws,
        seed=seed,
    )
    try:
        run = launch(s, user, body)
    except WebError as exc:
        if exc.status != 422:
            raise
        return _runs_page(request, s, user, team_id, None, None, form, exc.message, 422)
    s.commit()
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


@router.get("/runs/compare", include_in_schema=False)
def compare(request: Request, s: Db, ids: Annotated[str, Query(max_length=200)] = "") -> Response:
    """Any runs side by side, the first the one the others are set against."""
    user = current_user(request, s)
    try:
        wanted = [int(i) for i in ids.split(",") if i.strip()]
    except ValueError:
        raise WebError("ids: give run numbers separated by commas, e.g. ?ids=3,5", 422) from None
    if not 2 <= len(wanted) <= MAX_COMPARED:
        raise WebError(f"ids: compare 2 to {MAX_COMPARED} runs, e.g. ?ids=3,5", 422)
    runs = [run_for(s, user, i) for i in wanted]
    return render(request, "compare.html", runs=runs, rows=compare_rows(runs))


def run_page(request: Request, s: DbSession, run: Run, role: str | None, share_url: str | None = None) -> Response:
    """The run page; ``role`` None: a share link's read-only view, without any control."""
    summary = run.summary or {}
    author = s.get(User, run.created_by) if run.created_by else None
    view: dict[str, Any] = {"files": files_of(s, run) if run.status == "done" else []}
    if run.status == "done" and run.kind == "sweep":
        view["sweep"] = sweep_view(summary, (run.summary or {}).get("currency", ""))
    elif run.status == "done":
        view |= {
            "money": money_rows(summary),
            "envelope": envelope_rows(summary),
            "why_short": why_short(summary),
            "categories": categories(summary),
            "charts": chart_data(s, run),
        }
    base = f"/share/{run.share_token}" if role is None else f"/runs/{run.id}"
    return render(
        request,
        "run.html",
        run=run,
        s=summary,
        text=summary.get("text") or {},
        view=view,
        role=role,
        author=author.name if author else "",
        can_edit=role in ("editor", "admin"),
        share_url=share_url,
        base=base,
    )


@router.get("/runs/{run_id}", include_in_schema=False)
def run_view(request: Request, s: Db, run_id: int) -> Response:
    user = current_user(request, s)
    run = run_for(s, user, run_id)
    role = team_role(s, user, run.team_id, "viewer")
    share_url = str(request.base_url).rstrip("/") + f"/share/{run.share_token}" if run.share_token else None
    return run_page(request, s, run, role, share_url)


def file_response(s: DbSession, run: Run, name: str) -> Response:
    """One stored file with its media type, as an attachment; a table as CSV; the PDF from report.html."""
    stem = name.removesuffix(".csv") if name.endswith(".csv") else None
    wanted = name if name != PDF_NAME else "report.html"
    row = s.get(RunTable, (run.id, stem)) if stem else None
    if row is None or row.media_type != PARQUET:
        row = s.get(RunTable, (run.id, wanted))
        stem = None
    if row is None or run.status != "done":
        raise NotFound(f"Run {run.id} has no file {name!r}.")
    disposition = {"Content-Disposition": f'attachment; filename="run-{run.id}-{name}"'}
    if stem is not None:
        import pandas as pd

        data = pd.read_parquet(io.BytesIO(row.data)).to_csv(index=False).encode()
        return Response(data, media_type="text/csv; charset=utf-8", headers=disposition)
    if name == PDF_NAME:
        from ...report.pdf import PdfError, pdf_bytes

        try:
            data = pdf_bytes(row.data.decode("utf-8"))
        except PdfError as exc:
            raise WebError(str(exc), 503) from None
        return Response(data, media_type="application/pdf", headers=disposition)
    return Response(row.data, media_type=row.media_type, headers=disposition)


@router.get("/runs/{run_id}/files/{name}", include_in_schema=False)
def run_file(request: Request, s: Db, run_id: int, name: str) -> Response:
    return file_response(s, run_for(s, current_user(request, s), run_id), name)


@router.post("/runs/{run_id}/retry", include_in_schema=False)
def retry_run(request: Request, s: Db, run_id: int) -> Response:
    """Queue a failed or cancelled run again (editor)."""
    from ...store.errors import StoreError

    user = current_user(request, s)
    run = run_for(s, user, run_id, "editor")
    try:
        retry(s, run.id, user)
    except StoreError as exc:
        raise Conflict(str(exc)) from None
    s.commit()
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


@router.post("/runs/{run_id}/cancel", include_in_schema=False)
def cancel_run(request: Request, s: Db, run_id: int) -> Response:
    """Cancel a queued or running run (editor): a running plan's results are thrown away when it
    ends, a sweep stops after the chunk of draws it is on."""
    user = current_user(request, s)
    run = run_for(s, user, run_id, "editor")
    took = s.execute(
        update(Run)
        .where(Run.id == run.id, Run.status.in_(("queued", "running")))
        .values(status="cancelled", finished_at=now(), error=f"cancelled by {user.name}")
        .execution_options(synchronize_session=False)
    ).rowcount
    if took != 1:
        raise Conflict(f"Run {run.id} is {run.status}; only a queued or running run can be cancelled.")
    record(s, user, "change", "run", run.id, run.team_id, status="cancelled")
    s.commit()
    return RedirectResponse(f"/runs/{run.id}", status_code=303)
