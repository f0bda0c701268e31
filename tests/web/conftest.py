"""A workspace over a fresh SQLite store, with a team whose members hold each role, and browsers
(TestClient) signed in as each of them."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from materiel.store import Store
from materiel.store.migrate import upgrade
from materiel.store.models import User
from materiel.store.users import ensure_team, set_role
from materiel.web import create_app
from materiel.web.settings import Settings

PASSWORD = "a long enough password"
MEMBERS = {"ada": "admin", "eddie": "editor", "vera": "viewer"}


@dataclass
class Workspace:
    store: Store
    app: object
    team_id: int
    other_team_id: int

    def client(self, name: str | None = None) -> TestClient:
        """A browser; signed in as ``name`` when given."""
        client = TestClient(self.app, base_url="http://127.0.0.1")
        if name is not None:
            sign_in(client, name)
        return client


def csrf_of(client: TestClient, html: str | None = None) -> str:
    """The CSRF token a page carries (its meta tag or its form's hidden field)."""
    html = html if html is not None else client.get("/").text
    found = re.search(r'name="csrf(?:-token)?" (?:value|content)="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD):
    form = client.get("/login")
    return client.post(
        "/login", data={"name": name, "password": password, "csrf": csrf_of(client, form.text)}, follow_redirects=False
    )


def new_store(url: str) -> Store:
    """A store at the newest schema, made by the migrations (as ``materiel db upgrade`` makes it),
    so that every process may open it with ``Store.open``."""
    upgrade(url)
    return Store(url)


def seed(store: Store) -> tuple[int, int]:
    """Team "kyiv" with a member of each role (MEMBERS) and team "lviv" with its admin olga; the ids."""
    with store.session() as s:
        team = ensure_team(s, "kyiv")
        other = ensure_team(s, "lviv")
        for name, role in MEMBERS.items():
            set_role(s, quick_user(s, name), team, role)
        set_role(s, quick_user(s, "olga"), other, "admin")
        return team.id, other.id


# argon2 with the least work: a hash records its own parameters, so signing in checks it in a
# millisecond, while the app hashes new passwords with its own (store/users.py)
QUICK_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)


def quick_user(s, name: str):
    """A user whose password is PASSWORD, under a hash that is quick to check."""
    user = User(name=name, password_hash=QUICK_HASH)
    s.add(user)
    s.flush()
    return user


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    store = new_store(str(tmp_path / "workspace.db"))
    ids = seed(store)
    app = create_app(store=store, settings=Settings(login_failures_allowed=3, address_failures_allowed=6))
    yield Workspace(store, app, *ids)
    store.dispose()
