"""schemathesis against the app's OpenAPI description (/api/openapi.json), loaded from the ASGI app
itself: every JSON operation, called as a signed-in editor with the CSRF token, answers without a
server error, with a status code the description lists and a body that matches its schema."""

from __future__ import annotations

import hashlib

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from materiel.store.models import Session, now
from materiel.store.users import user_named
from materiel.web import create_app

from .conftest import new_store, seed

SESSION, CSRF = "openapi-editor-session", "openapi-editor-csrf"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """The app on a seeded store, with a session for the editor made directly (no sign-in per case)."""
    store = new_store(str(tmp_path_factory.mktemp("openapi") / "workspace.db"))
    seed(store)
    with store.session() as s:
        eddie = user_named(s, "eddie")
        digest = hashlib.sha256(SESSION.encode()).hexdigest()
        s.add(Session(token_digest=digest, user_id=eddie.id, csrf_token=CSRF, expires_at=now().replace(year=2099)))
    yield schemathesis.openapi.from_asgi("/api/openapi.json", create_app(store=store))
    store.dispose()


schema = schemathesis.pytest.from_fixture("api")


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_description(case):
    case.call_and_validate(headers={"Cookie": f"materiel_session={SESSION}", "X-CSRF-Token": CSRF}, checks=CHECKS)
