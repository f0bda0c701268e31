"""Members, roles, deactivation, one's own password and the audit log, through the real app."""

from __future__ import annotations

from sqlalchemy import select

from materiel.store.models import AuditEntry, Membership, Session, User

from .conftest import PASSWORD, csrf_of, sign_in


def _api(client):
    return {"X-CSRF-Token": csrf_of(client)}


def _ids(workspace):
    with workspace.store.session() as s:
        return {u.name: u.id for u in s.scalars(select(User))}


def test_an_admin_lists_members_with_roles(workspace):
    answer = workspace.client("ada").get(f"/api/teams/{workspace.team_id}/members")
    assert answer.status_code == 200
    assert [(m["name"], m["role"]) for m in answer.json()] == [
        ("ada", "admin"),
        ("eddie", "editor"),
        ("vera", "viewer"),
    ]
    page = workspace.client("ada").get(f"/teams/{workspace.team_id}/members")
    assert page.status_code == 200 and "eddie" in page.text and "Add a member" in page.text


def test_only_the_admin_manages_members(workspace):
    for name, status in (("eddie", 403), ("vera", 403), ("olga", 404)):
        assert workspace.client(name).get(f"/api/teams/{workspace.team_id}/members").status_code == status


def test_an_admin_creates_a_user_who_can_then_sign_in(workspace):
    ada = workspace.client("ada")
    answer = ada.post(
        f"/api/teams/{workspace.team_id}/members",
        json={"name": "nina", "role": "editor", "password": "nina's first password"},
        headers=_api(ada),
    )
    assert answer.status_code == 201 and answer.json()["role"] == "editor"
    assert sign_in(workspace.client(), "nina", "nina's first password").status_code == 303
    with workspace.store.session() as s:
        actions = [(e.action, e.object_type, e.team_id) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert ("create", "user", workspace.team_id) in actions and ("role", "membership", workspace.team_id) in actions


def test_an_admin_adds_an_existing_user_by_name_and_sees_clear_refusals(workspace):
    ada = workspace.client("ada")
    url = f"/api/teams/{workspace.team_id}/members"
    assert ada.post(url, json={"name": "olga", "role": "viewer"}, headers=_api(ada)).status_code == 201
    again = ada.post(url, json={"name": "olga", "role": "viewer"}, headers=_api(ada))
    assert again.status_code == 409 and "already a member" in again.json()["detail"]
    nobody = ada.post(url, json={"name": "nobody", "role": "viewer"}, headers=_api(ada))
    assert nobody.status_code == 404 and "give an initial password" in nobody.json()["detail"]
    short = ada.post(url, json={"name": "nina", "role": "viewer", "password": "short"}, headers=_api(ada))
    assert short.status_code == 400 and "at least 10 characters" in short.json()["detail"]
    taken = ada.post(url, json={"name": "vera", "role": "viewer", "password": PASSWORD}, headers=_api(ada))
    assert taken.status_code == 409 and "exists already" in taken.json()["detail"]


def test_the_add_form_shows_its_error_on_the_page(workspace):
    ada = workspace.client("ada")
    page = ada.get(f"/teams/{workspace.team_id}/members")
    answer = ada.post(
        f"/teams/{workspace.team_id}/members",
        data={"name": "bad name", "role": "viewer", "password": PASSWORD, "csrf": csrf_of(ada, page.text)},
    )
    assert answer.status_code == 400 and "use 1 to 80 letters" in answer.text and "Add a member" in answer.text


def test_a_team_never_loses_its_last_admin(workspace):
    ada = workspace.client("ada")
    ids = _ids(workspace)
    base = f"/api/teams/{workspace.team_id}/members/{ids['ada']}"
    demote = ada.put(base, json={"role": "editor"}, headers=_api(ada))
    assert demote.status_code == 409 and "last admin of team kyiv" in demote.json()["detail"]
    assert ada.delete(base, headers=_api(ada)).status_code == 409
    # with a second admin, the first may step down
    assert (
        ada.put(
            f"/api/teams/{workspace.team_id}/members/{ids['eddie']}", json={"role": "admin"}, headers=_api(ada)
        ).status_code
        == 200
    )
    assert ada.put(base, json={"role": "viewer"}, headers=_api(ada)).json()["role"] == "viewer"
    with workspace.store.session() as s:
        roles = {
            m.user.name: m.role for m in s.scalars(select(Membership).where(Membership.team_id == workspace.team_id))
        }
    assert roles == {"ada": "viewer", "eddie": "admin", "vera": "viewer"}


def test_a_deactivated_admin_does_not_count_as_the_teams_admin(workspace):
    ada = workspace.client("ada")
    ids = _ids(workspace)
    url = f"/api/teams/{workspace.team_id}/members/{ids['eddie']}"
    ada.put(url, json={"role": "admin"}, headers=_api(ada))
    assert ada.post(url + "/deactivate", headers=_api(ada)).json()["active"] is False
    # eddie is an admin no more able to act: ada may not step down now
    assert (
        ada.put(
            f"/api/teams/{workspace.team_id}/members/{ids['ada']}", json={"role": "editor"}, headers=_api(ada)
        ).status_code
        == 409
    )


def test_removing_a_member_keeps_their_account(workspace):
    ada = workspace.client("ada")
    ids = _ids(workspace)
    assert ada.delete(f"/api/teams/{workspace.team_id}/members/{ids['vera']}", headers=_api(ada)).status_code == 204
    vera = workspace.client("vera")
    assert vera.get(f"/teams/{workspace.team_id}/audit").status_code == 404
    assert vera.get("/api/account").json()["teams"] == []


def test_deactivating_signs_the_user_out_everywhere(workspace):
    eddie = workspace.client("eddie")
    other_browser = workspace.client("eddie")
    ada = workspace.client("ada")
    page = ada.get(f"/teams/{workspace.team_id}/members")
    answer = ada.post(
        f"/teams/{workspace.team_id}/members/{_ids(workspace)['eddie']}/deactivate",
        data={"csrf": csrf_of(ada, page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    for browser in (eddie, other_browser):
        assert browser.get("/", follow_redirects=False).status_code == 303
    assert sign_in(workspace.client(), "eddie").status_code == 401
    with workspace.store.session() as s:
        assert s.scalars(select(Session).where(Session.user_id == _ids(workspace)["eddie"])).all() == []


def test_an_admin_may_not_deactivate_someone_of_another_team(workspace):
    olga_id = _ids(workspace)["olga"]
    ada = workspace.client("ada")
    ada.post(f"/api/teams/{workspace.team_id}/members", json={"name": "olga", "role": "viewer"}, headers=_api(ada))
    answer = ada.post(f"/api/teams/{workspace.team_id}/members/{olga_id}/deactivate", headers=_api(ada))
    assert answer.status_code == 403 and "also in team lviv" in answer.json()["detail"]
    self = ada.post(f"/api/teams/{workspace.team_id}/members/{_ids(workspace)['ada']}/deactivate", headers=_api(ada))
    assert self.status_code == 409


def test_changing_ones_password_needs_the_current_one_and_ends_other_sessions(workspace):
    vera = workspace.client("vera")
    elsewhere = workspace.client("vera")
    page = vera.get("/account")
    assert page.status_code == 200 and "Change your password" in page.text
    wrong = vera.post(
        "/account/password",
        data={
            "current": "not it at all",
            "new": "a brand new password",
            "again": "a brand new password",
            "csrf": csrf_of(vera, page.text),
        },
    )
    assert wrong.status_code == 403 and "current password is not right" in wrong.text
    done = vera.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "a brand new password",
            "again": "a brand new password",
            "csrf": csrf_of(vera, page.text),
        },
    )
    assert done.status_code == 200 and "was changed" in done.text
    assert vera.get("/", follow_redirects=False).status_code == 200  # this browser goes on, on a new session
    assert elsewhere.get("/", follow_redirects=False).status_code == 303
    assert sign_in(workspace.client(), "vera", PASSWORD).status_code == 401
    assert sign_in(workspace.client(), "vera", "a brand new password").status_code == 303


def test_the_password_api(workspace):
    eddie = workspace.client("eddie")
    url = "/api/account/password"
    assert eddie.post(url, json={"current": PASSWORD, "new": "short"}, headers=_api(eddie)).status_code == 400
    assert (
        eddie.post(url, json={"current": PASSWORD, "new": "another long password"}, headers=_api(eddie)).status_code
        == 204
    )
    assert eddie.get("/api/account").json()["name"] == "eddie"


def test_the_audit_log_filters_and_pages(workspace):
    ada = workspace.client("ada")
    ids = _ids(workspace)
    for role in ("admin", "editor", "viewer"):
        ada.put(f"/api/teams/{workspace.team_id}/members/{ids['vera']}", json={"role": role}, headers=_api(ada))
    eddie = workspace.client("eddie")
    url = f"/api/teams/{workspace.team_id}/audit"
    everything = eddie.get(url).json()
    newest_first = [e["detail"]["role"] for e in everything["entries"]]
    assert everything["total"] == 3 and newest_first == ["viewer", "editor", "admin"]
    page2 = eddie.get(url, params={"per_page": 2, "page": 2}).json()
    assert page2["total"] == 3 and len(page2["entries"]) == 1
    assert eddie.get(url, params={"actor": "eddie"}).json()["total"] == 0
    assert (
        eddie.get(url, params={"action": "role", "object_type": "membership", "object_id": str(ids["vera"])}).json()[
            "total"
        ]
        == 3
    )
    page = eddie.get(f"/teams/{workspace.team_id}/audit?actor=ada")
    assert page.status_code == 200 and "3 entries" in page.text
    assert workspace.client("vera").get(url).status_code == 403
    assert workspace.client("olga").get(url).status_code == 404
