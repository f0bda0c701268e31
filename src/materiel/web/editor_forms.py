"""The scenario editor's forms: every section of a scenario as a form of fields or a table of
entries (a section whose keys are paths, like overrides, as a block of YAML), each field named by
its path in the scenario so that a located problem lands at it, and the fields a user changed
turned back into changes of the text (docs/workspace.md, "Scenarios and the editor")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..scenario.errors import Loc
from ..scenario.schema import Scenario
from .scenario_text import Issue, dump, flow, parse_field, plain_key

TOP = "scenario"  # the form of the top-level scalars (name, title, description, as_of)


def titles() -> dict[str, str]:
    """Each top-level section's heading, in the schema's order."""
    return {name: name.replace("_", " ").capitalize() for name in Scenario.model_fields}


@dataclass
class Field:
    loc: Loc
    value: str
    long: bool = False  # shown as a text area (several lines or long text)
    errors: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The field's stable name on the page: its path with dots (``lines.2.price.value``)."""
        return ".".join(str(p) for p in self.loc)

    @property
    def name(self) -> str:
        return "f:" + self.key

    @property
    def label(self) -> str:
        return ".".join(str(p) for p in self.loc[1:] if not isinstance(p, int)) or str(self.loc[0])


@dataclass
class Table:
    loc: Loc
    columns: list[str]
    rows: list[list[Field | None]]  # None: the entry has no such field
    row_errors: dict[int, list[str]] = field(default_factory=dict)


@dataclass
class Section:
    key: str
    title: str
    kind: str  # "form", "table" or "yaml"
    fields: list[Field] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    yaml: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"y:{self.key}"


def _leaves(value: Any, loc: Loc) -> list[Field]:
    """Fields for a mapping: nested mappings of plain keys and lists of mappings (a schedule's
    steps) become dotted fields (``budget.0.value``); any other list or mapping is one field
    written inline as YAML."""
    if isinstance(value, dict) and value and all(plain_key(k) for k in value):
        return [f for k, v in value.items() for f in _leaves(v, (*loc, k))]
    if _is_table(value):
        return [f for n, v in enumerate(value) for f in _leaves(v, (*loc, n))]
    text = flow(value)
    return [Field(loc, text, long=len(text) > 60 or "\n" in text)]


def _table(entries: list[dict], loc: Loc) -> Table:
    rows = [
        {".".join(str(p) for p in f.loc[len(loc) + 1 :]): f for f in _leaves(e, (*loc, n))}
        for n, e in enumerate(entries)
    ]
    columns = list(dict.fromkeys(c for row in rows for c in row))
    return Table(loc, columns, [[row.get(c) for c in columns] for row in rows])


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def sections(data: dict) -> list[Section]:
    """The editor's sections for scenario data, in the schema's order (unknown keys last)."""
    heads = titles()
    out = [
        Section(
            TOP,
            "Scenario",
            "form",
            fields=[
                Field((k,), flow(data[k]), long=k == "description")
                for k in ("name", "title", "description", "as_of")
                if k in data
            ],
        )
    ]
    for key in [*heads, *(k for k in data if k not in heads)]:
        if key in ("name", "title", "description", "as_of") or key not in data:
            continue
        value, title = data[key], heads.get(key, str(key))
        if _is_table(value):
            out.append(Section(key, title, "table", tables=[_table(value, (key,))]))
        elif (
            isinstance(value, dict)
            and value
            and all(plain_key(k) for k in value)
            and key not in ("overrides", "variants")
        ):
            section = Section(key, title, "form")
            for k, v in value.items():
                if _is_table(v):
                    section.tables.append(_table(v, (key, k)))
                else:
                    section.fields += _leaves(v, (key, k))
            out.append(section)
        else:
            out.append(Section(key, title, "yaml", yaml=dump(value).removesuffix("\n...\n")))
    return out


def place(secs: list[Section], issues: list[Issue]) -> list[Issue]:
    """Attach each problem to the field it names, else to its entry's row, else to its section;
    the problems that fit none of them (the whole text's) are returned."""
    fields = {f.loc: f for s in secs for f in [*s.fields, *(c for t in s.tables for row in t.rows for c in row if c)]}
    rows = {(*t.loc, n): (t, n) for s in secs for t in s.tables for n in range(len(t.rows))}
    by_key = {s.key: s for s in secs}
    left: list[Issue] = []
    for issue in issues:
        loc = tuple(issue.loc)
        for n in range(len(loc), 0, -1):
            prefix = loc[:n]
            if prefix in fields:
                fields[prefix].errors.append(issue.message if n == len(loc) else f"{issue.field}: {issue.message}")
                break
            if prefix in rows:
                table, row = rows[prefix]
                table.row_errors.setdefault(row, []).append(f"{issue.field}: {issue.message}")
                break
            if n == 1 and str(prefix[0]) in by_key:
                by_key[str(prefix[0])].errors.append(f"{issue.field}: {issue.message}")
                break
        else:
            left.append(issue)
    return left


def changes(data: dict, form: dict[str, str]) -> dict[Loc, Any]:
    """The changes the submitted form makes to ``data``: fields (``f:`` + dotted path) whose text
    differs from what the page showed, and YAML blocks (``y:`` + section) that differ."""
    secs = sections(data)
    shown = {f.name: f for s in secs for f in [*s.fields, *(c for t in s.tables for row in t.rows for c in row if c)]}
    blocks = {s.name: s for s in secs if s.kind == "yaml"}
    out: dict[Loc, Any] = {}
    for name, text in form.items():
        text = text.replace("\r\n", "\n")
        if name in shown and text.strip() != shown[name].value.strip():
            out[shown[name].loc] = parse_field(text)
        elif name in blocks and text.strip() != blocks[name].yaml.strip():
            out[(blocks[name].key,)] = parse_field(text) if text.strip() else None
    return out
