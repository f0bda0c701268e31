"""Multi-cut Benders (L-shaped) decomposition of the two-stage plan, stabilised as a level bundle
(docs/uncertainty.md, "Decomposition"): a small master problem over the shared first stage X̂ and
one cost column θ_k per draw, and per-draw subproblems — the committed draw's LP with X̂ as its
books' right-hand sides — solved in place and warm (``committed.CommittedResolver``), on this
process, the local pool or Dask, each draw's basis travelling with its task.

A subproblem's value V_k(X̂) is draw k's least weighted shortfall plus the value it cannot make
within the horizon at ``penalty`` points a money unit (an exact penalty: raised and started again
if the best first stage still cuts something). It is convex in X̂ (an LP's value in its
right-hand sides) and its books' row duals give a subgradient, so each iteration adds the cut
θ_k ≥ V_k(X̂ʲ) + ∇ᵀ(X̂ − X̂ʲ) for every draw. θ_k's floor is the draw's least shortfall with
perfect foresight. The master's least value over the whole box is a lower bound; the best first
stage evaluated, an upper bound; the next first stage is the one nearest the best whose model
value is at most a level between them (or, after an iterate some draw cannot make, that iterate
less what the draws cannot make). The loop stops when the bounds are within a relative gap.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import highspy
import numpy as np

from ..planner.formulation import Formulation, build
from ..planner.solver import DUAL_SIMPLEX, SolverOptions, SolveStatus, confirm_without_presolve, new_highs, status_of
from ..scenario.compiled import ModelData, compile_scenario
from ..scenario.schema import Scenario
from .books import Books, books_of, committed_amounts
from .committed import CUT_PENALTY, CommitError, Commitment, CommittedResolver, _add_rows, marginal_shortfall
from .resolve import DEVEX
from .threadstate import thread_state

# A draw honours a first stage when it cuts at most this many money units of it, plus this share
# of the first stage's value (rounding in a solve of this size).
CUT_TOLERANCE, CUT_SHARE = 1e-7, 1e-9
# The cut's penalty grows a hundredfold while the best first stage cuts something, up to this.
MAX_PENALTY = 1e9


@dataclass(frozen=True)
class BendersSpec:
    """What a worker needs: the scenario, the varied figures, the first stage's shape."""

    key: str
    scenario: bytes
    locs: tuple[tuple, ...]
    options: SolverOptions
    periods: int
    value: tuple[float, ...]  # value of one unit of each book (base currency), as in the extensive form
    money_unit: float  # the scenario's money unit (base currency): the cut's penalty is per one of these
    penalty: float = CUT_PENALTY  # weighted-shortfall points per money unit cut


@dataclass
class _Worker:
    scenario: Scenario
    figures: list
    resolver: CommittedResolver | None = None
    forms: dict[tuple[int, bytes], Formulation] = field(default_factory=dict)  # by draw and its figures


Basis = tuple[np.ndarray, np.ndarray]  # HiGHS's column and row statuses as small integers


_STATUS = np.array([highspy.HighsBasisStatus(i) for i in range(5)], dtype=object)


def _to_highs(basis: Basis) -> highspy.HighsBasis:
    out = highspy.HighsBasis()
    out.col_status = list(_STATUS[basis[0]])
    out.row_status = list(_STATUS[basis[1]])
    out.valid = True
    return out


def _from_highs(h: highspy.Highs) -> Basis:
    b = h.getBasis()
    cols, rows = b.col_status, b.row_status
    return (
        np.fromiter((s.value for s in cols), np.int8, len(cols)),
        np.fromiter((s.value for s in rows), np.int8, len(rows)),
    )


def _worker(spec: BendersSpec) -> _Worker:
    """This thread's copy of the scenario for ``spec`` (made once per scenario and thread)."""
    return thread_state("benders", spec.key, spec.scenario, spec.locs, _Worker)


def _commitment(m: ModelData, books: Books, periods: int, first: np.ndarray) -> Commitment:
    x = np.zeros((len(m.lines), len(m.customers), m.T))
    e = np.zeros((len(m.lines), m.T))
    for n, (l, k) in enumerate(books.pairs()):
        if k >= 0:
            x[l, k, :periods] = first[n]
        else:
            e[l, :periods] = first[n]
    return Commitment(periods, x, e, m.price.copy(), m.capex.copy())


