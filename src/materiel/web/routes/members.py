"""A team's members (admin only): list them with roles, add or create users, change roles, remove
and deactivate; as pages and as JSON under /api/."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session as DbSession

from ...store.models import ROLES, Membership, Team
from .. import accounts
from ..auth import current_user
from ..deps import db, render, team_role
from ..errors import WebError

router = APIRouter()
Db = Annotated[DbSession, Depends(db)]
Role = Literal["viewer", "editor", "admin"]


class MemberAnswer(BaseModel):
    """A member of a team: the user, their role in it and whether the account may sign in."""

    user_id: int
    name: str
    role: Role
    active: bool


class NewMember(BaseModel):
    """An existing user to add by name, or a new user when ``password`` (the initial one) is given."""

    name: str = Field(min_length=1, max_length=80)
    role: Role
    password: str | None = Field(default=None, max_length=1000)


class RoleChange(BaseModel):
    role: Role


def _answer(member: Membership) -> MemberAnswer:
    return MemberAnswer(user_id=member.user_id, name=member.user.name, role=member.role, active=member.user.active)


def _admin(request: Request, s: DbSession, team_id: int):
    user = current_user(request, s)
    team_role(s, user, team_id, "admin")
    return user


def _page(request: Request, s: DbSession, team_id: int, status: int = 200, error: str | None = None) -> Response:
    return render(
        request,
        "members.html",
        status=status,
        team=s.get(Team, team_id),
        members=accounts.members(s, team_id),
        roles=ROLES,
        error=error,
    )


@router.get("/teams/{team_id}/members", include_in_schema=False)
def members_page(request: Request, s: Db, team_id: int) -> Response:
    _admin(request, s, team_id)
    return _page(request, s, team_id)


def _form_change(request: Request, s: DbSession, team_id: int, change) -> Response:
    """Do a change from a form: back to the page (303) when done, the page with the message when not."""
    actor = _admin(request, s, team_id)
    try:
        change(actor)
    except WebError as error:
        if error.status in (401, 403, 404):
            raise
        s.rollback()
        return _page(request, s, team_id, error.status, error.message)
    s.commit()
    return RedirectResponse(f"/teams/{team_id}/members", status_code=303)


@router.post("/teams/{team_id}/members", include_in_schema=False)
def add_member_form(
    request: Request,
    s: Db,
    team_id: int,
    name: Annotated[str, Form(max_length=80)],
    role: Annotated[Role, Form()],
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    return _form_change(request, s, team_id, lambda a: accounts.add_member(s, a, team_id, name, role, password or None))


@router.post("/teams/{team_id}/members/{user_id}/role", include_in_schema=False)
def role_form(request: Request, s: Db, team_id: int, user_id: int, role: Annotated[Role, Form()]) -> Response:
    return _form_change(request, s, team_id, lambda a: accounts.change_role(s, a, team_id, user_id, role))


@router.post("/teams/{team_id}/members/{user_id}/remove", include_in_schema=False)
def remove_form(request: Request, s: Db, team_id: int, user_id: int) -> Response:
    return _form_change(request, s, team_id, lambda a: accounts.remove_member(s, a, team_id, user_id))


@router.post("/teams/{team_id}/members/{user_id}/deactivate", include_in_schema=False)
def deactivate_form(request: Request, s: Db, team_id: int, user_id: int) -> Response:
    return _form_change(request, s, team_id, lambda a: accounts.set_active(s, a, team_id, user_id, False))


@router.post("/teams/{team_id}/members/{user_id}/activate", include_in_schema=False)
def activate_form(request: Request, s: Db, team_id: int, user_id: int) -> Response:
    return _form_change(request, s, team_id, lambda a: accounts.set_active(s, a, team_id, user_id, True))


@router.get("/api/teams/{team_id}/members", response_model=list[MemberAnswer])
def list_members(request: Request, s: Db, team_id: int) -> list[MemberAnswer]:
    """The team's members with their roles (admin only)."""
    _admin(request, s, team_id)
    return [_answer(m) for m in accounts.members(s, team_id)]


@router.post("/api/teams/{team_id}/members", response_model=MemberAnswer, status_code=201)
def add_member(request: Request, s: Db, team_id: int, body: NewMember) -> MemberAnswer:
    """Add an existing user to the team, or create one with an initial password (admin only)."""
    member = accounts.add_member(s, _admin(request, s, team_id), team_id, body.name, body.role, body.password)
    answer = _answer(member)
    s.commit()
    return answer


@router.put("/api/teams/{team_id}/members/{user_id}", response_model=MemberAnswer)
def change_role(request: Request, s: Db, team_id: int, user_id: int, body: RoleChange) -> MemberAnswer:
    """Set a member's role (admin only); the last admin keeps theirs."""
    member = accounts.change_role(s, _admin(request, s, team_id), team_id, user_id, body.role)
    answer = _answer(member)
    s.commit()
    return answer


@router.delete("/api/teams/{team_id}/members/{user_id}", status_code=204)
def remove_member(request: Request, s: Db, team_id: int, user_id: int) -> Response:
    """Remove a member from the team (admin only); the last admin stays."""
    accounts.remove_member(s, _admin(request, s, team_id), team_id, user_id)
    s.commit()
    return Response(status_code=204)


@router.post("/api/teams/{team_id}/members/{user_id}/deactivate", response_model=MemberAnswer)
def deactivate(request: Request, s: Db, team_id: int, user_id: int) -> MemberAnswer:
    """Deactivate a member's account: signed out everywhere, no sign-in until reactivated."""
    user = accounts.set_active(s, _admin(request, s, team_id), team_id, user_id, False)
    answer = _answer(s.get(Membership, (user.id, team_id)))
    s.commit()
    return answer


@router.post("/api/teams/{team_id}/members/{user_id}/activate", response_model=MemberAnswer)
def activate(request: Request, s: Db, team_id: int, user_id: int) -> MemberAnswer:
    """Let a deactivated member sign in again."""
    user = accounts.set_active(s, _admin(request, s, team_id), team_id, user_id, True)
    answer = _answer(s.get(Membership, (user.id, team_id)))
    s.commit()
    return answer
