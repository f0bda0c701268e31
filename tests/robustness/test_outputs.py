"""Output folders: no file the scenario reads or the user keeps is lost, a run's outputs appear as
one unit (even under SIGKILL or a concurrent run), stale outputs go, permissions are the usual
ones; and the command line fails cleanly (--export-lp, a full stdout, SIGTERM)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from materiel.atomic import MANIFEST, folder_lock, recover
from materiel.report.output import LEGACY_OUTPUTS
from tests.builders import line, scenario, target, write
from tests.markers import ONE_WORKER

FIXTURES = Path(__file__).parents[1] / "fixtures"
TINY = FIXTURES / "tiny.yaml"
THREAT = {
    "attacks": [{"id": "drone", "name": "attack drone", "rate": {"value": 300, "unit": "/month"}}],
    "defences": [{"attack": "drone", "item": "interceptor", "share": 0.5, "per_attack": 2, "p_kill": 0.8}],
}


def materiel(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "materiel", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw
    )


def outputs(folder: Path) -> dict[str, bytes]:
    """The CSV tables of a folder (deterministic, unlike the workbook's and report's timestamps)."""
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def staging(parent: Path) -> list[Path]:
    """The staging folders of runs writing into ``parent / "out"``."""
    return list(parent.glob(".out.materiel-partial-*"))


def run_folder(folder: Path, run_id: str, orders: str) -> Path:
    """A folder as a run leaves it: its manifest and its one table, orders.csv."""
    folder.mkdir()
    (folder / MANIFEST).write_text(json.dumps({"run": run_id, "files": ["orders.csv"]}))
    (folder / "orders.csv").write_text(orders)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- files the scenario reads --------------------------------------------------------------------


def test_plan_into_the_scenario_folder_is_refused_naming_the_table_it_would_overwrite(
    tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-o .` beside `funding: funding.csv`: the output funding.csv would replace the input."""
    (tmp_path / "funding.csv").write_text("id,name,budget.value,budget.unit\nfund,fund,1000000000,EUR/year\n")
    path = write(tmp_path, scenario(funding="funding.csv", lines=[line("a")], requirements=[target(100)]))
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, _, err = run("plan", path.name, "-o", ".", "--no-charts")
    assert code == 2
    assert "funding.csv" in err and "which the scenario reads" in err and "would write over" in err
    assert snapshot(tmp_path) == before  # nothing written, nothing moved


def test_an_output_folder_holding_the_scenario_is_refused(tmp_path: Path, run) -> None:
    (tmp_path / "work").mkdir()
    path = write(tmp_path / "work", scenario(lines=[line("a")], requirements=[target(100)]))
    code, _, err = run("plan", str(path), "-o", str(tmp_path), "--no-charts")
    assert code == 2 and "s.yaml" in err and "which the scenario reads" in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["s.yaml", "work"]


