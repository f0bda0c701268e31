"""Running a sweep: draws in chunks on a local process pool or a Dask cluster — one code path —
with every finished chunk written at once to Parquet, so an interrupted sweep resumes where it
stopped without recomputing or duplicating a draw.

Output folder layout::

    sweep.json              what was asked: scenario digest, seed, method, draws, inputs, identity
    draws/part-000012.parquet  one file per finished chunk (draw ids, inputs, results), carrying
                               the sweep's identity in its metadata (checked on every read)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import OutputError, folder_lock, write_atomic
from ..planner.solver import SolverOptions, SolveStatus
from ..scenario.compiled import compile_scenario, iter_quantities
from ..scenario.errors import ScenarioError
from ..scenario.schema import Quantity, Scenario
from .metrics import draw_metrics
from .resolve import ResolverCache
from .sampling import UncertainInput, respect_limits, sample, uncertain_inputs
from .threadstate import thread_state

CHUNK_FILE = "part-{:06d}.parquet"
IDENTITY_KEYS = ("digest", "seed", "method", "draws", "inputs")
MAX_DRAWS = 100_000
_META_SWEEP, _META_CHUNK = b"materiel.sweep", b"materiel.chunk"


class SweepError(Exception):
    """A sweep that cannot run or resume as asked; the message says why."""


class SweepCancelledError(SweepError):
    """The caller's cancel hook asked the sweep to stop; the draws written so far are kept, so
    running the same sweep again resumes it."""


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


def _state(spec: SweepSpec) -> _WorkerState:
    """This thread's copy of the sweep's scenario and solver (the last sweep it ran): ``run_chunk``
    changes the scenario's figures in place, so no two threads may share one."""
    return thread_state("sweep", spec.key, spec.scenario, spec.locs, _WorkerState)


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
    outright, it cannot tell its pool to stop; the workers would otherwise wait for work forever).
    Ctrl-C and SIGTERM are the sweep process's to handle: a worker ignores the first and dies
    quietly of the second. Each worker keeps numpy's BLAS to one thread: the workers are the
    parallelism, and OpenBLAS's idle threads spin (measured: two workers on two cores ran no faster
    than one until they were stopped)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

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
            futures: dict[Future, object] = {}
            lost: list = []
            try:
                for t in pending:
                    futures[self.pool.submit(fn, *t)] = t
            except BrokenProcessPool:  # a worker died while the pool was idle (between two calls of run)
                lost, futures = list(pending), {}  # what was submitted goes with the pool: all of it again
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


class InlineExecutor:
    """Chunks run one after another in the calling thread (``workers=0``): for a threaded server,
    where forking worker processes is unsafe."""

    def run(self, fn: Callable, tasks: list) -> Iterator[tuple[object, object]]:
        for task in tasks:
            yield task, fn(*task)

    def close(self) -> None:
        pass


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
    identity: str = ""  # digest of everything that decides the draws' results (``sweep_identity``)


def scenario_digest(sc: Scenario) -> str:
    """A digest of the scenario as planned (after what-ifs and --set)."""
    return hashlib.blake2b(sc.model_dump_json().encode(), digest_size=12).hexdigest()


def sweep_identity(manifest: dict) -> str:
    """A digest of what decides a sweep's draws and results: scenario, seed, method, number of
    draws and the varied inputs. Every chunk file carries it."""
    keys = {k: manifest[k] for k in IDENTITY_KEYS}
    return hashlib.blake2b(json.dumps(keys, sort_keys=True).encode(), digest_size=12).hexdigest()


