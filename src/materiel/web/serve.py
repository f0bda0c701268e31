"""``materiel serve``: the web app on a loopback address with uvicorn (docs/workspace.md)."""

from __future__ import annotations

from pathlib import Path

from .settings import Settings


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    database: str | Path | None = None,
    settings: Settings | None = None,
) -> None:
    """Serve until interrupted. The default database is the SQLite file of ``store.default_url``."""
    import uvicorn

    from ..store import Store
    from .app import create_app

    store = Store(database)
    app = create_app(store=store, settings=settings or Settings())
    print(f"materiel workspace on http://{host}:{port}/ (database {store.url}); Ctrl-C stops it", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
