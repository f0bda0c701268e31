"""The queue's faults, with real worker processes: a server restart resumes a run, a killed worker's
run is failed with the reason and can be retried, and a database error while storing leaves no
half-written run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from materiel.store.models import Run, RunTable, ScenarioVersion, SweepDraw, User
from materiel.store.runs import create_run
from tests.markers import ONE_WORKER
from tests.pgserver import free_port
from tests.web.conftest import csrf_of
from tests.web.runs_support import RANGED, ROOT, add_version, drain, start_worker, worker_env

pytestmark = ONE_WORKER


def queue(workspace, text: str | None = None, kind: str = "plan", **options) -> int:
    version_id = add_version(workspace.store, workspace.team_id, *([text, "ranged"] if text else []))
    with workspace.store.session() as s:
        run = create_run(
            s,
            s.get(ScenarioVersion, version_id),
            s.query(User).filter_by(name="eddie").one(),
            kind=kind,
            options=options,
        )
        return run.id


def state(workspace, run_id: int) -> Run:
    with workspace.store.session() as s:
        return s.get(Run, run_id)


def wait_for(workspace, run_id: int, ok, timeout: float = 120) -> Run:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        run = state(workspace, run_id)
        if ok(run):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} stayed {state(workspace, run_id).status}")


def serve(workspace, port: int) -> subprocess.Popen:
    """``materiel serve`` with one queue worker, on the workspace's database."""
    return subprocess.Popen(
        [sys.executable, "-m", "materiel", "serve", "--port", str(port), "--workers", "1"],
        env=worker_env(workspace.store),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)


def test_a_run_interrupted_by_a_server_stop_resumes_after_the_restart(workspace) -> None:
    run_id = queue(workspace, RANGED, "sweep", draws=60, seed=1)
    port = free_port()
    server = serve(workspace, port)
    try:
        wait_for(workspace, run_id, lambda r: r.status == "running" and r.progress_done > 0)
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10).status == 200
        workers = children(server.pid)
        assert len(workers) == 1
    finally:
        stop(server)
    stopped = state(workspace, run_id)
    assert stopped.status == "queued" and stopped.worker is None  # put back by the stopping worker
    assert not [pid for pid in workers if alive(pid)]  # its worker stopped with it
    server = serve(workspace, port)
    try:
        done = wait_for(workspace, run_id, lambda r: r.status not in ("queued", "running"), 240)
    finally:
        stop(server)
    assert done.status == "done", done.error
    assert done.summary["draws"] == 60 and done.attempts == 2


def test_a_killed_worker_fails_its_run_with_the_reason_and_a_retry_completes_it(workspace) -> None:
    run_id = queue(workspace, RANGED, "sweep", draws=60, seed=2)
    worker = start_worker(workspace.store)
    try:
        wait_for(workspace, run_id, lambda r: r.status == "running" and r.progress_done > 0)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    assert state(workspace, run_id).status == "running"  # nobody has noticed yet
    drain(workspace.store)  # the next worker reaps first
    failed = state(workspace, run_id)
    assert failed.status == "failed"
    assert f":{worker.pid} stopped" in failed.error and "heartbeat" in failed.error
    eddie = workspace.client("eddie")
    page = eddie.get(f"/runs/{run_id}")
    assert 'data-testid="retry"' in page.text and f":{worker.pid} stopped" in page.text
    eddie.post(f"/runs/{run_id}/retry", headers={"X-CSRF-Token": csrf_of(eddie)})
    drain(workspace.store, timeout=240)
    done = state(workspace, run_id)
    assert done.status == "done" and done.error is None and done.progress_done == 60


def test_a_database_error_while_storing_leaves_no_half_written_run(workspace) -> None:
    run_id = queue(workspace)
    path = workspace.store.engine.url.database
    with sqlite3.connect(path) as db:  # the database refuses the summary's file: a real driver error
        db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON run_tables WHEN NEW.name = 'summary.json' "
            "BEGIN SELECT RAISE(ABORT, 'disk quota exceeded'); END"
        )
    drain(workspace.store)
    run = state(workspace, run_id)
    assert run.status == "failed" and run.summary is None
    assert "could not be stored" in run.error and "disk quota exceeded" in run.error
    with workspace.store.session() as s:
        assert s.scalar(select(func.count()).select_from(RunTable).where(RunTable.run_id == run_id)) == 0
        assert s.scalar(select(func.count()).select_from(SweepDraw).where(SweepDraw.run_id == run_id)) == 0


def test_a_plan_runs_on_a_dask_cluster(workspace, tmp_path) -> None:
    dask = pytest.importorskip("dask")
    from distributed import LocalCluster

    run_id = queue(workspace)
    with (
        dask.config.set({"temporary-directory": str(tmp_path / "scratch")}),
        LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as c,
    ):
        worker = start_worker(workspace.store, "--scheduler", c.scheduler_address)
        try:
            run = wait_for(workspace, run_id, lambda r: r.status not in ("queued", "running"))
        finally:
            worker.terminate()
            worker.wait()
    assert run.status == "done", run.error
    assert run.summary["total_cost"] == pytest.approx(800.0)


def test_cancelling_a_running_sweep_stops_it_and_keeps_nothing(workspace) -> None:
    run_id = queue(workspace, RANGED, "sweep", draws=400, seed=4)
    worker = start_worker(workspace.store)
    try:
        wait_for(workspace, run_id, lambda r: r.status == "running" and r.progress_done > 0)
        eddie = workspace.client("eddie")
        eddie.post(f"/runs/{run_id}/cancel", headers={"X-CSRF-Token": csrf_of(eddie)})
        after = queue(workspace)  # the worker goes on to the next run
        wait_for(workspace, after, lambda r: r.status == "done")
    finally:
        worker.terminate()
        worker.wait()
    run = state(workspace, run_id)
    assert run.status == "cancelled" and run.error == "cancelled by eddie"
    assert run.progress_done < 400  # stopped before the end
    with workspace.store.session() as s:
        assert s.scalar(select(func.count()).select_from(RunTable).where(RunTable.run_id == run_id)) == 0
        assert s.scalar(select(func.count()).select_from(SweepDraw).where(SweepDraw.run_id == run_id)) == 0
