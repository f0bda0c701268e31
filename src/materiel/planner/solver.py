"""Solving the planner's LP with HiGHS: lexicographic objective and a closed status contract.

Phase 1 minimises weighted relative shortfall. Phase 2 adds the row "shortfall ≤ optimum ×
(1 + tolerance)" and minimises money, warm-started from phase 1's basis.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
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
# Measured (docs/performance.md): dual simplex wins on the default scenario (14k columns: 0.3 s vs
# 1.1 s); interior point with crossover wins on larger models (49k columns: 8 s vs 21 s).
IPM_FROM = 25_000


class SolveStatus(StrEnum):
    """Outcome of a solve; anything but ``optimal`` is an error for the caller."""

    optimal = "optimal"
    infeasible = "infeasible"
    unbounded = "unbounded"
    time_limit = "time_limit"
    error = "error"


_STATUS = {
    highspy.HighsModelStatus.kOptimal: SolveStatus.optimal,
    highspy.HighsModelStatus.kInfeasible: SolveStatus.infeasible,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: SolveStatus.infeasible,
    highspy.HighsModelStatus.kUnbounded: SolveStatus.unbounded,
    highspy.HighsModelStatus.kTimeLimit: SolveStatus.time_limit,
    highspy.HighsModelStatus.kIterationLimit: SolveStatus.time_limit,
}


@dataclass(frozen=True)
class SolverOptions:
    """Options for one plan solve, grouped rather than passed as loose keywords."""

    shortfall_tolerance: float = 1e-9
    time_limit: float | None = None
    threads: int | None = None
    log: bool = False
    first_solver: str = "auto"  # "simplex", "ipm", or "auto": interior point from IPM_FROM columns on


@dataclass
class SolveResult:
    """Status, solution vector and timings of a lexicographic solve."""

    status: SolveStatus
    model_status: str
    solution: np.ndarray
    shortfall: float = float("nan")
    money: float = float("nan")
    seconds: dict[str, float] = field(default_factory=dict)
    highs: highspy.Highs | None = None


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """HiGHS prints a banner from C++ when constructed; keep it out of our (JSON) output."""
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


def _new_highs(options: SolverOptions) -> highspy.Highs:
    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", bool(options.log))
    if options.time_limit is not None:
        h.setOptionValue("time_limit", float(options.time_limit))
    if options.threads is not None:
        h.setOptionValue("threads", int(options.threads))
    return h


def to_highs_lp(form: Formulation, cost: np.ndarray) -> highspy.HighsLp:
    """The formulation as a HiGHS LP in solver units (column-wise matrix); ``cost`` is natural."""
    col_lo, col_hi, row_lo, row_hi = form.lp.solver_bounds()
    A = form.lp.solver_matrix()
    lp = highspy.HighsLp()
    lp.num_col_ = form.lp.n_cols
    lp.num_row_ = form.lp.n_rows
    lp.col_cost_ = form.lp.solver_cost(cost)
    lp.col_lower_ = col_lo
    lp.col_upper_ = col_hi
    lp.row_lower_ = row_lo
    lp.row_upper_ = row_hi
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data
    return lp


def _run(h: highspy.Highs) -> SolveStatus:
    h.run()
    return _STATUS.get(h.getModelStatus(), SolveStatus.error)


def _limit(z1: float, relative: float) -> float:
    """The shortfall the money phase may not exceed."""
    return z1 + relative * abs(z1) + ABS_SHORTFALL_SLACK


def solve(form: Formulation, options: SolverOptions | None = None) -> SolveResult:
    """Lexicographic solve: least weighted shortfall, then least money at that shortfall."""
    options = options or SolverOptions()
    seconds: dict[str, float] = {}
    tick = time.perf_counter()
    h = _new_highs(options)
    h.passModel(to_highs_lp(form, form.shortfall_cost))
    first = options.first_solver
    if first == "ipm" or (first == "auto" and form.lp.n_cols >= IPM_FROM):
        h.setOptionValue("solver", "ipm")  # with crossover, so phase 2 starts from a basis
    seconds["pass"] = time.perf_counter() - tick

    tick = time.perf_counter()
    status = _run(h)
    seconds["solve_shortfall"] = time.perf_counter() - tick
    if status is not SolveStatus.optimal:
        return SolveResult(status, h.modelStatusToString(h.getModelStatus()), np.zeros(0), seconds=seconds, highs=h)
    z1 = float(h.getInfo().objective_function_value)

    tick = time.perf_counter()
    shortfall = form.lp.solver_cost(form.shortfall_cost)
    nz = np.flatnonzero(shortfall)
    limit_row = h.getNumRow()
    if nz.size:
        h.addRow(
            -highspy.kHighsInf, _limit(z1, options.shortfall_tolerance), nz.size, nz.astype(np.int32), shortfall[nz]
        )
    n = form.lp.n_cols
    h.changeColsCost(n, np.arange(n, dtype=np.int32), form.lp.solver_cost(form.money_cost))
    # Phase 1's optimal basis stays primal feasible under the added row, so primal simplex
    # continues from it; dual simplex would restart far away (measured 6x slower on the default).
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
    status = _run(h)
    for widen in RETRY_TOLERANCES:
        # Phase 1's solution satisfies the limit row, so "infeasible" here is numerical: on badly
        # scaled models primal simplex can misjudge it. Retry with dual simplex, then with a wider
        # slack (still far below any shortfall a report shows).
        if status is not SolveStatus.infeasible or not nz.size:
            break
        h.clearSolver()  # a failed run leaves state that makes the next one fail too
        h.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
        h.changeRowBounds(limit_row, -highspy.kHighsInf, _limit(z1, widen))
        status = _run(h)
    seconds["solve_money"] = time.perf_counter() - tick
    if status is not SolveStatus.optimal:
        return SolveResult(status, h.modelStatusToString(h.getModelStatus()), np.zeros(0), seconds=seconds, highs=h)
    solution = form.lp.natural(h.getSolution().col_value)
    money = float(form.money_cost @ solution)
    shortfall = float(form.shortfall_cost @ solution)
    return SolveResult(SolveStatus.optimal, "Optimal", solution, shortfall, money, seconds, h)
