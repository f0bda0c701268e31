"""Systems (fire units) and the munitions they fire, and critical items, in model units.

A munition that names systems in ``fired_by`` can be fired at most Σ_s held_s × rate_{i,s} rounds a
day; the assessment counts only what can be fired (docs/assessment.md, "Systems and the munitions
they fire"). An item with ``min_coverage`` is critical (docs/assessment.md, "Readiness").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bounds import FIRE_RATE
from .convert import Converter
from .errors import Collector
from .refs import ref
from .schema import Scenario


@dataclass
class FireData:
    """Which items are systems, which munitions they fire and how fast, and critical items."""

    system: np.ndarray  # (I,) bool: the item is a system
    limited: np.ndarray  # (I,) bool: the munition names systems in fired_by
    rate: np.ndarray  # (I, I) rounds of munition i one system s fires a day (0 where s does not fire i)
    min_coverage: np.ndarray  # (I,) least coverage of a critical item; NaN where the item is not critical


def compile_fire(sc: Scenario, conv: Converter, problems: Collector, item_ix: dict[str, int]) -> FireData:
    """Check every ``fired_by`` (a system that exists and is a system, a finite rate ≥ 0, named
    once) and every ``min_coverage`` (a share)."""
    I = len(sc.items)
    out = FireData(
        system=np.array([it.system for it in sc.items], dtype=bool),
        limited=np.array([bool(it.fired_by) for it in sc.items], dtype=bool),
        rate=np.zeros((I, I)),
        min_coverage=np.full(I, np.nan),
    )
    for i, it in enumerate(sc.items):
        loc = ("items", i)
        if it.min_coverage is not None:
            out.min_coverage[i] = conv.fraction(it.min_coverage, (*loc, "min_coverage"))
        if it.fired_by and it.system:
            problems.add(
                (*loc, "fired_by"),
                f"item {it.id!r} is a system; a system is not fired by other systems (remove system: true "
                "if it is a munition)",
            )
        seen: set[int] = set()
        for j, fb in enumerate(it.fired_by):
            floc = (*loc, "fired_by", j)
            per_day = conv.per_day(fb.rate, (*floc, "rate"), "a fire rate", default="day", bound=FIRE_RATE)
            s = ref(fb.system, item_ix, (*floc, "system"), "item", problems)
            if s is None:
                continue
            if not sc.items[s].system:
                problems.add(
                    (*floc, "system"),
                    f"item {fb.system!r} is not a system; mark it system: true or name a system "
                    f"({', '.join(x.id for x in sc.items if x.system) or 'the scenario declares none'})",
                )
            elif s in seen:
                problems.add((*floc, "system"), f"system {fb.system!r} is named twice for {it.id!r}")
            else:
                seen.add(s)
                out.rate[i, s] = per_day
    return out


def warn_untargeted_critical(sc: Scenario, target: np.ndarray, customer: str, problems: Collector) -> None:
    """A warning for each critical item the assessed customer has no target for: its minimum
    coverage can never hold its category back."""
    for i, it in enumerate(sc.items):
        if it.min_coverage is not None and not (target[i] > 0).any():
            problems.warn(
                ("items", i, "min_coverage"),
                f"{customer} has no target for {it.id!r}, so its minimum coverage never applies; give it a "
                "target (requirements or force_design) or remove min_coverage",
            )


def warn_unexplained_weights(sc: Scenario, problems: Collector) -> None:
    """A warning for each item weighted other than 1 without a ``weight_rationale``: a weight
    decides how much the item counts in its category's readiness, so it should say why."""
    for i, it in enumerate(sc.items):
        if it.weight != 1 and not it.weight_rationale:
            problems.warn(
                ("items", i, "weight"),
                f"{it.id!r} counts {it.weight:g} times an item of weight 1 in its category's readiness; "
                "say why in weight_rationale (it is shown beside the weight in reports)",
            )
