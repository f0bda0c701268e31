"""The Python API (docs/api.md): what-ifs and --set as on the command line, comparisons, writing a
plan and reading it back, short representations, and the documented example run as written."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pandas as pd
import pytest

import materiel
from materiel.api import assignments
from tests.assessment.test_options import doc_with_options
from tests.builders import write
from tests.test_cli import options_file

DOCS = Path(__file__).parents[1] / "docs" / "api.md"


def test_set_and_whatifs_apply_as_on_the_command_line(tmp_path: Path, run) -> None:
    """EUR 400 a year buys all 400; --set budget=100 buys 100; 'poor' halves the budget: 200."""
    path = options_file(tmp_path)
    assert materiel.plan(path).total_cost == pytest.approx(400)
    assert materiel.plan(path, set={"funding[ua].budget": 100}).total_cost == pytest.approx(100)
    assert materiel.plan(path, set=["funding[ua].budget=100"]).total_cost == pytest.approx(100)
    assert materiel.plan(path, whatifs=["poor"]).total_cost == pytest.approx(200)
    code, out, err = run("plan", str(path), "-o", str(tmp_path / "p"), "--json", "--no-charts", "-w", "poor")
    assert code == 0, err
    assert '"total_cost": 200' in out.replace(".0,", ",")


def test_set_takes_a_mapping_or_the_command_lines_texts() -> None:
    assert assignments({"a.b": 1}) == [("a.b", 1)]
    assert assignments(["a.b=[1, 2]"]) == [("a.b", [1, 2])]
    assert assignments("a.b=x") == [("a.b", "x")]
    with pytest.raises(materiel.ScenarioError, match="expected PATH=VALUE"):
        assignments(["a.b"])


def test_whatifs_on_a_loaded_scenario_are_refused(tmp_path: Path) -> None:
    sc = materiel.load_scenario(options_file(tmp_path))
    with pytest.raises(ValueError, match="apply to a scenario file or name"):
        materiel.plan(sc, whatifs=["poor"])


def test_write_then_read_plan_gives_the_same_tables(tmp_path: Path) -> None:
    doc = doc_with_options()
    doc["horizon"] = {"start": "2026", "periods": 2, "period": "year"}  # periods '2026', '2027' stay text
    p = materiel.plan(write(tmp_path, doc))
    written = p.write(tmp_path / "out", charts=False)
    assert {"orders.csv", "plan.xlsx", "summary.json", "report.html"} <= {w.name for w in written}
    back = materiel.read_plan(tmp_path / "out")
    for name, table in p.tables().items():
        pd.testing.assert_frame_equal(back.tables[name], table.reset_index(drop=True), check_dtype=False, obj=name)
        if len(table):  # an empty table's columns come back as text: nothing says otherwise
            assert [back.tables[name][c].dtype.kind in "OSTU" for c in table] == [
                table[c].dtype.kind in "OSTU" for c in table
            ], name
    assert back.orders["period"].tolist() == p.orders["period"].tolist() == ["2026"]
    assert back.total_cost == pytest.approx(p.total_cost) and back.summary["scenario"] == "t"
    with pytest.raises(AttributeError, match="no table 'nothing'"):
        back.nothing  # noqa: B018


def test_read_plan_of_a_folder_without_a_plan(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"summary\.json"):
        materiel.read_plan(tmp_path)


def test_reprs_are_short(tmp_path: Path) -> None:
    p = materiel.plan(options_file(tmp_path))
    text = repr(p)
    assert (
        text == "<Plan t: 2026Q1–2026Q4, optimal\n  total cost EUR 400, 100% spent in Europe\n  ukraine ready: 2026Q4>"
    )
    assert repr(materiel.assess(p)).startswith("<Assessment t for ukraine: ready 2026Q4")
    c = materiel.compare(options_file(tmp_path))
    assert [r.name for r in c] == ["armed neutrality", "reassurance force 0k", "binding guarantee"]
    assert repr(c[0]) == "<OptionResult 'armed neutrality': EUR 400 a year, plan total EUR 400, ready 2026Q4>"
    assert len(repr(c).splitlines()) == 4
    assert c.table["cost per year (EUR)"].tolist() == pytest.approx([400, 400, 0])


def test_compare_scenario_files_and_report(tmp_path: Path) -> None:
    """Two files and a what-if on the first, as 'materiel compare a b -w poor' makes them."""
    first = options_file(tmp_path)
    lean = doc_with_options()
    lean["funding"][0]["budget"]["value"] = 200
    c = materiel.compare(first, write(tmp_path, lean, "lean.yaml"), whatifs=["poor"])
    assert [r.name for r in c] == ["options", "lean", "options + poor"]
    assert c.table["of which equipment (EUR)"].tolist() == pytest.approx([400, 200, 200])
    importlib.import_module("materiel.report.files")  # binds materiel.report to the package: still callable
    written = materiel.report(c, tmp_path / "out", charts=False)
    table = pd.read_csv(tmp_path / "out" / "comparison.csv")
    assert list(table["option"]) == ["options", "lean", "options + poor"]
    assert tmp_path / "out" / "comparison.csv" in written


def test_the_documented_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    assert code is not None
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code.group(1), str(DOCS), "exec"), namespace)  # our own documentation
    assert len(repr(namespace["p"])) < 300
    assert (tmp_path / "out" / "no-us" / "plan.xlsx").exists()
    assert (tmp_path / "out" / "variants" / "comparison.csv").exists()
    assert [r.name for r in namespace["c"]] == ["baseline", "pessimistic", "austerity"]
