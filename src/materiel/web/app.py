"""The web app: one FastAPI application over a store (docs/workspace.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session as DbSession

from ..store import Store
from ..store.errors import ConflictError, NotFoundError, StoreError, StoreUnavailable
from .auth import check_csrf
from .deps import db, render
from .errors import NotFound, NotSignedIn, WebError
from .limits import BodyLimit, TooLarge
from .openapi import document_errors
from .settings import Settings

STATIC = Path(__file__).parent / "static"
SECURITY_HEADERS = {
    # every script and style comes from this server; charts' inline styles are set by plotly.js
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


async def csrf_guard(request: Request, s: Annotated[DbSession, Depends(db)]) -> None:
    """Every route's first check: a state-changing request carries the session's CSRF token."""
    await check_csrf(request, s)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "application/json" not in request.headers.get("accept", "")


def plotly_js() -> Path:
    """plotly.min.js as the plotly package ships it: charts work offline, from this server."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def create_app(
    database: str | Path | None = None, settings: Settings | None = None, store: Store | None = None
) -> FastAPI:
    """The app over ``store`` (or a Store opened on ``database``: a URL or a SQLite file path)."""
    from .routes import ROUTERS

    app = FastAPI(
        dependencies=[Depends(csrf_guard)],
        title="materiel workspace",
        version=_version(),
        docs_url=None,  # the interactive docs load from a CDN; the description is at /api/openapi.json
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.store = store if store is not None else Store(database)
    app.state.settings = settings or Settings()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def _plotly() -> FileResponse:
        return FileResponse(plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    for router in ROUTERS:
        app.include_router(router)
    _handlers(app)

    app.add_middleware(BodyLimit, limit=app.state.settings.max_upload_bytes)

    @app.middleware("http")
    async def _headers(request: Request, call_next):
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    document_errors(app)
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("materiel")
    except PackageNotFoundError:
        return "0"


def _error(request: Request, exc: WebError) -> Response:
    if isinstance(exc, NotSignedIn) and _wants_html(request) and request.method == "GET":
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if _wants_html(request):
        who = getattr(request.state, "who", None)  # the request's database session is closed by now
        return render(request, "error.html", status=exc.status, message=exc.message, code=exc.status, user=who)
    return JSONResponse({"detail": exc.message}, status_code=exc.status)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError) -> Response:
        return _error(request, exc)

    @app.exception_handler(TooLarge)
    async def _too_large(request: Request, exc: TooLarge) -> Response:
        return _error(request, WebError(exc.detail, exc.status_code))

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> Response:
        # the request's transaction was rolled back: nothing it changed was kept
        message = "The database could not be reached or refused the change; nothing was saved. Try again shortly."
        return _error(request, WebError(message, 503))

    @app.exception_handler(OverflowError)
    async def _id_out_of_range(request: Request, exc: OverflowError) -> Response:
        # SQLite cannot even compare an integer over 64 bits: such an id names nothing
        return _error(request, NotFound("Not found: a number in the address is out of range."))

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError) -> Response:
        # the store's own errors (store/errors.py), answered like the web's
        status = 503 if isinstance(exc, StoreUnavailable) else 404 if isinstance(exc, NotFoundError) else 400
        status = 409 if isinstance(exc, ConflictError) else status
        return _error(request, WebError(str(exc), status))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body') or 'the body'}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return _error(request, WebError(f"Invalid request: {fields}", 422))
