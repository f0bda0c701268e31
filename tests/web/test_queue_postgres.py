"""The queue on PostgreSQL, as a team runs it: two worker processes share the queue, each run is
carried out once, and results are stored as on SQLite."""

from __future__ import annotations

import time

from materiel.store.models import Run, ScenarioVersion, User
from materiel.store.runs import create_run
from materiel.store.users import create_user, ensure_team, set_role
from tests.pgserver import PG_GROUP
from tests.web.conftest import PASSWORD, new_store
from tests.web.runs_support import add_version, start_worker

pytestmark = PG_GROUP


def test_two_workers_share_the_queue_each_run_done_once(fresh_postgres_url) -> None:
    store = new_store(fresh_postgres_url)
    try:
        with store.session() as s:
            team = ensure_team(s, "kyiv")
            set_role(s, create_user(s, "eddie", PASSWORD), team, "editor")
            team_id = team.id
        version_id = add_version(store, team_id)
        with store.session() as s:
            version, eddie = s.get(ScenarioVersion, version_id), s.query(User).one()
            ids = [create_run(s, version, eddie, options={"charts": False}).id for _ in range(4)]
        workers = [start_worker(store), start_worker(store)]
        try:
            end = time.monotonic() + 180
            while time.monotonic() < end:
                with store.session() as s:
                    runs = [s.get(Run, i) for i in ids]
                if all(r.status not in ("queued", "running") for r in runs):
                    break
                time.sleep(0.3)
        finally:
            for w in workers:
                w.terminate()
                w.wait()
        assert [r.status for r in runs] == ["done"] * 4, [r.error for r in runs]
        assert [r.attempts for r in runs] == [1] * 4  # claimed once each
        assert all(r.summary["total_cost"] == 800.0 for r in runs)
    finally:
        store.dispose()