def subproblems(
    spec: BendersSpec,
    draws: tuple[int, ...],
    values: np.ndarray,
    first: np.ndarray | None,
    bases: list[Basis | None] | None = None,
) -> list[tuple]:
    """For each draw, solved in place from its basis in ``bases`` (the draw's last, kept by the
    master, so any worker can take any draw; None: cold): with ``first`` (natural units,
    book-major), (draw, kind, V_k(X̂), subgradient, cut, basis); with ``first`` None, the draw
    with perfect foresight — (draw, "foresight", its least weighted shortfall, its own first stage)
    — then the cut at that first stage, (..., kind, V_k, subgradient, cut, basis) appended."""
    w = _worker(spec)
    bases = bases or [None] * len(draws)
    nominal = [q.value for q in w.figures]
    out = []
    try:
        for draw, row, basis in zip(draws, values, bases, strict=True):
            known = (draw, np.asarray(row, float).tobytes())
            form = w.forms.get(known)
            if form is None:  # each draw's LP is built once per worker (some 2 MB on the default scenario)
                for q, v in zip(w.figures, row, strict=True):
                    q.value = float(v)
                form = w.forms[known] = build(compile_scenario(w.scenario))
            if w.resolver is None:
                base = compile_scenario(w.scenario)
                books = books_of(build(base))
                zero = np.zeros(books.size * spec.periods)
                w.resolver = CommittedResolver(base, spec.options, False, _commitment(base, books, spec.periods, zero))
            if first is None:
                least, own = _foresight(w, draw, form, spec)
                out.append((draw, "foresight", least, own, *_subproblem(w, draw, form, spec, own, None)))
            else:
                out.append((draw, *_subproblem(w, draw, form, spec, first, basis)))
    finally:
        for q, v in zip(w.figures, nominal, strict=True):
            q.value = v
    return out


def _foresight(w: _Worker, draw: int, form: Formulation, spec: BendersSpec) -> tuple[float, np.ndarray]:
    """The draw's least weighted shortfall with its books' rows open (perfect foresight: a lower
    bound on V_k at every first stage) and the first stage that plan places (natural units,
    book-major), which attains it."""
    r = w.resolver
    h, n = r.h, form.lp.n_cols
    books, rows = r.load_draw(form, np.zeros((r._books[0].size, spec.periods)))
    inf = np.full(rows.size, highspy.kHighsInf)
    h.changeRowsBounds(rows.size, rows, -inf, inf)
    h.clearSolver()
    h.setOptionValue("simplex_dual_edge_weight_strategy", -1)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
    shortfall = form.lp.solver_cost(form.shortfall_cost) * form.weight_unit
    cost = np.zeros(h.getNumCol())
    cost[:n] = shortfall
    h.changeColsCost(cost.size, np.arange(cost.size, dtype=np.int32), cost)
    h.run()
    if status_of(h.getModelStatus()) is not SolveStatus.optimal:
        confirm_without_presolve(h, lambda: (h.run(), status_of(h.getModelStatus()))[1])
    if status_of(h.getModelStatus()) is not SolveStatus.optimal:
        raise CommitError(f"Benders: draw {draw} has no optimal plan even with perfect foresight")
    raw = np.asarray(h.getSolution().col_value)
    natural = form.lp.natural(raw[:n])
    cols = books.cols[:, : spec.periods]
    own = np.where(cols >= 0, natural[np.maximum(cols, 0)], 0.0).clip(0.0)
    return float(raw[:n] @ shortfall), own.ravel()


def _subproblem(
    w: _Worker, draw: int, form: Formulation, spec: BendersSpec, first: np.ndarray, basis: Basis | None
) -> tuple[str, float, np.ndarray, float, np.ndarray, Basis]:
    """(kind, V_k(X̂), ∇V_k, cut, each book's cut, basis): one solve of the draw's weighted shortfall plus the value it
    cannot make within the horizon at ``spec.penalty`` points a money unit (the committed draw's
    penalised phase 0); kind "optimality" when it cuts nothing, else "cut"."""
    r = w.resolver
    h, n, T1 = r.h, form.lp.n_cols, spec.periods
    books, rows = r.load_draw(form, first.reshape(-1, T1))
    B, scale = books.size, books.scale
    shortfall = form.lp.solver_cost(form.shortfall_cost) * form.weight_unit
    weights = np.asarray(spec.value) * scale / spec.money_unit
    g = np.arange(n, n + B, dtype=np.int32)
    if basis is not None:  # from scratch with it, so the path does not depend on what this worker solved before
        h.clearSolver()
        h.setBasis(_to_highs(basis))
        h.setOptionValue("simplex_dual_edge_weight_strategy", DEVEX)
    else:  # from whatever HiGHS holds: the foresight optimum just found, or another draw's optimum
        h.setOptionValue("simplex_dual_edge_weight_strategy", DEVEX)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
    cost = np.zeros(h.getNumCol())
    cost[:n] = shortfall
    cost[g] = spec.penalty * weights
    h.changeColsCost(cost.size, np.arange(cost.size, dtype=np.int32), cost)
    h.run()
    if status_of(h.getModelStatus()) is not SolveStatus.optimal:  # as a plan does: presolve may misjudge
        confirm_without_presolve(h, lambda: (h.run(), status_of(h.getModelStatus()))[1])
    if status_of(h.getModelStatus()) is not SolveStatus.optimal:
        raise CommitError(f"Benders: draw {draw}'s subproblem has no optimal solution")
    col = np.asarray(h.getSolution().col_value)
    cut = float(col[g] @ weights)
    committed = float(first.reshape(B, T1).sum(axis=1) @ np.asarray(spec.value)) / spec.money_unit
    grad = marginal_shortfall(np.asarray(h.getSolution().row_dual)[rows], scale, T1)  # Σ_{τ ≥ t} y_cum + y_tot
    value = float(col[:n] @ shortfall) + spec.penalty * cut
    kind = "optimality" if cut <= CUT_TOLERANCE + CUT_SHARE * committed else "cut"
    return kind, value, grad.ravel(), cut, np.clip(col[g], 0.0, None) * scale, _from_highs(h)


