"""Docs kept in step with the code."""

from __future__ import annotations

from pathlib import Path

from materiel.cli import app
from materiel.scenario.reference import field_reference

DOCS = Path(__file__).parent.parent / "docs"


def test_scenario_field_reference_is_generated_from_the_schema() -> None:
    text = (DOCS / "scenario.md").read_text()
    generated = text.split("<!-- fields:start -->\n", 1)[1].split("<!-- fields:end -->", 1)[0]
    assert generated.strip() == field_reference().strip(), "regenerate with: make docs"


def test_every_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert f"materiel {name}" in text, name


def test_every_constraint_family_is_in_the_model_docs() -> None:
    """Each family's docstring opens with its (in)equality, and model.md names every row block."""
    import materiel
    from materiel.planner.formulation import CONSTRAINT_FAMILIES, build

    for family in CONSTRAINT_FAMILIES:
        first = family.__doc__.strip().splitlines()[0]
        assert any(sign in first for sign in ("≤", "≥", "=")), family.__name__
    _, model = materiel.load(Path(__file__).parent / "fixtures" / "tiny.yaml")
    text = (DOCS / "model.md").read_text()
    for block in build(model).lp.row_blocks:
        assert f"`{block.name}`" in text, block.name


def test_the_results_data_md_quotes_are_those_of_the_shipped_scenario() -> None:
    """docs/data.md's default-plan and variants tables are recomputed here; its sensitivity table
    comes from a sweep too slow for the suite, so it records the scenario's digest instead."""
    from materiel.report.datadoc import block, block_digest, default_plan_block, shipped_results, variants_block
    from materiel.scenario.loader import load_scenario
    from materiel.uncertainty.runner import scenario_digest

    text = (DOCS / "data.md").read_text()
    results = shipped_results()
    base = results[0]
    assert block(text, "default-plan") == default_plan_block(base.plan, base.assessment), "regenerate: make docs"
    assert block(text, "variants") == variants_block(results), "regenerate: make docs"
    assert block_digest(text) == scenario_digest(load_scenario()), "the scenario changed since the sweep: make docs"
