"""Judging a committed plan under uncertainty (docs/uncertainty.md, "Committed plans").

A government signs contracts before it knows the numbers. Orders and capacity investments placed
up to the **decision date** (default: the last period of the second planning year) are fixed from
a plan; each draw then re-plans only what comes after (the recourse), with its own capacities,
lead and build times, prices and budgets. The rules for a commitment in a draw (``books``):

- **Which decisions are fixed.** Orders x[l,k,t] and investments e[l,t] placed in a period up to
  the decision date: their quantities, in books (a line's orders for a customer, or its
  investments). Which fund pays, drawdowns, retirements and component production stay decisions
  of each draw, as does everything after the date.
- **Nothing early, nothing extra.** By each first-stage period a book makes at most what was
  committed by then; a book with nothing committed makes nothing before the decision date.
- **Capacity.** The draw's own rows bind the book's columns, so a committed order never makes more
  in a period than the draw's line can; what it cannot make then is **made later** within the
  horizon (the backlog), taking capacity the recourse would otherwise order: a firm contract a
  plant falls behind on is delivered late, not torn up.
- **Price.** Each unit is paid at the draw's price in the period it is made.
- **Money.** A unit the draw's budgets cannot pay is made when they can, later in the horizon.
- **Cuts come first.** What the horizon cannot make or pay is the cut g ≥ 0. Each draw first
  minimises the value cut (at the committed plan's prices: the scenario as written), a row then
  holds it, and the two phases of a plan follow. A cut is thus penalised above any shortfall
  (lexicographically), the LP stays feasible whatever the draw, and its size is reported.

Everything is added to the LP a sweep re-solves in place (``resolve.Resolver``): the books' rows
and cut columns are added once and a draw changes only their right-hand sides, so a committed draw
costs about two sweep draws (docs/uncertainty.md has the measurements).
"""

from __future__ import annotations

import hashlib
import math
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pandas as pd

from ..planner.formulation import Formulation, build
from ..planner.solver import DUAL_SIMPLEX, TIE_BREAK, SolverOptions, SolveStatus, run_phases, solve, status_of
from ..scenario.compiled import ModelData, compile_scenario
from ..scenario.errors import ScenarioError
from ..scenario.schema import Scenario
from .books import Books, book_rows, books_of, committed_amounts, rhs, unit_values
from .metrics import draw_metrics
from .resolve import DEVEX, Resolver, ResolverCache, Solved, structure_key
from .threadstate import thread_state

# The cut row holds phase 0's optimum up to this relative slack (plus CUT_ABS money units): room
# for rounding, far below any cut a report shows.
CUT_REL, CUT_ABS = 1e-9, 1e-9
# Phase 0's first solve weighs a money unit cut this many times phase 1's costs (see phase_zero).
CUT_PENALTY = 1e3
KEPT = ("readiness_index", "readiness_date", "total_cost", "bottleneck_days")


class CommitError(ValueError):
    """A decision date or committed plan that cannot be used; the message says what would be valid."""


def decision_periods(m: ModelData, date: str | None) -> int:
    """How many periods are first-stage: those up to and including the decision date, a period
    label ("2027Q4") or a year ("2027", its last period). Default: the end of the second year."""
    ends = m.cal.year_ends
    default = ends[min(1, len(ends) - 1)]
    if date is None:
        return default + 1
    text = str(date).strip().upper()
    if text in m.periods:
        return m.periods.index(text) + 1
    if text.isdigit() and int(text) in m.years:
        return ends[m.years.index(int(text))] + 1
    raise CommitError(
        f"--decision-date {date!r}: not a period or year of the horizon {m.periods[0]}–{m.periods[-1]}; "
        f"give a period such as {m.periods[default]} (the end of the second year, the default) or a year "
        f"such as {m.years[0]}"
    )


@dataclass(frozen=True)
class Commitment:
    """Fixed first-stage decisions: quantities ordered (L, K, T) and capacity started (L, T) in the
    first ``periods`` periods (zero after), with the value of one unit of each at the committed
    plan's prices (base currency), which weighs what a draw cannot deliver."""

    periods: int
    x: np.ndarray
    e: np.ndarray
    x_value: np.ndarray  # (L, T) price of a unit ordered
    e_value: np.ndarray  # (L,) capex of a unit of capacity per period

    @property
    def value(self) -> float:
        """What the fixed decisions are worth at the committed plan's prices."""
        return float((self.x.sum(axis=1) * self.x_value).sum() + (self.e * self.e_value[:, None]).sum())


