"""The report's section "Committed and robust plans" (``materiel report --robust DIR --commit
DIR``): its figures are those of the folders' summary.json, every row is labelled with its plan,
and a folder that is not what the option asks for, of another scenario or damaged is refused with
a message naming the file, exit status 2 and no report."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from materiel import cli
from materiel.fmt import money, probability
from tests.builders import write
from tests.uncertainty.conftest import ranged_doc

TINY = Path(__file__).parent.parent / "fixtures" / "tiny.yaml"
ROBUST_LABELS = ["stochastic plan", "deterministic plan", "perfect foresight"]
COMMIT_LABELS = ["committed plan", "perfect foresight"]


class Tables(HTMLParser):
    """Every table with an id: its header and body rows as lists of cell texts (entities decoded)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.svg_titles: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._in_title = False
        self._in_svg = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and dict(attrs).get("id"):
            self._table = dict(attrs)["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        elif tag == "svg":
            self._in_svg = True
        elif tag == "title" and self._in_svg:
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "svg":
            self._in_svg = False
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_title:
            self.svg_titles.append(data)


def rows(tables: Tables, table_id: str) -> dict[str, list[str]]:
    """A table's body rows by their first cell; its header row under ''."""
    head, *body = tables.tables[table_id]
    return {"": head[1:], **{r[0]: r[1:] for r in body}}


def number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, Path]:
    """The ranged scenario (tests/uncertainty/conftest.py), a materiel robust folder (3 training
    draws, 4 fresh ones), a materiel commit folder (4 draws) and a sweep folder (4 draws)."""
    root = tmp_path_factory.mktemp("plans")
    path = write(root, ranged_doc(), "ranged.yaml")
    common = ("--decision-date", "2026Q4")
    for args in (
        ("robust", str(path), *common, "--draws", "3", "--eval-draws", "4", "--seed", "2", "-o", str(root / "rob")),
        ("commit", str(path), *common, "-n", "4", "--seed", "3", "-o", str(root / "com")),
        ("sweep", str(path), "-n", "4", "-o", str(root / "sw")),
    ):
        assert cli.run(list(args)) == 0, args
    return path, root / "rob", root / "com", root / "sw"


