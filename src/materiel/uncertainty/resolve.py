"""Re-solving one built model for many draws (docs/uncertainty.md, "Speed: one model, re-solved in place").

Draws differ only in numbers, so one LP stays in HiGHS: for each draw the changed bounds and
right-hand sides are sent in place (or, when a draw moves matrix entries — a price does, in every
payment row — the draw's LP is passed whole, one call being faster than thousands of single
coefficients), and the lexicographic solve (``planner.solver.run_phases``) starts from one fixed
basis: the optimum of the scenario as written for phase 1 with its money tie-break. Dual simplex
re-optimises from it with Devex pricing (steepest-edge weights for an advanced basis would first
cost a solve per row); the tie-break then leaves phase 2 only a few dozen iterations.

The start is the same for every draw, on every worker, in any order, so a draw's result depends on
its numbers only (the same seed gives the same results on a laptop or a cluster, and a resumed
sweep matches an uninterrupted one).

Whether the warm start pays depends on how much a draw changes: when only capacities, budgets or
targets vary it needs a fraction of a cold solve's simplex iterations; when every ranged figure
varies at once it needs rather fewer, but on the full LP where a cold solve is presolved first
(docs/performance.md has the counts). A sweep therefore times both on a few draws before it
starts and records its choice (``runner.calibrate``), so every worker and every resumed run uses
the same one.

A draw that changes the model's structure (a lead time that rounds to another number of periods,
a share that becomes zero) cannot be updated in place; it is solved cold on a model of its own
structure, which is kept for further draws of that structure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from ..planner.formulation import Formulation, build
from ..planner.solver import (
    DUAL_SIMPLEX,
    SolverOptions,
    SolveStatus,
    add_limit_row,
    new_highs,
    pass_lp,
    run_phases,
)
from ..scenario.compiled import ModelData

CHOOSE, DEVEX = -1, 1  # HiGHS's dual simplex edge weights: its own choice, or Devex


def structure_key(form: Formulation) -> str:
    """A digest of the LP's shape: which variables and rows exist. (Matrix entries may appear or
    vanish between draws — a lead time moves deliveries to other rows — and come with the draw's LP.)"""
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
        shortfall = self.form.lp.solver_cost(self.form.shortfall_cost)
        self._limited = shortfall != 0  # the limit row's columns (fixed by the structure)
        self._limit_coeffs = shortfall[self._limited]
        self.h = new_highs(options)
        self._load(self.form)
        self.base_basis = None  # where every draw starts: the scenario's tie-broken phase-1 optimum
        if warm:
            self._solve_base()

    def _load(self, form: Formulation) -> None:
        """Pass a draw's whole LP to HiGHS, with the open row that will limit phase 2's shortfall."""
        pass_lp(self.h, form, form.shortfall_cost)
        self.limit_row = add_limit_row(self.h, form)

    def _solve_base(self) -> None:
        """The basis every draw starts from: phase 1 of the scenario as written, with its tie-break."""
        h = self.h
        h.setOptionValue("solver", "simplex")
        phases = run_phases(h, self.form, self.limit_row, self.options, tie_basis=True)
        if phases.status is SolveStatus.optimal:
            self.base_basis = phases.tie_basis
        h.changeRowBounds(self.limit_row, -highspy.kHighsInf, highspy.kHighsInf)

    def _update(self, form: Formulation) -> None:
        """Bring the LP in HiGHS to the draw's numbers: bounds and right-hand sides changed in
        place; if matrix entries or the limit row's coefficients moved, the draw's LP is passed
        whole. (``run_phases`` sets the costs.)"""
        h, n = self.h, form.lp.n_cols
        keys, vals = _entries(form.lp.solver_matrix())
        shortfall = form.lp.solver_cost(form.shortfall_cost)
        same_matrix = np.array_equal(keys, self._keys) and np.array_equal(vals, self._vals)
        if not same_matrix or not np.array_equal(shortfall[self._limited], self._limit_coeffs):
            self._load(form)
        else:
            col_lo, col_hi, row_lo, row_hi = form.lp.solver_bounds()
            h.changeColsBounds(n, np.arange(n, dtype=np.int32), col_lo, col_hi)
            rows = np.arange(form.lp.n_rows, dtype=np.int32)
            h.changeRowsBounds(rows.size, rows, row_lo, row_hi)
            h.changeRowBounds(self.limit_row, -highspy.kHighsInf, highspy.kHighsInf)
        self._keys, self._vals, self._limit_coeffs, self.form = keys, vals, shortfall[self._limited], form

    def solve(self, form: Formulation) -> Solved:
        """Solve a draw whose formulation has this resolver's structure."""
        h = self.h
        self._update(form)
        warm = self.warm and self.base_basis is not None
        if warm:
            h.setBasis(self.base_basis)
        else:
            h.clearSolver()
        h.setOptionValue("simplex_dual_edge_weight_strategy", DEVEX if warm else CHOOSE)
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
        phases = run_phases(h, form, self.limit_row, self.options)
        seconds = sum(phases.seconds.values())
        if phases.status is not SolveStatus.optimal:
            return Solved(phases.status, np.zeros(0), form, seconds, phases.iterations)
        solution = form.lp.natural(h.getSolution().col_value)
        return Solved(phases.status, solution, form, seconds, phases.iterations)


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
