"""Solving the planner's LP with HiGHS: lexicographic objective and a closed status contract.

Phase 1 minimises weighted relative shortfall (with money as a tie-break, then without). Phase 2
bounds the row "shortfall ≤ optimum × (1 + tolerance)" and minimises money, warm-started from
phase 1's basis (docs/model.md, "Objective: lexicographic").
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

import highspy
import numpy as np

from .formulation import Formulation

ABS_SHORTFALL_SLACK = 1e-9
PRIMAL_SIMPLEX = 4
DUAL_SIMPLEX = 1
RETRY_TOLERANCES = (1e-9, 1e-7, 1e-5)
# Phase 1's tie-break: cost per money unit (``formulation.money_unit``) next to the shortfall
# costs (solver units, where shortfall costs are 1e-3 to 10 on the shipped scenarios). Large
# enough to steer dual simplex among equally short vertices (HiGHS's dual feasibility tolerance
# is 1e-7), small enough that it rarely trades shortfall away; when it does, the pure-shortfall
# re-solve that follows restores the least shortfall.
TIE_BREAK = 1e-6
# Phase 1 starts with dual simplex on smaller models and with interior point (and crossover) from
# this many columns on, where it was measured faster (docs/performance.md).
IPM_FROM = 25_000
# HiGHS refuses matrix entries of this size or more (its ``large_matrix_value``) and reads costs
# and bounds from 1e20 as infinite; an LP holding such numbers is refused before it is passed.
LARGEST = 1e15


class SolveStatus(StrEnum):
    """Outcome of a solve; anything but ``optimal`` is an error for the caller."""

    optimal = "optimal"
    infeasible = "infeasible"
    unbounded_or_infeasible = "unbounded_or_infeasible"
    unbounded = "unbounded"
    time_limit = "time_limit"
    iteration_limit = "iteration_limit"
    error = "error"


_STATUS = {
    highspy.HighsModelStatus.kOptimal: SolveStatus.optimal,
    highspy.HighsModelStatus.kInfeasible: SolveStatus.infeasible,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: SolveStatus.unbounded_or_infeasible,
    highspy.HighsModelStatus.kUnbounded: SolveStatus.unbounded,
    highspy.HighsModelStatus.kTimeLimit: SolveStatus.time_limit,
    highspy.HighsModelStatus.kIterationLimit: SolveStatus.iteration_limit,
}


def status_of(model_status: highspy.HighsModelStatus) -> SolveStatus:
    """Our status for a HiGHS model status; any status not listed is an error."""
    return _STATUS.get(model_status, SolveStatus.error)


class LPRangeError(RuntimeError):
    """HiGHS cannot take the LP: ``row`` and ``col`` locate the first number out of its range
    (either may be None), ``value`` is that number in solver units."""

    def __init__(self, row: int | None, col: int | None, value: float) -> None:
        super().__init__(f"HiGHS cannot take the number {value:g} (row {row}, column {col})")
        self.row, self.col, self.value = row, col, value


@dataclass(frozen=True)
class SolverOptions:
    """Options for one plan solve, grouped rather than passed as loose keywords."""

    shortfall_tolerance: float = 1e-9
    time_limit: float | None = None
    threads: int | None = None
    log: bool = False
    first_solver: str = "auto"  # "simplex", "ipm", or "auto": interior point from IPM_FROM columns on
    iteration_limit: int | None = None  # simplex iterations per solve (HiGHS's default: none)


@dataclass
class SolveResult:
    """Status, solution vector and timings of a lexicographic solve."""

    status: SolveStatus
    model_status: str
    solution: np.ndarray
    shortfall: float = float("nan")  # the final plan's weighted shortfall (weight units of the LP)
    money: float = float("nan")
    seconds: dict[str, float] = field(default_factory=dict)
    highs: highspy.Highs | None = None
    shortfall_optimum: float = float("nan")  # phase 1's least weighted shortfall
    slack: float = float("nan")  # the relative shortfall slack phase 2 was solved with
    duals: Duals | None = None  # both phases' row duals, for marginal values
    shortfall_row_dual: np.ndarray | None = None  # phase 1's row duals alone (``row_duals``), no ranging


@dataclass
class Duals:
    """What the marginal values are read from (docs/model.md, "Marginal values"), in solver units
    with the limit row last: phase 1's row duals (weighted shortfall per unit of a row's bound),
    row activities, ranging (how far a row's activity may move while its dual holds), optimal basis
    and solution; phase 2's row duals (money per unit of a row's bound, the limit row's included)
    and optimal basis."""

    shortfall: np.ndarray
    activity: np.ndarray
    range_up: np.ndarray
    range_down: np.ndarray
    basis: highspy.HighsBasis
    solution: np.ndarray
    money: np.ndarray | None = None
    money_basis: highspy.HighsBasis | None = None


def phase1_duals(h: highspy.Highs) -> Duals:
    """Phase 1's duals, ranging, basis and solution, read before phase 2 changes the objective."""
    sol = h.getSolution()
    _, ranging = h.getRanging()
    up = np.asarray(ranging.row_bound_up.value_, dtype=float) if ranging.valid else np.full(h.getNumRow(), np.nan)
    down = np.asarray(ranging.row_bound_dn.value_, dtype=float) if ranging.valid else np.full(h.getNumRow(), np.nan)
    return Duals(np.array(sol.row_dual), np.array(sol.row_value), up, down, h.getBasis(), np.array(sol.col_value))


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """File descriptor 1 pointed at /dev/null for the block (process-wide: see ``_construct``)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


_banner_lock = threading.Lock()
_banner_shown = False


def _construct() -> highspy.Highs:
    """A HiGHS instance. HiGHS prints its banner from C++ on the first construction in a process
    only; that one is made with standard output silenced (keeping the banner out of our JSON),
    under a lock, and every later one leaves file descriptor 1 alone, so threads planning at the
    same time (a web server) never lose or misroute each other's output."""
    global _banner_shown
    if _banner_shown:
        return highspy.Highs()
    with _banner_lock:
        if not _banner_shown:
            with _quiet_stdout():
                h = highspy.Highs()
            _banner_shown = True
            return h
    return highspy.Highs()


def new_highs(options: SolverOptions) -> highspy.Highs:
    """A silent HiGHS instance with the options' time limit, iteration limit and threads."""
    h = _construct()
    h.setOptionValue("output_flag", bool(options.log))
    if options.time_limit is not None:
        h.setOptionValue("time_limit", float(options.time_limit))
    if options.iteration_limit is not None:
        h.setOptionValue("simplex_iteration_limit", int(options.iteration_limit))
        h.setOptionValue("ipm_iteration_limit", int(options.iteration_limit))
    if options.threads is not None:
        h.setOptionValue("threads", int(options.threads))
    return h


def _first_out_of_range(values: np.ndarray, allow_infinite: bool) -> int | None:
    """Index of the first value HiGHS cannot take (NaN, too large, or infinite where not allowed)."""
    bad = np.isnan(values) | ((np.abs(values) >= LARGEST) & ~(allow_infinite & np.isinf(values)))
    hits = np.flatnonzero(bad)
    return int(hits[0]) if hits.size else None


def refuse_out_of_range(form: Formulation, cost: np.ndarray) -> None:
    """Raise ``LPRangeError`` at the first number of the LP (solver units) HiGHS cannot take."""
    col_lo, col_hi, row_lo, row_hi = form.lp.solver_bounds()
    A = form.lp.solver_matrix()
    cols_of_entries = np.repeat(np.arange(A.shape[1]), np.diff(A.indptr))
    checks = (
        (A.data, False, lambda n: (int(A.indices[n]), int(cols_of_entries[n]))),
        (form.lp.solver_cost(cost), False, lambda n: (None, n)),
        (col_lo, True, lambda n: (None, n)),
        (col_hi, True, lambda n: (None, n)),
        (row_lo, True, lambda n: (n, None)),
        (row_hi, True, lambda n: (n, None)),
    )
    for values, allow_infinite, where in checks:
        n = _first_out_of_range(values, allow_infinite)
        if n is not None:
            raise LPRangeError(*where(n), float(values[n]))


def pass_lp(h: highspy.Highs, form: Formulation, cost: np.ndarray) -> None:
    """Pass the formulation to HiGHS as an LP in solver units (column-wise matrix); ``cost`` is
    natural. Plain arrays, one call: assembling a ``HighsLp`` object first copies every array
    element by element (measured 7 ms on the default scenario, against under 1 ms). Raises
    ``LPRangeError`` for numbers HiGHS cannot take."""
    refuse_out_of_range(form, cost)
    col_lo, col_hi, row_lo, row_hi = form.lp.solver_bounds()
    A = form.lp.solver_matrix()
    status = h.passModel(
        form.lp.n_cols,
        form.lp.n_rows,
        A.nnz,
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        np.ascontiguousarray(form.lp.solver_cost(cost), dtype=np.float64),
        np.ascontiguousarray(col_lo, dtype=np.float64),
        np.ascontiguousarray(col_hi, dtype=np.float64),
        np.ascontiguousarray(row_lo, dtype=np.float64),
        np.ascontiguousarray(row_hi, dtype=np.float64),
        A.indptr.astype(np.int32),
        A.indices.astype(np.int32),
        np.ascontiguousarray(A.data, dtype=np.float64),
        np.zeros(form.lp.n_cols, dtype=np.int32),  # every column continuous: an LP
    )
    if status == highspy.HighsStatus.kError:
        raise LPRangeError(None, None, float("nan"))


def _run(h: highspy.Highs) -> SolveStatus:
    h.run()
    return status_of(h.getModelStatus())


def _limit(z1: float, relative: float) -> float:
    """The shortfall the money phase may not exceed."""
    return z1 + relative * abs(z1) + ABS_SHORTFALL_SLACK


# Phase-2 outcomes that cannot be true of the LP (phase 1's optimum satisfies the limit row), so
# are retried: HiGHS misjudged a badly scaled model.
RETRIED = (SolveStatus.infeasible, SolveStatus.unbounded_or_infeasible, SolveStatus.error)


@dataclass
class Phases:
    """What ``run_phases`` did: final status, seconds and simplex iterations."""

    status: SolveStatus
    seconds: dict[str, float] = field(default_factory=dict)
    iterations: int = 0
    tie_basis: highspy.HighsBasis | None = None  # phase 1's tie-broken optimum, when asked for
    shortfall_optimum: float = float("nan")  # phase 1's least weighted shortfall
    slack: float = float("nan")  # the relative slack of the limit row phase 2 was last solved with
    duals: Duals | None = None  # when asked for: both phases' duals (``Duals``)


def add_limit_row(h: highspy.Highs, form: Formulation) -> int:
    """Add the row "weighted shortfall ≤ limit", open until phase 2 sets its limit; its index."""
    shortfall = form.lp.solver_cost(form.shortfall_cost)
    nz = np.flatnonzero(shortfall)
    h.addRow(-highspy.kHighsInf, highspy.kHighsInf, nz.size, nz.astype(np.int32), shortfall[nz])
    return h.getNumRow() - 1


def confirm_without_presolve(h: highspy.Highs, run: Callable[[], SolveStatus]) -> SolveStatus:
    """Re-solve an LP that presolve judged infeasible without presolve: on figures near HiGHS's
    tolerances (a capacity of 10⁻⁶ a year beside a budget of 10⁻⁶ euros) presolve has called a
    feasible LP infeasible (measured), and a scenario is only called contradictory when the LP
    itself is. The caller's presolve setting is restored."""
    _, presolve = h.getOptionValue("presolve")
    h.clearSolver()
    h.setOptionValue("presolve", "off")
    try:
        return run()
    finally:
        h.setOptionValue("presolve", presolve)


def retry_with_primal_simplex(h: highspy.Highs, run: Callable[[], SolveStatus]) -> SolveStatus:
    """Re-solve, by primal simplex from scratch, an LP on which HiGHS stopped with an error: with
    shortfall costs nine orders of magnitude apart (valid weights, targets and uses at the ends of
    their ranges) dual simplex's ratio test fails where primal simplex solves (found by the
    property test). Phase 1 goes on with primal simplex anyway."""
    h.clearSolver()
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
    return run()


def run_phases(
    h: highspy.Highs,
    form: Formulation,
    limit_row: int,
    options: SolverOptions,
    tie_basis: bool = False,
    duals: bool = False,
    row_duals: bool = False,
) -> Phases:
    """Least weighted shortfall, then least money at that shortfall, on the LP in ``h`` (phase-1
    solver, options and any starting basis set by the caller; ``limit_row`` from ``add_limit_row``).

    Phase 1 is solved first with money as a tie-break (``TIE_BREAK`` per money unit), which lands it
    on a vertex that is cheap as well as short of little; pure shortfall costs are then restored and
    primal simplex confirms (or restores) the least shortfall, usually in a handful of iterations.
    Phase 2 then continues by primal simplex from there under the limit row and typically needs a
    few dozen iterations instead of the thousand-odd it needs from an arbitrary phase-1 optimum
    (docs/model.md, "How the two phases are solved"). The tie-break only chooses where phase 1
    stops; both optima are those of the plain lexicographic problem. ``tie_basis`` keeps the basis
    phase 1 reached with the tie-break (where a sweep's re-solves start); ``duals`` keeps both
    phases' duals (``Duals``, for marginal values); ``row_duals`` keeps phase 1's row duals alone
    (``shortfall_row_dual``: no ranging, no basis)."""
    n = form.lp.n_cols
    cols = np.arange(n, dtype=np.int32)
    shortfall = form.lp.solver_cost(form.shortfall_cost)
    money = form.lp.solver_cost(form.money_cost)
    if form.production_cost is not None:  # a tie-break on components made (formulation.PRODUCTION_TIE)
        money = money + form.lp.solver_cost(form.production_cost)
    out = Phases(SolveStatus.error)

    def run() -> SolveStatus:
        status = _run(h)
        out.iterations += int(h.getInfo().simplex_iteration_count)
        return status

    tick = time.perf_counter()
    h.changeColsCost(n, cols, shortfall + TIE_BREAK * money)
    status = run()
    if status in (SolveStatus.infeasible, SolveStatus.unbounded_or_infeasible):
        status = confirm_without_presolve(h, run)
    elif status is SolveStatus.error:
        status = retry_with_primal_simplex(h, run)
    if status is SolveStatus.optimal:
        if tie_basis:
            out.tie_basis = h.getBasis()
        h.changeColsCost(n, cols, shortfall)
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        status = run()
    out.seconds["solve_shortfall"] = time.perf_counter() - tick
    if status is not SolveStatus.optimal:
        out.status = status
        return out
    z1 = float(h.getInfo().objective_function_value)
    out.shortfall_optimum = z1
    if duals:
        out.duals = phase1_duals(h)
    if row_duals:
        out.shortfall_row_dual = np.array(h.getSolution().row_dual)

    tick = time.perf_counter()
    out.slack = options.shortfall_tolerance
    h.changeRowBounds(limit_row, -highspy.kHighsInf, _limit(z1, out.slack))
    h.changeColsCost(n, cols, money)
    # Phase 1's optimal basis stays primal feasible under the limit row: primal simplex continues.
    status = run()
    for widen in RETRY_TOLERANCES:
        # Phase 1's solution satisfies the limit row, so "infeasible" here is numerical: on badly
        # scaled models primal simplex can misjudge it, or stop with an unknown status (measured
        # with priority weights 10⁸ apart). Retry with dual simplex, then with a wider slack
        # (still far below any shortfall a report shows).
        if status not in RETRIED or not shortfall.any():
            break
        h.clearSolver()  # a failed run leaves state that makes the next one fail too
        h.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
        out.slack = max(widen, options.shortfall_tolerance)
        h.changeRowBounds(limit_row, -highspy.kHighsInf, _limit(z1, out.slack))
        status = run()
    if duals and out.duals is not None and status is SolveStatus.optimal:
        out.duals.money = np.array(h.getSolution().row_dual)
        out.duals.money_basis = h.getBasis()
    out.seconds["solve_money"] = time.perf_counter() - tick
    out.status = status
    return out


def solve(form: Formulation, options: SolverOptions | None = None) -> SolveResult:
    """Lexicographic solve: least weighted shortfall, then least money at that shortfall."""
    options = options or SolverOptions()
    tick = time.perf_counter()
    h = new_highs(options)
    pass_lp(h, form, form.shortfall_cost)
    limit_row = add_limit_row(h, form)
    first = options.first_solver
    if first == "ipm" or (first == "auto" and form.lp.n_cols >= IPM_FROM):
        h.setOptionValue("solver", "ipm")  # with crossover, so phase 2 starts from a basis
    seconds = {"pass": time.perf_counter() - tick}
    phases = run_phases(h, form, limit_row, options, duals=True)
    seconds |= phases.seconds
    if phases.status is not SolveStatus.optimal:
        return SolveResult(
            phases.status, h.modelStatusToString(h.getModelStatus()), np.zeros(0), seconds=seconds, highs=h
        )
    solution = form.lp.natural(h.getSolution().col_value)
    money = float(form.money_cost @ solution)
    shortfall = float(form.shortfall_cost @ solution)
    return SolveResult(
        SolveStatus.optimal,
        "Optimal",
        solution,
        shortfall,
        money,
        seconds,
        h,
        phases.shortfall_optimum,
        phases.slack,
        phases.duals,
    )
