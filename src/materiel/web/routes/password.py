"""One's own account: who one is, in which teams, and changing one's password (the current one is
required; every other session of the user ends)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session as DbSession

from .. import accounts
from ..auth import current_user, start_session
from ..deps import db, render, settings, user_teams
from ..errors import WebError
from ..settings import Settings

router = APIRouter()
Db = Annotated[DbSession, Depends(db)]
Cfg = Annotated[Settings, Depends(settings)]


class TeamRole(BaseModel):
    team_id: int
    team: str
    role: str


class Me(BaseModel):
    """The signed-in user and their role in each of their teams."""

    user_id: int
    name: str
    teams: list[TeamRole]


class PasswordChange(BaseModel):
    current: str = Field(max_length=1000)
    new: str = Field(max_length=1000)


def _page(request: Request, s: DbSession, status: int = 200, error: str | None = None, done: bool = False):
    user = current_user(request, s)
    return render(request, "account.html", status=status, teams=user_teams(s, user), error=error, done=done)


@router.get("/account", include_in_schema=False)
def account_page(request: Request, s: Db, changed: bool = False) -> Response:
    return _page(request, s, done=changed)


@router.post("/account/password", include_in_schema=False)
def password_form(
    request: Request,
    s: Db,
    cfg: Cfg,
    current: Annotated[str, Form(max_length=1000)],
    new: Annotated[str, Form(max_length=1000)],
    again: Annotated[str, Form(max_length=1000)],
) -> Response:
    user = current_user(request, s)
    try:
        if new != again:
            raise WebError("The two new passwords differ; type the same one twice.")
        accounts.change_password(s, user, current, new)
    except WebError as error:
        s.rollback()
        return _page(request, s, error.status, error.message)
    response = RedirectResponse("/account?changed=1", status_code=303)
    start_session(request, response, s, cfg, user)  # this browser stays signed in, on a new session
    s.commit()
    return response


@router.get("/api/account", response_model=Me)
def me(request: Request, s: Db) -> Me:
    """The signed-in user and their teams."""
    user = current_user(request, s)
    teams = [TeamRole(team_id=t.id, team=t.name, role=r) for t, r in user_teams(s, user)]
    return Me(user_id=user.id, name=user.name, teams=teams)


@router.post("/api/account/password", status_code=204)
def change_password(request: Request, s: Db, cfg: Cfg, body: PasswordChange) -> Response:
    """Change one's own password; every session ends but this one, which continues on a new token."""
    user = current_user(request, s)
    accounts.change_password(s, user, body.current, body.new)
    response = Response(status_code=204)
    start_session(request, response, s, cfg, user)
    s.commit()
    return response
