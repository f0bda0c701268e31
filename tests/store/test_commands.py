"""The store's commands: `materiel plan --store` records a run that `materiel runs` lists, shows and
exports as the plan wrote it; `materiel db` migrates; `materiel users` makes accounts; every bad
input is one line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from materiel.store import Store
from materiel.store.migrate import upgrade
from materiel.store.models import Membership, Run, ScenarioVersion, User
from materiel.store.users import password_matches
from tests.pgserver import PG_GROUP, free_port

TINY = str(Path(__file__).parents[1] / "fixtures" / "tiny.yaml")


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def test_a_stored_plan_exports_as_the_plan_wrote_it(run, database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    code, out, err = run(
        "plan",
        TINY,
        "-o",
        str(tmp_path / "plan"),
        "--no-charts",
        "--store",
        "--database",
        database_url,
        "--set",
        "lines[cheap].price.value=3",
    )
    assert code == 0, err
    assert "Stored as run 1 (materiel runs show 1)" in out
    code, out, err = run("runs", "export", "1", "-o", str(tmp_path / "again"), "--database", database_url)
    assert (code, out.strip()) == (0, f"Wrote 20 files of run 1 to {tmp_path / 'again'}"), err
    planned, exported = _files(tmp_path / "plan"), _files(tmp_path / "again")
    assert sorted(exported) == sorted(planned)
    assert "summary.json" in planned and "orders.csv" in planned
    for name, data in planned.items():
        assert exported[name] == data, name

    code, out, _ = run("runs", "list", "--database", database_url)
    assert code == 0 and " 1  done      plan    tiny v1 " in out
    code, out, _ = run("runs", "show", "1", "--database", database_url)
    assert code == 0
    assert "what-ifs:  --set lines[cheap].price.value=3" in out and "HiGHS" in out and "orders" in out
    with Store.open(database_url).session() as s:
        stored = s.get(Run, 1)
        assert (stored.sets, stored.version.scenario.name, stored.version.number) == (
            {"lines[cheap].price.value": "3"},
            "tiny",
            1,
        )
        assert stored.summary["total_cost"] > 0 and stored.timings["solve_money"] >= 0

    # the same scenario again: a second run of the same version; a changed text: version 2
    assert run("plan", TINY, "-o", str(tmp_path / "plan"), "--no-charts", "--store", "--database", database_url)[0] == 0
    changed = tmp_path / "tiny.yaml"
    changed.write_text(Path(TINY).read_text().replace("value: 2, unit: EUR", "value: 3, unit: EUR"))
    assert (
        run("plan", str(changed), "-o", str(tmp_path / "plan"), "--no-charts", "--store", "--database", database_url)[0]
        == 0
    )
    with Store.open(database_url).session() as s:
        assert s.scalars(select(ScenarioVersion.number).order_by(ScenarioVersion.id)).all() == [1, 2]
        assert [r.version.number for r in s.scalars(select(Run).order_by(Run.id))] == [1, 1, 2]


def test_db_upgrade_and_current(run, tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    upgrade(path, "0001")
    assert run("db", "current", "--database", path)[1].strip() == "0001 (the newest is 0002: run `materiel db upgrade`)"
    code, _, err = run("runs", "list", "--database", path)
    assert code == 2
    assert (
        err.strip()
        == f"materiel: the database sqlite:///{tmp_path / 'old.db'} is at revision 0001, this materiel needs 0002: run `materiel db upgrade --database {tmp_path / 'old.db'}`"
    )
    code, _, err = run("plan", TINY, "-o", str(tmp_path / "p"), "--no-charts", "--store", "--database", path)
    assert code == 2 and "materiel db upgrade" in err and not (tmp_path / "p").exists()  # refused before the solve
    code, out, _ = run("db", "upgrade", "--database", path)
    assert (code, out.strip()) == (0, f"sqlite:///{tmp_path / 'old.db'} upgraded from 0001 to 0002")
    assert (
        run("db", "upgrade", "--database", path)[1].strip().endswith("is at the newest revision, 0002; nothing to do")
    )
    assert run("db", "current", "--database", path)[1].strip() == "0002 (newest)"
    assert run("runs", "list", "--database", path)[1].strip() == "no runs"


def test_the_default_store_is_a_sqlite_file_made_on_first_use(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MATERIEL_DATABASE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert run("runs", "list")[1].strip() == "no runs"
    assert (tmp_path / "data" / "materiel" / "materiel.db").exists()


def test_the_database_variable_may_name_a_sqlite_file_by_its_path(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$MATERIEL_DATABASE is read as --database is: a plain path is a SQLite file (it was once
    passed to SQLAlchemy as it stood, and every command failed)."""
    monkeypatch.setenv("MATERIEL_DATABASE", str(tmp_path / "team.db"))
    monkeypatch.setenv("MATERIEL_PASSWORD", "correct horse battery")
    code, out, err = run("users", "create-admin", "ana", "--team", "air")
    assert (code, out.strip()) == (0, "user ana is an admin of team air"), err
    assert run("db", "current")[1].strip() == "0002 (newest)"
    assert (tmp_path / "team.db").exists()