def test_the_section_shows_the_robust_and_commit_summaries(folders, tmp_path: Path, run) -> None:
    path, rob, com, sw = folders
    report = tmp_path / "r.html"
    code, _, err = run(
        "report", str(path), "--robust", str(rob), "--commit", str(com), "--sweep", str(sw), "-o", str(report)
    )
    assert code == 0, err
    text = report.read_text()
    assert '<h2 id="plans">Committed and robust plans</h2>' in text and 'href="#plans"' in text
    assert 'id="uncertainty"' in text  # the sweep's section too
    assert "<script" not in text and 'src="http' not in text  # opens offline
    t = Tables(text)

    h = json.loads((rob / "summary.json").read_text())
    e = h["evaluation"]
    assert h["scenario"]["name"] == "t" and h["training"]["seed"] == 2 and e["seed"] == 3
    p = rows(t, "plans-robust-p-ready")
    years = list(e["p_ready_by_year"]["stochastic_plan"])
    assert p[""] == years
    for label, key in zip(ROBUST_LABELS, ("stochastic_plan", "deterministic_plan", "perfect_foresight"), strict=True):
        assert p[label] == [probability(v) for v in e["p_ready_by_year"][key].values()]
    vss = e["value_of_stochastic_solution"]
    change = p["value of the stochastic solution (stochastic − deterministic)"]
    assert [c.lstrip("+") for c in change] == [probability(v) for v in vss["p_ready_by_year"].values()]
    f = rows(t, "plans-robust-figures")
    assert f[""] == ROBUST_LABELS
    for label, key in zip(ROBUST_LABELS, ("stochastic_plan", "deterministic_plan", "perfect_foresight"), strict=True):
        cell = f["expected weighted shortfall"][ROBUST_LABELS.index(label)]
        assert number(cell) == pytest.approx(e["expected_weighted_shortfall"][key], rel=1e-3)
        assert f["expected total cost"][ROBUST_LABELS.index(label)] == money(e["expected_total_cost"][key], "EUR")
    first = f["first stage committed up to 2026Q4 (at the scenario's prices)"]
    assert first == [
        money(h["first_stage"]["stochastic_value"], "EUR"),
        money(h["first_stage"]["deterministic_value"], "EUR"),
        "–",
    ]
    cuts = e["cuts"]
    assert f["draws with commitments not made within the horizon (cuts)"] == [
        f"{cuts['stochastic_plan']['draws_with_cuts']} of 4",
        f"{cuts['deterministic_plan']['draws_with_cuts']} of 4",
        "–",
    ]
    assert f["mean value cut"][:2] == [
        money(cuts[k]["mean_cut_value"], "EUR") for k in ("stochastic_plan", "deterministic_plan")
    ]
    evaluation = pd.read_csv(rob / "evaluation.csv")
    assert f["draws without an optimal plan (not ready)"] == [
        str(int((evaluation[f"{prefix}:status"] != "optimal").sum()))
        for prefix in ("stochastic", "deterministic", "foresight")
    ]
    v = rows(t, "plans-robust-values")
    assert number(v["value of the stochastic solution (deterministic − stochastic plan)"][0]) == pytest.approx(
        vss["weighted_shortfall"], rel=1e-3, abs=1e-9
    )
    assert number(v["value of perfect information (stochastic plan − perfect foresight)"][0]) == pytest.approx(
        e["value_of_perfect_information"]["weighted_shortfall"], rel=1e-3, abs=1e-9
    )
    tr = rows(t, "plans-robust-training")
    assert tr["decision date (last period committed)"] == ["2026Q4"]
    assert tr["training draws K"] == ["3 (seed 2)"]
    assert tr["method"] == ["extensive form"] and tr["objective"] == ["expected weighted shortfall"]
    assert number(tr["objective value on the training draws"][0]) == pytest.approx(
        h["training"]["objective_value"], rel=1e-3
    )
    assert "4 fresh draws (seed\n3), not the 3 training draws" in text  # what the figures are
    assert "value of the stochastic solution is" in text  # and what they mean

    c = json.loads((com / "summary.json").read_text())
    assert c["scenario"]["name"] == "t" and c["seed"] == 3
    p = rows(t, "plans-commit-p-ready")
    assert p[""] == list(c["p_ready_by_year"]["committed"])
    assert p["committed plan"] == [probability(v) for v in c["p_ready_by_year"]["committed"].values()]
    assert p["perfect foresight"] == [probability(v) for v in c["p_ready_by_year"]["perfect_foresight"].values()]
    f = rows(t, "plans-commit-figures")
    assert f[""] == COMMIT_LABELS
    for n, key in enumerate(("committed", "perfect_foresight")):
        assert number(f["expected weighted shortfall"][n]) == pytest.approx(
            c["expected_weighted_shortfall"][key], rel=1e-3
        )
    assert f["committed up to 2026Q4 (at the plan's prices)"][0] == money(c["committed_value"], "EUR")
    assert f["draws with commitments not made within the horizon (cuts)"][0] == f"{c['cuts']['draws_with_cuts']} of 4"
    assert f["draws without an optimal plan (not ready)"] == [
        str(c["failed_draws"][k]) for k in ("committed", "perfect_foresight")
    ]
    v = rows(t, "plans-commit-values")
    assert number(v["value of perfect information (committed plan − perfect foresight)"][0]) == pytest.approx(
        c["value_of_perfect_information"]["weighted_shortfall"], rel=1e-3, abs=1e-9
    )
    assert rows(t, "plans-commit-setup")["draws"] == ["4 (seed 3)"]
    helping = t.tables["plans-commit-helping"][1:]
    assert len(helping) == len(c["most_valuable_commitments"]) > 0
    for shown, given in zip(helping, c["most_valuable_commitments"], strict=True):
        assert shown[1] == given["period"]
        assert float(shown[2]) == pytest.approx(given["shortfall_change_per_million"], rel=1e-3)
        assert float(shown[2]) < 0
    charts = [title for title in t.svg_titles if title.startswith("Ready by the end of each year")]
    assert charts == [
        "Ready by the end of each year: 4 fresh draws, each plan committed up to 2026Q4",
        "Ready by the end of each year: 4 draws, the plan committed up to 2026Q4",
    ]


def test_either_folder_alone(folders, tmp_path: Path, run) -> None:
    path, rob, com, _ = folders
    for option, folder, present, absent in (
        ("--robust", rob, "plans-robust", "plans-commit"),
        ("--commit", com, "plans-commit", "plans-robust"),
    ):
        report = tmp_path / f"{option[2:]}.html"
        code, _, err = run("report", str(path), option, str(folder), "-o", str(report))
        assert code == 0, err
        text = report.read_text()
        assert f'id="{present}"' in text and f'id="{absent}"' not in text and 'id="uncertainty"' not in text


