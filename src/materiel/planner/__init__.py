"""The optimiser: build the LP from a compiled scenario, solve it with HiGHS, read back a Plan."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import highspy

from ..atomic import OutputError
from ..scenario.compiled import ModelData
from .face import FaceOptions, settle
from .formulation import FAMILY, Formulation, build
from .iis import explain
from .inputs import unusable
from .marginal import marginal_values, phase_two_kept
from .result import Objective, Plan, read_plan
from .solver import LPRangeError, SolveResult, SolverOptions, SolveStatus, solve
from .wording import variable


class PlanError(Exception):
    """The solver did not find an optimal plan; the message says why in the scenario's terms."""

    def __init__(self, status: SolveStatus, message: str, conflicts: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.conflicts = conflicts or []

    def __str__(self) -> str:
        text = self.args[0]
        if self.conflicts:
            text += "\n" + "\n".join(f"  - {c}" for c in self.conflicts)
        return text


def options_for(m: ModelData) -> SolverOptions:
    """Solver options from the scenario's planner settings."""
    s = m.scenario.planner
    return SolverOptions(shortfall_tolerance=s.shortfall_tolerance, time_limit=s.time_limit)


def failure(m: ModelData, form: Formulation, result: SolveResult, options: SolverOptions) -> PlanError:
    """Why HiGHS gave no optimal plan, one message per status."""
    status = result.status
    if status is SolveStatus.infeasible or status is SolveStatus.unbounded_or_infeasible:
        conflicts = explain(result.highs, form, m) if result.highs is not None else []
        if status is SolveStatus.unbounded_or_infeasible:
            msg = (
                "HiGHS found that either no plan satisfies every rule or the LP is unbounded, without "
                "telling which; every cost of the LP is at least 0, so most likely no plan satisfies every rule"
            )
        elif conflicts:
            msg = "no plan satisfies every rule of this scenario: these inputs contradict each other"
        else:
            msg = "no plan satisfies every rule of this scenario (HiGHS could not isolate the conflicting inputs)"
        return PlanError(status, msg, conflicts)
    if status is SolveStatus.time_limit:
        limit = f" of {options.time_limit:g} s (planner.time_limit)" if options.time_limit is not None else ""
        return PlanError(status, f"HiGHS reached its time limit{limit} before it could prove a plan optimal")
    if status is SolveStatus.iteration_limit:
        limit = f" of {options.iteration_limit} simplex iterations" if options.iteration_limit is not None else ""
        return PlanError(status, f"HiGHS stopped at its limit{limit} before it could prove a plan optimal")
    if status is SolveStatus.unbounded:
        return PlanError(
            status,
            "HiGHS found the LP unbounded, which its costs (all at least 0) rule out: "
            "a numerical failure of the solver on this scenario",
        )
    return PlanError(status, f"HiGHS stopped without an optimal plan (model status: {result.model_status})")


def out_of_range(m: ModelData, form: Formulation, exc: LPRangeError) -> PlanError:
    """The LP holds a number HiGHS cannot take: name the rule and the quantity it comes from."""
    where = []
    if exc.row is not None and exc.row < form.lp.n_rows:
        block, coords = form.lp.which_row(exc.row)
        where.append(FAMILY[block.name].describe(m, coords))
    if exc.col is not None:
        block, coords = form.lp.which_col(exc.col)
        where.append(variable(m, block.name, block.dims, coords))
    return PlanError(
        SolveStatus.error,
        "this scenario's figures span more than the solver can hold (a number of "
        f"{exc.value:.3g} in the LP, where HiGHS takes at most {1e15:.0e}); a figure involved is far "
        "outside a plausible range: check its value and unit",
        where,
    )


def objective(form: Formulation, result: SolveResult) -> Objective:
    """Both phases' figures of an optimal solve, in the scenario's weights and currency."""
    return Objective(
        shortfall=result.shortfall * form.weight_unit,
        shortfall_optimum=result.shortfall_optimum * form.weight_unit,
        money=result.money * form.money_unit,
        slack=result.slack,
        weight_unit=form.weight_unit,
    )


def make_plan(
    m: ModelData,
    options: SolverOptions | None = None,
    export_lp: str | Path | None = None,
    face: FaceOptions | None = None,
    lp_names: bool = False,
    marginal: bool = True,
) -> Plan:
    """Plan a compiled scenario; raise PlanError unless HiGHS proves the plan optimal. The
    scenario's preference, if any, picks among the optimal plans; ``face`` asks for the ranges
    of the headline splits over them (docs/model.md, "Equally good plans"); ``export_lp``: also
    write the LP there, with readable names when ``lp_names``; ``marginal``: compute the marginal
    values (planner/marginal.py; a comparison's other plans skip them)."""
    options = options or options_for(m)
    if problems := unusable(m):
        raise PlanError(SolveStatus.error, "the compiled scenario holds figures the planner cannot use", problems)
    tick = time.perf_counter()
    form = build(m)
    timings = {"build": time.perf_counter() - tick}
    try:
        if export_lp is not None:
            write_lp(form, export_lp, m if lp_names else None)
        result = solve(form, options)
    except LPRangeError as exc:
        raise out_of_range(m, form, exc) from None
    timings.update(result.seconds)
    if result.status is not SolveStatus.optimal:
        raise failure(m, form, result, options)
    values = None
    if marginal:  # read at the plan's optimum, before the face's rows change the LP in HiGHS
        tick = time.perf_counter()
        optimum = objective(form, result)
        figures = (optimum.shortfall_optimum, optimum.money)
        with phase_two_kept(result.highs, form, result.duals):
            values = marginal_values(m, form, result.duals, figures, result.solution, result.highs, options)
        timings["marginal"] = time.perf_counter() - tick
    tick = time.perf_counter()
    ranges = settle(m, form, result, face)
    timings["face"] = time.perf_counter() - tick
    tick = time.perf_counter()
    plan = read_plan(m, form, result.solution)
    plan.objective = objective(form, result)
    plan.face = ranges
    if values is not None:
        plan.marginal_values = values
    timings["read"] = time.perf_counter() - tick
    plan.timings = timings
    return plan


LP_FORMATS = (".mps", ".lp")


def check_lp_path(path: str | Path) -> Path:
    """Refuse an LP file name HiGHS would not write (wrong suffix, missing or read-only folder)
    before anything is solved."""
    path = Path(path)
    if path.suffix.lower() not in LP_FORMATS:
        raise OutputError(f"{path}: the LP is written as MPS or CPLEX LP; name the file .mps or .lp")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist")
    if path.is_dir():
        raise OutputError(f"{path} is a folder; name the LP file, e.g. {path / 'model.mps'}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: folder {folder} is not writable")
    return path


def write_lp(form: Formulation, path: str | Path, names_from: ModelData | None = None) -> Path:
    """Write the LP as built (phase-1 objective) to an MPS or LP file for inspection: whole or
    not at all (written under a temporary name, checked, then renamed). With ``names_from`` (the
    scenario the LP was built from), rows and columns carry readable names (planner/lpnames.py)."""
    from .solver import new_highs, pass_lp

    path = check_lp_path(path)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}{path.suffix.lower()}")
    h = new_highs(SolverOptions())
    pass_lp(h, form, form.shortfall_cost)
    if names_from is not None:
        from .lpnames import pass_names

        pass_names(h, names_from, form.lp)
    try:
        status = h.writeModel(str(tmp))
        written = tmp.is_file() and tmp.stat().st_size > 0
        if status == highspy.HighsStatus.kError or not written:  # kWarning: e.g. names it shortened
            raise OutputError(f"cannot write the LP to {path}: HiGHS reported {status}")
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write the LP to {path}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return path


__all__ = ["FaceOptions", "Objective", "Plan", "PlanError", "SolveStatus", "SolverOptions", "make_plan"]
