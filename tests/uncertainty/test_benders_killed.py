"""A worker killed during the Benders decomposition loses nothing (docs/uncertainty.md,
"Decomposition"): its subproblems are solved again on a new pool, from a cold basis, and the
decomposition reaches the one-process answer.

The kills are real (SIGKILL to a pool child). To know how far the decomposition has got, the tests
watch, without changing anything, how often the main thread enters ``LocalExecutor.run``: once per
Benders iteration (one batch of subproblems).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

import pytest

from materiel.scenario.loader import load
from materiel.uncertainty.benders import BendersResult, solve_benders
from materiel.uncertainty.committed import decision_periods, sample_draws
from materiel.uncertainty.runner import LocalExecutor
from tests.builders import write
from tests.markers import ONE_WORKER
from tests.uncertainty.conftest import ranged_doc

DRAWS, SEED, GAP = 24, 0, 1e-4  # 10 iterations of 24 subproblems in one process (about 2 s)


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """The ranged scenario (tests/uncertainty/conftest.py), 24 training draws, its first stage up to
    2026Q4; the reference is the decomposition in this one process."""
    sc, m = load(write(tmp_path_factory.mktemp("benders"), ranged_doc(), "ranged.yaml"))
    periods = decision_periods(m, "2026Q4")
    inputs, values = sample_draws(sc, DRAWS, SEED)
    reference = solve_benders(sc, m, inputs, values, periods, gap=GAP, workers=1)
    assert reference.iterations >= 3  # several iterations: there is an iteration to kill a worker in
    return sc, m, inputs, values, periods, reference


@contextmanager
def iterations_watched(on_start: Callable[[int], None] | None = None) -> Iterator[list[int]]:
    """The Benders iterations begun in this thread so far (a list grown by one at each), read by a
    profile function on ``LocalExecutor.run``'s first entry; ``on_start(n)`` is called as iteration
    n begins, before its subproblems are submitted."""
    begun: list[int] = []
    code = LocalExecutor.run.__code__

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code is code and "pending" not in frame.f_locals:  # not a resume
            begun.append(len(begun) + 1)
            if on_start is not None:
                on_start(len(begun))

    sys.setprofile(profile)
    try:
        yield begun
    finally:
        sys.setprofile(None)


def pool_children(timeout: float = 30.0) -> list[multiprocessing.Process]:
    """The pool's live children, waiting up to ``timeout`` seconds for some."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = multiprocessing.active_children()
        if children:
            return children
        time.sleep(0.002)
    return []


def same_answer(result: BendersResult, case: tuple) -> None:
    """The one-process answer: bounds within the gap, and a first stage worth the one-process
    optimum. (Not necessarily the same first stage: on this case the optimum ties — when in the
    first stage a line makes what is committed matters little — and a subproblem solved again from
    a cold basis may return another optimal vertex, so the iterates may take another path to
    another optimal first stage. The extensive form picks yet another one.) The first stage is
    evaluated again, alone, in one process: Benders started there for one iteration."""
    sc, m, inputs, values, periods, reference = case
    tolerance = GAP * max(1.0, abs(reference.upper))
    assert result.lower <= result.upper + 1e-9
    assert result.upper == pytest.approx(reference.upper, abs=tolerance)
    assert result.lower == pytest.approx(reference.lower, abs=tolerance)
    again = solve_benders(sc, m, inputs, values, periods, start=result.commitment, max_iterations=1, workers=1)
    assert again.values == pytest.approx(result.values, abs=1e-6)  # per draw, as the killed run reported
    assert again.upper == pytest.approx(reference.upper, abs=tolerance)
    first = slice(0, periods)
    assert result.commitment.x[:, :, first].sum() > 0  # a first stage, not nothing
    assert not result.commitment.x[:, :, periods:].any()  # and nothing after the decision date


@ONE_WORKER
def test_a_worker_killed_during_an_iteration(case: tuple) -> None:
    """A thread kills one pool child with SIGKILL once the second iteration's subproblems are out
    (the first iteration's cuts are in the master, the child holds warm bases)."""
    sc, m, inputs, values, periods, _ = case
    killed: list[int] = []
    stop = threading.Event()

    def kill_one() -> None:
        while not stop.is_set() and not killed:
            children = multiprocessing.active_children()
            if children and len(begun) >= 2:
                os.kill(children[0].pid, signal.SIGKILL)
                killed.append(children[0].pid)
            time.sleep(0.001)

    with iterations_watched() as begun:
        killer = threading.Thread(target=kill_one, daemon=True)
        killer.start()
        try:
            result = solve_benders(sc, m, inputs, values, periods, gap=GAP, workers=2)
        finally:
            stop.set()
            killer.join(10)
    assert killed, "no worker was killed"
    assert result.iterations >= 2
    same_answer(result, case)


@ONE_WORKER
def test_a_worker_killed_between_iterations(case: tuple) -> None:
    """A thread kills one pool child while the pool waits for the third iteration (the main thread
    is held until the pool has seen the death and ended its other child): the next batch of
    subproblems must go to a new pool, not fail with a broken one."""
    sc, m, inputs, values, periods, _ = case
    killed: list[int] = []
    ready, done = threading.Event(), threading.Event()

    def kill_idle() -> None:
        if not ready.wait(120):
            return
        children = pool_children()
        if children:
            os.kill(children[0].pid, signal.SIGKILL)
            killed.append(children[0].pid)
            deadline = time.monotonic() + 30
            while multiprocessing.active_children() and time.monotonic() < deadline:
                time.sleep(0.01)  # a broken pool ends its other workers: then it has seen the death
        done.set()

    def hold(iteration: int) -> None:
        if iteration == 3:
            ready.set()
            done.wait(60)

    killer = threading.Thread(target=kill_idle, daemon=True)
    killer.start()
    try:
        with iterations_watched(hold):
            result = solve_benders(sc, m, inputs, values, periods, gap=GAP, workers=2)
    finally:
        ready.set()
        killer.join(60)
    assert killed, "no worker was killed"
    assert result.iterations >= 3
    same_answer(result, case)
