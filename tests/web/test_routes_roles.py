"""Every route of the app × every kind of visitor, against a table of the answers each must get.

The routes come from the app itself (``app.routes``), so a route added later fails here until it is
given its row in EXPECTED. Each state-changing request is sent twice per visitor: with the CSRF
token (the table's answer) and without it (403 for everyone). Path parameters name real objects made
in the fixture: the team, a member, a scenario and its version, a run with a file and a share link.
docs/workspace.md's role table is checked against this one (test_the_docs_role_table_matches).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from materiel.store import Store
from materiel.store.models import Base, Run, RunTable, Scenario, ScenarioVersion, Session, now
from materiel.store.users import create_user, ensure_team, set_role
from materiel.web import create_app

from .conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
VISITORS = ("anonymous", "outsider", "viewer", "editor", "admin")
USERS = {"outsider": "olga", "viewer": "vera", "editor": "eddie", "admin": "ada"}
LOGIN_TOKEN = "login-form-token"
NEW_PASSWORD = "another long password"
TINY = (ROOT / "tests" / "fixtures" / "tiny.yaml").read_text()


@dataclass(frozen=True)
class Expect:
    """The answers (anonymous, outsider, viewer, editor, admin) to one route, with the body a
    state-changing request sends (``form`` or ``json``), so that a role that may do it succeeds."""

    answers: tuple[int, int, int, int, int]
    form: dict[str, Any] | None = None
    json: Any = None
    path: str | None = None  # the concrete path to request, where a template is not enough
    query: str = ""  # added to the path: required query parameters
    note: str = field(default="", compare=False)


# Pages a signed-in visitor of any team may see; a stranger is sent to sign in.
PAGE_ANYONE = (303, 200, 200, 200, 200)
API_ANYONE = (401, 200, 200, 200, 200)
PUBLIC = (200, 200, 200, 200, 200)
# A team's object: another team's user gets 404 (nothing revealed), a too-low role 403.
ADMIN_PAGE = (303, 404, 403, 403, 200)
ADMIN_API = (401, 404, 403, 403, 200)
ADMIN_FORM = (401, 404, 403, 403, 303)
EDITOR_PAGE = (303, 404, 403, 200, 200)
EDITOR_API = (401, 404, 403, 200, 200)
EDITOR_FORM = (401, 404, 403, 303, 303)
EDITOR_CREATE = (401, 404, 403, 201, 201)
VIEWER_PAGE = (303, 404, 200, 200, 200)
VIEWER_API = (401, 404, 200, 200, 200)

EXPECTED: dict[tuple[str, str], Expect] = {
    ("GET", "/api/openapi.json"): Expect(PUBLIC),
    ("GET", "/static"): Expect(PUBLIC, path="/static/app.css"),
    ("GET", "/vendor/plotly.min.js"): Expect(PUBLIC),
    ("GET", "/login"): Expect((200, 303, 303, 303, 303)),
    ("POST", "/login"): Expect((303,) * 5, form={"name": "vera", "password": PASSWORD}),
    ("POST", "/logout"): Expect((303,) * 5),
    ("GET", "/"): Expect(PAGE_ANYONE),
    ("GET", "/account"): Expect(PAGE_ANYONE),
    ("POST", "/account/password"): Expect(
        (401, 303, 303, 303, 303), form={"current": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD}
    ),
    ("GET", "/api/account"): Expect(API_ANYONE),
    ("POST", "/api/account/password"): Expect(
        (401, 204, 204, 204, 204), json={"current": PASSWORD, "new": NEW_PASSWORD}
    ),
    ("GET", "/teams/{team_id}/members"): Expect(ADMIN_PAGE),
    ("POST", "/teams/{team_id}/members"): Expect(
        ADMIN_FORM, form={"name": "newbie", "role": "viewer", "password": NEW_PASSWORD}
    ),
    ("POST", "/teams/{team_id}/members/{user_id}/role"): Expect(ADMIN_FORM, form={"role": "editor"}),
    ("POST", "/teams/{team_id}/members/{user_id}/remove"): Expect(ADMIN_FORM),
    ("POST", "/teams/{team_id}/members/{user_id}/deactivate"): Expect(ADMIN_FORM),
    ("POST", "/teams/{team_id}/members/{user_id}/activate"): Expect(ADMIN_FORM),
    ("GET", "/api/teams/{team_id}/members"): Expect(ADMIN_API),
    ("POST", "/api/teams/{team_id}/members"): Expect(
        (401, 404, 403, 403, 201), json={"name": "newbie", "role": "viewer", "password": NEW_PASSWORD}
    ),
    ("PUT", "/api/teams/{team_id}/members/{user_id}"): Expect(ADMIN_API, json={"role": "editor"}),
    ("DELETE", "/api/teams/{team_id}/members/{user_id}"): Expect((401, 404, 403, 403, 204)),
    ("POST", "/api/teams/{team_id}/members/{user_id}/deactivate"): Expect(ADMIN_API),
    ("POST", "/api/teams/{team_id}/members/{user_id}/activate"): Expect(ADMIN_API),
    ("GET", "/teams/{team_id}/audit"): Expect(EDITOR_PAGE),
    ("GET", "/api/teams/{team_id}/audit"): Expect(EDITOR_API),
    # the scenarios helper's routes: the team page, the library, the editor, the what-if panel
    ("GET", "/teams/{team_id}"): Expect(VIEWER_PAGE),
    ("GET", "/teams/{team_id}/scenarios"): Expect((303,) * 5, note="a redirect to the team page"),
    ("POST", "/teams/{team_id}/scenarios"): Expect(EDITOR_FORM, form={"default": "1", "name": "from-default"}),
    ("GET", "/scenarios/{scenario_id}"): Expect(VIEWER_PAGE),
    ("GET", "/scenarios/{scenario_id}/versions/{number}"): Expect(VIEWER_PAGE),
    ("GET", "/scenarios/{scenario_id}/diff"): Expect(VIEWER_PAGE, query="?a=1&b=1"),
    ("GET", "/scenarios/{scenario_id}/edit"): Expect(VIEWER_PAGE),
    ("POST", "/scenarios/{scenario_id}/edit"): Expect((401, 404, 403, 200, 200), form={"base_number": "1"}),
    ("POST", "/scenarios/{scenario_id}/delete"): Expect(EDITOR_FORM),
    ("GET", "/api/teams/{team_id}/scenarios"): Expect(VIEWER_API),
    ("POST", "/api/teams/{team_id}/scenarios"): Expect(EDITOR_CREATE, json={"name": "new", "text": TINY}),
    ("GET", "/api/scenarios/{scenario_id}"): Expect(VIEWER_API),
    ("GET", "/api/scenarios/{scenario_id}/versions"): Expect(VIEWER_API),
    ("GET", "/api/scenarios/{scenario_id}/versions/{number}"): Expect(VIEWER_API),
    ("POST", "/api/scenarios/{scenario_id}/versions"): Expect(
        EDITOR_CREATE, json={"base_number": 1, "text": TINY + "\n# edited\n"}
    ),
    ("POST", "/api/scenarios/{scenario_id}/check"): Expect(VIEWER_API, json={"text": TINY}),
    ("GET", "/api/live/{version_id}"): Expect(VIEWER_API),
    ("POST", "/api/live/{version_id}"): Expect(VIEWER_API, json={"changes": {}}),
    ("POST", "/api/live/{version_id}/run"): Expect(EDITOR_CREATE, json={}),
    # the runs helper's routes: the team's runs, the run page, its files, retry, cancel, share, compare
    ("GET", "/teams/{team_id}/runs"): Expect(VIEWER_PAGE),
    ("POST", "/teams/{team_id}/runs"): Expect(EDITOR_FORM, form={"version_id": "1", "kind": "plan"}),
    ("GET", "/runs/compare"): Expect(VIEWER_PAGE, query="?ids=1,1"),
    ("GET", "/runs/{run_id}"): Expect(VIEWER_PAGE),
    ("GET", "/runs/{run_id}/files/{name}"): Expect(VIEWER_PAGE),
    ("POST", "/runs/{run_id}/retry"): Expect((401, 404, 403, 409, 409), note="the run is done: nothing to retry"),
    ("POST", "/runs/{run_id}/cancel"): Expect((401, 404, 403, 409, 409), note="the run is done: nothing to cancel"),
    ("POST", "/runs/{run_id}/share"): Expect(EDITOR_FORM, form={"action": "make"}),
    ("GET", "/share/{token}"): Expect(PUBLIC),
    ("GET", "/share/{token}/files/{name}"): Expect(PUBLIC),
    ("GET", "/api/runs/{run_id}"): Expect(VIEWER_API),
    ("GET", "/api/teams/{team_id}/runs"): Expect(VIEWER_API),
    ("POST", "/api/runs"): Expect(EDITOR_CREATE, json={"version_id": 1}),
}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def app_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every route the app answers, included routers and mounts too."""
    import fastapi.routing

    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    routes = list(contexts(app.routes)) if contexts else app.routes
    found = set()
    for route in routes:
        methods = getattr(route, "methods", None)
        if methods is None:  # a mount (static files) or a websocket
            kind = "WS" if "websocket" in type(getattr(route, "route", route)).__name__.lower() else "GET"
            found.add((kind, route.path))
            continue
        found.update((m, route.path) for m in methods if m != "HEAD")
    return sorted(found)


