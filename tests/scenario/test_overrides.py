"""What-if overrides change exactly what they name, and bad ones get located messages."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from materiel.scenario.errors import ScenarioError
from materiel.scenario.loader import load
from materiel.scenario.overrides import Applied, PathError, apply_override, parse_path, resolve

TINY = (Path(__file__).parent.parent / "fixtures" / "tiny.yaml").read_text()
WHATIFS = """
overrides:
  no-us:
    description: the US sells nothing
    set: {"lines[country=US].capacity": 0}
  dear:
    scale: {"lines[*].price": 2}
  late:
    shift: {"lines[cheap].capacity": {value: 2, unit: quarters}}
  small-eu:
    set: {"funding[eu].budget": 500}
  bad-path:
    set: {"lines[country=XX].capacity": 0}
  bad-value:
    set: {"lines[cheap].price": -3}
variants:
  grim: [no-us, dear]
"""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "w.yaml"
    p.write_text(TINY + WHATIFS)
    return p


def differing(a, b) -> set[str]:
    """Names of the ModelData arrays that differ between two compiled scenarios."""
    out = set()
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray) and not np.array_equal(x, y):
            out.add(f.name)
    return out


def test_overrides_change_exactly_what_they_name(path: Path) -> None:
    _, base = load(path)
    _, no_us = load(path, ["no-us"])
    assert differing(base, no_us) == {"cap"}
    assert no_us.cap[1].tolist() == [0, 0, 0, 0] and no_us.cap[0].tolist() == base.cap[0].tolist()
    _, dear = load(path, ["dear"])
    assert differing(base, dear) == {"price"} and np.allclose(dear.price, 2 * base.price)
    _, late = load(path, ["late"])
    assert differing(base, late) == set(), "a line running since the start is not delayed"
    _, small = load(path, ["small-eu"])
    assert (
        differing(base, small) == {"budget"} and small.budget[0, 0] == 500 and small.budget[1, 0] == base.budget[1, 0]
    )


def test_variant_composes_overrides(path: Path) -> None:
    _, grim = load(path, ["grim"])
    _, base = load(path)
    assert grim.cap[1].sum() == 0 and np.allclose(grim.price, 2 * base.price)


def test_command_line_assignment(path: Path) -> None:
    _, m = load(path, [], [("lines[dear].share.ukraine", 0.5)])
    assert m.share[1, 0] == 0.5


def test_set_on_a_figure_keeps_its_unit_and_records_the_what_if(path: Path) -> None:
    sc, _ = load(path, ["no-us"])
    step = sc.lines[1].capacity[0]
    assert step.value == 0 and step.unit == "shells/year" and "what-if 'no-us'" in step.assumption


def test_bad_path_is_located_at_the_override(path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load(path, ["bad-path"])
    (p,) = info.value.problems
    assert p.line == TINY.count("\n") + WHATIFS.split("\n").index('    set: {"lines[country=XX].capacity": 0}') + 1
    assert "no entry of lines has country=XX; values present: DE, US" in p.message


def test_bad_value_names_the_field_and_the_what_if(path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load(path, ["bad-value"])
    (p,) = info.value.problems
    assert p.path == "lines[cheap].price.value" and "a price must be positive (got -3)" in p.message
    assert "(value from what-if 'bad-value')" in p.message


def test_unknown_what_if(path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load(path, ["nope"])
    assert "no what-if called 'nope'; defined: bad-path, bad-value, dear, grim, late, no-us, small-eu" in str(
        info.value
    )


def test_path_parsing_and_selectors() -> None:
    assert parse_path("lines[country=KR].share.ukraine") == [
        ("lines", "country=KR"),
        ("share", None),
        ("ukraine", None),
    ]
    with pytest.raises(PathError):
        parse_path("lines..x")
    data = {"lines": [{"id": "a", "country": "DE", "v": 1}, {"id": "b", "country": "KR", "v": 2}]}
    assert [t.key for t in resolve(data, "lines[*].v")] == ["v", "v"]
    assert [t.loc for t in resolve(data, "lines[b].v")] == [("lines", 1, "v")]
    assert [t.loc for t in resolve(data, "lines[-1]")] == [("lines", 1)]
    with pytest.raises(PathError, match="no entry with id 'c'; ids: a, b"):
        resolve(data, "lines[c].v")
    with pytest.raises(PathError, match="is not a list"):
        resolve(data, "lines[a].v[0]")
    problems = apply_override(data, "x", {"scale": {"lines[*].id": 2}}, Applied())
    assert problems and "can only scale numbers" in problems[0].message


def test_shift_delays_ramps_but_not_what_runs_today() -> None:
    data = {
        "horizon": {"start": "2026Q1"},
        "lines": [{"id": "a", "capacity": [{"value": 100}, {"from": "2027Q1", "value": 200}]}],
    }
    assert (
        apply_override(data, "late", {"shift": {"lines[a].capacity": {"value": 2, "unit": "quarters"}}}, Applied())
        == []
    )
    assert data["lines"][0]["capacity"] == [{"value": 100}, {"from": "2027-07", "value": 200}]
