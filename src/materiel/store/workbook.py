"""A scenario uploaded as one XLSX workbook, turned into the YAML text the store keeps
(docs/workspace.md, "A scenario as a workbook").

The workbook has a sheet per list section, named as the section (``items``, ``lines``,
``funding`` ...: the first row names the fields, dotted columns fill nested ones, exactly as a
table named from a YAML file, docs/scenario.md), and a sheet ``scenario`` with the columns
``field`` and ``value`` for every other section, each value written as YAML (``horizon`` →
``{start: 2026Q1, end: 2035Q4, period: quarter}``; a list section whose rows hold lists, such as
``requirements`` with its ``targets``, may be given there too). Sheets are read by the loader's own table
reader, with its limits."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import yaml

from ..scenario.documents import TABLE_SECTIONS, Document, parse_value, read_table
from ..scenario.errors import Loc, Problem, ScenarioError
from ..scenario.loader import load_document

SCALARS_SHEET = "scenario"


def _sheet_names(path: Path, shown: str) -> list[str]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True)
    except Exception as error:  # openpyxl raises many types for a file that is not a workbook
        raise ScenarioError([Problem((), f"cannot read the workbook: {error}", file=shown)]) from None
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _scalars(
    rows: list[dict[str, Any]], shown: str, positions: dict[Loc, tuple[str, int]], sheets: list[str]
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    problems = []
    for i, row in enumerate(rows):
        file, line = positions.get((SCALARS_SHEET, i), (shown, None))
        field = str(row.get("field", "")).strip()
        if not field or "value" not in row:
            message = "each row of sheet 'scenario' names a section in column 'field' and gives its YAML in 'value'"
            problems.append(Problem((SCALARS_SHEET, i), message, file=file, line=line))
            continue
        if field in data or field in sheets:
            why = "appears twice" if field in data else "has a sheet of its own"
            problems.append(Problem((SCALARS_SHEET, i), f"section {field!r} {why}", file=file, line=line))
            continue
        value = row["value"]
        data[field] = parse_value(value) if isinstance(value, str) else value
        positions[(field,)] = (file, line)  # a problem inside this section points at its row
    if problems:
        raise ScenarioError(problems)
    return data


def text_from_workbook(content: bytes, filename: str) -> str:
    """The scenario in an uploaded workbook as YAML text, validated on the way: a ScenarioError
    names the sheet, row and field of each problem, as the loader does for a table."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(filename).name
        path.write_bytes(content)
        try:
            return _convert(path, filename)
        except ScenarioError as error:
            for problem in error.problems:
                if problem.file:
                    problem.file = problem.file.replace(str(path), filename)
            raise


def _convert(path: Path, shown: str) -> str:
    sheets = _sheet_names(path, shown)
    known = [SCALARS_SHEET, *TABLE_SECTIONS]
    unknown = [s for s in sheets if s not in known]
    if unknown:
        message = f"sheet {unknown[0]!r} is not a part of a scenario; name sheets {', '.join(known)}"
        raise ScenarioError([Problem((), message, file=shown)])
    positions: dict[Loc, tuple[str, int]] = {}
    data: dict[str, Any] = {}
    if SCALARS_SHEET in sheets:
        rows = read_table(path, SCALARS_SHEET, (SCALARS_SHEET,), positions, (shown, None))
        data.update(_scalars(rows, shown, positions, sheets))
    problems: list[Problem] = []
    for section in TABLE_SECTIONS:
        if section in sheets:
            try:
                data[section] = read_table(path, section, (section,), positions, (shown, None))
            except ScenarioError as error:
                problems.extend(error.problems)
    if problems:
        raise ScenarioError(problems)
    load_document(Document(data=copy.deepcopy(data), main_file=shown, positions=positions, files=[]))
    header = f"# {Path(shown).name}: the scenario of this workbook, one section per sheet\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
