"""``materiel robust``: plan the first stage for K sampled draws at once (``stochastic``), then
judge it and the deterministic plan, each committed, on the same fresh draws (``committed``):
the value of the stochastic solution measured out of sample (docs/uncertainty.md, "Planning for
uncertainty")."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..planner.formulation import build
from ..planner.result import read_investments, read_orders, read_plan
from ..planner.solver import SolverOptions, SolveStatus
from ..scenario.compiled import ModelData, compile_scenario, iter_quantities
from ..scenario.errors import ScenarioError
from ..scenario.schema import Scenario
from .committed import (
    CommitError,
    Commitment,
    CommitSummary,
    CommittedResolver,
    decision_periods,
    deterministic_commitment,
    judge_spec,
    run_draws,
    sample_draws,
    summarise_commit,
)
from .stochastic import StochasticPlan, solve_stochastic

MAX_TRAINING = 200  # training draws: K copies of the LP in one HiGHS model, or K subproblems an iteration
# "auto" solves the extensive form up to this many training draws and Benders beyond: the extensive
# form's solve grows faster than K (docs/performance.md, "Stochastic planning").
EXTENSIVE_UP_TO = 5


@dataclass
class RobustResult:
    """The stochastic first stage, its tables, and both plans judged out of sample."""

    plan: StochasticPlan
    deterministic: Commitment
    tables: dict[str, pd.DataFrame]  # orders, investments, funding of the robust first stage
    stochastic: CommitSummary  # the stochastic plan committed, on the evaluation draws
    baseline: CommitSummary  # the deterministic plan committed, on the same draws
    decision_date: str
    invalid_training: int
    eval_seed: int
    currency: str = ""
    scenario: str = ""  # the scenario planned, after what-ifs and --set: its name
    digest: str = ""  # and its digest (``runner.scenario_digest``), so a report reads the right folder

    def _common(self) -> pd.Series:
        """Evaluation draws where both plans and perfect foresight have an optimal plan."""
        a, b = self.stochastic.draws, self.baseline.draws
        return (
            (a["committed:status"] == "optimal")
            & (b["committed:status"] == "optimal")
            & (a.get("foresight:status") == "optimal")
        )

    def expected(self, which: str, measure: str = "weighted_shortfall") -> float:
        """Mean of a measure for 'stochastic', 'deterministic' or 'foresight' over the common draws."""
        both = self._common()
        if not both.any():
            return math.nan
        frame = {"stochastic": self.stochastic.draws, "deterministic": self.baseline.draws}.get(
            which, self.stochastic.draws
        )
        column = f"foresight:{measure}" if which == "foresight" else f"committed:{measure}"
        return float(pd.to_numeric(frame.loc[both, column]).mean())

    def headline(self) -> dict[str, Any]:
        """The --json summary; every figure says which plan it belongs to."""

        def r(v: float | None, n: int = 6) -> float | None:
            return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), n)

        p = self.plan
        years = [str(y) for y in self.stochastic.p_ready.year]
        sto, det = self.stochastic.p_ready.committed, self.baseline.p_ready.committed
        fs = self.stochastic.p_ready.foresight
        es = {w: self.expected(w) for w in ("stochastic", "deterministic", "foresight")}
        return {
            "scenario": {"name": self.scenario, "digest": self.digest},
            "decision_date": self.decision_date,
            "alpha": p.alpha,
            "objective": "CVaR of weighted shortfall" if p.alpha is not None else "expected weighted shortfall",
            "training": {
                "method": p.method,
                "draws": len(p.shortfall),
                "seed": self.eval_seed - 1,
                "invalid_draws": self.invalid_training,
                "objective_value": r(p.objective),
                "expected_weighted_shortfall": r(p.expected_shortfall),
                "expected_cut_value": r(p.cut, 2),
                "columns": p.columns,
                "rows": p.rows,
                "seconds": r(p.seconds, 2),
                "simplex_iterations": p.iterations,
            },
            "first_stage": {
                "stochastic_value": r(p.commitment.value, 2),
                "deterministic_value": r(self.deterministic.value, 2),
                "orders": len(self.tables["orders"]),
                "investments": len(self.tables["investments"]),
            },
            "evaluation": {
                "draws": len(self.stochastic.draws),
                "seed": self.eval_seed,
                "common_draws": int(self._common().sum()),
                "p_ready_by_year": {
                    "stochastic_plan": dict(zip(years, map(r, sto), strict=True)),
                    "deterministic_plan": dict(zip(years, map(r, det), strict=True)),
                    "perfect_foresight": dict(zip(years, map(r, fs), strict=True)),
                },
                "expected_weighted_shortfall": {
                    "stochastic_plan": r(es["stochastic"]),
                    "deterministic_plan": r(es["deterministic"]),
                    "perfect_foresight": r(es["foresight"]),
                },
                "expected_total_cost": {
                    "stochastic_plan": r(self.expected("stochastic", "total_cost"), 2),
                    "deterministic_plan": r(self.expected("deterministic", "total_cost"), 2),
                    "perfect_foresight": r(self.expected("foresight", "total_cost"), 2),
                },
                "value_of_stochastic_solution": {
                    "weighted_shortfall": r(es["deterministic"] - es["stochastic"]),
                    "p_ready_by_year": dict(zip(years, map(r, np.array(sto) - np.array(det)), strict=True)),
                },
                "value_of_perfect_information": {"weighted_shortfall": r(es["stochastic"] - es["foresight"])},
                "cuts": {
                    "stochastic_plan": self.stochastic.headline()["cuts"],
                    "deterministic_plan": self.baseline.headline()["cuts"],
                },
            },
        }


def compile_draws(sc: Scenario, inputs: list, values: np.ndarray) -> tuple[list[ModelData], int]:
    """Each draw's compiled model (the scenario's figures restored after); draws the scenario's
    rules refuse are left out and counted."""
    found = dict(iter_quantities(sc, explicit=True))
    figures = [found[x.loc] for x in inputs]
    nominal = [q.value for q in figures]
    models, invalid = [], 0
    try:
        for row in values:
            for q, v in zip(figures, row, strict=True):
                q.value = float(v)
            try:
                models.append(compile_scenario(sc))
            except ScenarioError:
                invalid += 1
    finally:
        for q, v in zip(figures, nominal, strict=True):
            q.value = v
    return models, invalid


def first_stage_tables(m: ModelData, c: Commitment, options: SolverOptions) -> dict[str, pd.DataFrame]:
    """The robust first stage in a plan's tables: its orders and investments as committed (at the
    scenario's prices, delivered after the scenario's lead times), and the funding of orders and
    capacity in the years up to the decision date's when the scenario as written is planned with
    that first stage (units of it made after the decision date are paid when made)."""
    resolver = CommittedResolver(m, options, False, c)
    solved = resolver.solve(build(m))
    if solved.status is not SolveStatus.optimal:
        raise CommitError(f"the scenario as written has no optimal plan with the robust first stage ({solved.status})")
    plan = read_plan(m, solved.form, solved.solution)
    last_year = m.cal.year_of[c.periods - 1]
    paid = plan.funding["purpose"].isin(["orders", "refurbishment", "capacity"])
    funding = plan.funding[(plan.funding["year"] <= last_year) & paid]
    orders, _ = read_orders(m, np.where(c.x > 1e-9, c.x, 0.0))
    return {
        "orders": orders,
        "investments": read_investments(m, np.where(c.e > 1e-12, c.e, 0.0)),
        "funding": funding.reset_index(drop=True),
    }


def benders_plan(
    sc: Scenario,
    m: ModelData,
    inputs: list,
    values: np.ndarray,
    periods: int,
    alpha: float | None,
    start: Commitment,
    workers: int,
    scheduler: str | None,
    options: SolverOptions,
    training_progress: Callable[[int, float, float], None] | None = None,
) -> StochasticPlan:
    """The first stage by multi-cut Benders, started from the deterministic plan, as a
    ``StochasticPlan`` (per-draw money is not computed: NaN)."""
    from .benders import solve_benders

    if alpha is not None:
        raise CommitError(
            "--alpha: the Benders decomposition minimises expected shortfall; drop --alpha or use the extensive form"
        )
    b = solve_benders(
        sc,
        m,
        inputs,
        values,
        periods,
        start,
        workers=workers,
        scheduler=scheduler,
        options=options,
        progress=training_progress,
    )
    return StochasticPlan(
        b.commitment,
        b.values,
        np.full(len(b.values), np.nan),
        b.cut,
        b.upper,
        None,
        0,
        0,
        b.seconds,
        b.iterations,
        f"multi-cut Benders, level-stabilised ({b.iterations} iterations; bounds {b.lower:.4f} ≤ optimum ≤ "
        f"{b.upper:.4f}, relative gap {b.gap:.1e})",
    )


def robust_loaded(
    sc: Scenario,
    m: ModelData,
    draws: int = 10,
    seed: int = 0,
    decision_date: str | None = None,
    alpha: float | None = None,
    eval_draws: int = 100,
    method: str = "lhs",
    workers: int = 1,
    scheduler: str | None = None,
    vary: list[str] | tuple = (),
    progress: Callable[[int, int], None] | None = None,
    decomposition: str = "auto",
    training_progress: Callable[[int, float, float], None] | None = None,
) -> RobustResult:
    """``robust`` for a scenario already loaded (``decomposition``: "extensive" for one LP,
    "benders" for the multi-cut decomposition, its subproblems on the same workers, or "auto":
    the extensive form for CVaR or up to ``EXTENSIVE_UP_TO`` draws, Benders beyond;
    ``training_progress(iteration, lower, upper)`` after each Benders iteration)."""
    if not 1 <= draws <= MAX_TRAINING:
        raise CommitError(
            f"--draws {draws}: the extensive form holds one copy of the LP per draw; give 1 to {MAX_TRAINING}"
        )
    from .runner import scenario_digest

    digest = scenario_digest(sc)
    periods = decision_periods(m, decision_date)
    options = SolverOptions()
    inputs, training = sample_draws(sc, draws, seed, method, vary)
    models, invalid = compile_draws(sc, inputs, training)
    baseline = deterministic_commitment(m, periods, options)
    if decomposition == "auto":
        decomposition = "extensive" if alpha is not None or draws <= EXTENSIVE_UP_TO else "benders"
    if decomposition == "benders":
        plan = benders_plan(
            sc, m, inputs, training, periods, alpha, baseline, workers, scheduler, options, training_progress
        )
    elif decomposition == "extensive":
        plan = solve_stochastic(m, models, periods, alpha, options)
    else:
        raise CommitError(f"--decomposition {decomposition!r}: give auto, extensive or benders")
    tables = first_stage_tables(m, plan.commitment, options)
    eval_seed = seed + 1
    _, fresh = sample_draws(sc, eval_draws, eval_seed, method, vary)
    spec = judge_spec(sc, inputs, options, (baseline, plan.commitment))
    rows = run_draws(spec, fresh, workers, scheduler, progress)
    return RobustResult(
        plan,
        baseline,
        tables,
        summarise_commit(m, rows, periods, plan.commitment, index=1),
        summarise_commit(m, rows, periods, baseline, index=0),
        m.periods[periods - 1],
        invalid,
        eval_seed,
        m.currency,
        sc.name,
        digest,
    )


def robust(
    scenario: str | Path | None = None,
    draws: int = 10,
    seed: int = 0,
    decision_date: str | None = None,
    alpha: float | None = None,
    eval_draws: int = 100,
    method: str = "lhs",
    workers: int = 1,
    scheduler: str | None = None,
    whatifs: list[str] | tuple = (),
    sets: list[tuple[str, Any]] | tuple = (),
    vary: list[str] | tuple = (),
    progress: Callable[[int, int], None] | None = None,
    decomposition: str = "auto",
    training_progress: Callable[[int, float, float], None] | None = None,
) -> RobustResult:
    """A two-stage stochastic plan for ``draws`` sampled draws (expected weighted shortfall, or its
    CVaR at level ``alpha``, then money), with the deterministic and the stochastic plan each
    committed and judged on ``eval_draws`` fresh draws (seed + 1) beside perfect foresight."""
    from ..scenario.loader import load

    sc, m = load(scenario, list(whatifs), list(sets))
    return robust_loaded(
        sc,
        m,
        draws,
        seed,
        decision_date,
        alpha,
        eval_draws,
        method,
        workers,
        scheduler,
        vary,
        progress,
        decomposition,
        training_progress,
    )


def write_robust_outputs(folder: str | Path, result: RobustResult) -> list[Path]:
    """The robust first stage as a plan's ``orders.csv``, ``investments.csv`` and ``funding.csv``
    (``materiel commit --plan`` reads them), ``summary.json``, ``evaluation.csv`` (per fresh draw:
    both plans committed and perfect foresight) and ``p_ready.csv``; each file whole or absent."""
    import json

    from ..atomic import write_atomic

    folder = Path(folder)
    written = [write_atomic(folder / f"{name}.csv", table.to_csv(index=False)) for name, table in result.tables.items()]
    sto = result.stochastic.draws.rename(columns=lambda c: c.replace("committed:", "stochastic:"))
    det = result.baseline.draws[[c for c in result.baseline.draws.columns if c.startswith("committed:")]]
    det = det.rename(columns=lambda c: c.replace("committed:", "deterministic:"))
    evaluation = pd.concat([sto, det], axis=1)
    p_ready = pd.DataFrame(
        {
            "year": result.stochastic.p_ready.year,
            "p_ready_stochastic_plan": result.stochastic.p_ready.committed,
            "p_ready_deterministic_plan": result.baseline.p_ready.committed,
            "p_ready_perfect_foresight": result.stochastic.p_ready.foresight,
        }
    )
    written += [
        write_atomic(folder / "summary.json", json.dumps(result.headline(), indent=2) + "\n"),
        write_atomic(folder / "evaluation.csv", evaluation.to_csv(index=False)),
        write_atomic(folder / "p_ready.csv", p_ready.to_csv(index=False)),
    ]
    return written
