"""Marginal values: what one more unit of money, capacity or customer share, or a shorter lead
time, would buy (docs/model.md, "Marginal values").

Money, capacity and share are rows of the LP, so their values come from its duals: phase 1's
(weighted shortfall closed per unit) and, through the chain rule over the shortfall-limit row,
phase 2's (the change in the plan's money per unit, with the shortfall re-optimised). Lead time is
not a row: phase 1's stock-balance duals pick the few lines where it should matter most, and those
are planned again with the lead one period shorter. The top entries are re-solved over their whole
step (a dual at a degenerate vertex can promise what no step delivers), which also tells which
items' gaps they close.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from .. import fmt
from ..scenario.compiled import ModelData
from ..scenario.names import names, possessive
from ..uncertainty.metrics import draw_metrics
from .formulation import OWN_FIRST, Formulation, build
from .solver import (
    ABS_SHORTFALL_SLACK,
    DUAL_SIMPLEX,
    Duals,
    SolverOptions,
    SolveStatus,
    add_limit_row,
    new_highs,
    pass_lp,
    run_phases,
)

COLUMNS = (
    "rank",
    "kind",
    "id",
    "name",
    "customer",
    "year",
    "period",
    "unit",
    "shortfall_per_unit",
    "cost_per_unit",
    "valid_up_to",
    "step",
    "buys",
    "days_of_war",
    "ready",
    "method",
)
# Values below this (weighted shortfall per step, or money per step relative to the plan's money)
# are HiGHS's tolerances, not effects.
NEGLIGIBLE_SHORTFALL = 1e-7
NEGLIGIBLE_COST = 1e-9
LEAD_RESOLVES = 3  # lines whose lead time is measured by planning again
VERIFIED = 6  # top entries re-solved over their whole step (and translated into the items they close)
SHARE_STEP = 0.10  # a customer share's step: ten percentage points
CAPACITY_STEP = 0.10  # a line's capacity step: a tenth of its capacity, rounded
SENTENCE_KINDS = ("money", "capacity-year", "share", "lead")


def empty() -> pd.DataFrame:
    """The marginal-values table of a plan without duals."""
    return pd.DataFrame({c: [] for c in COLUMNS})


@dataclass
class Rates:
    """Both phases' row duals per natural unit of each row's bound, in the scenario's terms:
    ``shortfall`` in weighted shortfall (scenario weights), ``cost`` in base currency, the cost
    being the whole change of the re-planned money (phase 2's dual plus the limit row's dual times
    phase 1's); ``room`` how far a row's bound may rise (natural units) with phase 1's optimal basis
    unchanged, so that its dual surely holds (NaN at a degenerate vertex, where HiGHS's ranging
    gives 0 although the rate may hold further)."""

    shortfall: np.ndarray
    money: np.ndarray  # phase 2's duals alone (base currency per natural unit)
    limit: float  # the limit row's dual: base currency per weighted shortfall given up
    room: np.ndarray
    solution: np.ndarray  # phase 1's solution, natural units

    @property
    def cost(self) -> np.ndarray:
        """The re-planned money's change per unit: y₂ + μ·y₁ (y₁ = −shortfall closed)."""
        return self.money - self.limit * self.shortfall


def rates(form: Formulation, duals: Duals) -> Rates:
    """Duals in natural units (docs/model.md, "Marginal values": solver rows are natural ÷ scale)."""
    n = form.lp.n_rows
    _, rs = form.lp.scales()
    y1 = duals.shortfall[:n] / rs * form.weight_unit
    money = duals.money if duals.money is not None else np.zeros(n + 1)
    limit = money[n] * form.money_unit / form.weight_unit  # money per weighted shortfall given up
    y2 = money[:n] / rs * form.money_unit
    room = np.where(np.isfinite(duals.range_up[:n]), duals.range_up[:n] - duals.activity[:n], np.inf) * rs
    room = np.where(~np.isfinite(room) | (np.abs(duals.range_up[:n]) >= 1e29), np.inf, room)
    room = np.where(room <= 1e-9 * np.maximum(1.0, np.abs(duals.activity[:n]) * rs), np.nan, room)  # degenerate
    return Rates(-y1, y2, limit, room, form.lp.natural(duals.solution))


def line_labels(m: ModelData) -> dict[str, str]:
    """Lines as the sentences name them: supplier, item and country ('Diehl Defence IRIS-T SLM
    missile line (DE)'), fuller than scenario/names.py's supplier alone."""
    nm = names(m.scenario)
    return {ln.id: f"{ln.supplier} {nm.item(ln.item)} line ({ln.country})" for ln in m.scenario.lines}


def round_step(x: float) -> float:
    """A round amount near ``x``: 1, 2 or 5 times a power of ten, at most ``x`` (at least 1e-9)."""
    if not x > 0 or not math.isfinite(x):
        return 1.0
    power = 10.0 ** math.floor(math.log10(x))
    return max(s * power for s in (1, 2, 5) if s * power <= x * (1 + 1e-12))


def money_step(m: ModelData) -> float:
    """The amount money's sentences are about: a tenth of the largest year's budgets, rounded down
    to a power of ten (EUR 1 bn beside budgets of tens of billions)."""
    biggest = float(m.budget.sum(axis=0).max(initial=0.0))
    return 10.0 ** math.floor(math.log10(biggest / 10)) if biggest > 0 else 1.0


def money_values(m: ModelData, form: Formulation, r: Rates, duals: Duals) -> pd.DataFrame:
    """One more unit of money from each vehicle in each year: its budget row (the upper bound, or
    the minimum spend it sets when that binds) and minimum-spend row."""
    blocks = {b.name: b for b in form.lp.row_blocks}
    budget = blocks["Funding-budget"].index  # (F, Y)
    n = form.lp.n_rows
    y1 = duals.shortfall[:n][budget]
    y2 = (duals.money[:n] if duals.money is not None else np.zeros(n))[budget]
    equal = m.carry[:, None] & np.ones(budget.shape, dtype=bool)
    lower_binds = ~equal & (m.min_spend[:, None] > 0)
    open_ = (m.budget > m.upkeep.fixed).astype(float)  # budget below its fixed charge: nothing to add
    factor1 = np.where(lower_binds & (y1 > 0), m.min_spend[:, None], 1.0) * open_
    factor2 = np.where(lower_binds & (y2 > 0), m.min_spend[:, None], 1.0) * open_
    unit = form.money_unit
    shortfall = r.shortfall[budget] * factor1 / unit
    cost = (r.money[budget] * factor2 - r.limit * r.shortfall[budget] * factor1) / unit
    room = r.room[budget] / unit
    if "Funding-min-spend" in blocks:
        ms = blocks["Funding-min-spend"].index
        has = ms >= 0
        shortfall = shortfall + np.where(has, r.shortfall[ms] * m.min_spend[:, None], 0.0) / unit
        cost = cost + np.where(has, r.cost[ms] * m.min_spend[:, None], 0.0) / unit
    cost = np.where(np.abs(cost) <= 2 * OWN_FIRST, 0.0, cost)  # the preference for own money, not a saving
    f, y = np.meshgrid(np.arange(len(m.funds)), np.arange(len(m.years)), indexing="ij")
    nm = names(m.scenario)
    ids = np.array(m.funds)[f.ravel()]
    return pd.DataFrame(
        {
            "kind": "money",
            "id": ids,
            "name": [nm.fund(i) for i in ids],
            "customer": "",
            "year": np.array(m.years)[y.ravel()],
            "period": "",
            "unit": f"{m.currency} 1",
            "shortfall_per_unit": shortfall.ravel(),
            "cost_per_unit": cost.ravel(),
            "valid_up_to": room.ravel(),
            "step": money_step(m),
            "row": budget.ravel(),
        }
    )


def line_frame(m: ModelData, l: np.ndarray) -> dict[str, object]:
    """Id and name columns of the lines at ``l``."""
    ids = np.array(m.lines)[l]
    labels = line_labels(m)
    return {"id": ids, "name": [labels.get(i, i) for i in ids]}


def item_units(m: ModelData) -> list[str]:
    """The counting unit of each item."""
    units = {i.id: i.unit for i in m.scenario.items}
    return [units.get(i) or "unit" for i in m.items]


def capacity_values(m: ModelData, form: Formulation, r: Rates) -> pd.DataFrame:
    """One more unit of capacity on each line in each period, and one more a year through a year."""
    rows = next(b for b in form.lp.row_blocks if b.name == "Line-capacity").index  # (L, T)
    L, T, ppy = len(m.lines), m.T, m.cal.per_year
    l, t = np.meshgrid(np.arange(L), np.arange(T), indexing="ij")
    per_item = item_units(m)
    units = [per_item[i] for i in m.line_item]
    per_period = pd.DataFrame(
        {
            "kind": "capacity",
            **line_frame(m, l.ravel()),
            "customer": "",
            "year": m.cal.year_of[t.ravel()],
            "period": np.array(m.periods)[t.ravel()],
            "unit": [f"1 {units[i]} a period" for i in l.ravel()],
            "shortfall_per_unit": r.shortfall[rows].ravel(),
            "cost_per_unit": r.cost[rows].ravel(),
            "valid_up_to": r.room[rows].ravel(),
            "step": [round_step(CAPACITY_STEP * c) for c in m.cap.ravel()],
            "row": rows.ravel(),
        }
    )
    Y = len(m.years)
    yearly_s, yearly_c = np.zeros((L, Y)), np.zeros((L, Y))
    room = np.full((L, Y), np.inf)
    yi = m.year_index
    np.add.at(yearly_s, (slice(None), yi), r.shortfall[rows] / ppy)
    np.add.at(yearly_c, (slice(None), yi), r.cost[rows] / ppy)
    np.minimum.at(room, (slice(None), yi), r.room[rows] * ppy)
    cap_year = np.zeros((L, Y))
    np.add.at(cap_year, (slice(None), yi), m.cap)
    ly, yy = np.meshgrid(np.arange(L), np.arange(Y), indexing="ij")
    per_year = pd.DataFrame(
        {
            "kind": "capacity-year",
            **line_frame(m, ly.ravel()),
            "customer": "",
            "year": np.array(m.years)[yy.ravel()],
            "period": "",
            "unit": [f"1 {units[i]} a year" for i in ly.ravel()],
            "shortfall_per_unit": yearly_s.ravel(),
            "cost_per_unit": yearly_c.ravel(),
            "valid_up_to": room.ravel(),
            "step": [round_step(CAPACITY_STEP * c) for c in cap_year.ravel()],
            "row": -1,
        }
    )
    return pd.concat([per_period, per_year], ignore_index=True)


def share_values(m: ModelData, form: Formulation, r: Rates, duals: Duals) -> pd.DataFrame:
    """One percentage point more of a line's output for a customer: the share row of every period
    moves by cap + K (its right-hand side and the coefficient of K, at phase 1's K for the shortfall
    and at the plan's for the cost: envelope theorem)."""
    blocks = {b.name: b for b in form.lp.row_blocks}
    if "Line-share" not in blocks:
        return pd.DataFrame()
    rows = blocks["Line-share"].index  # (L, K, T)
    added = form.var.K.values(r.solution)  # (L, T)
    reach = (m.cap + added)[:, None, :] * 0.01
    exists = rows >= 0
    shortfall = np.where(exists, r.shortfall[rows] * reach, 0.0).sum(axis=2)
    cost = np.where(exists, r.cost[rows] * reach, 0.0).sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        room_t = np.where(exists & (r.shortfall[rows] != 0), r.room[rows] / reach, np.inf)
    room = room_t.min(axis=2, initial=np.inf)
    l, k = np.nonzero(exists.any(axis=2))
    nm = names(m.scenario)
    return pd.DataFrame(
        {
            "kind": "share",
            **line_frame(m, l),
            "customer": [nm.customer(m.customers[c]) for c in k],
            "year": pd.NA,
            "period": "",
            "unit": "1 percentage point of the line's output",
            "shortfall_per_unit": shortfall[l, k],
            "cost_per_unit": cost[l, k],
            "valid_up_to": room[l, k],
            "step": np.minimum(100 * SHARE_STEP, 100 * (1 - m.share[l, k])),
            "row": -1,
            "share_of": [f"{l_},{k_}" for l_, k_ in zip(l, k, strict=True)],
        }
    )


def lead_estimates(m: ModelData, form: Formulation, r: Rates) -> np.ndarray:
    """(L,) weighted shortfall a lead time one period shorter would close with the plan's orders
    moved one period earlier, from phase 1's stock-balance duals: each unit delivered in τ − 1
    instead of τ is worth the difference of their duals. A first-order estimate: it ignores the
    orders a shorter lead would newly let arrive within the horizon and any re-planning."""
    rows = next(b for b in form.lp.row_blocks if b.name == "Stock-balance").index  # (K, I, T)
    value = r.shortfall[rows]  # weighted shortfall closed per unit more stock
    x = form.var.x.values(r.solution)  # (L, K, T)
    L, _, T = x.shape
    out = np.zeros(L)
    for l in np.flatnonzero(m.lead >= 1):
        tau = np.arange(T) + m.lead[l]
        ok = tau < T
        i = m.line_item[l]
        gain = value[:, i, tau[ok] - 1] - value[:, i, tau[ok]]  # (K, arrivals)
        out[l] = float((x[l][:, ok] * gain).sum())
    return out


def lead_values(
    m: ModelData,
    form: Formulation,
    r: Rates,
    duals: Duals,
    plan_solution: np.ndarray,
    base: tuple[float, float],
    options: SolverOptions,
) -> pd.DataFrame:
    """Lead time one period shorter on the ``LEAD_RESOLVES`` lines where the stock-balance estimate
    is largest, measured by planning again; the estimate only chooses the lines."""
    est = lead_estimates(m, form, r)
    before = form.var.u.values(plan_solution)
    base_war = draw_metrics(m, form, plan_solution)
    rows = []
    for l in [int(l) for l in np.argsort(-est) if est[l] > NEGLIGIBLE_SHORTFALL][:LEAD_RESOLVES]:
        measured = replan_lead(m, l, duals, options)
        if measured is not None:
            shortfall, money, gaps, war = measured
            rows.append((l, base[0] - shortfall, money - base[1], gap_words(m, before - gaps), war))
    if not rows:
        return pd.DataFrame()
    l = np.array([r_[0] for r_ in rows])
    return pd.DataFrame(
        {
            "kind": "lead",
            **line_frame(m, l),
            "customer": "",
            "year": pd.NA,
            "period": "",
            "unit": f"1 {m.cal.freq} shorter",
            "shortfall_per_unit": [r_[1] for r_ in rows],
            "cost_per_unit": [r_[2] for r_ in rows],
            "valid_up_to": np.nan,  # measured for its step, not a rate
            "step": 1.0,
            "row": -1,
            "method": "re-plan",
            "days_of_war": [r_[4].get("bottleneck_days", np.nan) for r_ in rows],
            "ready": [r_[4]["readiness_date"] or "never" for r_ in rows],
            "closes": [
                f"{step_words(m, {'kind': 'lead', 'name': n, 'step': 1.0})} would close {r_[3]}"
                f"{war_words(m, base_war, r_[4])}"
                for r_, n in zip(rows, line_frame(m, l)["name"], strict=True)
            ],
        }
    )


def replan_lead(
    m: ModelData, line: int, duals: Duals, options: SolverOptions
) -> tuple[float, float, np.ndarray, dict] | None:
    """Phase 1's weighted shortfall (scenario weights), the plan's money (base currency) and its
    gaps u (natural units) with line ``line``'s lead time one period shorter, planned as
    ``solver.run_phases`` does from phase 1's optimal basis (the LP's shape does not depend on lead
    times, only where deliveries land; solving each phase from the plan's basis of that phase took
    ten times as long, measured); None if that plan fails."""
    lead = m.lead.copy()
    lead[line] -= 1
    m2 = dataclasses.replace(m, lead=lead)
    form = build(m2)
    h = new_highs(options)
    pass_lp(h, form, form.shortfall_cost)
    limit_row = add_limit_row(h, form)
    h.setBasis(duals.basis)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
    phases = run_phases(h, form, limit_row, options)
    if phases.status is not SolveStatus.optimal:
        return None
    solution = form.lp.natural(h.getSolution().col_value)
    money = float(form.money_cost @ solution) * form.money_unit
    war = draw_metrics(m2, form, solution)
    return phases.shortfall_optimum * form.weight_unit, money, form.var.u.values(solution), war


def phase_costs(form: Formulation) -> tuple[np.ndarray, np.ndarray]:
    """Both phases' objectives in solver units, as ``solver.run_phases`` sets them."""
    money = form.lp.solver_cost(form.money_cost)
    if form.production_cost is not None:
        money = money + form.lp.solver_cost(form.production_cost)
    return form.lp.solver_cost(form.shortfall_cost), money


def rank(table: pd.DataFrame, money_scale: float) -> pd.DataFrame:
    """Rank by effect over each entry's step: weighted shortfall closed first, then money saved
    (relative to the plan's money); entries with neither are dropped."""
    step = np.minimum(table["step"].to_numpy(float), np.inf)
    closed = table["shortfall_per_unit"].to_numpy(float) * step
    saved = -np.nan_to_num(table["cost_per_unit"].to_numpy(float)) * step
    keep = (closed > NEGLIGIBLE_SHORTFALL) | (np.abs(saved) > NEGLIGIBLE_COST * max(money_scale, 1.0))
    keep &= ~((closed <= NEGLIGIBLE_SHORTFALL) & (saved <= 0))  # costs more and closes nothing: not a value
    out = table[keep].assign(_closed=np.where(closed > NEGLIGIBLE_SHORTFALL, closed, 0.0)[keep], _saved=saved[keep])
    out = out.sort_values(["_closed", "_saved"], ascending=False, kind="stable").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out.drop(columns=["_closed", "_saved"])


def war_words(m: ModelData, before: dict, after: dict) -> str:
    """What a step does to the sustainment year's days of war (the item that runs out first) and to
    the readiness date, as the assessment counts them (uncertainty/metrics.py); '' if neither moves."""
    parts = []
    b, a = before.get("bottleneck_days"), after.get("bottleneck_days")
    if b is not None and a is not None and (math.isinf(a) != math.isinf(b) or abs(a - b) >= 0.5):
        year = m.policy.year if m.policy.year in m.years else m.years[-1]
        parts.append(f"{year} days of war from {fmt.days(b)} to {fmt.days(a)}")
    if before["readiness_date"] != after["readiness_date"]:
        parts.append(f"readiness from {before['readiness_date'] or 'never'} to {after['readiness_date'] or 'never'}")
    return ", and move " + " and ".join(parts) if parts else ""


def describe(m: ModelData, row: dict) -> str:
    """What the entry's step buys, in plain words (before any translation into items)."""
    amount = step_words(m, row)
    closed = row["shortfall_per_unit"] * row["step"]
    cost = row["cost_per_unit"] * row["step"]
    if closed > NEGLIGIBLE_SHORTFALL:
        text = f"{amount} would close {closed:.3g} of weighted shortfall"
        if math.isfinite(cost):
            text += f" and change the plan's cost by {signed_money(cost, m.currency)}"
        if 0 < row["valid_up_to"] < row["step"]:
            text += f" (at this rate, which holds for the first {row['valid_up_to'] / row['step']:.0%} of it)"
        return text
    return f"{amount} would close no gap but save {fmt.money(-cost, m.currency)}"


def count(x: float) -> str:
    """A quantity for reading: '10,000', '49.6', '0.25'."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.3g}"


def plural(unit: str, n: float) -> str:
    """A counting unit for ``n`` of it: 'missiles', 'fire units', but 'km' and '1 shell'."""
    return unit if n == 1 or unit.endswith("s") or unit in ("km", "m", "kg", "t") else unit + "s"


def signed_money(x: float, currency: str) -> str:
    """'+EUR 1.00 bn' or '−EUR 3.00 m'."""
    return ("+" if x >= 0 else "−") + fmt.money(abs(x), currency)


def step_words(m: ModelData, row: dict | pd.Series) -> str:
    """The entry's step as a reader says it: 'EUR 1.00 bn more from SAFE in 2027'."""
    kind, step, name = row["kind"], row["step"], row["name"]
    if kind == "money":
        return f"{fmt.money(step, m.currency)} more from {name} in {row['year']}"
    if kind == "capacity":
        unit = row["unit"].split(" ", 1)[1].rsplit(" a period", 1)[0]
        return f"{count(step)} more {plural(unit, step)} a {m.cal.freq} from {name} in {row['period']}"
    if kind == "capacity-year":
        unit = row["unit"].split(" ", 1)[1].rsplit(" a year", 1)[0]
        return f"{count(step)} more {plural(unit, step)} a year from {name} in {row['year']}"
    if kind == "share":
        return f"a share {step:.0f} percentage points higher for {row['customer']} of {name}"
    return f"a lead time one {m.cal.freq} shorter on {name}"


def marginal_values(
    m: ModelData,
    form: Formulation,
    duals: Duals | None,
    plan_figures: tuple[float, float],
    solution: np.ndarray,
    h: highspy.Highs | None = None,
    options: SolverOptions | None = None,
) -> pd.DataFrame:
    """The marginal-values table: money per vehicle and year, capacity per line and period and per
    year, share per line and customer, lead time per line, ranked by effect. ``plan_figures`` is
    (phase 1's weighted shortfall in scenario weights, the plan's money in base currency),
    ``solution`` the plan's (natural units); ``h``,
    still holding the LP, lets the top entries be translated into items."""
    if duals is None or duals.money is None:
        return empty()
    r = rates(form, duals)
    parts = [money_values(m, form, r, duals), capacity_values(m, form, r), share_values(m, form, r, duals)]
    if plan_figures[0] > NEGLIGIBLE_SHORTFALL:
        parts.append(lead_values(m, form, r, duals, solution, plan_figures, options or SolverOptions()))
    parts = [p for p in parts if len(p)]
    if not parts:  # nothing to buy: no line, no vehicle
        return empty()
    table = pd.concat(parts, ignore_index=True)
    if "method" not in table:
        table["method"] = ""
    table["method"] = table["method"].fillna("").replace("", "duals")
    table["year"] = table["year"].astype("Int64")  # blank for shares and lead times
    for col, blank in (("days_of_war", np.nan), ("ready", "")):  # measured for re-solved entries only
        if col not in table:
            table[col] = blank
    table["ready"] = table["ready"].fillna("").astype(object)
    table = rank(table, plan_figures[1])
    if h is not None:
        verify(m, form, duals, h, table, plan_figures, solution, options or SolverOptions())
        table = rank(table, plan_figures[1])
    table["buys"] = [
        row["closes"] if isinstance(row.get("closes"), str) else describe(m, row) for row in table.to_dict("records")
    ]
    table = table.drop(columns=[c for c in ("row", "share_of", "closes") if c in table])
    return table[list(COLUMNS)]


Bounds = list[tuple[int, float, float]]  # (row, lower, upper) in solver units
Coefficients = list[tuple[int, int, float, float]]  # (row, column, new value, value) in solver units


def nudges(m: ModelData, form: Formulation, row: dict) -> tuple[Bounds, Coefficients] | None:
    """The row bounds and matrix entries that put the entry's step into the LP in ``h`` (solver
    units); None for lead time, which moves deliveries between rows and is re-planned instead."""
    _, rs = form.lp.scales()
    cs, _ = form.lp.scales()
    _, _, lo, hi = form.lp.solver_bounds()
    blocks = {b_.name: b_.index for b_ in form.lp.row_blocks}
    kind = row["kind"]
    if kind == "money":
        n = int(row["row"])
        f = int(np.argwhere(blocks["Funding-budget"] == n)[0][0])
        delta = row["step"] / form.money_unit
        low = lo[n] + (delta if m.carry[f] else m.min_spend[f] * delta)
        return [(n, low, hi[n] + delta)], []
    if kind == "capacity":
        n = int(row["row"])
        return [(n, lo[n], hi[n] + row["step"] / rs[n])], []
    if kind == "capacity-year":
        l, yi = m.lines.index(row["id"]), m.years.index(int(row["year"]))
        per = row["step"] / m.cal.per_year
        return [(int(n), lo[n], hi[n] + per / rs[n]) for n in blocks["Line-capacity"][l][m.year_index == yi]], []
    if kind == "share":
        l, k = (int(x) for x in row["share_of"].split(","))
        share = m.share[l, k] + row["step"] / 100
        rows = blocks["Line-share"][l, k]
        K = form.var.K.index[l]
        bounds = [(int(n), lo[n], share * m.cap[l, t] / rs[n]) for t, n in enumerate(rows) if n >= 0]
        coeffs = [
            (int(n), int(K[t]), -share * cs[K[t]] / rs[n], -m.share[l, k] * cs[K[t]] / rs[n])
            for t, n in enumerate(rows)
            if n >= 0 and K[t] >= 0
        ]
        return bounds, coeffs
    return None


def verify(
    m: ModelData,
    form: Formulation,
    duals: Duals,
    h: highspy.Highs,
    table: pd.DataFrame,
    plan_figures: tuple[float, float],
    plan_solution: np.ndarray,
    options: SolverOptions,
) -> None:
    """Replace the duals of the ``VERIFIED`` top entries by what their whole step does: both phases
    re-solved in ``h`` from their optimal bases with the step applied in place. At a degenerate
    vertex a dual can promise more than any step delivers (a capacity that money, not the line,
    holds back), so the ranking is redone with these figures; ``closes`` says which gaps shrink."""
    costs = phase_costs(form)
    before = form.var.u.values(form.lp.natural(duals.solution))
    base_war = draw_metrics(m, form, plan_solution)
    if "closes" not in table:
        table["closes"] = None
    for pos in table.index[table["kind"] != "lead"][:VERIFIED]:
        row = table.loc[pos].to_dict()
        changes = nudges(m, form, row)
        if changes is None:
            continue
        got = resolve_with(h, form, duals, changes, costs, options.shortfall_tolerance)
        if got is None:
            continue
        z1, money, after, plan_after = got
        closed = plan_figures[0] - z1 * form.weight_unit
        table.at[pos, "shortfall_per_unit"] = closed / row["step"]
        table.at[pos, "cost_per_unit"] = (money * form.money_unit - plan_figures[1]) / row["step"]
        table.at[pos, "method"] = "re-solve over the step"
        war = draw_metrics(m, form, form.lp.natural(plan_after))
        table.at[pos, "days_of_war"] = war.get("bottleneck_days", np.nan)
        table.at[pos, "ready"] = war["readiness_date"] or "never"
        if closed > NEGLIGIBLE_SHORTFALL:
            gaps = gap_words(m, before - form.var.u.values(form.lp.natural(after)))
            table.at[pos, "closes"] = f"{step_words(m, row)} would close {gaps}{war_words(m, base_war, war)}"


def resolve_with(
    h: highspy.Highs,
    form: Formulation,
    duals: Duals,
    changes: tuple[Bounds, Coefficients],
    costs: tuple[np.ndarray, np.ndarray],
    tolerance: float,
) -> tuple[float, float, np.ndarray, np.ndarray] | None:
    """Phase 1's least weighted shortfall, phase 2's least money (both LP units), phase 1's and
    phase 2's solutions (solver units) with row bounds and matrix entries changed, each phase from its
    optimal basis by dual simplex; the LP is restored after. None if either phase fails."""
    bounds, coeffs = changes
    saved = [(n, *original) for n, original in zip((c[0] for c in bounds), bounds_of(h, bounds), strict=True)]
    for n, lo, hi in bounds:
        h.changeRowBounds(n, lo, hi)
    for r_, c_, v, _ in coeffs:
        h.changeCoeff(r_, c_, v)
    try:
        return both_phases(h, form, duals, costs, tolerance)
    finally:
        for n, lo, hi in saved:
            h.changeRowBounds(n, lo, hi)
        for r_, c_, _, v in coeffs:
            h.changeCoeff(r_, c_, v)


def both_phases(
    h: highspy.Highs, form: Formulation, duals: Duals, costs: tuple[np.ndarray, np.ndarray], tolerance: float
) -> tuple[float, float, np.ndarray, np.ndarray] | None:
    """The lexicographic solve of the LP in ``h``, each phase started from the plan's optimal basis
    of that phase (bounds moved: the bases stay dual feasible)."""
    n, limit = form.lp.n_cols, form.lp.n_rows
    cols = np.arange(n, dtype=np.int32)
    h.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
    h.changeColsCost(n, cols, costs[0])
    h.changeRowBounds(limit, -highspy.kHighsInf, highspy.kHighsInf)
    h.setBasis(duals.basis)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    z1 = float(h.getInfo().objective_function_value)
    first = np.array(h.getSolution().col_value)
    h.changeRowBounds(limit, -highspy.kHighsInf, z1 + tolerance * abs(z1) + ABS_SHORTFALL_SLACK)
    h.changeColsCost(n, cols, costs[1])
    if duals.money_basis is not None:
        h.setBasis(duals.money_basis)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    second = np.array(h.getSolution().col_value)
    return z1, float(form.money_cost @ form.lp.natural(second)), first, second


@contextmanager
def phase_two_kept(h: highspy.Highs, form: Formulation, duals: Duals | None) -> Iterator[None]:
    """Leave ``h`` as the solve left it once the marginal values are read: phase 2's objective,
    the shortfall-limit row's bound and phase 2's optimal basis, re-run (no iteration), so what
    starts from the plan's optimum next (planner/face.py) finds it."""
    limit = form.lp.n_rows
    saved = bounds_of(h, [(limit, 0.0, 0.0)])[0]
    try:
        yield
    finally:
        n = form.lp.n_cols
        h.changeColsCost(n, np.arange(n, dtype=np.int32), phase_costs(form)[1])
        h.changeRowBounds(limit, *saved)
        if duals is not None and duals.money_basis is not None:
            h.setBasis(duals.money_basis)
        h.run()


def bounds_of(h: highspy.Highs, changes: Bounds) -> list[tuple[float, float]]:
    """The current bounds of the rows ``changes`` names."""
    rows = np.array([c[0] for c in changes], dtype=np.int32)
    _, _, lower, upper, _ = h.getRows(len(rows), rows)
    return list(zip(np.asarray(lower, dtype=float), np.asarray(upper, dtype=float), strict=True))


def gap_words(m: ModelData, closed: np.ndarray) -> str:
    """'40 missiles of Ukraine's PAC-3 MSE gap in 2028Q4 and 3 …': per customer and item the most the gap
    shrinks in any period, the two largest relative to their targets."""
    nm = names(m.scenario)
    K, I, _ = closed.shape
    best = []
    for k in range(K):
        for i in range(I):
            t = int(np.argmax(closed[k, i]))
            if closed[k, i, t] > 1e-3 * max(1.0, m.target[k, i, t]) * 1e-3:
                best.append((closed[k, i, t] / max(m.target[k, i, t], 1e-9), k, i, t, closed[k, i, t]))
    if not best:
        return "no gap in units (the weighted shortfall it closes is spread too thin to count)"
    best.sort(reverse=True)
    parts = []
    units = item_units(m)
    for _, k, i, t, amount in best[:2]:
        item, who = nm.item(m.items[i]), nm.customer(m.customers[k])
        parts.append(f"{count(amount)} {plural(units[i], amount)} of {possessive(who)} {item} gap in {m.periods[t]}")
    more = f" (and gaps of {len(best) - 2} more items)" if len(best) > 2 else ""
    return " and ".join(parts) + more


def sentences(table: pd.DataFrame, shortfall: float, limit: int = 5) -> list[str]:
    """The top ``limit`` entries as sentences, ranked by effect; where the plan has no shortfall, a
    first sentence says more money buys nothing more."""
    out = []
    if shortfall <= NEGLIGIBLE_SHORTFALL:
        out.append("Every target is met: more money buys nothing more (it could only make the plan cheaper).")
    elif not ((table["kind"] == "money") & (table["shortfall_per_unit"] > 0)).any():
        out.append(
            "More money from any vehicle in any year would close no gap: capacity, lead times, the "
            "vehicles' rules or items no line makes hold the plan back, not budgets."
        )
    shown = table[table["kind"].isin(SENTENCE_KINDS)].head(limit - len(out))
    out += [row.buys[0].upper() + row.buys[1:] + "." for row in shown.itertuples()]
    return out


def summary_entries(table: pd.DataFrame, shortfall: float, top: int = 10) -> dict:
    """summary.json's part: the top entries (numbers, ids and names) and the top five sentences."""
    rows = table.head(top)
    entries = [
        {
            "rank": int(r.rank),
            "kind": r.kind,
            "id": r.id,
            "name": r.name,
            **({"customer": r.customer} if r.customer else {}),
            **({"year": int(r.year)} if not pd.isna(r.year) else {}),
            **({"period": r.period} if r.period else {}),
            "unit": r.unit,
            "shortfall_per_unit": float(r.shortfall_per_unit),
            "cost_per_unit": None if math.isnan(r.cost_per_unit) else float(r.cost_per_unit),
            "valid_up_to": None if not math.isfinite(r.valid_up_to) else float(r.valid_up_to),
            "buys": r.buys,
            "method": r.method,
        }
        for r in rows.itertuples()
    ]
    return {"marginal_values": {"top": entries, "sentences": sentences(table, shortfall)}}


VALIDITY_NOTE = (
    "Marginal values hold for small changes: a rate per unit holds while the plan's optimal basis "
    "stands (valid_up_to, where HiGHS's ranging tells), and the sentences come from re-solving with "
    'the whole step (docs/model.md, "Marginal values").'
)


def plan_sentences(table: pd.DataFrame, shortfall: float | None, limit: int = 5) -> list[str]:
    """The top sentences of a plan's table (none for a plan without marginal values)."""
    if "kind" not in table or shortfall is None:  # not computed (a comparison's other plans)
        return []
    return sentences(table, shortfall, limit)


def marginal_steps(table: pd.DataFrame, currency: str) -> pd.DataFrame:
    """The table as a reader takes it in: what each step is and does, names not ids, blanks for
    figures that do not apply (the report's view; the CSV keeps the rates per unit)."""
    closed = table["shortfall_per_unit"] * table["step"]
    cost = table["cost_per_unit"] * table["step"]
    return pd.DataFrame(
        {
            "rank": table["rank"],
            "input": table["kind"],
            "of": table["name"],
            "for": table["customer"],
            "when": [p or ("" if pd.isna(y) else str(y)) for p, y in zip(table["period"], table["year"], strict=True)],
            "step": [
                fmt.money(s, currency) if k == "money" else f"{count(s)} {u.split(' ', 1)[1]}"
                for s, u, k in zip(table["step"], table["unit"], table["kind"], strict=True)
            ],
            "weighted shortfall closed": [f"{c:.3g}" for c in closed],
            f"change in cost ({currency})": ["" if math.isnan(c) else signed_money(c, currency) for c in cost],
            "method": table["method"],
        }
    )
