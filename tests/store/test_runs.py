"""Runs in the store: queued, claimed by exactly one worker, finished with every result in one
transaction (or not at all), failed, reaped when their worker stops, retried, and read back."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import select, update

from materiel.store import Store
from materiel.store.errors import NotFoundError, StoreError
from materiel.store.models import AuditEntry, Run, now
from materiel.store.runs import (
    add_draws,
    claim_next,
    create_run,
    draws,
    fail,
    finish,
    get_run,
    heartbeat,
    list_runs,
    read_files,
    read_tables,
    reap,
    retry,
    worker_name,
)
from materiel.store.scenarios import create_scenario
from materiel.store.users import ensure_team

from .conftest import TINY

TABLES = {
    "orders": pd.DataFrame({"line": ["cheap", "dear"], "units": [200.0, 300.5], "count": [1, 2]}),
    "coverage": pd.DataFrame({"item": ["shell"], "met": [True], "note": [None]}),
}


def _queue(store: Store, n: int = 1, kind: str = "plan") -> list[int]:
    with store.session() as s:
        scenario = create_scenario(s, ensure_team(s, "air"), "tiny", TINY, "ana")
        version = scenario.versions[0]
        return [create_run(s, version, "ana", kind=kind, whatifs=["cheap"], sets={"a": 1}).id for _ in range(n)]


def test_a_run_goes_from_queued_to_done_with_its_results(store: Store) -> None:
    [run_id] = _queue(store)
    with store.session() as s:
        run = claim_next(s, "w1")
        assert (run.id, run.status, run.worker, run.attempts) == (run_id, "running", "w1", 1)
        assert claim_next(s, "w2") is None
    with store.session() as s:
        heartbeat(s, run_id, "w1", done=0, total=0)
        summary = {"total_cost": 12.5, "ratio": float("nan")}
        finish(
            s,
            run_id,
            summary,
            TABLES,
            {"summary.json": b"{}\n", "charts/a.png": b"\x89PNG"},
            {"solve": 0.25},
            library_version="0.1.0",
            solver_version="1.11.0",
        )
    with store.session() as s:
        run = get_run(s, run_id)
        assert (run.status, run.summary, run.timings, run.solver_version) == (
            "done",
            {"total_cost": 12.5, "ratio": None},
            {"solve": 0.25},
            "1.11.0",
        )
        assert (run.whatifs, run.sets, run.version.number) == (["cheap"], {"a": 1}, 1)
        tables = read_tables(s, run_id)
        for name, frame in TABLES.items():
            pd.testing.assert_frame_equal(tables[name], frame)
        assert read_files(s, run_id) == {"summary.json": b"{}\n", "charts/a.png": b"\x89PNG"}
        assert [r.id for r in list_runs(s, run.team_id, status="done")] == [run_id]
        assert list_runs(s, run.team_id, status="queued") == []
        statuses = [e.detail.get("status") for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert statuses == [None, None, "running", "done"]  # scenario made, run queued, started, done
        with pytest.raises(NotFoundError, match="no run 999"):
            get_run(s, 999)
        with pytest.raises(StoreError, match="only a queued or running run can be finished"):
            finish(s, run_id, {}, {}, {}, {})


class _Breaks(Mapping):
    """Tables whose second one cannot be produced: the failure comes half-way through finish()."""

    def __init__(self) -> None:
        self.first = TABLES["orders"]

    def __iter__(self) -> Iterator[str]:
        yield "orders"
        raise RuntimeError("the disk of the worker is full")

    def __len__(self) -> int:
        return 2

    def __getitem__(self, key: str) -> pd.DataFrame:
        return self.first

    def items(self):
        yield "orders", self.first
        raise RuntimeError("the disk of the worker is full")


def test_a_failure_inside_finish_leaves_no_results_and_the_run_not_done(store: Store) -> None:
    [run_id] = _queue(store)
    with store.session() as s:
        claim_next(s, "w1")
    with pytest.raises(RuntimeError, match="disk of the worker is full"), store.session() as s:
        finish(s, run_id, {"total_cost": 1.0}, _Breaks(), {}, {})
    with store.session() as s:
        run = get_run(s, run_id)
        assert (run.status, run.summary) == ("running", None)
        assert read_tables(s, run_id) == {} and read_files(s, run_id) == {}


def _claim_all(store: Store, worker: str, got: list[int], start: threading.Barrier) -> None:
    start.wait()
    while True:
        with store.session() as s:
            run = claim_next(s, worker)
            if run is None:
                return
            got.append(run.id)


def test_two_workers_never_claim_the_same_run(store: Store) -> None:
    queued = _queue(store, 20)
    got_a: list[int] = []
    got_b: list[int] = []
    start = threading.Barrier(2)
    threads = [
        threading.Thread(target=_claim_all, args=(store, "a", got_a, start)),
        threading.Thread(target=_claim_all, args=(store, "b", got_b, start)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(got_a + got_b) == queued
    assert not set(got_a) & set(got_b)
    with store.session() as s:
        assert {r.worker for r in list_runs(s, status="running")} <= {"a", "b"}
        assert all(r.attempts == 1 for r in list_runs(s))


def test_a_stopped_worker_s_run_is_failed_with_the_reason_and_can_be_retried(store: Store) -> None:
    quiet, killed, alive = _queue(store, 3)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # a worker process that is gone
    gone = worker_name("worker").rsplit(":", 1)[0] + f":{child.pid}"
    with store.session() as s:
        claim_next(s, "far@elsewhere:1")  # quiet: on another host, silent for an hour
        claim_next(s, gone)  # killed: its process on this host is gone
        claim_next(s, worker_name())  # alive: this process
        s.execute(update(Run).where(Run.id == quiet).values(heartbeat_at=now() - timedelta(hours=1)))
    with store.session() as s:
        reaped = {r.id: r.error for r in reap(s, timedelta(minutes=5))}
    assert sorted(reaped) == [quiet, killed]
    assert reaped[quiet].startswith("worker far@elsewhere:1 stopped (no heartbeat since 20")
    assert reaped[killed].startswith(f"worker {gone} stopped (no heartbeat since ")
    with store.session() as s:
        assert get_run(s, alive).status == "running"
        with pytest.raises(StoreError, match=f"run {quiet} is no longer running in far@elsewhere:1"):
            heartbeat(s, quiet, "far@elsewhere:1")
        retried = retry(s, quiet, "ana")
        assert (retried.status, retried.error, retried.worker) == ("queued", None, None)
        with pytest.raises(StoreError, match="only a failed or cancelled run can be retried"):
            retry(s, alive, "ana")
    with store.session() as s:
        again = claim_next(s, "w9")
        assert (again.id, again.attempts) == (quiet, 2)
        fail(s, again.id, "the solver ran out of memory")
    with store.session() as s:
        assert get_run(s, quiet).error == "the solver ran out of memory"


def test_a_sweep_s_draws_and_progress_are_kept(store: Store) -> None:
    [run_id] = _queue(store, kind="sweep")
    with store.session() as s:
        claim_next(s, "w1")
        heartbeat(s, run_id, "w1", done=0, total=3)
        add_draws(
            s,
            run_id,
            [
                {"draw": 0, "inputs": {"x": 1.5}, "outcome": {"ready": True}, "total_cost": 10.0},
                {"draw": 1, "inputs": {"x": 2.5}, "outcome": {"ready": False}, "total_cost": float("nan")},
            ],
        )
    with store.session() as s:
        run = get_run(s, run_id)
        assert (run.progress_done, run.progress_total) == (2, 3)
        assert [(d.draw, d.inputs, d.total_cost) for d in draws(s, run_id)] == [
            (0, {"x": 1.5}, 10.0),
            (1, {"x": 2.5}, None),
        ]
