"""Live what-ifs (docs/api.md, "Live what-ifs"): the sliders of a scenario's ranged figures and a
warm planner that re-plans as they move, for the scenario editor's what-if panel::

    from materiel.live import LivePlanner, sliders
    _, model = materiel.load()
    sliders(model)                       # every ranged figure: path, label, unit, low, base, high, step
    live = LivePlanner(model)            # solves once, keeps HiGHS warm
    live.replan({"funding[nato-purl].budget": 2e9}).as_dict()
"""

from __future__ import annotations

from ..scenario.compiled import ModelData
from .cache import LiveCache, model_key
from .planner import Headline, LiveError, LivePlanner
from .sliders import Slider, sliders_of


def sliders(model: ModelData) -> list[Slider]:
    """Every ranged figure of a compiled scenario as a slider, grouped by section."""
    return [s for s, _ in sliders_of(model.scenario)]


__all__ = ["Headline", "LiveCache", "LiveError", "LivePlanner", "Slider", "model_key", "sliders"]
