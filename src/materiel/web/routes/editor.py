"""The scenario editor: every section as a form or a table, the whole text in a raw-YAML tab, a
check with the CLI's located messages shown at their fields, and saving as a new version based on
the version opened, a conflict (409) when someone saved in between (docs/workspace.md)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session as DbSession

from ...scenario.documents import parse_yaml
from ...scenario.errors import ScenarioError
from ...store.models import Scenario, ScenarioVersion
from .. import library
from ..auth import current_user
from ..deps import db, render, team_role
from ..editor_forms import Section, changes, place, sections
from ..errors import WebError
from ..scenario_text import Issue, apply_changes, check
from .scenarios import scenario_for

router = APIRouter()
Db = Annotated[DbSession, Depends(db)]
MAX_FORM_FIELDS = 20_000  # a changed field is sent, or every field when the page runs without script
MAX_FIELD_BYTES = 12 * 1024 * 1024


def _forms(text: str) -> tuple[dict, list[Section], str | None]:
    """The data and sections of a text, or none with the reason when it is not a YAML mapping."""
    try:
        data, _ = parse_yaml(text, "scenario")
    except ScenarioError as exc:
        return {}, [], "; ".join(p.message for p in exc.problems)
    if not isinstance(data, dict):
        return {}, [], "the text is not a mapping of sections"
    return data, sections(data), None


def _page(
    request: Request,
    sc: Scenario,
    base: ScenarioVersion,
    text: str,
    role: str,
    status: int = 200,
    issues: list[Issue] | None = None,
    tab: str = "forms",
    **extra,
) -> Response:
    data, secs, unreadable = _forms(text)
    whatifs = [
        str(k) for key in ("overrides", "variants") for k in (data.get(key) or {}) if isinstance(data.get(key), dict)
    ]
    issues = issues or []
    unplaced = place(secs, issues)
    lines = text.splitlines()
    at_lines = [(i.line, lines[i.line - 1] if i.line and i.line <= len(lines) else "", i) for i in issues if i.line]
    return render(
        request,
        "editor.html",
        status=status,
        scenario=sc,
        base=base,
        text=text,
        role=role,
        can_edit=role in ("editor", "admin"),
        sections=secs,
        unreadable=unreadable,
        issues=issues,
        unplaced=unplaced,
        at_lines=at_lines,
        tab="raw" if unreadable else tab,
        whatifs=whatifs,
        live=json.dumps({"version_id": base.id, "can_run": role in ("editor", "admin")}),
        **extra,
    )


@router.get("/scenarios/{scenario_id}/edit", include_in_schema=False)
def editor(request: Request, s: Db, scenario_id: int, version: int | None = None, saved: int | None = None) -> Response:
    """The editor on a version (default the newest); viewers see it read-only."""
    user = current_user(request, s)
    sc, role = scenario_for(s, user, scenario_id, "viewer")
    base = library.version(s, sc, version) if version is not None else library.newest(s, sc)
    return _page(request, sc, base, base.text, role, saved=saved)


@router.post("/scenarios/{scenario_id}/edit", include_in_schema=False)
async def save(request: Request, s: Db, scenario_id: int) -> Response:
    """Check, or save as a new version, what the editor sends: the changed fields (or the raw
    text) applied to the text the page showed, based on version ``base_number``."""
    user = current_user(request, s)
    sc = library.scenario(s, scenario_id)
    role = team_role(s, user, sc.team_id, "editor")
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FIELD_BYTES)
    values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    number = values.get("base_number", "")
    if not number.isdigit():
        raise WebError("The editor's form lacks the version it was opened on (base_number).", 400)
    base = library.version(s, sc, int(number))
    shown = _lf(values.get("shown", base.text))
    raw = values.get("text")
    raw_changed = raw is not None and _lf(raw) != shown
    try:
        data, _ = parse_yaml(shown, "scenario")
        field_changes = changes(data, values) if isinstance(data, dict) else {}
    except ScenarioError:
        field_changes = {}
    if raw_changed and field_changes:
        message = (
            "You changed both the forms and the raw YAML; nothing was saved. Keep one: save the raw text, "
            "or reload the editor and change the forms."
        )
        return _page(request, sc, base, _lf(raw or ""), role, 400, tab="raw", notice=message)
    text = (
        _lf(raw) if raw_changed and raw is not None else apply_changes(shown, field_changes) if field_changes else shown
    )
    tab = "raw" if raw_changed else "forms"
    if values.get("action") == "check":
        issues = check(text, f"{sc.name} (unsaved)")
        note = f"{len(issues)} problem(s) found; not saved." if issues else "No problems: the scenario is valid."
        return _page(request, sc, base, text, role, issues=issues, tab=tab, notice=note)
    if text == base.text:
        return _page(request, sc, base, text, role, notice="Nothing changed; no new version was made.")
    try:
        row = library.save(s, user, sc, base.number, text, values.get("message", "")[:500])
    except library.SaveConflict as exc:
        s.rollback()
        return _page(request, sc, base, text, role, exc.status, tab="raw", conflict=exc)
    except library.InvalidText as exc:
        s.rollback()
        note = f"Not saved: {len(exc.issues)} problem(s), each shown at its field. Nothing was kept as a new version."
        return _page(request, sc, base, text, role, 422, issues=exc.issues, tab=tab, notice=note)
    s.commit()
    return RedirectResponse(f"/scenarios/{sc.id}/edit?saved={row.number}", status_code=303)


def _lf(text: str) -> str:
    """Text with the line ends a browser sends (CRLF) made LF, as versions keep them."""
    return text.replace("\r\n", "\n")
