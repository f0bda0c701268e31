"""Re-solving one built model for many draws (design §6).

Draws differ only in numbers, so the LP is passed to HiGHS once; for each draw only the changed
bounds, right-hand sides, costs and matrix coefficients are sent, and the solve starts from optimal
bases of the scenario as written: phase 1 (least shortfall) from the scenario's phase-1 optimum,
and — when the draw leaves costs and matrix as written, so only bounds and right-hand sides moved —
phase 2 (least money) from the scenario's phase-2 optimum, both by dual simplex (the textbook
re-optimisation after right-hand-side changes: the bases stay dual feasible). When costs or matrix
entries moved, phase 2 continues by primal simplex from the draw's own phase-1 optimum. These starts
are the same for every draw, on every worker, in any order, so a draw's result depends on its
numbers only (the same seed gives the same results on a laptop or a cluster, and a resumed sweep
matches an uninterrupted one).

Whether the warm start pays depends on how much a draw changes: when only capacities, budgets or
targets vary it needs a fraction of a cold solve's simplex iterations; when every ranged figure
varies at once (prices move costs and matrix entries) it needs about as many as a cold solve, on a
larger LP, because a warm-started model cannot be presolved (docs/performance.md has the counts).
A sweep therefore times both on a few draws before it starts and records its choice
(``runner.calibrate``), so every worker and every resumed run uses the same one.

A draw that changes the model's structure (a lead time that rounds to another number of periods,
a share that becomes zero) cannot be updated in place; it is solved cold on a model of its own
structure, which is kept for further draws of that structure.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from ..planner.formulation import Formulation, build
from ..planner.solver import (
    DUAL_SIMPLEX,
    PRIMAL_SIMPLEX,
    RETRY_TOLERANCES,
    SolverOptions,
    SolveStatus,
    _limit,
    _new_highs,
    _run,
    to_highs_lp,
)
from ..scenario.compiled import ModelData


def structure_key(form: Formulation) -> str:
    """A digest of the LP's shape: which variables and rows exist. (Matrix entries may appear or
    vanish between draws — a lead time moves deliveries to other rows — and are synced in place.)"""
    digest = hashlib.blake2b(digest_size=16)
    for block in (*form.lp.col_blocks, *form.lp.row_blocks):
        digest.update(block.name.encode())
        digest.update(np.ascontiguousarray(block.index >= 0).tobytes())
    return digest.hexdigest()


def _entries(A: sp.csc_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Sorted linear keys (column-major) and values of a matrix's stored entries."""
    cols = np.repeat(np.arange(A.shape[1]), np.diff(A.indptr))
    keys = cols.astype(np.int64) * A.shape[0] + A.indices
    return keys, A.data


@dataclass
class Solved:
    """A draw's solve: status, solution vector and the formulation it belongs to, with the time
    spent inside HiGHS and its simplex iterations (both phases)."""

    status: SolveStatus
    solution: np.ndarray
    form: Formulation
    warm: bool
    seconds: float = 0.0
    iterations: int = 0


