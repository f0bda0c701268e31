"""Components: items made on lines and used only by the lines that need them (docs/model.md,
"Components").

``compile_components`` reads each line's ``needs`` into a (lines × items) array and refuses, with
located messages, what cannot be planned: a need of an unknown item or of an item that is not a
component, a need that is not a positive number, a component no line makes, components that
depend on each other in a cycle, and a component held, used, targeted, ordered, transferred or kept
by a customer (stock, use, upkeep, a target, a commitment, a drawdown, a system or a critical item),
or refurbished from storage.
"""

from __future__ import annotations

import numpy as np

from .bounds import NEED
from .convert import Converter
from .errors import Collector, Loc
from .refs import ref
from .schema import Scenario


def compile_components(
    sc: Scenario, conv: Converter, problems: Collector, items: dict[str, int], line_item: np.ndarray, room: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(I,) whether each item is a component, and (L, I) units of component i that one unit of line
    l's output needs; every problem recorded in ``problems``. ``room`` (L,) says whether a line has
    capacity in the horizon or may expand."""
    component = np.array([it.component for it in sc.items], dtype=bool)
    need = np.zeros((len(sc.lines), len(sc.items)))
    makers = np.zeros(len(sc.items), dtype=bool)
    makers[line_item[: len(sc.lines)]] = True
    for l, ln in enumerate(sc.lines):
        for name, q in ln.needs.items():
            loc: Loc = ("lines", l, "needs", name)
            i = ref(name, items, loc, "item", problems)
            ok = conv.within(q, loc, NEED, "a need")
            if i is None:
                continue
            if not component[i]:
                problems.add(
                    loc,
                    f"{name!r} is not a component; a line can need only items marked 'component: true' "
                    "(shell bodies, charges, fuzes, explosives, motors, seekers)",
                )
            elif not makers[i]:
                problems.add(loc, f"no line makes component {name!r}; add a line whose item is {name!r}")
            elif ok:
                need[l, i] = q.value
    _cycles(sc, need, line_item, problems)
    _not_for_customers(sc, component, items, problems)
    _unused(sc, component, need, makers, problems)
    _never_made(sc, component, need, line_item, room, problems)
    return component, need


def _cycles(sc: Scenario, need: np.ndarray, line_item: np.ndarray, problems: Collector) -> None:
    """Components that need themselves, directly or through others: one problem per cycle, at the
    need that closes it, naming its path."""
    edges: dict[int, list[tuple[int, int]]] = {}  # component -> [(needed component, line)]
    for l, i in np.argwhere(need > 0):
        edges.setdefault(int(line_item[l]), []).append((int(i), int(l)))
    names = [it.id for it in sc.items]
    done: set[int] = set()
    reported: set[frozenset[int]] = set()

    def visit(node: int, path: list[int], via: list[int]) -> None:
        for nxt, l in edges.get(node, []):
            if nxt in path:
                cycle = path[path.index(nxt) :]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    lines = [*via[path.index(nxt) + 1 :], l]
                    route = " → ".join(names[n] for n in [*cycle, nxt])
                    problems.add(
                        ("lines", l, "needs", names[nxt]),
                        f"components need each other in a cycle: {route} (lines "
                        f"{', '.join(sc.lines[x].id for x in lines)}); a component cannot need itself",
                    )
            elif nxt not in done:
                visit(nxt, [*path, nxt], [*via, l])
        done.add(node)

    for start in sorted(edges):
        if start not in done:
            visit(start, [start], [-1])


def _not_for_customers(sc: Scenario, component: np.ndarray, items: dict[str, int], problems: Collector) -> None:
    """A component goes only to the lines that need it: no customer holds, uses, keeps (upkeep),
    fields (a system, a munition fired by systems, a critical item), targets, orders or receives
    it from a donor's stock, and no line refurbishes it from storage."""
    why = "is a component: it goes only to the lines that need it, never to a customer"

    def is_component(name: str) -> bool:
        return name in items and bool(component[items[name]])

    for i, it in enumerate(sc.items):
        if not it.component:
            continue
        for key in ("stock", "use", "wartime_use", "upkeep", "system", "fired_by", "min_coverage"):
            if getattr(it, key):
                problems.add(("items", i, key), f"{it.id!r} {why}; remove {key}")
    for j, r in enumerate(sc.requirements):
        if is_component(r.item):
            problems.add(("requirements", j, "item"), f"{r.item!r} {why}, so it has no target")
    for j, fd in enumerate(sc.force_design):
        for a, al in enumerate(fd.allotments):
            if is_component(al.item):
                problems.add(("force_design", j, "allotments", a, "item"), f"{al.item!r} {why}, so it has no target")
    for d, de in enumerate(sc.threat.defences if sc.threat else []):
        if is_component(de.item):
            problems.add(("threat", "defences", d, "item"), f"{de.item!r} {why}; name the interceptor made from it")
    for j, dd in enumerate(sc.drawdowns):
        if is_component(dd.item):
            problems.add(("drawdowns", j, "item"), f"{dd.item!r} {why}, so no donor transfers it to one")
    component_lines = {ln.id for ln in sc.lines if is_component(ln.item)}
    for l, ln in enumerate(sc.lines):
        if ln.id in component_lines and ln.share:
            problems.add(
                ("lines", l, "share"),
                f"line {ln.id} makes the component {ln.item!r}, which no customer takes; its capacity is already "
                "what the scenario's lines may use (net of other buyers): remove share",
            )
        if ln.id in component_lines and ln.stored is not None:
            problems.add(
                ("lines", l, "stored"),
                f"line {ln.id} makes the component {ln.item!r}: only end items are refurbished from storage; "
                "remove stored",
            )
    for j, c in enumerate(sc.commitments):
        if c.line in component_lines:
            problems.add(
                ("commitments", j, "line"),
                f"line {c.line} makes a component, which customers do not order; commit an order on a line that "
                "uses it",
            )


def _unused(sc: Scenario, component: np.ndarray, need: np.ndarray, makers: np.ndarray, problems: Collector) -> None:
    """Warn of a component that lines make but no line needs: their output goes nowhere."""
    needed = (need > 0).any(axis=0)
    for i, it in enumerate(sc.items):
        if component[i] and makers[i] and not needed[i]:
            problems.warn(
                ("items", i, "component"),
                f"lines make the component {it.id!r} but no line needs it, so their output is never used",
            )


def supply_factor(component: np.ndarray, need: np.ndarray, line_item: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """(L, T) the share of each line's ``capacity`` that its components allow when every line runs
    at that capacity: for each component, what its lines can make (themselves limited by their own
    components) over what every line needing it would use at full capacity, at most 1; a line takes
    the least of its components' shares. Conservative (a line held back by one component still
    counts its full use of the others); 1 everywhere without components. The assessment's surge
    production during a war uses it (docs/assessment.md)."""
    L, T = capacity.shape
    factor = np.ones((L, T))
    if not component.any():
        return factor
    makers = component[line_item]
    users, parts = np.nonzero(need > 0)
    demand = need.T @ capacity  # (I, T) every consumer at full capacity
    for _ in range(int(component.sum()) + 1):  # components form no cycle: depth ≤ their number
        supply = np.zeros(demand.shape)
        np.add.at(supply, line_item[makers], (capacity * factor)[makers])
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(demand > 0, np.minimum(1.0, supply / np.where(demand > 0, demand, 1.0)), 1.0)
        limited = np.ones((L, T))
        np.minimum.at(limited, users, ratio[parts])
        if np.array_equal(limited, factor):
            break
        factor = limited
    return factor


def _never_made(
    sc: Scenario, component: np.ndarray, need: np.ndarray, line_item: np.ndarray, room: np.ndarray, problems: Collector
) -> None:
    """Warn of a needed component whose lines have no capacity in the horizon and cannot expand:
    the lines needing it can make nothing (beyond what the pipeline brings, which is nothing
    without capacity)."""
    can_make = np.zeros(len(sc.items), dtype=bool)
    can_make[line_item[room]] = True
    for i in np.flatnonzero(component & (need > 0).any(axis=0) & ~can_make):
        users = ", ".join(sc.lines[l].id for l in np.flatnonzero(need[:, i] > 0))
        problems.warn(
            ("items", int(i), "component"),
            f"no line making {sc.items[i].id!r} has capacity in the horizon or may expand, so lines {users} "
            "can make nothing",
        )
