"""A two-stage stochastic plan in extensive form (docs/uncertainty.md, "Planning for uncertainty").

First-stage decisions — the orders and investments placed up to the decision date — are shared
columns X̂, one per order book and first-stage period (``books``); each of K sampled draws has its
own copy of the whole LP (the recourse), tied to X̂ by its books' rows exactly as a committed plan
is judged (``committed``): nothing made before it is ordered, nothing but X̂ made in the first
stage, all of X̂ made within the horizon or cut. Sharing the columns is the non-anticipativity: a
draw cannot see its own numbers before the decision date.

The objective is lexicographic as in a plan, with a phase 0 in front:

0. least expected value cut (1/K) Σ_k Σ_b value(b)·g[k,b] (held by a row);
1. least expected weighted shortfall (1/K) Σ_k S_k, or with ``alpha`` its CVaR at level α,
   η + 1/((1−α)K) Σ_k ξ_k with ξ_k ≥ S_k − η, ξ_k ≥ 0 (Rockafellar–Uryasev);
2. least expected money (1/K) Σ_k money_k, at that shortfall.

Every draw's shortfall and money are converted to the scenario's weight and money units, so the
draws add up even where a draw's figures change the LP's units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..planner.formulation import Formulation, build
from ..planner.solver import IPM_FROM, SolverOptions, SolveStatus, add_limit_row, new_highs, pass_lp, run_phases
from ..scenario.compiled import ModelData
from .books import Books, book_rows, books_of
from .committed import CommitError, Commitment, _add_rows, phase_zero


@dataclass
class StackedLP:
    """The extensive form in solver units, with the interface ``planner.solver`` reads from a
    formulation's ``LinearProgram``."""

    matrix: sp.csc_matrix
    col_scale: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray

    @property
    def n_cols(self) -> int:
        return self.matrix.shape[1]

    @property
    def n_rows(self) -> int:
        return self.matrix.shape[0]

    def scales(self) -> tuple[np.ndarray, np.ndarray]:
        return self.col_scale, np.ones(self.n_rows)

    def solver_bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.col_lo, self.col_hi, self.row_lo, self.row_hi

    def solver_matrix(self) -> sp.csc_matrix:
        return self.matrix

    def solver_cost(self, cost: np.ndarray) -> np.ndarray:
        return cost * self.col_scale

    def natural(self, solution: np.ndarray) -> np.ndarray:
        return np.asarray(solution) * self.col_scale


@dataclass
class Stacked:
    """The extensive form as ``run_phases`` sees a formulation: its LP and both objectives
    (natural units), with where each block of columns lies."""

    lp: StackedLP
    shortfall_cost: np.ndarray
    money_cost: np.ndarray
    first: slice  # the shared first-stage columns X̂ (book-major, T₁ per book)
    draws: list[slice]  # each draw's own columns
    cuts: list[slice]  # each draw's cut columns g
    cut_weights: np.ndarray  # phase 0's cost of every column (money units of the scenario per natural unit)
    production_cost: None = None


@dataclass
class StochasticPlan:
    """The extensive form's answer: the shared first stage as a commitment, each training draw's
    weighted shortfall and money (scenario units), and the objective's value."""

    commitment: Commitment
    shortfall: np.ndarray  # (K,) weighted shortfall of each training draw
    money: np.ndarray  # (K,) money of each training draw (base currency)
    cut: float  # expected value cut (base currency)
    objective: float  # phase 1's optimum: expected weighted shortfall, or its CVaR
    alpha: float | None
    columns: int
    rows: int
    seconds: float
    iterations: int  # simplex iterations (extensive form) or master iterations (Benders)
    method: str = "extensive form"

    @property
    def expected_shortfall(self) -> float:
        return float(self.shortfall.mean())

    def cvar(self, alpha: float) -> float:
        """The mean of the worst (1 − α) share of the training draws' shortfalls (with the
        fractional draw at the boundary weighted in, as Rockafellar–Uryasev's form gives)."""
        s = np.sort(self.shortfall)[::-1]
        k = len(s)
        tail = (1 - alpha) * k
        whole = math.floor(tail + 1e-12)
        total = s[:whole].sum() + (tail - whole) * (s[whole] if whole < k else 0.0)
        return float(total / tail) if tail > 0 else float(s[0])


