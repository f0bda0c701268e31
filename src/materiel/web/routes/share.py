"""Read-only share links (docs/workspace.md, "Runs, the queue and sharing"): an editor makes a link
holding a random token of 32 bytes that shows the run page without sign-in and without any control;
revoking it makes the link answer 404. The run page shows the link to the team for copying."""

from __future__ import annotations

import secrets
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from ...store.audit import record
from ...store.models import Run
from ..auth import current_user
from ..deps import db
from ..errors import Conflict, NotFound
from .runs import file_response, run_for, run_page

router = APIRouter()
Db = Annotated[DbSession, Depends(db)]


@router.post("/runs/{run_id}/share", include_in_schema=False)
def share(
    request: Request, s: Db, run_id: int, action: Annotated[Literal["make", "revoke"], Form()] = "make"
) -> Response:
    """Make the run's share link (a new token each time) or revoke it (editor)."""
    user = current_user(request, s)
    run = run_for(s, user, run_id, "editor")
    if action == "make":
        if run.status != "done":
            raise Conflict(f"Run {run.id} is {run.status}; share it once it is done.")
        run.share_token = secrets.token_urlsafe(32)
        record(s, user, "share", "run", run.id, run.team_id)
    elif run.share_token is not None:
        run.share_token = None
        record(s, user, "unshare", "run", run.id, run.team_id)
    s.commit()
    return RedirectResponse(f"/runs/{run.id}#share", status_code=303)


def _shared(s: DbSession, token: str) -> Run:
    run = s.scalar(select(Run).where(Run.share_token == token)) if 20 <= len(token) <= 64 else None
    if run is None or run.status != "done":
        raise NotFound("This link does not exist or was revoked.")
    return run


@router.get("/share/{token}", include_in_schema=False)
def shared_run(request: Request, s: Db, token: str) -> Response:
    """The run page, read-only, for anyone holding the link."""
    response = run_page(request, s, _shared(s, token), None)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@router.get("/share/{token}/files/{name}", include_in_schema=False)
def shared_file(request: Request, s: Db, token: str, name: str) -> Response:
    return file_response(s, _shared(s, token), name)
