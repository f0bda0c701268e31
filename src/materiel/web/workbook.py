"""A scenario as an Excel workbook, both ways, for analysts who keep their figures in spreadsheets
(docs/workspace.md, "Scenarios and the editor").

The workbook has a sheet ``scenario`` with two columns, ``section`` and ``yaml``: one row per
top-level section that is not a table (name, horizon, currency, threat ...), its value as YAML.
Every section that is a list of entries (items, lines, funding ...) is a sheet of its own in the
table layout docs/scenario.md describes: the first row names the fields, a dotted column fills a
nested one (``price.value``), and a cell holding a list or mapping writes it inline as YAML
(``[{by: 2027Q4, value: 100}]``)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from ..scenario.documents import parse_yaml, read_table
from ..scenario.errors import Problem, ScenarioError
from .scenario_text import dump, flow, plain_key

SCENARIO_SHEET = "scenario"
HEADER = ("section", "yaml")


def _table(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _flatten(record: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        column = f"{prefix}{key}"
        if isinstance(value, dict) and value and all(plain_key(k) for k in value):
            out.update(_flatten(value, f"{column}."))
        elif isinstance(value, (list, dict)):
            out[column] = flow(value)
        else:
            out[column] = value
    return out


def to_workbook(text: str, name: str = "scenario") -> bytes:
    """A scenario's YAML text as workbook bytes (``from_workbook`` reads it back to the same data)."""
    from openpyxl import Workbook

    data, _ = parse_yaml(text, name)
    wb = Workbook()
    main = wb.active
    main.title = SCENARIO_SHEET
    main.append(HEADER)
    for section, value in data.items():
        if _table(value) and section != SCENARIO_SHEET:
            rows = [_flatten(record) for record in value]
            columns = list(dict.fromkeys(c for row in rows for c in row))
            sheet = wb.create_sheet(str(section)[:31])
            sheet.append(columns)
            for row in rows:
                sheet.append([row.get(c) for c in columns])
        else:
            main.append((section, dump(value).removesuffix("\n...\n").strip()))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _inline(value: Any) -> Any:
    """A cell's text that writes a list or mapping inline, read as YAML; any other value as is."""
    if isinstance(value, dict):
        return {k: _inline(v) for k, v in value.items()}
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return parse_yaml(value, "cell")[0]
        except ScenarioError:
            return value
    return value


def is_workbook(data: bytes) -> bool:
    """Whether the bytes are a zip archive holding an Excel workbook."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def from_workbook(data: bytes, name: str) -> str:
    """The YAML text of a workbook in the layout above; a located ScenarioError (sheet and row)
    when it is not one."""
    from openpyxl import load_workbook

    if not is_workbook(data):
        raise ScenarioError(
            [Problem((), "not an Excel workbook (.xlsx): the file is not a workbook archive", file=name)]
        )
    with tempfile.TemporaryDirectory() as folder:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(name).stem)[:100] or "upload"
        path = Path(folder) / f"{safe}.xlsx"  # the name the messages of the table reader give
        path.write_bytes(data)
        try:
            sheets = load_workbook(path, read_only=True).sheetnames
        except Exception as exc:  # openpyxl raises many types for a bad workbook
            raise ScenarioError([Problem((), f"cannot read the workbook: {exc}", file=name)]) from None
        if SCENARIO_SHEET not in sheets:
            message = (
                f"the workbook has no sheet {SCENARIO_SHEET!r} (columns section, yaml: name, title, horizon ...); "
                f"its sheets: {', '.join(sheets)}"
            )
            raise ScenarioError([Problem((), message, file=name)])
        positions: dict = {}
        out: dict[str, Any] = {}
        problems: list[Problem] = []
        for row in read_table(path, SCENARIO_SHEET, (SCENARIO_SHEET,), positions, (name, None)):
            section = row.get("section")
            if not isinstance(section, str) or not section.strip():
                continue
            try:
                out[section.strip()] = parse_yaml(str(row.get("yaml", "")), f"{name}[{SCENARIO_SHEET}] {section}")[0]
            except ScenarioError as exc:
                problems.extend(exc.problems)
        for sheet in sheets:
            if sheet == SCENARIO_SHEET:
                continue
            records = read_table(path, sheet, (sheet,), positions, (name, None))
            out[sheet] = [_inline(r) for r in records]
    if problems:
        raise ScenarioError(problems)
    return dump(out)
