"""Multi-cut Benders (L-shaped) decomposition of the two-stage plan (docs/uncertainty.md,
"Decomposition"): a small master problem over the shared first stage X̂ and one cost column θ_k
per draw, and per-draw subproblems — the committed draw's LP with X̂ as its books' right-hand
sides — solved in place and warm (``committed.CommittedResolver``), on this process, the local
pool or Dask.

The subproblem's value S_k(X̂) is draw k's least weighted shortfall with all of X̂ made within the
horizon (no cut). It is convex in X̂ (an LP's value in its right-hand sides) and its books' row
duals give a subgradient, so each iteration adds the optimality cut θ_k ≥ S_k(X̂ʲ) + ∇ᵀ(X̂ − X̂ʲ)
for every draw; where a draw cannot make all of X̂ʲ, the least cut c_k(X̂), convex too, gives the
feasibility cut c_k(X̂ʲ) + ∇c_kᵀ(X̂ − X̂ʲ) ≤ 0 instead. The master's optimum is a lower bound on
the expected shortfall, the best first stage every draw honours an upper bound; the loop stops
when they are within a relative gap. This is the extensive form's answer whenever its phase 0
cuts nothing (the usual case: then every draw must honour the first stage in full); otherwise the
master becomes infeasible and says so.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import time
from dataclasses import dataclass, field

import highspy
import numpy as np

from ..planner.formulation import build
from ..planner.solver import DUAL_SIMPLEX, SolverOptions, SolveStatus, confirm_without_presolve, new_highs, status_of
from ..scenario.compiled import ModelData, compile_scenario, iter_quantities
from ..scenario.schema import Scenario
from .books import Books, books_of, committed_amounts
from .committed import CUT_PENALTY, CommitError, Commitment, CommittedResolver
from .resolve import DEVEX

# A draw honours a first stage when it cuts at most this many money units of it.
CUT_TOLERANCE = 1e-7


@dataclass(frozen=True)
class BendersSpec:
    """What a worker needs: the scenario, the varied figures, the first stage's shape."""

    key: str
    scenario: bytes
    locs: tuple[tuple, ...]
    options: SolverOptions
    periods: int
    value: tuple[float, ...]  # value of one unit of each book (base currency), as in the extensive form


@dataclass
class _Worker:
    scenario: Scenario
    figures: list
    resolver: CommittedResolver | None = None
    bases: dict[int, highspy.HighsBasis] = field(default_factory=dict)


_WORKERS: dict[str, _Worker] = {}


def _commitment(m: ModelData, books: Books, periods: int, first: np.ndarray) -> Commitment:
    x = np.zeros((len(m.lines), len(m.customers), m.T))
    e = np.zeros((len(m.lines), m.T))
    for n, (l, k) in enumerate(books.pairs()):
        if k >= 0:
            x[l, k, :periods] = first[n]
        else:
            e[l, :periods] = first[n]
    return Commitment(periods, x, e, m.price.copy(), m.capex.copy())


def subproblems(spec: BendersSpec, draws: tuple[int, ...], values: np.ndarray, first: np.ndarray) -> list[tuple]:
    """V_k(X̂) and its subgradient (natural units of X̂, book-major) for each draw, each solved in
    place from that draw's last basis (in a worker)."""
    if spec.key not in _WORKERS:
        _WORKERS.clear()
        sc = pickle.loads(spec.scenario)
        found = dict(iter_quantities(sc, explicit=True))
        _WORKERS[spec.key] = _Worker(sc, [found[tuple(loc)] for loc in spec.locs])
    w = _WORKERS[spec.key]
    nominal = [q.value for q in w.figures]
    out = []
    try:
        for draw, row in zip(draws, values, strict=True):
            for q, v in zip(w.figures, row, strict=True):
                q.value = float(v)
            m = compile_scenario(w.scenario)
            if w.resolver is None:
                base = compile_scenario(w.scenario)
                books = books_of(build(base))
                w.resolver = CommittedResolver(base, spec.options, False, _commitment(base, books, spec.periods, first))
            out.append((draw, *_subproblem(w, draw, m, spec, first)))
    finally:
        for q, v in zip(w.figures, nominal, strict=True):
            q.value = v
    return out


