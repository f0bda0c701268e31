"""A scenario kept as YAML text in the store: checking it with the CLI's located messages (the
store's ``load_text``, which ``materiel validate`` does for a file), making
it from the shipped default (its tables written into the text), and changing fields in it while
keeping the rest of the text, comments included (docs/workspace.md, "Scenarios and the editor")."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import yaml

from ..scenario.documents import TABLE_SECTIONS, TABLE_SUFFIXES, parse_yaml, read_document
from ..scenario.errors import Loc, Problem, ScenarioError
from ..scenario.loader import resolve_path
from ..store.scenarios import load_text

DEFAULT_SCENARIO = "armed-neutrality"
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass
class Issue:
    """One located problem as the web shows it: where (line, field path) and what is wrong."""

    loc: list[str | int]
    field: str
    line: int | None
    message: str
    text: str  # the whole message as the CLI prints it

    @classmethod
    def of(cls, p: Problem) -> Issue:
        field = p.path or ".".join(str(x) for x in p.loc)
        return cls(list(p.loc), field, p.line, p.message, str(p))


def issues_of(problems: list[Problem]) -> list[Issue]:
    """The problems as issues, each once (a figure read by two conversions is reported by both)."""
    seen: dict[str, Issue] = {}
    for p in problems:
        seen.setdefault(str(p), Issue.of(p))
    return list(seen.values())


def check(text: str, name: str) -> list[Issue]:
    """Every problem of the text (an empty list: it is a valid scenario)."""
    try:
        load_text(text, name)
    except ScenarioError as exc:
        return issues_of(exc.problems)
    return []


def scenario_name(text: str) -> str | None:
    """The ``name:`` a scenario text gives itself, if it gives one."""
    try:
        data, _ = parse_yaml(text, "scenario")
    except ScenarioError:
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name.strip() else None


def dump(value: Any) -> str:
    """A value as block YAML whose innermost mappings and lists are written inline, as the shipped
    scenario writes its figures."""
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=None, width=110)


def flow(value: Any) -> str:
    """A value on one line, as YAML (what a form field or a table cell shows)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) and value != int(value) else str(value)
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
    return text.removesuffix("\n...").strip()


def section_span(lines: list[str], section: str) -> tuple[int, int] | None:
    """Lines [start, end) of a top-level section: its key's line to the last line before the next
    top-level key (comments heading the next section stay with it)."""
    start = next((n for n, line in enumerate(lines) if (m := _TOP_KEY.match(line)) and m.group(1) == section), None)
    if start is None:
        return None
    end = start + 1
    last = start + 1
    while end < len(lines) and not _TOP_KEY.match(lines[end]):
        stripped = lines[end].strip()
        if stripped and not stripped.startswith("#"):
            last = end + 1
        end += 1
    return start, last


def replace_section(text: str, section: str, value: Any) -> str:
    """The text with one top-level section written anew (its own comments go); a section the text
    does not have is added at the end."""
    lines = text.splitlines(keepends=True)
    block = _block(section, value)
    span = section_span(lines, section)
    if span is None:
        return text.rstrip("\n") + "\n\n" + block
    start, end = span
    return "".join([*lines[:start], block, *lines[end:]])


def _block(section: str, value: Any) -> str:
    """A top-level section as YAML: its key, then its entries indented below it."""
    if isinstance(value, (dict, list)) and value:
        return f"{section}:\n" + "".join(f"  {line}" if line.strip() else line for line in dump(value).splitlines(True))
    return f"{section}: {flow(value) if value is not None else 'null'}\n"