def commitment_from(m: ModelData, form: Formulation, solution: np.ndarray, periods: int) -> Commitment:
    """The first ``periods`` periods' orders and investments of a solution (natural units)."""
    x = np.clip(form.var.x.values(solution), 0.0, None)
    e = np.clip(form.var.e.values(solution), 0.0, None)
    x[:, :, periods:] = 0.0
    e[:, periods:] = 0.0
    return Commitment(periods, x, e, m.price.copy(), m.capex.copy())


def deterministic_commitment(m: ModelData, periods: int, options: SolverOptions | None = None) -> Commitment:
    """The plan of the scenario as written (both phases), committed up to ``periods``."""
    form = build(m)
    result = solve(form, options or SolverOptions())
    if result.status is not SolveStatus.optimal:
        raise CommitError(f"the scenario as written has no optimal plan ({result.status.value}) to commit")
    return commitment_from(m, form, result.solution, periods)


def commitment_from_folder(m: ModelData, folder: str | Path, periods: int) -> Commitment:
    """The orders (``orders.csv``: line, customer, period, quantity) and investments
    (``investments.csv``: line, period, added_per_year) of a plan folder placed up to the decision
    date; a missing file or column, an unknown id or a bad number is a located ``CommitError``."""
    folder = Path(folder)
    x = np.zeros((len(m.lines), len(m.customers), m.T))
    e = np.zeros((len(m.lines), m.T))
    index = {
        "line": {v: n for n, v in enumerate(m.lines)},
        "customer": {v: n for n, v in enumerate(m.customers)},
        "period": {v: n for n, v in enumerate(m.periods)},
    }
    tables = (
        ("orders.csv", ("line", "customer", "period"), "quantity", x, 1.0),
        ("investments.csv", ("line", "period"), "added_per_year", e, 1.0 / m.cal.per_year),
    )
    for name, keys, amount, out, factor in tables:
        path = folder / name
        if not path.exists():
            if name == "investments.csv":
                continue
            raise CommitError(f"{path}: no such file; give --plan a folder written by materiel plan or robust")
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise CommitError(f"{path}: cannot read it ({exc})") from None
        missing = [c for c in (*keys, amount) if c not in frame.columns]
        if missing:
            raise CommitError(f"{path}: no column {', '.join(missing)} (it needs {', '.join((*keys, amount))})")
        for row, rec in enumerate(frame.to_dict("records"), start=2):
            at = []
            for key in keys:
                if rec[key] not in index[key]:
                    valid = ", ".join(list(index[key])[:5])
                    raise CommitError(f"{path}:{row}: {key}: {rec[key]!r} is not one of the scenario's (e.g. {valid})")
                at.append(index[key][rec[key]])
            try:
                value = float(rec[amount])
            except ValueError:
                value = math.nan
            if not math.isfinite(value) or value < 0:
                raise CommitError(f"{path}:{row}: {amount}: {rec[amount]!r} is not a number ≥ 0")
            if at[-1] < periods:
                out[tuple(at)] += value * factor
    return Commitment(periods, x, e, m.price.copy(), m.capex.copy())


@dataclass
class CommittedSolved(Solved):
    """A draw's solve with a plan committed: the value (base currency, at the committed plan's
    prices) of the commitment, of what of it was made after the decision date (``delayed``) and of
    what was never made within the horizon (``cut``)."""

    committed: float = math.nan
    delayed: float = math.nan
    cut: float = math.nan
    marginal: np.ndarray | None = None  # (B, T₁) ∂(weighted shortfall)/∂(commitment), natural units


