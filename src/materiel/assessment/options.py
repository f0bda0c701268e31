"""Policy options side by side (docs/assessment.md): armed neutrality, a European reassurance
force, a binding external guarantee — and what-if variants of the scenario.

A reassurance force of N deployed troops costs N · cost per soldier-year · rotation a year, from
its start period on, and is paid from the same envelope as the plan: each envelope vehicle's budget
in year y is cut by the share force cost(y) / envelope budget(y) (to zero if the force costs more).
A guarantee leaves the envelope's ``envelope_share`` to the plan and states the dependency. The
envelope is aid: the recipients' own money (vehicles with ``own: true``, such as Ukraine's defence
budget) stays with their forces under every option. What each option gives up is set beside what it
costs, against the first option (armed neutrality, or the baseline of a what-if comparison).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..fmt import days as fmt_days
from ..fmt import money
from ..planner import SolverOptions, make_plan
from ..planner.money import by_customer
from ..planner.result import Plan
from ..scenario.compiled import ModelData
from ..scenario.loader import load
from ..scenario.policy import PolicyData
from ..scenario.provenance import inputs_table
from ..scenario.schema import Scenario
from . import Assessment, assess


@dataclass
class OptionResult:
    """One option or variant: its plan, assessment and what it costs Europe."""

    name: str
    kind: str  # "armed neutrality", "reassurance force", "guarantee" or "variant"
    description: str
    plan: Plan
    assessment: Assessment
    force_cost: np.ndarray  # (Y,) money per year spent on troops
    envelope_cost: np.ndarray  # (Y,) money per year the envelope vehicles spent on the plan
    troops: int | None = None
    committed: float | None = None  # troops × rotation
    willing: float | None = None
    constraints: str = ""
    dependency: str = ""
    note: str = ""

    force_cost_range: tuple[float, float] | None = None  # yearly force cost at the low and high cost per soldier

    def __repr__(self) -> str:
        from ..api import option_repr

        return option_repr(self)

    @property
    def cost_per_year(self) -> float:
        """Average yearly cost to the European envelope: troops plus what the plan spent from it."""
        return float((self.force_cost + self.envelope_cost).mean())

    @property
    def own_means_per_year(self) -> float:
        """Average yearly money the plan spent from the recipients' own vehicles."""
        own, _ = self.plan.own_and_aid()
        return float(own.mean())


def force_cost_by_year(m: ModelData, pol: PolicyData, troops: int) -> np.ndarray:
    """(Y,) money per year for ``troops`` deployed from the force's start period."""
    yearly = troops * pol.cost_per_soldier_year * pol.rotation
    paid = (np.arange(m.T) >= pol.force_start).astype(float) / m.cal.per_year
    out = np.zeros(len(m.years))
    np.add.at(out, m.year_index, paid * yearly)
    return out


def with_envelope_cut(m: ModelData, envelope: list[int], cut: np.ndarray) -> tuple[ModelData, str]:
    """A copy of ``m`` whose envelope budgets are reduced by ``cut`` (money per year)."""
    budget = m.budget.copy()
    total = budget[envelope].sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.where(total > 0, np.clip(1 - cut / np.where(total > 0, total, 1), 0.0, 1.0), 0.0)
    budget[envelope] *= keep[None, :]
    short = cut - total
    note = ""
    if (short > 1e-6).any():
        years = [str(y) for y, s in zip(m.years, short, strict=True) if s > 1e-6]
        note = f"the force costs more than the whole envelope in {', '.join(years)}; the plan gets nothing then"
    return replace(m, budget=budget), note


def _spent_by_envelope(plan: Plan, envelope: list[int]) -> np.ndarray:
    m = plan.model
    funds = [m.funds[f] for f in envelope]
    spent = plan.funding[plan.funding["fund"].isin(funds)].groupby("year")["amount"].sum()
    return spent.reindex(m.years, fill_value=0.0).to_numpy()


