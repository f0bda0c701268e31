"""Every bad scenario input gets a located error (file, line, field) or a located warning: never a
traceback, never silently accepted."""

from __future__ import annotations

import copy
import math
import time
from pathlib import Path
from typing import Any

import pytest

from materiel.scenario.errors import Problem, ScenarioError
from materiel.scenario.loader import load
from materiel.scenario.overrides import parse_assignment
from tests.builders import line, scenario, target, write
from tests.markers import ONE_WORKER

TINY = Path(__file__).parent.parent / "fixtures" / "tiny.yaml"


def refused(path: Path, whatifs: tuple[str, ...] = (), sets: tuple[str, ...] = ()) -> list[Problem]:
    """The problems that loading ``path`` (with what-ifs and --set assignments) reports."""
    with pytest.raises(ScenarioError) as info:
        load(path, list(whatifs), [parse_assignment(s) for s in sets])
    return info.value.problems


def refused_text(tmp_path: Path, old: str, new: str, **kw: Any) -> Problem:
    """The single problem of the tiny scenario with ``old`` replaced by ``new``."""
    text = TINY.read_text()
    assert old in text, old
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(old, new, 1))
    problems = refused(path, **kw)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def line_of(path: Path, fragment: str) -> int:
    """The 1-based line of ``path`` holding ``fragment``."""
    return next(n for n, text in enumerate(path.read_text().splitlines(), 1) if fragment in text)