def _same_books(books: Books, other: Books) -> bool:
    return books.pairs() == other.pairs() and books.cols.shape == other.cols.shape


def stack(
    base: ModelData, draws: list[ModelData], periods: int, alpha: float | None = None
) -> tuple[Stacked, Books, list[Formulation], Formulation]:
    """The extensive form of ``draws`` with the first ``periods`` periods shared (``base``: the
    scenario as written, whose units and prices the shared columns and cuts use)."""
    form0 = build(base)
    books = books_of(form0)
    B, T1, K = books.size, periods, len(draws)
    forms = [build(m) for m in draws]
    for n, f in enumerate(forms):
        if not _same_books(books, books_of(f)):
            raise CommitError(
                f"training draw {n} changes which lines may take orders (a customer share drawn at 0); "
                "give the shares a range above 0 or fewer draws"
            )
    scales, lo, hi, rlo, rhi, short, money, weights = [], [], [], [], [], [], [], []
    # shared first-stage columns X̂
    n_first = B * T1
    scales.append(np.repeat(books.scale, T1))
    lo.append(np.zeros(n_first))
    hi.append(np.full(n_first, np.inf))
    for vec in (short, money, weights):
        vec.append(np.zeros(n_first))
    triplets: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    col, row = n_first, 0
    draw_slices, cut_slices = [], []
    value = np.array([base.price[l, T1 - 1] if k >= 0 else base.capex[l] for l, k in books.pairs()])
    for f in forms:
        A = f.lp.solver_matrix().tocoo()
        triplets.append((A.row + row, A.col + col, A.data))
        cs = f.lp.scales()[0]
        c_lo, c_hi, r_lo, r_hi = f.lp.solver_bounds()
        n, m = f.lp.n_cols, f.lp.n_rows
        mine = books_of(f)
        scales += [cs, mine.scale]
        lo += [c_lo, np.zeros(B)]
        hi += [c_hi, np.full(B, np.inf)]
        short.append(f.shortfall_cost * f.weight_unit / form0.weight_unit / K)
        money_k = f.money_cost + (f.production_cost if f.production_cost is not None else 0.0)
        money.append(money_k * f.money_unit / form0.money_unit / K)
        short.append(np.zeros(B))
        money.append(np.zeros(B))
        weights += [np.zeros(n), value / form0.money_unit / K]
        rlo.append(r_lo)
        rhi.append(r_hi)
        draw_slices.append(slice(col, col + n))
        cut_slices.append(slice(col + n, col + n + B))
        # the books' rows: cumulative ≤ Σ X̂ so far, total + g ≥ Σ X̂
        r, c, v = book_rows(mine, T1)
        b_first = np.arange(B)
        ratio = books.scale / mine.scale  # X̂'s solver unit in this draw's row units
        cum_b, cum_t = np.divmod(np.arange(B * T1), T1)
        xr, xc, xv = [], [], []
        for tau in range(T1):  # −X̂[b, t] for t ≤ τ in cumulative row (b, τ)
            at = cum_t == tau
            for t in range(tau + 1):
                xr.append(row + m + cum_b[at] * T1 + tau)
                xc.append(cum_b[at] * T1 + t)
                xv.append(-ratio[cum_b[at]])
        for t in range(T1):  # −X̂[b, t] in total row b
            xr.append(row + m + B * T1 + b_first)
            xc.append(b_first * T1 + t)
            xv.append(-ratio)
        triplets.append((r + row + m, c + col, v))
        triplets.append((row + m + B * T1 + b_first, col + n + b_first, np.ones(B)))
        triplets.append((np.concatenate(xr), np.concatenate(xc), np.concatenate(xv)))
        rlo += [np.full(B * T1, -np.inf), np.zeros(B)]
        rhi += [np.zeros(B * T1), np.full(B, np.inf)]
        col += n + B
        row += m + B * T1 + B
    if alpha is not None:  # CVaR: η, then ξ_k ≥ S_k − η
        eta = col
        scales.append(np.ones(1 + K))
        lo.append(np.zeros(1 + K))
        hi.append(np.full(1 + K, np.inf))
        money.append(np.zeros(1 + K))
        weights.append(np.zeros(1 + K))
        short = [np.zeros_like(s) for s in short]
        short.append(np.concatenate([[1.0], np.full(K, 1.0 / ((1 - alpha) * K))]))
        for k, (f, sl) in enumerate(zip(forms, draw_slices, strict=True)):
            cost = f.lp.solver_cost(f.shortfall_cost) * f.weight_unit / form0.weight_unit
            nz = np.flatnonzero(cost)
            triplets.append((np.full(nz.size, row + k), sl.start + nz, -cost[nz]))
            triplets.append((np.array([row + k, row + k]), np.array([eta, eta + 1 + k]), np.ones(2)))
        rlo.append(np.zeros(K))
        rhi.append(np.full(K, np.inf))
        col += 1 + K
        row += K
    r, c, v = (np.concatenate([t[i] for t in triplets]) for i in range(3))
    matrix = sp.csc_matrix((v, (r, c)), shape=(row, col))
    cs = np.concatenate(scales)
    lp = StackedLP(matrix, cs, np.concatenate(lo), np.concatenate(hi), np.concatenate(rlo), np.concatenate(rhi))
    stacked = Stacked(
        lp,
        np.concatenate(short),
        np.concatenate(money),
        slice(0, n_first),
        draw_slices,
        cut_slices,
        np.concatenate(weights),
    )
    return stacked, books, forms, form0


