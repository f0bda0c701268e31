"""The what-if panel's sliders: every ranged figure of a scenario (the set a sweep varies), with
its ``--set`` path, its name in words, unit, range, a step and its source (docs/api.md, "Live
what-ifs")."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from ..scenario.compiled import iter_quantities
from ..scenario.errors import Loc
from ..scenario.names import describe_loc
from ..scenario.schema import Milestone, Quantity, Scenario, Source, Step
from ..uncertainty.sampling import UncertainInput, uncertain_inputs

SECTIONS = {  # a top-level section of the scenario, as a heading of the panel
    "currency": "Currency",
    "items": "Items",
    "requirements": "Requirements",
    "force_design": "Force design",
    "lines": "Production lines",
    "funding": "Funding",
    "drawdowns": "Drawdowns",
    "commitments": "Commitments",
    "threat": "Threat and air defence",
    "assessment": "Assessment",
    "options": "Policy options",
}
STEPS_PER_RANGE = 100  # a slider's step is about a hundredth of its range, rounded to 1, 2 or 5


@dataclass(frozen=True)
class Slider:
    """One ranged figure as the what-if panel shows it; values are in ``unit``, as written."""

    path: str  # the --set path (``funding[nato-purl].budget``)
    label: str  # the figure in words, with names (not ids)
    section: str  # the scenario section it belongs to (``funding``)
    section_label: str  # that section as a heading ("Funding")
    unit: str
    low: float
    base: float  # the value as written
    high: float
    step: float
    source: str  # id of the cited source ("" when none)
    source_title: str  # "publisher: title" of that source
    as_of: str  # the source's as-of date (YYYY, YYYY-MM or YYYY-MM-DD)
    assumption: str  # the written rationale when no source is cited
    sweep_path: str  # the same figure as a sweep names it (sweep.json, ``--vary``)

    def as_dict(self) -> dict:
        """The slider as JSON-ready values."""
        return asdict(self)


def nice_step(low: float, high: float) -> float:
    """About a hundredth of the range, rounded down to 1, 2 or 5 times a power of ten."""
    span = (high - low) / STEPS_PER_RANGE
    if not span > 0 or not math.isfinite(span):
        return 1.0
    power = 10.0 ** math.floor(math.log10(span))
    return float(max((f * power for f in (2, 5) if f * power <= span), default=power))  # log10 may round up


def _dated(step: Quantity) -> bool:
    """A schedule's only step that says more than a number: a start, a growth or a cap."""
    return isinstance(step, Step) and bool({"from_", "growth", "cap"} & step.model_fields_set)


def set_path(sc: Scenario, loc: Loc) -> str:
    """The ``--set`` path of the figure at ``loc``: entries by id where they have a unique one,
    else by position; a schedule's step or a milestone as ``[n].value`` (so --set keeps its date);
    a schedule of one plain step as the field itself (--set writes it with its unit)."""
    parts: list[str] = []
    node: object = sc
    for n, step in enumerate(loc):
        if isinstance(step, int) and isinstance(node, list):
            entry = node[step]
            if isinstance(entry, (Step, Milestone)):
                listed = len(node) > 1 or isinstance(entry, Milestone)
                if listed:
                    parts[-1] += f"[{step}]"
                if n == len(loc) - 1 and (listed or _dated(entry)):
                    parts.append("value")
            else:
                ident = getattr(entry, "id", None)
                unique = ident is not None and sum(getattr(e, "id", None) == ident for e in node) == 1
                parts[-1] += f"[{ident}]" if unique else f"[{step}]"
            node = entry
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else getattr(node, str(step), None)
    return ".".join(parts)


def _slider(sc: Scenario, x: UncertainInput, quantity: Quantity, sources: dict[str, Source]) -> Slider:
    src = sources.get(x.source)
    section = str(x.loc[0])
    return Slider(
        path=set_path(sc, x.loc),
        label=describe_loc(sc, x.loc),
        section=section,
        section_label=SECTIONS.get(section, section.replace("_", " ").capitalize()),
        unit=x.unit,
        low=float(x.low),
        base=float(x.value),
        high=float(x.high),
        step=nice_step(x.low, x.high),
        source=src.id if src else "",
        source_title=f"{src.publisher}: {src.title}" if src else "",
        as_of=src.date if src else "",
        assumption=quantity.assumption or "",
        sweep_path=x.path,
    )


def sliders_of(sc: Scenario) -> list[tuple[Slider, Loc]]:
    """Every ranged figure of ``sc`` as a slider, with its location: section by section in the
    schema's order, as written within a section (the order ``uncertain_inputs`` walks them)."""
    figures = dict(iter_quantities(sc, explicit=True))
    sources = {s.id: s for s in sc.sources}
    return [(_slider(sc, x, figures[x.loc], sources), x.loc) for x in uncertain_inputs(sc)]
