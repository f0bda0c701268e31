"""The inputs behind a result: every figure of the scenario with its unit, range and source."""

from __future__ import annotations

import pandas as pd

from .compiled import iter_quantities
from .schema import Scenario


def _entry_label(entry: object) -> str | None:
    """What names a list entry: its id; the attack and item of a defence, the customer and item of a
    requirement; the item of an allotment (None: only its position does)."""
    if (ident := getattr(entry, "id", None)) is not None:
        return str(ident)
    item = getattr(entry, "item", None)
    if item is None or hasattr(entry, "line"):  # a commitment is named by line, customer and period
        return None
    for pair in ("attack", "customer"):
        if (other := getattr(entry, pair, None)) is not None:
            return f"{other}/{item}"
    return str(item)


def field_path(sc: Scenario, loc: tuple) -> str:
    """A figure's location with entity ids: lines[rheinmetall-unterluss].price."""
    parts: list[str] = []
    node: object = sc
    for step in loc:
        if isinstance(step, int) and isinstance(node, list):
            item = node[step]
            label = _entry_label(item)
            if label is None or sum(_entry_label(other) == label for other in node) > 1:
                label = str(step)
            parts[-1] = f"{parts[-1]}[{label}]"
            node = item
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else getattr(node, str(step), None)
    return ".".join(parts)


def inputs_table(sc: Scenario) -> pd.DataFrame:
    """One row per figure: where it is, value, unit, range, and its source or assumption."""
    sources = {s.id: s for s in sc.sources}
    rows = []
    for loc, q in iter_quantities(sc, explicit=True):
        src = sources.get(q.source) if q.source else None
        rows.append(
            {
                "field": field_path(sc, loc),
                "value": q.value,
                "unit": q.unit or "",
                "year": q.year,
                "low": q.low,
                "high": q.high,
                "source": q.source or "",
                "source_date": src.date if src else "",
                "confidence": (src.confidence or "") if src else "",
                "assumption": q.assumption or "",
                "note": q.note or "",
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "field",
            "value",
            "unit",
            "year",
            "low",
            "high",
            "source",
            "source_date",
            "confidence",
            "assumption",
            "note",
        ],
    )


def sources_table(sc: Scenario) -> pd.DataFrame:
    """The scenario's sources table."""
    return pd.DataFrame(
        [s.model_dump() for s in sc.sources], columns=["id", "publisher", "title", "date", "url", "confidence", "note"]
    )
