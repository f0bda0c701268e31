"""Reading scenario files into plain data while remembering where every value came from.

A scenario is one YAML file. Any list section (``lines``, ``items``, ``sources`` ...) may instead
name a table next to it: ``lines: lines.csv`` or ``lines: {file: tables.xlsx, sheet: lines}``.
Table columns name fields; a dotted column (``price.value``, ``share.ukraine``) fills a nested one.

The result is the data plus a position map from each field path to ``(file, line)``, so that
later errors can say exactly where the offending value was written.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Loc, Problem, ScenarioError, TextSource

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

# Limits on what a scenario may make the reader build, so that a hostile or mistaken file gets a
# quick message instead of minutes of parsing and gigabytes of memory (listed in docs/scenario.md).
MAX_YAML_BYTES = 10_000_000  # the shipped scenario is under 100 kB
MAX_TABLE_BYTES = 50_000_000  # per CSV or XLSX file
MAX_TABLE_CELLS = 5_000_000  # per table, as read
MAX_UNPACKED_BYTES = 200_000_000  # an XLSX workbook unpacked (it is a zip archive)
MAX_ALIAS_VALUES = 100_000  # values that YAML aliases (*name) may add beyond those written
MAX_DEPTH = 50  # mappings and lists nested in one another; a scenario needs under ten


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
    """YAML 1.2-style scalars: only true/false are booleans (``NO`` is Norway, not False), dates
    stay text (an as-of date is a label, not a datetime), and ``1e6`` is a number (YAML 1.1 wants
    ``1.0e+6`` and reads ``1e6`` as text, which a what-if's scale factor would not multiply)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"), list("-+0123456789")
)


class _DuplicateKeyError(Exception):
    def __init__(self, key: str, first: int, second: int) -> None:
        super().__init__(key)
        self.key, self.first, self.second = key, first, second


class _TooBigError(Exception):
    """The document would build more than the limits allow; the message says which."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class _Budget:
    """Counts the values built from nodes already built once: the expansion of aliases, which a
    "billion laughs" file nests to blow a few hundred bytes up to billions of values."""

    seen: set[int] = field(default_factory=set)
    expanded: int = 0

    def spend(self, node: yaml.Node, depth: int) -> None:
        line = node.start_mark.line + 1
        if depth > MAX_DEPTH:
            raise _TooBigError(f"values are nested more than {MAX_DEPTH} levels deep", line)
        if id(node) in self.seen:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_VALUES:
                raise _TooBigError(
                    f"aliases (*name) expand to more than {MAX_ALIAS_VALUES:,} values; write the data out instead",
                    line,
                )
        else:
            self.seen.add(id(node))


def _build(loader: Any, node: yaml.Node, loc: Loc, name: str, out: dict[Loc, tuple[str, int]], budget: _Budget) -> Any:
    """Construct plain data from a node tree, recording the line of every key and list item."""
    budget.spend(node, len(loc))
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            budget.spend(key_node, len(loc) + 1)
            key = str(loader.construct_object(key_node, deep=True))
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _DuplicateKeyError(key, seen[key], line)
            seen[key] = line
            out[(*loc, key)] = (name, line)
            result[key] = _build(loader, value_node, (*loc, key), name, out, budget)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            out[(*loc, i)] = (name, item.start_mark.line + 1)
            items.append(_build(loader, item, (*loc, i), name, out, budget))
        return items
    return loader.construct_object(node, deep=True)


def parse_yaml(text: str, name: str) -> tuple[Any, dict[Loc, tuple[str, int]]]:
    """Parse YAML text, returning plain data and the position of every value; syntax errors and
    documents beyond the limits become a ScenarioError naming ``name``."""
    positions: dict[Loc, tuple[str, int]] = {}
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = _build(loader, node, (), name, positions, _Budget()) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        msg = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ScenarioError([Problem((), f"not valid YAML: {msg}", file=name, line=line)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem((), f"not valid YAML: {exc}", file=name)]) from None
    except _DuplicateKeyError as dup:
        msg = f"not valid YAML: duplicate key '{dup.key}' (first on line {dup.first})"
        raise ScenarioError([Problem((), msg, file=name, line=dup.second)]) from None
    except _TooBigError as big:
        raise ScenarioError([Problem((), f"too large to read: {big}", file=name, line=big.line)]) from None
    finally:
        loader.dispose()
    return data, positions


def parse_value(text: str) -> Any:
    """A value written on the command line, read as YAML (a number, text, list or mapping) under
    the same limits as a file; text that is not valid YAML stays text."""
    try:
        return parse_yaml(text, "--set")[0]
    except ScenarioError as exc:
        if all(p.message.startswith("not valid YAML") for p in exc.problems):
            return text
        raise


def _check_size(path: Path, limit: int, what: str) -> str | None:
    """A message when the file is larger than ``limit`` bytes, checked before reading it."""
    try:
        size = path.stat().st_size
    except OSError:
        return None  # reading it reports the real problem
    if size > limit:
        return f"{what} is {size / 1e6:,.1f} MB; the limit is {limit / 1e6:,.0f} MB (see docs/scenario.md)"
    return None


def read_yaml(path: Path) -> tuple[Any, dict[Loc, tuple[str, int]]]:
    """Parse a YAML file, returning plain data and positions; syntax errors become a ScenarioError."""
    name = str(path)
    if (too_big := _check_size(path, MAX_YAML_BYTES, "the scenario file")) is not None:
        raise ScenarioError([Problem((), too_big, file=name)])
    try:
        with path.open("rb") as fh:  # at most the limit, whatever the size says (a pipe, /dev/zero)
            raw = fh.read(MAX_YAML_BYTES + 1)
        if len(raw) > MAX_YAML_BYTES:
            raise ScenarioError(
                [Problem((), f"the scenario is over the limit of {MAX_YAML_BYTES / 1e6:,.0f} MB", file=name)]
            )
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem((), "file not found", file=name)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem((), f"cannot read the file: {exc}", file=name)]) from None
    return parse_yaml(text, name)


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


def _unpacked_size(path: Path, data: bytes | None = None) -> str | None:
    """A message when an XLSX file (a zip archive; ``data``: its bytes, when given) unpacks to more
    than MAX_UNPACKED_BYTES: a few megabytes of zip can hold gigabytes of sheet."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as archive:
            size = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return None  # openpyxl reports what is wrong with it
    if size > MAX_UNPACKED_BYTES:
        return f"workbook {path.name} unpacks to {size / 1e6:,.0f} MB; the limit is {MAX_UNPACKED_BYTES / 1e6:,.0f} MB"
    return None


