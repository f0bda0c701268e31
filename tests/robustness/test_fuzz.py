"""Fuzz every numeric field of a small scenario with hostile numbers.

Each of NaN, ±inf, a negative number, zero, 1e308 and 1e-308 is written in turn into every number
of tests/fixtures/fuzz.yaml (a scenario that uses every kind of figure). Every case must end in one
of two ways: a located error (file, line and field) or a plan that the independent checker
accepts and that the assessment can judge. Never a traceback, never an "optimal" plan that breaks
its own rules. An infeasible plan explained in the scenario's words (exit 3) also counts as a
clear answer: validation cannot see a commitment that a changed capacity can no longer make.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from materiel.assessment import assess
from materiel.planner import PlanError, make_plan
from materiel.planner.check import check_plan
from materiel.scenario.errors import ScenarioError
from materiel.scenario.loader import load

FIXTURE = Path(__file__).parent.parent / "fixtures" / "fuzz.yaml"
BASE: dict[str, Any] = yaml.safe_load(FIXTURE.read_text())
HOSTILE: dict[str, float] = {
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "negative": -1.0,
    "zero": 0.0,
    "huge": 1e308,
    "tiny": 1e-308,
}

Path_ = tuple[str | int, ...]


def numeric_leaves(node: Any, at: Path_ = ()) -> Iterator[Path_]:
    """Every number written in the scenario (booleans are not numbers)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from numeric_leaves(value, (*at, key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from numeric_leaves(value, (*at, n))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield at


def with_value(path: Path_, value: float) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    node: Any = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return doc


def outcome(file: Path, whatifs: list[str]) -> str:
    """'error', 'infeasible' or 'plan' for a clear answer; raises AssertionError otherwise."""
    try:
        _, model = load(file, whatifs)
    except ScenarioError as exc:
        unlocated = [str(p) for p in exc.problems if p.line is None or not (p.path or p.loc)]
        assert not unlocated, f"errors without a line or field: {unlocated}"
        return "error"
    try:
        plan = make_plan(model)
    except PlanError as exc:
        assert exc.conflicts, f"a failed plan without an explanation: {exc}"
        return "infeasible"
    broken = check_plan(
        model,
        plan.orders,
        plan.investments,
        plan.funding,
        plan.stock,
        plan.retirements,
        plan.drawdowns,
        plan.components,
    )
    assert not broken, f"an optimal plan breaks its rules: {[str(v) for v in broken[:5]]}"
    assess(plan).summary()
    plan.summary()
    return "plan"


CASES = [(path, name) for path in numeric_leaves(BASE) for name in HOSTILE]


def scalar_spans(node: yaml.Node, at: Path_ = ()) -> Iterator[tuple[Path_, tuple[int, int]]]:
    """Where in the text each scalar of a composed YAML document is written: (path, (start, end))."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from scalar_spans(value, (*at, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for n, value in enumerate(node.value):
            yield from scalar_spans(value, (*at, n))
    else:
        yield at, (node.start_mark.index, node.end_mark.index)


# The fixture written once; each case splices one number into it (dumping the whole scenario
# again for each of the 623 cases took a third of the test's time).
TEXT = yaml.safe_dump(BASE, sort_keys=False)
SPANS = dict(scalar_spans(yaml.compose(TEXT)))
LITERALS = {name: yaml.safe_dump(value).splitlines()[0] for name, value in HOSTILE.items()}


def case_text(path: Path_, name: str) -> str:
    """The fixture's YAML with the number at ``path`` written as ``name``'s hostile value."""
    start, end = SPANS[path]
    return TEXT[:start] + LITERALS[name] + TEXT[end:]


def write_case(folder: Path, path: Path_, name: str) -> tuple[Path, list[str]]:
    """The fixture with one hostile number, written to a file of its own in ``folder``, and the
    what-ifs that bring the number into play."""
    file = folder / f"{'.'.join(map(str, path))}={name}.yaml"
    file.write_text(case_text(path, name))
    return file, (["cheaper"] if path[0] == "overrides" else [])


def census(folder: Path) -> dict[str, list[str]]:
    """Every case by what it gives ('error', 'infeasible', 'plan', or what went wrong), for
    docs/robustness.md: ``python -m tests.robustness.test_fuzz``."""
    found: dict[str, list[str]] = {}
    for path, name in CASES:
        try:
            kind = outcome(*write_case(folder, path, name))
        except AssertionError as exc:
            kind = str(exc).split(":")[0]
        except Exception as exc:  # a traceback is what the census counts
            kind = f"traceback ({type(exc).__name__})"
        found.setdefault(kind, []).append(f"{'.'.join(map(str, path))}={name}")
    return found


@pytest.fixture(scope="module")
def cases_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every case's file (a tmp_path each cost a fifth of a case's time)."""
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.parametrize(("path", "name"), CASES, ids=[f"{'.'.join(map(str, p))}={n}" for p, n in CASES])
def test_hostile_number_gets_a_clear_answer(cases_folder: Path, path: Path_, name: str) -> None:
    assert outcome(*write_case(cases_folder, path, name)) in ("error", "infeasible", "plan")


def test_each_case_is_the_fixture_with_one_number_changed() -> None:
    """Splicing gives, byte for byte, what dumping the changed scenario gives; and each hostile
    literal reads back as its value."""
    for path in numeric_leaves(BASE):
        assert case_text(path, "negative") == yaml.safe_dump(with_value(path, -1.0), sort_keys=False), path
    for name, value in HOSTILE.items():
        read = yaml.safe_load(LITERALS[name])
        assert type(read) is float and (read == value or (math.isnan(read) and math.isnan(value))), name


def test_the_fixture_itself_plans_and_passes_the_checker(tmp_path: Path) -> None:
    assert outcome(FIXTURE, []) == "plan"
    assert outcome(FIXTURE, ["cheaper"]) == "plan"
    assert len(CASES) >= 7 * 60  # every kind of figure is there to be fuzzed


if __name__ == "__main__":
    import tempfile
    import warnings

    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as scratch:
        for kind, cases in census(Path(scratch)).items():
            print(f"{len(cases):4d}  {kind}: {', '.join(cases[:12])}{' ...' if len(cases) > 12 else ''}")
    print(f"{len(CASES):4d}  in all")
