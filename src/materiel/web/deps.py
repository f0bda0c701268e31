"""What every route needs: a database session, the signed-in user, their role in a team, and
rendering a page with the user's CSRF token in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session as DbSession

from ..store.models import ROLES, Team, User
from ..store.users import at_least, role_in
from .errors import Forbidden, NotFound
from .settings import Settings

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def db(request: Request) -> Iterator[DbSession]:
    """A session for the request. Handlers commit what they change (``s.commit()``) before they
    answer; anything not committed is rolled back, so a failed request writes nothing."""
    s = request.app.state.store.new_session()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


def settings(request: Request) -> Settings:
    return request.app.state.settings


def team_role(s: DbSession, user: User, team_id: int, needed: str) -> str:
    """The user's role in the team, when it allows what ``needed`` allows; else 403 (or 404 for a
    team the user is not in, so ids of other teams' objects reveal nothing)."""
    if needed not in ROLES:
        raise ValueError(needed)
    role = role_in(s, user, team_id)
    if role is None:
        raise NotFound("Not found (or not shared with you).")
    if not at_least(role, needed):
        raise Forbidden(f"Your role in this team is {role}; this needs {needed} or admin.")
    return role


def user_teams(s: DbSession, user: User) -> list[tuple[Team, str]]:
    """The teams the user belongs to, with the role in each, by name."""
    return sorted(((m.team, m.role) for m in user.memberships), key=lambda pair: pair[0].name)


def render(request: Request, name: str, status: int = 200, **context: Any):
    """A page from templates/, with the user, their CSRF token and teams when signed in."""
    context.setdefault("user", getattr(request.state, "user", None))
    context.setdefault("csrf", getattr(request.state, "csrf", None))
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)
