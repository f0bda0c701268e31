"""A scenario as an Excel workbook, both ways, for analysts who keep their figures in spreadsheets
(docs/workspace.md, "A scenario as a workbook" and "Scenarios and the editor").

The layout is the store's (store/workbook.py): a sheet ``scenario`` with the columns ``field`` and
``value``, one row per section that is not a table, its value as YAML; a sheet per list section
(items, lines, funding ...) in the table layout of docs/scenario.md, the first row naming the
fields and a dotted column filling a nested one (``price.value``). The web also reads and writes a
cell holding a list or mapping inline as YAML (``[{by: 2027Q4, value: 100}]``), so that sections
whose entries hold lists (a schedule's steps, a requirement's targets) stay tables."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from ..scenario.documents import TABLE_SECTIONS, parse_yaml, read_table
from ..scenario.errors import Problem, ScenarioError
from .scenario_text import dump, flow, plain_key

SCENARIO_SHEET = "scenario"
HEADER = ("field", "value")
CELL_CHARS = 32_767  # the most text a spreadsheet cell holds


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


def _fits(value: Any, where: str, name: str) -> Any:
    """The value, when a spreadsheet cell can hold it (a longer text would be cut short)."""
    if isinstance(value, str) and len(value) > CELL_CHARS:
        message = f"{where}: {len(value):,} characters, more than a spreadsheet cell holds ({CELL_CHARS:,})"
        raise ScenarioError([Problem((), message, file=name)])
    return value


def to_workbook(text: str, name: str = "scenario") -> bytes:
    """A scenario's YAML text as workbook bytes (``from_workbook`` reads it back to the same data)."""
    from openpyxl import Workbook

    data, _ = parse_yaml(text, name)
    wb = Workbook()
    main = wb.active
    main.title = SCENARIO_SHEET
    main.append(HEADER)
    for section, value in data.items():
        if _table(value) and section in TABLE_SECTIONS:
            rows = [_flatten(record) for record in value]
            columns = list(dict.fromkeys(c for row in rows for c in row))
            sheet = wb.create_sheet(str(section)[:31])
            sheet.append(columns)
            for n, row in enumerate(rows, start=2):
                sheet.append(
                    [_fits(row.get(c), f"sheet {sheet.title!r}, row {n}, column {c!r}", name) for c in columns]
                )
        else:
            text = dump(value).removesuffix("\n...\n").strip()
            main.append((section, _fits(text, f"sheet {SCENARIO_SHEET!r}, section {section!r}", name)))
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
        unknown = [sheet for sheet in sheets if sheet not in (SCENARIO_SHEET, *TABLE_SECTIONS)]
        if unknown:
            message = (
                f"sheet {unknown[0]!r} is not a part of a scenario; name sheets {SCENARIO_SHEET}, "
                f"{', '.join(TABLE_SECTIONS)}"
            )
            raise ScenarioError([Problem((), message, file=name)])
        positions: dict = {}
        out: dict[str, Any] = {}
        problems: list[Problem] = []
        rows = (
            read_table(path, SCENARIO_SHEET, (SCENARIO_SHEET,), positions, (name, None))
            if SCENARIO_SHEET in sheets
            else []
        )
        for n, row in enumerate(rows):
            field = row.get("field")
            file, line = positions.get((SCENARIO_SHEET, n), (name, None))
            where = (file.replace(str(path), name), line)
            if not isinstance(field, str) or not field.strip() or "value" not in row:
                message = f"each row of sheet {SCENARIO_SHEET!r} names a section in column 'field' and gives its YAML in 'value'"
                problems.append(Problem((SCENARIO_SHEET, n), message, file=where[0], line=where[1]))
                continue
            value = row["value"]
            try:
                out[field.strip()] = parse_yaml(value, f"{where[0]}:{where[1]}")[0] if isinstance(value, str) else value
            except ScenarioError as exc:
                problems.extend(exc.problems)
        for sheet in sheets:
            if sheet != SCENARIO_SHEET:
                out[sheet] = [_inline(r) for r in read_table(path, sheet, (sheet,), positions, (name, None))]
    if problems:
        raise ScenarioError(problems)
    return dump(out)