def test_the_folder_you_are_working_in_is_refused(tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Replacing it would leave the shell in a deleted folder."""
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    code, _, err = run("plan", str(TINY), "-o", "..", "--no-charts")
    assert code == 2 and "cannot replace the folder you are working in" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_report_over_the_scenario_file_is_refused(tmp_path: Path, run) -> None:
    path = write(tmp_path, scenario(lines=[line("a")], requirements=[target(100)]), "s.html")
    text = path.read_text()
    code, _, err = run("report", str(path), "-o", str(path))
    assert code == 2 and "would write over" in err
    assert path.read_text() == text


# -- user files, nested folders, stale files ------------------------------------------------------


def test_user_files_and_nested_output_folders_are_kept_and_stale_outputs_removed(tmp_path: Path, run) -> None:
    out = tmp_path / "out"
    assert run("plan", str(TINY), "-o", str(out))[0] == 0
    assert (out / "stock_vs_target.png").exists()
    (out / "notes.txt").write_text("my notes")
    (out / "sweep" / "draws").mkdir(parents=True)
    (out / "sweep" / "draws" / "part-000000.parquet").write_bytes(b"chunk")
    (out / "options").mkdir()
    (out / "options" / "comparison.csv").write_text("a,b\n")
    code, _, err = run("plan", str(TINY), "-o", str(out), "--no-charts")
    assert code == 0, err
    assert not list(out.glob("*.png"))  # the earlier run's charts are stale
    assert (out / "notes.txt").read_text() == "my notes"
    assert (out / "sweep" / "draws" / "part-000000.parquet").read_bytes() == b"chunk"
    assert (out / "options" / "comparison.csv").read_text() == "a,b\n"
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["scenario"] == "tiny" and "orders.csv" in manifest["files"]
    assert "notes.txt" not in manifest["files"] and "stock_vs_target.png" not in manifest["files"]
    assert not [p for p in tmp_path.iterdir() if "materiel-partial" in p.name or "materiel-old" in p.name]


def test_attacks_table_does_not_survive_a_scenario_without_a_threat(tmp_path: Path, run) -> None:
    items = [
        {"id": "shell", "name": "s", "category": "artillery-ammunition", "stock": {"ukraine": 10}},
        {"id": "interceptor", "name": "i", "category": "air-defence", "stock": {"ukraine": 450}},
    ]
    with_threat = write(tmp_path, scenario(items=items, lines=[line("a")], threat=THREAT), "threat.yaml")
    without = write(tmp_path, scenario(items=items, lines=[line("a")]), "plain.yaml")
    out = tmp_path / "out"
    assert run("plan", str(with_threat), "-o", str(out), "--no-charts")[0] == 0
    assert (out / "attacks.csv").exists() and (out / "interceptors.csv").exists()
    assert run("plan", str(without), "-o", str(out), "--no-charts")[0] == 0
    assert not (out / "attacks.csv").exists() and not (out / "interceptors.csv").exists()


def test_a_folder_of_the_previous_version_keeps_working(tmp_path: Path, run) -> None:
    """No manifest: files with materiel's output names are the earlier run's (replaced or removed),
    everything else is the user's."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "orders.csv").write_text("old orders")
    (out / "attacks.csv").write_text("old attacks")
    (out / "stock_vs_target.png").write_bytes(b"old chart")
    (out / "my-analysis.xlsx").write_bytes(b"mine")
    code, _, err = run("plan", str(TINY), "-o", str(out), "--no-charts")
    assert code == 0, err
    assert (out / "orders.csv").read_text().startswith("line,")
    assert not (out / "attacks.csv").exists() and not (out / "stock_vs_target.png").exists()
    assert (out / "my-analysis.xlsx").read_bytes() == b"mine"


def test_a_user_file_in_the_way_of_an_output_is_refused(tmp_path: Path, run) -> None:
    out = tmp_path / "out"
    assert run("plan", str(TINY), "-o", str(out), "--no-charts")[0] == 0
    (out / "stock_vs_target.png").write_bytes(b"my own picture")  # not written by the last run
    code, _, err = run("plan", str(TINY), "-o", str(out))
    assert code == 2 and "stock_vs_target.png was not written by materiel" in err
    assert (out / "stock_vs_target.png").read_bytes() == b"my own picture"
    assert (out / "orders.csv").exists()  # the previous run is still whole


def test_leftovers_of_a_killed_run_are_sorted_out_by_the_next_one(tmp_path: Path, run) -> None:
    """An unfinished staging folder is deleted; one killed while carrying the user's files over
    gives them back."""
    out = tmp_path / "out"
    assert run("plan", str(TINY), "-o", str(out), "--no-charts")[0] == 0
    building = tmp_path / ".out.materiel-partial-aaaa"
    building.mkdir()
    (building / ".materiel-building").touch()
    (building / "orders.csv").write_text("half")
    carrying = run_folder(tmp_path / ".out.materiel-partial-bbbb", "bbbb", "new")
    (carrying / "notes.txt").write_text("carried over when the run was killed")
    code, _, err = run("plan", str(TINY), "-o", str(out), "--no-charts")
    assert code == 0, err
    assert not building.exists() and not carrying.exists()
    assert (out / "notes.txt").read_text() == "carried over when the run was killed"


# -- one unit: SIGKILL and concurrent runs ------------------------------------------------------


def reference_tables(tmp_path: Path, run, budgets: tuple[str, ...]) -> list[dict[str, bytes]]:
    """The tables of one whole run per EU budget, planned in this process; they differ."""
    refs = []
    for budget in budgets:
        folder = tmp_path / f"ref-{budget}"
        code, _, err = run("plan", str(TINY), "-o", str(folder), "--no-charts", "--set", f"funding[eu].budget={budget}")
        assert code == 0, err
        refs.append(outputs(folder))
    assert len({tuple(r.items()) for r in refs}) == len(budgets)
    return refs


@ONE_WORKER
def test_sigkill_at_any_instant_leaves_the_old_run_or_the_new_run_whole(tmp_path: Path, run) -> None:
    """Two reference runs that differ (another budget); a third run is killed at random instants
    while it writes, and once while it carries the user's 3,000 files over: the folder's tables
    always equal one reference whole, and after the next run's recovery every user file is back."""
    refs = dict(zip("ab", reference_tables(tmp_path, run, ("10000", "100")), strict=True))
    out = tmp_path / "out"
    assert run("plan", str(TINY), "-o", str(out), "--no-charts", "--set", "funding[eu].budget=10000")[0] == 0
    users = out / "mine"
    for n in range(3000):
        (out / f"user-{n:04d}.txt").write_text(str(n))
    users.mkdir()
    rng = random.Random(7)
    for attempt in range(6):
        budget = "100" if attempt % 2 == 0 else "10000"
        proc = materiel("plan", str(TINY), "-o", str(out), "--no-charts", "--set", f"funding[eu].budget={budget}")
        if attempt == 0:  # deterministic: kill while the user's files are being carried over
            deadline = time.time() + 60
            while time.time() < deadline and not any((p / "user-0100.txt").exists() for p in staging(tmp_path)):
                pass
        else:  # at a random instant of the writing, which starts with the staging folder
            deadline = time.time() + 60
            while time.time() < deadline and proc.poll() is None and not staging(tmp_path):
                time.sleep(0.001)
            time.sleep(rng.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if attempt == 0:
            assert len(list(out.glob("user-*.txt"))) < 3000  # the kill did land while carrying them
        assert outputs(out) in (refs["a"], refs["b"]), f"tables of two runs mixed (attempt {attempt})"
        with folder_lock(out):
            recover(out, LEGACY_OUTPUTS)
        assert outputs(out) in (refs["a"], refs["b"])
        assert len(list(out.glob("user-*.txt"))) == 3000 and users.is_dir()
    assert not staging(tmp_path) and not list(tmp_path.glob(".out.materiel-old-*"))


@ONE_WORKER
def test_two_runs_into_one_folder_at_once_leave_one_run_whole(tmp_path: Path, run) -> None:
    out = tmp_path / "out"
    refs = reference_tables(tmp_path, run, ("10000", "100"))
    for _ in range(2):
        procs = [
            materiel("plan", str(TINY), "-o", str(out), "--no-charts", "--set", f"funding[eu].budget={b}")
            for b in ("10000", "100")
        ]
        assert [p.wait(timeout=120) for p in procs] == [0, 0]
        assert outputs(out) in refs
        manifest = json.loads((out / MANIFEST).read_text())
        assert sorted(manifest["files"]) == sorted(p.name for p in out.iterdir() if p.name != MANIFEST)


@ONE_WORKER
def test_a_writer_waits_for_the_lock_and_then_fails_naming_the_folder(
    tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import materiel.atomic as atomic

    monkeypatch.setattr(atomic, "_LOCK_WAIT", 0.2)
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from materiel.atomic import folder_lock\n"
         "with folder_lock(sys.argv[1]):\n    print('locked', flush=True); time.sleep(60)", str(out)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        code, _, err = run("plan", str(TINY), "-o", str(out), "--no-charts")
    finally:
        holder.kill()
        holder.wait()
    assert code == 2 and f"{out} is being written by another materiel run (process {holder.pid})" in err
    assert not out.exists() or not list(out.iterdir())


# -- permissions ---------------------------------------------------------------------------------


def test_outputs_follow_the_umask_and_the_folder_keeps_its_mode(tmp_path: Path, run) -> None:
    old = os.umask(0o027)
    try:
        out = tmp_path / "out"
        assert run("plan", str(TINY), "-o", str(out), "--no-charts")[0] == 0
        assert out.stat().st_mode & 0o777 == 0o750
        assert {p.stat().st_mode & 0o777 for p in out.iterdir()} == {0o640}
        out.chmod(0o755)
        assert run("plan", str(TINY), "-o", str(out), "--no-charts")[0] == 0
        assert out.stat().st_mode & 0o777 == 0o755
        report = tmp_path / "r.html"
        assert run("report", str(TINY), "-o", str(report))[0] == 0
        assert report.stat().st_mode & 0o777 == 0o640  # was 0600 (mkstemp)
    finally:
        os.umask(old)


# -- the command line's own failures -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("model.txt", "name the file .mps or .lp"),
        ("missing/model.mps", "does not exist"),
        ("/proc/model.mps", "cannot write the LP"),
    ],
)
def test_export_lp_to_a_bad_place_fails_before_solving_and_claims_nothing(
    tmp_path: Path, run, name: str, message: str
) -> None:
    path = name if name.startswith("/") else str(tmp_path / name)
    code, out, err = run("plan", str(TINY), "-o", str(tmp_path / "out"), "--no-charts", "--export-lp", path)
    assert code == 2 and message in err
    assert "LP written" not in out and not Path(path).exists()


def test_export_lp_writes_an_lp_file(tmp_path: Path, run) -> None:
    code, out, _ = run(
        "plan", str(TINY), "-o", str(tmp_path / "out"), "--no-charts", "--export-lp", str(tmp_path / "m.lp")
    )
    assert code == 0 and f"LP written to {tmp_path / 'm.lp'}" in out
    text = (tmp_path / "m.lp").read_text()
    assert "\nst\n" in text and "\nbounds\n" in text and text.rstrip().endswith("end")


def test_stdout_on_a_full_disk_is_one_clean_line() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "materiel", "validate", str(TINY)],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode != 0
    assert done.stderr.strip() == "materiel: cannot write the output: No space left on device"