def _subproblem(
    w: _Worker, draw: int, m: ModelData, spec: BendersSpec, first: np.ndarray
) -> tuple[str, float, np.ndarray]:
    """("optimality", S_k(X̂), ∇) when the draw can honour X̂ in full, else ("feasibility",
    least cut, ∇ of the least cut): one penalised solve, and the cut alone or the shortfall with
    no cut only when that solve cuts something."""
    r = w.resolver
    form = build(m)
    h, n, T1 = r.h, form.lp.n_cols, spec.periods
    books, rows = r.load_draw(form, first.reshape(-1, T1))
    B, scale = books.size, books.scale
    shortfall = form.lp.solver_cost(form.shortfall_cost) * form.weight_unit
    weights = np.asarray(spec.value) * scale / form.money_unit
    g = np.arange(n, n + B, dtype=np.int32)
    if draw in w.bases:
        h.setBasis(w.bases[draw])
        h.setOptionValue("simplex_dual_edge_weight_strategy", DEVEX)
    else:
        h.clearSolver()
        h.setOptionValue("simplex_dual_edge_weight_strategy", -1)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
    # the cut row (in HiGHS from the resolver) carries value·g in the draw's money units
    kind = "optimality"
    for step in ("penalised", "cut alone", "no cut"):
        cost = np.zeros(h.getNumCol())
        if step != "cut alone":
            cost[:n] = shortfall
        if step != "no cut":
            cost[g] = (CUT_PENALTY if step == "penalised" else 1.0) * weights
        h.changeColsCost(cost.size, np.arange(cost.size, dtype=np.int32), cost)
        h.run()
        if status_of(h.getModelStatus()) is not SolveStatus.optimal:  # as a plan does: presolve may misjudge
            confirm_without_presolve(h, lambda: (h.run(), status_of(h.getModelStatus()))[1])
        if status_of(h.getModelStatus()) is not SolveStatus.optimal:
            raise CommitError(f"Benders: draw {draw}'s subproblem has no optimal solution ({step})")
        cut = float(np.asarray(h.getSolution().col_value)[g] @ weights)
        if step == "penalised" and cut <= CUT_TOLERANCE:
            break
        if step == "cut alone":
            if cut > CUT_TOLERANCE:
                kind = "feasibility"
                break
            h.changeRowBounds(r.cut_row, -highspy.kHighsInf, CUT_TOLERANCE)
    w.bases[draw] = h.getBasis()
    y = np.asarray(h.getSolution().row_dual)[rows]
    y_cum = y[: B * T1].reshape(B, T1) / scale[:, None]
    y_tot = y[B * T1 :] / scale
    grad = np.cumsum(y_cum[:, ::-1], axis=1)[:, ::-1] + y_tot[:, None]  # Σ_{τ ≥ t} y_cum + y_tot
    value = cut if kind == "feasibility" else float(np.asarray(h.getSolution().col_value)[:n] @ shortfall)
    return kind, value, grad.ravel()


@dataclass
class BendersResult:
    """The decomposition's first stage, bounds and effort."""

    commitment: Commitment
    lower: float  # the master's optimum: a lower bound on the expected V
    upper: float  # the best first stage's expected V
    iterations: int
    seconds: float
    values: np.ndarray  # (K,) V_k at the best first stage

    @property
    def gap(self) -> float:
        return (self.upper - self.lower) / max(1.0, abs(self.upper))


