"""The optimiser: build the LP from a compiled scenario, solve it with HiGHS, read back a Plan."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import highspy

from ..atomic import OutputError
from ..scenario.compiled import ModelData
from .formulation import Formulation, build
from .iis import explain
from .result import Plan, read_plan
from .solver import SolverOptions, SolveStatus, solve


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


def make_plan(m: ModelData, options: SolverOptions | None = None, export_lp: str | Path | None = None) -> Plan:
    """Plan a compiled scenario; raise PlanError unless HiGHS proves the plan optimal."""
    tick = time.perf_counter()
    form = build(m)
    timings = {"build": time.perf_counter() - tick}
    if export_lp is not None:
        write_lp(form, export_lp)
    result = solve(form, options or options_for(m))
    timings.update(result.seconds)
    if result.status is SolveStatus.infeasible:
        conflicts = explain(result.highs, form, m) if result.highs is not None else []
        msg = "no plan satisfies every rule of this scenario: these inputs contradict each other"
        if not conflicts:
            msg = "no plan satisfies every rule of this scenario (HiGHS could not isolate the conflicting inputs)"
        raise PlanError(result.status, msg, conflicts)
    if result.status is not SolveStatus.optimal:
        raise PlanError(result.status, f"HiGHS stopped without an optimal plan: {result.model_status}")
    tick = time.perf_counter()
    plan = read_plan(m, form, result.solution)
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


def write_lp(form: Formulation, path: str | Path) -> Path:
    """Write the LP as built (phase-1 objective) to an MPS or LP file for inspection: whole or
    not at all (written under a temporary name, checked, then renamed)."""
    from .solver import _new_highs, pass_lp

    path = check_lp_path(path)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}{path.suffix.lower()}")
    h = _new_highs(SolverOptions())
    pass_lp(h, form, form.shortfall_cost)
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


__all__ = ["Plan", "PlanError", "SolveStatus", "SolverOptions", "make_plan"]
