"""Rendering charts in a worker process started early, or in the caller.

Drawing the three PNG charts takes about as long as solving the default scenario. The command line
forks this worker first thing, before importing the planner, so it imports what drawing needs
(pandas, Pillow, its font) while the parent imports, loads and solves, then draws the charts while
the parent assesses the plan and writes the tables. Charts come back as PNG bytes, never through
files. Where fork is unavailable, or in a threaded server (``ChartPool(workers=0)``: forking
there is unsafe), charts are drawn in the calling thread.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # kept light: the pool is forked before the heavy modules are imported
    from ..planner.result import Plan


PLAN_CHART_FILES = ("stock_vs_target.png", "capacity_build_up.png", "spending_by_fund.png")


def _warm() -> None:
    """Import what drawing needs once per worker, while the parent is still busy."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a worker the pool forks again later, too
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    import pandas  # noqa: F401  (to unpickle the plan's tables)

    from . import charts  # noqa: F401  (the plan's charts and Pillow)
    from .raster import font

    for size in (9, 10, 11, 12, 15):  # the sizes the charts use
        font(size)


def draw_png(name: str, plan: Plan) -> bytes:
    """One of the plan's charts (``PLAN_CHART_FILES``) as PNG bytes, drawn in memory."""
    from .charts import PLAN_CHARTS

    buffer = io.BytesIO()
    PLAN_CHARTS[name](plan, buffer)
    return buffer.getvalue()


def _draw_all(names: list[str], plan: Plan) -> dict[str, bytes]:
    return {name: draw_png(name, plan) for name in names}


@contextmanager
def _signals_for_workers() -> Iterator[None]:
    """Fork a worker that ignores Ctrl-C and dies quietly of SIGTERM: the parent alone handles
    both (it stops the worker and cleans up), so no worker prints a traceback."""
    saved = signal.signal(signal.SIGINT, signal.SIG_IGN), signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, saved[0])
        signal.signal(signal.SIGTERM, saved[1])


def _serve(conn: Connection, parent_end: Connection) -> None:
    """The worker: warm up, then draw each job the parent sends until it closes the pipe (or dies:
    the worker closes its copy of the parent's end, so that end-of-file reaches it)."""
    parent_end.close()
    _warm()
    while True:
        try:
            names, plan = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, object] = ("ok", _draw_all(names, plan))
        except Exception as exc:  # a chart's own error, raised again in the parent
            reply = ("error", exc)
        conn.send(reply)


@dataclass
class Drawing:
    """The plan's charts being drawn (by the worker, or by the caller on ``wait`` when there is
    none or it is gone): ``wait`` gives them as file name -> PNG bytes."""

    conn: Connection | None
    plan: Plan
    names: list[str] = field(default_factory=lambda: list(PLAN_CHART_FILES))
    _done: dict[str, bytes] | None = field(default=None, repr=False)

    def wait(self) -> dict[str, bytes]:
        """Block until every chart is drawn (drawing errors are raised here); name -> PNG bytes."""
        if self._done is None:
            self._done = self._receive()
        return self._done

    def _receive(self) -> dict[str, bytes]:
        if self.conn is not None:
            conn, self.conn = self.conn, None
            try:
                status, value = conn.recv()
            except (EOFError, OSError):  # the worker died: draw here instead
                return _draw_all(self.names, self.plan)
            if status == "error":
                raise value  # type: ignore[misc]
            return value  # type: ignore[return-value]
        return _draw_all(self.names, self.plan)


class ChartPool:
    """A worker process that draws the plan's PNG charts while the caller assesses the plan and
    writes the tables; use as a context manager. (The report's other charts are inline SVG.)

    One forked process talks to the caller over its own pipe: killed at any moment (say by a
    SIGTERM to the whole process group) it leaves no shared lock held, and the caller then draws
    the charts itself. A pool serves one caller at a time; a threaded server, where forking is
    unsafe, uses none (``workers=0``: each thread draws its own charts)."""

    def __init__(self, workers: int = 1) -> None:
        """``workers=0`` draws in the caller, when ``wait`` is called."""
        self._worker: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._busy: Drawing | None = None
        if workers > 0 and "fork" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("fork")
            self._conn, child = ctx.Pipe()
            with _signals_for_workers():
                self._worker = ctx.Process(target=_serve, args=(child, self._conn), daemon=True, name="materiel-charts")
                self._worker.start()
            child.close()

    def __enter__(self) -> ChartPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker.join()
            self._worker = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def submit(self, plan: Plan) -> Drawing:
        """Start drawing the plan's charts (in the caller, on ``wait``, when the worker is busy
        with an earlier plan or gone)."""
        drawing = Drawing(None, plan)
        if self._conn is not None and (self._busy is None or self._busy.conn is None):
            drawing.conn, self._busy = self._conn, drawing
            # sent from a thread: the caller goes on while the worker may still be warming up
            threading.Thread(target=_send, args=(self._conn, (drawing.names, plan)), daemon=True).start()
        return drawing


def _send(conn: Connection, job: tuple) -> None:
    """Send a job; a worker that is gone shows as end-of-file to ``Drawing.wait``."""
    with contextlib.suppress(OSError, ValueError):
        conn.send(job)
