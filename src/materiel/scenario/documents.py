"""Reading scenario files into plain data while remembering where every value came from.

A scenario is one YAML file. Any list section (``lines``, ``items``, ``sources`` ...) may instead
name a table next to it: ``lines: lines.csv`` or ``lines: {file: tables.xlsx, sheet: lines}``.
Table columns name fields; a dotted column (``price.value``, ``share.ukraine``) fills a nested one.

The result is the data plus a position map from each field path to ``(file, line)``, so that
later errors can say exactly where the offending value was written.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

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

    def where(self, loc: Loc) -> tuple[str, int | None]:
        """File and line of the deepest known prefix of ``loc``."""
        for n in range(len(loc), -1, -1):
            hit = self.positions.get(tuple(loc[:n]))
            if hit is not None:
                return hit
        return self.main_file, None


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _record_yaml(node: Any, loc: Loc, name: str, out: dict[Loc, tuple[str, int]]) -> None:
    if isinstance(node, CommentedMap):
        for key in node:
            try:
                line = node.lc.key(key)[0] + 1
            except (KeyError, TypeError):
                line = node.lc.line + 1
            out[(*loc, str(key))] = (name, line)
            _record_yaml(node[key], (*loc, str(key)), name, out)
    elif isinstance(node, CommentedSeq):
        for i, item in enumerate(node):
            try:
                line = node.lc.item(i)[0] + 1
            except (KeyError, TypeError):
                line = node.lc.line + 1
            out[(*loc, i)] = (name, line)
            _record_yaml(item, (*loc, i), name, out)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def read_yaml(path: Path) -> tuple[Any, dict[Loc, tuple[str, int]]]:
    """Parse YAML, returning plain data and positions; syntax errors become a ScenarioError."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem((), "file not found", file=name)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem((), f"cannot read the file: {exc}", file=name)]) from None
    try:
        node = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        msg = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ScenarioError([Problem((), f"not valid YAML: {msg}", file=name, line=line)]) from None
    positions: dict[Loc, tuple[str, int]] = {}
    _record_yaml(node, (), name, positions)
    return _plain(node), positions


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
    doc = Document(data=data, main_file=str(path), positions=positions)
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
        try:
            data[section] = read_table(
                path.parent / str(spec["file"]), spec.get("sheet"), (section,), positions, (ref[0], ref[1])
            )
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return doc