ROUTES = app_routes(create_app(store=Store("sqlite://")))


@dataclass
class World:
    """A template database with every visitor's session and one of each object; each request runs
    on a fresh copy of it, so a change one visitor makes does not change another's answer."""

    template: Path
    ids: dict[str, Any]
    sessions: dict[str, tuple[str, str]]  # visitor -> (session token, CSRF token)

    def client(self, tmp_path: Path, visitor: str) -> TestClient:
        copy = tmp_path / f"{visitor}-{len(list(tmp_path.iterdir()))}.db"
        shutil.copy(self.template, copy)
        store = Store(f"sqlite:///{copy}")
        client = TestClient(create_app(store=store), base_url="http://127.0.0.1", follow_redirects=False)
        if visitor == "anonymous":
            client.cookies.set("materiel_login_csrf", LOGIN_TOKEN)
        else:
            client.cookies.set("materiel_session", self.sessions[visitor][0])
        return client

    def csrf(self, visitor: str) -> str:
        return LOGIN_TOKEN if visitor == "anonymous" else self.sessions[visitor][1]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    folder = tmp_path_factory.mktemp("roles")
    store = Store(f"sqlite:///{folder / 'template.db'}")
    Base.metadata.create_all(store.engine)
    sessions = {}
    with store.session() as s:
        team, other = ensure_team(s, "kyiv"), ensure_team(s, "lviv")
        users = {}
        for visitor, name in USERS.items():
            users[visitor] = create_user(s, name, PASSWORD)
            if visitor == "outsider":
                set_role(s, users[visitor], other, "admin")  # an admin, but of another team
            else:
                set_role(s, users[visitor], team, visitor)
        for visitor, user in users.items():
            token, csrf = f"session-of-{visitor}", f"csrf-of-{visitor}"
            digest = hashlib.sha256(token.encode()).hexdigest()
            s.add(Session(token_digest=digest, user_id=user.id, csrf_token=csrf, expires_at=now().replace(year=2099)))
            sessions[visitor] = (token, csrf)
        scenario = Scenario(team_id=team.id, name="baseline", created_by=users["editor"].id)
        s.add(scenario)
        s.flush()
        text = TINY
        version = ScenarioVersion(
            scenario_id=scenario.id,
            number=1,
            text=text,
            digest=hashlib.sha256(text.encode()).hexdigest(),
            author="eddie",
        )
        s.add(version)
        s.flush()
        run = Run(
            team_id=team.id,
            scenario_version_id=version.id,
            name="first",
            status="done",
            created_by=users["editor"].id,
            summary={},
            share_token="a-share-token-for-the-run",
        )
        s.add(run)
        s.flush()
        s.add(RunTable(run_id=run.id, name="summary.json", media_type="application/json", data=b"{}", size=2))
        ids = {
            "team_id": team.id,
            "user_id": users["viewer"].id,
            "scenario_id": scenario.id,
            "version_id": version.id,
            "number": 1,
            "run_id": run.id,
            "token": run.share_token,
            "name": "summary.json",
        }
    store.dispose()
    return World(folder / "template.db", ids, sessions)