def _names_table(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower().endswith(TABLE_SUFFIXES)
    return isinstance(value, dict) and "file" in value


def default_text() -> str:
    """The shipped default scenario as one self-contained text: the tables it names beside it are
    written into the YAML, every comment of the file kept."""
    path = resolve_path(DEFAULT_SCENARIO)
    doc = read_document(path)
    text = path.read_text(encoding="utf-8")
    raw, _ = parse_yaml(text, str(path))
    for section in TABLE_SECTIONS:
        if _names_table(raw.get(section)):
            text = replace_section(text, section, doc.data[section])
    return text


def _get(data: Any, loc: Loc) -> Any:
    for step in loc:
        data = data[step]
    return data


def _set(data: Any, loc: Loc, value: Any) -> None:
    """Set (or, with None, remove) the value at ``loc``; an index one past a list's end appends."""
    parent = _get(data, loc[:-1])
    if value is None and isinstance(parent, dict):
        parent.pop(loc[-1], None)
    elif isinstance(parent, list) and isinstance(loc[-1], int) and loc[-1] == len(parent):
        parent.append(value)
    else:
        parent[loc[-1]] = value


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _in_line(text: str, line: int, key: str, value: Any) -> str | None:
    """The text with the scalar of ``key:`` on line ``line`` replaced by ``value``, or None when
    the line has not exactly one such pair."""
    lines = text.splitlines(keepends=True)
    if not 1 <= line <= len(lines) or not _scalar(value):
        return None
    found = list(_pair(key).finditer(lines[line - 1]))
    if len(found) != 1:
        return None
    row, m = lines[line - 1], found[0]
    lines[line - 1] = row[: m.start(1)] + flow(value) + row[m.end(1) :]
    return "".join(lines)


def _pair(key: str) -> re.Pattern[str]:
    quoted = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'"
    return re.compile(rf"(?<![\w-]){re.escape(key)}:[ \t]+({quoted}|[^,{{}}\[\]#\n]+?)(?=[ \t]*(?:[,}}\]]|#|\n|$))")


def apply_changes(text: str, changes: dict[Loc, Any], name: str = "scenario") -> str:
    """The text with each field at ``loc`` set to its new value (None removes it). A scalar already
    written is changed on its own line, comments and layout kept; otherwise its top-level section
    is written anew, or, when the text's layout allows neither, the whole text. Each step is read
    back, so the result holds exactly these changes."""
    data, positions = parse_yaml(text, name)
    if not isinstance(data, dict):
        raise ScenarioError([Problem((), "a scenario must be a mapping of sections", file=name, line=1)])
    for loc, value in changes.items():
        expected = copy.deepcopy(data)
        _set(expected, loc, value)
        changed = None
        if len(loc) > 1 and isinstance(loc[-1], str) and loc in positions:
            changed = _read_as(_in_line(text, positions[loc][1], loc[-1], value), expected, name)
        section = str(loc[0])
        if changed is None:
            rewritten = (
                replace_section(text, section, expected[section]) if section in expected else _drop(text, section)
            )
            changed = _read_as(rewritten, expected, name)
        if changed is None:  # a layout the line and section edits cannot follow (JSON, say): write it anew
            text = dump(expected)
            data, positions = parse_yaml(text, name)
        else:
            text, (data, positions) = changed
    return text


def _drop(text: str, section: str) -> str:
    lines = text.splitlines(keepends=True)
    span = section_span(lines, section)
    return text if span is None else "".join([*lines[: span[0]], *lines[span[1] :]])


def _read_as(text: str | None, expected: Any, name: str) -> tuple[str, tuple[Any, dict]] | None:
    """The text with its data and positions when it reads back as ``expected``, else None."""
    if text is None:
        return None
    try:
        read = parse_yaml(text, name)
    except ScenarioError:
        return None
    return (text, read) if read[0] == expected else None


def parse_field(text: str) -> Any:
    """A form field's text as the value it means, read as YAML the way a scenario file is (a
    number, text, true/false, a list or mapping written inline); an empty field is no value."""
    if not text.strip():
        return None
    try:
        return parse_yaml(text, "field")[0]
    except ScenarioError:
        return text


def plain_key(key: object) -> bool:
    """Whether a mapping key can be a step of a field's path in a form (not an override's path)."""
    return isinstance(key, str) and bool(_PLAIN_KEY.match(key))
