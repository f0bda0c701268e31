"""Loading a scenario: read the files, validate every entity, resolve references, and report all
problems at once with file, line and field."""

from __future__ import annotations

import difflib
import functools
import json
import typing
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from .compiled import ModelData, compile_scenario
from .documents import Document, read_document, read_document_text
from .errors import Loc, Problem, ScenarioError, TextSource
from .messages import describe, field_names
from .overrides import Applied, apply_override, expand
from .schema import Override, Scenario

DEFAULT_SCENARIO = "armed-neutrality"


def shipped_scenarios() -> dict[str, Path]:
    """Name -> path of the scenarios shipped with materiel."""
    folder = resources.files("materiel") / "data"
    return {p.name[:-5]: Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml")}


def resolve_path(name_or_path: str | Path | None) -> Path:
    """A path, or the name of a shipped scenario (the default when None)."""
    if name_or_path is None:
        name_or_path = DEFAULT_SCENARIO
    path = Path(name_or_path)
    try:
        if path.exists():
            return path
    except (OSError, ValueError) as exc:  # a name too long for the file system, or holding a NUL
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioError([Problem((), f"cannot use this path: {reason}", file=f"{str(path)[:60]}...")]) from None
    shipped = shipped_scenarios()
    if str(name_or_path) in shipped:
        return shipped[str(name_or_path)]
    known = ", ".join(sorted(shipped))
    raise ScenarioError([Problem((), f"no such file, and not a shipped scenario (shipped: {known})", file=str(path))])


def _entity_label(data: Any, loc: Loc) -> str:
    """Render a location with entity ids where they exist: lines[rheinmetall-unterluss].price."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int):
            label = str(step)
            if isinstance(node, list) and 0 <= step < len(node):
                item = node[step]
                if isinstance(item, dict) and isinstance(item.get("id"), (str, int)):
                    label = str(item["id"])
                node = item
            else:
                node = None
            parts[-1] = f"{parts[-1]}[{label}]" if parts else f"[{label}]"
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts)


def _as_written(data: Any, loc: Loc) -> Loc:
    """Drop list indices the schema added: a single figure written where a schedule is allowed."""
    out: list[str | int] = []
    node = data
    for step in loc:
        if isinstance(step, int) and not isinstance(node, list):
            continue
        out.append(step)
        if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        elif isinstance(node, dict):
            node = node.get(step)
        else:
            node = None
    return tuple(out)


def locate(doc: Document, problems: list[Problem]) -> list[Problem]:
    """Attach file, line and a readable path to problems that only carry a location."""
    for p in problems:
        p.loc = _as_written(doc.data, p.loc)
        if p.file is None:
            p.file, p.line = doc.where(p.loc)
        if not p.path:
            p.path = _entity_label(doc.data, p.loc)
    return problems


def _report(exc: ValidationError, loc: Loc, root: type[BaseModel], problems: list[Problem], below: Loc = ()) -> None:
    """One located problem per pydantic error, worded for the scenario's author; ``below`` is
    where the validated value sits under ``root``."""
    for err in exc.errors(include_url=False):
        problems.append(Problem((*loc, *err["loc"]), describe(err, root, (*below, *err["loc"]))))


@functools.cache
def _adapter(tp: Any) -> TypeAdapter:
    return TypeAdapter(tp)


@functools.cache
def _section_adapter(name: str, whole_list: bool = False) -> TypeAdapter:
    """The adapter of one top-level section with the field's own constraints (pattern, length),
    which pydantic keeps beside the annotation rather than in it. ``whole_list``: only the list's
    own constraints (its length), its entries being validated one by one."""
    field = Scenario.model_fields[name]
    annotation = list[Any] if whole_list else field.annotation
    return TypeAdapter(Annotated[annotation, *field.metadata] if field.metadata else annotation)


def _validate(
    adapter: TypeAdapter, value: Any, loc: Loc, root: type[BaseModel], problems: list[Problem], below: Loc = ()
) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        _report(exc, loc, root, problems, below)
        return None


KIND_OF_SECTION = {
    "items": "item",
    "lines": "line",
    "customers": "customer",
    "sources": "source",
    "categories": "category",
}


def validate_document(doc: Document) -> Scenario:
    """Validate section by section and entity by entity, so one bad line does not hide others.

    When some entities are invalid but the scenario's frame (horizon, currency, customers, items)
    is sound, the valid remainder is also compiled, so reference and unit problems are reported in
    the same pass; references to the invalid entities are not reported twice.
    """
    data = doc.data
    problems: list[Problem] = []
    fields = Scenario.model_fields
    for key in data:
        if key not in fields:
            guess = difflib.get_close_matches(key, list(fields), n=1)
            hint = f"; did you mean '{guess[0]}'?" if guess else ""
            problems.append(
                Problem((key,), f"unknown section '{key}'{hint} Sections: {', '.join(field_names(Scenario))}")
            )
    clean: dict[str, Any] = {}
    kept: dict[str, list[int]] = {}
    tolerated: dict[str, set[str]] = {}
    for name, field in fields.items():
        if name not in data:
            if field.is_required():
                problems.append(Problem((), f"required section '{name}' is missing"))
            continue
        value = data[name]
        annotation = field.annotation
        item_type = typing.get_args(annotation)[0] if typing.get_origin(annotation) is list else None
        if isinstance(item_type, type) and issubclass(item_type, BaseModel):
            if not isinstance(value, list):
                problems.append(
                    Problem((name,), f"expected a list of {item_type.__name__.lower()} entries (or a .csv/.xlsx table)")
                )
                continue
            _validate(_section_adapter(name, whole_list=True), value, (name,), Scenario, problems, (name,))
            rows = [_validate(_adapter(item_type), row, (name, j), item_type, problems) for j, row in enumerate(value)]
            clean[name] = [r for r in rows if r is not None]
            kept[name] = [j for j, r in enumerate(rows) if r is not None]
            if name in KIND_OF_SECTION:
                tolerated[KIND_OF_SECTION[name]] = {
                    str(raw.get("id"))
                    for raw, r in zip(value, rows, strict=True)
                    if r is None and isinstance(raw, dict)
                }
        else:
            result = _validate(_section_adapter(name), value, (name,), Scenario, problems, (name,))
            if result is not None:
                clean[name] = result
    if not problems:
        try:
            return Scenario.model_validate(clean)
        except ValidationError as exc:  # a rule across sections; each section alone was valid
            _report(exc, (), Scenario, problems)
            raise ScenarioError(locate(doc, problems)) from None
    try:
        partial = Scenario.model_validate(clean)
        compile_scenario(partial, tolerated)
    except ValidationError:
        pass
    except ScenarioError as exc:
        for p in exc.problems:
            if p.loc and p.loc[0] in kept and len(p.loc) > 1 and isinstance(p.loc[1], int):
                p.loc = (p.loc[0], kept[p.loc[0]][p.loc[1]], *p.loc[2:])
            problems.append(p)
    raise ScenarioError(locate(doc, sorted(problems, key=lambda p: _order(doc, p))))


def _order(doc: Document, p: Problem) -> tuple[str, int]:
    file, line = doc.where(_as_written(doc.data, p.loc))
    return (file, line or 0)


def load_document(doc: Document, applied: Applied | None = None) -> tuple[Scenario, ModelData]:
    """Validate and compile a document, raising one ScenarioError with every problem located."""
    try:
        scenario = validate_document(doc)
        model = compile_scenario(scenario)
    except ScenarioError as exc:
        problems = locate(doc, exc.problems)
        if applied is not None:
            for p in problems:
                if (why := applied.note_for(p.loc)) is not None:
                    p.message += f" (value from {why})"
        raise ScenarioError(problems) from None
    locate(doc, model.warnings)
    return scenario, model


def apply_whatifs(
    doc: Document, whatifs: list[str] | tuple[str, ...] = (), sets: list[tuple[str, Any]] | tuple = ()
) -> Applied:
    """Apply named overrides or variants, then command-line assignments, to the raw data."""
    applied = Applied()
    problems: list[Problem] = []
    try:
        names = expand(doc.data, list(whatifs))
    except ScenarioError as exc:
        raise ScenarioError(locate(doc, exc.problems)) from None
    for name in names:
        raw = doc.data["overrides"][name]
        if _validate(_adapter(Override), raw, ("overrides", name), Override, problems) is not None:
            problems.extend(apply_override(doc.data, name, raw, applied))
    if sets:
        for p in apply_override(doc.data, "--set", {"set": dict(sets)}, applied):
            p.file, p.path = "--set", str(p.loc[-1])
            problems.append(p)
    if problems:
        problems = locate(doc, problems)
        try:  # report what the overrides' valid parts break too, in the same pass
            load_document(doc, applied)
        except ScenarioError as exc:
            seen = {str(p) for p in problems}
            problems.extend(p for p in exc.problems if str(p) not in seen)
        raise ScenarioError(problems)
    return applied


def load(
    path: str | Path | None = None, whatifs: list[str] | tuple[str, ...] = (), sets: list[tuple[str, Any]] | tuple = ()
) -> tuple[Scenario, ModelData]:
    """Read, validate and compile a scenario file (or a shipped scenario by name), optionally with
    what-if overrides or variants and ``path=value`` assignments applied first."""
    sc, model, _ = load_with_files(path, whatifs, sets)
    return sc, model


def load_with_files(
    path: str | Path | None = None, whatifs: list[str] | tuple[str, ...] = (), sets: list[tuple[str, Any]] | tuple = ()
) -> tuple[Scenario, ModelData, list[Path]]:
    """As ``load``, with the files the scenario was read from (the YAML and every table it names),
    which no output may write over."""
    resolved = resolve_path(path)
    return _load_document(lambda: read_document(resolved), str(resolved), whatifs, sets)


def load_text(
    text: str,
    name: str,
    whatifs: list[str] | tuple[str, ...] = (),
    sets: list[tuple[str, Any]] | tuple = (),
    tables: Mapping[str, bytes] | None = None,
) -> tuple[Scenario, ModelData]:
    """As ``load``, from a scenario's YAML text (one kept in a database) and the table files it
    names (``tables``: file name -> bytes); every problem is located by ``name`` and line, e.g.
    'armed-neutrality v3, line 12: funding[x].budget: ...'."""
    sc, model, _ = _load_document(lambda: read_document_text(text, name, tables), TextSource(name), whatifs, sets)
    return sc, model


def _load_document(
    read: Callable[[], Document], where: str, whatifs: list[str] | tuple[str, ...], sets: list[tuple[str, Any]] | tuple
) -> tuple[Scenario, ModelData, list[Path]]:
    try:
        doc = read()
        applied = apply_whatifs(doc, whatifs, sets) if (whatifs or sets) else None
        scenario, model = load_document(doc, applied)
        model.whatifs = whatif_record(whatifs, sets)
        return scenario, model, doc.files
    except ScenarioError:
        raise
    except (ArithmeticError, AttributeError, LookupError, RecursionError, TypeError, ValueError) as exc:
        # A last resort: every input the tests could think of gets its own located message above.
        message = f"cannot read the scenario ({type(exc).__name__}: {exc}); this is a bug in materiel, please report it"
        raise ScenarioError([Problem((), message, file=where)]) from exc


def whatif_record(whatifs: list[str] | tuple[str, ...], sets: list[tuple[str, Any]] | tuple) -> list[str]:
    """The what-ifs of a run as a reader gives them: each name, then '--set PATH=VALUE' per assignment."""

    def text(value: Any) -> str:
        return value if isinstance(value, str) else json.dumps(value, default=str)

    return [*whatifs, *(f"--set {path}={text(value)}" for path, value in sets)]


def load_scenario(path: str | Path | None = None) -> Scenario:
    """The validated scenario (references checked and units converted once, to catch errors)."""
    return load(path)[0]
