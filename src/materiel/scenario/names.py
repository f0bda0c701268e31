"""Names a reader knows, for the entities and figures of a scenario (docs/cli.md, "Names").

Tables keep ids (they join and pivot on them); sentences, terminal summaries and the report use
these names: an item, customer, category, vehicle or attack by its ``name``, a production line by
its supplier (with the item's name when the supplier runs several lines), and a figure's field path
(``requirements[ukraine/pac3-mse].targets[1]``) as "Requirement Armed Forces of Ukraine / PAC-3 MSE
interceptor — target by 2030Q4".
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

from .schema import DEFAULT_CATEGORIES, Scenario


class Names:
    """Display names of one scenario's entities, looked up by id (an unknown id stays as it is)."""

    def __init__(self, sc: Scenario) -> None:
        self.items = {i.id: i.name for i in sc.items}
        self.customers = {c.id: c.name for c in sc.customers}
        self.categories = DEFAULT_CATEGORIES | {c.id: c.name for c in sc.categories}
        self.funds = {f.id: f.name for f in sc.funding}
        self.attacks = {a.id: a.name for a in sc.threat.attacks} if sc.threat is not None else {}
        runs = Counter(ln.supplier for ln in sc.lines)
        self.lines = {
            ln.id: ln.supplier if runs[ln.supplier] == 1 else f"{ln.supplier}, {self.items.get(ln.item, ln.item)}"
            for ln in sc.lines
        }

    def item(self, ident: str) -> str:
        return self.items.get(ident, ident)

    def customer(self, ident: str) -> str:
        return self.customers.get(ident, ident)

    def category(self, ident: str) -> str:
        return self.categories.get(ident, ident)

    def fund(self, ident: str) -> str:
        return self.funds.get(ident, ident)

    def line(self, ident: str) -> str:
        return self.lines.get(ident, ident)

    def attack(self, ident: str) -> str:
        return self.attacks.get(ident, ident)


T = TypeVar("T")
_KEPT: dict[tuple[str, int], tuple[Scenario, object]] = {}  # (what, id(scenario)) -> (scenario, value)
_KEPT_LOCK = threading.Lock()


def _once(what: str, sc: Scenario, make: Callable[[Scenario], T]) -> T:
    """``make(sc)`` built once per scenario object (scenarios are not hashable; the few latest kept)."""
    key = (what, id(sc))
    kept = _KEPT.get(key)
    if kept is None or kept[0] is not sc:
        kept = (sc, make(sc))
        with _KEPT_LOCK:  # scenarios planned in threads at once (a web server) share the cache
            if len(_KEPT) >= 8:
                _KEPT.pop(next(iter(_KEPT)))
            _KEPT[key] = kept
    return kept[1]  # type: ignore[return-value]


def names(sc: Scenario) -> Names:
    """The display names of ``sc``'s entities (built once per scenario object)."""
    return _once("names", sc, Names)


ONE_OF = {"targets": "target", "milestones": "milestone", "phase_in": "phase-in"}  # a list field's entry


def _words(field: object) -> str:
    """A schema field as words: 'expansion_max' -> 'expansion max'."""
    return str(field).replace("_", " ")


def _step(steps: object, at: object) -> str:
    """' from 2028Q1' for a schedule step that starts later, ' by 2030Q4' for a milestone, else ''."""
    if not isinstance(steps, list) or not isinstance(at, int) or at >= len(steps):
        return ""
    step = steps[at]
    if (by := getattr(step, "by", None)) is not None:
        return f" by {by}"
    if (start := getattr(step, "from_", None)) is not None:
        return f" from {start}"
    return ""


