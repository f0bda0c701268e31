"""The use-case layer (materiel.service): loading from text, a run's files in memory equal to what the
command line writes, and plans and sweeps in several threads at once."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from materiel import service
from materiel.atomic import MANIFEST
from materiel.report.render import PLAN_CHART_FILES
from materiel.scenario.errors import ScenarioError
from materiel.uncertainty.runner import SweepCancelledError
from tests.builders import line, scenario, target, write
from tests.markers import ONE_WORKER
from tests.uncertainty.conftest import ranged_doc

TINY = Path(__file__).parent / "fixtures" / "tiny.yaml"


def test_a_scenario_loaded_from_text_is_located_by_its_name_and_line() -> None:
    text = TINY.read_text().replace(
        "budget: {value: 10000, unit: EUR/year}\n    origins: [US]", "budget: -5\n    origins: [US]"
    )
    line_no = text.splitlines().index("    budget: -5") + 1
    with pytest.raises(ScenarioError) as caught:
        service.load(text=text, name="tiny v3")
    message = str(caught.value)
    assert f"tiny v3, line {line_no}: funding[us-scheme].budget" in message
    assert "tests/fixtures" not in message and "tiny v3:" not in message


def test_a_syntax_error_in_text_names_the_scenario_too() -> None:
    with pytest.raises(ScenarioError, match=r"tiny v1, line 3: not valid YAML"):
        service.load(text="name: tiny\nitems: [a, b\n", name="tiny v1")


def test_text_that_names_a_table_file_is_told_it_has_no_folder() -> None:
    text = TINY.read_text().replace("lines:\n", "lines: lines.csv\nunused:\n", 1)
    with pytest.raises(
        ScenarioError,
        match=r"tiny v4, line \d+: lines: names the table file 'lines.csv', but a "
        r"scenario given as text has no folder",
    ):
        service.load(text=text, name="tiny v4")


def test_text_reads_the_tables_given_with_it_and_locates_their_rows() -> None:
    yaml = TINY.read_text()
    text = yaml[: yaml.index("lines:\n")] + "lines: lines.csv\n" + yaml[yaml.index("funding:\n") :]
    csv = b"id,supplier,country,item,capacity.value,capacity.unit,price.value,price.unit,lead.value,lead.unit\n"
    row = b"cheap,Cheap Co,DE,shell,800,shells/year,2,EUR,3,months\n"
    loaded = service.load(text=text, name="tiny v6", tables={"lines.csv": csv + row})
    assert loaded.model.lines == ["cheap"] and loaded.files == []
    with pytest.raises(ScenarioError, match=r"tiny v6 / lines.csv, line 2: lines\[cheap\].price"):
        service.load(text=text, name="tiny v6", tables={"lines.csv": csv + row.replace(b",2,EUR", b",-2,EUR")})


def test_text_loads_as_its_file_does_with_what_ifs_and_sets() -> None:
    from_file = service.load(TINY, sets={"funding[eu].budget": 0})
    from_text = service.load(text=TINY.read_text(), name="tiny v2", sets={"funding[eu].budget": 0})
    assert from_text.files == [] and from_file.files == [TINY]
    assert service.plan_run(from_text).summary["total_cost"] == service.plan_run(from_file).summary["total_cost"]


def test_outputs_in_memory_are_the_files_materiel_plan_writes(run, tmp_path: Path) -> None:
    code, _, err = run("plan", str(TINY), "-o", str(tmp_path / "cli"))
    assert code == 0, err
    written = {p.name: p.read_bytes() for p in (tmp_path / "cli").iterdir() if p.name != MANIFEST}
    made = service.plan_run(TINY).outputs()
    assert sorted(made) == sorted(written)
    assert set(PLAN_CHART_FILES) <= set(made) and {"plan.xlsx", "report.html", "summary.json"} <= set(made)
    for name in (n for n in made if n.endswith(".csv")):
        assert made[name] == written[name], name
    assert made[next(iter(PLAN_CHART_FILES))] == written[next(iter(PLAN_CHART_FILES))]

    def figures(data: object) -> object:  # the figures without the seconds taken, which differ run to run
        if isinstance(data, dict):
            return {k: figures(v) for k, v in data.items() if k not in ("timings", "seconds")}
        return [figures(v) for v in data] if isinstance(data, list) else data

    assert figures(json.loads(made["summary.json"])) == figures(json.loads(written["summary.json"]))


def test_a_run_writes_what_it_makes_and_keeps_its_tables_and_timings(tmp_path: Path) -> None:
    r = service.plan_run(TINY)
    made = r.outputs(charts=False)
    assert not set(PLAN_CHART_FILES) & set(made)
    r.write(tmp_path / "out", charts=False)
    for name, data in made.items():
        if name.endswith((".csv", ".json")):
            assert (tmp_path / "out" / name).read_bytes() == data
    assert r.tables["orders"].equals(r.plan.orders)
    assert r.summary["total_cost"] == pytest.approx(800.0)  # 200 cheap shells a quarter at EUR 2 (tests/plan)
    assert r.timings.solve > 0 and r.timings.outputs > 0 and r.timings.seconds >= r.timings.solve


def _variant(k: int) -> dict:
    """A scenario whose plan costs k thousand euros: k*1000 shells from one line at EUR 1."""
    return scenario(lines=[line("a", capacity={"value": 40_000, "unit": "/year"})], requirements=[target(1000 * k)])


def test_four_plans_in_threads_give_the_sequential_totals_and_print_nothing(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    paths = [write(tmp_path, _variant(k), f"v{k}.yaml") for k in range(1, 5)]
    capfd.readouterr()
    alone = [service.plan_run(p).summary["total_cost"] for p in paths]
    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(lambda p: service.plan_run(p), paths))
        files = list(pool.map(lambda r: r.outputs(), runs))
    assert [r.summary["total_cost"] for r in runs] == alone == pytest.approx([1000, 2000, 3000, 4000])
    assert all(set(PLAN_CHART_FILES) <= set(f) for f in files)
    out, _ = capfd.readouterr()
    assert out == ""


@ONE_WORKER
def test_highs_leaves_standard_output_alone_after_its_first_instance() -> None:
    """Lines another thread prints while solvers are made all arrive (a web server's threads):
    HiGHS's banner is silenced once, not by redirecting file descriptor 1 around every instance."""
    script = """
import sys, threading
from materiel.planner.solver import SolverOptions, new_highs
new_highs(SolverOptions())
done = threading.Event()
def make():
    for _ in range(300):
        new_highs(SolverOptions())
    done.set()
t = threading.Thread(target=make)
t.start()
n = 0
while not done.is_set() or n < 2000:
    print(f"line {n}", flush=True)
    n += 1
t.join()
print(f"total {n}", flush=True)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True).stdout
    lines = out.splitlines()
    assert "Running HiGHS" not in out
    assert len(lines) == int(lines[-1].split()[1]) + 1


@pytest.fixture
def ranged(tmp_path: Path) -> Path:
    return write(tmp_path, ranged_doc(), "ranged.yaml")


def test_two_sweeps_in_threads_each_get_their_own_results(ranged: Path, tmp_path: Path) -> None:
    other = write(tmp_path, {**ranged_doc(), "name": "other"}, "other.yaml")
    other_doc = json.loads(other.read_text())
    other_doc["funding"][0]["budget"] = {"value": 300, "unit": "EUR/year", "low": 100, "high": 500}
    other.write_text(json.dumps(other_doc))
    asks = [(ranged, 1, tmp_path / "a"), (other, 2, tmp_path / "b")]

    def sweep(ask: tuple[Path, int, Path], folder: Path) -> pd.DataFrame:
        path, seed, _ = ask
        r = service.sweep_run(path, folder=folder, draws=12, seed=seed, workers=0)
        return r.uncertainty.draws.drop(columns="seconds")

    alone = [sweep(a, a[2] / "alone") for a in asks]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lambda a: sweep(a, a[2] / "together"), asks))
    for one, both in zip(alone, together, strict=True):
        pd.testing.assert_frame_equal(one, both)
    assert not alone[0]["total_cost"].equals(alone[1]["total_cost"])


def test_a_cancelled_sweep_stops_between_chunks_and_resumes(ranged: Path, tmp_path: Path) -> None:
    seen: list[int] = []
    with pytest.raises(SweepCancelledError, match="cancelled after"):
        service.sweep_run(
            ranged,
            folder=tmp_path,
            draws=32,
            workers=0,
            progress=lambda d, t: seen.append(d),
            cancel=lambda: bool(seen[1:]),
        )
    assert 0 < seen[-1] < 32
    finished = service.sweep_run(ranged, folder=tmp_path, draws=32, workers=0)
    assert len(finished.uncertainty.draws) == 32
    assert set(finished.outputs(charts=False)) >= {"draws.csv", "summary.json", "report.html"}


def test_variants_of_a_scenario_kept_as_text_load_from_the_same_text() -> None:
    text = TINY.read_text() + "overrides:\n  no-us:\n    set:\n      funding[us-scheme].budget: 0\n"
    run = service.compare_run(service.load(text=text, name="tiny v5"), variants=["no-us"])
    assert [r.name for r in run.results] == ["baseline", "no-us"]
    assert run.kind == "variants" and "comparison.csv" in run.outputs(charts=False)


def test_the_report_embeds_its_charts_without_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    report = service.report_run(TINY)
    assert report.html.count('src="data:image/png;base64,') == len(PLAN_CHART_FILES)
    assert list(tmp_path.iterdir()) == []


def test_threads_writing_one_folder_take_turns(tmp_path: Path) -> None:
    """Each write replaces the folder whole, one after another: none finds another's staging
    folder half made, and the folder ends as one of them wrote it."""
    runs = [service.plan_run(TINY), service.plan_run(TINY, sets={"funding[eu].budget": 0})] * 2
    start = threading.Barrier(len(runs))

    def write(r: service.PlanRun) -> list[Path]:
        start.wait()
        return r.write(tmp_path / "out", charts=False)

    with ThreadPoolExecutor(len(runs)) as pool:
        written = list(pool.map(write, runs))
    assert all(sorted(p.name for p in w) == sorted(p.name for p in written[0]) for w in written)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["total_cost"] in {r.summary["total_cost"] for r in runs}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.materiel-lock", "out"]  # no staging left


def test_the_documented_use_case_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from materiel.scenario.loader import resolve_path

    docs = (Path(__file__).parents[1] / "docs" / "api.md").read_text()
    example = re.search(r"## The use-case layer.*?```python\n(.*?)```", docs, re.S)
    assert example is not None
    shipped = resolve_path(None)  # the shipped default and its table of sources
    (tmp_path / "my-scenario.yaml").write_text(shipped.read_text())
    sources = shipped.parent / "armed-neutrality-sources.csv"
    (tmp_path / sources.name).write_bytes(sources.read_bytes())
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(example.group(1), "docs/api.md", "exec"), namespace)  # our own documentation
    assert namespace["run"].loaded.whatifs == ["no-us-supply"]
    assert {"orders.csv", "plan.xlsx", "report.html", *PLAN_CHART_FILES} <= set(namespace["files"])
