"""Warm planners kept per scenario version: the web asks for one by key and gets the planner it
built before, or a new one (built once, however many threads ask at the same time)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from ..planner.solver import SolverOptions
from ..scenario.compiled import ModelData
from .planner import LivePlanner


def model_key(model: ModelData) -> tuple[str, tuple[str, ...]]:
    """A compiled scenario's key: the digest of the scenario as planned and the what-ifs applied."""
    from ..uncertainty.runner import scenario_digest

    return scenario_digest(model.scenario), tuple(model.whatifs)


class LiveCache:
    """The ``size`` most recently used planners, by key (e.g. a scenario version's digest and its
    what-ifs); the least recently used is dropped when a new one is built."""

    def __init__(self, size: int = 8, options: SolverOptions | None = None) -> None:
        if size < 1:
            raise ValueError(f"a live cache holds at least one planner (got size {size})")
        self.size = size
        self.options = options
        self._planners: OrderedDict[Hashable, LivePlanner] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._planners)

    def _kept(self, key: Hashable) -> LivePlanner | None:
        with self._lock:
            planner = self._planners.get(key)
            if planner is not None:
                self._planners.move_to_end(key)
            return planner

    def planner(self, key: Hashable, load: Callable[[], ModelData]) -> LivePlanner:
        """The planner kept under ``key``, or one built from ``load()`` (which runs only when
        none is kept; a second caller with the same key waits for the first one's)."""
        if (planner := self._kept(key)) is not None:
            return planner
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            if (planner := self._kept(key)) is not None:
                return planner
            try:
                planner = LivePlanner(load(), self.options)
            except BaseException:
                with self._lock:
                    self._building.pop(key, None)
                raise
            with self._lock:  # kept before its building lock goes: a later caller finds it
                self._planners[key] = planner
                while len(self._planners) > self.size:
                    self._planners.popitem(last=False)
                self._building.pop(key, None)
        return planner

    def for_model(self, model: ModelData) -> LivePlanner:
        """The planner of a compiled scenario, kept under ``model_key(model)``."""
        return self.planner(model_key(model), lambda: model)
