"""The scenario's tie-break preference: which lines' production the planner prefers at equal
shortfall and cost (docs/model.md, "Equally good plans")."""

from __future__ import annotations

import numpy as np

from .countries import REGIONS
from .errors import Collector
from .schema import Scenario


def compile_preference(
    sc: Scenario, countries: dict[str, tuple[str, list[str]]], tags: list[frozenset[str]], problems: Collector
) -> list[np.ndarray]:
    """(L,) masks of the lines preferred at each level: the first entry's lines, then the first
    two entries' lines, and so on; each entry a country code or region flag (located errors)."""
    if sc.preference is None:
        return []
    known = set(countries) | set(REGIONS) | {r for _, rs in countries.values() for r in rs}
    levels, wanted = [], set()
    for j, tag in enumerate(sc.preference.prefer):
        if tag not in known:
            problems.add(
                ("preference", "prefer", j),
                f"{tag!r} is neither a country code nor a region; regions: {', '.join(REGIONS)}; "
                "country codes as in lines[].country (e.g. UA, DE)",
            )
        elif not any(tag in t for t in tags):
            problems.warn(("preference", "prefer", j), f"no line is in {tag}: this preference changes nothing")
        wanted.add(tag)
        levels.append(np.array([bool(t & wanted) for t in tags], dtype=bool))
    return levels
