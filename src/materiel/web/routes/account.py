"""Signing in and out, and the home page: the user's teams."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session as DbSession

from ...store.audit import record
from ..auth import current_user, keep_login_token, login_token, optional_user, sign_in, sign_out
from ..deps import db, render, settings, user_teams
from ..errors import NotSignedIn
from ..settings import Settings

router = APIRouter()
Db = Annotated[DbSession, Depends(db)]


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host) may be where sign-in leads."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/"
    return target


def _login_form(request: Request, cfg: Settings, next: str, status: int = 200, error: str | None = None) -> Response:
    token = login_token(request)
    response = render(request, "login.html", status=status, next=_safe_next(next), error=error, csrf=token)
    keep_login_token(response, cfg, token)
    return response


@router.get("/login", include_in_schema=False)
def login_page(request: Request, s: Db, cfg: Annotated[Settings, Depends(settings)], next: str = "/") -> Response:
    if optional_user(request, s) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_form(request, cfg, next)


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    s: Db,
    cfg: Annotated[Settings, Depends(settings)],
    name: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    try:
        user = sign_in(request, response, s, cfg, name, password)
    except NotSignedIn as exc:
        s.commit()  # the failed attempt counts towards the limit
        return _login_form(request, cfg, next, 401, exc.message)
    record(s, user, "login", "user", user.id)
    s.commit()
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, s: Db) -> Response:
    user = optional_user(request, s)
    response = RedirectResponse("/login", status_code=303)
    sign_out(request, response, s)
    if user is not None:
        record(s, user, "logout", "user", user.id)
    s.commit()
    return response


@router.get("/", include_in_schema=False)
def home(request: Request, s: Db) -> Response:
    user = current_user(request, s)
    return render(request, "home.html", teams=user_teams(s, user))
