"""The air threat on the planning grid: attack rates and interceptor assignments.

Interceptor demand per day = Σ over attacks of rate/day × share engaged × interceptors per target,
attack rates converted to days on the one calendar of ``units`` (a month is 365/12 days).
It becomes the wartime use of each interceptor item in each period (so sustainment and
force-design reserves use the same number). An attack's rate may move over the horizon: a yearly
growth, rate × (1 + g)^(t / periods a year), or milestones joined by straight lines from the rate at
the horizon's start (docs/assessment.md, "A threat that moves").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bounds import ATTACK_GROWTH, ATTACK_RATE, PER_ATTACK
from .convert import Converter
from .errors import Collector
from .refs import duplicates, ref
from .schema import Attack, Scenario
from .units import DAYS_PER, UnitError, fraction_rate, rate_basis


@dataclass
class ThreatData:
    """Attacks a and defences d (each an attack engaged by one interceptor item), periods t."""

    attacks: list[str]
    rate: np.ndarray  # (A, T) launches per day in a war that starts at the end of period t
    attack: np.ndarray  # (D,) attack index of each defence
    item: np.ndarray  # (D,) item index of each defence
    share: np.ndarray  # (D,) share of the attack's launches engaged
    per_attack: np.ndarray  # (D,) interceptors fired per engaged target
    p_kill: np.ndarray  # (D,) probability one engagement destroys the target

    def demand_per_day(self, n_items: int) -> np.ndarray:
        """(I, T) interceptors fired per day of the threat, by item and period."""
        out = np.zeros((n_items, self.rate.shape[1]))
        np.add.at(out, self.item, self.rate[self.attack] * self.share[:, None] * self.per_attack[:, None])
        return out


def _growth(at: Attack, conv: Converter, problems: Collector, loc: tuple) -> tuple[float, float] | None:
    """The yearly growth and the highest a sweep may draw, as fractions (None when it is missing or
    wrong; a wrong one is reported)."""
    if at.growth is None:
        return None
    try:
        factor, basis = fraction_rate(at.growth.unit)
        if basis != "year":
            raise UnitError(f"unit {at.growth.unit!r}: growth is yearly; write '/year', '%' or nothing")
    except UnitError as exc:
        problems.add((*loc, "growth", "unit"), str(exc))
        return None
    if not conv.within(at.growth, (*loc, "growth"), ATTACK_GROWTH, "a yearly growth", factor):
        return None
    high = at.growth.high if at.growth.high is not None else at.growth.value
    return at.growth.value * factor, high * factor


def _milestone_path(at: Attack, start: float, conv: Converter, problems: Collector, loc: tuple) -> np.ndarray:
    """(T,) straight lines from ``start`` at the first period through each milestone, held after the last."""
    cal = conv.cal
    points = {0: start}
    for j, ms in enumerate(at.milestones):
        mloc = (*loc, "milestones", j)
        idx = conv.period_index(ms.by, (*mloc, "by"))
        value = conv.per_day(ms, mloc, "an attack rate", default="month", bound=ATTACK_RATE)
        if idx is None:
            continue
        if idx >= cal.n or idx < 0:
            edge = f"after the horizon ends in {cal.label(cal.n - 1)}" if idx >= cal.n else "before the horizon starts"
            problems.warn((*mloc, "by"), f"{ms.by} is {edge}; the rate follows it only inside the horizon")
        if idx >= 0:
            points[idx] = value
    xs = sorted(points)
    return np.interp(np.arange(cal.n), xs, [points[x] for x in xs])


def attack_rate_path(at: Attack, conv: Converter, problems: Collector, loc: tuple) -> np.ndarray:
    """(T,) launches per day of one attack in each period: constant, growing, or by milestones."""
    T = conv.cal.n
    start = conv.per_day(at.rate, (*loc, "rate"), "an attack rate", default="month", bound=ATTACK_RATE)
    if not np.isfinite(start):  # a wrong unit, reported already
        return np.full(T, start)
    if at.growth is not None and at.milestones:
        problems.add((*loc, "milestones"), "give either growth or milestones for an attack's rate, not both")
        return np.full(T, start)
    if at.milestones:
        return _milestone_path(at, start, conv, problems, loc)
    growth = _growth(at, conv, problems, loc)
    if growth is None:
        return np.full(T, start)
    central, fastest = growth
    years = (T - 1) / conv.cal.per_year
    high_rate = at.rate.high if at.rate.high is not None else at.rate.value
    highest = high_rate / DAYS_PER[rate_basis(at.rate.unit, "month")] * (1 + max(fastest, 0)) ** years
    if highest > ATTACK_RATE.high:
        problems.add(
            (*loc, "growth"),
            f"growing at up to {fastest:.0%} a year the rate reaches {highest:.3g} launches a day by "
            f"{conv.cal.label(T - 1)}, above {ATTACK_RATE.high:g}, the limit for an attack rate (docs/scenario.md)",
        )
        return np.full(T, start)
    return start * (1 + central) ** (np.arange(T) / conv.cal.per_year)


def compile_threat(
    sc: Scenario, conv: Converter, problems: Collector, item_ix: dict[str, int], wartime: np.ndarray
) -> ThreatData | None:
    """Validate the threat section and write interceptor demand into ``wartime`` (per day)."""
    th = sc.threat
    if th is None:
        return None
    attack_ix = duplicates([a.id for a in th.attacks], "threat", problems)
    rate = np.zeros((len(th.attacks), conv.cal.n))
    for a, at in enumerate(th.attacks):
        rate[a] = attack_rate_path(at, conv, problems, ("threat", "attacks", a))
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
        if sc.items[i].system:
            problems.add(
                (*loc, "item"),
                f"item {de.item!r} is a system (a fire unit); a defence names the interceptor it fires, which "
                "names the system in its fired_by",
            )
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
