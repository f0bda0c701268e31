"""Sweep folders: every chunk carries its sweep's identity and is verified on read, a lock keeps
two sweeps apart, a report refuses another scenario's sweep, infeasible draws count as not ready,
and bad options get a located message (exit 2)."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import materiel
from materiel.uncertainty.runner import SweepError, collect, done_chunks, execute, prepare, sweep_lock
from materiel.uncertainty.summary import summarise
from tests.builders import write
from tests.markers import ONE_WORKER
from tests.uncertainty.conftest import ranged_doc

TINY = Path(__file__).parents[1] / "fixtures" / "tiny.yaml"


@pytest.fixture
def ranged(tmp_path: Path) -> Path:
    return write(tmp_path, ranged_doc(), "ranged.yaml")


def sweep(path: Path, folder: Path, seed: int, draws: int = 8) -> pd.DataFrame:
    sc = materiel.load_scenario(path)
    with sweep_lock(folder):
        execute(prepare(sc, draws, seed, folder, chunk_size=2, warm=True))
    return collect(folder)


def same_draws(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """The same draws (inputs exactly) with the same results (to the solver's precision)."""
    cols = ["draw", "status", *[c for c in a.columns if c.startswith("input:")]]
    return a[cols].equals(b[cols]) and np.allclose(a["total_cost"], b["total_cost"], rtol=1e-6, equal_nan=True)


@pytest.fixture(scope="module")
def swept_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """A finished sweep (8 draws, seed 1) of the ranged scenario: its folder and its draws."""
    folder = tmp_path_factory.mktemp("reference")
    return folder / "sweep", sweep(write(folder, ranged_doc(), "ranged.yaml"), folder / "sweep", seed=1)


@pytest.fixture
def reference(swept_once: tuple[Path, pd.DataFrame], tmp_path: Path) -> pd.DataFrame:
    """The finished sweep copied to tmp_path / "reference" (for the test to damage), and its draws."""
    folder, draws = swept_once
    shutil.copytree(folder, tmp_path / "reference")
    return draws


# -- chunk identity ------------------------------------------------------------------------------


def test_deleting_sweep_json_does_not_let_another_sweep_adopt_the_chunks(ranged: Path, tmp_path: Path) -> None:
    folder = tmp_path / "s"
    sweep(ranged, folder, seed=1)
    (folder / "sweep.json").unlink()
    adopted = sweep(ranged, folder, seed=2)
    assert same_draws(adopted, sweep(ranged, tmp_path / "clean", seed=2))


def test_a_truncated_chunk_is_refused_on_read_and_rerun_on_resume(
    ranged: Path, tmp_path: Path, reference: pd.DataFrame, run
) -> None:
    folder = tmp_path / "reference"
    part = folder / "draws" / "part-000001.parquet"
    part.write_bytes(part.read_bytes()[:100])
    with pytest.raises(SweepError, match="the sweep is incomplete \\(2 of 8 draws are missing or damaged\\)"):
        collect(folder)
    code, _, err = run("report", str(ranged), "--sweep", str(folder), "-o", str(tmp_path / "r.html"))
    assert code == 2 and "incomplete" in err and "ArrowInvalid" not in err
    assert same_draws(sweep(ranged, folder, seed=1), reference)


def test_a_chunk_of_another_sweep_or_with_other_draws_is_rerun(
    ranged: Path, tmp_path: Path, reference: pd.DataFrame
) -> None:
    other = tmp_path / "other"
    sweep(ranged, other, seed=2)
    folder = tmp_path / "reference"
    parts = folder / "draws"
    (other / "draws" / "part-000001.parquet").replace(parts / "part-000001.parquet")  # another sweep's
    (parts / "part-000000.parquet").replace(parts / "part-000002.parquet")  # draws 0-1 named as 4-5
    plan = prepare(materiel.load_scenario(ranged), 8, 1, folder, chunk_size=2)
    assert done_chunks(plan) == {3}
    assert same_draws(sweep(ranged, folder, seed=1), reference)


@ONE_WORKER
def test_two_sweeps_started_into_one_new_folder_do_not_mix(ranged: Path, tmp_path: Path, run) -> None:
    """Started at once (two processes): one runs, the other stops at once naming the folder; the
    results are the winner's alone, as the same sweep run alone gives them."""
    folder = tmp_path / "s"
    args = ["sweep", str(ranged), "-n", "16", "--json", "-o"]
    cmd = [sys.executable, "-m", "materiel", *args]
    procs = [
        subprocess.Popen(
            [*cmd, str(folder), "--seed", str(s)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for s in (1, 2)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 2], results
    winner = next(s for s, p in zip((1, 2), procs, strict=True) if p.returncode == 0)
    loser = next(r for r, p in zip(results, procs, strict=True) if p.returncode == 2)
    assert f"{folder} is being written by another materiel run" in loser[1]
    clean = tmp_path / "clean"
    code, _, err = run(*args, str(clean), "--seed", str(winner))
    assert code == 0, err
    assert same_draws(collect(folder), collect(clean))


# -- report --sweep ------------------------------------------------------------------------------


def test_report_refuses_a_sweep_of_another_scenario_or_other_set_values(
    ranged: Path, tmp_path: Path, reference: pd.DataFrame, run
) -> None:
    folder, html = str(tmp_path / "reference"), str(tmp_path / "r.html")
    code, _, err = run("report", str(TINY), "--sweep", folder, "-o", html)
    assert code == 2 and "holds a sweep of t as it was then" in err
    code, _, err = run("report", str(ranged), "--set", "funding[fund].budget=700", "--sweep", folder, "-o", html)
    assert code == 2 and "holds a sweep of t as it was then" in err and "--set" in err
    assert not Path(html).exists()
    code, _, err = run("report", str(ranged), "--sweep", folder, "-o", html)
    assert code == 0, err
    assert "Uncertainty" in Path(html).read_text()


# -- infeasible draws ----------------------------------------------------------------------------


def draws_frame(m, statuses: list[str]) -> pd.DataFrame:
    """Draws as ``collect`` gives them: optimal ones ready in the first period, cost 100."""
    rows = []
    for n, status in enumerate(statuses):
        row: dict[str, object] = {"draw": n, "status": status, "seconds": 0.01, "input:x": float(n)}
        if status == "optimal":
            row |= {"total_cost": 100.0, "envelope_cost_per_year": 50.0, "readiness_index": 0.0, "bottleneck_days": 9.0}
            row |= {f"coverage:{p}": 1.0 for p in m.periods}
        rows.append(row)
    return pd.DataFrame(rows)


def test_infeasible_draws_count_as_not_ready_and_are_reported_as_a_share(ranged: Path) -> None:
    """3 of 4 draws infeasible, the fourth ready at once: P(ready) is 25 %, not 100 %."""
    _, m = materiel.load(ranged)
    s = summarise(draws_frame(m, ["optimal"] + ["no optimal plan: infeasible"] * 3), m)
    assert list(s.p_ready["probability"]) == [0.25, 0.25]
    head = s.headline()
    assert head["failed_draws"] == 3 and head["failed_share"] == 0.75
    assert "3 of 4 draws (75%) have no optimal plan" in head["warning"]
    assert head["total_cost_quantiles"]["0.5"] == 100.0  # from the optimal draw only
    assert head["readiness_date_quantiles"]["0.05"] == m.periods[0]
    assert head["readiness_date_quantiles"]["0.5"] is None  # most draws are never ready


def test_all_draws_infeasible_summarise_without_error(ranged: Path) -> None:
    _, m = materiel.load(ranged)
    s = summarise(draws_frame(m, ["no optimal plan: infeasible"] * 4), m)
    head = s.headline()
    assert list(s.p_ready["probability"]) == [0.0, 0.0]
    assert head["total_cost_quantiles"]["0.5"] is None and head["failed_share"] == 1.0
    assert "4 of 4 draws (100%)" in head["warning"]
    json.dumps(head)  # the --json headline stays valid JSON (no NaN)
    assert all(math.isnan(v) for v in s.fan[0.5])


def test_the_sweep_command_warns_loudly_about_infeasible_draws(tmp_path: Path, run) -> None:
    """A commitment of 100 shells in the first quarter from line a, whose capacity is drawn
    between 50 and 150 a quarter: about half the draws cannot keep it. The warning is on the
    terminal, in the JSON headline and in the report."""
    doc = ranged_doc() | {"commitments": [{"line": "a", "customer": "ukraine", "period": "2026Q1", "quantity": 100}]}
    path = write(tmp_path, doc, "committed.yaml")
    code, out, err = run("sweep", str(path), "-n", "16", "--seed", "3", "-o", str(tmp_path / "s"), "--json")
    assert code == 0, err
    head = json.loads(out)
    assert 0 < head["failed_draws"] < 16
    assert head["failed_share"] == head["failed_draws"] / 16
    assert head["warning"].startswith(f"{head['failed_draws']} of 16 draws")
    assert "WARNING" in err and "count as not ready" in err
    assert max(head["p_ready_by_year"].values()) <= 1 - head["failed_share"]
    assert "count as not ready" in (tmp_path / "s" / "report.html").read_text()


# -- bad options ---------------------------------------------------------------------------------


def test_bad_sweep_options_get_a_located_message(ranged: Path, tmp_path: Path, reference: pd.DataFrame, run) -> None:
    file = tmp_path / "a-file"
    file.write_text("x")
    code, _, err = run("sweep", str(ranged), "-n", "4", "-o", str(file))
    assert code == 2 and f"cannot create output folder {file}: a file of that name exists" in err
    code, _, err = run("sweep", str(ranged), "-n", "4", "-o", "/proc/materiel-sweep")
    assert code == 2 and "/proc/materiel-sweep" in err
    code, _, err = run("sweep", str(ranged), "-n", "1000000000", "-o", str(tmp_path / "big"))
    assert code == 2 and "--draws must be between 1 and 100,000 (got 1,000,000,000)" in err
    assert not (tmp_path / "big").exists()
    code, _, err = run("sweep", str(ranged), "-n", "4", "--workers", "0", "-o", str(tmp_path / "w"))
    assert code == 2 and "--workers must be at least 1 (got 0)" in err
    folder = tmp_path / "reference"
    (folder / "sweep.json").write_text('{"scenario": "ranged", "seed": ')
    code, _, err = run("sweep", str(ranged), "-n", "8", "--seed", "1", "-o", str(folder))
    assert code == 2 and f"{folder / 'sweep.json'}: cannot read it" in err
    code, _, err = run("report", str(ranged), "--sweep", str(folder), "-o", str(tmp_path / "r.html"))
    assert code == 2 and "cannot read it" in err


def test_sweep_json_removed_after_corruption_resumes_with_the_verified_chunks(
    ranged: Path, tmp_path: Path, reference: pd.DataFrame
) -> None:
    folder = tmp_path / "reference"
    (folder / "sweep.json").write_text("{")
    (folder / "sweep.json").unlink()
    plan = prepare(materiel.load_scenario(ranged), 8, 1, folder, chunk_size=2, warm=True)
    assert done_chunks(plan) == {0, 1, 2, 3}
    assert np.array_equal(collect(folder)["draw"], reference["draw"])


@ONE_WORKER
def test_a_plan_into_the_parent_folder_while_a_sweep_runs_keeps_every_chunk(ranged: Path, tmp_path: Path, run) -> None:
    """out/ holds a running sweep in out/sweep; plans replace out/ meanwhile (carrying sweep/ and
    its lock along): the sweep finishes whole and the plans' tables are in out/."""
    out = tmp_path / "out"
    folder = out / "sweep"
    proc = subprocess.Popen(
        [sys.executable, "-m", "materiel", "sweep", str(ranged), "-n", "64", "--seed", "4", "-o", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    while proc.poll() is None and not list((folder / "draws").glob("part-*.parquet")):
        time.sleep(0.01)
    plans = 0
    while proc.poll() is None and plans < 4:
        code, _, err = run("plan", str(ranged), "-o", str(out), "--no-charts")
        assert code == 0, err
        plans += 1
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    assert plans >= 1
    assert list(collect(folder)["draw"]) == list(range(64))
    assert (out / "orders.csv").exists() and (folder / "report.html").exists()
