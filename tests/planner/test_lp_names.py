"""The exported LP with readable names (--lp-names): family and scenario ids, sanitised for the LP
format, unique, and read back by HiGHS to the same optimum as the LP without names."""

from __future__ import annotations

from pathlib import Path

import highspy
import pytest

from materiel.planner import write_lp
from materiel.planner.formulation import build
from materiel.planner.lpnames import lp_names, sanitise
from materiel.scenario.loader import load
from tests.builders import line, scenario, target, write


def optimum(path: Path) -> tuple[float, highspy.Highs]:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) != highspy.HighsStatus.kError
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value, h


def model(tmp_path: Path):
    """Two lines making shells (one with an id the LP format cannot take as it is), 300 wanted."""
    doc = scenario(lines=[line("de-shells"), line("ua-shells.2", country="UA")], requirements=[target(300)])
    return load(write(tmp_path, doc))[1]


def test_names_are_family_and_ids_sanitised() -> None:
    assert sanitise("rheinmetall-unterluss") == "rheinmetall_unterluss"
    assert sanitise("a b/c[1]") == "a_b_c_1_"


@pytest.mark.parametrize("suffix", [".lp", ".mps"])
def test_named_lp_reads_back_to_the_same_optimum(tmp_path: Path, suffix: str) -> None:
    m = model(tmp_path)
    form = build(m)
    plain = write_lp(form, tmp_path / f"plain{suffix}")
    named = write_lp(form, tmp_path / f"named{suffix}", m)
    base, _ = optimum(plain)
    again, h = optimum(named)
    assert again == pytest.approx(base, rel=1e-9, abs=1e-12)
    cols, rows = lp_names(m, form.lp)
    assert len(set(cols)) == len(cols) == form.lp.n_cols and len(set(rows)) == len(rows) == form.lp.n_rows
    assert "x(de_shells,ukraine,2026Q1)" in cols and "x(ua_shells.2,ukraine,2026Q1)" in cols
    assert "Line_capacity(de_shells,2026Q1)" in rows
    read = set(h.getLp().col_names_)  # the LP format orders columns by first use: compare as sets
    assert read <= set(cols) and "x(de_shells,ukraine,2026Q2)" in read
    assert "x(de_shells" in named.read_text() and "x(de_shells" not in plain.read_text()


def test_repeats_after_sanitising_stay_unique(tmp_path: Path) -> None:
    """'a-b' and 'a_b' sanitise alike; the second gets @2."""
    doc = scenario(lines=[line("a-b"), line("a_b")], requirements=[target(100)])
    m = load(write(tmp_path, doc))[1]
    cols, _ = lp_names(m, build(m).lp)
    assert "x(a_b,ukraine,2026Q1)" in cols and "x(a_b,ukraine,2026Q1)@2" in cols


def test_the_cli_writes_named_lp(run, tmp_path: Path) -> None:
    path = write(tmp_path, scenario(lines=[line("de-shells")], requirements=[target(300)]))
    lp = tmp_path / "m.lp"
    code, _, err = run(
        "plan", str(path), "-o", str(tmp_path / "o"), "--no-charts", "--export-lp", str(lp), "--lp-names"
    )
    assert code == 0, err
    assert "x(de_shells,ukraine,2026Q1)" in lp.read_text()