def check_options(draws: int, workers: int = 1) -> None:
    """Refuse sweep options that cannot mean what they say."""
    if not 1 <= draws <= MAX_DRAWS:
        raise SweepError(
            f"--draws must be between 1 and {MAX_DRAWS:,} (got {draws:,}); a sweep holds every "
            "draw's inputs in memory (for more, run several sweeps with different --seed)"
        )
    if workers < 1:
        raise SweepError(f"--workers must be at least 1 (got {workers})")


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
    Call it, and ``execute``, holding ``sweep_lock(folder)``.
    """
    check_options(draws)
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise SweepError(f"{folder} exists and is not a folder; give the sweep a folder (-o DIR)")
    options = options or SolverOptions()
    inputs = uncertain_inputs(sc)
    if not inputs:
        raise SweepError(f"{sc.name}: no figure has a range (low and high), so there is nothing to vary")
    inputs = select_inputs(inputs, vary)
    values = respect_limits(sc, inputs, sample(inputs, draws, seed, method))
    manifest: dict = {
        "scenario": sc.name,
        "digest": scenario_digest(sc),
        "seed": seed,
        "method": method,
        "draws": draws,
        "inputs": [x.path for x in inputs],
    }
    old = read_sweep_manifest(folder) if (folder / "sweep.json").exists() else None
    if old is not None:
        differs = [k for k in IDENTITY_KEYS if old.get(k) != manifest[k]]
        if differs:
            raise SweepError(
                f"{folder} holds a different sweep ({', '.join(differs)} differ); "
                "use another output folder to start a new one"
            )
        manifest["warm_start"] = bool(old.get("warm_start", True))
    else:
        manifest["warm_start"] = calibrate(sc, inputs, values, options) if warm is None else warm
    manifest["chunk_size"] = chunk_size or max(1, min(8, draws // 16 or 1))
    manifest["identity"] = sweep_identity(manifest)
    try:
        (folder / "draws").mkdir(parents=True, exist_ok=True)
        if old != manifest:
            write_atomic(folder / "sweep.json", json.dumps(manifest, indent=2) + "\n")
    except OSError as exc:
        raise SweepError(f"cannot write to {folder}: {exc.strerror or exc}") from None
    except OutputError as exc:
        raise SweepError(str(exc)) from None
    spec = SweepSpec(
        manifest["identity"], pickle.dumps(sc), tuple(x.loc for x in inputs), options, manifest["warm_start"]
    )
    size = manifest["chunk_size"]
    chunks = [
        Chunk(n, tuple(range(s, min(s + size, draws))), values[s : s + size])
        for n, s in enumerate(range(0, draws, size))
    ]
    return SweepPlan(folder, inputs, values, seed, method, spec, chunks, manifest["identity"])


def read_sweep_manifest(folder: Path) -> dict:
    """A sweep folder's sweep.json, checked; a missing or corrupt one is a located SweepError."""
    path = Path(folder) / "sweep.json"
    if not path.exists():
        raise SweepError(f"{folder}: not a sweep folder (no sweep.json); run materiel sweep -o {folder} first")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SweepError(
            f"{path}: cannot read it ({exc}); remove it to start the sweep again "
            "(finished chunks of the same sweep are verified and kept)"
        ) from None
    missing = [k for k in IDENTITY_KEYS if k not in data] if isinstance(data, dict) else list(IDENTITY_KEYS)
    if missing:
        raise SweepError(f"{path}: not a sweep description (missing {', '.join(missing)}); remove it to start again")
    return data


@contextlib.contextmanager
def sweep_lock(folder: str | Path) -> Iterator[None]:
    """Hold a sweep folder for one sweep: a second sweep into it fails at once, naming it."""
    with folder_lock(folder, wait=0):
        yield


def _chunk_path(folder: Path, index: int) -> Path:
    return folder / "draws" / CHUNK_FILE.format(index)


def write_chunk(draws_dir: int, identity: str, chunk: Chunk, frame: pd.DataFrame) -> None:
    """Write a chunk's rows, with the sweep's identity in the Parquet metadata, whole or not at all.

    ``draws_dir`` is an open descriptor of the draws folder: a chunk lands in it even if another
    run moves the folder meanwhile (a plan replacing out/<scenario> carries its sweep/ along)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = {**(table.schema.metadata or {}), _META_SWEEP: identity.encode(), _META_CHUNK: str(chunk.index).encode()}
    name = CHUNK_FILE.format(chunk.index)
    tmp = f".{name}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666, dir_fd=draws_dir)
    with os.fdopen(fd, "wb") as fh:
        pq.write_table(table.replace_schema_metadata(meta), fh)
    os.replace(tmp, name, src_dir_fd=draws_dir, dst_dir_fd=draws_dir)


def read_chunk(path: Path, identity: str, draws: tuple[int, ...]) -> pd.DataFrame | None:
    """A chunk's rows if the file is whole, of this sweep and holds exactly the expected draws."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException):
        return None
    meta = table.schema.metadata or {}
    if meta.get(_META_SWEEP) != identity.encode() or "draw" not in table.column_names:
        return None
    frame = table.to_pandas()
    return frame if tuple(frame["draw"]) == draws else None


def done_chunks(plan: SweepPlan) -> set[int]:
    """Chunks whose results are on disk, whole, of this sweep and with the right draws."""
    return {
        c.index
        for c in plan.chunks
        if _chunk_path(plan.folder, c.index).exists()
        and read_chunk(_chunk_path(plan.folder, c.index), plan.identity, c.draws) is not None
    }


