"""The team page and its scenario library: upload (YAML or workbook), new from the shipped default,
versions, download, diff and soft delete (docs/workspace.md, "Scenarios and the editor").
Viewers read and download; editors and admins change."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session as DbSession

from ...scenario.errors import ScenarioError
from ...store.models import Scenario, Team, User
from .. import library
from ..auth import current_user
from ..deps import db, render, team_role
from ..errors import NotFound, WebError
from ..scenario_text import default_text, scenario_name
from ..textdiff import changed_lines, side_by_side, unified
from ..upload import UploadRefused, read_upload
from ..workbook import to_workbook

router = APIRouter()
Db = Annotated[DbSession, Depends(db)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def scenario_for(s: DbSession, user: User, scenario_id: int, needed: str) -> tuple[Scenario, str]:
    """The scenario with the user's role in its team (404 for a team the user is not in)."""
    sc = library.scenario(s, scenario_id)
    return sc, team_role(s, user, sc.team_id, needed)


def _team(s: DbSession, team_id: int) -> Team:
    team = s.get(Team, team_id)
    if team is None:
        raise NotFound("Not found (or not shared with you).")
    return team


def _library_page(request: Request, s: DbSession, user: User, team_id: int, status: int = 200, **extra):
    role = team_role(s, user, team_id, "viewer")
    return render(
        request,
        "team.html",
        status=status,
        team=_team(s, team_id),
        role=role,
        can_edit=role in ("editor", "admin"),
        scenarios=library.team_scenarios(s, team_id),
        **extra,
    )


@router.get("/teams/{team_id}", include_in_schema=False)
def team_page(request: Request, s: Db, team_id: int) -> Response:
    return _library_page(request, s, current_user(request, s), team_id)


@router.get("/teams/{team_id}/scenarios", include_in_schema=False)
def team_scenarios(team_id: int) -> Response:
    return RedirectResponse(f"/teams/{team_id}", status_code=303)


@router.post("/teams/{team_id}/scenarios", include_in_schema=False)
async def upload(
    request: Request,
    s: Db,
    team_id: int,
    file: Annotated[UploadFile | None, File()] = None,
    name: Annotated[str, Form(max_length=200)] = "",
    default: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """A new scenario from an uploaded file, or from the shipped default (``default=1``)."""
    user = current_user(request, s)
    team_role(s, user, team_id, "editor")
    try:
        if default:
            text, wanted = default_text(), name or "armed-neutrality"
        else:
            limit = request.app.state.settings.max_upload_bytes
            if file is None or not file.filename:
                raise UploadRefused("Choose a scenario file (.yaml, .yml or .xlsx) to upload.", 400)
            text = read_upload(file.filename, await file.read(limit + 1), limit)
            wanted = name or scenario_name(text) or PurePath(file.filename).stem
    except UploadRefused as exc:
        return _library_page(request, s, user, team_id, status=exc.status, upload_error=exc.message)
    try:
        sc = library.create(s, user, team_id, wanted, text, "from the shipped default" if default else "uploaded")
    except library.InvalidText as exc:
        s.rollback()
        message = "Not saved: the scenario has problems (fix them and upload again)."
        return _library_page(request, s, user, team_id, status=422, upload_error=message, upload_issues=exc.issues)
    s.commit()
    return RedirectResponse(f"/scenarios/{sc.id}", status_code=303)


@router.get("/scenarios/{scenario_id}", include_in_schema=False)
def scenario_page(request: Request, s: Db, scenario_id: int) -> Response:
    user = current_user(request, s)
    sc, role = scenario_for(s, user, scenario_id, "viewer")
    return render(
        request,
        "scenario.html",
        scenario=sc,
        team=_team(s, sc.team_id),
        role=role,
        can_edit=role in ("editor", "admin"),
        versions=library.versions(s, sc),
    )


@router.get("/scenarios/{scenario_id}/versions/{number}", include_in_schema=False)
def version_page(request: Request, s: Db, scenario_id: int, number: int, format: str = "") -> Response:
    """A version's text; ``format=yaml`` or ``xlsx`` downloads it."""
    user = current_user(request, s)
    sc, role = scenario_for(s, user, scenario_id, "viewer")
    row = library.version(s, sc, number)
    stem = f"{sc.name}-v{number}"
    if format == "yaml":
        return Response(row.text, media_type="application/yaml", headers=_attachment(f"{stem}.yaml"))
    if format == "xlsx":
        try:
            data = to_workbook(row.text, stem)
        except ScenarioError as exc:
            raise WebError(f"This version cannot be written as a workbook: {exc}", 422) from None
        return Response(data, media_type=XLSX, headers=_attachment(f"{stem}.xlsx"))
    if format:
        raise WebError("Download as format=yaml or format=xlsx.", 400)
    return render(
        request,
        "version.html",
        scenario=sc,
        version=row,
        lines=row.text.splitlines(),
        newest=library.newest(s, sc),
        can_edit=role in ("editor", "admin"),
    )


def _attachment(filename: str) -> dict[str, str]:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)
    return {"Content-Disposition": f'attachment; filename="{safe}"'}


@router.get("/scenarios/{scenario_id}/diff", include_in_schema=False)
def diff_page(request: Request, s: Db, scenario_id: int, a: int, b: int, view: str = "split") -> Response:
    """The changes from version ``a`` to ``b``, side by side (``view=split``) or unified."""
    user = current_user(request, s)
    sc, _ = scenario_for(s, user, scenario_id, "viewer")
    old, new = library.version(s, sc, a), library.version(s, sc, b)
    rows = side_by_side(old.text, new.text)
    removed, added = changed_lines(rows)
    return render(
        request,
        "diff.html",
        scenario=sc,
        old=old,
        new=new,
        rows=rows,
        unified=unified(rows),
        view="unified" if view == "unified" else "split",
        removed=removed,
        added=added,
        numbers=[v.number for v in library.versions(s, sc)],
    )


@router.post("/scenarios/{scenario_id}/delete", include_in_schema=False)
def delete(request: Request, s: Db, scenario_id: int) -> Response:
    """Soft delete: the scenario leaves the library; its versions stay for the runs made from them."""
    user = current_user(request, s)
    sc, _ = scenario_for(s, user, scenario_id, "editor")
    library.delete(s, user, sc)
    s.commit()
    return RedirectResponse(f"/teams/{sc.team_id}", status_code=303)
