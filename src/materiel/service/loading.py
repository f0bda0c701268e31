"""Loading a scenario for a run, from a file or a shipped name, or from its text and tables as a
database keeps them; the helpers every run shares (assignments, what-if names, timings)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..scenario.compiled import ModelData
    from ..scenario.errors import Problem
    from ..scenario.schema import Scenario

Assignments = Mapping[str, Any] | Iterable[str | tuple[str, Any]] | None


class ServiceError(ValueError):
    """A request that cannot be carried out as asked (not a fault of the scenario's figures); the
    message says why and what would do."""


def assignments(values: Assignments) -> list[tuple[str, Any]]:
    """``--set`` assignments from 'PATH=VALUE' texts (as on the command line, the value read as
    YAML), (path, value) pairs, or a mapping of path to value."""
    from ..scenario.overrides import parse_assignment

    if values is None:
        return []
    if isinstance(values, Mapping):
        return [(str(path).strip(), value) for path, value in values.items()]
    if isinstance(values, str):
        values = [values]
    return [(str(v[0]).strip(), v[1]) if isinstance(v, tuple) else parse_assignment(v) for v in values]


def split_names(names: Iterable[str] | None) -> list[str]:
    """What-if names given repeatedly or comma-separated ('-w x,y -w z'), in order."""
    return [n.strip() for text in names or [] for n in text.split(",") if n.strip()]


@dataclass
class Timings:
    """Seconds spent loading, solving, assessing and making the outputs of one run."""

    load: float = 0.0
    solve: float = 0.0
    assess: float = 0.0
    outputs: float = 0.0

    @property
    def seconds(self) -> float:
        return self.load + self.solve + self.assess + self.outputs

    def as_dict(self) -> dict[str, float]:
        return {"load": self.load, "solve": self.solve, "assess": self.assess, "outputs": self.outputs}


class Clock:
    """Adds the seconds a block takes to one field of ``Timings``."""

    def __init__(self, timings: Timings, name: str) -> None:
        self.timings, self.name = timings, name

    def __enter__(self) -> None:
        self.tick = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        setattr(self.timings, self.name, getattr(self.timings, self.name) + time.perf_counter() - self.tick)


@dataclass
class Loaded:
    """A scenario read, validated and compiled with its what-ifs and assignments, and where it came
    from: a file or shipped name (``path``), or YAML ``text`` kept elsewhere under ``name``."""

    scenario: Scenario
    model: ModelData
    files: list[Path]  # the files read (no output may replace them); none for text
    whatifs: list[str]
    sets: list[tuple[str, Any]]
    path: str | Path | None = None
    text: str | None = None
    name: str | None = None
    tables: Mapping[str, bytes] | None = field(default=None, repr=False)
    timings: Timings = field(default_factory=Timings)

    @property
    def warnings(self) -> list[Problem]:
        """Figures that are valid but probably not meant (located like errors; the run goes on)."""
        return self.model.warnings

    def again(self, whatifs: Sequence[str] = ()) -> Loaded:
        """The same scenario and assignments with other what-ifs."""
        return load(self.path, text=self.text, name=self.name, tables=self.tables, whatifs=whatifs, sets=self.sets)


def load(
    scenario: str | Path | None = None,
    *,
    text: str | None = None,
    name: str | None = None,
    tables: Mapping[str, bytes] | None = None,
    whatifs: Sequence[str] = (),
    sets: Assignments = None,
) -> Loaded:
    """A scenario file or shipped name (default: the shipped default), or its YAML ``text`` (as a
    database keeps it) under ``name``, e.g. 'armed-neutrality v3': then every problem is located
    as 'armed-neutrality v3, line 12: ...', and the table files it names are given as ``tables``
    (file name -> bytes); what-ifs (names, or comma-separated names) and assignments applied as
    ``materiel plan -w ... --set ...`` applies them."""
    from ..scenario.loader import load_text, load_with_files

    tick = time.perf_counter()
    names, pairs = split_names(whatifs), assignments(sets)
    if text is not None:
        if scenario is not None:
            raise ValueError("give a scenario's path or its text, not both")
        label = name or "scenario"
        sc, model = load_text(text, label, names, pairs, tables)
        loaded = Loaded(sc, model, [], names, pairs, None, text, label, tables)
    else:
        sc, model, files = load_with_files(scenario, names, pairs)
        loaded = Loaded(sc, model, files, names, pairs, scenario)
    loaded.timings.load = time.perf_counter() - tick
    return loaded


def loaded_source(source: Loaded | str | Path | None, whatifs: Sequence[str], sets: Assignments) -> Loaded:
    if isinstance(source, Loaded):
        if whatifs or sets:
            raise ValueError("what-ifs and assignments apply when loading; pass them to load()")
        return source
    return load(source, whatifs=whatifs, sets=sets)
