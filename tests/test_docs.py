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
