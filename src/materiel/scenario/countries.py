"""Built-in country table: ISO code, name and the region flags funding rules refer to.

Region flags: ``EU`` (member states), ``EEA`` (EU plus Iceland, Liechtenstein, Norway), ``UA``,
``EUROPE`` (European allies whose industry "Europe" means in this project: EU, EEA, the UK and
Switzerland; Ukraine is counted separately), ``NATO``, and ``ALLIED`` (partners outside Europe).
A scenario may add countries or override one with its own ``countries`` section.
"""

from __future__ import annotations

EU = {
    "AT": "Austria",
    "BE": "Belgium",
    "BG": "Bulgaria",
    "HR": "Croatia",
    "CY": "Cyprus",
    "CZ": "Czechia",
    "DK": "Denmark",
    "EE": "Estonia",
    "FI": "Finland",
    "FR": "France",
    "DE": "Germany",
    "GR": "Greece",
    "HU": "Hungary",
    "IE": "Ireland",
    "IT": "Italy",
    "LV": "Latvia",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "MT": "Malta",
    "NL": "Netherlands",
    "PL": "Poland",
    "PT": "Portugal",
    "RO": "Romania",
    "SK": "Slovakia",
    "SI": "Slovenia",
    "ES": "Spain",
    "SE": "Sweden",
}
NATO_NON_EU = {"US", "CA", "GB", "NO", "IS", "TR", "AL", "ME", "MK"}
EU_NON_NATO = {"AT", "CY", "IE", "MT"}

OTHERS = {
    "NO": ("Norway", ["EEA", "EUROPE"]),
    "IS": ("Iceland", ["EEA", "EUROPE"]),
    "LI": ("Liechtenstein", ["EEA", "EUROPE"]),
    "GB": ("United Kingdom", ["EUROPE"]),
    "CH": ("Switzerland", ["EUROPE"]),
    "UA": ("Ukraine", ["UA"]),
    "US": ("United States", ["ALLIED"]),
    "CA": ("Canada", ["ALLIED"]),
    "KR": ("South Korea", ["ALLIED"]),
    "JP": ("Japan", ["ALLIED"]),
    "AU": ("Australia", ["ALLIED"]),
    "IL": ("Israel", ["ALLIED"]),
    "TR": ("Türkiye", ["ALLIED"]),
}


def builtin_countries() -> dict[str, tuple[str, list[str]]]:
    """Code -> (name, region flags)."""
    table: dict[str, tuple[str, list[str]]] = {code: (name, ["EU", "EEA", "EUROPE"]) for code, name in EU.items()}
    table.update({code: (name, list(flags)) for code, (name, flags) in OTHERS.items()})
    for code, (name, flags) in table.items():
        if (code in NATO_NON_EU or code in EU) and code not in EU_NON_NATO:
            table[code] = (name, [*flags, "NATO"])
    return table


REGIONS = ("EU", "EEA", "UA", "EUROPE", "NATO", "ALLIED")
