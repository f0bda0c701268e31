"""Per-thread copies of a scenario for the workers of sweeps, committed judgements and Benders: a
worker changes the scenario's figures in place draw by draw, so no two threads (a Dask worker's,
or a server's) may share one; each thread keeps the last it was given."""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable
from typing import TypeVar

from ..scenario.compiled import iter_quantities
from ..scenario.schema import Scenario

T = TypeVar("T")
_LOCAL = threading.local()


def thread_state(
    kind: str, key: str, scenario: bytes, locs: tuple[tuple, ...], make: Callable[[Scenario, list], T]
) -> T:
    """This thread's state of ``kind`` for the task keyed ``key``: ``make(scenario, figures)`` with
    the pickled scenario and its varied figures at ``locs``, made once per key and thread."""
    cached = getattr(_LOCAL, kind, None)
    if cached is None or cached[0] != key:
        sc = pickle.loads(scenario)
        found = dict(iter_quantities(sc, explicit=True))
        cached = (key, make(sc, [found[tuple(loc)] for loc in locs]))
        setattr(_LOCAL, kind, cached)
    return cached[1]
