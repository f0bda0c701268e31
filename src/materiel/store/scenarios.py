"""Scenarios in the store: a team's named scenarios and every saved version of their YAML text
(docs/workspace.md). Only text that loads is stored, so every version can be run; a save based
on a version that is no longer the newest is a ConflictError naming who saved in between."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..scenario.compiled import ModelData
from ..scenario.documents import TABLE_SUFFIXES, Document, parse_yaml, read_document
from ..scenario.errors import Problem, ScenarioError
from ..scenario.loader import apply_whatifs, load_document, whatif_record
from ..scenario.schema import Scenario as ScenarioModel
from .audit import record
from .errors import ConflictError, InvalidScenarioError, NotFoundError, StoreError
from .models import Scenario, ScenarioVersion, Team, User, now

MAX_NAME = 200


def digest(text: str) -> str:
    """The SHA-256 of a version's text: equal texts, equal digests."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _author(author: User | str) -> tuple[int | None, str]:
    return (author.id, author.name) if isinstance(author, User) else (None, str(author))


def document(text: str, name: str) -> Document:
    """A stored text as the loader's document, positions named after the scenario. A stored
    scenario keeps its tables in the text (``text_from_file`` inlines them), so a section that
    names a table file is refused at its line."""
    data, positions = parse_yaml(text, name)
    if not isinstance(data, dict):
        message = "a scenario must be a mapping of sections (name:, horizon:, items: ...)"
        raise ScenarioError([Problem((), message, file=name, line=1)])
    doc = Document(data=data, main_file=name, positions=positions, files=[])
    problems = []
    for section, value in data.items():
        named = value.get("file") if isinstance(value, dict) else value
        if isinstance(named, str) and named.lower().endswith(TABLE_SUFFIXES):
            file, line = doc.where((section,))
            message = f"a stored scenario keeps its tables in the YAML; {named!r} is not in the store (upload the scenario from its file, which inlines the table)"
            problems.append(Problem((section,), message, file=file, line=line))
    if problems:
        raise ScenarioError(problems)
    return doc


def load_text(
    text: str, name: str, whatifs: list[str] | tuple[str, ...] = (), sets: list[tuple[str, object]] | tuple = ()
) -> tuple[ScenarioModel, ModelData]:
    """Validate and compile a stored text with what-ifs and ``--set`` values, as ``loader.load``
    does a file; a ScenarioError carries every problem with its line and field."""
    doc = document(text, name)
    applied = apply_whatifs(doc, whatifs, sets) if (whatifs or sets) else None
    scenario, model = load_document(doc, applied)
    model.whatifs = whatif_record(whatifs, sets)
    return scenario, model


def check_text(text: str, name: str) -> None:
    """Raise InvalidScenarioError (with the loader's located problems) unless the text loads."""
    try:
        load_text(text, name)
    except ScenarioError as error:
        raise InvalidScenarioError(str(error), error.problems) from None


def text_from_file(path: str | Path) -> str:
    """A scenario file as one self-contained text: the file as written when it names no table
    files, else its data with every table inlined (comments are then not kept)."""
    path = Path(path)
    doc = read_document(path)
    if len(doc.files) == 1:
        return path.read_text(encoding="utf-8")
    header = f"# {path.name} with its tables ({', '.join(p.name for p in doc.files[1:])}) written in\n"
    return header + yaml.safe_dump(doc.data, sort_keys=False, allow_unicode=True, width=120)


def text_from_upload(content: bytes, filename: str) -> str:
    """The YAML text of an uploaded scenario: a .yaml/.yml file as it is, or an .xlsx workbook
    converted (store/workbook.py); InvalidScenarioError, located, for what cannot be read."""
    suffix = Path(filename).suffix.lower()
    try:
        if suffix == ".xlsx":
            from .workbook import text_from_workbook

            return text_from_workbook(content, filename)
        if suffix in (".yaml", ".yml"):
            try:
                return content.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                problem = Problem((), f"not UTF-8 text (byte {error.start})", file=filename)
                raise ScenarioError([problem]) from None
        raise ScenarioError([Problem((), "upload a scenario as .yaml, .yml or .xlsx", file=filename)])
    except ScenarioError as error:
        raise InvalidScenarioError(str(error), error.problems) from None


def _team_id(team: Team | int) -> int:
    return team.id if isinstance(team, Team) else int(team)


