"""The scenario library as JSON under /api/ (in the OpenAPI description): list and read scenarios
and versions, check a text, create a scenario, and save a version based on another (409 when
someone saved in between, 422 with the located problems when the text does not load)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session as DbSession

from ...store.models import Scenario, ScenarioVersion
from .. import library
from ..auth import current_user
from ..deps import db, team_role
from ..scenario_text import Issue, check
from .scenarios import scenario_for

router = APIRouter(prefix="/api", tags=["scenarios"])
Db = Annotated[DbSession, Depends(db)]
MAX_TEXT = 10_000_000


class ErrorOut(BaseModel):
    detail: str


class IssueOut(BaseModel):
    """A located problem, as ``materiel validate`` prints it (``text``) and in parts."""

    loc: list[str | int] = Field(description="The field's path in the scenario, as written.")
    field: str = Field(description="The field's path in words (entries by id).")
    line: int | None = Field(description="The line of the text it is on (None: the whole text).")
    message: str
    text: str

    @classmethod
    def of(cls, issue: Issue) -> IssueOut:
        return cls(loc=issue.loc, field=issue.field, line=issue.line, message=issue.message, text=issue.text)


class InvalidOut(BaseModel):
    detail: str
    issues: list[IssueOut]


class VersionOut(BaseModel):
    id: int
    scenario_id: int
    number: int
    author: str
    created_at: datetime
    message: str
    digest: str

    @classmethod
    def of(cls, v: ScenarioVersion) -> VersionOut:
        return cls(
            id=v.id,
            scenario_id=v.scenario_id,
            number=v.number,
            author=v.author,
            created_at=v.created_at,
            message=v.message,
            digest=v.digest,
        )


class VersionTextOut(VersionOut):
    text: str

    @classmethod
    def of(cls, v: ScenarioVersion) -> VersionTextOut:
        return cls(**VersionOut.of(v).model_dump(), text=v.text)


class ScenarioOut(BaseModel):
    id: int
    team_id: int
    name: str
    newest: VersionOut

    @classmethod
    def of(cls, sc: Scenario, newest: ScenarioVersion) -> ScenarioOut:
        return cls(id=sc.id, team_id=sc.team_id, name=sc.name, newest=VersionOut.of(newest))


class ScenarioDetailOut(ScenarioOut):
    versions: list[VersionOut] = Field(description="Every version, newest first.")


class CheckIn(BaseModel):
    text: str = Field(max_length=MAX_TEXT)


class CheckOut(BaseModel):
    valid: bool
    issues: list[IssueOut]


class CreateIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    text: str = Field(max_length=MAX_TEXT)
    message: str = Field("", max_length=500)


class SaveIn(BaseModel):
    base_number: int = Field(ge=1, description="The version the edit started from; 409 if a newer one exists.")
    text: str = Field(max_length=MAX_TEXT)
    message: str = Field("", max_length=500)


def _invalid(issues: list[Issue]) -> JSONResponse:
    body = InvalidOut(
        detail=f"Not saved: {len(issues)} problem(s) in the scenario.", issues=[IssueOut.of(i) for i in issues]
    )
    return JSONResponse(body.model_dump(), status_code=422)


@router.get("/teams/{team_id}/scenarios", response_model=list[ScenarioOut])
def list_scenarios(request: Request, s: Db, team_id: int) -> list[ScenarioOut]:
    """The team's scenarios with their newest versions."""
    team_role(s, current_user(request, s), team_id, "viewer")
    return [ScenarioOut.of(sc, v) for sc, v in library.team_scenarios(s, team_id)]


@router.post(
    "/teams/{team_id}/scenarios",
    response_model=ScenarioOut,
    status_code=201,
    responses={422: {"model": InvalidOut}, 403: {"model": ErrorOut}},
)
def create_scenario(request: Request, s: Db, team_id: int, body: CreateIn):
    """A new scenario from YAML text (editors and admins); 422 with the problems if it does not load."""
    user = current_user(request, s)
    team_role(s, user, team_id, "editor")
    try:
        sc = library.create(s, user, team_id, body.name, body.text, body.message or "created")
    except library.InvalidText as exc:
        return _invalid(exc.issues)
    s.commit()
    return ScenarioOut.of(sc, library.newest(s, sc))


@router.get("/scenarios/{scenario_id}", response_model=ScenarioDetailOut)
def get_scenario(request: Request, s: Db, scenario_id: int) -> ScenarioDetailOut:
    sc, _ = scenario_for(s, current_user(request, s), scenario_id, "viewer")
    versions = library.versions(s, sc)
    return ScenarioDetailOut(
        **ScenarioOut.of(sc, versions[0]).model_dump(), versions=[VersionOut.of(v) for v in versions]
    )


@router.get("/scenarios/{scenario_id}/versions", response_model=list[VersionOut])
def list_versions(request: Request, s: Db, scenario_id: int) -> list[VersionOut]:
    sc, _ = scenario_for(s, current_user(request, s), scenario_id, "viewer")
    return [VersionOut.of(v) for v in library.versions(s, sc)]


@router.get("/scenarios/{scenario_id}/versions/{number}", response_model=VersionTextOut)
def get_version(request: Request, s: Db, scenario_id: int, number: int) -> VersionTextOut:
    sc, _ = scenario_for(s, current_user(request, s), scenario_id, "viewer")
    return VersionTextOut.of(library.version(s, sc, number))


@router.post(
    "/scenarios/{scenario_id}/versions",
    response_model=VersionOut,
    status_code=201,
    responses={409: {"model": ErrorOut}, 422: {"model": InvalidOut}},
)
def save_version(request: Request, s: Db, scenario_id: int, body: SaveIn):
    """Save ``text`` as the version after ``base_number``: 409 naming who saved a newer one and
    when (nothing is saved), 422 with the located problems when the text does not load."""
    user = current_user(request, s)
    sc, _ = scenario_for(s, user, scenario_id, "editor")
    library.version(s, sc, body.base_number)
    try:
        row = library.save(s, user, sc, body.base_number, body.text, body.message)
    except library.InvalidText as exc:
        return _invalid(exc.issues)
    s.commit()
    return VersionOut.of(row)


@router.post("/scenarios/{scenario_id}/check", response_model=CheckOut)
def check_text(request: Request, s: Db, scenario_id: int, body: CheckIn) -> CheckOut:
    """Every problem of a text, located as ``materiel validate`` locates them (nothing is saved)."""
    sc, _ = scenario_for(s, current_user(request, s), scenario_id, "viewer")
    issues = check(body.text, f"{sc.name} (unsaved)")
    return CheckOut(valid=not issues, issues=[IssueOut.of(i) for i in issues])