def concrete(path: str, ids: dict[str, Any]) -> str:
    """The path with each {parameter} replaced by the fixture's object; an unknown one fails."""

    def value(match: re.Match) -> str:
        name = match.group(1).split(":")[0]
        if name not in ids:
            pytest.fail(f"path parameter {{{name}}} in {path}: give it a real object in the world fixture")
        return str(ids[name])

    return re.sub(r"\{([^}]+)\}", value, path)


def _send(client: TestClient, method: str, path: str, expect: Expect, csrf: str | None):
    headers = {"X-CSRF-Token": csrf} if csrf is not None else {}
    if path.startswith("/api/"):
        headers["Accept"] = "application/json"
    return client.request(method, path, headers=headers, data=expect.form, json=expect.json)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_route_answers_each_visitor_as_the_table_says(world, tmp_path, method, path):
    expect = EXPECTED.get((method, path))
    if expect is None:
        pytest.fail(
            f"{method} {path} is not in EXPECTED (tests/web/test_routes_roles.py): add its answers for "
            f"{', '.join(VISITORS)} (and the body a state change needs), then the row in docs/workspace.md"
        )
    url = (expect.path or concrete(path, world.ids)) + expect.query
    wrong = []
    for visitor, wanted in zip(VISITORS, expect.answers, strict=True):
        answer = _send(world.client(tmp_path, visitor), method, url, expect, world.csrf(visitor))
        if answer.status_code != wanted:
            wrong.append(f"{visitor}: {answer.status_code} (expected {wanted}) {answer.text[:160]!r}")
        if method in STATE_CHANGING:
            forged = _send(world.client(tmp_path, visitor), method, url, expect, None)
            if forged.status_code != 403:
                wrong.append(f"{visitor} without CSRF token: {forged.status_code} (expected 403)")
    assert not wrong, f"{method} {url}:\n" + "\n".join(wrong)