# -- pydantic errors that escaped as tracebacks ------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("name: tiny", 'name: "has space"', "name", "expected an id of letters"),
        ("as_of: 2026-11", "as_of: yesterday", "as_of", "expected a date written YYYY"),
    ],
)
def test_top_level_fields_are_checked_with_their_own_rules(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    p = refused_text(tmp_path, old, new)
    assert p.path == field and message in p.message
    assert p.file == str(tmp_path / "bad.yaml") and p.line == line_of(tmp_path / "bad.yaml", new)


def test_an_empty_items_list_is_located(tmp_path: Path) -> None:
    doc = scenario(items=[], requirements=[], lines=[])
    p = refused(write(tmp_path, doc))
    assert [(x.path, x.message) for x in p] == [("items", "needs at least 1 entry (got 0)")]
    assert p[0].line is not None


def test_set_of_a_bad_name_is_located_and_says_where_the_value_came_from() -> None:
    (p,) = refused(TINY, sets=("name=../../etc",))
    assert p.path == "name" and "expected an id" in p.message and "--set" in p.message


def test_set_splits_at_the_first_equals_sign_outside_brackets(tmp_path: Path) -> None:
    """The documented example: the selector's '=' is part of the path."""
    sc, _ = load(TINY, [], [parse_assignment("lines[country=DE].share.ukraine=0")])
    assert sc.lines[0].share["ukraine"].value == 0
    assert parse_assignment("funding[eu].budget = 5") == ("funding[eu].budget", 5)


def test_set_without_an_equals_sign_says_how_to_write_it() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_assignment("lines[country=KR].share.ukraine")
    (p,) = info.value.problems
    assert p.file == "--set" and "expected PATH=VALUE" in p.message


def test_variants_that_include_each_other_are_refused_not_recursed(tmp_path: Path) -> None:
    doc = scenario(overrides={"o": {"set": {"title": "x"}}}, variants={"a": ["b"], "b": ["c", "o"], "c": ["a"]})
    (p,) = refused(write(tmp_path, doc), whatifs=("a",))
    assert "variants include each other in a loop: a → b → c → a" in p.message
    assert p.path == "variants.c" and p.line is not None


def test_overrides_section_of_the_wrong_shape_is_located(tmp_path: Path) -> None:
    problems = refused(write(tmp_path, scenario(overrides=["o"], variants=5)), whatifs=("o",))
    assert any("no what-if called 'o'" in p.message for p in problems)


# -- figures outside their plausible range -----------------------------------------------------

THREAT = {
    "attacks": [{"id": "drone", "name": "Drone", "rate": {"value": 300, "unit": "/month"}}],
    "defences": [{"attack": "drone", "item": "interceptor", "share": 0.5, "per_attack": 2, "p_kill": 0.8}],
}
INTERCEPTOR = {"id": "interceptor", "name": "Interceptor", "category": "air-defence", "stock": {"ukraine": 10}}


def with_threat(**sections: Any) -> dict[str, Any]:
    doc = scenario(**sections)
    doc["items"].append(INTERCEPTOR)
    doc["threat"] = THREAT
    return doc


@pytest.mark.parametrize(
    ("doc", "where", "message"),
    [
        (
            scenario(lines=[line("l", capacity={"value": 1e308})]),
            "lines[l].capacity.value",
            "at most 1e11 units per year",
        ),
        (scenario(lines=[line("l", price={"value": 1e308})]), "lines[l].price.value", "at most 1e11 EUR"),
        (scenario(lines=[line("l", price={"value": 1e-308})]), "lines[l].price.value", "too small for the solver"),
        (scenario(lines=[line("l", lead={"value": 1e308})]), "lines[l].lead.value", "at most 50 years"),
        (scenario(requirements=[target(1e308)]), "requirements[0].targets[0].value", "at most 1e11 units"),
        (
            scenario(items=[{**scenario()["items"][0], "stock": {"ukraine": 1e18}}]),
            "items[shell].stock.ukraine.value",
            "a stock must be at most 1e11 units",
        ),
        (
            scenario(funding=[{"id": "f", "name": "f", "budget": {"value": 1e308, "unit": "EUR/year"}}]),
            "funding[f].budget.value",
            "at most 1e14 EUR per year",
        ),
        (
            scenario(lines=[line("l", capacity={"value": 100, "low": -5, "high": 200})]),
            "lines[l].capacity.low",
            "cannot be negative",
        ),
        (
            scenario(currency={"base": "EUR", "year": 2025, "fx": {"USD": {"value": 0.9, "low": -1, "high": 1}}}),
            "currency.fx.USD.low",
            "an exchange rate (the low end of its range) must be positive",
        ),
        (
            scenario(currency={"base": "EUR", "year": 2025, "inflation": -1}),
            "currency.inflation.value",
            "inflation must be above -0.5 per year",
        ),
        (
            scenario(currency={"base": "EUR", "year": 2025, "inflation": {"value": 0.03, "high": 2}}),
            "currency.inflation.high",
            "must be at most 1 per year",
        ),
        (
            scenario(
                force_design=[
                    {
                        "customer": "ukraine",
                        "brigades": 10,
                        "reserve_days": -1,
                        "phase_in": [{"by": "2026Q4", "value": 1}],
                        "allotments": [{"item": "shell", "per_brigade": 5}],
                    }
                ]
            ),
            "force_design[0].reserve_days.value",
            "reserve days cannot be negative",
        ),
        (
            with_threat(),
            "threat.defences[0].per_attack.value",
            "interceptors per target must be positive (got 0)",
        ),
        (
            scenario(items=[{**scenario()["items"][0], "stock": {"ukraine": {"value": True}}}]),
            "items[shell].stock.ukraine.value",
            "expected a number, not true",
        ),
        (scenario(lines=[line("l", capacity=True)]), "lines[l].capacity", "expected a number, not true"),
    ],
    ids=[
        "capacity 1e308",
        "price 1e308",
        "price 1e-308",
        "lead 1e308",
        "target 1e308",
        "stock 1e18",
        "budget 1e308",
        "negative low capacity",
        "negative low exchange rate",
        "inflation -1",
        "inflation high 200%",
        "reserve days -1",
        "per_attack 0",
        "value true",
        "schedule true",
    ],
)
def test_figures_outside_their_range_are_refused_where_written(
    tmp_path: Path, doc: dict[str, Any], where: str, message: str
) -> None:
    if "per_attack" in where:
        doc["threat"]["defences"][0]["per_attack"] = 0
    path = write(tmp_path, doc)
    (p,) = refused(path)
    assert p.path.startswith(where) and message in p.message, str(p)
    assert p.file == str(path) and p.line is not None


def test_a_price_in_another_currency_is_held_to_the_range_in_the_base_currency(tmp_path: Path) -> None:
    """KRW 1e14 is EUR 7e10 at 0.0007: inside 1e11 EUR, so accepted; KRW 1e15 is not."""
    fx = {"base": "EUR", "year": 2025, "fx": {"KRW": 0.0007}}
    load(write(tmp_path, scenario(currency=fx, lines=[line("l", price={"value": 1e14, "unit": "KRW"})])))
    (p,) = refused(write(tmp_path, scenario(currency=fx, lines=[line("l", price={"value": 1e15, "unit": "KRW"})])))
    assert "at most 1e11 EUR" in p.message and p.path == "lines[l].price.value"


def test_a_rate_is_held_to_its_yearly_total_whatever_unit_it_is_written_in(tmp_path: Path) -> None:
    per_day = {"value": 3e8, "unit": "/day"}  # 1.1e11 a year
    (p,) = refused(write(tmp_path, scenario(lines=[line("l", capacity=per_day)])))
    assert "at most 1e11 units per year" in p.message
    load(write(tmp_path, scenario(lines=[line("l", capacity={"value": 2.7e8, "unit": "/day"})])))


@pytest.mark.parametrize("limit", [".inf", "'1e999'", "-.inf"])
def test_plain_float_settings_must_be_finite(tmp_path: Path, limit: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(TINY.read_text() + f"planner: {{time_limit: {limit}}}\n")
    (p,) = refused(path)
    assert p.path == "planner.time_limit" and "finite" in p.message
    assert p.line == len(path.read_text().splitlines())


@pytest.mark.parametrize("factor", [".inf", "'1e999'", ".nan"])
def test_a_scale_factor_must_be_finite(tmp_path: Path, factor: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(TINY.read_text() + f"overrides:\n  w: {{scale: {{'lines[0].price': {factor}}}}}\n")
    (p,) = refused(path, whatifs=("w",))
    assert p.path.startswith("overrides.w.scale") and "finite" in p.message and p.line is not None


def test_a_shift_beyond_fifty_years_is_refused(tmp_path: Path) -> None:
    doc = scenario(lines=[line("l")], overrides={"w": {"shift": {"lines[l].capacity": {"value": 1e300}}}})
    (p,) = refused(write(tmp_path, doc), whatifs=("w",))
    assert "a delay is at most 50 years" in p.message and p.line is not None


def test_a_horizon_written_with_end_has_the_same_limit_as_periods(tmp_path: Path) -> None:
    doc = scenario(horizon={"start": "2026-01", "end": "2200-12", "period": "month"})
    (p,) = refused(write(tmp_path, doc))
    assert p.path == "horizon" and "has 2,100 months; at most 1,200" in p.message
    load(write(tmp_path, scenario(horizon={"start": "2026-01", "end": "2125-12", "period": "month"})))


# -- warnings ----------------------------------------------------------------------------------


def test_a_milestone_after_the_horizon_is_a_located_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        scenario(
            lines=[line("l")],
            requirements=[
                {
                    "customer": "ukraine",
                    "item": "shell",
                    "targets": [{"by": "2026Q2", "value": 50}, {"by": "2031", "value": 90}],
                }
            ],
        ),
    )
    _, model = load(path)
    (w,) = model.warnings
    assert w.path == "requirements[0].targets[1].by" and w.file == str(path) and w.line is not None
    assert "2031 is after the horizon ends in 2026Q4" in w.message


def test_the_cli_prints_warnings_to_stderr_and_validate_counts_them(tmp_path: Path, run) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(TINY.read_text().replace("{by: 2026Q3, value: 500}", "{by: 2027Q3, value: 500}"))
    code, out, err = run("validate", str(path))
    assert code == 0, err
    line = line_of(path, "2027Q3")
    assert f"warning: {path}:{line}: requirements[0].targets[0].by: 2027Q3 is after the horizon" in err
    assert "1 warning(s) above" in out


# -- files that would take minutes or gigabytes to read ------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    """A few hundred bytes whose aliases expand to 10**levels values."""
    rows = ['a0: &a0 ["lol"]']
    rows += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, levels + 1)]
    return "\n".join(rows) + "\n"


