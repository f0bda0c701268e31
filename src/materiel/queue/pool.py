"""The queue's worker processes beside the web server (``materiel serve --workers N``): each one
``materiel worker`` in its own process, started with the server, started again if it dies (the
new one fails the run the dead one held, which can then be retried), and stopped with the server
(each puts the run it holds back in the queue, so the next start resumes it)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from ..store import DATABASE_ENV


class WorkerPool:
    """``count`` worker processes on the database at ``url`` (given to them in the environment,
    so that a password never shows in the process list)."""

    def __init__(self, url: str, count: int, scheduler: str | None = None, check_seconds: float = 2.0) -> None:
        self.url, self.count, self.scheduler, self.check_seconds = url, count, scheduler, check_seconds
        self.processes: list[subprocess.Popen] = []
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="worker-pool", daemon=True)

    def _spawn(self) -> subprocess.Popen:
        command = [sys.executable, "-m", "materiel", "worker"]
        if self.scheduler:
            command += ["--scheduler", self.scheduler]
        return subprocess.Popen(command, env={**os.environ, DATABASE_ENV: self.url}, stdin=subprocess.DEVNULL)

    def __enter__(self) -> WorkerPool:
        self.processes = [self._spawn() for _ in range(self.count)]
        self._watcher.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(self.check_seconds):
            for i, process in enumerate(self.processes):
                if process.poll() is not None and not self._stop.is_set():
                    print(
                        f"materiel: queue worker {process.pid} stopped (exit {process.returncode}); starting another",
                        file=sys.stderr,
                        flush=True,
                    )
                    self.processes[i] = self._spawn()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._watcher.join()
        for process in self.processes:
            if process.poll() is None:
                process.terminate()  # SIGTERM: the worker requeues its run and exits
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
