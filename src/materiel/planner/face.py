"""Equally good plans: the range of headline splits over the optimal face, and the tie-break
preference that picks among those plans (docs/model.md, "Equally good plans").

After the two phases, HiGHS holds the least weighted shortfall (the limit row) at the optimum of
phase 2. A cost row then holds phase 2's objective at its optimum (within ``FACE_TOLERANCE``, or a
user's near-optimal slack), and each headline is minimised and maximised over what is left,
warm-started in the same HiGHS object: an extra solve is a few primal simplex iterations from an
optimal basis. Shares are ratios of two linear expressions; their extremes are found exactly by
Dinkelbach's method (a short sequence of linear objectives, each warm-started).

A preference (``preference.prefer`` in the scenario) is a third lexicographic phase, run before
the plan is read: with shortfall and cost held, it minimises the money paid to producers outside
the first preferred place, then outside the first two, and so on, holding each optimum in turn.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np

from ..scenario.compiled import ModelData
from .formulation import Formulation, replacement_price, transfers_priced_out
from .solver import PRIMAL_SIMPLEX, SolveResult, SolveStatus, status_of

# The cost row's relative slack when it holds phase 2's optimum: numerical room only; on the
# default scenario it is about USD 0.34 m of USD 344 bn. (With 1e-7, primal simplex stopped with
# an unknown status on the default scenario: measured.)
FACE_TOLERANCE = 1e-6
# Columns whose reduced cost at phase 2's optimum exceeds this (solver units, HiGHS's dual
# feasibility tolerance) are at a bound in every optimal plan, and are fixed there when the face
# is the optimal one (no near-optimal slack): the extreme solves then need fewer iterations.
REDUCED_COST = 1e-7
# Absolute room of every held row, in money units of the LP (formulation.money_unit).
ABS_ROOM = 1e-6
# Dinkelbach iterations per ratio extreme at most (it converges superlinearly: 2 to 4 are usual).
MAX_RATIO_STEPS = 12
# A share is taken as converged when one more step moves it by less than this.
RATIO_STEP = 1e-9


@dataclass(frozen=True)
class Range:
    """The least and most a headline takes over the equally good plans, and this plan's value."""

    low: float
    high: float
    value: float

    @property
    def width(self) -> float:
        """How far apart the extremes are: 0 where every equally good plan agrees."""
        return self.high - self.low

    def summary(self, digits: int) -> dict[str, float]:
        """Low, high and the plan's own value, rounded to ``digits`` decimals, for summary.json."""
        return {"low": round(self.low, digits), "high": round(self.high, digits), "plan": round(self.value, digits)}


@dataclass
class Face:
    """Ranges of the headline splits over the plans as short and as cheap as this one (within
    ``cost_slack`` of its cost); None where a solve did not end optimal."""

    cost_slack: float  # relative slack of the cost row the ranges were solved under
    europe_share: dict[str, Range | None] = field(default_factory=dict)  # key: "", customer id, "<id>/aid"
    spend_by_year: dict[int, Range | None] = field(default_factory=dict)  # the assessed customer's money
    customer: str = ""  # whose yearly spending ``spend_by_year`` ranges
    preference: list[str] = field(default_factory=list)  # the tie-break the plan honours, as written
    honoured: int = 0  # preference levels phase 3 solved (fewer than written only if HiGHS failed)
    seconds: float = 0.0
    solves: int = 0

    def summary(self) -> dict:
        """The ranges for summary.json: shares as fractions, money in base currency."""
        return {
            "cost_slack": self.cost_slack,
            "europe_share": {k or "all": None if r is None else r.summary(4) for k, r in self.europe_share.items()},
            **(
                {
                    "spend_by_year": {
                        "customer": self.customer,
                        **{str(y): None if r is None else r.summary(2) for y, r in self.spend_by_year.items()},
                    }
                }
                if self.spend_by_year
                else {}
            ),
            "preference": self.preference,
            "preference_levels_honoured": self.honoured,
            "seconds": round(self.seconds, 3),
            "solves": self.solves,
        }


def producer_money(
    m: ModelData, form: Formulation, lines: np.ndarray, customer: int | None, funds: np.ndarray | None = None
) -> np.ndarray:
    """Natural cost vector: money units paid to producers on ``lines`` ((L,) bool) by ``funds``
    ((F,) bool; default every vehicle) — orders and refurbishment for ``customer``, replacements
    of drawdowns to it, and (``customer`` None: every customer) capacity investment too."""
    K = len(m.customers)
    who = np.ones(K, dtype=bool) if customer is None else np.arange(K) == customer
    paying = np.ones(len(m.funds), dtype=bool) if funds is None else funds
    on = lines.astype(float)
    coef = {"p": paying[:, None, None, None] * on[None, :, None, None] * who[None, None, :, None]}
    if customer is None:
        coef["q"] = paying[:, None, None] * on[None, :, None]
    out = form.lp.cost(coef)
    tr = m.transfers
    if tr.J and len(m.lines):
        price = np.where(transfers_priced_out(m), 0.0, replacement_price(m)) / form.money_unit
        keep = tr.replaced & lines[tr.line] & who[tr.customer] & paying[tr.fund]
        out += form.lp.cost({"d": price * keep[:, None]})
    return out