@ONE_WORKER
def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(TINY.read_text() + billion_laughs())
    assert path.stat().st_size < 2_000
    started = time.perf_counter()
    (p,) = refused(path)
    assert time.perf_counter() - started < 5
    assert "aliases (*name) expand to more than 100,000 values" in p.message
    assert p.file == str(path) and p.line is not None and p.line > len(TINY.read_text().splitlines())


def test_a_few_aliases_are_still_fine(tmp_path: Path) -> None:
    text = TINY.read_text().replace("{value: 10000, unit: EUR/year}", "&budget {value: 10000, unit: EUR/year}", 1)
    text = text.replace("budget: {value: 10000, unit: EUR/year}", "budget: *budget")
    path = tmp_path / "s.yaml"
    path.write_text(text)
    sc, _ = load(path)
    assert sc.funding[1].budget[0].value == 10000


def test_a_scenario_file_beyond_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as fh:
        fh.truncate(10_000_001)  # sparse: no disk used, and reading it would take a while
    (p,) = refused(path)
    assert p.file == str(path) and "the limit is 10 MB" in p.message


def test_a_table_beyond_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    with (tmp_path / "lines.csv").open("wb") as fh:
        fh.truncate(50_000_001)
    start, end = TINY.read_text().index("lines:\n"), TINY.read_text().index("funding:\n")
    path = tmp_path / "s.yaml"
    path.write_text(TINY.read_text()[:start] + "lines: lines.csv\n" + TINY.read_text()[end:])
    (p,) = refused(path)
    assert "table lines.csv is 50.0 MB; the limit is 50 MB" in p.message
    assert p.file == str(path) and p.line == line_of(path, "lines: lines.csv")


