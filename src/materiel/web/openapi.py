"""The API's description: every /api/ operation documents the errors the app can answer with, in
the one shape they all have ({"detail": message}), so clients and schemathesis can rely on it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

ERRORS = {
    "400": "The request cannot be done as asked; the message says what would be valid.",
    "401": "Not signed in (or the session expired).",
    "403": "The role in this team does not allow it, or the CSRF token is missing or wrong.",
    "404": "No such object, or it belongs to a team you are not in.",
    "409": "A conflict: someone changed it in between, or it would leave a team without an admin.",
    "413": "The body is over the upload limit.",
    "422": "A parameter or a field of the body is not valid; the message says which.",
    "429": "Too many failed sign-ins from this name or address; wait and try again.",
    "503": "The database cannot be reached; nothing was saved.",
}


class ErrorAnswer(BaseModel):
    """Every error the app answers with: one message a person can act on."""

    detail: str


def document_errors(app: FastAPI) -> None:
    """Make ``app.openapi()`` list the errors on every /api/ operation (replacing FastAPI's own 422
    shape, which the app does not use: its 422 is an ErrorAnswer too), unless the route describes
    that answer itself."""

    def described() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = FastAPI.openapi(app)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorAnswer"] = ErrorAnswer.model_json_schema()
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        reference = {"$ref": "#/components/schemas/ErrorAnswer"}
        for path, operations in schema.get("paths", {}).items():
            if not path.startswith("/api/"):
                continue
            for operation in operations.values():
                answers = operation.setdefault("responses", {})
                for code, description in ERRORS.items():
                    own = answers.get(code, {}).get("content", {}).get("application/json", {}).get("schema", {})
                    if own and "HTTPValidationError" not in own.get("$ref", ""):
                        if code == "422":  # the route's own 422, or the app's for a malformed request
                            answers[code]["content"]["application/json"]["schema"] = {"anyOf": [own, reference]}
                        continue
                    answers[code] = {"description": description, "content": {"application/json": {"schema": reference}}}
        app.openapi_schema = schema
        return schema

    app.openapi = described  # type: ignore[method-assign]