def _force_cost_range(m: ModelData, pol: PolicyData, troops: int) -> tuple[float, float] | None:
    """Average yearly force cost at the low and high ends of the cost per soldier-year."""
    if pol.cost_range is None or pol.cost_per_soldier_year <= 0:
        return None
    mean = float(force_cost_by_year(m, pol, troops).mean())
    low, high = pol.cost_range
    return mean * low / pol.cost_per_soldier_year, mean * high / pol.cost_per_soldier_year


def option_specs(m: ModelData) -> Iterator[tuple[str, str, str, Callable[[], tuple[ModelData, np.ndarray, str]], dict]]:
    """(name, kind, description, make model, extra fields) for each option the scenario defines."""
    pol = m.policy
    Y = len(m.years)
    yield (
        "armed neutrality",
        "armed neutrality",
        "the whole envelope to Ukraine's own forces",
        lambda: (m, np.zeros(Y), ""),
        {"constraints": pol.armed_neutrality},
    )
    for troops in pol.troops:
        cost = force_cost_by_year(m, pol, troops)

        def make(cost: np.ndarray = cost) -> tuple[ModelData, np.ndarray, str]:
            model, note = with_envelope_cut(m, pol.envelope, cost)
            return model, cost, note

        yield (
            f"reassurance force {troops // 1000}k",
            "reassurance force",
            f"{troops:,} troops deployed, paid from the same envelope",
            make,
            {
                "troops": troops,
                "committed": troops * pol.rotation,
                "willing": pol.willing,
                "constraints": pol.force_constraints,
                "force_cost_range": _force_cost_range(m, pol, troops),
            },
        )
    if pol.guarantee_share is not None:
        share = pol.guarantee_share

        def make_guarantee() -> tuple[ModelData, np.ndarray, str]:
            total = m.budget[pol.envelope].sum(axis=0)
            model, _ = with_envelope_cut(m, pol.envelope, total * (1 - share))
            return model, np.zeros(Y), ""

        own = " and their own budget" if m.own is not None and m.own.any() else ""
        yield (
            "binding guarantee",
            "guarantee",
            f"{share:.0%} of the envelope still spent on Ukraine's forces{own}; their industry kept",
            make_guarantee,
            {"constraints": pol.guarantee_constraints, "dependency": pol.dependency},
        )


def compare_options(
    m: ModelData, options: SolverOptions | None = None, progress: Callable[[str], None] | None = None
) -> list[OptionResult]:
    """Plan and assess armed neutrality and every alternative the scenario defines."""
    if m.scenario.options is None:
        raise ValueError("the scenario has no 'options' section to compare")
    results = []
    for n, (name, kind, description, make, extra) in enumerate(option_specs(m)):
        if progress:
            progress(name)
        model, force_cost, note = make()
        plan = make_plan(model, options, marginal=n == 0)  # the first is the report's plan
        results.append(
            OptionResult(
                name,
                kind,
                description,
                plan,
                assess(plan),
                force_cost,
                _spent_by_envelope(plan, m.policy.envelope),
                note=note,
                **extra,
            )
        )
    return results


def _troops(r: OptionResult) -> str:
    """'25,000 deployed (100,000 committed) / 25,000 willing from 26 countries: 4.0× what is offered'."""
    if not r.troops:
        return "–"
    pol = r.plan.model.policy
    who = f" from {pol.contributors:,.0f} countries" if pol.contributors else ""
    gap = r.troops / r.willing if r.willing else float("inf")
    verdict = "within what is offered" if gap <= 1 else f"{gap:.1f}× what is offered"
    return f"{r.troops:,} deployed ({r.committed:,.0f} committed) / {r.willing:,.0f} willing{who}: {verdict}"