def test_values_nested_too_deeply_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(TINY.read_text() + "description: " + "[" * 60 + "]" * 60 + "\n")
    (p,) = refused(path)
    assert "nested more than 50 levels deep" in p.message and p.line == len(TINY.read_text().splitlines()) + 1


def test_a_set_value_goes_through_the_same_limits() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_assignment("description=" + billion_laughs(7).replace("\n", ", ").join("{}"))
    assert "aliases" in info.value.problems[0].message and info.value.problems[0].file == "--set"


# -- text that breaks outputs --------------------------------------------------------------------


def source(**kw: Any) -> dict[str, Any]:
    return {"id": "s", "publisher": "p", "title": "t", "date": "2025", **kw}


@pytest.mark.parametrize("url", ["javascript:alert(document.domain)", "data:text/html,x", "file:///etc/passwd", "//x"])
def test_a_source_link_must_be_a_web_address(tmp_path: Path, url: str) -> None:
    (p,) = refused(write(tmp_path, scenario(sources=[source(url=url)])))
    assert p.path == "sources[s].url" and "expected a web address starting http:// or https://" in p.message


def test_web_addresses_are_kept(tmp_path: Path) -> None:
    sc, _ = load(write(tmp_path, scenario(sources=[source(url="https://example.org/a?b=c#d")])))
    assert sc.sources[0].url == "https://example.org/a?b=c#d"


@pytest.mark.parametrize("char", ["\ufffe", "\uffff", "\x07", "\x1b"])
def test_characters_a_spreadsheet_cannot_hold_are_refused(tmp_path: Path, char: str) -> None:
    path = tmp_path / "s.yaml"
    escaped = f"\\u{ord(char):04x}"  # YAML escapes, so the file itself is clean UTF-8
    path.write_text(TINY.read_text().replace("{id: ukraine, name: Ukraine}", f'{{id: ukraine, name: "Ukr{escaped}"}}'))
    (p,) = refused(path)
    assert p.path == "customers[ukraine].name" and f"U+{ord(char):04X} (at position 4)" in p.message
    assert p.line == line_of(path, "id: ukraine")


