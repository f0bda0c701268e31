"""Running a sweep: draws in chunks on a local process pool or a Dask cluster — one code path —
with every finished chunk written at once to Parquet, so an interrupted sweep resumes where it
stopped without recomputing or duplicating a draw.

Output folder layout::

    sweep.json              what was asked: scenario digest, seed, method, draws, inputs
    draws/part-000012.parquet  one file per finished chunk (draw ids, inputs, results)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..planner.solver import SolverOptions, SolveStatus
from ..scenario.compiled import compile_scenario, iter_quantities
from ..scenario.errors import ScenarioError
from ..scenario.schema import Quantity, Scenario
from .metrics import draw_metrics
from .resolve import ResolverCache
from .sampling import UncertainInput, respect_limits, sample, uncertain_inputs

CHUNK_FILE = "part-{:06d}.parquet"


class SweepError(Exception):
    """A sweep that cannot run or resume as asked; the message says why."""


@dataclass(frozen=True)
class SweepSpec:
    """Everything a worker needs besides the draws: sent with each chunk, cached by ``key``."""

    key: str
    scenario: bytes  # the pickled Scenario (workers need no file system access)
    locs: tuple[tuple, ...]  # locations of the uncertain figures, in column order
    options: SolverOptions
    warm: bool = True  # re-solve from the base optimal basis (else cold, presolved)


@dataclass(frozen=True)
class Chunk:
    """A contiguous block of draws."""

    index: int
    draws: tuple[int, ...]
    values: np.ndarray  # (len(draws) × inputs)


@dataclass
class _WorkerState:
    scenario: Scenario
    figures: list[Quantity]
    solver: ResolverCache | None = None


_STATE: dict[str, _WorkerState] = {}


def _state(spec: SweepSpec) -> _WorkerState:
    if spec.key not in _STATE:
        _STATE.clear()
        sc = pickle.loads(spec.scenario)
        found = dict(iter_quantities(sc, explicit=True))
        _STATE[spec.key] = _WorkerState(sc, [found[tuple(loc)] for loc in spec.locs])
    return _STATE[spec.key]


def run_chunk(spec: SweepSpec, chunk: Chunk) -> pd.DataFrame:
    """Plan and assess every draw of a chunk (in a worker). Each draw's result depends only on its
    numbers, so any worker, in any order, gives the same rows."""
    st = _state(spec)
    if st.solver is None:  # the scenario as written: the base every draw re-solves from
        st.solver = ResolverCache(compile_scenario(st.scenario), spec.options, spec.warm)
    nominal = [q.value for q in st.figures]
    rows = []
    try:
        for draw, values in zip(chunk.draws, chunk.values, strict=True):
            tick = time.perf_counter()
            for q, v in zip(st.figures, values, strict=True):
                q.value = float(v)
            row: dict[str, object] = {"draw": draw}
            try:
                model = compile_scenario(st.scenario)
                solved = st.solver.solve(model)
                if solved.status is SolveStatus.optimal:
                    row |= {"status": "optimal", **draw_metrics(model, solved.form, solved.solution)}
                else:
                    row["status"] = f"no optimal plan: {solved.status.value}"
            except ScenarioError as exc:
                row["status"] = f"invalid draw: {exc.problems[0].message}"
            row["seconds"] = time.perf_counter() - tick
            rows.append(row)
    finally:
        for q, v in zip(st.figures, nominal, strict=True):
            q.value = v
    inputs = pd.DataFrame(chunk.values, columns=[f"input:{j}" for j in range(chunk.values.shape[1])])
    return pd.concat([pd.DataFrame(rows), inputs], axis=1)


# -- executors: a local process pool or a Dask cluster, behind one small interface ------------------


def _exit_with_parent(parent: int) -> None:
    """Worker start-up: end this worker when the sweep process that started it is gone (killed
    outright, it cannot tell its pool to stop; the workers would otherwise wait for work forever)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