def test_the_table_has_no_route_the_app_lacks():
    stale = sorted(set(EXPECTED) - set(ROUTES))
    assert not stale, f"EXPECTED lists routes the app does not have; remove them: {stale}"


NEEDS = {
    "anyone": "anyone",
    "signed in": "any signed-in user",
    "viewer": "viewer",
    "editor": "editor",
    "admin": "admin",
}


def least_role(method: str, expect: Expect) -> str:
    """Who may do it: anyone, any signed-in user, or the lowest role in the object's team. A page
    that redirects (to sign in) is not shown; a form that redirects (to its result) was done."""

    def done(status: int) -> bool:
        return 200 <= status < 300 or (method != "GET" and 300 <= status < 400)

    anonymous, outsider, *roles = expect.answers
    if method == "GET" and all(300 <= a < 400 for a in expect.answers):
        return "redirect"
    if done(anonymous):
        return "anyone"
    if done(outsider):
        return "signed in"
    for role, status in zip(("viewer", "editor", "admin"), roles, strict=True):
        if done(status):
            return role
    return "nobody"


def role_table() -> list[str]:
    """docs/workspace.md's table of who may do what, one row per route, from EXPECTED."""
    lines = ["| Request | Who may |", "|---|---|"]
    for (method, path), expect in sorted(EXPECTED.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        lines.append(f"| `{method} {path}` | {NEEDS.get(least_role(method, expect), 'nobody')} |")
    return lines


def test_the_docs_role_table_matches():
    text = (ROOT / "docs" / "workspace.md").read_text()
    found = re.search(r"<!-- roles:begin -->\n(.*?)\n<!-- roles:end -->", text, re.S)
    table = "\n".join(role_table())
    assert found, "docs/workspace.md needs the role table between <!-- roles:begin --> and <!-- roles:end -->"
    assert found.group(1) == table, f"update docs/workspace.md's role table to:\n{table}"