@dataclass
class BendersResult:
    """The decomposition's first stage, bounds and effort."""

    commitment: Commitment
    lower: float  # the master's optimum: a lower bound on the expected V
    upper: float  # the best first stage's expected V
    iterations: int
    seconds: float
    values: np.ndarray  # (K,) V_k at the best first stage
    foresight: float = math.nan  # (1/K) Σ_k min V_k: the bound before any cut (perfect foresight)
    history: list[tuple[int, float, float, float]] = field(default_factory=list)  # (iteration, lower, upper, s)
    cut: float = 0.0  # expected value the best first stage cuts (base currency)
    master_seconds: float = 0.0  # of ``seconds``, in the master problem (the rest: subproblems, transfers)

    @property
    def gap(self) -> float:
        return (self.upper - self.lower) / max(1.0, abs(self.upper))


class _Master:
    """The cutting-plane model of (1/K) Σ_k V_k over X̂ (solver units of the books) and θ_k ≥ the
    draw's foresight bound, in two HiGHS models sharing its rows: ``lower()`` minimises it over
    the whole box (a valid lower bound), ``project()`` finds the first stage nearest the centre
    (weighted L1) whose model value is at most a level (the level-bundle step)."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray, floor: np.ndarray, weight: np.ndarray, options) -> None:
        n, K = lo.size, floor.size
        self.n, self.K = n, K
        inf = highspy.kHighsInf
        self.bound = new_highs(options)
        self.bound.addVars(n + K, np.concatenate([lo, floor]), np.concatenate([hi, np.full(K, inf)]))
        self.bound.changeColsCost(K, np.arange(n, n + K, dtype=np.int32), np.full(K, 1.0 / K))
        # the projection: X̂, θ, then u, v ≥ 0 with X̂ − u + v = centre; min Σ weight·(u + v)
        p = self.near = new_highs(options)
        p.addVars(
            n + K + 2 * n, np.concatenate([lo, floor, np.zeros(2 * n)]), np.concatenate([hi, np.full(K + 2 * n, inf)])
        )
        p.changeColsCost(2 * n, np.arange(n + K, n + K + 2 * n, dtype=np.int32), np.concatenate([weight, weight]))
        i = np.arange(n)
        rows, cols = np.repeat(i, 3), np.stack([i, n + K + i, 2 * n + K + i], axis=1).ravel()
        _add_rows(p, n, rows, cols, np.tile([1.0, -1.0, 1.0], n))  # row i: X̂_i − u_i + v_i = centre_i
        p.addRow(-inf, inf, K, np.arange(n, n + K, dtype=np.int32), np.full(K, 1.0 / K))  # the level row
        self.level_row = n

    def add(self, lo: float, idx: np.ndarray, coef: np.ndarray) -> None:
        for h in (self.bound, self.near):
            h.addRow(lo, highspy.kHighsInf, idx.size, idx, coef)

    def lower(self) -> tuple[float, np.ndarray]:
        """The model's least value over the whole box and where it is attained."""
        _run_master(self.bound)
        if status_of(self.bound.getModelStatus()) is not SolveStatus.optimal:
            raise CommitError(f"Benders: the master problem has no optimum ({self.bound.getModelStatus()})")
        x = np.asarray(self.bound.getSolution().col_value)[: self.n]
        return float(self.bound.getInfo().objective_function_value), x

    def step(self, centre: np.ndarray, level: float) -> np.ndarray:
        """The first stage nearest the centre whose model value is at most ``level``; if HiGHS
        finds none (numerically: the level is at least the model's least value), the model's
        least point."""
        p, n = self.near, self.n
        every = np.arange(n, dtype=np.int32)
        p.changeRowsBounds(n, every, centre, centre)
        p.changeRowBounds(self.level_row, -highspy.kHighsInf, level)
        _run_master(p)
        if status_of(p.getModelStatus()) is SolveStatus.optimal:
            return np.asarray(p.getSolution().col_value)[:n]
        return self.lower()[1]