class LocalExecutor:
    """A process pool that restarts itself if a worker dies, resubmitting what was lost."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, initializer=_exit_with_parent, initargs=(os.getpid(),))

    def run(self, fn: Callable, tasks: list) -> Iterator[tuple[object, object]]:
        """Yield (task, result) as tasks finish; tasks lost with a dead worker are run again."""
        pending = list(tasks)
        restarts = 0
        while pending:
            futures: dict[Future, object] = {self.pool.submit(fn, *t): t for t in pending}
            lost: list = []
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for f in done:
                    task = futures.pop(f)
                    try:
                        result = f.result()
                    except BrokenProcessPool:
                        lost.append(task)
                        continue
                    yield task, result
                if lost:  # the pool is broken: everything still queued is lost too
                    lost += list(futures.values())
                    futures.clear()
            pending = lost
            if pending:
                restarts += 1
                if restarts > 5:
                    raise SweepError("worker processes keep dying; see the system log (out of memory?)")
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._new_pool()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Tasks on a running ``dask.distributed`` scheduler; its workers retry a lost task elsewhere."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - distributed is a dependency
            raise SweepError(f"dask.distributed is not installed: {exc}") from None
        try:
            self.client = Client(address, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise SweepError(f"cannot reach the Dask scheduler at {address}: {exc}") from None

    def run(self, fn: Callable, tasks: list) -> Iterator[tuple[object, object]]:
        from distributed import as_completed

        futures = {self.client.submit(fn, *t, pure=False, retries=3): t for t in tasks}
        for f in as_completed(futures):
            yield futures[f], f.result()

    def close(self) -> None:
        self.client.close()


# -- the sweep -----------------------------------------------------------------------------------


@dataclass
class SweepPlan:
    """What a sweep will do: inputs, draws and where results go."""

    folder: Path
    inputs: list[UncertainInput]
    values: np.ndarray
    seed: int
    method: str
    spec: SweepSpec
    chunks: list[Chunk] = field(default_factory=list)


def scenario_digest(sc: Scenario) -> str:
    return hashlib.blake2b(sc.model_dump_json().encode(), digest_size=12).hexdigest()


def select_inputs(inputs: list[UncertainInput], patterns: list[str] | tuple = ()) -> list[UncertainInput]:
    """The inputs whose paths match any of the patterns (all when none are given)."""
    if not patterns:
        return inputs
    # '*' matches anything and '?' one character; brackets are literal (paths contain them)
    regexes = [re.compile(re.escape(p).replace(r"\*", ".*").replace(r"\?", ".") + "$") for p in patterns]
    chosen = [x for x in inputs if any(r.match(x.path) for r in regexes)]
    if not chosen:
        raise SweepError(
            f"no ranged figure matches {', '.join(patterns)}; e.g. {', '.join(x.path for x in inputs[:3])}"
        )
    return chosen


def calibrate(
    sc: Scenario, inputs: list[UncertainInput], values: np.ndarray, options: SolverOptions, n: int = 4
) -> bool:
    """Whether re-solving warm is faster than cold for these draws, timed on the first ``n`` (each
    draw solved both ways, in alternating order, so drift on a busy machine favours neither)."""
    found = dict(iter_quantities(sc, explicit=True))
    figures = [found[x.loc] for x in inputs]
    nominal = [q.value for q in figures]
    base = compile_scenario(sc)
    caches = {warm: ResolverCache(base, options, warm) for warm in (True, False)}
    seconds = dict.fromkeys(caches, 0.0)
    try:
        for j, row in enumerate(values[:n]):
            for q, v in zip(figures, row, strict=True):
                q.value = float(v)
            with contextlib.suppress(ScenarioError):
                m = compile_scenario(sc)
                for warm in (True, False) if j % 2 == 0 else (False, True):
                    tick = time.perf_counter()
                    caches[warm].solve(m)
                    seconds[warm] += time.perf_counter() - tick
    finally:
        for q, v in zip(figures, nominal, strict=True):
            q.value = v
    return seconds[True] <= seconds[False]


def prepare(
    sc: Scenario,
    draws: int,
    seed: int,
    folder: str | Path,
    method: str = "lhs",
    chunk_size: int | None = None,
    options: SolverOptions | None = None,
    vary: list[str] | tuple = (),
    warm: bool | None = None,
) -> SweepPlan:
    """Sample the draws and check the folder: a new sweep, or the same sweep to resume.

    ``vary`` restricts the sweep to the ranged figures matching these patterns; ``warm`` forces
    the re-solve mode (None: time both on a few draws and keep the faster, recorded in sweep.json).
    """
    if draws < 1:
        raise SweepError(f"--draws must be at least 1 (got {draws})")
    folder = Path(folder)
    options = options or SolverOptions()
    inputs = uncertain_inputs(sc)
    if not inputs:
        raise SweepError(f"{sc.name}: no figure has a range (low and high), so there is nothing to vary")
    inputs = select_inputs(inputs, vary)
    values = respect_limits(sc, inputs, sample(inputs, draws, seed, method))
    digest = scenario_digest(sc)
    manifest = {
        "scenario": sc.name,
        "digest": digest,
        "seed": seed,
        "method": method,
        "draws": draws,
        "inputs": [x.path for x in inputs],
    }
    path = folder / "sweep.json"
    if path.exists():
        old = json.loads(path.read_text())
        differs = [k for k in ("digest", "seed", "method", "draws", "inputs") if old.get(k) != manifest[k]]
        if differs:
            raise SweepError(
                f"{folder} holds a different sweep ({', '.join(differs)} differ); "
                "use another output folder to start a new one"
            )
        manifest["warm_start"] = bool(old.get("warm_start", True))
    else:
        manifest["warm_start"] = calibrate(sc, inputs, values, options) if warm is None else warm
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, json.dumps(manifest, indent=2))
    (folder / "draws").mkdir(parents=True, exist_ok=True)
    spec = SweepSpec(
        digest + f"-{seed}", pickle.dumps(sc), tuple(x.loc for x in inputs), options, manifest["warm_start"]
    )
    size = chunk_size or max(1, min(8, draws // 16 or 1))
    chunks = [
        Chunk(n, tuple(range(s, min(s + size, draws))), values[s : s + size])
        for n, s in enumerate(range(0, draws, size))
    ]
    return SweepPlan(folder, inputs, values, seed, method, spec, chunks)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def done_chunks(folder: Path) -> set[int]:
    """Chunks whose results are already on disk (complete files only: they are renamed into place)."""
    return {int(p.stem.split("-")[1]) for p in (folder / "draws").glob("part-*.parquet")}


def execute(
    plan: SweepPlan, workers: int = 1, scheduler: str | None = None, progress: Callable[[int, int], None] | None = None
) -> None:
    """Run every chunk not yet on disk, writing each as soon as it finishes."""
    todo = [c for c in plan.chunks if c.index not in done_chunks(plan.folder)]
    done_draws = sum(len(c.draws) for c in plan.chunks) - sum(len(c.draws) for c in todo)
    total = sum(len(c.draws) for c in plan.chunks)
    if progress:
        progress(done_draws, total)
    if not todo:
        return
    executor = DaskExecutor(scheduler) if scheduler else LocalExecutor(workers)
    try:
        for (_, chunk), frame in executor.run(run_chunk, [(plan.spec, c) for c in todo]):
            path = plan.folder / "draws" / CHUNK_FILE.format(chunk.index)
            tmp = path.with_name(f".{path.name}.tmp")
            frame.to_parquet(tmp, index=False)
            os.replace(tmp, path)
            done_draws += len(chunk.draws)
            if progress:
                progress(done_draws, total)
    finally:
        executor.close()


def collect(folder: str | Path) -> pd.DataFrame:
    """Every finished draw, in draw order, with the inputs named by their paths."""
    folder = Path(folder)
    manifest = json.loads((folder / "sweep.json").read_text())
    parts = sorted((folder / "draws").glob("part-*.parquet"))
    if not parts:
        return pd.DataFrame()
    frame = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True).sort_values("draw").reset_index(drop=True)
    return frame.rename(columns={f"input:{j}": f"input:{path}" for j, path in enumerate(manifest["inputs"])})
