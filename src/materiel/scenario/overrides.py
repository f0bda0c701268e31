"""What-if overrides: named changes applied to a scenario's data before it is validated.

A path names what to change, from the top of the file: dots between fields, and a selector in
brackets to pick list entries —

    funding[eu-support-loan].budget       the entry whose id is eu-support-loan
    lines[country=KR].share.ukraine       every line whose country is KR
    lines[*].lead                         every line
    items[0].stock.ukraine                the first item

Operations: ``set`` (replace; a number written onto a figure keeps its unit; missing fields are
created), ``scale`` (multiply a figure, its range, or every step of a schedule), ``shift`` (delay the
steps of a schedule that start after the horizon's start: announced ramps and new plants). A
changed figure records the what-if as its provenance. Because overrides change the data before
validation, an override that produces a bad value gets the same located message as the file.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from .bounds import DURATION
from .documents import parse_value
from .errors import Loc, Problem, ScenarioError
from .periods import Frequency, parse_period
from .units import UnitError, duration_months

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_\-]*)(?:\[([^\]]*)\])?")


class PathError(ValueError):
    """A path that does not fit the scenario; the message says why."""


@dataclass
class Target:
    """One place a path resolves to: the container, the key or index in it, and its location."""

    container: dict | list
    key: str | int
    loc: Loc


@dataclass
class Applied:
    """Where each what-if changed the data, to annotate later problems."""

    changed: dict[Loc, str] = field(default_factory=dict)

    def note_for(self, loc: Loc) -> str | None:
        for n in range(len(loc), 0, -1):
            if loc[:n] in self.changed:
                return self.changed[loc[:n]]
        return None


def parse_path(path: str) -> list[tuple[str, str | None]]:
    """Split ``lines[country=KR].share.ukraine`` into (field, selector) pairs."""
    out: list[tuple[str, str | None]] = []
    pos = 0
    while pos < len(path):
        m = _SEGMENT.match(path, pos)
        if not m:
            raise PathError(f"cannot read path {path!r} at {path[pos:]!r}; write e.g. lines[country=KR].share.ukraine")
        out.append((m.group(1), m.group(2)))
        pos = m.end()
        if pos < len(path):
            if path[pos] != ".":
                raise PathError(f"cannot read path {path!r} at {path[pos:]!r}; separate fields with '.'")
            pos += 1
    if not out:
        raise PathError("an empty path names nothing")
    return out


def _select(items: list, selector: str, where: str) -> list[int]:
    selector = selector.strip()
    if selector == "*":
        return list(range(len(items)))
    if re.fullmatch(r"-?\d+", selector):
        n = int(selector)
        if not -len(items) <= n < len(items):
            raise PathError(f"{where} has {len(items)} entries; index {n} is outside it")
        return [n % len(items)]
    if "=" in selector:
        key, value = (s.strip() for s in selector.split("=", 1))
        hits = [n for n, it in enumerate(items) if isinstance(it, dict) and str(it.get(key)) == value]
        if not hits:
            seen = sorted({str(it.get(key)) for it in items if isinstance(it, dict) and key in it})
            raise PathError(
                f"no entry of {where} has {key}={value}"
                + (f"; values present: {', '.join(seen[:12])}" if seen else f"; its entries have no field {key!r}")
            )
        return hits
    hits = [n for n, it in enumerate(items) if isinstance(it, dict) and str(it.get("id")) == selector]
    if not hits:
        ids = [str(it.get("id")) for it in items if isinstance(it, dict)]
        raise PathError(
            f"{where} has no entry with id {selector!r}; ids: {', '.join(ids[:12])}{' ...' if len(ids) > 12 else ''}"
        )
    return hits


def resolve(data: dict, path: str, create: bool = False) -> list[Target]:
    """Every place ``path`` names in ``data``; ``create`` allows a missing last field."""
    segments = parse_path(path)
    frontier: list[tuple[Any, Loc]] = [(data, ())]
    targets: list[Target] = []
    for n, (name, selector) in enumerate(segments):
        last = n == len(segments) - 1
        nxt: list[tuple[Any, Loc]] = []
        for node, loc in frontier:
            where = ".".join(str(p) for p in (*loc, name))
            if not isinstance(node, dict):
                raise PathError(
                    f"{'.'.join(map(str, loc)) or 'the scenario'} is a single value; it has no field {name!r}"
                )
            if name not in node and create and selector is None:
                if last:
                    targets.append(Target(node, name, (*loc, name)))
                else:
                    node[name] = {}
                    nxt.append((node[name], (*loc, name)))
                continue
            if name not in node:
                raise PathError(f"{where} does not exist; fields here: {', '.join(map(str, node)) or 'none'}")
            if selector is None:
                if last:
                    targets.append(Target(node, name, (*loc, name)))
                else:
                    nxt.append((node[name], (*loc, name)))
                continue
            items = node[name]
            if not isinstance(items, list):
                raise PathError(f"{where} is not a list, so [{selector}] selects nothing")
            for i in _select(items, selector, where):
                if last:
                    targets.append(Target(items, i, (*loc, name, i)))
                else:
                    nxt.append((items[i], (*loc, name, i)))
        frontier = nxt
    return targets


def _figure_unit(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("unit")
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0].get("unit")
    return None


def _set(target: Target, value: Any, why: str) -> None:
    old = (
        target.container[target.key]
        if not (isinstance(target.container, dict) and target.key not in target.container)
        else None
    )
    if isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(old, (dict, list)):
        figure: dict[str, Any] = {"value": value, "assumption": why}
        if (unit := _figure_unit(old)) is not None:
            figure["unit"] = unit
        if isinstance(old, dict) and "year" in old:
            figure["year"] = old["year"]
        value = figure
    target.container[target.key] = copy.deepcopy(value)


def _number(value: Any) -> float | None:
    """A number written as one, or as text (every cell of a CSV table is text); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _scale_value(node: Any, factor: float, why: str) -> Any:
    if isinstance(node, bool):
        raise PathError("cannot scale a true/false setting")
    if (number := _number(node)) is not None:
        return number * factor
    if isinstance(node, dict) and "value" in node:
        out = dict(node)
        for key in ("value", "low", "high", "cap"):  # a growing step's cap is in the value's unit
            if (number := _number(out.get(key))) is not None:
                out[key] = number * factor
        out["note"] = "; ".join(x for x in (out.get("note"), why) if x)
        return out
    if isinstance(node, list):
        return [_scale_value(step, factor, why) for step in node]
    raise PathError(f"can only scale numbers, figures and schedules, not {type(node).__name__}")


