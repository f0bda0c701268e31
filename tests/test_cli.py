"""The command line. One test per command runs the console script as a user does (a real process:
exit status, files, stdout, no traceback); every other case goes through ``cli.run`` in this
process (the ``run`` fixture), which maps errors to exit statuses exactly as the script does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.assessment.test_options import doc_with_options
from tests.builders import write
from tests.uncertainty.conftest import ranged_doc

FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "tiny.yaml"
SCRIPT = Path(sys.executable).with_name("materiel")  # the console script `pip install` made


def materiel(*args: str) -> subprocess.CompletedProcess[str]:
    """The console script in a process of its own; a traceback anywhere fails the test."""
    done = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("plan")
    return materiel("plan", str(TINY), "-o", str(out), "--export-lp", str(out / "model.mps")), out


def options_file(tmp_path: Path) -> Path:
    doc = doc_with_options()
    doc["overrides"] = {"poor": {"description": "half the money", "scale": {"funding[ua].budget": 0.5}}}
    doc["variants"] = {"grim": ["poor"]}
    return write(tmp_path, doc, "options.yaml")


# -- one real process per command ----------------------------------------------------------------


def test_plan_writes_tables_workbook_and_charts(planned: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, out = planned
    assert result.returncode == 0, result.stderr
    assert "Aid to Ukraine: EUR 800" in result.stdout and "All money spent: EUR 800" in result.stdout
    for name in ("orders", "deliveries", "stock", "capacity", "investments", "funding", "budgets", "inputs"):
        assert (out / f"{name}.csv").exists(), name
    for chart in ("stock_vs_target.png", "spending_by_fund.png", "capacity_build_up.png"):
        assert (out / chart).read_bytes()[:4] == b"\x89PNG"
    sheets = pd.read_excel(out / "plan.xlsx", sheet_name=None)
    assert {"Summary", "orders", "stock", "funding", "inputs", "sources", "shortfall_by_category"} <= set(sheets)
    assert sheets["orders"]["quantity"].sum() == pytest.approx(400)
    assert not list(out.glob(".materiel-partial-*"))
    text = (out / "model.mps").read_text()
    assert text.startswith("NAME") and "ROWS" in text and "COLUMNS" in text and "RHS" in text


def test_check_accepts_the_plan(planned: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = planned
    ok = materiel("check", str(out), "-s", str(TINY))
    assert ok.returncode == 0 and "keeps every rule" in ok.stdout


def test_validate_bad_file_exits_2_with_located_messages(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        TINY.read_text()
        .replace("price: {value: 2, unit: EUR}", "price: {value: two, unit: EUR}")
        .replace("origins: [US]", "origins: [USA]")
    )
    result = materiel("validate", str(bad))
    assert result.returncode == 2 and result.stdout == ""
    lines = bad.read_text().splitlines()
    price = next(n for n, text in enumerate(lines, 1) if "value: two" in text)
    origin = next(n for n, text in enumerate(lines, 1) if "[USA]" in text)
    assert result.stderr.splitlines()[1:] == [
        f"  {bad}:{price}: lines[cheap].price.value: expected a number (got 'two')",
        f"  {bad}:{origin}: funding[us-scheme].origins[0]: 'USA' is neither a country code nor a region; "
        "regions: EU, EEA, UA, EUROPE, NATO, ALLIED",
    ]


def test_schema_is_json() -> None:
    result = materiel("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert "lines" in schema["properties"] and "Line" in schema["$defs"]


def test_assess_json(tmp_path: Path) -> None:
    result = materiel("assess", str(options_file(tmp_path)), "-o", str(tmp_path / "a"), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["readiness_date"] == "2026Q4" and summary["readiness_by_category"] == {
        "artillery-ammunition": "2026Q4"
    }
    for name in ("coverage.csv", "sustainment.csv", "bottleneck.csv", "report.html"):
        assert (tmp_path / "a" / name).exists(), name


def test_compare_options_json(tmp_path: Path) -> None:
    result = materiel("compare", str(options_file(tmp_path)), "-o", str(tmp_path / "c"), "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["comparison"]
    assert [r["option"] for r in rows] == ["armed neutrality", "reassurance force 0k", "binding guarantee"]
    assert [r["readiness_date"] for r in rows] == ["2026Q4", None, None]
    assert rows[1]["force_cost_per_year"] == 200
    assert (tmp_path / "c" / "comparison.csv").exists()
    assert (tmp_path / "c" / "report.html").read_text().count("<svg") >= 4  # coverage, sustainment, options ×2


def test_report_is_self_contained(tmp_path: Path) -> None:
    out = tmp_path / "r" / "report.html"
    result = materiel("report", str(options_file(tmp_path)), "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    for section in ("The plan", "Readiness", "Sustainment", "Options side by side", "Every input and its source"):
        assert section in text, section
    assert text.count("data:image/png;base64,") == 3  # the plan's charts
    assert text.count("<svg") >= 4  # coverage, sustainment, options readiness and cost
    assert "<script" not in text and "<link" not in text and "@import" not in text
    assert "armed neutrality" in text and "reassurance force 0k" in text and "binding guarantee" in text


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """A sweep of 6 draws of the ranged scenario, run by the console script."""
    folder = tmp_path_factory.mktemp("sweep")
    path = write(folder, ranged_doc(), "ranged.yaml")
    return materiel("sweep", str(path), "-n", "6", "--seed", "2", "-o", str(folder / "sw"), "--json"), path, folder


def test_sweep_json(swept: tuple[subprocess.CompletedProcess[str], Path, Path]) -> None:
    result, _, folder = swept
    assert result.returncode == 0, result.stderr
    head = json.loads(result.stdout)
    assert head["draws"] == 6 and head["failed_draws"] == 0
    assert set(head) >= {"p_ready_by_year", "total_cost_quantiles", "readiness_date_quantiles", "top_sensitivities"}
    for name in ("draws.csv", "p_ready.csv", "quantiles.csv", "sensitivity.csv", "fan.csv", "report.html"):
        assert (folder / "sw" / name).exists(), name
    assert (folder / "sw" / "sweep.json").exists()


# -- in this process -----------------------------------------------------------------------------


def test_json_summary_is_clean_json(tmp_path: Path, run) -> None:
    code, out, err = run("plan", str(TINY), "-o", str(tmp_path), "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["status"] == "optimal" and summary["currency"] == "EUR"
    assert summary["total_cost"] == pytest.approx(800)
    assert summary["europe_share"] == 1.0 and summary["spend_by_year"] == {"2026": pytest.approx(800)}
    assert summary["shortfall_by_category"] == {"artillery-ammunition": {"2026": 0.0}}
    assert json.loads((tmp_path / "summary.json").read_text())["total_cost"] == pytest.approx(800)


def test_validate_good_file(run) -> None:
    code, out, _ = run("validate", str(TINY))
    assert code == 0 and "ok: tiny" in out


def test_missing_scenario_file(run) -> None:
    code, _, err = run("plan", "no-such-file.yaml")
    assert code == 2 and "no such file" in err


def test_infeasible_plan_exits_3_with_explanation(tmp_path: Path, run) -> None:
    path = tmp_path / "infeasible.yaml"
    path.write_text(
        TINY.read_text().replace(
            "funding:\n",
            "commitments:\n  - {line: cheap, customer: ukraine, period: 2026Q1, quantity: 1000}\nfunding:\n",
            1,
        )
    )
    code, _, err = run("plan", str(path), "-o", str(tmp_path / "out"))
    assert code == 3
    assert "capacity of line cheap in 2026Q1" in err
    assert "commitment: 1,000 shell ordered on cheap for ukraine in 2026Q1" in err
    assert not (tmp_path / "out").exists()


def test_output_folder_that_is_a_file(tmp_path: Path, run) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run("plan", str(TINY), "-o", str(blocker))
    assert code == 2 and "cannot create output folder" in err
    assert blocker.read_text() == "x"


def test_check_rejects_an_edited_plan(
    planned: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path, run
) -> None:
    _, out = planned
    edited = tmp_path / "edited"
    edited.mkdir()
    for name in ("orders", "investments", "funding"):
        (edited / f"{name}.csv").write_text((out / f"{name}.csv").read_text())
    code, _, err = run("check", str(edited), "-s", str(TINY))
    assert code == 0, err  # the copy alone keeps every rule
    orders = pd.read_csv(edited / "orders.csv")
    orders.loc[0, "quantity"] = 250
    orders.to_csv(edited / "orders.csv", index=False)
    code, _, err = run("check", str(edited), "-s", str(TINY))
    assert code == 1
    assert "capacity — cheap 2026Q1: orders 250.0 exceed capacity 200.0" in err
    assert "payment — cheap ukraine 2026: paid 800, orders cost 900 EUR" in err


def test_compare_variants_and_set(tmp_path: Path, run) -> None:
    path = options_file(tmp_path)
    code, out, err = run("compare", str(path), "--variants", "grim,poor", "-o", str(tmp_path / "v"), "--json")
    assert code == 0, err
    rows = json.loads(out)["comparison"]
    assert [r["option"] for r in rows] == ["baseline", "grim", "poor"]
    assert [r["equipment_cost_per_year"] for r in rows] == [400, 200, 200]
    code, out, err = run(
        "plan", str(path), "-o", str(tmp_path / "p"), "--json", "--no-charts", "--set", "funding[ua].budget=100"
    )
    assert code == 0, err
    assert json.loads(out)["total_cost"] == pytest.approx(100)


def test_bad_set_path_exits_2(run) -> None:
    code, _, err = run("plan", str(TINY), "--set", "lines[nowhere].price=3")
    assert code == 2
    assert "--set: lines[nowhere].price: lines has no entry with id 'nowhere'; ids: cheap, dear" in err


def test_report_with_a_sweeps_uncertainty(swept: tuple[subprocess.CompletedProcess[str], Path, Path], run) -> None:
    _, path, folder = swept
    report = folder / "r.html"
    code, _, err = run("report", str(path), "--sweep", str(folder / "sw"), "-o", str(report))
    assert code == 0, err
    text = report.read_text()
    assert 'id="uncertainty"' in text and "Probability of being ready" in text and "What moves the" in text


def test_report_refuses_a_folder_that_is_not_a_sweep(
    swept: tuple[subprocess.CompletedProcess[str], Path, Path], tmp_path: Path, run
) -> None:
    _, path, folder = swept
    code, _, err = run("report", str(path), "--sweep", str(folder), "-o", str(tmp_path / "r.html"))
    assert code == 2 and "not a sweep folder" in err
    assert not (tmp_path / "r.html").exists()


def test_check_reads_retirements_and_drawdowns(tmp_path: Path, run) -> None:
    """A plan with upkeep, a drawdown and a refurbishment line (tests/planner/test_registry.py)
    keeps every rule as written; retiring a tank it holds breaks the stock balance and the upkeep
    it pays (2 tanks at EUR 10 a quarter)."""
    from tests.planner.test_registry import EVERY_FAMILY

    scenario = write(tmp_path, EVERY_FAMILY)
    out = tmp_path / "out"
    code, _, err = run("plan", str(scenario), "-o", str(out), "--no-charts")
    assert code == 0, err
    assert (out / "retirements.csv").exists() and (out / "drawdowns.csv").exists()
    code, _, err = run("check", str(out), "-s", str(scenario))
    assert code == 0, err
    retired = pd.DataFrame(
        [{"customer": "ukraine", "item": "tank", "category": "armour", "period": "2026Q1", "year": 2026, "quantity": 1}]
    )
    retired.to_csv(out / "retirements.csv", index=False)
    code, _, err = run("check", str(out), "-s", str(scenario))
    assert code == 1
    assert "stock balance — ukraine tank 2026Q1: table says 2.00" in err
    assert "upkeep — ukraine tank 2026: paid 100" in err


def test_compare_scenario_files_and_whatifs_as_rows(tmp_path: Path, run) -> None:
    """options.yaml (EUR 400 a year, all 400 bought) and lean.yaml (EUR 200 a year: 200 bought),
    then 'poor' (half the money) and 'grim' (= poor) on options.yaml: EUR 400, 200, 200, 200 of
    equipment a year. Both scenarios are named 't', so the rows are named by their files."""
    path = options_file(tmp_path)
    lean = doc_with_options()
    lean["funding"][0]["budget"]["value"] = 200
    lean_path = write(tmp_path, lean, "lean.yaml")
    folder = tmp_path / "c"
    code, out, err = run("compare", str(path), str(lean_path), "-w", "poor,grim", "-o", str(folder))
    assert code == 0, err
    table = pd.read_csv(folder / "comparison.csv")
    assert list(table["option"]) == ["options", "lean", "options + poor", "options + grim"]
    assert table["of which equipment (EUR)"].tolist() == pytest.approx([400, 200, 200, 200])
    assert table["cost per year (EUR)"].dtype.kind == "f"  # numbers, not "EUR 400"
    assert list(table["readiness date"]) == ["2026Q4", *["never within the horizon"] * 3]
    assert "• options + poor: half the money; gives up against options: never ready" in out
    assert "half the money" in out.split("• options + poor")[1] and out.count("half the money") == 1


def test_compare_files_refuses_an_unknown_whatif(tmp_path: Path, run) -> None:
    path = options_file(tmp_path)
    code, _, err = run("compare", str(path), str(path), "-w", "nowhere", "-o", str(tmp_path / "c"))
    assert code == 2 and "nowhere" in err and not (tmp_path / "c").exists()


@pytest.mark.parametrize(
    "args",
    [("plan", "--bogus"), ("assess", "--no-charts"), ("sweep", "-n"), ("no-such-command",)],
)
def test_a_usage_error_is_a_message_and_exit_2(args: tuple[str, ...], run) -> None:
    """Usage errors from typer's own copy of click (typer >= 0.29) are messages, not tracebacks."""
    code, _out, err = run(*args)
    assert code == 2
    assert "Error:" in err and "Traceback" not in err


def test_the_console_script_refuses_an_unknown_option() -> None:
    done = materiel("plan", "--bogus")
    assert done.returncode == 2 and "No such option: --bogus" in done.stderr
