"""The field reference of docs/scenario.md, generated from the schema models' descriptions."""

from __future__ import annotations

import typing

from pydantic import BaseModel

from . import schema
from .messages import _unwrap

ENTITIES: list[type[BaseModel]] = [
    schema.Scenario,
    schema.Horizon,
    schema.Currency,
    schema.Customer,
    schema.Item,
    schema.Requirement,
    schema.ForceDesign,
    schema.Allotment,
    schema.Line,
    schema.Funding,
    schema.Commitment,
    schema.Country,
    schema.Category,
    schema.Source,
    schema.PlannerSettings,
    schema.Quantity,
    schema.Step,
    schema.Milestone,
]


def _type_name(annotation: object) -> str:
    tp = _unwrap(annotation)
    origin = typing.get_origin(tp)
    if origin is list:
        inner = _unwrap(typing.get_args(tp)[0])
        if inner is schema.Step:
            return "schedule"
        return f"list of {_type_name(inner)}"
    if origin is dict:
        return f"map of {_type_name(typing.get_args(tp)[1])}"
    if tp is schema.Quantity:
        return "figure"
    if isinstance(tp, type):
        return tp.__name__.lower() if issubclass(tp, BaseModel) else tp.__name__
    return str(tp).replace("typing.", "")


def field_reference() -> str:
    """Markdown tables: one per entity, one row per field."""
    out: list[str] = []
    for model in ENTITIES:
        out.append(f"### {model.__name__}\n")
        out.append((model.__doc__ or "").strip().splitlines()[0] + "\n")
        out.append("| field | type | required | description |")
        out.append("| --- | --- | --- | --- |")
        for name, field in model.model_fields.items():
            if model in (schema.Step, schema.Milestone) and name in schema.Quantity.model_fields:
                continue
            key = field.alias or name
            required = "yes" if field.is_required() else ""
            desc = (field.description or "").replace("|", "\\|")
            out.append(f"| `{key}` | {_type_name(field.annotation)} | {required} | {desc} |")
        out.append("")
    return "\n".join(out)


def update_docs(path: str) -> None:
    """Rewrite the generated part of docs/scenario.md (between the fields markers)."""
    from pathlib import Path

    doc = Path(path)
    text = doc.read_text()
    head, rest = text.split("<!-- fields:start -->\n", 1)
    _, tail = rest.split("<!-- fields:end -->", 1)
    doc.write_text(f"{head}<!-- fields:start -->\n{field_reference()}\n<!-- fields:end -->{tail}")