def share_keys(m: ModelData) -> list[tuple[str, int | None, np.ndarray | None]]:
    """The shares ranged: all money (key ""), each customer's purchases (its id), and, where the
    recipients have their own money, the assessed customer's purchases paid by aid ("<id>/aid")."""
    keys: list[tuple[str, int | None, np.ndarray | None]] = [("", None, None)]
    keys += [(c, k, None) for k, c in enumerate(m.customers)]
    if m.own is not None and m.own.any():
        k = m.policy.customer
        keys.append((f"{m.customers[k]}/aid", k, ~m.own))
    return keys


def customer_spending(m: ModelData, form: Formulation, customer: int, year: int) -> np.ndarray:
    """Natural cost vector: money units spent for ``customer`` in year index ``year`` — orders,
    upkeep and drawdown replacements paid that year, as the funding table counts them."""
    K, Y = len(m.customers), len(m.years)
    who = (np.arange(K) == customer).astype(float)
    when = (np.arange(Y) == year).astype(float)
    out = form.lp.cost(
        {"p": who[None, None, :, None] * when[None, None, None, :], "w": (who[:, None, None] * when)[None]}
    )
    tr = m.transfers
    if tr.J and len(m.lines):
        price = np.where(transfers_priced_out(m), 0.0, replacement_price(m)) / form.money_unit
        paid = m.year_index[tr.pay_period(m.T)] == year
        out += form.lp.cost({"d": price * (tr.replaced & (tr.customer == customer))[:, None] * paid})
    return out


def phase2_cost(form: Formulation) -> np.ndarray:
    """Phase 2's objective in solver units (money, with the components' tie-break)."""
    money = form.money_cost if form.production_cost is None else form.money_cost + form.production_cost
    return form.lp.solver_cost(money)


class FaceSolver:
    """Re-solves on the HiGHS object of an optimal two-phase solve, over its optimal face."""

    def __init__(self, h: highspy.Highs, form: Formulation) -> None:
        self.h, self.form = h, form
        self.n = form.lp.n_cols
        self.cols = np.arange(self.n, dtype=np.int32)
        solution = h.getSolution()
        self.x = np.asarray(solution.col_value)
        self.reduced = np.asarray(solution.col_dual)
        self.fixed = np.zeros(0, dtype=np.int32)
        self.solves = 0
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        cost = phase2_cost(form)
        self.cost_optimum = dot(cost, self.x)
        self.cost_row = self.add_row(cost)

    def add_row(self, coef: np.ndarray) -> int:
        """Add an open row over the nonzero entries of ``coef`` (solver units); its index."""
        nz = np.flatnonzero(coef)
        self.h.addRow(-highspy.kHighsInf, highspy.kHighsInf, nz.size, nz.astype(np.int32), coef[nz])
        return self.h.getNumRow() - 1

    def hold(self, row: int, optimum: float, slack: float) -> None:
        """Let row ``row`` rise at most ``slack`` (relative) above ``optimum``."""
        self.h.changeRowBounds(row, -highspy.kHighsInf, optimum + slack * abs(optimum) + ABS_ROOM)

    def fix_off_face(self) -> None:
        """Fix at their values the columns whose reduced cost at phase 2's optimum says they sit
        at a bound in every optimal plan (complementary slackness); the cost row still holds."""
        self.fixed = np.flatnonzero(np.abs(self.reduced) > REDUCED_COST).astype(np.int32)
        self.h.changeColsBounds(self.fixed.size, self.fixed, self.x[self.fixed], self.x[self.fixed])

    def unfix(self) -> None:
        """Give the columns ``fix_off_face`` fixed their own bounds again (a near-optimal face)."""
        lower, upper = self.form.lp.solver_bounds()[:2]
        self.h.changeColsBounds(self.fixed.size, self.fixed, lower[self.fixed], upper[self.fixed])

    def release(self, row: int) -> None:
        """Open row ``row`` again: it no longer limits the face."""
        self.h.changeRowBounds(row, -highspy.kHighsInf, highspy.kHighsInf)

    def minimise(self, coef: np.ndarray) -> np.ndarray | None:
        """The solution (solver units) of least ``coef``·x on the current rows; None unless optimal."""
        self.h.changeColsCost(self.n, self.cols, coef)
        self.h.run()
        self.solves += 1
        if status_of(self.h.getModelStatus()) is not SolveStatus.optimal:
            return None
        return np.asarray(self.h.getSolution().col_value)

    def linear_range(self, coef: np.ndarray, unit: float) -> Range | None:
        """Least and most of ``coef``·x (solver units; natural value times ``unit``)."""
        value = dot(coef, self.x) * unit
        low = self.minimise(coef)
        high = self.minimise(-coef) if low is not None else None
        if low is None or high is None:
            return None
        return Range(min(dot(coef, low) * unit, value), max(dot(coef, high) * unit, value), value)

    def ratio_extreme(self, num: np.ndarray, den: np.ndarray, sign: float) -> float | None:
        """Least (``sign`` 1) or most (−1) of num·x / den·x by Dinkelbach's method: minimise
        sign·(num − r·den) and move r to the ratio of the solution until it stops moving."""
        r = ratio(num, den, self.x)
        for _ in range(MAX_RATIO_STEPS):
            x = self.minimise(sign * (num - r * den))
            if x is None:
                return None
            step = ratio(num, den, x, fallback=r)
            if sign * (r - step) <= RATIO_STEP:
                return min(r, step) if sign > 0 else max(r, step)
            r = step
        return r

    def ratio_range(self, num: np.ndarray, den: np.ndarray) -> Range | None:
        """Least and most of num·x / den·x (None where the plan's denominator is 0)."""
        if dot(den, self.x) <= 0:
            return None
        value = ratio(num, den, self.x)
        low = self.ratio_extreme(num, den, 1.0)
        high = self.ratio_extreme(num, den, -1.0) if low is not None else None
        if low is None or high is None:
            return None
        return Range(min(low, value), max(high, value), value)


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """a·b without BLAS: beside HiGHS's spinning worker threads, BLAS's own threads made one dot
    product of the default scenario's 12,000 columns take 50 ms (measured)."""
    return float(np.multiply(a, b).sum())


