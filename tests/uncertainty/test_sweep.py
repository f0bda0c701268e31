"""Sweeps: each draw's result depends only on its numbers — on one worker or two, on a Dask
cluster, or after a crash and a resume."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

import materiel
from materiel.scenario.compiled import compile_scenario
from materiel.uncertainty.runner import SweepError, collect, execute, prepare
from materiel.uncertainty.summary import rank_correlations, summarise
from tests.builders import write
from tests.markers import ONE_WORKER
from tests.uncertainty.conftest import ranged_doc

RESULTS = ["draw", "status", "total_cost", "readiness_index", "bottleneck_days", "coverage:2027Q4"]


def swept(path: Path, folder: Path, draws: int = 12, seed: int = 5, **kw: object) -> pd.DataFrame:
    """The draws of a sweep of ``path`` into ``folder``, run by the library in chunks of two."""
    sc = materiel.load_scenario(path)
    execute(prepare(sc, draws, seed, folder, chunk_size=2), **kw)
    return collect(folder)


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a["draw"]) == list(b["draw"])
    pd.testing.assert_frame_equal(a[RESULTS], b[RESULTS], check_exact=False, rtol=1e-9)
    inputs = [c for c in a.columns if c.startswith("input:")]
    assert np.array_equal(a[inputs].to_numpy(), b[inputs].to_numpy())


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """12 draws of the ranged scenario on one worker: what every other way of running must give
    (shared by the module's tests, which only read it)."""
    folder = tmp_path_factory.mktemp("reference")
    return swept(write(folder, ranged_doc(), "ranged.yaml"), folder / "sweep", workers=1)


def test_every_draw_is_planned_and_matches_a_cold_plan(ranged: Path, reference: pd.DataFrame) -> None:
    """The in-place re-solve gives the plan a fresh build gives, draw by draw."""
    assert len(reference) == 12 and set(reference["status"]) == {"optimal"}
    sc = materiel.load_scenario(ranged)
    state = prepare(sc, 12, 5, ranged.parent / "check", chunk_size=2)
    figures = dict(materiel.scenario.compiled.iter_quantities(sc, explicit=True))
    for row, values in zip(reference.itertuples(), state.values, strict=True):
        for x, v in zip(state.inputs, values, strict=True):
            figures[x.loc].value = float(v)
        plan = materiel.plan(compile_scenario(sc))
        assert plan.total_cost == pytest.approx(row.total_cost, rel=1e-6)
        a = materiel.assess(plan)
        index = plan.model.periods.index(a.readiness.period) if a.readiness.period else np.nan
        assert (np.isnan(index) and np.isnan(row.readiness_index)) or index == row.readiness_index


def test_two_workers_give_the_same_results(ranged: Path, tmp_path: Path, reference: pd.DataFrame) -> None:
    same(swept(ranged, tmp_path / "two", workers=2), reference)


@ONE_WORKER
def test_dask_cluster_gives_the_same_results(ranged: Path, tmp_path: Path, reference: pd.DataFrame) -> None:
    """A real scheduler and two worker processes on loopback."""
    import dask
    from distributed import LocalCluster

    with (
        dask.config.set({"temporary-directory": str(tmp_path / "scratch")}),  # not the system's temporary folder
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
    ):
        same(swept(ranged, tmp_path / "dask", scheduler=cluster.scheduler_address), reference)


@ONE_WORKER
def test_a_killed_worker_loses_nothing(ranged: Path, tmp_path: Path, reference: pd.DataFrame) -> None:
    """Kill a pool worker after the first chunk: the pool is rebuilt, lost chunks rerun once."""
    killed = []

    def kill_one(done: int, total: int) -> None:
        if done >= 2 and not killed:
            children = multiprocessing.active_children()
            if children:
                os.kill(children[0].pid, signal.SIGKILL)
                killed.append(children[0].pid)

    result = swept(ranged, tmp_path / "killed", workers=2, progress=kill_one)
    assert killed
    same(result, reference)
    assert result["draw"].is_unique


def processes_running(text: str) -> list[int]:
    """Process ids whose command line mentions ``text`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text in (entry / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@ONE_WORKER
def test_an_interrupted_sweep_resumes_without_duplicates(ranged: Path, tmp_path: Path, run) -> None:
    """Kill the whole sweep process once some chunks are on disk, run it again (in this process):
    the same set of draws as an uninterrupted sweep, each once."""
    folder = tmp_path / "resumed"
    args = ["sweep", str(ranged), "-n", "40", "--seed", "9", "-o"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "materiel", *args, str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 60
    while time.time() < deadline and len(list((folder / "draws").glob("part-*.parquet"))) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = len(list((folder / "draws").glob("part-*.parquet")))
    assert partial >= 2
    deadline = time.time() + 10  # its pool workers notice the sweep is gone and end too
    while time.time() < deadline and processes_running(str(folder)):
        time.sleep(0.1)
    assert not processes_running(str(folder))
    code, _, err = run(*args, str(folder), "--json")
    assert code == 0, err
    resumed = collect(folder)
    assert list(resumed["draw"]) == list(range(40))
    clean = tmp_path / "clean"
    code, _, err = run(*args, str(clean))
    assert code == 0, err
    same(resumed, collect(clean))


def test_a_different_sweep_in_the_same_folder_is_refused(ranged: Path, tmp_path: Path) -> None:
    sc = materiel.load_scenario(ranged)
    prepare(sc, 4, 1, tmp_path / "f")
    with pytest.raises(SweepError, match="holds a different sweep \\(seed differ\\)"):
        prepare(sc, 4, 2, tmp_path / "f")


def test_summary_probabilities_and_sensitivity(ranged: Path, reference: pd.DataFrame) -> None:
    _, m = materiel.load(ranged)
    s = summarise(reference, m)
    ready = reference["readiness_index"].fillna(m.T)
    assert s.p_ready.set_index("year").loc[2027, "probability"] == pytest.approx((ready <= 7).mean())
    assert s.p_ready["probability"].is_monotonic_increasing
    cost = s.sensitivity[s.sensitivity["output"] == "total_cost"]
    strengths = list(cost["rho"].abs())
    assert strengths == sorted(strengths, reverse=True) and strengths[0] > 0
    for r in cost.itertuples():  # each rho as scipy computes it from the draws themselves
        x, y = reference[f"input:{r.input}"], reference["total_cost"]
        assert r.rho == pytest.approx(0.0 if x.nunique() == 1 else spearmanr(x, y).statistic, abs=1e-12)
    head = s.headline()
    assert head["draws"] == 12 and head["failed_draws"] == 0
    assert set(head["top_sensitivities"]) == {"readiness", "total_cost"}


def test_rank_correlations_by_hand() -> None:
    """Rising with the output: +1; falling: -1; constant: 0; strongest first, sign kept."""
    y = np.array([3.0, 1.0, 4.0, 1.5, 5.0])
    ok = pd.DataFrame({"input:up": 2 * y, "input:down": -(y**3), "input:flat": 7.0, "input:half": [1, 2, 3, 4, 5]})
    table = rank_correlations(ok, {"cost": y})
    assert list(table["input"][:2]) in (["up", "down"], ["down", "up"])
    rho = table.set_index("input")["rho"]
    assert rho["up"] == pytest.approx(1) and rho["down"] == pytest.approx(-1) and rho["flat"] == 0
    assert rho["half"] == pytest.approx(spearmanr([1, 2, 3, 4, 5], y).statistic)
    assert list(table["input"])[-1] == "flat"


def test_vary_restricts_the_inputs_and_the_mode_is_recorded(ranged: Path, tmp_path: Path) -> None:
    import json

    sc = materiel.load_scenario(ranged)
    plan = prepare(sc, 4, 1, tmp_path / "v", vary=["lines[*].price*"])
    assert [x.path for x in plan.inputs] == ["lines[a].price[0]", "lines[b].price[0]"]
    manifest = json.loads((tmp_path / "v" / "sweep.json").read_text())
    assert manifest["inputs"] == ["lines[a].price[0]", "lines[b].price[0]"] and isinstance(manifest["warm_start"], bool)
    with pytest.raises(SweepError, match="no ranged figure matches nothing"):
        prepare(sc, 4, 1, tmp_path / "w", vary=["nothing"])


def test_warm_and_cold_re_solves_agree(ranged: Path, tmp_path: Path) -> None:
    sc = materiel.load_scenario(ranged)
    warm, cold = (
        prepare(sc, 8, 3, tmp_path / name, chunk_size=4, warm=w) for name, w in (("warm", True), ("cold", False))
    )
    execute(warm)
    execute(cold)
    a, b = collect(tmp_path / "warm"), collect(tmp_path / "cold")
    assert np.allclose(a["total_cost"], b["total_cost"], rtol=1e-6)
    assert a["readiness_index"].equals(b["readiness_index"])
