"""Share links: an editor makes a read-only link that shows the run without sign-in and without any
control; revoking it makes the link 404; both are in the audit log."""

from __future__ import annotations

import re

from materiel.store.models import AuditEntry, Run
from tests.markers import RUN_QUEUE
from tests.web.conftest import csrf_of
from tests.web.runs_support import add_version, drain

pytestmark = RUN_QUEUE


def test_a_share_link_shows_the_run_read_only_until_revoked(workspace) -> None:
    version = add_version(workspace.store, workspace.team_id)
    eddie = workspace.client("eddie")
    token = {"X-CSRF-Token": csrf_of(eddie)}
    run_id = eddie.post("/api/runs", json={"version_id": version}, headers=token).json()["id"]
    # not before it is done
    assert eddie.post(f"/runs/{run_id}/share", headers={**token, "Accept": "application/json"}).status_code == 409
    drain(workspace.store)
    made = eddie.post(f"/runs/{run_id}/share", data={"action": "make", "csrf": token["X-CSRF-Token"]})
    assert made.status_code == 200
    link = re.search(r'data-testid="share-link" value="([^"]+)"', made.text).group(1)
    path = "/share/" + link.rsplit("/share/", 1)[1]
    assert len(path.rsplit("/", 1)[1]) >= 43  # 32 random bytes, URL-safe base64

    stranger = workspace.client()  # not signed in
    page = stranger.get(path)
    assert page.status_code == 200
    assert 'data-testid="headline-total" data-value="800.0"' in page.text
    assert "<form" not in page.text and "csrf" not in page.text  # no control, no sign-out, no token
    assert 'data-testid="shared-note"' in page.text
    summary = stranger.get(f"{path}/files/summary.json")
    assert summary.status_code == 200 and summary.json()["total_cost"] == 800.0
    assert (
        stranger.get(f"/runs/{run_id}", follow_redirects=False).status_code == 303
    )  # the run page itself needs sign-in

    revoked = eddie.post(f"/runs/{run_id}/share", data={"action": "revoke", "csrf": token["X-CSRF-Token"]})
    assert 'data-testid="share"' in revoked.text and "share-link" not in revoked.text
    assert stranger.get(path).status_code == 404
    assert stranger.get(f"{path}/files/summary.json").status_code == 404
    with workspace.store.session() as s:
        assert s.get(Run, run_id).share_token is None
        actions = [a.action for a in s.query(AuditEntry).filter_by(object_type="run", object_id=str(run_id))]
    assert "share" in actions and "unshare" in actions


def test_a_guessed_token_finds_nothing(workspace) -> None:
    stranger = workspace.client()
    assert stranger.get("/share/" + "A" * 43).status_code == 404
    assert stranger.get("/share/short").status_code == 404