def solve_benders(
    sc: Scenario,
    base: ModelData,
    inputs: list,
    values: np.ndarray,
    periods: int,
    start: Commitment | None = None,
    gap: float = 1e-4,
    max_iterations: int = 100,
    workers: int = 1,
    scheduler: str | None = None,
    options: SolverOptions | None = None,
) -> BendersResult:
    """Multi-cut Benders over the draws ``values`` (rows: draws of ``inputs``) until the relative
    gap between the bounds is at most ``gap``; ``start``: the first first stage tried (default
    the deterministic plan's)."""
    from .committed import deterministic_commitment
    from .robust import compile_draws
    from .runner import DaskExecutor, LocalExecutor

    tick = time.perf_counter()
    options = options or SolverOptions()
    form0 = build(base)
    books = books_of(form0)
    B, T1, K = books.size, periods, len(values)
    unit_value = np.array([base.price[l, T1 - 1] if k >= 0 else base.capex[l] for l, k in books.pairs()])
    scenario = pickle.dumps(sc)
    locs = tuple(x.loc for x in inputs)
    key = hashlib.blake2b(scenario + pickle.dumps((locs, periods, options)), digest_size=12).hexdigest()
    spec = BendersSpec(key, scenario, locs, options, periods, tuple(unit_value.tolist()))
    start = start or deterministic_commitment(base, periods, options)
    current = committed_amounts(books, start.x, start.e, periods).ravel()
    # the master: X̂ in the books' solver units (scale), θ_k ≥ 0; minimise (1/K) Σ θ_k
    scale = np.repeat(books.scale, T1)
    span = np.where(
        books.customer >= 0, base.cap[books.line].sum(axis=1) + base.emax[books.line] * base.T**2, base.emax[books.line]
    )
    master = new_highs(options)
    upper_x = np.repeat(2 * np.maximum(span, 1.0), T1) / scale
    # orders the scenario commits (x ≥ committed) must be in the first stage of every draw
    models, _ = compile_draws(sc, inputs, values)
    committed = np.max([d.committed for d in [base, *models]], axis=0)
    lower_x = committed_amounts(books, committed, np.zeros_like(base.cap), periods).ravel() / scale
    upper_x = np.maximum(upper_x, lower_x)
    master.addVars(
        B * T1 + K, np.concatenate([lower_x, np.zeros(K)]), np.concatenate([upper_x, np.full(K, highspy.kHighsInf)])
    )
    master.changeColsCost(K, np.arange(B * T1, B * T1 + K, dtype=np.int32), np.full(K, 1.0 / K))
    tasks_of = _chunks(K, workers)
    executor = DaskExecutor(scheduler) if scheduler else (LocalExecutor(workers) if workers > 1 else None)
    best, best_values, lower, iterations = math.inf, np.zeros(K), -math.inf, 0
    best_first = center = current
    # a trust region around the best first stage so far: without it the master jumps between the
    # corners of its box, where no draw can make its first stage (measured on the default scenario)
    radius = np.maximum(center, np.repeat(np.maximum(span, 1.0), T1) / base.T)
    full_lo = np.concatenate([lower_x, np.zeros(K)])
    full_hi = np.concatenate([upper_x, np.full(K, highspy.kHighsInf)])
    every = np.arange(B * T1 + K, dtype=np.int32)
    try:
        while iterations < max_iterations:
            iterations += 1
            results = _run(executor, spec, tasks_of, values, current)
            feasible = all(r[1] == "optimality" for r in results)
            v = np.array([r[2] for r in results])
            if feasible and v.mean() < best:  # a serious step: the region moves there and widens
                best, best_values, best_first = float(v.mean()), v, current
                center, radius = current, radius * 2
            else:
                radius = radius / 2
            for k, (_, kind, value, grad) in enumerate(results):
                if kind == "optimality":  # θ_k − ∇ᵀX̂ ≥ V − ∇ᵀX̂ʲ, in the master's units
                    coef = np.concatenate([-grad * scale, [1.0]])
                    idx = np.concatenate([np.arange(B * T1), [B * T1 + k]]).astype(np.int32)
                else:  # the least cut is convex in X̂: cut + ∇ᵀ(X̂ − X̂ʲ) ≤ 0
                    coef, idx = -grad * scale, np.arange(B * T1, dtype=np.int32)
                keep = coef != 0
                master.addRow(float(value - grad @ current), highspy.kHighsInf, int(keep.sum()), idx[keep], coef[keep])
            master.changeColsBounds(every.size, every, full_lo, full_hi)  # the whole box: a lower bound
            master.run()
            if status_of(master.getModelStatus()) is not SolveStatus.optimal:
                raise CommitError(
                    "Benders: no first stage lets every draw make all of it within the horizon; "
                    "solve the extensive form instead (it minimises the expected cut first)"
                )
            lower = float(master.getInfo().objective_function_value)
            if math.isfinite(best) and best - lower <= gap * max(1.0, abs(best)):
                break
            lo = np.concatenate([np.maximum(lower_x, (center - radius) / scale), np.zeros(K)])
            hi = np.concatenate([np.minimum(upper_x, np.maximum((center + radius) / scale, lower_x)), full_hi[-K:]])
            master.changeColsBounds(every.size, every, lo, hi)
            master.run()
            if status_of(master.getModelStatus()) is not SolveStatus.optimal:  # the region holds no cut-free point
                master.changeColsBounds(every.size, every, full_lo, full_hi)
                master.run()
            current = np.clip(np.asarray(master.getSolution().col_value)[: B * T1], 0.0, None) * scale
            if not math.isfinite(best) and iterations == 1:  # the start cannot be made in every draw:
                center = current = lower_x * scale  # commit only what the scenario commits, always makeable
    finally:
        if executor is not None:
            executor.close()
    if not math.isfinite(best):
        raise CommitError(
            f"Benders: no first stage tried in {iterations} iterations lets every draw make all of it; "
            "solve the extensive form instead"
        )
    first = best_first.reshape(B, T1)
    return BendersResult(
        _commitment(base, books, periods, first), lower, best, iterations, time.perf_counter() - tick, best_values
    )


def _chunks(K: int, workers: int) -> list[tuple[int, ...]]:
    """Draws split into one block per worker (each worker keeps its draws' bases)."""
    parts = max(1, min(K, workers))
    return [tuple(range(K))[p::parts] for p in range(parts)]


def _run(executor, spec: BendersSpec, blocks: list[tuple[int, ...]], values: np.ndarray, first: np.ndarray) -> list:
    tasks = [(spec, block, values[list(block)], first) for block in blocks]
    results = [subproblems(*t) for t in tasks] if executor is None else [r for _, r in executor.run(subproblems, tasks)]
    return sorted((row for block in results for row in block), key=lambda r: r[0])