class Resolver:
    """One LP in HiGHS, updated in place and re-solved lexicographically for each draw."""

    def __init__(self, m: ModelData, options: SolverOptions, warm: bool) -> None:
        self.options = options
        self.warm = warm
        self.form = build(m)
        self.key = structure_key(self.form)
        self._keys, self._vals = _entries(self.form.lp.solver_matrix())
        self.h = _new_highs(options)
        self.h.passModel(to_highs_lp(self.form, self.form.shortfall_cost))
        self._shortfall = self.form.lp.solver_cost(self.form.shortfall_cost)
        self._limited = np.flatnonzero(self._shortfall)
        self.limit_row = self.h.getNumRow()
        self.h.addRow(
            -highspy.kHighsInf,
            highspy.kHighsInf,
            self._limited.size,
            self._limited.astype(np.int32),
            self._shortfall[self._limited],
        )
        # the scenario as written, to tell draws that moved only bounds and right-hand sides
        self._base_lp = (self._keys, self._vals, self._shortfall)
        self._base_money = self.form.lp.solver_cost(self.form.money_cost)
        self._at_base = True  # the LP in HiGHS has the base's matrix and shortfall costs
        self.base_basis = None  # phase 1's optimal basis for the scenario as written
        self.base_money_basis = None  # phase 2's
        if warm:
            self._solve_base()

    def _solve_base(self) -> None:
        """The bases every draw starts from: both optima of the scenario as written."""
        h = self.h
        h.setOptionValue("solver", "simplex")
        if _run(h) is not SolveStatus.optimal:
            return
        self.base_basis = h.getBasis()
        z1 = float(h.getInfo().objective_function_value)
        h.changeRowBounds(self.limit_row, -highspy.kHighsInf, _limit(z1, self.options.shortfall_tolerance))
        n = self.form.lp.n_cols
        h.changeColsCost(n, np.arange(n, dtype=np.int32), self._base_money)
        h.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        if _run(h) is SolveStatus.optimal:
            self.base_money_basis = h.getBasis()
        h.changeRowBounds(self.limit_row, -highspy.kHighsInf, highspy.kHighsInf)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), self._shortfall)

    def _update(self, form: Formulation) -> None:
        h, n = self.h, form.lp.n_cols
        col_lo, col_hi, row_lo, row_hi = form.lp.solver_bounds()
        h.changeColsBounds(n, np.arange(n, dtype=np.int32), col_lo, col_hi)
        rows = np.arange(form.lp.n_rows, dtype=np.int32)
        h.changeRowsBounds(rows.size, rows, row_lo, row_hi)
        h.changeRowBounds(self.limit_row, -highspy.kHighsInf, highspy.kHighsInf)
        keys, vals = _entries(form.lp.solver_matrix())
        if not (np.array_equal(keys, self._keys) and np.array_equal(vals, self._vals)):
            self._sync_matrix(form, keys, vals)
        shortfall = form.lp.solver_cost(form.shortfall_cost)
        for j in self._limited[shortfall[self._limited] != self._shortfall[self._limited]]:
            h.changeCoeff(self.limit_row, int(j), float(shortfall[j]))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), shortfall)
        self._keys, self._vals, self._shortfall, self.form = keys, vals, shortfall, form
        base_keys, base_vals, base_shortfall = self._base_lp
        self._at_base = (
            np.array_equal(keys, base_keys)
            and np.array_equal(vals, base_vals)
            and np.array_equal(shortfall, base_shortfall)
        )

    def _sync_matrix(self, form: Formulation, keys: np.ndarray, vals: np.ndarray) -> None:
        """Send the matrix entries that differ from the model in HiGHS (removed ones as zeros)."""
        h = self.h
        gone = np.setdiff1d(self._keys, keys, assume_unique=True)
        common, at_old, at_new = np.intersect1d(self._keys, keys, assume_unique=True, return_indices=True)
        changed = np.concatenate(
            [common[self._vals[at_old] != vals[at_new]], np.setdiff1d(keys, self._keys, assume_unique=True)]
        )
        rows = form.lp.n_rows
        for r, c in zip((gone % rows).tolist(), (gone // rows).tolist(), strict=True):
            h.changeCoeff(r, c, 0.0)
        send = np.isin(keys, changed)
        for r, c, v in zip(
            (keys[send] % rows).tolist(), (keys[send] // rows).tolist(), vals[send].tolist(), strict=True
        ):
            h.changeCoeff(r, c, v)

    def _run(self) -> SolveStatus:
        tick = time.perf_counter()
        status = _run(self.h)
        self._seconds += time.perf_counter() - tick
        self._iterations += int(self.h.getInfo().simplex_iteration_count)
        return status

    def solve(self, form: Formulation) -> Solved:
        """Solve a draw whose formulation has this resolver's structure."""
        h = self.h
        self._seconds, self._iterations = 0.0, 0
        self._update(form)
        if self.warm and self.base_basis is not None:
            h.setBasis(self.base_basis)
        else:
            h.clearSolver()
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
        status = self._run()
        if status is not SolveStatus.optimal:
            return Solved(status, np.zeros(0), form, self.warm, self._seconds, self._iterations)
        z1 = float(h.getInfo().objective_function_value)
        h.changeRowBounds(self.limit_row, -highspy.kHighsInf, _limit(z1, self.options.shortfall_tolerance))
        n = form.lp.n_cols
        money = form.lp.solver_cost(form.money_cost)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), money)
        if self.base_money_basis is not None and self._at_base and np.array_equal(money, self._base_money):
            h.setBasis(self.base_money_basis)  # dual feasible: only bounds and right-hand sides moved
            h.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
        else:
            h.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        status = self._run()
        for widen in RETRY_TOLERANCES:
            if status is not SolveStatus.infeasible:
                break
            h.clearSolver()
            h.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
            h.changeRowBounds(self.limit_row, -highspy.kHighsInf, _limit(z1, widen))
            status = self._run()
        solution = form.lp.natural(h.getSolution().col_value) if status is SolveStatus.optimal else np.zeros(0)
        return Solved(status, solution, form, self.warm, self._seconds, self._iterations)


class ResolverCache:
    """Resolvers by structure: the scenario as written is re-solved in place (warm from its optimal
    basis if ``warm``, else cold with presolve); other structures are solved cold."""

    def __init__(self, base: ModelData, options: SolverOptions, warm: bool = True) -> None:
        self.options = options
        self.base = Resolver(base, options, warm=warm)
        self.others: dict[str, Resolver] = {}
        self.rebuilt = 0

    def solve(self, m: ModelData) -> Solved:
        form = build(m)
        key = structure_key(form)
        if key == self.base.key:
            return self.base.solve(form)
        if key not in self.others:
            self.others[key] = Resolver(m, self.options, warm=False)
            self.rebuilt += 1
        return self.others[key].solve(form)
