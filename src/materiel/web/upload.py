"""What an uploaded scenario file may be: .yaml, .yml or .xlsx, within the size limit, and in
fact what its name says (YAML text that is a mapping of sections, or an Excel workbook)."""

from __future__ import annotations

from pathlib import PurePath

from ..scenario.documents import parse_yaml
from ..scenario.errors import ScenarioError
from .errors import WebError
from .workbook import from_workbook

SUFFIXES = (".yaml", ".yml", ".xlsx")


class UploadRefused(WebError):  # noqa: N818 (named for the answer)
    """An upload that is not a scenario file; the message says what would be accepted."""


def read_upload(filename: str, data: bytes, limit: int) -> str:
    """The scenario text of an upload (a workbook converted to YAML), or UploadRefused."""
    name = PurePath(filename).name
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadRefused(f"{name}: upload a scenario as .yaml, .yml or .xlsx (got {suffix or 'no extension'}).", 415)
    if len(data) > limit:
        raise UploadRefused(f"{name}: uploads are limited to {limit / 1024 / 1024:.0f} MB.", 413)
    if not data.strip():
        raise UploadRefused(f"{name}: the file is empty.", 400)
    if suffix == ".xlsx":
        try:
            return from_workbook(data, name)
        except ScenarioError as exc:
            raise UploadRefused(f"{name}: " + "; ".join(p.message for p in exc.problems), 400) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused(f"{name}: not a YAML text file (it is not UTF-8 text).", 400) from None
    try:
        parsed, _ = parse_yaml(text, name)
    except ScenarioError as exc:
        raise UploadRefused("; ".join(str(p) for p in exc.problems), 400) from None
    if not isinstance(parsed, dict):
        raise UploadRefused(
            f"{name}: a scenario is a YAML mapping of sections (name:, horizon:, items: ...); this file holds "
            f"{_kind(parsed)}.",
            400,
        )
    return text


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    return f"a single value ({str(value)[:40]!r})"
