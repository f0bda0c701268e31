"""Components that cannot be planned get a located message each: file, line and field
(docs/model.md, "Components")."""

from __future__ import annotations

from pathlib import Path

import pytest

from materiel.scenario.errors import ScenarioError
from materiel.scenario.loader import load

BASE = """\
name: parts
title: shells from components
as_of: 2026-11
horizon: {start: 2026Q1, periods: 4, period: quarter}
currency: {base: EUR, year: 2025}
customers:
  - {id: ukraine, name: Ukraine}
items:
  - {id: shell, name: shell, category: artillery-ammunition, stock: {ukraine: 0}}
  - {id: charge, name: charge, category: artillery-ammunition, component: true}
  - {id: powder, name: powder, category: artillery-ammunition, unit: kg, component: true}
requirements:
  - {customer: ukraine, item: shell, targets: [{by: 2026Q4, value: 500}]}
lines:
  - id: shells
    supplier: S
    country: DE
    item: shell
    capacity: {value: 4000, unit: /year}
    price: {value: 2, unit: EUR}
    lead: {value: 0, unit: months}
    needs: {charge: 1}
  - id: charges
    supplier: C
    country: FR
    item: charge
    capacity: {value: 2400, unit: /year}
    price: {value: 1, unit: EUR}
    lead: {value: 0, unit: months}
    needs: {powder: 3}
  - id: powder-plant
    supplier: P
    country: FR
    item: powder
    capacity: {value: 9000, unit: /year}
    price: {value: 1, unit: EUR}
    lead: {value: 0, unit: months}
funding:
  - {id: eu, name: EU, budget: {value: 10000, unit: EUR/year}}
"""


def problems_for(tmp_path: Path, old: str, new: str) -> tuple[list, int, Path]:
    """Replace ``old`` by ``new`` in the scenario; the problems, the line of the last line of
    ``new`` with text, and the file."""
    assert BASE.count(old) == 1, old
    at = BASE.index(old)
    text = BASE[:at] + new + BASE[at + len(old) :]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    line = text[: at + len(new.rstrip("\n"))].count("\n") + 1
    with pytest.raises(ScenarioError) as info:
        load(path)
    return info.value.problems, line, path


def test_the_base_scenario_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(BASE)
    _, m = load(path)[:2]
    assert list(m.component) == [False, True, True]
    assert m.need[0, 1] == 1 and m.need[1, 2] == 3
    assert m.warnings == []