def solve_stochastic(
    base: ModelData,
    draws: list[ModelData],
    periods: int,
    alpha: float | None = None,
    options: SolverOptions | None = None,
) -> StochasticPlan:
    """Build and solve the extensive form: phase 0 (least expected cut), then the plan's two
    phases; raise ``CommitError`` if HiGHS does not prove it optimal."""
    import time

    if alpha is not None and not 0 <= alpha < 1:
        raise CommitError(f"--alpha {alpha}: the CVaR level must lie in [0, 1), e.g. 0.9 for the worst tenth")
    if not draws:
        raise CommitError("no training draw to plan for")
    options = options or SolverOptions()
    tick = time.perf_counter()
    ef, books, forms, form0 = stack(base, draws, periods, alpha)
    h = new_highs(options)
    pass_lp(h, ef, ef.shortfall_cost)
    limit_row = add_limit_row(h, ef)
    g = np.concatenate([np.arange(s.start, s.stop) for s in ef.cuts]).astype(np.int32)
    solver_weights = ef.lp.solver_cost(ef.cut_weights)[g]
    _add_rows(h, 1, np.zeros(g.size, np.int64), g, solver_weights)
    cut_row = h.getNumRow() - 1
    if ef.lp.n_cols >= IPM_FROM:
        h.setOptionValue("solver", "ipm")
    status, iterations = phase_zero(h, ef, g, solver_weights, cut_row)
    if status is not SolveStatus.optimal:
        raise CommitError(f"the extensive form has no optimal plan ({status.value})")
    phases = run_phases(h, ef, limit_row, options)
    if phases.status is not SolveStatus.optimal:
        raise CommitError(f"the extensive form has no optimal plan ({phases.status.value})")
    solution = ef.lp.natural(np.asarray(h.getSolution().col_value))
    first = solution[ef.first].reshape(books.size, periods).clip(0.0)
    x = np.zeros((len(base.lines), len(base.customers), base.T))
    e = np.zeros((len(base.lines), base.T))
    for n, (l, k) in enumerate(books.pairs()):
        if k >= 0:
            x[l, k, :periods] = first[n]
        else:
            e[l, :periods] = first[n]
    commitment = Commitment(periods, x, e, base.price.copy(), base.capex.copy())
    shortfall = np.array([f.shortfall_cost @ solution[s] * f.weight_unit for f, s in zip(forms, ef.draws, strict=True)])
    money = np.array([f.money_cost @ solution[s] * f.money_unit for f, s in zip(forms, ef.draws, strict=True)])
    cut = float(ef.cut_weights @ solution) * form0.money_unit
    return StochasticPlan(
        commitment,
        shortfall,
        money,
        cut,
        phases.shortfall_optimum * form0.weight_unit,
        alpha,
        ef.lp.n_cols,
        ef.lp.n_rows,
        time.perf_counter() - tick,
        iterations + phases.iterations,
    )


__all__ = ["StochasticPlan", "solve_stochastic", "stack"]
