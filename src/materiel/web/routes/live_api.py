"""The what-if panel's endpoints: the sliders of a scenario version and its headline re-planned
warm as they move (one LivePlanner per version and what-ifs, kept in a LiveCache on the app), and
a real run queued with the sliders' values as ``--set`` (docs/workspace.md, "What-if panel").
Viewers may explore; queuing a run needs the editor role."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session as DbSession

from ...live import LiveCache, LiveError, LivePlanner
from ...scenario.errors import ScenarioError
from ...store.models import ScenarioVersion, User
from .. import library
from ..auth import current_user
from ..deps import db, team_role
from ..errors import WebError
from ..scenario_text import issues_of
from .scenarios_api import ErrorOut, InvalidOut

router = APIRouter(prefix="/api/live", tags=["live"])
Db = Annotated[DbSession, Depends(db)]
PLANNERS_KEPT = 8  # warm planners (scenario versions with what-ifs) kept per server process
_CACHE_LOCK = threading.Lock()


class SliderOut(BaseModel):
    path: str = Field(description="The figure's --set path.")
    label: str
    section: str
    section_label: str
    unit: str
    low: float
    base: float
    high: float
    step: float
    source: str
    source_title: str
    as_of: str
    assumption: str


class HeadlineOut(BaseModel):
    """The plan's headline after a re-plan; money in the scenario's base currency."""

    scenario: str
    currency: str
    status: str
    changes: dict[str, float]
    outside_range: list[str]
    total_cost: float | None = None
    money_by_customer: dict[str, dict[str, Any]] = {}
    money_shared: float | None = None
    envelope_use: dict[str, dict[str, float | None]] = {}
    customer: str = ""
    readiness_date: str | None = None
    assessment_year: int | None = None
    days_of_war: float | None = None
    days_of_war_text: str = ""
    goal_days: float | None = None
    bottleneck: str | None = None
    shortfall: float | None = None
    in_place: bool = True
    notes: list[str] = Field(default_factory=list, description="Where the headline may differ from a full plan's.")
    seconds: float = 0.0
    solver_seconds: float = 0.0
    iterations: int = 0


class LiveOut(BaseModel):
    version_id: int
    scenario: str
    number: int
    sliders: list[SliderOut]
    headline: HeadlineOut = Field(description="The plan as written (no slider moved).")


class ReplanIn(BaseModel):
    changes: dict[str, float] = Field(default_factory=dict, description="--set path -> value, in the figure's unit.")
    whatifs: list[str] = Field(default_factory=list, max_length=20, description="Named overrides or variants.")


class RunIn(ReplanIn):
    name: str = Field("", max_length=200)


class RunQueuedOut(BaseModel):
    run_id: int
    url: str
    sets: dict[str, float]
    whatifs: list[str]


def live_cache(app: FastAPI) -> LiveCache:
    """The app's warm planners, made on first use."""
    with _CACHE_LOCK:
        cache = getattr(app.state, "live", None)
        if cache is None:
            cache = app.state.live = LiveCache(size=PLANNERS_KEPT)
        return cache


def _version(s: DbSession, user: User, version_id: int, needed: str) -> ScenarioVersion:
    row = library.version_by_id(s, version_id)
    team_role(s, user, row.scenario.team_id, needed)
    return row


def _planner(request: Request, row: ScenarioVersion, whatifs: list[str]) -> LivePlanner:
    from ...store.scenarios import load_text

    name = f"{row.scenario.name} v{row.number}"
    text = row.text

    def load():
        return load_text(text, name, whatifs)[1]

    try:
        return live_cache(request.app).planner((row.id, row.digest, tuple(whatifs)), load)
    except ScenarioError as exc:
        raise WebError("; ".join(i.text for i in issues_of(exc.problems)), 422) from None


@router.get("/{version_id}", response_model=LiveOut, responses={422: {"model": ErrorOut}})
def sliders(request: Request, s: Db, version_id: int, whatif: str = "") -> LiveOut:
    """The version's ranged figures as sliders, grouped by section, and its headline as written.
    The first call builds the warm planner (a full plan); later ones are instant."""
    row = _version(s, current_user(request, s), version_id, "viewer")
    whatifs = [w for w in whatif.split(",") if w]
    planner = _planner(request, row, whatifs)
    return LiveOut(
        version_id=row.id,
        scenario=row.scenario.name,
        number=row.number,
        sliders=[
            SliderOut(**{k: v for k, v in sl.as_dict().items() if k in SliderOut.model_fields})
            for sl in planner.sliders
        ],
        headline=HeadlineOut(**planner.base.as_dict()),
    )


@router.post("/{version_id}", response_model=HeadlineOut, responses={422: {"model": InvalidOut}})
def replan(request: Request, s: Db, version_id: int, body: ReplanIn) -> HeadlineOut:
    """The headline with these figures at these values, re-solved warm from the version's plan."""
    row = _version(s, current_user(request, s), version_id, "viewer")
    planner = _planner(request, row, body.whatifs)
    s.close()  # the re-plan needs no database: give the connection back while it runs
    try:
        headline = planner.replan(body.changes)
    except LiveError as exc:
        raise WebError(str(exc), 422) from None
    return HeadlineOut(**headline.as_dict())


@router.post("/{version_id}/run", response_model=RunQueuedOut, status_code=201, responses={422: {"model": InvalidOut}})
def run_with_values(request: Request, s: Db, version_id: int, body: RunIn) -> RunQueuedOut:
    """Queue a full run of the version with the sliders' values as ``--set`` (editors and admins)."""
    user = current_user(request, s)
    row = _version(s, user, version_id, "editor")
    planner = _planner(request, row, body.whatifs)
    try:
        sets = {planner.slider(path).path: float(value) for path, value in body.changes.items()}
    except LiveError as exc:
        raise WebError(str(exc), 422) from None
    run_id = queue_run(s, user, row, sets, body.whatifs, body.name or f"{row.scenario.name} v{row.number} what-if")
    s.commit()
    return RunQueuedOut(run_id=run_id, url=f"/runs/{run_id}", sets=sets, whatifs=body.whatifs)


def queue_run(
    s: DbSession, user: User, row: ScenarioVersion, sets: dict[str, float], whatifs: list[str], name: str
) -> int:
    """A queued plan of the version with these values, through the store's run repository (the
    queue's workers pick it up); the id of the new run."""
    from ...store.runs import create_run

    return create_run(s, row, user, kind="plan", name=name, whatifs=whatifs, sets=sets).id
