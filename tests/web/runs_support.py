"""Scenario versions in a workspace's store, and real queue workers, for the runs' tests."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from materiel.store import DATABASE_ENV, Store
from materiel.store.models import Scenario, ScenarioVersion, User
from tests.uncertainty.conftest import ranged_doc

TINY = (Path(__file__).parents[1] / "fixtures" / "tiny.yaml").read_text()
RANGED = json.dumps(ranged_doc(), indent=1)
ROOT = Path(__file__).parents[2]


def add_version(store: Store, team_id: int, text: str = TINY, name: str = "tiny", author: str = "eddie") -> int:
    """A scenario (made if new) of the team with ``text`` as its next version; the version's id."""
    with store.session() as s:
        user = s.query(User).filter_by(name=author).one()
        scenario = s.query(Scenario).filter_by(team_id=team_id, name=name).one_or_none()
        if scenario is None:
            scenario = Scenario(team_id=team_id, name=name, created_by=user.id)
            s.add(scenario)
            s.flush()
        number = len(scenario.versions) + 1
        version = ScenarioVersion(
            scenario_id=scenario.id,
            number=number,
            text=text,
            digest=hashlib.sha256(text.encode()).hexdigest(),
            author_id=user.id,
            author=user.name,
        )
        s.add(version)
        s.flush()
        return version.id


def worker_env(store: Store) -> dict[str, str]:
    return {**os.environ, DATABASE_ENV: store.engine.url.render_as_string(hide_password=False)}


def drain(store: Store, timeout: float = 180) -> None:
    """A real worker process (``materiel worker --once``) carries out every queued run, then stops."""
    done = subprocess.run(
        [sys.executable, "-m", "materiel", "worker", "--once"],
        env=worker_env(store),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr


def start_worker(store: Store, *args: str) -> subprocess.Popen:
    """A worker process that runs until stopped."""
    return subprocess.Popen(
        [sys.executable, "-m", "materiel", "worker", *args],
        env=worker_env(store),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