def test_users_are_made_with_a_role_and_a_hashed_password(
    run, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(database_url)
    monkeypatch.setenv("MATERIEL_PASSWORD", "correct horse battery")
    code, out, err = run("users", "create-admin", "ana", "--team", "air", "--database", database_url)
    assert (code, out.strip()) == (0, "user ana is an admin of team air"), err
    secret = tmp_path / "pw"
    secret.write_text("another long password\n")
    code, out, _ = run(
        "users",
        "add",
        "bo",
        "--team",
        "air",
        "--role",
        "editor",
        "--password-file",
        str(secret),
        "--database",
        database_url,
    )
    assert (code, out.strip()) == (0, "user bo is a editor of team air")
    with Store.open(database_url).session() as s:
        users = {u.name: u for u in s.scalars(select(User))}
        assert password_matches(users["ana"], "correct horse battery")
        assert password_matches(users["bo"], "another long password")
        assert "correct horse" not in users["ana"].password_hash
        assert {(m.user.name, m.role) for m in s.scalars(select(Membership))} == {("ana", "admin"), ("bo", "editor")}
    code, _, err = run("users", "add", "cy", "--team", "air", "--role", "boss", "--database", database_url)
    assert (code, err.strip()) == (2, "materiel: role 'boss': use one of viewer, editor, admin")
    code, _, err = run("users", "add", "ana", "--team", "air", "--database", database_url)
    assert (code, err.strip()) == (2, "materiel: user 'ana' exists already; choose another name")
    monkeypatch.setenv("MATERIEL_PASSWORD", "short")
    code, _, err = run("users", "add", "dee", "--team", "air", "--database", database_url)
    assert code == 2 and "at least 10 characters" in err
    with Store.open(database_url).session() as s:
        assert sorted(s.scalars(select(User.name))) == ["ana", "bo"]


def test_bad_input_is_one_line_and_exit_2(run, tmp_path: Path) -> None:
    path = str(tmp_path / "m.db")
    upgrade(path)
    cases = {
        ("runs", "show", "7", "--database", path): "materiel: no run 7",
        ("runs", "export", "7", "-o", str(tmp_path / "x"), "--database", path): "materiel: no run 7",
        (
            "runs",
            "list",
            "--status",
            "lost",
            "--database",
            path,
        ): "materiel: --status 'lost': use one of queued, running, done, failed, cancelled",
        (
            "runs",
            "list",
            "--database",
            "mysql+nothing://x/y",
        ): "materiel: database 'mysql+nothing://x/y' is not a database URL",
    }
    for args, message in cases.items():
        code, _, err = run(*args)
        assert code == 2 and err.startswith(message) and len(err.strip().splitlines()) == 1, (args, err)


@PG_GROUP
def test_an_unreachable_database_is_one_line_as_a_real_process(tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/materiel"
    done = subprocess.run(
        [sys.executable, "-m", "materiel", "runs", "list", "--database", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"materiel: the database postgresql://postgres@127.0.0.1:{url.rsplit(':', 1)[1].split('/')[0]}/materiel is not available ("
    )
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_plan_store_and_runs_show_as_real_processes(tmp_path: Path) -> None:
    database = str(tmp_path / "m.db")

    def materiel(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "materiel", *args], capture_output=True, text=True, timeout=120, cwd=tmp_path
        )

    planned = materiel("plan", TINY, "-o", "out", "--no-charts", "--store", "--database", database, "--json")
    assert planned.returncode == 0, planned.stderr
    assert json.loads(planned.stdout)["run"] == 1
    shown = materiel("runs", "show", "1", "--database", database)
    assert shown.returncode == 0 and shown.stdout.startswith("run 1: plan of tiny version 1 (saved by ")