@dataclass(frozen=True)
class GivenUp:
    """What an option gives up against the first option compared: readiness periods later (None:
    never ready, or the first one never was), days of war fewer in the comparison year, equipment
    money less per year, and troops committed."""

    readiness_delay: int | None
    never_ready: bool
    days_fewer: float | None
    equipment_forgone: float
    troops_committed: float | None

    def text(self, r: OptionResult, first: OptionResult) -> str:
        """In words, e.g. 'ready 6 quarters later; 40 fewer days of war in 2030; USD 2.0 bn a year
        less equipment; 100,000 troops committed'."""
        if r is first:
            return "–"
        m = r.plan.model
        parts = []
        ready, before = r.assessment.readiness.period, first.assessment.readiness.period
        if self.never_ready:
            parts.append(f"never ready (instead of {before})")
        elif self.readiness_delay:
            unit = m.cal.freq.value
            later = "later" if self.readiness_delay > 0 else "earlier"
            n = abs(self.readiness_delay)
            parts.append(f"ready {n} {unit}{'s' if n != 1 else ''} {later} ({ready} instead of {before})")
        if self.days_fewer is not None and abs(self.days_fewer) >= 0.5:
            fewer = "fewer" if self.days_fewer > 0 else "more"
            parts.append(f"{abs(self.days_fewer):,.0f} {fewer} days of war in {r.assessment.year}")
        if abs(self.equipment_forgone) >= 0.005 * max(1.0, abs(first.envelope_cost.mean())):
            less = "less" if self.equipment_forgone > 0 else "more"
            parts.append(f"{money(abs(self.equipment_forgone), m.currency)} a year {less} equipment")
        if self.troops_committed:
            plural = "s" if round(self.troops_committed) != 1 else ""
            parts.append(f"{self.troops_committed:,.0f} troop{plural} committed")
        if r.dependency:
            parts.append(f"security depends on {r.dependency}")
        return "; ".join(parts) or "nothing"


def given_up(r: OptionResult, first: OptionResult) -> GivenUp:
    """What ``r`` gives up against ``first``."""
    m = r.plan.model
    ready, before = r.assessment.readiness.period, first.assessment.readiness.period
    delay = None
    if ready is not None and before is not None:
        delay = m.periods.index(ready) - m.periods.index(before)
    _, days = r.assessment.bottleneck_in(r.assessment.year)
    _, days_before = first.assessment.bottleneck_in(first.assessment.year)
    fewer = days_before - days if math.isfinite(days) and math.isfinite(days_before) else None
    return GivenUp(
        readiness_delay=delay,
        never_ready=ready is None and before is not None,
        days_fewer=fewer,
        equipment_forgone=float(first.envelope_cost.mean() - r.envelope_cost.mean()),
        troops_committed=r.committed,
    )


def _force_range(r: OptionResult) -> str:
    if r.force_cost_range is None:
        return ""
    low, high = r.force_cost_range
    cur = r.plan.model.currency
    return f" ({money(low, cur)}–{money(high, cur)})"


def _money_columns(plan: Plan, cur: str) -> dict[str, float]:
    """Money per year by customer (planner/money.py): aid to the assessed customer apart, each
    other customer's own purchases apart; never one mixed figure."""
    out = {}
    for e in by_customer(plan).values():
        if e["assessed"]:
            out[f"aid to {e['name']}, per year ({cur})"] = e["aid_per_year"]
        else:
            out[f"{e['name']}: own purchases, per year ({cur})"] = e["per_year"]
    return out