class CommittedResolver(Resolver):
    """The sweep's in-place re-solver with a commitment's order-book rows and cut columns added
    once (``books``); per draw only their right-hand sides change, and a phase 0 that makes as
    much of the commitment as the draw allows runs before the plan's two phases."""

    def __init__(self, m: ModelData, options: SolverOptions, warm: bool, commitment: Commitment) -> None:
        self.commitment = commitment
        super().__init__(m, options, warm)

    def _load(self, form: Formulation) -> None:
        """Pass the draw's LP with the limit row, the cut columns g, the books' rows (open until
        a draw sets them) and the cut row Σ value·g (open until phase 0 sets it)."""
        super()._load(form)
        h, n, c = self.h, form.lp.n_cols, self.commitment
        books = books_of(form)
        B, T1 = books.size, c.periods
        amounts = committed_amounts(books, c.x, c.e, T1)
        values = unit_values(books, amounts, c.x_value, c.e_value)
        zeros, inf = np.zeros(B), np.full(B, highspy.kHighsInf)
        h.addCols(B, zeros, zeros, inf, 0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
        r, col, v = book_rows(books, T1)
        total = np.arange(B)
        r = np.concatenate([r, B * T1 + total])  # g in its book's total row
        col = np.concatenate([col, n + total])
        v = np.concatenate([v, np.ones(B)])
        first = h.getNumRow()
        _add_rows(h, B * T1 + B, r, col, v)
        weights = values * books.scale / form.money_unit
        _add_rows(h, 1, np.zeros(B, np.int64), n + total, weights)
        self.cut_row = h.getNumRow() - 1
        self._books = (books, amounts, values, weights, first)

    def load_draw(self, form: Formulation, amounts: np.ndarray | None = None) -> tuple[Books, np.ndarray]:
        """Bring the LP in HiGHS to a draw's numbers with ``amounts`` (B, T₁) — default the
        commitment's — as its books' right-hand sides, the cut and limit rows open; the books and
        the indices of their rows (cumulative, then total)."""
        h = self.h
        self._update(form)
        books, committed, _, _, first = self._books
        amounts = committed if amounts is None else amounts
        B, T1 = books.size, self.commitment.periods
        cum, tot = rhs(amounts)
        scale = books.scale
        rows = np.arange(first, first + B * T1 + B, dtype=np.int32)
        lower = np.concatenate([np.full(B * T1, -highspy.kHighsInf), tot / scale])
        upper = np.concatenate([cum / np.repeat(scale, T1), np.full(B, highspy.kHighsInf)])
        h.changeRowsBounds(rows.size, rows, lower, upper)
        h.changeRowBounds(self.cut_row, -highspy.kHighsInf, highspy.kHighsInf)
        h.changeRowBounds(self.limit_row, -highspy.kHighsInf, highspy.kHighsInf)
        return books, rows

    def solve(self, form: Formulation) -> CommittedSolved:
        """Solve a draw with the commitment: the books' rows, phase 0 (least cut), phases 1–2."""
        h, n = self.h, form.lp.n_cols
        _, rows = self.load_draw(form)
        books, amounts, values, weights, _ = self._books
        B, T1 = books.size, self.commitment.periods
        scale = books.scale
        tick = time.perf_counter()
        warm = self.warm and self.base_basis is not None
        if warm:
            h.setBasis(self.base_basis)
        else:
            h.clearSolver()
        h.setOptionValue("simplex_dual_edge_weight_strategy", DEVEX if warm else -1)
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
        committed = float((amounts.sum(axis=1) * values).sum())
        g = np.arange(n, n + B, dtype=np.int32)
        status, iterations = phase_zero(h, form, g, weights, self.cut_row)
        if status is not SolveStatus.optimal:
            return CommittedSolved(status, np.zeros(0), form, time.perf_counter() - tick, iterations, committed)
        phases = run_phases(h, form, self.limit_row, self.options, row_duals=True)
        seconds = time.perf_counter() - tick
        iterations += phases.iterations
        if phases.status is not SolveStatus.optimal:
            return CommittedSolved(phases.status, np.zeros(0), form, seconds, iterations, committed)
        marginal = marginal_shortfall(phases.shortfall_row_dual[rows], books.scale, T1) * form.weight_unit
        raw = np.asarray(h.getSolution().col_value)
        solution = form.lp.natural(raw[:n])
        cut = np.clip(raw[n : n + B] * scale, 0.0, None)
        made_early = np.where(books.cols[:, :T1] >= 0, solution[np.maximum(books.cols[:, :T1], 0)], 0.0).sum(axis=1)
        late = np.clip(amounts.sum(axis=1) - made_early, 0.0, None)
        delayed = float(((late - cut).clip(0.0) * values).sum())
        return CommittedSolved(
            phases.status, solution, form, seconds, iterations, committed, delayed, float(cut @ values), marginal
        )


def marginal_shortfall(y: np.ndarray, scale: np.ndarray, periods: int) -> np.ndarray:
    """(B, T₁) change in the LP's objective per natural unit more committed of each book in each
    first-stage period, from the row duals ``y`` of its books' rows (cumulative, then total):
    a unit more in period t raises the cumulative right-hand sides from t on and the total."""
    B = scale.size
    y_cum = y[: B * periods].reshape(B, periods) / scale[:, None]
    y_tot = y[B * periods :] / scale
    return np.cumsum(y_cum[:, ::-1], axis=1)[:, ::-1] + y_tot[:, None]


def _add_rows(h: highspy.Highs, count: int, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> None:
    """Add ``count`` open rows to HiGHS from (row, column, value) triplets (rows from 0)."""
    order = np.argsort(rows, kind="stable")
    rows, cols, vals = rows[order], cols[order], vals[order]
    starts = np.searchsorted(rows, np.arange(count)).astype(np.int32)
    inf = np.full(count, highspy.kHighsInf)
    h.addRows(count, -inf, inf, rows.size, starts, cols.astype(np.int32), vals.astype(np.float64))


def phase_zero(
    h: highspy.Highs, form: Formulation, g: np.ndarray, weights: np.ndarray, cut_row: int
) -> tuple[SolveStatus, int]:
    """Least value cut (phase 0) over the LP in ``h``; then ``cut_row`` holds it and the cut
    columns cost nothing again. (status, iterations)

    Phase 0 alone would stop at a vertex that knows nothing of shortfall, from which phase 1 needs
    tens of thousands of iterations on the default scenario (measured). So it is first solved
    with phase 1's costs added and the cut weighted ``CUT_PENALTY`` times a money unit: if that
    optimum cuts nothing, nothing is the least cut and phase 1 starts next to its optimum;
    otherwise the least cut is found from there with the cut's cost alone."""
    n = form.lp.n_cols
    cost = np.zeros(h.getNumCol())
    cost[:n] = form.lp.solver_cost(form.shortfall_cost) + TIE_BREAK * form.lp.solver_cost(form.money_cost)
    cost[g] = CUT_PENALTY * weights
    every = np.arange(cost.size, dtype=np.int32)
    iterations = 0
    for step in ("penalised", "cut alone"):
        if step == "cut alone":
            cost[:n] = 0.0
            cost[g] = weights
        h.changeColsCost(cost.size, every, cost)
        h.run()
        status = status_of(h.getModelStatus())
        iterations += int(h.getInfo().simplex_iteration_count)
        if status is not SolveStatus.optimal:
            return status, iterations
        cut = float(np.asarray(h.getSolution().col_value)[g] @ weights)
        if step == "penalised" and cut <= CUT_ABS:
            break
    h.changeRowBounds(cut_row, -highspy.kHighsInf, cut + CUT_REL * abs(cut) + CUT_ABS)
    h.changeColsCost(g.size, g.astype(np.int32), np.zeros(g.size))
    return status, iterations


class CommittedCache:
    """Committed re-solvers by LP structure (as ``resolve.ResolverCache``)."""

    def __init__(self, base: ModelData, options: SolverOptions, commitment: Commitment, warm: bool = True) -> None:
        self.options, self.commitment = options, commitment
        self.base = CommittedResolver(base, options, warm, commitment)
        self.others: dict[str, CommittedResolver] = {}

    def solve(self, m: ModelData) -> CommittedSolved:
        form = build(m)
        key = structure_key(form)
        if key == self.base.key:
            return self.base.solve(form)
        if key not in self.others:
            self.others[key] = CommittedResolver(m, self.options, False, self.commitment)
        return self.others[key].solve(form)


def weighted_shortfall(form: Formulation, solution: np.ndarray) -> float:
    """The plan's phase-1 objective in the scenario's weights (``Objective.shortfall_optimum``)."""
    return float(form.shortfall_cost @ solution) * form.weight_unit


def _outcome(prefix: str, m: ModelData, solved: Solved) -> dict[str, Any]:
    times = {f"{prefix}seconds": solved.seconds, f"{prefix}iterations": solved.iterations}
    if solved.status is not SolveStatus.optimal:
        return {f"{prefix}status": f"no optimal plan: {solved.status.value}", **times}
    metrics = draw_metrics(m, solved.form, solved.solution)
    row: dict[str, Any] = {f"{prefix}status": "optimal", **times}
    row |= {f"{prefix}{k}": metrics.get(k) for k in KEPT}
    row[f"{prefix}weighted_shortfall"] = weighted_shortfall(solved.form, solved.solution)
    return row


def judge_draw(foresight: ResolverCache | None, committed: CommittedCache, m: ModelData) -> dict[str, Any]:
    """One draw planned with perfect foresight (as a sweep does; skipped when None) and with the
    plan committed: headline results of each, prefixed ``foresight:`` and ``committed:``."""
    row: dict[str, Any] = {}
    if foresight is not None:
        row |= _outcome("foresight:", m, foresight.solve(m))
    solved = committed.solve(m)
    row |= _outcome("committed:", m, solved)
    row["committed:value"] = solved.committed
    if solved.marginal is not None:
        row[MARGINAL] = solved.marginal
    if solved.status is SolveStatus.optimal:
        row["committed:delayed_value"] = solved.delayed
        row["committed:cut_value"] = solved.cut
        row["committed:cut_share"] = solved.cut / solved.committed if solved.committed > 0 else 0.0
    return row


MARGINAL = "committed:marginal"  # a draw's (B, T₁) marginal shortfalls: summarised, never a CSV column

# -- running draws: the sweep's local pool or Dask cluster -------------------------------------------


@dataclass(frozen=True)
class JudgeSpec:
    """What a worker needs besides the draws (sent with each chunk, cached by ``key``)."""

    key: str
    scenario: bytes  # the pickled Scenario
    locs: tuple[tuple, ...]  # the varied figures, in column order
    options: SolverOptions
    commitments: tuple[Commitment, ...]  # each judged on every draw
    foresight: bool = True


@dataclass
class _Worker:
    scenario: Scenario
    figures: list
    foresight: ResolverCache | None = None
    committed: list[CommittedCache] = field(default_factory=list)


def judge_spec(
    sc: Scenario, inputs: list, options: SolverOptions, commitments: tuple[Commitment, ...], foresight: bool = True
) -> JudgeSpec:
    """A worker's task description, keyed by a digest of everything in it."""
    scenario = pickle.dumps(sc)
    locs = tuple(x.loc for x in inputs)
    digest = hashlib.blake2b(scenario + pickle.dumps((locs, options, foresight)), digest_size=12)
    for c in commitments:
        digest.update(str(c.periods).encode())
        for a in (c.x, c.e, c.x_value, c.e_value):
            digest.update(np.ascontiguousarray(a).tobytes())
    return JudgeSpec(digest.hexdigest(), scenario, locs, options, commitments, foresight)


def judge_chunk(spec: JudgeSpec, draws: tuple[int, ...], values: np.ndarray) -> list[dict[str, Any]]:
    """Judge every commitment on a block of draws (in a worker); rows depend on the draws' numbers
    only, so any worker in any order gives the same rows."""
    w = thread_state("judge", spec.key, spec.scenario, spec.locs, _Worker)
    if not w.committed:
        base = compile_scenario(w.scenario)
        w.foresight = ResolverCache(base, spec.options) if spec.foresight else None
        w.committed = [CommittedCache(base, spec.options, c) for c in spec.commitments]
    nominal = [q.value for q in w.figures]
    rows = []
    try:
        for draw, row_values in zip(draws, values, strict=True):
            for q, v in zip(w.figures, row_values, strict=True):
                q.value = float(v)
            try:
                m = compile_scenario(w.scenario)
            except ScenarioError as exc:
                rows.append({"draw": draw, "invalid": exc.problems[0].message})
                continue
            out: list[dict[str, Any]] = []
            for n, cache in enumerate(w.committed):
                out.append(judge_draw(w.foresight if n == 0 else None, cache, m))
            rows.append({"draw": draw, "results": out})
    finally:
        for q, v in zip(w.figures, nominal, strict=True):
            q.value = v
    return rows


def run_draws(
    spec: JudgeSpec,
    values: np.ndarray,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Judge every draw on the local pool (``workers`` > 1), in this process, or on Dask."""
    from .runner import DaskExecutor, LocalExecutor

    n = len(values)
    size = max(1, min(8, n // (4 * max(1, workers)) or 1))
    tasks = [(spec, tuple(range(s, min(s + size, n))), values[s : s + size]) for s in range(0, n, size)]
    rows: list[dict[str, Any]] = []
    if progress:
        progress(0, n)
    if scheduler is None and workers <= 1:
        results = ((t, judge_chunk(*t)) for t in tasks)
        executor = None
    else:
        executor = DaskExecutor(scheduler) if scheduler else LocalExecutor(workers)
        results = executor.run(judge_chunk, tasks)
    try:
        for _, chunk_rows in results:
            rows += chunk_rows
            if progress:
                progress(len(rows), n)
    finally:
        if executor is not None:
            executor.close()
    return sorted(rows, key=lambda r: r["draw"])


# -- the summary ---------------------------------------------------------------------------------------


def p_ready_by_year(m: ModelData, frame: pd.DataFrame, prefix: str) -> list[float]:
    """P(ready by the end of each year): draws without an optimal plan count as not ready."""
    if not len(frame):
        return [math.nan] * len(m.years)
    ok = frame[f"{prefix}status"] == "optimal"
    index = pd.to_numeric(frame[f"{prefix}readiness_index"], errors="coerce").where(ok).fillna(m.T).to_numpy()
    return [float((index <= t).mean()) for t in m.cal.year_ends]


@dataclass
class CommitSummary:
    """A committed plan judged on draws beside perfect foresight, with the value of information."""

    draws: pd.DataFrame  # one row per draw: committed:* and foresight:* results
    p_ready: pd.DataFrame  # year, committed, foresight, foresight − committed
    decision_date: str
    first_stage_periods: int
    committed_value: float  # the fixed decisions at the committed plan's prices (base currency)
    currency: str = ""
    invalid: int = 0
    scenario: str = ""  # the scenario judged, as planned (after what-ifs and --set): its name
    digest: str = ""  # and its digest (``runner.scenario_digest``), so a report reads the right folder
    seed: int | None = None
    commitments: pd.DataFrame | None = None  # ``commitment_values``: which commitments would help most

    def most_valuable(self, top: int = 5) -> list[dict[str, Any]]:
        """The ``top`` commitments whose next million would lower expected shortfall most (only
        those that lower it)."""
        c = self.commitments
        if c is None or not len(c):
            return []
        helping = c[c["shortfall_change_per_million"] < -1e-9].head(top)
        return [
            {
                "line": r.line,
                "customer": r.customer,
                "kind": r.kind,
                "period": r.period,
                "shortfall_change_per_million": round(float(r.shortfall_change_per_million), 6),
                "draws_helped": round(float(r.draws_helped), 4),
            }
            for r in helping.itertuples()
        ]

    def expected(self, prefix: str, measure: str = "weighted_shortfall") -> float:
        """Mean of a measure over the draws where both plans are optimal (so the two compare)."""
        both = self._both()
        return float(pd.to_numeric(self.draws.loc[both, f"{prefix}{measure}"]).mean()) if both.any() else math.nan

    def _both(self) -> pd.Series:
        d = self.draws
        if not len(d) or "committed:status" not in d:
            return pd.Series(False, index=d.index)
        return (d["committed:status"] == "optimal") & (d.get("foresight:status") == "optimal")

    def headline(self) -> dict[str, Any]:
        """The --json summary: every figure labelled committed or perfect foresight."""
        d = self.draws
        ok = d["committed:status"] == "optimal" if len(d) else pd.Series(dtype=bool)
        cut = pd.to_numeric(d.loc[ok, "committed:cut_value"]) if ok.any() else pd.Series(dtype=float)
        es_c, es_f = self.expected("committed:"), self.expected("foresight:")

        def r(v: float, n: int = 4) -> float | None:
            return None if v is None or math.isnan(v) else round(float(v), n)

        return {
            "scenario": {"name": self.scenario, "digest": self.digest},
            "draws": len(d),
            "seed": self.seed,
            "decision_date": self.decision_date,
            "first_stage_periods": self.first_stage_periods,
            "committed_value": r(self.committed_value, 2),
            "failed_draws": {
                "committed": int((~ok).sum()) if len(d) else 0,
                "perfect_foresight": int((d["foresight:status"] != "optimal").sum()) if len(d) else 0,
            },
            "p_ready_by_year": {
                "committed": {str(y): r(v) for y, v in zip(self.p_ready.year, self.p_ready.committed, strict=True)},
                "perfect_foresight": {
                    str(y): r(v) for y, v in zip(self.p_ready.year, self.p_ready.foresight, strict=True)
                },
            },
            "expected_weighted_shortfall": {"committed": r(es_c, 6), "perfect_foresight": r(es_f, 6)},
            "expected_total_cost": {
                "committed": r(self.expected("committed:", "total_cost"), 2),
                "perfect_foresight": r(self.expected("foresight:", "total_cost"), 2),
            },
            "value_of_perfect_information": {
                "weighted_shortfall": r(es_c - es_f, 6),
                "p_ready_by_year": {
                    str(y): r(v) for y, v in zip(self.p_ready.year, self.p_ready.difference, strict=True)
                },
            },
            "most_valuable_commitments": self.most_valuable(),
            "cuts": {
                "draws_with_cuts": int((cut > 1e-6 * max(1.0, self.committed_value)).sum()),
                "mean_cut_value": r(float(cut.mean()) if len(cut) else math.nan, 2),
                "max_cut_share": r(
                    float(pd.to_numeric(d.loc[ok, "committed:cut_share"]).max()) if ok.any() else math.nan
                ),
            },
        }


def summarise_commit(
    m: ModelData, rows: list[dict[str, Any]], periods: int, commitment: Commitment, index: int = 0
) -> CommitSummary:
    """The summary of commitment ``index`` from ``run_draws``' rows (invalid draws count as failed)."""
    flat, marginals = [], []
    for row in rows:
        if "invalid" in row:
            status = f"invalid draw: {row['invalid']}"
            flat.append({"draw": row["draw"], "committed:status": status, "foresight:status": status})
        else:
            res = dict(row["results"][index])
            if res.get("committed:status") == "optimal" and MARGINAL in res:
                marginals.append(res[MARGINAL])
            res.pop(MARGINAL, None)
            fs = {k: v for k, v in row["results"][0].items() if k.startswith("foresight:")}
            flat.append({"draw": row["draw"], **fs, **{k: v for k, v in res.items() if not k.startswith("foresight:")}})
    frame = pd.DataFrame(flat)
    committed, foresight = p_ready_by_year(m, frame, "committed:"), p_ready_by_year(m, frame, "foresight:")
    p_ready = pd.DataFrame(
        {
            "year": m.years,
            "committed": committed,
            "foresight": foresight,
            "difference": np.array(foresight) - np.array(committed),
        }
    )
    return CommitSummary(
        frame,
        p_ready,
        m.periods[periods - 1],
        periods,
        commitment.value,
        m.currency,
        invalid=sum("invalid" in r for r in rows),
        commitments=commitment_values(m, marginals, periods),
    )


def commitment_values(m: ModelData, marginals: list[np.ndarray], periods: int) -> pd.DataFrame:
    """Which commitments would lower the expected weighted shortfall most: for every book and
    first-stage period, the mean over the draws of the change in weighted shortfall per unit more
    committed (the books' row duals: a marginal value at this plan, exact only for small changes),
    per unit and per million of base currency at the scenario's price, and the share of draws in
    which a unit more lowers it; most valuable per million first."""
    books = books_of(build(m))
    pairs = books.pairs()
    if not marginals:
        return pd.DataFrame(
            columns=[
                "line",
                "customer",
                "kind",
                "period",
                "unit_value",
                "shortfall_change_per_unit",
                "shortfall_change_per_million",
                "draws_helped",
            ]
        )
    stack = np.stack(marginals)  # (draws, B, T₁)
    mean = stack.mean(axis=0)
    helped = (stack < -1e-12).mean(axis=0)
    records = []
    for b, (l, k) in enumerate(pairs):
        for t in range(periods):
            unit = float(m.price[l, t]) if k >= 0 else float(m.capex[l])
            records.append(
                {
                    "line": m.lines[l],
                    "customer": m.customers[k] if k >= 0 else "",
                    "kind": "order" if k >= 0 else "capacity",
                    "period": m.periods[t],
                    "unit_value": unit,
                    "shortfall_change_per_unit": float(mean[b, t]),
                    "shortfall_change_per_million": float(mean[b, t] / unit * 1e6) if unit > 0 else math.nan,
                    "draws_helped": float(helped[b, t]),
                }
            )
    frame = pd.DataFrame(records)
    return frame.sort_values("shortfall_change_per_million", kind="stable", na_position="last").reset_index(drop=True)


def sample_draws(sc: Scenario, draws: int, seed: int, method: str = "lhs", vary: list[str] | tuple = ()):
    """The varied inputs and an (draws × inputs) matrix of their values, as a sweep draws them."""
    from .runner import SweepError, check_options, select_inputs
    from .sampling import respect_limits, sample, uncertain_inputs

    check_options(draws)
    inputs = uncertain_inputs(sc)
    if not inputs:
        raise SweepError(f"{sc.name}: no figure has a range (low and high), so there is nothing to vary")
    inputs = select_inputs(inputs, vary)
    return inputs, respect_limits(sc, inputs, sample(inputs, draws, seed, method))


def judge(
    scenario: str | Path | None = None,
    draws: int = 100,
    seed: int = 0,
    decision_date: str | None = None,
    method: str = "lhs",
    workers: int = 1,
    scheduler: str | None = None,
    whatifs: list[str] | tuple = (),
    sets: list[tuple[str, Any]] | tuple = (),
    vary: list[str] | tuple = (),
    commitment: Commitment | str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CommitSummary:
    """Commit the scenario's deterministic plan (or ``commitment``: fixed decisions, or a plan
    folder's orders.csv and investments.csv) up to the decision date and judge it on sampled draws
    beside perfect foresight (docs/uncertainty.md, "Committed plans")."""
    from ..scenario.loader import load

    sc, m = load(scenario, list(whatifs), list(sets))
    return judge_loaded(sc, m, draws, seed, decision_date, method, workers, scheduler, vary, commitment, progress)


def judge_loaded(
    sc: Scenario,
    m: ModelData,
    draws: int = 100,
    seed: int = 0,
    decision_date: str | None = None,
    method: str = "lhs",
    workers: int = 1,
    scheduler: str | None = None,
    vary: list[str] | tuple = (),
    commitment: Commitment | str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CommitSummary:
    """``judge`` for a scenario already loaded (``sc`` as written, ``m`` compiled)."""
    from .runner import scenario_digest

    digest = scenario_digest(sc)
    periods = decision_periods(m, decision_date)
    options = SolverOptions()
    if commitment is None:
        commitment = deterministic_commitment(m, periods, options)
    elif not isinstance(commitment, Commitment):
        commitment = commitment_from_folder(m, commitment, periods)
    inputs, values = sample_draws(sc, draws, seed, method, vary)
    rows = run_draws(judge_spec(sc, inputs, options, (commitment,)), values, workers, scheduler, progress)
    summary = summarise_commit(m, rows, periods, commitment)
    summary.scenario, summary.digest, summary.seed = sc.name, digest, seed
    return summary


def write_commit_outputs(folder: str | Path, summary: CommitSummary) -> list[Path]:
    """``summary.json`` (the headline), ``draws.csv`` (one row per draw, committed and perfect
    foresight side by side), ``p_ready.csv`` and ``commitments.csv`` (``commitment_values``), each
    written whole or not at all."""
    import json

    from ..atomic import write_atomic

    folder = Path(folder)
    p_ready = summary.p_ready.rename(
        columns={
            "committed": "p_ready_committed",
            "foresight": "p_ready_perfect_foresight",
            "difference": "value_of_perfect_information",
        }
    )
    return [
        write_atomic(folder / "summary.json", json.dumps(summary.headline(), indent=2) + "\n"),
        write_atomic(folder / "draws.csv", summary.draws.to_csv(index=False)),
        write_atomic(folder / "p_ready.csv", p_ready.to_csv(index=False)),
        *(
            [write_atomic(folder / "commitments.csv", summary.commitments.to_csv(index=False))]
            if summary.commitments is not None
            else []
        ),
    ]
