"""The upload size limit, for a body that declares its length and for one streamed in chunks."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class TooLarge(HTTPException):
    """A request body over the limit (413). An HTTPException, so FastAPI's body parsing passes it on
    instead of calling it a malformed body; the app answers it as a page or JSON like any error."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Uploads are limited to {limit / 1024 / 1024:g} MB.")


class BodyLimit:
    """Refuse a body over ``limit`` bytes: at once when Content-Length says so, else as soon as the
    chunks read so far pass it (a chunked upload has no Content-Length), so at most the limit plus
    one chunk is ever held in memory."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", ()):
            if key == b"content-length" and value.isdigit() and int(value) > self.limit:
                await self._refuse(scope, receive, send)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise TooLarge(self.limit)
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        from starlette.requests import Request

        from .app import _error
        from .errors import WebError

        exc = TooLarge(self.limit)
        response = _error(Request(scope, receive), WebError(exc.detail, exc.status_code))
        await response(scope, receive, send)
