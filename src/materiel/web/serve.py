"""``materiel serve``: the web app on a loopback address with uvicorn, and the run queue's worker
processes beside it (docs/workspace.md)."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from .settings import Settings


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    database: str | Path | None = None,
    settings: Settings | None = None,
) -> None:
    """Serve until interrupted. The default database is the SQLite file of ``store.default_url``;
    ``settings.run_workers`` worker processes (on ``settings.scheduler`` if given) run the queue."""
    import uvicorn

    from ..queue.pool import WorkerPool
    from ..store import Store
    from .app import create_app

    settings = settings or Settings()
    store = Store(database)
    app = create_app(store=store, settings=settings)
    url = store.engine.url.render_as_string(hide_password=False)
    workers = WorkerPool(url, settings.run_workers, settings.scheduler) if settings.run_workers else nullcontext()
    print(
        f"materiel workspace on http://{host}:{port}/ (database {store.url}; {settings.run_workers} queue worker(s)"
        + (f" on the Dask scheduler {settings.scheduler}" if settings.scheduler else "")
        + "); Ctrl-C stops it",
        flush=True,
    )
    with workers:
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