@ONE_WORKER
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_the_write_cleans_up_quietly(tmp_path: Path, run, sig: int) -> None:
    """SIGTERM or Ctrl-C to the process group (chart worker included) while the outputs are
    staged: exit 128 + the signal, no traceback, the tables whole, no staging folder left. The run
    starts with Ctrl-C at its default, as in a terminal: a job a shell started in the background
    (CI's, say) inherits SIGINT ignored, and a program rightly keeps ignoring it."""
    out = tmp_path / "out"
    assert run("plan", str(TINY), "-o", str(out), "--no-charts")[0] == 0
    before = snapshot(out)
    for _ in range(10):  # on a busy machine the run may finish before the signal lands: try again
        proc = materiel("plan", str(TINY), "-o", str(out), start_new_session=True, preexec_fn=_ctrl_c_default)
        deadline = time.time() + 60
        while time.time() < deadline and not staging(tmp_path) and proc.poll() is None:
            time.sleep(0.001)
        os.killpg(proc.pid, sig)
        _, err = proc.communicate(timeout=60)
        if proc.returncode != 0:
            break
        before = snapshot(out)  # that run finished whole: it is now the previous run
    assert proc.returncode == 128 + sig, err
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert outputs(out) == outputs_of(before)
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(manifest["files"]) == sorted(p.name for p in out.iterdir() if p.name != MANIFEST)
    assert not staging(tmp_path)


