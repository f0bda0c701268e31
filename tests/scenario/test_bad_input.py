"""Each kind of bad input gets its own message naming the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from materiel.scenario.errors import ScenarioError
from materiel.scenario.loader import load

TINY = (Path(__file__).parent.parent / "fixtures" / "tiny.yaml").read_text()


def problems_for(tmp_path: Path, old: str, new: str) -> tuple[list, int]:
    """Replace ``old`` by ``new`` in the tiny scenario; return the problems and the line of the
    last line of ``new`` that has text (where the offending value is written)."""
    assert old in TINY, old
    at = TINY.index(old)
    text = TINY[:at] + new + TINY[at + len(old) :]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    written = new.rstrip("\n")
    line = text[: at + len(written)].count("\n") + 1
    with pytest.raises(ScenarioError) as info:
        load(path)
    for p in info.value.problems:
        assert p.file == str(path)
    return info.value.problems, line


CASES = [
    # (name, old text, new text, expected message fragment, expected path fragment)
    (
        "unknown field with suggestion",
        "    lead: {value: 0, unit: months}",
        "    lead: {value: 0, unit: months}\n    shares: {ukraine: 0.5}",
        "unknown field 'shares'; did you mean 'share'?",
        "lines[dear].shares",
    ),
    ("not a number", "capacity: {value: 800,", "capacity: {value: lots,", "expected a number (got 'lots')", "capacity"),
    (
        "unknown item reference",
        "    country: DE\n    item: shell",
        "    country: DE\n    item: shel",
        "unknown item 'shel'; did you mean 'shell'?",
        "lines[cheap].item",
    ),
    (
        "unknown category",
        "category: artillery-ammunition",
        "category: artillery-ammo",
        "unknown category 'artillery-ammo'; did you mean 'artillery-ammunition'?",
        "items[shell].category",
    ),
    (
        "bad period",
        "targets: [{by: 2026Q3, value: 500}]",
        "targets: [{by: 2026Q5, value: 500}]",
        "expected a year (2027), a quarter (2027Q3) or a month (2027-07)",
        "requirements[0].targets[0].by",
    ),
    (
        "currency without exchange rate",
        "price: {value: 5, unit: EUR}",
        "price: {value: 5, unit: XYZ}",
        "currency XYZ has no exchange rate in currency.fx; known: EUR",
        "lines[dear].price.unit",
    ),
    (
        "unknown time basis",
        "capacity: {value: 4000, unit: shells/year}",
        "capacity: {value: 4000, unit: shells/fortnight}",
        "'fortnight' is not a time basis; use day, week, month, quarter or year",
        "lines[dear].capacity.unit",
    ),
    (
        "duplicate id",
        "  - id: dear\n",
        "  - id: cheap\n",
        "duplicate id 'cheap' (first used at lines[0])",
        "lines[cheap].id",
    ),
    (
        "negative price",
        "price: {value: 2, unit: EUR}",
        "price: {value: -2, unit: EUR}",
        "a price must be positive (got -2)",
        "lines[cheap].price",
    ),
    (
        "share above one",
        "    lead: {value: 0, unit: months}",
        "    lead: {value: 0, unit: months}\n    share: {ukraine: 1.5}",
        "a share must lie between 0 and 1 (0% and 100%), got 1.5",
        "lines[dear].share.ukraine",
    ),
    (
        "horizon length twice",
        "horizon: {start: 2026Q1, periods: 4, period: quarter}",
        "horizon: {start: 2026Q1, periods: 4, end: 2027Q4, period: quarter}",
        "give exactly one of 'periods' or 'end'",
        "horizon",
    ),
    (
        "unknown source id",
        "price: {value: 2, unit: EUR}",
        "price: {value: 2, unit: EUR, source: nowhere}",
        "unknown source 'nowhere'",
        "lines[cheap].price.source",
    ),
    (
        "range around value",
        "price: {value: 2, unit: EUR}",
        "price: {value: 2, unit: EUR, low: 3}",
        "low (3) must not exceed value (2)",
        "lines[cheap].price",
    ),
    (
        "unknown origin region",
        "origins: [US]",
        "origins: [USA]",
        "'USA' is neither a country code nor a region",
        "funding[us-scheme].origins",
    ),
    (
        "missing required field",
        "    price: {value: 5, unit: EUR}\n",
        "\n",
        "required field 'price' is missing",
        "lines[dear]",
    ),
    ("unknown section", "funding:\n", "fundings:\n", "unknown section 'fundings'; did you mean 'funding'?", "fundings"),
    (
        "country not a code",
        "country: US",
        "country: America",
        "expected a two-letter ISO country code such as DE, UA or KR",
        "lines[dear].country",
    ),
    (
        "wrong value type",
        "interpolate: step",
        "interpolate: curvy",
        "expected 'linear' or 'step' (got 'curvy')",
        "requirements[0].interpolate",
    ),
    (
        "price with time basis",
        "price: {value: 2, unit: EUR}",
        "price: {value: 2, unit: EUR/year}",
        "a price or cost takes no time basis",
        "lines[cheap].price.unit",
    ),
    (
        "negative stock",
        "stock: {ukraine: 100}",
        "stock: {ukraine: -100}",
        "a stock cannot be negative (got -100)",
        "items[shell].stock.ukraine",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "message", "where"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_message(tmp_path: Path, name: str, old: str, new: str, message: str, where: str) -> None:
    problems, line = problems_for(tmp_path, old, new)
    assert len(problems) == 1, [str(p) for p in problems]
    p = problems[0]
    assert message in p.message
    assert where in p.path
    if name not in ("missing required field", "unknown section"):
        assert p.line == line, str(p)
    else:
        assert p.line is not None
    assert f"bad.yaml:{p.line}: " in str(p)


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(TINY.replace("customers:\n", "customers: [\n"))
    with pytest.raises(ScenarioError) as info:
        load(path)
    (p,) = info.value.problems
    assert "not valid YAML" in p.message and p.line is not None


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(TINY.replace("title: Tiny", "title: A\ntitle: Tiny"))
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert "not valid YAML" in info.value.problems[0].message
    assert "duplicate" in info.value.problems[0].message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = TINY.replace("pirce", "x").replace("    price: {value: 2, unit: EUR}", "    pirce: 2")
    text = text.replace("capacity: {value: 4000,", "capacity: {value: lots,")
    text = text.replace("title: Tiny hand-checkable scenario", "title: t\ncolour: blue")
    path = tmp_path / "many.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load(path)
    messages = [p.message for p in info.value.problems]
    assert any("unknown field 'pirce'" in m for m in messages)
    assert any("expected a number" in m for m in messages)
    assert any("unknown section 'colour'" in m for m in messages)
    assert any("required field 'price' is missing" in m for m in messages)


def test_reference_problems_reported_together(tmp_path: Path) -> None:
    text = TINY.replace("    item: shell\n    capacity: {value: 800", "    item: shel\n    capacity: {value: 800")
    text = text.replace("origins: [US]", "origins: [USA]").replace("category: artillery-ammunition", "category: ammo")
    path = tmp_path / "refs.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert len(info.value.problems) == 3


def test_error_in_a_csv_table_names_the_csv_file_and_row(tmp_path: Path) -> None:
    (tmp_path / "lines.csv").write_text(
        "id,supplier,country,item,capacity.value,capacity.unit,price.value,price.unit,lead.value\n"
        "cheap,Cheap Co,DE,shell,800,shells/year,2,EUR,3\n"
        "dear,Dear Co,US,shell,4000,shells/year,five,EUR,0\n"
    )
    start = TINY.index("lines:\n")
    end = TINY.index("funding:\n")
    (tmp_path / "s.yaml").write_text(TINY[:start] + "lines: lines.csv\n" + TINY[end:])
    with pytest.raises(ScenarioError) as info:
        load(tmp_path / "s.yaml")
    (p,) = info.value.problems
    assert p.file == str(tmp_path / "lines.csv") and p.line == 3
    assert "expected a number (got 'five')" in p.message and p.path == "lines[dear].price.value"


def test_missing_table_file(tmp_path: Path) -> None:
    start, end = TINY.index("lines:\n"), TINY.index("funding:\n")
    (tmp_path / "s.yaml").write_text(TINY[:start] + "lines: nowhere.csv\n" + TINY[end:])
    with pytest.raises(ScenarioError) as info:
        load(tmp_path / "s.yaml")
    assert "table file 'nowhere.csv' not found" in info.value.problems[0].message