def _limited_rows(rows: Any, what: str) -> list[list[Any]]:
    """The rows of a table, refusing one of more than MAX_TABLE_CELLS cells (ValueError)."""
    out: list[list[Any]] = []
    cells = 0
    for row in rows:
        cells += len(row)
        if cells > MAX_TABLE_CELLS:
            raise ValueError(f"{what} has more than {MAX_TABLE_CELLS:,} cells, the limit (see docs/scenario.md)")
        out.append(list(row))
    return out


def _sheet_rows(sheet: Any, what: str) -> list[list[Any]]:
    return _limited_rows(sheet.iter_rows(values_only=True), what)


def read_table(
    path: Path,
    sheet: str | None,
    loc: Loc,
    positions: dict[Loc, tuple[str, int]],
    ref: tuple[str, int | None],
    data: bytes | None = None,
) -> list[dict[str, Any]]:
    """Read a CSV file or an XLSX sheet into records (one per row); ``data``: the file's bytes,
    given with a scenario kept as text (``path`` then only names it, as a ``TextSource``)."""

    def fail(message: str) -> ScenarioError:
        return ScenarioError([Problem(loc, message, file=ref[0], line=ref[1])])

    if data is None and not path.exists():
        return_msg = f"table file {path.name!r} not found (looked in {path.parent})"
        raise fail(return_msg)
    if data is not None and len(data) > MAX_TABLE_BYTES:
        raise fail(f"table {path.name} is {len(data) / 1e6:,.1f} MB; the limit is {MAX_TABLE_BYTES / 1e6:,.0f} MB")
    if data is None and (too_big := _check_size(path, MAX_TABLE_BYTES, f"table {path.name}")) is not None:
        raise fail(too_big)
    if path.suffix.lower() == ".csv":
        try:
            with (
                io.StringIO(data.decode("utf-8-sig"), newline="")
                if data is not None
                else path.open(newline="", encoding="utf-8-sig")
            ) as fh:
                all_rows = _limited_rows(csv.reader(fh), path.name)
        except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
            raise fail(f"cannot read {path.name}: {exc}") from None
        if not all_rows:
            raise fail(f"{path.name} is empty; the first row must name the fields")
        name = TextSource(f"{ref[0]} / {path.name}") if data is not None else str(path)
        body = [(n + 2, r) for n, r in enumerate(all_rows[1:])]
        return _rows_to_records(all_rows[0], body, name, loc, positions)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        if (too_big := _unpacked_size(path, data)) is not None:
            raise fail(too_big)
        try:
            wb = load_workbook(io.BytesIO(data) if data is not None else path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a bad workbook
            raise fail(f"cannot read workbook {path.name}: {exc}") from None
        sheet_name = sheet or str(loc[-1])
        if sheet_name not in wb.sheetnames:
            raise fail(f"workbook {path.name} has no sheet {sheet_name!r}; sheets: {', '.join(wb.sheetnames)}")
        try:
            rows = _sheet_rows(wb[sheet_name], f"sheet {sheet_name!r} of {path.name}")
        except ValueError as exc:
            raise fail(str(exc)) from None
        finally:
            wb.close()
        if not rows:
            raise fail(f"sheet {sheet_name!r} of {path.name} is empty")
        header = [str(c) if c is not None else "" for c in rows[0]]
        body = [(n + 2, r) for n, r in enumerate(rows[1:])]
        where = f"{ref[0]} / {path.name}[{sheet_name}]" if data is not None else f"{path}[{sheet_name}]"
        return _rows_to_records(header, body, TextSource(where) if data is not None else where, loc, positions)
    raise fail(f"tables must be .csv or .xlsx files, got {path.name!r}")


def read_document(path: str | Path) -> Document:
    """Read a scenario file and the tables it names."""
    path = Path(path)
    data, positions = read_yaml(path)
    return _document(data, positions, str(path), path, {})


def read_document_text(text: str, name: str, tables: Mapping[str, bytes] | None = None) -> Document:
    """A scenario given as YAML text (one kept in a database): problems are located by ``name``
    and line. It has no folder: the table files it names are given as ``tables`` (file name ->
    bytes, e.g. {'armed-neutrality-sources.csv': b'...'}); any other is an error saying so."""
    source = TextSource(name)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise ScenarioError(
            [Problem((), f"the scenario is over the limit of {MAX_YAML_BYTES / 1e6:,.0f} MB", file=source)]
        )
    data, positions = parse_yaml(text, source)
    return _document(data, positions, source, None, tables or {})


def _document(
    data: Any, positions: dict[Loc, tuple[str, int]], name: str, path: Path | None, tables: Mapping[str, bytes]
) -> Document:
    """The document, with every table it names read from beside ``path`` (None: a scenario given
    as text, whose tables are the ``tables`` given with it)."""
    if not isinstance(data, dict):
        raise ScenarioError(
            [
                Problem(
                    (), "a scenario file must be a mapping of sections (name:, horizon:, items: ...)", file=name, line=1
                )
            ]
        )
    doc = Document(data=data, main_file=name, positions=positions, files=[path] if path is not None else [])
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
        if unknown := sorted(set(spec) - {"file", "sheet"}):
            message = f"a table is named by 'file' (and 'sheet' in a workbook); unknown key {unknown[0]!r}"
            problems.append(Problem((section,), message, file=ref[0], line=ref[1]))
            continue
        file = str(spec["file"])
        if path is None and file not in tables:
            given = f" (tables given: {', '.join(sorted(tables))})" if tables else ""
            message = (
                f"names the table file {file!r}, but a scenario given as text has no folder to read it from{given}; "
                "give the table with the text, write its rows into the YAML, or load the scenario from its file"
            )
            problems.append(Problem((section,), message, file=ref[0], line=ref[1]))
            continue
        table = path.parent / file if path is not None else Path(file)
        if path is not None:
            doc.files.append(table)
        try:
            data[section] = read_table(
                table,
                spec.get("sheet"),
                (section,),
                positions,
                (ref[0], ref[1]),
                tables.get(file) if path is None else None,
            )
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return doc