def comparison_table(results: list[OptionResult]) -> pd.DataFrame:
    """One row per option, as numbers with the unit in the header (comparison.csv and the
    workbook's sheet): what it costs and gives up, readiness, the bottleneck and its days (empty
    when nothing runs out), troops; and the same in words ("gives up", "constraints")."""
    first = results[0]
    m = first.plan.model
    cur = m.currency
    rows = []
    for r in results:
        year = r.assessment.year
        item, days = r.assessment.bottleneck_in(year)
        lost = given_up(r, first)
        low, high = r.force_cost_range or (math.nan, math.nan)
        rows.append(
            {
                "option": r.name,
                f"cost per year ({cur})": r.cost_per_year,
                f"of which troops ({cur})": float(r.force_cost.mean()),
                f"of which troops, low ({cur})": low,
                f"of which troops, high ({cur})": high,
                f"of which equipment ({cur})": float(r.envelope_cost.mean()),
                f"equipment forgone per year ({cur})": lost.equipment_forgone,
                f"own means per year ({cur})": r.own_means_per_year,
                **_money_columns(r.plan, cur),
                f"all money, every customer ({cur})": r.plan.total_cost,
                "spent in Europe (share)": r.plan.europe_share,
                "readiness date": r.assessment.readiness.text,
                "ready later by (periods)": math.nan if lost.readiness_delay is None else lost.readiness_delay,
                f"bottleneck {year}": item or "",
                f"days of war {year}": days if math.isfinite(days) else math.nan,
                "troops deployed": r.troops or 0,
                "troops committed": r.committed or 0.0,
                "troops willing": r.willing if r.willing is not None else math.nan,
                "gives up": given_up(r, first).text(r, first),
                "constraints": "; ".join(
                    x for x in (r.constraints, r.dependency and f"depends on: {r.dependency}", r.note) if x
                ),
            }
        )
    table = pd.DataFrame(rows)
    if not any(r.troops for r in results):
        table = table.drop(columns=[c for c in table.columns if "troops" in c])
    elif all(r.force_cost_range is None for r in results):
        table = table.drop(columns=[f"of which troops, low ({cur})", f"of which troops, high ({cur})"])
    if m.own is None or not m.own.any():
        table = table.drop(columns=[f"own means per year ({cur})"])
    return table


def comparison_display(results: list[OptionResult]) -> pd.DataFrame:
    """The comparison in words for the report: one row per option, what it costs and what it gives
    up beside each other, readiness, the bottleneck and its days, troops, constraints."""
    rows = []
    first = results[0]
    for r in results:
        m = r.plan.model
        year = r.assessment.year
        item, days = r.assessment.bottleneck_in(year)
        rows.append(
            {
                "option": r.name,
                "cost per year": money(r.cost_per_year, m.currency),
                "of which troops": money(float(r.force_cost.mean()), m.currency) + _force_range(r),
                "of which equipment": money(float(r.envelope_cost.mean()), m.currency),
                "gives up": given_up(r, first).text(r, first),
                "own means per year": money(r.own_means_per_year, m.currency),
                "plan total": money(r.plan.total_cost, m.currency),
                "spent in Europe": f"{r.plan.europe_share:.0%}",
                "readiness date": r.assessment.readiness.text,
                f"bottleneck {year}": item or "–",
                f"days of war {year}": fmt_days(days),
                "troops (committed / willing)": _troops(r),
                "constraints": "; ".join(
                    x for x in (r.constraints, r.dependency and f"depends on: {r.dependency}", r.note) if x
                ),
            }
        )
    table = pd.DataFrame(rows)
    if not any(r.troops for r in results):
        table = table.drop(columns=["of which troops", "troops (committed / willing)"])
    m = first.plan.model
    if m.own is None or not m.own.any():
        table = table.drop(columns=["own means per year"])
    return table


def comparison_json(results: list[OptionResult]) -> list[dict]:
    """The comparison for machines: numbers, not formatted text."""
    out = []
    for r in results:
        m = r.plan.model
        year = r.assessment.year
        item, days = r.assessment.bottleneck_in(year)
        lost = given_up(r, results[0])
        low_high = r.force_cost_range or (None, None)
        out.append(
            {
                "option": r.name,
                "kind": r.kind,
                "description": r.description,
                "currency": m.currency,
                "cost_per_year": round(r.cost_per_year, 2),
                "force_cost_per_year": round(float(r.force_cost.mean()), 2),
                "force_cost_per_year_low": None if low_high[0] is None else round(low_high[0], 2),
                "force_cost_per_year_high": None if low_high[1] is None else round(low_high[1], 2),
                "equipment_cost_per_year": round(float(r.envelope_cost.mean()), 2),
                "own_means_per_year": round(r.own_means_per_year, 2),
                "gives_up": {
                    "readiness_delay_periods": lost.readiness_delay,
                    "never_ready": lost.never_ready,
                    "days_of_war_fewer": None if lost.days_fewer is None else round(lost.days_fewer, 1),
                    "equipment_forgone_per_year": round(lost.equipment_forgone, 2),
                    "troops_committed": lost.troops_committed,
                },
                "total_plan_cost": round(r.plan.total_cost, 2),
                "readiness_date": r.assessment.readiness.period,
                "bottleneck_year": year,
                "bottleneck_item": item,
                "bottleneck_days": round(days, 1) if math.isfinite(days) else None,
                "troops": r.troops,
                "troops_committed": r.committed,
                "troops_willing": r.willing,
                "contributors_willing": r.plan.model.policy.contributors if r.troops else None,
                "constraints": r.constraints,
                "dependency": r.dependency,
                "note": r.note,
            }
        )
    return out


