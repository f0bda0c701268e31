"""plan.xlsx as an analyst reads it (docs/cli.md, "The workbook"): a Summary sheet first, number
formats chosen from what each column means, inputs named by entity and field with links to their
sources, and the comparison as numbers.

A column's format follows from its name, the same in every run: money in the scenario's currency
(shown in millions or billions, whichever the column's typical amount is in), shares as per cent,
quantities and days with thousands separators, years as plain years. The values stay exact; only
their display changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..scenario.provenance import inputs_table, sources_table
from ..scenario.schema import Scenario
from .xlsx import Sheet

MONEY_COLUMNS = frozenset(
    {
        "unit_price",
        "cost",
        "amount",
        "budget",
        "spent",
        "carried_out",
        "min_spend",
        "upkeep",
        "available",
        "replacement_cost",
        "upkeep_per_year",
        "value",  # the components table: the value of the components made or used
    }
)
SHARE_COLUMNS = frozenset(
    {"coverage", "utilisation", "share_used", "engaged_share", "destroyed_share", "coverage_of_goal"}
)
COUNT_COLUMNS = frozenset(
    {"quantity", "stock", "target", "shortfall", "unmet_use", "ordered", "can_fire_within_goal", "arriving_within_goal"}
)
RATE_COLUMNS = frozenset(
    {
        "base_per_year",
        "added_per_year",
        "total_per_year",
        "use_per_day",
        "fire_per_day",
        "demand_per_month",
        "launches_per_month",
    }
)
DAYS_COLUMNS = frozenset({"days", "days_alone", "days_to_exhaustion"})
YEAR_COLUMNS = frozenset({"year", "replacement_year"})

SHARE = "0.0%"
COUNT = "#,##0"
RATE = "#,##0.0"
YEAR = "0"
DECIMAL = "#,##0.00"
# sheets whose every numeric column but the year is one kind
SHEET_KINDS = {"shortfall_by_category": "share", "spend_by_year": "money"}


def money_format(values: pd.Series | np.ndarray, currency: str) -> str:
    """'"USD "#,##0.00,,," bn"' for a column of billions, millions alike, else whole units: the
    scale of the column's median non-zero amount, so that one column reads in one unit."""
    amounts = np.abs(np.asarray(values, dtype=float))
    amounts = amounts[np.isfinite(amounts) & (amounts > 0)]
    typical = float(np.median(amounts)) if amounts.size else 0.0
    prefix = f'"{currency} "'
    if typical >= 0.9995e9:  # what rounds to 1.00 bn reads in billions
        return prefix + '#,##0.00,,," bn"'
    if typical >= 0.9995e6:
        return prefix + '#,##0.00,," m"'
    return prefix + "#,##0"


def column_format(name: str, values: pd.Series, currency: str, sheet_kind: str | None = None) -> str | None:
    """The number format of a numeric column, from its name (None for a text column)."""
    if values.dtype.kind not in "iuf":
        return None
    if name in YEAR_COLUMNS:
        return YEAR
    kind = sheet_kind
    if name in MONEY_COLUMNS or name.endswith(f"({currency})"):
        kind = "money"
    elif name in SHARE_COLUMNS or name.endswith("(share)"):
        kind = "share"
    elif name in COUNT_COLUMNS or name in DAYS_COLUMNS or name.startswith(("days of war", "troops")):
        kind = "count"
    elif name in RATE_COLUMNS:
        kind = "rate"
    return {"money": None, "share": SHARE, "count": COUNT, "rate": RATE}.get(kind or "", DECIMAL) or money_format(
        values, currency
    )


def table_sheet(name: str, table: pd.DataFrame, currency: str) -> Sheet:
    """A table with the number format of each numeric column."""
    kind = SHEET_KINDS.get(name)
    formats = {}
    for col in table.columns:
        code = column_format(str(col), table[col], currency, kind)
        if code is not None:
            formats[col] = code
    return Sheet(table, formats)


def _figure_kind(figure: str, value: object) -> str | None:
    """What a summary figure is, from its label: money, a share, days (None: text)."""
    if not isinstance(value, (int, float, np.number)) or isinstance(value, bool):
        return None
    if "share" in figure or "spent in" in figure:
        return "share"
    if figure.startswith("days of war"):
        return "days"
    if "year" in figure and "price" in figure:
        return "year"
    return "money"


def summary_sheet(frame: pd.DataFrame, currency: str, price_year: int) -> Sheet:
    """The headline figures (``figure``, ``value``) with a unit column and a format per figure."""
    kinds = [_figure_kind(f, v) for f, v in zip(frame["figure"], frame["value"], strict=True)]
    units = {
        "money": f"{currency}, {price_year} prices",
        "share": "share of the money paid to producers",
        "days": "days of war",
    }
    codes = {"money": None, "share": SHARE, "days": COUNT, "year": YEAR}
    table = frame.assign(unit=[units.get(k or "", "") for k in kinds])
    cell_formats = [
        (money_format([v], currency) if k == "money" else codes.get(k or ""))
        for k, v in zip(kinds, frame["value"], strict=True)
    ]
    return Sheet(table, cell_formats={"value": cell_formats})


