"""The generated parts of docs/scenario.md: the field reference, from the schema models'
descriptions, and the limits, from the table of plausible ranges (bounds.py) and the reader's limits."""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import BaseModel

from . import schema
from .bounds import bounds_table
from .documents import (
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    MAX_TABLE_BYTES,
    MAX_TABLE_CELLS,
    MAX_UNPACKED_BYTES,
    MAX_YAML_BYTES,
)
from .messages import unwrap

ENTITIES: list[type[BaseModel]] = [
    schema.Scenario,
    schema.Horizon,
    schema.Currency,
    schema.Customer,
    schema.Item,
    schema.FiredBy,
    schema.Requirement,
    schema.ForceDesign,
    schema.Allotment,
    schema.Line,
    schema.Funding,
    schema.GdpShare,
    schema.Commitment,
    schema.Drawdown,
    schema.Replacement,
    schema.Threat,
    schema.Attack,
    schema.Defence,
    schema.Country,
    schema.Category,
    schema.Source,
    schema.PlannerSettings,
    schema.Preference,
    schema.Quantity,
    schema.Step,
    schema.Milestone,
]


def _type_name(annotation: object) -> str:
    tp = unwrap(annotation)
    origin = typing.get_origin(tp)
    if origin is list:
        inner = unwrap(typing.get_args(tp)[0])
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


def limits_reference() -> str:
    """The plausible ranges of figures (bounds.py) and the limits on files and text."""
    return "\n".join(
        [
            bounds_table(),
            "",
            f"Text: names, titles, units and references at most {schema.MAX_NAME:,} characters; notes,",
            f"descriptions, assumptions and statements of constraints at most {schema.MAX_TEXT:,}; a source's `url`",
            f"at most {schema.MAX_URL:,}. Files: a scenario file at most {MAX_YAML_BYTES / 1e6:,.0f} MB, a table",
            f"(CSV or XLSX) at most {MAX_TABLE_BYTES / 1e6:,.0f} MB and {MAX_TABLE_CELLS:,} cells, and a workbook",
            f"at most {MAX_UNPACKED_BYTES / 1e6:,.0f} MB unpacked; YAML aliases",
            f"may add at most {MAX_ALIAS_VALUES:,} values to those written, and values nest at most {MAX_DEPTH}",
            f"levels deep. A horizon has at most {schema.MAX_PERIODS:,} periods, whether written with `periods`",
            "or `end`.",
        ]
    )


GENERATED = {"fields": field_reference, "limits": limits_reference}


def update_docs(path: str) -> None:
    """Rewrite the generated parts of docs/scenario.md (between the ``<!-- name:start -->`` and
    ``<!-- name:end -->`` markers)."""
    doc = Path(path)
    text = doc.read_text()
    for name, generate in GENERATED.items():
        head, rest = text.split(f"<!-- {name}:start -->\n", 1)
        _, tail = rest.split(f"<!-- {name}:end -->", 1)
        text = f"{head}<!-- {name}:start -->\n{generate()}\n<!-- {name}:end -->{tail}"
    doc.write_text(text)
