"""The web's side of a team's scenario library, over the store's repository (store/scenarios.py):
its errors as the web's (404, 409 naming who saved when, with the diff's address, 422), versions
newest first, and a free name for an upload (docs/workspace.md, "Scenarios and the editor")."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import scenarios as repo
from ..store.errors import ConflictError, InvalidScenarioError, NotFoundError, StoreError
from ..store.models import Scenario, ScenarioVersion, User
from .errors import Conflict, NotFound, WebError
from .scenario_text import issues_of


class SaveConflict(Conflict):
    """A save based on version ``base`` when a newer one exists: who saved it, when, and where to
    see what changed."""

    def __init__(self, scenario_id: int, base: int, latest: ScenarioVersion) -> None:
        self.scenario_id = scenario_id
        self.base = base
        self.newest = latest.number
        self.author = latest.author
        self.at = _aware(latest.created_at)
        self.diff_url = f"/scenarios/{scenario_id}/diff?a={base}&b={latest.number}"
        super().__init__(
            f"Not saved: you edited version {base}, but {self.author} saved version {self.newest} at "
            f"{self.at:%Y-%m-%d %H:%M:%S} UTC. See what changed at {self.diff_url}, then make your change on the "
            "newest version."
        )


class InvalidText(WebError):  # noqa: N818 (named for the answer)
    """Text that does not load, with each located problem (nothing was saved)."""

    def __init__(self, error: InvalidScenarioError) -> None:
        self.issues = issues_of(error.errors)
        super().__init__(f"Not saved: {len(self.issues)} problem(s) in the scenario: {error}", 422)


def team_scenarios(s: Session, team_id: int) -> list[tuple[Scenario, ScenarioVersion]]:
    """The team's scenarios that are not deleted, by name, each with its newest version."""
    return [(sc, repo.newest(s, sc)) for sc in repo.list_scenarios(s, team_id)]


def scenario(s: Session, scenario_id: int) -> Scenario:
    """A scenario that is not deleted, or 404 (its team is checked by the caller)."""
    try:
        return repo.get_scenario(s, scenario_id)
    except NotFoundError:
        raise NotFound("Not found (or not shared with you).") from None


def newest(s: Session, sc: Scenario) -> ScenarioVersion:
    return repo.newest(s, sc)


def version(s: Session, sc: Scenario, number: int) -> ScenarioVersion:
    """Version ``number`` of a scenario, or 404."""
    try:
        return repo.get_version(s, sc, number)
    except NotFoundError as exc:
        raise NotFound(f"{exc}.") from None


def version_by_id(s: Session, version_id: int) -> ScenarioVersion:
    """A version by its id, of a scenario that is not deleted, or 404 (team checked by the caller)."""
    row = s.get(ScenarioVersion, version_id)
    if row is None:
        raise NotFound("Not found (or not shared with you).")
    scenario(s, row.scenario_id)
    return row


def versions(s: Session, sc: Scenario) -> list[ScenarioVersion]:
    """Every version, newest first."""
    return repo.versions(s, sc)[::-1]


def free_name(s: Session, team_id: int, wanted: str) -> str:
    """``wanted``, or ``wanted-2``, ``-3`` ...: the first name no scenario of the team has (deleted
    ones included: their versions keep their name for the runs made from them)."""
    taken = set(s.scalars(select(Scenario.name).where(Scenario.team_id == team_id)))
    base = " ".join(wanted.split())[: repo.MAX_NAME - 6] or "scenario"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def create(s: Session, user: User, team_id: int, name: str, text: str, message: str) -> Scenario:
    """A new scenario with ``text`` as version 1 (InvalidText unless it loads; audited by the store)."""
    try:
        return repo.create_scenario(s, team_id, free_name(s, team_id, name), text, user, message)
    except InvalidScenarioError as exc:
        raise InvalidText(exc) from None
    except StoreError as exc:
        raise WebError(f"Not saved: {exc}", 400) from None


def save(s: Session, user: User, sc: Scenario, base_number: int, text: str, message: str = "") -> ScenarioVersion:
    """Version ``base_number + 1``: SaveConflict when someone saved after ``base_number``, else
    InvalidText unless the text loads."""
    try:
        return repo.save_version(s, sc, text, user, base_number, message)
    except ConflictError:
        raise SaveConflict(sc.id, base_number, repo.newest(s, sc)) from None
    except InvalidScenarioError as exc:
        raise InvalidText(exc) from None
    except NotFoundError as exc:
        raise NotFound(f"{exc}.") from None


def delete(s: Session, user: User, sc: Scenario) -> None:
    """Hide a scenario from the library; its versions stay, so runs made from them still open."""
    repo.delete_scenario(s, sc, user)


def _aware(t: datetime) -> datetime:
    """SQLite gives back naive datetimes; they were stored as UTC."""
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)