def create_scenario(
    s: Session, team: Team | int, name: str, text: str, author: User | str, message: str = "created"
) -> Scenario:
    """A new scenario in the team with ``text`` as version 1 (InvalidScenarioError unless it loads;
    StoreError if the team has a scenario of that name already)."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise StoreError(f"scenario name {name[:40]!r}: use 1 to {MAX_NAME} characters")
    team_id = _team_id(team)
    taken = s.scalar(select(Scenario).where(Scenario.team_id == team_id, Scenario.name == name))
    if taken is not None:
        state = " (deleted; choose another name)" if taken.deleted_at else ""
        raise StoreError(f"the team has a scenario named {name!r} already{state}")
    check_text(text, name)
    author_id, author_name = _author(author)
    scenario = Scenario(team_id=team_id, name=name, created_by=author_id)
    s.add(scenario)
    try:
        s.flush()
    except IntegrityError:  # made by someone else since the check above
        s.rollback()
        raise StoreError(f"the team has a scenario named {name!r} already") from None
    s.add(
        ScenarioVersion(
            scenario_id=scenario.id,
            number=1,
            text=text,
            digest=digest(text),
            author_id=author_id,
            author=author_name,
            message=message,
        )
    )
    s.flush()
    record(s, author, "create", "scenario", scenario.id, team_id, name=name)
    return scenario


def newest(s: Session, scenario: Scenario) -> ScenarioVersion:
    """The scenario's newest saved version (read afresh from the database)."""
    found = s.scalar(
        select(ScenarioVersion)
        .where(ScenarioVersion.scenario_id == scenario.id)
        .order_by(ScenarioVersion.number.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFoundError(f"scenario {scenario.name!r} has no versions")
    return found


def _conflict(scenario: Scenario, base_number: int, newer: ScenarioVersion) -> ConflictError:
    at = newer.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return ConflictError(
        f"scenario {scenario.name!r} was saved as version {newer.number} by {newer.author} at {at}, after "
        f"version {base_number} that this edit started from; nothing was saved: reload version "
        f"{newer.number} and make the change again"
    )


def save_version(
    s: Session, scenario: Scenario, text: str, author: User | str, base_number: int, message: str = ""
) -> ScenarioVersion:
    """Save ``text`` as the version after ``base_number`` (the version the edit started from). If
    that is no longer the newest, ConflictError names who saved the newer one and when (never an
    overwrite, even when two saves race: the loser's insert breaks the unique version number and
    its transaction is rolled back). A text equal to the newest saves nothing and returns it."""
    if scenario.deleted_at is not None:
        raise NotFoundError(f"scenario {scenario.name!r} was deleted")
    latest = newest(s, scenario)
    if latest.number != base_number:
        raise _conflict(scenario, base_number, latest)
    if latest.digest == digest(text):
        return latest
    check_text(text, scenario.name)
    author_id, author_name = _author(author)
    version = ScenarioVersion(
        scenario_id=scenario.id,
        number=base_number + 1,
        text=text,
        digest=digest(text),
        author_id=author_id,
        author=author_name,
        message=message,
    )
    s.add(version)
    try:
        s.flush()
    except IntegrityError:
        s.rollback()  # someone saved the same number first; this transaction is void
        winner = newest(s, scenario)
        if winner.number <= base_number:
            raise
        raise _conflict(scenario, base_number, winner) from None
    record(s, author, "change", "scenario", scenario.id, scenario.team_id, version=version.number)
    return version


def list_scenarios(s: Session, team: Team | int) -> list[Scenario]:
    """The team's scenarios that are not deleted, by name."""
    query = select(Scenario).where(Scenario.team_id == _team_id(team), Scenario.deleted_at.is_(None))
    return list(s.scalars(query.order_by(Scenario.name)))


def get_scenario(s: Session, scenario_id: int, team: Team | int | None = None) -> Scenario:
    """The scenario (in ``team`` when given); NotFoundError if there is none or it was deleted."""
    scenario = s.get(Scenario, scenario_id)
    if scenario is None or scenario.deleted_at is not None or (team is not None and scenario.team_id != _team_id(team)):
        raise NotFoundError(f"no scenario {scenario_id}")
    return scenario


def scenario_named(s: Session, team: Team | int, name: str) -> Scenario | None:
    return s.scalar(
        select(Scenario).where(Scenario.team_id == _team_id(team), Scenario.name == name, Scenario.deleted_at.is_(None))
    )


def versions(s: Session, scenario: Scenario) -> list[ScenarioVersion]:
    """Every saved version, oldest first."""
    query = select(ScenarioVersion).where(ScenarioVersion.scenario_id == scenario.id)
    return list(s.scalars(query.order_by(ScenarioVersion.number)))


def get_version(s: Session, scenario: Scenario, number: int) -> ScenarioVersion:
    found = s.scalar(
        select(ScenarioVersion).where(ScenarioVersion.scenario_id == scenario.id, ScenarioVersion.number == number)
    )
    if found is None:
        count = s.scalar(select(func.count()).where(ScenarioVersion.scenario_id == scenario.id))
        raise NotFoundError(f"scenario {scenario.name!r} has no version {number} (it has 1 to {count})")
    return found


def delete_scenario(s: Session, scenario: Scenario, actor: User | str) -> None:
    """Hide the scenario from lists (its versions stay: runs refer to them)."""
    if scenario.deleted_at is None:
        scenario.deleted_at = now()
        record(s, actor, "delete", "scenario", scenario.id, scenario.team_id, name=scenario.name)


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff: kind ' ' (same), '-' (only in a), '+' (only in b) or '@' (a
    hunk's start), with its line number in each version (None where it has none)."""

    kind: str
    a_line: int | None
    b_line: int | None
    text: str


def diff(a: ScenarioVersion, b: ScenarioVersion, context: int = 3) -> list[DiffLine]:
    """What changed from version ``a`` to ``b``: hunks of changed lines with ``context`` lines
    around them, each line numbered as in its version."""
    old, new = a.text.splitlines(), b.text.splitlines()
    out: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        i1, j1 = group[0][1], group[0][3]
        i2, j2 = group[-1][2], group[-1][4]
        out.append(DiffLine("@", i1 + 1, j1 + 1, f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@"))
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out.extend(DiffLine(" ", a1 + k + 1, b1 + k + 1, old[a1 + k]) for k in range(a2 - a1))
                continue
            out.extend(DiffLine("-", k + 1, None, old[k]) for k in range(a1, a2))
            out.extend(DiffLine("+", None, k + 1, new[k]) for k in range(b1, b2))
    return out