def test_a_lone_surrogate_is_refused_by_the_yaml_reader_or_the_schema(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from materiel.scenario.schema import Customer

    path = tmp_path / "s.yaml"
    path.write_text(TINY.read_text().replace("{id: ukraine, name: Ukraine}", '{id: ukraine, name: "Ukr\\ud800"}'))
    (p,) = refused(path)
    assert p.line == line_of(path, "id: ukraine")
    with pytest.raises(ValidationError):
        Customer.model_validate({"id": "ukraine", "name": "Ukr\ud800"})


def test_tab_and_newlines_are_allowed_in_text(tmp_path: Path) -> None:
    doc = scenario(description="one\ttwo\nthree\r\nfour")
    assert load(write(tmp_path, doc))[0].description == "one\ttwo\nthree\r\nfour"


@pytest.mark.parametrize(("field", "limit"), [("title", 400), ("description", 5000)])
def test_free_text_has_a_maximum_length(tmp_path: Path, field: str, limit: int) -> None:
    load(write(tmp_path, scenario(**{field: "x" * limit})))
    (p,) = refused(write(tmp_path, scenario(**{field: "x" * 100_000})))
    assert p.path == field and f"at most {limit:,} characters long (got 100,000)" in p.message


def test_every_text_field_of_the_schema_is_bounded() -> None:
    """Every string the schema accepts has a maximum length or a pattern (so no field can carry
    100,000 characters or an XML-illegal one into the reports)."""
    from materiel.scenario.schema import Scenario

    schema = Scenario.model_json_schema()
    unbounded: list[str] = []

    def visit(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "string" and not ({"maxLength", "pattern", "enum", "const"} & set(node)):
                unbounded.append(where)
            for key, value in node.items():
                visit(value, f"{where}.{key}")
        elif isinstance(node, list):
            for n, value in enumerate(node):
                visit(value, f"{where}[{n}]")

    visit(schema, "")
    assert unbounded == []


# -- every figure, fed the values that broke the solver or the loader ------------------------------

EVERY_FIGURE: dict[str, Any] = {
    "name": "every-figure",
    "title": "Every kind of figure",
    "as_of": "2026-11",
    "horizon": {"start": "2026Q1", "periods": 8, "period": "quarter"},
    "currency": {"base": "EUR", "year": 2025, "fx": {"USD": {"value": 0.9}}, "inflation": {"value": 0.03}},
    "customers": [{"id": "ukraine", "name": "Ukraine"}],
    "items": [
        {
            "id": "shell",
            "name": "Shell",
            "category": "artillery-ammunition",
            "loss": {"value": 0.05, "unit": "/year"},
            "wartime_use": {"value": 100, "unit": "/day"},
            "stock": {"ukraine": {"value": 1000}},
            "use": {"ukraine": {"value": 400, "unit": "/year"}},
        },
        {
            "id": "interceptor",
            "name": "Interceptor",
            "category": "air-defence",
            "stock": {"ukraine": {"value": 10}},
            "upkeep": {"value": 2e4, "unit": "EUR/year"},
            "fired_by": [{"system": "launcher", "rate": {"value": 4, "unit": "/day"}}],
            "min_coverage": {"value": 0.8},
        },
        {"id": "launcher", "name": "Launcher", "category": "air-defence", "system": True},
        {"id": "charge", "name": "Charge", "category": "artillery-ammunition", "component": True},
    ],
    "requirements": [{"customer": "ukraine", "item": "interceptor", "targets": [{"by": "2027Q4", "value": 50}]}],
    "force_design": [
        {
            "customer": "ukraine",
            "brigades": {"value": 10},
            "phase_in": [{"by": "2027Q4", "value": 1}],
            "reserve_days": {"value": 30},
            "allotments": [{"item": "shell", "per_brigade": {"value": 100}, "reserve_days": {"value": 20}}],
        }
    ],
    "lines": [
        {
            "id": "l",
            "supplier": "s",
            "country": "DE",
            "item": "shell",
            "capacity": [{"value": 4000, "unit": "/year", "growth": {"value": 0.1}, "cap": 8000}],
            "price": [{"value": 3000, "unit": "USD"}],
            "lead": {"value": 3, "unit": "months"},
            "expansion_max": {"value": 1000},
            "capex": {"value": 500},
            "build": {"value": 12},
            "share": {"ukraine": {"value": 1}},
            "needs": {"charge": {"value": 1}},
        },
        {
            "id": "m",
            "supplier": "s",
            "country": "FR",
            "item": "interceptor",
            "capacity": [{"value": 40}],
            "price": [{"value": 1e6}],
            "lead": {"value": 6},
            "stored": {"value": 100},
        },
        {
            "id": "c",
            "supplier": "s",
            "country": "FR",
            "item": "charge",
            "capacity": [{"value": 8000}],
            "price": [{"value": 500}],
            "lead": {"value": 0},
        },
    ],
    "funding": [
        {
            "id": "f",
            "name": "Fund",
            "budget": [{"value": 1e9, "unit": "EUR/year"}],
            "min_spend": {"value": 0.1},
            "capex": True,
            "upkeep": True,
            "fixed_charge": [{"value": 1e8, "unit": "EUR/year"}],
        },
        {
            "id": "g",
            "name": "Share of GDP",
            "gdp_share": {
                "country": "DE",
                "share": {"value": 0.001},
                "gdp": [{"value": 4e12, "unit": "EUR/year", "growth": {"value": 0.02}}],
            },
            "contributors": {"DE": 1},
        },
    ],
    "commitments": [{"line": "l", "customer": "ukraine", "period": "2026Q1", "quantity": {"value": 10}}],
    "drawdowns": [
        {
            "id": "dd",
            "donor": "US Army",
            "item": "interceptor",
            "customer": "ukraine",
            "stock": {"value": 50},
            "quantity": {"value": 30},
            "available": [{"value": 20}],
            "delivery": {"value": 2},
            "replacement": {"line": "m", "fund": "f", "delay": {"value": 12}},
        }
    ],
    "threat": {
        "attacks": [
            {"id": "drone", "name": "Drone", "rate": {"value": 300, "unit": "/month"}, "growth": {"value": 0.1}},
            {
                "id": "missile",
                "name": "Missile",
                "rate": {"value": 30, "unit": "/month"},
                "milestones": [{"by": "2027Q4", "value": 60, "unit": "/month"}],
            },
        ],
        "defences": [
            {
                "attack": "drone",
                "item": "interceptor",
                "share": {"value": 0.5},
                "per_attack": {"value": 2},
                "p_kill": {"value": 0.8},
            }
        ],
    },
    "assessment": {"sustainment_goal": {"value": 90}},
    "options": {
        "reassurance": {
            "cost_per_soldier_year": {"value": 75000},
            "rotation": {"value": 3},
            "willing": {"value": 25000},
            "contributors": {"value": 10},
        },
        "guarantee": {"envelope_share": {"value": 0.5}, "dependency": "a guarantor"},
    },
    "overrides": {"late": {"shift": {"lines[l].capacity": {"value": 6}}}},
}


def figures(node: Any, loc: tuple = ()) -> list[tuple]:
    """The location of every figure (a mapping with a value) in a scenario written as data."""
    if isinstance(node, dict):
        if "value" in node:  # a figure, and any figure inside it (a step's growth)
            return [
                loc,
                *(
                    found
                    for key, value in node.items()
                    if isinstance(value, dict)
                    for found in figures(value, (*loc, key))
                ),
            ]
        return [found for key, value in node.items() for found in figures(value, (*loc, key))]
    if isinstance(node, list):
        return [found for n, value in enumerate(node) for found in figures(value, (*loc, n))]
    return []


FIGURES = figures(EVERY_FIGURE)
BAD_VALUES = [math.nan, math.inf, -math.inf, -1.0, 0.0, 1e308, 1e-308, True, "1e999"]
OUT_OF_EVERY_RANGE = (math.nan, math.inf, -math.inf, 1e308, True, "1e999")


def figure_at(doc: dict[str, Any], loc: tuple) -> dict[str, Any]:
    node: Any = doc
    for step in loc:
        node = node[step]
    return node


def test_every_kind_of_figure_in_the_schema_is_fuzzed(tmp_path: Path) -> None:
    """The fuzz below covers every field of the schema that holds a figure."""
    from pydantic import BaseModel

    from materiel.scenario.compiled import iter_quantities
    from materiel.scenario.messages import unwrap
    from materiel.scenario.schema import Quantity, Scenario

    def holds_figures(annotation: Any) -> bool:
        tp = unwrap(annotation)
        args = getattr(tp, "__args__", ())
        return (isinstance(tp, type) and issubclass(tp, Quantity)) or any(holds_figures(a) for a in args)

    def models(tp: Any, seen: set) -> None:
        tp = unwrap(tp)
        for arg in getattr(tp, "__args__", ()):
            models(arg, seen)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and not issubclass(tp, Quantity) and tp not in seen:
            seen.add(tp)
            for f in tp.model_fields.values():
                models(f.annotation, seen)

    reachable: set = set()
    models(Scenario, reachable)
    in_schema = {
        (m.__name__, name) for m in reachable for name, f in m.model_fields.items() if holds_figures(f.annotation)
    }
    sc, _ = load(write(tmp_path, EVERY_FIGURE))
    assert {loc for loc, _ in iter_quantities(sc, explicit=True)} == set(FIGURES)

    def owner(loc: tuple) -> tuple[str, str]:
        node: Any = sc
        last = ("", "")
        for step in loc:
            if isinstance(node, BaseModel):
                last = (
                    type(node).__name__,
                    next(n for n, f in type(node).model_fields.items() if (f.alias or n) == step),
                )
                node = getattr(node, last[1])
            else:
                node = node[step]
        return last

    assert in_schema - {owner(loc) for loc in FIGURES} == set()


@pytest.mark.parametrize("loc", FIGURES, ids=[".".join(map(str, loc)) for loc in FIGURES])
def test_every_figure_gives_a_located_error_or_finite_model_data(tmp_path: Path, loc: tuple) -> None:
    """NaN, ±inf, negative, zero, 1e308, 1e-308, a boolean and '1e999' as the value, and as the low
    end of the range: each loads into finite arrays or is refused with file and line, and a value
    outside every range is refused at the figure itself."""
    import numpy as np

    for key in ("value", "low"):
        for bad in BAD_VALUES:
            doc = copy.deepcopy(EVERY_FIGURE)
            figure_at(doc, loc)[key] = bad
            path = write(tmp_path, doc)
            try:
                _, model = load(path, ["late"])
            except ScenarioError as exc:
                assert all(p.file and p.line for p in exc.problems), [str(p) for p in exc.problems]
                if bad in OUT_OF_EVERY_RANGE or (isinstance(bad, float) and math.isnan(bad)):
                    assert any(p.loc[: len(loc)] == loc for p in exc.problems), (
                        key,
                        bad,
                        [str(p) for p in exc.problems],
                    )
                continue
            assert not (bad in OUT_OF_EVERY_RANGE or (isinstance(bad, float) and math.isnan(bad))), (key, bad)
            for name, value in vars(model).items():
                if isinstance(value, np.ndarray) and value.dtype.kind == "f":
                    assert np.isfinite(value).all(), (key, bad, name)


def test_docs_list_the_limits_validation_applies() -> None:
    from materiel.scenario.reference import limits_reference

    text = (Path(__file__).parent.parent.parent / "docs" / "scenario.md").read_text()
    generated = text.split("<!-- limits:start -->\n", 1)[1].split("<!-- limits:end -->", 1)[0]
    assert generated.strip() == limits_reference().strip(), "regenerate with: make docs"


# -- any shape of data where a section, entity or field is expected --------------------------------

GARBAGE = [None, 5, "x", [], {}, [None], [{}], True, {"file": 5}, "x.csv"]


def shapes(node: Any, loc: tuple = ()) -> list[tuple]:
    """Every key and list entry of a scenario written as data."""
    inner: list[tuple] = []
    if isinstance(node, dict):
        inner = [found for key, value in node.items() for found in shapes(value, (*loc, key))]
    elif isinstance(node, list):
        inner = [found for n, value in enumerate(node) for found in shapes(value, (*loc, n))]
    return ([loc] if loc else []) + inner


def test_any_value_anywhere_gives_located_problems_never_a_traceback(tmp_path: Path) -> None:
    """Each key of a scenario with what-ifs, a threat and options, replaced in turn by each of a
    handful of wrong shapes, loaded plain and through a variant."""
    import yaml

    base = yaml.safe_load(TINY.read_text())
    base["overrides"] = {
        "w": {"set": {"title": "x"}, "scale": {"lines[0].price": 2}, "shift": {"lines[0].capacity": 3}}
    }
    base["variants"] = {"v": ["w"]}
    base["threat"] = {
        "attacks": [{"id": "a", "name": "A", "rate": 3}],
        "defences": [{"attack": "a", "item": "shell", "per_attack": 1, "p_kill": 0.5}],
    }
    base["options"] = {"reassurance": {"cost_per_soldier_year": 1, "rotation": 2, "willing": 3}}
    for loc in shapes(base):
        for wrong in GARBAGE:
            doc = copy.deepcopy(base)
            figure_at(doc, loc[:-1])[loc[-1]] = wrong
            path = write(tmp_path, doc)
            for whatifs in ((), ("v",)):
                try:
                    load(path, whatifs)
                except ScenarioError as exc:
                    assert all(p.file and "bug in materiel" not in p.message for p in exc.problems), (loc, wrong)


def test_a_what_if_scales_figures_read_from_a_csv_table(tmp_path: Path) -> None:
    """Every cell of a CSV table is text: scaling must multiply '2' as the number it is."""
    (tmp_path / "lines.csv").write_text(
        "id,supplier,country,item,capacity.value,capacity.unit,price.value,price.unit,lead.value\n"
        "cheap,Cheap Co,DE,shell,800,shells/year,2,EUR,3\n"
    )
    text = TINY.read_text()
    start, end = text.index("lines:\n"), text.index("funding:\n")
    path = tmp_path / "s.yaml"
    path.write_text(
        text[:start] + "lines: lines.csv\n" + text[end:] + "overrides:\n  dear: {scale: {'lines[cheap].price': 3}}\n"
    )
    sc, _ = load(path, ["dear"])
    assert sc.lines[0].price[0].value == 6


def test_exponent_numbers_without_a_dot_are_numbers(tmp_path: Path) -> None:
    """YAML 1.1 reads 1e6 as text; a scale factor written so must still multiply."""
    path = tmp_path / "s.yaml"
    path.write_text(TINY.read_text() + "overrides:\n  big: {scale: {'lines[cheap].capacity': 1e1}}\n")
    sc, _ = load(path, ["big"])
    assert sc.lines[0].capacity[0].value == 8000


def test_a_variant_loop_is_found_by_validate_even_when_not_applied(tmp_path: Path) -> None:
    doc = scenario(overrides={"o": {"set": {"title": "x"}}}, variants={"a": ["a"], "b": ["o", "nope"]})
    problems = refused(write(tmp_path, doc))
    assert sorted((p.path, p.message.split(";")[0]) for p in problems) == [
        ("variants.a", "variants include each other in a loop: a → a"),
        ("variants.b", "no what-if called 'nope'"),
    ]


def test_control_characters_quoted_from_the_input_are_printed_as_escapes(tmp_path: Path) -> None:
    """An unknown field named with a terminal escape sequence cannot recolour or clear the screen."""
    path = tmp_path / "s.yaml"
    path.write_text(TINY.read_text() + '"\\e[2Jcolour\\nfake.yaml:1: ok": blue\n')
    (p,) = refused(path)
    assert "\x1b" not in str(p) and "\\x1b[2Jcolour\\nfake.yaml" in str(p)
    assert "\n" not in str(p)


def tiny_with_lines_table(tmp_path: Path, spec: str) -> Path:
    text = TINY.read_text()
    start, end = text.index("lines:\n"), text.index("funding:\n")
    path = tmp_path / "s.yaml"
    path.write_text(text[:start] + f"lines: {spec}\n" + text[end:])
    return path


def test_a_table_with_more_cells_than_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from materiel.scenario import documents

    monkeypatch.setattr(documents, "MAX_TABLE_CELLS", 20)  # the real limit, 5 million, takes seconds to fill
    header = "id,supplier,country,item,capacity.value,price.value,lead.value\n"
    (tmp_path / "lines.csv").write_text(header + "".join(f"l{n},S,DE,shell,8,2,3\n" for n in range(3)))
    path = tiny_with_lines_table(tmp_path, "lines.csv")
    (p,) = refused(path)
    assert "lines.csv has more than 20 cells, the limit" in p.message and p.line == line_of(path, "lines: lines.csv")


def test_a_misspelt_key_of_a_table_reference_is_refused(tmp_path: Path) -> None:
    path = tiny_with_lines_table(tmp_path, "{file: t.xlsx, sheeet: lines}")
    (p,) = refused(path)
    assert "unknown key 'sheeet'" in p.message and p.line == line_of(path, "sheeet")


def test_reserve_days_written_in_months_are_converted(tmp_path: Path) -> None:
    """10 brigades × 5 + one month (365/12 days) × 10 a day = 354.17; the unit was ignored before (60)."""
    shell = {**scenario()["items"][0], "wartime_use": {"value": 10, "unit": "/day"}}
    design = {
        "customer": "ukraine",
        "brigades": 10,
        "reserve_days": {"value": 1, "unit": "months"},
        "phase_in": [{"by": "2026Q1", "value": 1}],
        "allotments": [{"item": "shell", "per_brigade": 5}],
    }
    _, model = load(write(tmp_path, scenario(items=[shell], force_design=[design])))
    assert model.target[0, 0].tolist() == pytest.approx([50 + 3650 / 12] * 4)


def test_inflation_written_in_percent_is_a_percentage(tmp_path: Path) -> None:
    """3 % a year moves a 2024 price of 100 to 103 in 2025; the '%' was ignored before (400)."""
    doc = scenario(
        currency={"base": "EUR", "year": 2025, "inflation": {"value": 3, "unit": "%"}},
        lines=[line("l", price={"value": 100, "unit": "EUR", "year": 2024})],
    )
    _, model = load(write(tmp_path, doc))
    assert model.price[0].tolist() == pytest.approx([103.0] * 4)


@ONE_WORKER
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_input_is_read_only_up_to_the_limit() -> None:
    """/dev/zero reports a size of 0; reading it whole never ends."""
    started = time.perf_counter()
    (p,) = refused(Path("/dev/zero"))
    assert "over the limit of 10 MB" in p.message and time.perf_counter() - started < 10


def test_a_path_the_file_system_cannot_use_is_a_located_error() -> None:
    (p,) = refused(Path("a" * 5000))
    assert "cannot use this path: File name too long" in p.message and len(str(p)) < 300


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    """Zeros compress a thousandfold: a 200 kB workbook can hold 200 MB of sheet."""
    import zipfile

    with (
        zipfile.ZipFile(tmp_path / "t.xlsx", "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(201):
            member.write(b"\0" * 1_000_000)
    assert (tmp_path / "t.xlsx").stat().st_size < 1_000_000
    path = tiny_with_lines_table(tmp_path, "{file: t.xlsx, sheet: lines}")
    (p,) = refused(path)
    assert "workbook t.xlsx unpacks to 201 MB; the limit is 200 MB" in p.message
    assert p.line == line_of(path, "t.xlsx")
