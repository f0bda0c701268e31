"""Signing in and out, sessions, CSRF and the login limit, through the real app and a real store."""

from __future__ import annotations

from sqlalchemy import select

from materiel.store.models import AuditEntry, Session

from .conftest import PASSWORD, csrf_of, sign_in


def test_a_page_sends_a_stranger_to_sign_in(workspace):
    answer = workspace.client().get("/", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/"


def test_signing_in_starts_a_session_with_a_safe_cookie(workspace):
    client = workspace.client()
    answer = sign_in(client, "eddie")
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    home = client.get("/")
    assert home.status_code == 200 and "kyiv" in home.text and "editor" in home.text
    with workspace.store.session() as s:
        rows = s.scalars(select(Session)).all()
        token = client.cookies.get("materiel_session")
        assert len(rows) == 1 and token not in {r.token_digest for r in rows}  # only a digest is kept
        assert [e.action for e in s.scalars(select(AuditEntry))] == ["login"]


def test_secure_cookies_when_asked(workspace):
    from materiel.web import create_app
    from materiel.web.settings import Settings

    app = create_app(store=workspace.store, settings=Settings(secure_cookies=True))
    from fastapi.testclient import TestClient

    client = TestClient(app, base_url="https://127.0.0.1")
    assert "secure" in sign_in(client, "vera").headers["set-cookie"].lower()


def test_a_wrong_password_is_refused_and_counted(workspace):
    client = workspace.client()
    answer = sign_in(client, "eddie", "not the password")
    assert answer.status_code == 401 and "Wrong name or password" in answer.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_too_many_failures_lock_the_name_even_with_the_right_password(workspace):
    client = workspace.client()
    for _ in range(3):
        assert sign_in(client, "vera", "guess " * 3).status_code == 401
    answer = sign_in(client, "vera", PASSWORD)
    assert answer.status_code == 429 and "Too many failed sign-ins" in answer.text


def test_a_state_change_without_the_csrf_token_is_refused(workspace):
    client = workspace.client("eddie")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.post("/logout", data={"csrf": "forged"}, follow_redirects=False).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200  # still signed in
    answer = client.post("/logout", data={"csrf": csrf_of(client)}, follow_redirects=False)
    assert answer.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_login_form_needs_its_own_token(workspace):
    client = workspace.client()
    answer = client.post("/login", data={"name": "eddie", "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 403


def test_sign_in_leads_only_to_this_site(workspace):
    client = workspace.client()
    form = client.get("/login?next=//evil.example/x")
    answer = client.post(
        "/login",
        data={
            "name": "eddie",
            "password": PASSWORD,
            "csrf": csrf_of(client, form.text),
            "next": "https://evil.example",
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/"


def test_pages_carry_security_headers_and_no_outside_assets(workspace):
    answer = workspace.client("vera").get("/")
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"
    assert "http" not in answer.text.split("<main>")[0].replace("http-equiv", "")


def test_plotly_is_served_from_the_package(workspace):
    answer = workspace.client().get("/vendor/plotly.min.js")
    assert answer.status_code == 200 and len(answer.content) > 1_000_000


def test_a_too_large_upload_is_refused_before_it_is_read(workspace):
    client = workspace.client("eddie")
    answer = client.post("/logout", content=b"x" * 10, headers={"content-length": str(50 * 1024 * 1024)})
    assert answer.status_code == 413
