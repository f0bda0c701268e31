"""A team's scenario library in the store: scenarios, their versions (never changed; saving makes
the next number) and soft deletion. A save names the version it was based on; when someone saved
in between, it is a conflict naming who and when, never an overwrite (docs/workspace.md)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..store.audit import record
from ..store.models import Scenario, ScenarioVersion, User, now
from .errors import Conflict, NotFound

MAX_NAME = 200


def digest(text: str) -> str:
    """The SHA-256 of a version's text: equal texts, equal digests."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SaveConflict(Conflict):
    """A save based on version ``base`` when a newer one exists: names who saved it and when."""

    def __init__(self, scenario_id: int, base: int, latest: ScenarioVersion) -> None:
        self.scenario_id = scenario_id
        self.base = base
        self.newest = latest.number
        self.author = latest.author
        self.at = _aware(latest.created_at)
        self.diff_url = f"/scenarios/{scenario_id}/diff?a={base}&b={latest.number}"
        super().__init__(
            f"Not saved: you edited version {base}, but {self.author} saved version {self.newest} at "
            f"{self.at:%Y-%m-%d %H:%M} UTC. See what changed at {self.diff_url}, then make your change on the "
            "newest version."
        )


def team_scenarios(s: Session, team_id: int) -> list[tuple[Scenario, ScenarioVersion | None]]:
    """The team's scenarios that are not deleted, by name, each with its newest version."""
    rows = s.scalars(
        select(Scenario).where(Scenario.team_id == team_id, Scenario.deleted_at.is_(None)).order_by(Scenario.name)
    ).all()
    return [(sc, newest(s, sc.id)) for sc in rows]


def scenario(s: Session, scenario_id: int) -> Scenario:
    """A scenario that is not deleted, or 404."""
    sc = s.get(Scenario, scenario_id)
    if sc is None or sc.deleted_at is not None:
        raise NotFound("Not found (or not shared with you).")
    return sc


def newest(s: Session, scenario_id: int) -> ScenarioVersion | None:
    return s.scalars(
        select(ScenarioVersion)
        .where(ScenarioVersion.scenario_id == scenario_id)
        .order_by(ScenarioVersion.number.desc())
        .limit(1)
    ).first()


def version(s: Session, scenario_id: int, number: int) -> ScenarioVersion:
    """Version ``number`` of a scenario, or 404."""
    row = s.scalars(
        select(ScenarioVersion).where(ScenarioVersion.scenario_id == scenario_id, ScenarioVersion.number == number)
    ).first()
    if row is None:
        raise NotFound(f"This scenario has no version {number}.")
    return row


def versions(s: Session, scenario_id: int) -> list[ScenarioVersion]:
    """Every version, newest first."""
    return list(
        s.scalars(
            select(ScenarioVersion)
            .where(ScenarioVersion.scenario_id == scenario_id)
            .order_by(ScenarioVersion.number.desc())
        )
    )


def free_name(s: Session, team_id: int, wanted: str) -> str:
    """``wanted``, or ``wanted-2``, ``-3`` ... : the first name no scenario of the team has (a
    deleted one keeps its name, so its versions stay readable by id)."""
    taken = set(s.scalars(select(Scenario.name).where(Scenario.team_id == team_id)))
    base = wanted.strip()[: MAX_NAME - 4] or "scenario"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def create(s: Session, user: User, team_id: int, name: str, text: str, message: str = "") -> ScenarioVersion:
    """A new scenario with its first version, recorded in the audit log."""
    sc = Scenario(team_id=team_id, name=free_name(s, team_id, name), created_by=user.id)
    s.add(sc)
    s.flush()
    first = _add_version(s, user, sc, 1, text, message)
    record(s, user, "create", "scenario", sc.id, team_id, name=sc.name, version=1)
    return first


def save(s: Session, user: User, sc: Scenario, base_number: int, text: str, message: str = "") -> ScenarioVersion:
    """Version ``base_number + 1``, when ``base_number`` is still the newest; else SaveConflict.
    Two saves racing past the check meet the table's unique (scenario, number): the second is a
    conflict too."""
    latest = newest(s, sc.id)
    latest_number = latest.number if latest is not None else 0
    if base_number != latest_number:
        if latest is None or base_number > latest_number:
            raise NotFound(f"This scenario has no version {base_number}.")
        raise SaveConflict(sc.id, base_number, latest)
    try:
        with s.begin_nested():
            row = _add_version(s, user, sc, base_number + 1, text, message)
    except IntegrityError:
        s.expire_all()
        raise SaveConflict(sc.id, base_number, newest(s, sc.id)) from None
    record(s, user, "change", "scenario", sc.id, sc.team_id, version=row.number, base=base_number)
    return row


def _add_version(s: Session, user: User, sc: Scenario, number: int, text: str, message: str) -> ScenarioVersion:
    row = ScenarioVersion(
        scenario_id=sc.id,
        number=number,
        text=text,
        digest=digest(text),
        author_id=user.id,
        author=user.name,
        message=message[:500],
        created_at=now(),
    )
    s.add(row)
    s.flush()
    return row


def delete(s: Session, user: User, sc: Scenario) -> None:
    """Hide a scenario from the library; its versions stay, so runs made from them still open."""
    sc.deleted_at = now()
    record(s, user, "delete", "scenario", sc.id, sc.team_id, name=sc.name)


def _aware(t: datetime) -> datetime:
    """SQLite gives back naive datetimes; they were stored as UTC."""
    from datetime import UTC

    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)
