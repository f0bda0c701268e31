"""No shipped figure cites the adversary's state media or its mirrors (docs/data.md, "Sources")."""

from __future__ import annotations

import re

import pytest

import materiel
from materiel.scenario.loader import shipped_scenarios

# Russian state outlets by name, and the domains of state media and of the "Pravda" mirror network
# (news-pravda.com, pravda-en.com, ...). Ukrainska Pravda (pravda.com.ua) is a Ukrainian outlet.
STATE_OUTLET = re.compile(
    r"\bTASS\b|\bRIA Novosti\b|\bRussia Today\b|\bRT\b|\bSputnik\b|\bRossiyskaya Gazeta\b|\bIzvestia\b"
    r"|\bKomsomolskaya Pravda\b|\bTV Zvezda\b"
)
MIRROR_DOMAIN = re.compile(
    r"(?:^|[/.@\s])(?:tass\.(?:com|ru)|ria\.ru|rt\.com|sputnik(?:news|globe)\.com|news-pravda\.com"
    r"|pravda-[a-z]{2,3}\.com|rg\.ru|iz\.ru|tvzvezda\.ru|kp\.ru|vpk\.name)\b"
    r"|https?://[^\s/]+\.(?:ru|su)(?:[/:]|$)",
    re.IGNORECASE,
)


def names_state_media(text: str) -> bool:
    """Whether text names a Russian state outlet or links to state media or a known mirror."""
    return bool(STATE_OUTLET.search(text) or MIRROR_DOMAIN.search(text))


@pytest.mark.parametrize(
    "text",
    [
        "Bloomberg Economics (relayed by TASS)",
        "https://tass.com/world/1912813",
        "https://francais.news-pravda.com/world/2025/04/22/411541.html",
        "https://pravda-en.com/world/2024/05/27/535461.html",
        "Australian National Review (relaying RT and Welt am Sonntag)",
        "https://vpk.name/en/920256_we-used-to-produce-one-tank-a-day.html",
        "https://ria.ru/20250101/x.html",
    ],
)
def test_the_check_recognises_state_media_and_mirrors(text: str) -> None:
    assert names_state_media(text)


@pytest.mark.parametrize(
    "text",
    [
        "https://www.pravda.com.ua/eng/news/2024/10/1/7477698/",
        "Ukrainska Pravda",
        "European Pravda with reference to Delfi",
        "https://kyivindependent.com/nato-official-protectionist-tendencies",
        "Artillery rounds: about EUR 3,600 a shell",
    ],
)
def test_the_check_spares_ukrainian_and_other_outlets(text: str) -> None:
    assert not names_state_media(text)


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_no_shipped_source_cites_state_media_or_mirrors(name: str) -> None:
    sc, _ = materiel.load(name)
    cited = [
        f"{s.id}: {field}"
        for s in sc.sources
        for field in (s.publisher, s.title, s.url or "", s.note or "")
        if names_state_media(field)
    ]
    assert cited == []
