"""Helpers of the scenario library's tests: a tiny scenario's text, uploading it, and reading a
page's element by its data-testid."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient

from .conftest import csrf_of

TINY = Path(__file__).parents[1] / "fixtures" / "tiny.yaml"


def refusing(client: TestClient) -> TestClient:
    """The client asking for JSON answers: a refusal is then ``{"detail": ...}`` rather than the
    error page (whose rendering after the request's session closed is the admin branch's fix)."""
    client.headers["Accept"] = "application/json"
    return client


def tiny_text() -> str:
    return TINY.read_text(encoding="utf-8")


def upload(client: TestClient, team_id: int, filename: str, data: bytes, name: str = ""):
    """Post a file to the team's library as the upload form does."""
    return client.post(
        f"/teams/{team_id}/scenarios",
        data={"csrf": csrf_of(client), "name": name},
        files={"file": (filename, data)},
        follow_redirects=False,
    )


def new_scenario(client: TestClient, team_id: int, text: str | None = None, filename: str = "tiny.yaml") -> int:
    """Upload a scenario (tiny.yaml by default); its id."""
    answer = upload(client, team_id, filename, (text or tiny_text()).encode())
    assert answer.status_code == 303, answer.text
    return int(answer.headers["location"].rsplit("/", 1)[1])


def by_testid(page: str, prefix: str) -> dict[str, str]:
    """The text of each element whose data-testid starts with ``prefix``, by testid."""
    found = re.findall(rf'data-testid="({re.escape(prefix)}[^"]*)"[^>]*>(.*?)</', page, flags=re.S)
    out: dict[str, str] = {}
    for key, text in found:
        out[key] = (out.get(key, "") + " " + html.unescape(re.sub(r"<[^>]+>", "", text)).strip()).strip()
    return out