def _summary(change: Callable[[dict], object]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        path = folder / "summary.json"
        data = json.loads(path.read_text())
        change(data)
        path.write_text(json.dumps(data))

    return damage


def _csv(name: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        path = folder / name
        path.write_text(change(pd.read_csv(path)).to_csv(index=False))

    return damage


def _p_ready_raised(t: pd.DataFrame) -> pd.DataFrame:
    t.loc[0, "p_ready_perfect_foresight"] = 0.123
    return t


BAD_ROBUST = {
    "summary.json missing": (
        lambda f: (f / "summary.json").unlink(),
        "summary.json: file not found; a materiel robust folder holds",
    ),
    "summary.json truncated": (
        lambda f: (f / "summary.json").write_text('{"decision_date": "20'),
        "summary.json: cannot read it as JSON",
    ),
    "summary.json a list": (
        lambda f: (f / "summary.json").write_text("[1, 2]"),
        "summary.json: not the summary materiel robust writes; give report the -o folder of a materiel robust run",
    ),
    "summary.json of something else": (
        lambda f: (f / "summary.json").write_text('{"draws": 4}'),
        "summary.json: not the summary materiel robust writes; give report the -o folder of a materiel robust run",
    ),
    "a field missing": (
        _summary(lambda d: d["evaluation"]["cuts"].pop("stochastic_plan")),
        "summary.json: no evaluation.cuts.stochastic_plan.draws_with_cuts (expected the summary materiel robust writes",
    ),
    "a number as text": (
        _summary(lambda d: d["training"].update(draws="3")),
        'summary.json: training.draws is "3", expected a whole number',
    ),
    "written before it named its scenario": (
        _summary(lambda d: d.pop("scenario")),
        "summary.json: no scenario.name (expected the summary materiel robust writes; an earlier materiel wrote less",
    ),
    "p_ready.csv missing": (
        lambda f: (f / "p_ready.csv").unlink(),
        "p_ready.csv: file not found; materiel robust writes it",
    ),
    "p_ready.csv empty": (lambda f: (f / "p_ready.csv").write_text(""), "p_ready.csv: cannot read the table"),
    "p_ready.csv without a plan": (
        _csv("p_ready.csv", lambda t: t.drop(columns="p_ready_deterministic_plan")),
        "p_ready.csv: no column p_ready_deterministic_plan",
    ),
    "p_ready.csv of another run": (
        _csv("p_ready.csv", _p_ready_raised),
        "p_ready.csv: P(ready by 2026) of the perfect foresight is 0.123, summary.json says",
    ),
    "p_ready.csv of other years": (
        _csv("p_ready.csv", lambda t: t.assign(year=t["year"] + 1)),
        "p_ready.csv: its years (2027, 2028) are not those of summary.json",
    ),
    "evaluation.csv missing": (lambda f: (f / "evaluation.csv").unlink(), "evaluation.csv: file not found"),
    "evaluation.csv short of a draw": (
        _csv("evaluation.csv", lambda t: t.iloc[:-1]),
        "evaluation.csv: 3 draws, summary.json says 4",
    ),
    "evaluation.csv of another run": (
        _csv(
            "evaluation.csv",
            lambda t: t.assign(**{"stochastic:weighted_shortfall": t["stochastic:weighted_shortfall"] + 1}),
        ),
        "evaluation.csv: the stochastic plan's mean weighted shortfall is",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROBUST))
def test_a_damaged_robust_folder_is_refused(folders, tmp_path: Path, run, case: str) -> None:
    path, rob, _, _ = folders
    folder = tmp_path / "rob"
    shutil.copytree(rob, folder)
    damage, message = BAD_ROBUST[case]
    damage(folder)
    report = tmp_path / "r.html"
    code, out, err = run("report", str(path), "--robust", str(folder), "-o", str(report))
    assert code == 2, (out, err)
    assert message in err and str(folder) in err
    assert "Traceback" not in err and not report.exists()


def test_the_wrong_kind_of_folder_is_refused(folders, tmp_path: Path, run) -> None:
    path, rob, com, sw = folders
    report = str(tmp_path / "r.html")
    for args, message in (
        (
            ("--robust", str(com)),
            f"{com / 'summary.json'}: the summary of a materiel commit run, not of materiel robust; give it to report with --commit",
        ),
        (
            ("--commit", str(rob)),
            f"{rob / 'summary.json'}: the summary of a materiel robust run, not of materiel commit; give it to report with --robust",
        ),
        (
            ("--robust", str(sw)),
            f"{sw / 'summary.json'}: the summary of a materiel sweep run, not of materiel robust; give it to report with --sweep",
        ),
        (
            ("--commit", str(tmp_path / "nowhere")),
            f"{tmp_path / 'nowhere'}: no such folder; give the -o folder of a materiel commit run",
        ),
        (("--robust", str(tmp_path)), f"{tmp_path / 'summary.json'}: file not found"),
    ):
        code, _, err = run("report", str(path), *args, "-o", report)
        assert code == 2 and message in err, (args, err)
        assert "Traceback" not in err and not Path(report).exists()


def test_a_folder_of_another_scenario_is_refused(folders, tmp_path: Path, run) -> None:
    """As report --sweep does: another scenario, or the same one with other --set values."""
    path, rob, com, _ = folders
    report = str(tmp_path / "r.html")
    code, _, err = run("report", str(TINY), "--robust", str(rob), "-o", report)
    assert code == 2 and f"{rob} holds a materiel robust run of t as it was then, not of" in err
    code, _, err = run("report", str(path), "--set", "funding[fund].budget=700", "--commit", str(com), "-o", report)
    assert code == 2 and f"{com} holds a materiel commit run of t as it was then" in err and "--set" in err
    assert not Path(report).exists()


BAD_COMMIT = {
    "draws.csv missing": (lambda f: (f / "draws.csv").unlink(), "draws.csv: file not found; materiel commit writes it"),
    "draws.csv of another run": (
        _csv(
            "draws.csv", lambda t: t.assign(**{"foresight:weighted_shortfall": t["foresight:weighted_shortfall"] * 2})
        ),
        "draws.csv: the perfect foresight's mean weighted shortfall is",
    ),
    "p_ready.csv of another run": (
        _csv("p_ready.csv", lambda t: t.assign(p_ready_committed=1.0)),
        "p_ready.csv: P(ready by 2026) of the committed plan is 1.0, summary.json says",
    ),
    "no seed": (_summary(lambda d: d.update(seed=None)), "summary.json: seed is null, expected a whole number"),
}


@pytest.mark.parametrize("case", list(BAD_COMMIT))
def test_a_damaged_commit_folder_is_refused(folders, tmp_path: Path, run, case: str) -> None:
    path, _, com, _ = folders
    folder = tmp_path / "com"
    shutil.copytree(com, folder)
    damage, message = BAD_COMMIT[case]
    damage(folder)
    report = tmp_path / "r.html"
    code, out, err = run("report", str(path), "--commit", str(folder), "-o", str(report))
    assert code == 2, (out, err)
    assert message in err and str(folder) in err
    assert "Traceback" not in err and not report.exists()


def test_the_method_and_objective_are_those_of_the_run(folders, tmp_path: Path, run) -> None:
    """Benders names its gap; a CVaR run names its level."""
    path = folders[0]
    common = ("robust", str(path), "--decision-date", "2026Q4", "--draws", "3", "--eval-draws", "2")
    for extra, method, objective in (
        (("--decomposition", "benders"), "multi-cut Benders, level-stabilised (", "expected weighted shortfall"),
        (("--alpha", "0.5"), "extensive form", "CVaR of weighted shortfall at α = 0.5"),
    ):
        folder, report = tmp_path / extra[0][2:], tmp_path / f"{extra[0][2:]}.html"
        assert run(*common, *extra, "-o", str(folder))[0] == 0
        code, _, err = run("report", str(path), "--robust", str(folder), "-o", str(report))
        assert code == 0, err
        training = rows(Tables(report.read_text()), "plans-robust-training")
        assert training["method"][0].startswith(method)
        assert training["method"][0] == json.loads((folder / "summary.json").read_text())["training"]["method"]
        assert training["objective"] == [objective]


def test_figures_no_draw_could_give_are_dashes(folders, tmp_path: Path, run) -> None:
    """Where no fresh draw gave every plan an optimal plan, summary.json holds null expectations:
    the section shows a dash for each and says why, rather than failing."""
    path, rob, _, _ = folders
    folder = tmp_path / "rob"
    shutil.copytree(rob, folder)
    _csv("evaluation.csv", lambda t: t.assign(**{"stochastic:status": "infeasible"}))(folder)

    def nothing_common(d: dict) -> None:
        e = d["evaluation"]
        e["common_draws"] = 0
        for key in ("expected_weighted_shortfall", "expected_total_cost"):
            e[key] = dict.fromkeys(e[key])
        e["value_of_stochastic_solution"]["weighted_shortfall"] = None
        e["value_of_perfect_information"]["weighted_shortfall"] = None

    _summary(nothing_common)(folder)
    report = tmp_path / "r.html"
    code, _, err = run("report", str(path), "--robust", str(folder), "-o", str(report))
    assert code == 0, err
    t = Tables(report.read_text())
    f = rows(t, "plans-robust-figures")
    assert f["expected weighted shortfall"] == ["–", "–", "–"] and f["expected total cost"] == ["–", "–", "–"]
    assert f["draws without an optimal plan (not ready)"][0] == "4"
    assert "no draw gave every plan an optimal plan" in report.read_text()