def _run_master(h: highspy.Highs) -> None:
    """Solve a master problem; on a numerical failure (HiGHS's "unknown", met with many dense cuts
    of slopes far apart) again from scratch, then without presolve."""
    h.run()
    for option, value in (("presolve", "on"), ("presolve", "off")):
        if h.getModelStatus() not in (highspy.HighsModelStatus.kUnknown, highspy.HighsModelStatus.kSolveError):
            break
        h.clearSolver()
        h.setOptionValue(option, value)
        h.run()
    h.setOptionValue("presolve", "choose")


# The level step aims this share of the way from the lower bound to the best value.
LEVEL = 0.1


def solve_benders(
    sc: Scenario,
    base: ModelData,
    inputs: list,
    values: np.ndarray,
    periods: int,
    start: Commitment | None = None,
    gap: float = 1e-4,
    max_iterations: int = 200,
    workers: int = 1,
    scheduler: str | None = None,
    options: SolverOptions | None = None,
    progress: Callable[[int, float, float], None] | None = None,
    time_limit: float | None = None,
) -> BendersResult:
    """Multi-cut Benders over the draws ``values`` (rows: draws of ``inputs``), stabilised as a
    level bundle, until the relative gap between the bounds is at most ``gap`` (or
    ``max_iterations`` or ``time_limit`` seconds are spent: the gap reached is reported);
    ``start``: a first stage tried first (default the deterministic plan's);
    ``progress(iteration, lower, upper)`` after each iteration."""
    from .committed import deterministic_commitment
    from .robust import compile_draws
    from .runner import DaskExecutor, LocalExecutor

    tick = time.perf_counter()
    options = options or SolverOptions()
    form0 = build(base)
    books = books_of(form0)
    B, T1, K = books.size, periods, len(values)
    n = B * T1
    unit_value = np.array([base.price[l, T1 - 1] if k >= 0 else base.capex[l] for l, k in books.pairs()])
    scenario = pickle.dumps(sc)
    locs = tuple(x.loc for x in inputs)
    key = hashlib.blake2b(scenario + pickle.dumps((locs, periods, options)), digest_size=12).hexdigest()
    spec = BendersSpec(key, scenario, locs, options, periods, tuple(unit_value.tolist()), form0.money_unit)
    start = start or deterministic_commitment(base, periods, options)
    # the box, in the books' solver units: up to twice what the line could make over the horizon
    scale = np.repeat(books.scale, T1)
    span = np.where(
        books.customer >= 0, base.cap[books.line].sum(axis=1) + base.emax[books.line] * base.T**2, base.emax[books.line]
    )
    period_span = np.repeat(np.maximum(span, 1.0), T1) / base.T
    upper_x = np.repeat(2 * np.maximum(span, 1.0), T1) / scale
    # orders the scenario commits (x ≥ committed) must be in the first stage of every draw
    models, _ = compile_draws(sc, inputs, values)
    committed = np.max([d.committed for d in [base, *models]], axis=0)
    lower_x = committed_amounts(books, committed, np.zeros_like(base.cap), periods).ravel() / scale
    upper_x = np.maximum(upper_x, lower_x)
    tasks_of = _chunks(K, workers)
    executor = DaskExecutor(scheduler) if scheduler else (LocalExecutor(workers) if workers > 1 else None)
    history: list[tuple[int, float, float, float]] = []
    best, best_values, best_cuts, lower, iterations = math.inf, np.zeros(K), np.zeros(K), -math.inf, 0
    best_first = np.zeros(n)
    best_honoured = repairing = False
    master_seconds = 0.0

    def take(results: list, at: list[np.ndarray]) -> None:
        """Add every draw's cut θ_k − ∇ᵀX̂ ≥ V − ∇ᵀX̂ʲ to the master, in its units."""
        for (k, _, value, grad, *_), point in zip(results, at, strict=True):
            coef = np.concatenate([-grad * scale, [1.0]])
            idx = np.concatenate([np.arange(n), [n + k]]).astype(np.int32)
            keep = coef != 0
            master.add(float(value - grad @ point), idx[keep], coef[keep])

    try:
        # iteration 0: every draw with perfect foresight (θ_k's floor) and the cut at its own first stage
        bases: list[Basis | None] = [None] * K
        zero = _run(executor, spec, tasks_of, values, None, bases)
        floor = np.array([r[2] for r in zero])
        own = [r[3] for r in zero]
        candidates = [committed_amounts(books, start.x, start.e, periods).ravel(), np.mean(own, axis=0)]
        current = candidates.pop(0)
        while True:  # once, or again with a larger penalty if the best first stage cuts something
            master = _Master(lower_x, upper_x, floor, scale / period_span, options)
            if spec.penalty == CUT_PENALTY:
                take([(r[0], *r[4:]) for r in zero], own)
            while iterations < max_iterations:
                iterations += 1
                results = _run(executor, spec, tasks_of, values, current, bases)
                take(results, [current] * K)
                v = np.array([r[2] for r in results])
                honoured = all(r[1] == "optimality" for r in results)
                if v.mean() < best:
                    best, best_first, best_honoured = float(v.mean()), current, honoured
                    best_cuts = np.array([r[4] for r in results])
                    best_values = v - spec.penalty * best_cuts
                repair = None  # when some draw cannot make it all: next, this first stage less what it cannot
                if not honoured and not repairing:
                    repair = _repaired(current, np.max([r[5] for r in results], axis=0), lower_x * scale, T1)
                clock = time.perf_counter()
                lower, _ = master.lower()
                master_seconds += time.perf_counter() - clock
                history.append((iterations, lower, best, time.perf_counter() - tick))
                if progress is not None:
                    progress(iterations, lower, best)
                if best - lower <= gap * max(1.0, abs(best)):
                    break
                if time_limit is not None and time.perf_counter() - tick > time_limit:
                    break
                repairing = repair is not None
                if repair is not None or candidates:
                    current = repair if repair is not None else candidates.pop(0)
                    continue
                clock = time.perf_counter()
                near = master.step(best_first / scale, lower + LEVEL * (best - lower))
                master_seconds += time.perf_counter() - clock
                current = np.clip(near, 0.0, None) * scale
            out_of_time = time_limit is not None and time.perf_counter() - tick > time_limit
            if best_honoured or iterations >= max_iterations or spec.penalty >= MAX_PENALTY or out_of_time:
                break
            # a cut weighs more than any shortfall it saves: start again with a hundred times the penalty
            spec = replace(spec, penalty=spec.penalty * 100)
            current, best = best_first, math.inf
    finally:
        if executor is not None:
            executor.close()
    first = best_first.reshape(B, T1)
    return BendersResult(
        _commitment(base, books, periods, first),
        lower,
        best,
        iterations,
        time.perf_counter() - tick,
        best_values,
        float(floor.mean()),
        history,
        float(best_cuts.mean()) * form0.money_unit,
        master_seconds,
    )


