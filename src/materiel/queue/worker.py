"""A queue worker (``materiel worker``, or started by ``materiel serve --workers N``): claims the
oldest queued run, carries it out, sends heartbeats and a sweep's progress, and stores the result in
one transaction, or fails the run with the reason (docs/workspace.md, "Runs, the queue and sharing").

Each worker is its own process: a crash or a kill cannot take the server down, and the run it held
is failed by the next reap (its heartbeat stops, its process is gone) and can be retried. Stopped
with SIGTERM or Ctrl-C, it puts the run it holds back in the queue, so a restart resumes it."""

from __future__ import annotations

import signal
import sys
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..store import Store
from ..store.models import Run
from ..store.runs import add_draws, claim_next, fail, finish, heartbeat, reap, worker_name
from .execute import Cancelled, Job, Outcome, RunFailed, run_job


@dataclass(frozen=True)
class WorkerSettings:
    """How often a worker looks for work and beats, and when a silent worker counts as stopped."""

    poll_seconds: float = 1.0
    beat_seconds: float = 2.0
    # a worker on another host is known to be gone only by its silence (a local one is checked by
    # its pid); heartbeats go on during a solve, as HiGHS lets the heartbeat thread run meanwhile
    stale_seconds: float = 60.0
    scheduler: str | None = None  # a Dask scheduler: plans and comparisons run there, sweeps' draws too


class Stopping(BaseException):
    """SIGTERM arrived: unwind, put the run held back in the queue, and exit."""


def job_of(run: Run) -> Job:
    """What the worker needs of a claimed run, read while its session is open."""
    version = run.version
    return Job(
        run_id=run.id,
        kind=run.kind,
        label=f"{version.scenario.name} v{version.number}",
        text=version.text,
        whatifs=tuple(run.whatifs or ()),
        sets=tuple((str(k), v) for k, v in (run.sets or {}).items()),
        options=dict(run.options or {}),
    )


def requeue(s: Session, run_id: int, worker: str) -> bool:
    """Put a run this worker holds back in the queue, as if never started (a stopping worker)."""
    took = s.execute(
        update(Run)
        .where(Run.id == run_id, Run.status == "running", Run.worker == worker)
        .values(status="queued", worker=None, started_at=None, heartbeat_at=None, progress_done=0)
        .execution_options(synchronize_session=False)
    ).rowcount
    return took == 1


class _Beat:
    """Heartbeats from a thread while the run goes on; notices a run taken away (cancelled,
    reaped), which stops a sweep before its next chunk of draws."""

    def __init__(self, store: Store, run_id: int, worker: str, seconds: float) -> None:
        self.store, self.run_id, self.worker, self.seconds = store, run_id, worker, seconds
        self.done: int | None = None
        self.total: int | None = None
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-{run_id}", daemon=True)

    def __enter__(self) -> _Beat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def beat(self) -> None:
        from ..store.errors import StoreError

        try:
            with self.store.session() as s:
                heartbeat(s, self.run_id, self.worker, self.done, self.total)
        except StoreError:  # no longer this worker's run
            self.lost.set()
        except Exception as exc:  # the database is away for a moment: the next beat tries again
            print(f"materiel worker: heartbeat of run {self.run_id} failed: {exc}", file=sys.stderr, flush=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.seconds):
            self.beat()

    def progress(self, done: int, total: int) -> None:
        """A sweep's progress, stored at once."""
        self.done, self.total = done, total
        self.beat()


def _execute(job: Job, beat: _Beat, scheduler: str | None) -> Outcome:
    """The job here, or (a plan or comparison with a scheduler) on the Dask cluster; a sweep with a
    scheduler runs here and sends its draws there."""
    if scheduler is None or job.kind == "sweep":
        return run_job(job, beat.progress, scheduler, beat.lost.is_set)
    from distributed import Client

    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise RunFailed(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        return client.submit(run_job, job, pure=False).result()
    finally:
        client.close()


def _store(store: Store, job: Job, outcome: Outcome, worker: str) -> None:
    """The results, draws and status 'done' in one transaction; any error leaves none of them."""
    from ..store.errors import StoreError

    try:
        with store.session() as s:
            run = finish(
                s,
                job.run_id,
                outcome.summary,
                outcome.tables,
                outcome.files,
                outcome.timings,
                library_version=outcome.library_version,
                solver_version=outcome.solver_version,
            )
            if run.worker != worker:
                raise StoreError(f"run {job.run_id} is no longer this worker's")
            if outcome.draws:
                add_draws(s, job.run_id, outcome.draws)
                run.progress_done = run.progress_total = len(outcome.draws)
    except StoreError:
        return  # cancelled (or reaped) meanwhile: its results are not wanted
    except Exception as exc:
        _fail(store, job.run_id, f"the results could not be stored ({type(exc).__name__}: {exc}); nothing was kept")


def _fail(store: Store, run_id: int, reason: str) -> None:
    """Fail the run; when the database refuses even that, the reaper fails it once its heartbeat is stale."""
    from ..store.errors import StoreError

    try:
        with store.session() as s:
            fail(s, run_id, reason)
    except StoreError:
        pass  # cancelled meanwhile
    except Exception as exc:
        print(f"materiel worker: could not mark run {run_id} failed: {exc}", file=sys.stderr, flush=True)


def carry_out(store: Store, job: Job, worker: str, settings: WorkerSettings) -> str:
    """Run one claimed job to its end: 'stored' (or thrown away, if cancelled meanwhile), 'failed'
    or 'cancelled'."""
    try:
        with _Beat(store, job.run_id, worker, settings.beat_seconds) as beat:
            outcome = _execute(job, beat, settings.scheduler)
    except Cancelled:
        return "cancelled"
    except RunFailed as exc:
        _fail(store, job.run_id, str(exc))
        return "failed"
    except Exception as exc:  # a fault of ours, not of the scenario: said plainly, the worker goes on
        _fail(store, job.run_id, f"internal error ({type(exc).__name__}: {exc}); please report it")
        return "failed"
    _store(store, job, outcome, worker)
    return "stored"


def work(store: Store, settings: WorkerSettings | None = None, once: bool = False, label: str = "worker") -> int:
    """Claim and carry out runs until stopped (SIGTERM, Ctrl-C); with ``once``, until the queue is
    empty. Returns the number of runs carried out."""
    settings = settings or WorkerSettings()
    worker = worker_name(label)
    count = 0
    while True:
        with store.session() as s:
            reap(s, timedelta(seconds=settings.stale_seconds))
        job = None
        try:
            with store.session() as s:
                run = claim_next(s, worker)
                job = job_of(run) if run is not None else None
            if job is not None:
                carry_out(store, job, worker, settings)
        except (Stopping, KeyboardInterrupt):
            if job is not None:  # back in the queue, for the next start
                with store.session() as s:
                    requeue(s, job.run_id, worker)
            raise
        if job is None:
            if once:
                return count
            time.sleep(settings.poll_seconds)
            continue
        count += 1


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Stopping


def main(database: str | None, scheduler: str | None = None, once: bool = False) -> int:
    """``materiel worker``: work on the queue of ``database`` until stopped."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    store = Store.open(database)
    print(f"materiel worker on {store.url}" + (f", Dask scheduler {scheduler}" if scheduler else ""), flush=True)
    try:
        work(store, WorkerSettings(scheduler=scheduler), once=once)
    except (Stopping, KeyboardInterrupt):
        pass
    finally:
        store.dispose()
    return 0
