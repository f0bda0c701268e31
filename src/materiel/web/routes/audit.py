"""A team's audit log (editors and admins read it; nobody changes it): who created, changed, ran,
shared or deleted what, filtered by who, action and object, a page at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from ...store.audit import ACTIONS
from ...store.models import AuditEntry, Team
from ..auth import current_user
from ..deps import db, render, team_role

router = APIRouter()
Db = Annotated[DbSession, Depends(db)]
PER_PAGE = 50


class AuditLine(BaseModel):
    """One entry: when, who, what they did to which object, and details."""

    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]


class AuditPage(BaseModel):
    """A page of entries, newest first, with the number of entries the filters match."""

    entries: list[AuditLine]
    total: int
    page: int
    per_page: int


class Filters(BaseModel):
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    page: int = 1
    per_page: int = PER_PAGE


def _filters(
    actor: Annotated[str | None, Query(max_length=80)] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    object_type: Annotated[str | None, Query(max_length=40)] = None,
    object_id: Annotated[str | None, Query(max_length=80)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = PER_PAGE,
) -> Filters:
    return Filters(
        actor=actor or None,
        action=action or None,
        object_type=object_type or None,
        object_id=object_id or None,
        page=page,
        per_page=per_page,
    )


def audit_page(s: DbSession, team_id: int, f: Filters) -> AuditPage:
    """The team's entries matching the filters (exact matches), newest first."""
    where = [AuditEntry.team_id == team_id]
    for column, value in (
        (AuditEntry.actor, f.actor),
        (AuditEntry.action, f.action),
        (AuditEntry.object_type, f.object_type),
        (AuditEntry.object_id, f.object_id),
    ):
        if value is not None:
            where.append(column == value)
    total = s.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    rows = s.scalars(
        select(AuditEntry)
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((f.page - 1) * f.per_page)
        .limit(f.per_page)
    ).all()
    entries = [
        AuditLine(
            id=e.id,
            at=e.at,
            actor=e.actor,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            detail=e.detail or {},
        )
        for e in rows
    ]
    return AuditPage(entries=entries, total=total, page=f.page, per_page=f.per_page)


@router.get("/teams/{team_id}/audit", include_in_schema=False)
def audit(request: Request, s: Db, team_id: int, f: Annotated[Filters, Depends(_filters)]) -> Response:
    team_role(s, current_user(request, s), team_id, "editor")
    found = audit_page(s, team_id, f)
    pages = max(1, -(-found.total // f.per_page))
    return render(request, "audit.html", team=s.get(Team, team_id), found=found, f=f, pages=pages, actions=ACTIONS)


@router.get("/api/teams/{team_id}/audit", response_model=AuditPage)
def audit_json(request: Request, s: Db, team_id: int, f: Annotated[Filters, Depends(_filters)]) -> AuditPage:
    """The team's audit log, newest first, filtered and paged (editors and admins)."""
    team_role(s, current_user(request, s), team_id, "editor")
    return audit_page(s, team_id, f)