CASES = [
    # (name, old, new, message fragment, path fragment[, text on the line named, if not new's last])
    (
        "need of an unknown item",
        "    needs: {charge: 1}",
        "    needs: {charges: 1}",
        "unknown item 'charges'; did you mean 'charge'?",
        "lines[shells].needs.charges",
    ),
    (
        "need of an item that is not a component",
        "    needs: {powder: 3}",
        "    needs: {shell: 3}",
        "'shell' is not a component; a line can need only items marked 'component: true'",
        "lines[charges].needs.shell",
    ),
    (
        "need of zero",
        "    needs: {charge: 1}",
        "    needs: {charge: 0}",
        "a need must be positive",
        "lines[shells].needs.charge",
    ),
    (
        "negative need",
        "    needs: {charge: 1}",
        "    needs: {charge: -1}",
        "a need must be positive",
        "lines[shells].needs.charge",
    ),
    (
        "need beyond its range",
        "    needs: {charge: 1}",
        "    needs: {charge: {value: 1, high: 1.0e+5}}",
        "a need (the high end of its range) must be at most 10,000",
        "lines[shells].needs.charge.high",
    ),
    (
        "need that is text",
        "    needs: {charge: 1}",
        "    needs: {charge: one}",
        "one",
        "lines[shells].needs.charge",
    ),
    (
        "component no line makes",
        "    item: powder\n",
        "    item: charge\n",
        "no line makes component 'powder'; add a line whose item is 'powder'",
        "lines[charges].needs.powder",
        "    needs: {powder: 3}",
    ),
    (
        "component held by a customer",
        "component: true}\n  - {id: powder",
        "component: true, stock: {ukraine: 5}}\n  - {id: powder",
        "'charge' is a component: it goes only to the lines that need it, never to a customer; remove stock",
        "items[charge].stock",
        "stock: {ukraine: 5}",
    ),
    (
        "component with a target",
        "  - {customer: ukraine, item: shell, targets:",
        "  - {customer: ukraine, item: charge, targets:",
        "'charge' is a component: it goes only to the lines that need it, never to a customer, so it has no target",
        "requirements[0].item",
    ),
    (
        "component with upkeep",
        "component: true}\n  - {id: powder",
        "component: true, upkeep: {value: 5, unit: EUR/year}}\n  - {id: powder",
        "'charge' is a component: it goes only to the lines that need it, never to a customer; remove upkeep",
        "items[charge].upkeep",
        "upkeep: {value: 5",
    ),
    (
        "component that is a system",
        "component: true}\n  - {id: powder",
        "component: true, system: true}\n  - {id: powder",
        "'charge' is a component: it goes only to the lines that need it, never to a customer; remove system",
        "items[charge].system",
        "system: true",
    ),
    (
        "critical component",
        "component: true}\n  - {id: powder",
        "component: true, min_coverage: 0.5}\n  - {id: powder",
        "'charge' is a component: it goes only to the lines that need it, never to a customer; remove min_coverage",
        "items[charge].min_coverage",
        "min_coverage: 0.5",
    ),
    (
        "drawdown of a component",
        "funding:\n",
        "drawdowns:\n  - {id: dd, donor: US, item: charge, customer: ukraine, stock: 100,\n"
        "     available: {value: 40, unit: /year}, delivery: {value: 0, unit: months}}\nfunding:\n",
        "'charge' is a component: it goes only to the lines that need it, never to a customer, so no donor "
        "transfers it to one",
        "drawdowns[dd].item",
        "  - {id: dd",
    ),
    (
        "refurbishment line making a component",
        "    capacity: {value: 2400, unit: /year}\n",
        "    capacity: {value: 2400, unit: /year}\n    stored: 10\n",
        "line charges makes the component 'charge': only end items are refurbished from storage; remove stored",
        "lines[charges].stored",
    ),
    (
        "customer share of a component line",
        "    capacity: {value: 2400, unit: /year}\n",
        "    capacity: {value: 2400, unit: /year}\n    share: {ukraine: 0.5}\n",
        "line charges makes the component 'charge', which no customer takes",
        "lines[charges].share",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_component_problem_is_located(tmp_path: Path, case: tuple[str, ...]) -> None:
    _, old, new, message, where, *at = case
    problems, line, path = problems_for(tmp_path, old, new)
    if at:
        text = path.read_text()
        line = text[: text.index(at[0])].count("\n") + 1
    assert len(problems) == 1, [str(p) for p in problems]
    p = problems[0]
    assert message in p.message, p.message
    assert where in p.path, p.path
    assert p.file == str(path) and p.line == line, str(p)


def test_a_cycle_is_named_with_its_path(tmp_path: Path) -> None:
    """Powder made from charges, charges from powder: the cycle is named, with its lines."""
    problems, line, _ = problems_for(
        tmp_path,
        "    item: powder\n    capacity: {value: 9000, unit: /year}\n",
        "    item: powder\n    capacity: {value: 9000, unit: /year}\n    needs: {charge: 0.1}\n",
    )
    assert [p.message for p in problems] == [
        "components need each other in a cycle: charge → powder → charge (lines charges, powder-plant); "
        "a component cannot need itself"
    ]
    assert problems[0].path == "lines[powder-plant].needs.charge" and problems[0].line == line


def test_a_component_that_needs_itself_is_a_cycle(tmp_path: Path) -> None:
    problems, _, _ = problems_for(tmp_path, "    needs: {powder: 3}", "    needs: {charge: 0.5}")
    messages = [p.message for p in problems]
    assert (
        "components need each other in a cycle: charge → charge (lines charges); a component cannot need itself"
        in messages
    )


def test_a_commitment_on_a_component_line_is_refused(tmp_path: Path) -> None:
    problems, line, _ = problems_for(
        tmp_path,
        "funding:\n",
        "commitments:\n  - {line: charges, customer: ukraine, period: 2026Q1, quantity: 10}\nfunding:\n",
    )
    assert [p.path for p in problems] == ["commitments[0].line"] and problems[0].line == line - 1
    assert "line charges makes a component, which customers do not order" in problems[0].message


def test_a_component_nobody_needs_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "unused.yaml"
    path.write_text(BASE.replace("    needs: {charge: 1}\n", ""))
    m = load(path)[1]
    assert [(w.path, w.message) for w in m.warnings] == [
        (
            "items[charge].component",
            "lines make the component 'charge' but no line needs it, so their output is never used",
        )
    ]


def test_a_component_no_line_can_make_is_a_warning(tmp_path: Path) -> None:
    """A powder plant with no capacity and no room to expand: the charge line can make nothing."""
    path = tmp_path / "idle.yaml"
    path.write_text(BASE.replace("capacity: {value: 9000, unit: /year}", "capacity: {value: 0, unit: /year}"))
    m = load(path)[1]
    assert [(w.path, w.message) for w in m.warnings] == [
        (
            "items[powder].component",
            "no line making 'powder' has capacity in the horizon or may expand, so lines charges can make nothing",
        )
    ]