def _shift_steps(node: Any, months: int, start: str) -> Any:
    """Delay the steps of a schedule that lie after the horizon start (announced ramps and new
    plants); what already runs at the start stays."""
    steps = node if isinstance(node, list) else [node]
    first = parse_period(start, Frequency.month)
    out = []
    for step in steps:
        step = dict(step) if isinstance(step, dict) else {"value": step}
        begins = parse_period(step["from"], Frequency.month) if "from" in step else first
        if begins > first:
            moved = begins + months
            step["from"] = f"{moved // 12}-{moved % 12 + 1:02d}"
        out.append(step)
    return out


def apply_override(data: dict, name: str, spec: dict[str, Any], applied: Applied) -> list[Problem]:
    """Apply one named what-if to ``data`` in place; problems carry the override's location."""
    problems: list[Problem] = []
    why = f"what-if '{name}'" + (f": {spec.get('description')}" if spec.get("description") else "")
    horizon = data.get("horizon")
    start = str(horizon.get("start", "")) if isinstance(horizon, dict) else ""
    for op in ("set", "scale", "shift"):
        for path, arg in (spec.get(op) or {}).items():
            loc: Loc = ("overrides", name, op, path)
            try:
                targets = resolve(data, path, create=op == "set")
                for target in targets:
                    if op == "set":
                        _set(target, arg, why)
                    elif op == "scale":
                        if (factor := _number(arg)) is None:
                            raise PathError(f"a scale factor is a number (got {arg!r})")
                        target.container[target.key] = _scale_value(target.container[target.key], factor, why)
                    else:
                        q = arg if isinstance(arg, dict) else {"value": arg}
                        try:
                            months = float(q["value"]) * duration_months(q.get("unit"), "month")
                        except (UnitError, KeyError, TypeError, ValueError) as exc:
                            raise PathError(
                                f"a delay is a duration such as 6 or {{value: 2, unit: quarters}} ({exc})"
                            ) from None
                        if not abs(months) <= DURATION.high * 12:
                            raise PathError(f"a delay is at most {DURATION.high:g} years either way (got {q['value']})")
                        months = round(months)
                        target.container[target.key] = _shift_steps(target.container[target.key], months, start)
                    applied.changed[target.loc] = why
            except PathError as exc:
                problems.append(Problem(loc, str(exc)))
            except ValueError as exc:  # a bad period inside a shifted schedule
                problems.append(Problem(loc, f"cannot shift: {exc}"))
    return problems


def expand(data: dict, names: list[str], within: tuple[str, ...] = ()) -> list[str]:
    """Variant names become their overrides (in order); override names stay; unknown names fail,
    and so does a variant that includes itself, directly or through others (``within`` is the
    chain of variants being expanded)."""
    overrides = data.get("overrides") if isinstance(data.get("overrides"), dict) else {}
    variants = data.get("variants") if isinstance(data.get("variants"), dict) else {}
    out: list[str] = []
    for name in names:
        if name in within:
            chain = " → ".join((*within[within.index(name) :], name))
            raise ScenarioError([Problem(("variants", within[-1]), f"variants include each other in a loop: {chain}")])
        if name in variants:
            members = variants[name] if isinstance(variants[name], list) else []
            out.extend(expand(data, [str(m) for m in members], (*within, name)))
        elif name in overrides:
            out.append(name)
        else:
            known = sorted({*overrides, *variants})
            where: Loc = ("variants", within[-1]) if within else ("overrides",)
            raise ScenarioError([Problem(where, f"no what-if called {name!r}; defined: {', '.join(known) or 'none'}")])
    return out


def _split_assignment(text: str) -> tuple[str, str] | None:
    """``path`` and ``value`` of ``path=value``, split at the first '=' outside brackets (a
    selector such as ``[country=KR]`` holds one of its own); None when there is none."""
    depth = 0
    for n, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth = max(depth - 1, 0)
        elif char == "=" and depth == 0:
            return text[:n], text[n + 1 :]
    return None


def parse_assignment(text: str) -> tuple[str, Any]:
    """``path=value`` from the command line; the value is read as YAML (a number, text, list)."""
    parts = _split_assignment(text)
    if parts is None:
        raise ScenarioError(
            [
                Problem(
                    (),
                    f"expected PATH=VALUE with '=' after the path, e.g. lines[country=KR].share.ukraine=0 (got {text!r})",
                    file="--set",
                    path=text,
                )
            ]
        )
    path, raw = parts
    try:
        value = parse_value(raw)
    except ScenarioError as exc:
        for p in exc.problems:
            p.file, p.path = "--set", text
        raise
    return path.strip(), value
