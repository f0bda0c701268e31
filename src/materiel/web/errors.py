"""Errors a request can meet, each answered as a page for a browser and as JSON for the API."""

from __future__ import annotations


class WebError(Exception):
    """An answer other than success: status code and a message a user can act on."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class NotSignedIn(WebError):  # noqa: N818 (named for the answer, as HTTP names it)
    status = 401


class Forbidden(WebError):  # noqa: N818
    status = 403


class NotFound(WebError):  # noqa: N818
    status = 404


class Conflict(WebError):  # noqa: N818
    status = 409