def _field(node: object, rest: tuple, n: Names) -> str:
    """The words for what is left of a location below an entity: a field, a customer's figure,
    a schedule's step, a nested figure (a step's growth)."""
    if not rest:
        return ""
    name, tail = rest[0], rest[1:]
    value = getattr(node, str(name), None) if not isinstance(node, dict) else node.get(name)
    if name == "from":
        value = getattr(node, "from_", None)
    text = _words(name)
    if tail and isinstance(value, dict):
        key = tail[0]
        who = n.customers.get(key) or n.items.get(key) or str(key)
        return f"{text}, {who}" + _field(value.get(key), tail[1:], n).replace(" — ", ", ", 1)
    if tail and isinstance(value, list) and isinstance(tail[0], int):
        entry = value[tail[0]] if tail[0] < len(value) else None
        if name == "fired_by" and entry is not None:
            return f"fired by {n.item(entry.system)}" + _sub(entry, tail[1:], n)
        if name == "allotments" and entry is not None:
            return f"{n.item(entry.item)} allotment" + _sub(entry, tail[1:], n)
        return ONE_OF.get(str(name), text) + _step(value, tail[0]) + _sub(entry, tail[1:], n)
    return text + _sub(value, tail, n)


def _sub(node: object, rest: tuple, n: Names) -> str:
    return f": {_field(node, rest, n)}" if rest else ""


def _entity(section: str, entry: object, n: Names) -> str:
    """The words naming one entry of a top-level list."""
    if section == "items":
        return f"Item {n.item(entry.id)}"
    if section == "lines":
        return f"Line {n.line(entry.id)}"
    if section == "funding":
        return f"Vehicle {n.fund(entry.id)}"
    if section == "requirements":
        return f"Requirement {n.customer(entry.customer)} / {n.item(entry.item)}"
    if section == "force_design":
        return f"{possessive(n.customer(entry.customer))} force design"
    if section == "drawdowns":
        return f"Drawdown by {entry.donor} of {n.item(entry.item)} to {n.customer(entry.customer)}"
    if section == "commitments":
        return f"Commitment on {n.line(entry.line)} for {n.customer(entry.customer)} in {entry.period}"
    if section == "customers":
        return f"Customer {n.customer(entry.id)}"
    return _words(section).capitalize()


def describe_loc(sc: Scenario, loc: tuple) -> str:
    """A figure's location (as ``iter_quantities`` gives it) in words a reader knows."""
    n = names(sc)
    if not loc:
        return ""
    head, rest = loc[0], loc[1:]
    node = getattr(sc, str(head), None)
    if head == "currency" and rest[:1] == ("fx",) and len(rest) == 2:
        return f"Exchange rate {rest[1]} to {sc.currency.base}"
    if head == "threat" and node is not None and len(rest) >= 2 and isinstance(rest[1], int):
        entries = getattr(node, str(rest[0]))
        entry = entries[rest[1]]
        if rest[0] == "attacks":
            what = f"Threat: {entry.name}"
        else:
            what = f"Defence of {n.attack(entry.attack)} by {n.item(entry.item)}"
        return _joined(what, _field(entry, rest[2:], n))
    if isinstance(node, list) and rest and isinstance(rest[0], int) and rest[0] < len(node):
        entry = node[rest[0]]
        return _joined(_entity(str(head), entry, n), _field(entry, rest[1:], n))
    return _joined(_words(head).capitalize(), _field(node, rest, n))


def _joined(what: str, field: str) -> str:
    return f"{what} — {field}" if field else what


def describe_path(sc: Scenario, path: str) -> str:
    """A field path (``field_path``: ``lines[lockheed-pac3].capacity[0]``) in words a reader
    knows; a path that names no figure of ``sc`` is returned as it is."""
    return _once("paths", sc, _readable).get(path, path)


def _readable(sc: Scenario) -> dict[str, str]:
    """Every explicit figure's field path -> its words."""
    from .compiled import iter_quantities
    from .provenance import field_path

    return {field_path(sc, loc): describe_loc(sc, loc) for loc, _ in iter_quantities(sc, explicit=True)}


def possessive(name: str) -> str:
    """ "Armed Forces of Ukraine's", "European forces'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"
