"""The workspace's defences, each tried the way an attacker or an unlucky user would meet it:
sessions that expire and are renewed at sign-in, the login limit for unknown names and parallel
guesses, uploads over the limit with and without Content-Length, and no secret in the logs."""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from materiel.store.models import LoginAttempt, Session, now
from materiel.web import create_app
from materiel.web.settings import Settings

from .conftest import PASSWORD, csrf_of, sign_in


def test_an_expired_session_signs_the_browser_out(workspace):
    client = workspace.client("eddie")
    with workspace.store.session() as s:
        s.execute(update(Session).values(expires_at=now() - timedelta(seconds=1)))
    assert client.get("/", follow_redirects=False).status_code == 303
    assert client.get("/api/account").status_code == 401


def test_signing_in_again_replaces_the_browsers_session(workspace):
    client = workspace.client("eddie")
    first = client.cookies.get("materiel_session")
    assert sign_in(client, "vera").status_code == 303
    second = client.cookies.get("materiel_session")
    assert second != first
    with workspace.store.session() as s:
        assert len(s.scalars(select(Session)).all()) == 1  # eddie's session in this browser is gone
    stale = TestClient(workspace.app, base_url="http://127.0.0.1", cookies={"materiel_session": first})
    assert stale.get("/", follow_redirects=False).status_code == 303  # a fixed or stolen old token is dead
    assert client.get("/api/account").json()["name"] == "vera"


def test_the_login_limit_holds_for_names_that_do_not_exist(workspace):
    # a different address each time: only the per-name count can stop it
    for attempt in range(3):
        client = TestClient(workspace.app, client=(f"10.0.0.{attempt}", 1000))
        assert sign_in(client, "ghost", "guess guess guess").status_code == 401
    client = TestClient(workspace.app, client=("10.0.0.99", 1000))
    assert sign_in(client, "ghost", "guess guess guess").status_code == 429
    assert sign_in(client, "Ghost ", "guess guess guess").status_code == 429  # case and spaces do not help


def test_the_login_limit_holds_per_address_across_names(workspace):
    client = TestClient(workspace.app, client=("10.0.1.1", 1000))
    for name in ("a1", "a2", "a3", "a4", "a5", "a6"):  # the fixture allows six failures per address
        assert sign_in(client, name, "guess guess guess").status_code == 401
    assert sign_in(client, "eddie", PASSWORD).status_code == 429


def test_parallel_guesses_cannot_slip_past_the_limit(workspace):
    """Twelve wrong passwords at once for one name: only the allowed three are even checked."""

    start = threading.Barrier(12)

    def guess(i: int) -> int:
        client = TestClient(workspace.app, client=(f"10.0.2.{i}", 1000))
        token = csrf_of(client, client.get("/login").text)
        start.wait()  # all twelve send at the same moment
        data = {"name": "vera", "password": f"wrong password {i}", "csrf": token}
        return client.post("/login", data=data, follow_redirects=False).status_code

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(guess, range(12)))
    assert answers.count(401) <= 3 and answers.count(429) >= 9, answers
    client = TestClient(workspace.app, client=("10.0.2.200", 1000))
    assert sign_in(client, "vera", PASSWORD).status_code == 429


def test_a_right_password_clears_the_names_failures(workspace):
    client = workspace.client()
    assert sign_in(client, "eddie", "wrong wrong wrong").status_code == 401
    assert sign_in(client, "eddie").status_code == 303
    with workspace.store.session() as s:
        keys = [a.key for a in s.scalars(select(LoginAttempt))]
    assert keys == ["addr:testclient"]  # the failure still counts for the address, not for eddie


def _small_limit_app(workspace):
    return create_app(store=workspace.store, settings=Settings(max_upload_bytes=1000))


def _post_in_chunks(app, path: str, headers: dict[str, str], chunk: bytes, count: int) -> tuple[int, bytes, int]:
    """POST ``count`` chunks straight to the ASGI app, as a server passes a chunked upload (no
    Content-Length): the status, the body, and how many chunks the app asked for."""
    asked = 0
    answer: dict = {"body": b""}

    async def receive():
        nonlocal asked
        asked += 1
        return {"type": "http.request", "body": chunk, "more_body": asked < count}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, receive, send))
    return answer["status"], answer["body"], asked


def test_a_streamed_body_without_content_length_is_cut_off_at_the_limit(workspace):
    app = _small_limit_app(workspace)
    client = TestClient(app, base_url="http://127.0.0.1")
    sign_in(client, "eddie")
    headers = {
        "cookie": f"materiel_session={client.cookies.get('materiel_session')}",
        "x-csrf-token": csrf_of(client),
        "content-type": "application/json",
        "transfer-encoding": "chunked",
    }
    status, body, asked = _post_in_chunks(app, "/api/account/password", headers, b"x" * 300, 1000)
    assert status == 413 and b"limited to" in body
    assert asked == 4  # 1,200 bytes read of 300,000: reading stopped once the limit was passed
    form = dict(headers, **{"content-type": "application/x-www-form-urlencoded", "accept": "text/html"})
    del form["x-csrf-token"]  # the CSRF check reads the form, and meets the limit there
    status, body, asked = _post_in_chunks(app, "/logout", form, b"csrf=" + b"x" * 295, 1000)
    assert status == 413 and b"Uploads are limited" in body and asked == 4
    assert client.get("/api/account").status_code == 200  # still signed in: nothing was acted on


def test_a_declared_length_over_the_limit_is_refused_before_reading(workspace):
    client = TestClient(_small_limit_app(workspace), base_url="http://127.0.0.1")
    answer = client.post("/api/account/password", content=b"x" * 2000)
    assert answer.status_code == 413 and answer.headers["content-security-policy"]


def test_a_body_under_the_limit_goes_through(workspace):
    client = TestClient(_small_limit_app(workspace), base_url="http://127.0.0.1")
    sign_in(client, "eddie")
    answer = client.post(
        "/api/account/password",
        content=(b'{"current": "nope nope", ', b'"new": "a new password here"}'),
        headers={"X-CSRF-Token": csrf_of(client), "content-type": "application/json"},
    )
    assert answer.status_code == 403 and "current password" in answer.json()["detail"]


def test_no_password_or_token_reaches_the_logs(workspace, caplog):
    caplog.set_level(logging.DEBUG)
    client = workspace.client()
    sign_in(client, "eddie", "wrong password here")
    sign_in(client, "eddie")
    token = client.cookies.get("materiel_session")
    csrf = csrf_of(client)
    client.post(
        "/api/account/password", json={"current": PASSWORD, "new": "a secret new one"}, headers={"X-CSRF-Token": csrf}
    )
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (PASSWORD, "wrong password here", "a secret new one", token, csrf):
        assert secret not in text


def test_attempts_older_than_the_window_are_cleared(workspace):
    with workspace.store.session() as s:
        s.add(LoginAttempt(key="name:vera", at=now() - timedelta(days=1)))
    sign_in(workspace.client(), "eddie")
    with workspace.store.session() as s:
        assert s.scalars(select(LoginAttempt)).all() == []