def execute(
    plan: SweepPlan,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> None:
    """Run every chunk not yet on disk (or on disk but not verified), writing each as it finishes.
    ``workers=0`` runs the chunks in this thread; ``cancel()`` is asked before the first chunk and
    after each one: when it says yes, ``SweepCancelledError`` is raised (what is written stays)."""
    check_options(len(plan.values), max(1, workers))
    if workers < 0:
        raise SweepError(f"workers must be 0 (in this thread) or more (got {workers})")
    done = done_chunks(plan)
    todo = [c for c in plan.chunks if c.index not in done]
    done_draws = sum(len(c.draws) for c in plan.chunks) - sum(len(c.draws) for c in todo)
    total = sum(len(c.draws) for c in plan.chunks)
    if progress:
        progress(done_draws, total)
    if not todo:
        return
    _check_cancel(cancel, done_draws, total)
    draws_dir = os.open(plan.folder / "draws", os.O_RDONLY | os.O_DIRECTORY)
    try:
        executor = DaskExecutor(scheduler) if scheduler else LocalExecutor(workers) if workers > 0 else InlineExecutor()
        try:
            for (_, chunk), frame in executor.run(run_chunk, [(plan.spec, c) for c in todo]):
                write_chunk(draws_dir, plan.identity, chunk, frame)
                done_draws += len(chunk.draws)
                if progress:
                    progress(done_draws, total)
                if done_draws < total:
                    _check_cancel(cancel, done_draws, total)
        finally:
            executor.close()
    finally:
        os.close(draws_dir)


def _check_cancel(cancel: Callable[[], bool] | None, done: int, total: int) -> None:
    if cancel is not None and cancel():
        raise SweepCancelledError(f"the sweep was cancelled after {done:,} of {total:,} draws; run it again to resume")


def expected_chunks(manifest: dict) -> list[tuple[int, tuple[int, ...]]]:
    """(chunk index, draw ids) of every chunk of the sweep a sweep.json describes."""
    draws, size = (
        int(manifest["draws"]),
        int(manifest.get("chunk_size") or max(1, min(8, manifest["draws"] // 16 or 1))),
    )
    return [(n, tuple(range(s, min(s + size, draws)))) for n, s in enumerate(range(0, draws, size))]


COLLECT_ATTEMPTS = 6  # reads of a sweep's chunks before missing ones are called missing (1.5 s of waits)


def collect(folder: str | Path) -> pd.DataFrame:
    """Every draw of a finished sweep, in draw order, with the inputs named by their paths.
    Each chunk is verified (whole, of this sweep, the right draws); an unfinished sweep is refused."""
    folder = Path(folder)
    manifest = read_sweep_manifest(folder)
    identity = manifest.get("identity") or sweep_identity(manifest)
    chunks = expected_chunks(manifest)
    found: dict[int, pd.DataFrame] = {}
    # a plan replacing the folder above carries this one along by rename: for those milliseconds its
    # path leads nowhere, so chunks not found are looked for again a few times before it is called
    # incomplete (measured: a sweep finishing while plans replaced out/ found 24 of 64 draws missing)
    for attempt in range(COLLECT_ATTEMPTS):
        for index, draws in chunks:
            if index not in found:
                frame = read_chunk(_chunk_path(folder, index), identity, draws)
                if frame is not None:
                    found[index] = frame
        if len(found) == len(chunks):
            break
        time.sleep(0.1 * (attempt + 1))
    frames = [found[index] for index, _ in chunks if index in found]
    missing = sum(len(draws) for index, draws in chunks if index not in found)
    if missing:
        raise SweepError(
            f"{folder}: the sweep is incomplete ({missing:,} of {manifest['draws']:,} draws are missing or "
            "damaged); run the same materiel sweep command again to finish it"
        )
    frame = pd.concat(frames, ignore_index=True).sort_values("draw").reset_index(drop=True)
    return frame.rename(columns={f"input:{j}": f"input:{path}" for j, path in enumerate(manifest["inputs"])})


def check_sweep_of(folder: str | Path, sc: Scenario) -> None:
    """Refuse a sweep folder made from another scenario, or with other what-ifs or --set."""
    manifest = read_sweep_manifest(Path(folder))
    if manifest["digest"] != scenario_digest(sc):
        raise SweepError(
            f"{folder} holds a sweep of {manifest.get('scenario', 'another scenario')} as it was then, not of "
            f"{sc.name} with these what-ifs and --set values; give report the scenario, -w and --set "
            "the sweep was run with (or run the sweep again)"
        )