_KIND_WORDS = {
    "lines": "Line",
    "items": "Item",
    "customers": "Customer",
    "funding": "Funding",
    "requirements": "Target",
    "force_design": "Force design",
    "commitments": "Commitment",
    "drawdowns": "Drawdown",
    "attacks": "Attack",
    "defences": "Defence",
    "categories": "Category",
    "countries": "Country",
}


def _names(sc: Scenario) -> dict[str, str]:
    """Display names by id: items, customers, funding vehicles, attacks, categories."""
    out = {}
    for group in (sc.items, sc.customers, sc.funding, sc.categories, sc.threat.attacks if sc.threat else []):
        out |= {entry.id: entry.name for entry in group}
    return out | {line.id: line.supplier for line in sc.lines}


def _entry_name(entry: object, names: dict[str, str]) -> str | None:
    """How a reader knows a list entry: its display name, a line's supplier and item, a target's
    customer and item (None: no name, e.g. a milestone)."""
    if (name := getattr(entry, "name", None)) is not None and not isinstance(entry, Scenario):
        return str(name)
    if (supplier := getattr(entry, "supplier", None)) is not None:
        item = names.get(getattr(entry, "item", ""), getattr(entry, "item", ""))
        return f"{supplier}, {item}"
    if (donor := getattr(entry, "donor", None)) is not None:
        return f"{donor}, {names.get(entry.item, entry.item)}"  # type: ignore[attr-defined]
    parts = [
        names.get(v, v)
        for v in (getattr(entry, key, None) for key in ("attack", "customer", "line", "item"))
        if isinstance(v, str)
    ]
    return ", ".join(parts) or None


def input_label(sc: Scenario, loc: tuple, names: dict[str, str] | None = None) -> str:
    """A figure named as a reader knows it: 'Line Rheinmetall (Unterlüß), 155 mm artillery shell —
    capacity from 2027Q1'; the field path (``inputs.csv``'s ``field``) stays the id-based key."""
    names = names if names is not None else _names(sc)
    entity: list[str] = []  # the named entries on the way, outermost first
    words: list[str] = []  # field words since the last named entry
    node: object = sc
    for i, step in enumerate(loc):
        if isinstance(step, int) and isinstance(node, list):
            entry = node[step]
            name = _entry_name(entry, names)
            if name is not None:
                kind = _KIND_WORDS.get(str(loc[i - 1]), str(loc[i - 1]).rstrip("s").replace("_", " ")) if i else ""
                entity.append(f"{kind if not entity else kind.lower()} {name}".strip())
                words = []
            elif (by := getattr(entry, "by", None)) is not None:
                words.append(f"by {by}")
            elif (start := getattr(entry, "from_", None)) is not None:
                words.append(f"from {start}")
            elif step:
                words.append(f"#{step + 1}")
            node = entry
            continue
        words.append(names.get(str(step), str(step)).replace("_", " "))
        node = node.get(step) if isinstance(node, dict) else getattr(node, str(step), None)
    if not entity:
        entity, words = words[:1], words[1:]
        entity = [entity[0][:1].upper() + entity[0][1:]] if entity else ["Scenario"]
    head = ", ".join(entity)
    return f"{head} — {' '.join(words)}" if words else head


def inputs_sheet(sc: Scenario) -> Sheet:
    """Every input figure, labelled by entity and field, its source linked where it has a web address."""
    from ..scenario.compiled import iter_quantities

    table = inputs_table(sc)
    names = _names(sc)
    labels = [input_label(sc, loc, names) for loc, _ in iter_quantities(sc, explicit=True)]
    table.insert(0, "input", labels)
    urls = {s.id: s.url for s in sc.sources}
    return Sheet(
        table,
        formats={"year": YEAR},
        cell_formats={col: _as_entered(table[col]) for col in ("value", "low", "high")},
        links={"source": [urls.get(s) for s in table["source"]]},
    )


def _as_entered(values: pd.Series) -> list[str | None]:
    """Input figures as written in the scenario, in the unit beside them: whole numbers with
    thousands separators, fractions (rates, shares, exchange rates) in full."""
    return [COUNT if isinstance(v, float) and np.isfinite(v) and v.is_integer() else "General" for v in values]


def sources_sheet(sc: Scenario) -> Sheet:
    """The sources, each address a link."""
    table = sources_table(sc)
    return Sheet(table, links={"url": list(table["url"])})


def workbook_sheets(
    summary: pd.DataFrame, tables: dict[str, pd.DataFrame], sc: Scenario, currency: str
) -> dict[str, Sheet]:
    """Summary first, then each table with its formats, then the inputs and the sources."""
    return {
        "Summary": summary_sheet(summary, currency, sc.currency.year),
        **{name: table_sheet(name, table, currency) for name, table in tables.items()},
        "inputs": inputs_sheet(sc),
        "sources": sources_sheet(sc),
    }