def _ctrl_c_default() -> None:
    """In the child before it runs: Ctrl-C at its default disposition, as in a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def outputs_of(snap: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in snap.items() if k.endswith(".csv")}


def test_compare_refuses_the_scenario_folder_before_solving(tmp_path: Path, run) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.read_text())
    code, _, err = run("compare", str(path), "--variants", "x", "-o", str(tmp_path))
    assert code == 2 and "tiny.yaml, which the scenario reads" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.yaml"]


def test_an_output_folder_given_as_a_symlink_stays_a_symlink(tmp_path: Path, run) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    assert run("plan", str(TINY), "-o", str(tmp_path / "link"), "--no-charts")[0] == 0
    assert (tmp_path / "link").is_symlink() and (real / "orders.csv").exists()


def test_a_kill_between_the_two_renames_of_the_fallback_swap_is_undone(tmp_path: Path) -> None:
    """Where renameat2 is unavailable the swap is two renames; killed between them, the folder is
    missing: the next run puts the old folder back and returns the carried user files to it."""
    out = tmp_path / "out"
    run_folder(tmp_path / ".out.materiel-old-cccc", "bbbb", "old run")
    stage = run_folder(tmp_path / ".out.materiel-partial-cccc", "cccc", "new run")
    (stage / "notes.txt").write_text("mine")
    with folder_lock(out):
        recover(out, LEGACY_OUTPUTS)
    assert (out / "orders.csv").read_text() == "old run" and (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.materiel-lock", "out"]


def test_a_forked_worker_does_not_keep_the_folder_locked(tmp_path: Path) -> None:
    """Sweep and chart workers are forked while their parent holds the folder's lock; a worker
    outliving a killed parent must not keep the folder locked (a resumed sweep was refused)."""
    out = tmp_path / "out"
    started, tell = os.pipe()
    with folder_lock(out):
        child = os.fork()
        if child == 0:  # the worker: says it is running, then lives on after its parent lets go
            os.write(tell, b"x")
            time.sleep(5)
            os._exit(0)
        assert os.read(started, 1) == b"x"
    try:
        with folder_lock(out, wait=0):
            pass
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