def option_assumptions(m: ModelData) -> pd.DataFrame:
    """The figures behind the options, with their sources, to print beside the numbers."""

    table = inputs_table(m.scenario)
    return table[table["field"].str.startswith(("options.", "assessment."))].reset_index(drop=True)


def _variant_result(
    name: str, description: str, m: ModelData, options: SolverOptions | None, marginal: bool = False
) -> OptionResult:
    """Plan and assess one row of a variants or scenarios comparison (``marginal``: the row the
    report shows, the only one whose marginal values are computed)."""
    plan = make_plan(m, options, marginal=marginal)
    return OptionResult(
        name,
        "variant",
        description,
        plan,
        assess(plan),
        np.zeros(len(m.years)),
        _spent_by_envelope(plan, m.policy.envelope),
    )


def _whatif_description(sc: Scenario, name: str) -> str:
    """What a what-if or variant changes, in the scenario's words."""
    if name in sc.overrides:
        return sc.overrides[name].description
    return " + ".join(sc.variants.get(name, []))


def compare_variants(
    path: str | None,
    names: list[str],
    sets: list[tuple[str, object]] | tuple = (),
    options: SolverOptions | None = None,
    progress: Callable[[str], None] | None = None,
    load_as: Callable[[list[str]], tuple[Scenario, ModelData]] | None = None,
) -> list[OptionResult]:
    """The scenario as written (with any ``sets``) and each named what-if or variant, side by side
    (``load_as(whatifs)``: how to load the scenario, when it is not a file, with ``sets`` applied)."""
    results = []
    for name in ["baseline", *names]:
        if progress:
            progress(name)
        whatifs = [] if name == "baseline" else [name]
        sc, m = load_as(whatifs) if load_as is not None else load(path, whatifs, sets)
        description = "the scenario as written" if name == "baseline" else _whatif_description(sc, name)
        results.append(_variant_result(name, description, m, options, marginal=name == "baseline"))
    return results


def row_names(scenarios: list[Scenario], paths: list[str | Path]) -> list[str]:
    """A name for each scenario file's row: the scenario's name, or its file's stem or path when
    two files share it (numbered when even those do)."""
    for names in ([sc.name for sc in scenarios], [Path(p).stem for p in paths], [str(p) for p in paths]):
        if len(set(names)) == len(names):
            return names
    return [f"{p} (#{i})" for i, p in enumerate(paths, 1)]


def compare_scenarios(
    paths: list[str | Path],
    whatifs: list[str] | tuple = (),
    sets: list[tuple[str, object]] | tuple = (),
    options: SolverOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[OptionResult]:
    """Each scenario file as written (with any ``sets``), then each what-if or variant applied to
    the first file, side by side; the first file is what the others are compared against. Every
    row is loaded (and so checked) before any is planned."""
    loaded = [load(p, [], sets) for p in paths]
    names = row_names([sc for sc, _ in loaded], paths)
    rows = [(name, f"{sc.title} ({path})", m) for name, path, (sc, m) in zip(names, paths, loaded, strict=True)]
    for whatif in whatifs:
        sc, m = load(paths[0], [whatif], sets)
        rows.append((f"{names[0]} + {whatif}", _whatif_description(sc, whatif), m))
    results = []
    for n, (name, description, m) in enumerate(rows):
        if progress:
            progress(name)
        results.append(_variant_result(name, description, m, options, marginal=n == 0))
    return results
