"""Reading scenario files into plain data while remembering where every value came from.

A scenario is one YAML file. Any list section (``lines``, ``items``, ``sources`` ...) may instead
name a table next to it: ``lines: lines.csv`` or ``lines: {file: tables.xlsx, sheet: lines}``.
Table columns name fields; a dotted column (``price.value``, ``share.ukraine``) fills a nested one.

The result is the data plus a position map from each field path to ``(file, line)``, so that
later errors can say exactly where the offending value was written.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Loc, Problem, ScenarioError

TABLE_SECTIONS = (
    "countries",
    "categories",
    "customers",
    "items",
    "requirements",
    "force_design",
    "lines",
    "funding",
    "commitments",
    "sources",
)
TABLE_SUFFIXES = (".csv", ".xlsx")


@dataclass
class Document:
    """Raw scenario data with the position of every value."""

    data: dict[str, Any]
    main_file: str
    positions: dict[Loc, tuple[str, int]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)  # every file read: the YAML, then its tables

    def where(self, loc: Loc) -> tuple[str, int | None]:
        """File and line of the deepest known prefix of ``loc``."""
        for n in range(len(loc), -1, -1):
            hit = self.positions.get(tuple(loc[:n]))
            if hit is not None:
                return hit
        return self.main_file, None


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML 1.2-style scalars: only true/false are booleans (``NO`` is Norway, not False) and
    dates stay text (an as-of date is a label, not a datetime)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _DuplicateKeyError(Exception):
    def __init__(self, key: str, first: int, second: int) -> None:
        super().__init__(key)
        self.key, self.first, self.second = key, first, second


def _build(loader: Any, node: yaml.Node, loc: Loc, name: str, out: dict[Loc, tuple[str, int]]) -> Any:
    """Construct plain data from a node tree, recording the line of every key and list item."""
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True))
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _DuplicateKeyError(key, seen[key], line)
            seen[key] = line
            out[(*loc, key)] = (name, line)
            result[key] = _build(loader, value_node, (*loc, key), name, out)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            out[(*loc, i)] = (name, item.start_mark.line + 1)
            items.append(_build(loader, item, (*loc, i), name, out))
        return items
    return loader.construct_object(node, deep=True)


def read_yaml(path: Path) -> tuple[Any, dict[Loc, tuple[str, int]]]:
    """Parse YAML, returning plain data and positions; syntax errors become a ScenarioError."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem((), "file not found", file=name)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem((), f"cannot read the file: {exc}", file=name)]) from None
    positions: dict[Loc, tuple[str, int]] = {}
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = _build(loader, node, (), name, positions) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        msg = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ScenarioError([Problem((), f"not valid YAML: {msg}", file=name, line=line)]) from None
    except _DuplicateKeyError as dup:
        msg = f"not valid YAML: duplicate key '{dup.key}' (first on line {dup.first})"
        raise ScenarioError([Problem((), msg, file=name, line=dup.second)]) from None
    finally:
        loader.dispose()
    return data, positions


def _set_dotted(row: dict[str, Any], column: str, value: Any) -> None:
    parts = column.split(".")
    target = row
    for part in parts[:-1]:
        nxt = target.setdefault(part, {})
        if not isinstance(nxt, dict):
            nxt = {"value": nxt}
            target[part] = nxt
        target = nxt
    if isinstance(target.get(parts[-1]), dict):
        target[parts[-1]]["value"] = value
    else:
        target[parts[-1]] = value


def _rows_to_records(
    header: list[str],
    rows: list[tuple[int, list[Any]]],
    name: str,
    loc: Loc,
    positions: dict[Loc, tuple[str, int]],
) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for line, cells in rows:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        record: dict[str, Any] = {}
        for column, cell in zip(header, cells, strict=False):
            if not column or cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            _set_dotted(record, column.strip(), cell.strip() if isinstance(cell, str) else cell)
        i = len(records)
        positions[(*loc, i)] = (name, line)
        for column in header:
            if column:
                key: Loc = (*loc, i, *column.strip().split("."))
                for n in range(len(loc) + 2, len(key) + 1):
                    positions.setdefault(key[:n], (name, line))
        records.append(record)
    return records


def read_table(
    path: Path, sheet: str | None, loc: Loc, positions: dict[Loc, tuple[str, int]], ref: tuple[str, int | None]
) -> list[dict[str, Any]]:
    """Read a CSV file or an XLSX sheet into records (one per row)."""

    def fail(message: str) -> ScenarioError:
        return ScenarioError([Problem(loc, message, file=ref[0], line=ref[1])])

    if not path.exists():
        return_msg = f"table file {path.name!r} not found (looked in {path.parent})"
        raise fail(return_msg)
    if path.suffix.lower() == ".csv":
        try:
            with path.open(newline="", encoding="utf-8-sig") as fh:
                all_rows = list(csv.reader(fh))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise fail(f"cannot read {path.name}: {exc}") from None
        if not all_rows:
            raise fail(f"{path.name} is empty; the first row must name the fields")
        name = str(path)
        body = [(n + 2, r) for n, r in enumerate(all_rows[1:])]
        return _rows_to_records(all_rows[0], body, name, loc, positions)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a bad workbook
            raise fail(f"cannot read workbook {path.name}: {exc}") from None
        sheet_name = sheet or str(loc[-1])
        if sheet_name not in wb.sheetnames:
            raise fail(f"workbook {path.name} has no sheet {sheet_name!r}; sheets: {', '.join(wb.sheetnames)}")
        rows = [list(r) for r in wb[sheet_name].iter_rows(values_only=True)]
        wb.close()
        if not rows:
            raise fail(f"sheet {sheet_name!r} of {path.name} is empty")
        header = [str(c) if c is not None else "" for c in rows[0]]
        body = [(n + 2, r) for n, r in enumerate(rows[1:])]
        return _rows_to_records(header, body, f"{path}[{sheet_name}]", loc, positions)
    raise fail(f"tables must be .csv or .xlsx files, got {path.name!r}")


def read_document(path: str | Path) -> Document:
    """Read a scenario file and the tables it names."""
    path = Path(path)
    data, positions = read_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError(
            [
                Problem(
                    (),
                    "a scenario file must be a mapping of sections (name:, horizon:, items: ...)",
                    file=str(path),
                    line=1,
                )
            ]
        )
    doc = Document(data=data, main_file=str(path), positions=positions, files=[path])
    problems: list[Problem] = []
    for section in TABLE_SECTIONS:
        value = data.get(section)
        spec: dict[str, Any] | None = None
        if isinstance(value, str) and value.lower().endswith(TABLE_SUFFIXES):
            spec = {"file": value}
        elif isinstance(value, dict) and "file" in value:
            spec = value
        if spec is None:
            continue
        ref = doc.where((section,))
        doc.files.append(path.parent / str(spec["file"]))
        try:
            data[section] = read_table(doc.files[-1], spec.get("sheet"), (section,), positions, (ref[0], ref[1]))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return doc
