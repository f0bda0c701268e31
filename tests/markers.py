"""Markers shared by the suite."""

from __future__ import annotations

import pytest

# Tests that race, kill or time processes run one after another in the same pytest-xdist worker
# (`make test` runs `pytest -n 2 --dist loadgroup`), so that they never compete with each other.
ONE_WORKER = pytest.mark.xdist_group("processes-and-timing")
# Tests that drain the run queue with worker processes, each on its own database: grouped apart
# from the timing tests above, so that the two groups share the machine's two workers.
RUN_QUEUE = pytest.mark.xdist_group("run-queue")
