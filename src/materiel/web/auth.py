"""Signing in and out, sessions in cookies, CSRF protection and login rate limiting.

The session cookie holds a random token; the database keeps only its SHA-256 digest, with the
session's CSRF token. Every state-changing request (POST, PUT, PATCH, DELETE) must carry that CSRF
token in the ``X-CSRF-Token`` header or a ``csrf`` form field; the sign-in form, made before any
session exists, uses a token in its own short-lived cookie (double submit)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request, Response
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session as DbSession
from starlette.concurrency import run_in_threadpool

from ..store.models import LoginAttempt, Session, User, now
from ..store.users import password_matches, user_named
from .errors import Forbidden, NotSignedIn, WebError
from .settings import Settings

SESSION_COOKIE = "materiel_session"
LOGIN_CSRF_COOKIE = "materiel_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in, without the database: what an error page shows."""

    id: int
    name: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _cookie(response: Response, settings: Settings, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/"
    )


def session_of(request: Request, s: DbSession) -> Session | None:
    """The live session the request's cookie names, if any."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    row = s.get(Session, _digest(token))
    if row is None or _aware(row.expires_at) <= now():
        return None
    return row


def _aware(t):
    """SQLite gives back naive datetimes; they were stored as UTC."""
    from datetime import UTC

    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def current_user(request: Request, s: DbSession) -> User:
    """The signed-in user, or NotSignedIn (a browser is sent to the sign-in page)."""
    cached = getattr(request.state, "user", None)
    if cached is not None:
        return cached
    row = session_of(request, s)
    user = s.get(User, row.user_id) if row is not None else None
    if user is None or not user.active:
        raise NotSignedIn("Sign in to continue.")
    _remember(request, user, row.csrf_token)
    return user


def _remember(request: Request, user: User, csrf: str) -> None:
    """Keep the user for the request, and a plain copy of who they are for an error page, which is
    rendered after the request's database session has closed."""
    request.state.user = user
    request.state.csrf = csrf
    request.state.who = SignedIn(user.id, user.name)


def optional_user(request: Request, s: DbSession) -> User | None:
    try:
        return current_user(request, s)
    except NotSignedIn:
        return None


def login_token(request: Request) -> str:
    """The sign-in form's CSRF token: the one its cookie holds, or a new one."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def keep_login_token(response: Response, settings: Settings, token: str) -> None:
    """Set the sign-in form's token in its own cookie (an hour), beside the form that carries it."""
    _cookie(response, settings, LOGIN_CSRF_COOKIE, token, 3600)


async def check_csrf(request: Request, s: DbSession) -> None:
    """Refuse a state-changing request whose CSRF token is missing or wrong (403). The app runs
    this before every route (``create_app``), so no route can forget it."""
    if request.method in SAFE_METHODS:
        return
    row = await run_in_threadpool(session_of, request, s)  # never block the event loop on the database
    expected = row.csrf_token if row is not None else request.cookies.get(LOGIN_CSRF_COOKIE)
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf")
        given = value if isinstance(value, str) else None
    if not expected or not given or not hmac.compare_digest(expected, given):
        raise Forbidden("This form has expired or did not come from this site; reload the page and try again.")


def _attempt_keys(name: str, request: Request) -> list[str]:
    address = request.client.host if request.client else "unknown"
    return [f"name:{name.strip().lower()[:80]}", f"addr:{address}"]


def _too_many(s: DbSession, keys: list[str], settings: Settings) -> bool:
    since = now() - timedelta(minutes=settings.login_window_minutes)
    counts = s.execute(
        select(LoginAttempt.key, func.count())
        .where(LoginAttempt.key.in_(keys), LoginAttempt.at > since)
        .group_by(LoginAttempt.key)
    ).all()
    return any(
        count > (settings.address_failures_allowed if key.startswith("addr:") else settings.login_failures_allowed)
        for key, count in counts
    )


def sign_in(request: Request, response: Response, s: DbSession, settings: Settings, name: str, password: str) -> User:
    """Check the password and start a session. Failures are counted per name (known or not) and per
    address; after too many within the window every attempt is refused for a while (429).

    The attempt is written and committed BEFORE the password is checked, and the limit is checked
    against the rows then in the table, so parallel guesses each see the others and cannot slip
    past the limit together; a right password removes its own row and the name's failures."""
    keys = _attempt_keys(name, request)
    # attempts older than the window count no more: the table holds only the window's
    s.execute(delete(LoginAttempt).where(LoginAttempt.at <= now() - timedelta(minutes=settings.login_window_minutes)))
    attempts = [LoginAttempt(key=k) for k in keys]
    s.add_all(attempts)
    s.commit()
    if _too_many(s, keys, settings):
        raise WebError(
            f"Too many failed sign-ins; wait {settings.login_window_minutes:.0f} minutes and try again.", 429
        )
    user = user_named(s, name.strip())
    if user is None or not user.active or not password_matches(user, password):
        raise NotSignedIn("Wrong name or password.")
    s.execute(delete(LoginAttempt).where(LoginAttempt.key == keys[0]))
    s.execute(delete(LoginAttempt).where(LoginAttempt.id.in_([a.id for a in attempts])))
    start_session(request, response, s, settings, user)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return user


def start_session(request: Request, response: Response, s: DbSession, settings: Settings, user: User) -> None:
    """A new session for ``user`` in this browser, with a new token and CSRF token: any session the
    browser held is ended first (no fixation), and the user's expired sessions are cleared."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        s.execute(delete(Session).where(Session.token_digest == _digest(old)))
    s.execute(delete(Session).where(Session.user_id == user.id, Session.expires_at <= now()))
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    s.add(
        Session(
            token_digest=_digest(token),
            user_id=user.id,
            csrf_token=csrf,
            expires_at=now() + timedelta(hours=settings.session_hours),
        )
    )
    _cookie(response, settings, SESSION_COOKIE, token, int(settings.session_hours * 3600))
    _remember(request, user, csrf)


def end_sessions(s: DbSession, user_id: int) -> int:
    """Sign the user out everywhere (a password changed, or the account was deactivated); how many
    sessions ended."""
    return s.execute(delete(Session).where(Session.user_id == user_id)).rowcount or 0


def sign_out(request: Request, response: Response, s: DbSession) -> None:
    row = session_of(request, s)
    if row is not None:
        s.delete(row)
    response.delete_cookie(SESSION_COOKIE, path="/")
