"""The air threat on the planning grid: attack rates and interceptor assignments.

Interceptor demand per day = Σ over attacks of rate/day × share engaged × interceptors per target,
attack rates converted to days on the one calendar of ``units`` (a month is 365/12 days).
It becomes the wartime use of each interceptor item (so sustainment and force-design reserves use
the same number).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bounds import ATTACK_RATE, PER_ATTACK
from .convert import Converter
from .errors import Collector
from .refs import duplicates, ref
from .schema import Scenario


@dataclass
class ThreatData:
    """Attacks a and defences d (each an attack engaged by one interceptor item)."""

    attacks: list[str]
    rate: np.ndarray  # (A,) launches per day
    attack: np.ndarray  # (D,) attack index of each defence
    item: np.ndarray  # (D,) item index of each defence
    share: np.ndarray  # (D,) share of the attack's launches engaged
    per_attack: np.ndarray  # (D,) interceptors fired per engaged target
    p_kill: np.ndarray  # (D,) probability one engagement destroys the target

    def demand_per_day(self, n_items: int) -> np.ndarray:
        """(I,) interceptors fired per day of the threat, by item."""
        out = np.zeros(n_items)
        np.add.at(out, self.item, self.rate[self.attack] * self.share * self.per_attack)
        return out


def compile_threat(
    sc: Scenario, conv: Converter, problems: Collector, item_ix: dict[str, int], wartime: np.ndarray
) -> ThreatData | None:
    """Validate the threat section and write interceptor demand into ``wartime`` (per day)."""
    th = sc.threat
    if th is None:
        return None
    attack_ix = duplicates([a.id for a in th.attacks], "threat", problems)
    rate = np.zeros(len(th.attacks))
    for a, at in enumerate(th.attacks):
        loc = ("threat", "attacks", a, "rate")
        rate[a] = conv.per_day(at.rate, loc, "an attack rate", default="month", bound=ATTACK_RATE)
    D = len(th.defences)
    attack = np.zeros(D, dtype=np.int64)
    item = np.zeros(D, dtype=np.int64)
    share, per_attack, p_kill = np.zeros(D), np.zeros(D), np.zeros(D)
    ok = np.zeros(D, dtype=bool)
    for d, de in enumerate(th.defences):
        loc = ("threat", "defences", d)
        a = ref(de.attack, attack_ix, (*loc, "attack"), "attack", problems)
        i = ref(de.item, item_ix, (*loc, "item"), "item", problems)
        share[d] = conv.fraction(de.share, (*loc, "share"))
        p_kill[d] = conv.fraction(de.p_kill, (*loc, "p_kill"))
        if conv.within(de.per_attack, (*loc, "per_attack"), PER_ATTACK, "interceptors per target"):
            per_attack[d] = de.per_attack.value
        if a is None or i is None:
            continue
        attack[d], item[d], ok[d] = a, i, True
        if sc.items[i].wartime_use is not None:
            problems.add(
                (*loc, "item"),
                f"item {de.item!r} gives its own wartime_use; an interceptor's wartime use comes from the threat section, so remove one of them",
            )
    for a, at in enumerate(th.attacks):
        total = share[ok & (attack == a)].sum()
        if total > 1 + 1e-9:
            first = int(np.flatnonzero(ok & (attack == a))[-1])
            problems.add(
                ("threat", "defences", first, "share"),
                f"the shares of attack {at.id!r} engaged by its interceptors add up to {total:.2f}; at most 1",
            )
    data = ThreatData([a.id for a in th.attacks], rate, attack, item, share, per_attack, p_kill)
    engaged = np.unique(item[ok])
    wartime[engaged] = data.demand_per_day(len(wartime))[engaged]
    return data