def _repaired(first: np.ndarray, short: np.ndarray, floor: np.ndarray, periods: int) -> np.ndarray:
    """``first`` (book-major, natural units) less ``short`` (B,) per book, taken from its latest
    first-stage periods first, never below ``floor`` (the scenario's own commitments)."""
    amounts = first.reshape(-1, periods).copy()
    left = short * (1 + 1e-6)
    for t in range(periods - 1, -1, -1):
        take = np.minimum(left, amounts[:, t])
        amounts[:, t] -= take
        left -= take
    return np.maximum(amounts.ravel(), floor)


def _chunks(K: int, workers: int) -> list[tuple[int, ...]]:
    """Draws split into one block per worker (each worker keeps its draws' bases)."""
    parts = max(1, min(K, workers))
    return [tuple(range(K))[p::parts] for p in range(parts)]


def _run(
    executor,
    spec: BendersSpec,
    blocks: list[tuple[int, ...]],
    values: np.ndarray,
    first: np.ndarray | None,
    bases: list[Basis | None],
) -> list:
    """Every draw's subproblem, in blocks on the executor (or here); results sorted by draw, and
    each draw's new basis stored in ``bases``."""
    tasks = [(spec, block, values[list(block)], first, [bases[k] for k in block]) for block in blocks]
    results = [subproblems(*t) for t in tasks] if executor is None else [r for _, r in executor.run(subproblems, tasks)]
    rows = sorted((row for block in results for row in block), key=lambda r: r[0])
    for row in rows:
        bases[row[0]] = row[-1]
    return rows
