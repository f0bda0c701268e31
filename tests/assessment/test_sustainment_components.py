"""Surge production during a war is limited by components (docs/assessment.md, "surge")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import materiel
from tests.builders import line, write
from tests.planner.test_components import CHARGES, SHELLS, component, per_quarter, shells_and_charges


def test_surge_in_a_war_is_limited_by_components(tmp_path: Path) -> None:
    """Shells (1,000 a quarter) surge only as far as charges allow: 600 a quarter, 600/91.25 a day.
    With a powder plant making charges for only 400 a quarter (1,200 kg, 3 kg each), 400."""
    from materiel.assessment.sustainment import war_inflow
    from materiel.scenario.components import supply_factor

    m = materiel.load(write(tmp_path, shells_and_charges(SHELLS, CHARGES)))[1]
    zeros = np.zeros((len(m.lines), m.T))
    flow = war_inflow(m, zeros, zeros, 0, True, np.array([0]))
    assert flow[0, 0, 10] == pytest.approx(600 / 91.25)
    doc = shells_and_charges(
        SHELLS, {**CHARGES, "needs": {"powder": 3}}, line("powder-plant", item="powder", capacity=per_quarter(1200))
    )
    doc["items"].append(component("powder", unit="kg"))
    m = materiel.load(write(tmp_path, doc, "powder.yaml"))[1]
    factor = supply_factor(m.component, m.need, m.line_item, m.cap)
    assert factor[:, 0] == pytest.approx([0.4, 400 / 600, 1.0])  # shells, charges, powder
    flow = war_inflow(m, np.zeros((3, m.T)), np.zeros((3, m.T)), 0, True, np.array([0]))
    assert flow[0, 0, 10] == pytest.approx(400 / 91.25)