def ratio(num: np.ndarray, den: np.ndarray, x: np.ndarray, fallback: float = 0.0) -> float:
    """num·x / den·x, or ``fallback`` where den·x is not positive."""
    d = dot(den, x)
    return dot(num, x) / d if d > 0 else fallback


@dataclass(frozen=True)
class FaceOptions:
    """Which ranges a plan reports: the "spent in Europe" shares (cheap: a few warm-started solves),
    the assessed customer's spending per year (two solves a year), and a relative cost slack for
    near-optimal alternatives (0: the equally cheap plans only)."""

    shares: bool = True
    years: bool = False
    near_optimal: float = 0.0


def prefer(m: ModelData, face: FaceSolver) -> list[int]:
    """Phase 3 on the face: for each preference level in turn, least money paid to producers
    outside the level's lines, then held there; the rows added (empty without a preference)."""
    rows = []
    for lines in m.preferred:
        avoid = face.form.lp.solver_cost(producer_money(m, face.form, ~lines, None))
        x = face.minimise(avoid)
        if x is None:
            break
        face.x = x
        rows.append(face.add_row(avoid))
        face.hold(rows[-1], dot(avoid, x), FACE_TOLERANCE)
    return rows


def ranges(m: ModelData, face: FaceSolver, options: FaceOptions) -> Face:
    """Ranges of the headline splits over the face (within ``options.near_optimal`` of the least
    cost, and never less than ``FACE_TOLERANCE``); leaves HiGHS at an arbitrary vertex of it."""
    tick, solves = time.perf_counter(), face.solves
    form = face.form
    slack = max(FACE_TOLERANCE, options.near_optimal)
    face.hold(face.cost_row, face.cost_optimum, slack)
    out = Face(cost_slack=slack, customer=m.customers[m.policy.customer])
    europe = np.array(m.region_of_line, dtype=object) == "Europe"
    everywhere = np.ones(len(m.lines), dtype=bool)
    for key, k, funds in share_keys(m) if options.shares else ():
        num = form.lp.solver_cost(producer_money(m, form, europe, k, funds))
        den = form.lp.solver_cost(producer_money(m, form, everywhere, k, funds))
        if dot(den, face.x) > 0:
            out.europe_share[key] = face.ratio_range(num, den)
    for y, year in enumerate(m.years) if options.years else ():
        coef = form.lp.solver_cost(customer_spending(m, form, m.policy.customer, y))
        out.spend_by_year[year] = face.linear_range(coef, form.money_unit)
    out.seconds, out.solves = time.perf_counter() - tick, face.solves - solves
    return out


def settle(m: ModelData, form: Formulation, result: SolveResult, options: FaceOptions | None) -> Face | None:
    """After an optimal two-phase solve: honour the scenario's preference (phase 3, which may move
    ``result`` to another optimal plan) and, if ``options``, range the headlines over the face."""
    if options is not None and not (options.shares or options.years):
        options = None
    if not m.preferred and options is None:
        return None
    face = FaceSolver(result.highs, form)
    face.hold(face.cost_row, face.cost_optimum, FACE_TOLERANCE)
    face.fix_off_face()
    held = prefer(m, face)
    if held:
        result.solution = form.lp.natural(face.x)
        result.money = dot(form.money_cost, result.solution)
        result.shortfall = dot(form.shortfall_cost, result.solution)
    if options is None:
        return None
    for row in held:
        face.release(row)
    if options.near_optimal > FACE_TOLERANCE:
        face.unfix()
    out = ranges(m, face, options)
    out.preference = list(m.scenario.preference.prefer) if m.scenario.preference else []
    out.honoured = len(held)
    return out
