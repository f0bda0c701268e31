"""Policy options: a force paid from the same envelope leaves less for equipment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import materiel
from materiel.assessment.options import (
    compare_options,
    comparison_display,
    comparison_json,
    comparison_table,
    force_cost_by_year,
    option_assumptions,
    with_envelope_cut,
)
from tests.builders import line, scenario, write

OPTIONS = {
    "armed_neutrality": "no foreign troops",
    "reassurance": {
        "troops": [1],
        "cost_per_soldier_year": {"value": 200, "unit": "EUR", "source": "s1"},
        "rotation": {"value": 1, "assumption": "test"},
        "willing": 25_000,
        "contributors": 26,
        "constraints": "needs a mandate",
    },
    "guarantee": {"envelope_share": 0, "dependency": "the guarantor", "constraints": "a treaty"},
}


def doc_with_options() -> dict:
    """Ukraine needs 400 by Q4; one line makes 100 a quarter at EUR 1; EUR 400 a year."""
    return scenario(
        lines=[line("a")],
        funding=[
            {"id": "ua", "name": "envelope", "budget": {"value": 400, "unit": "EUR/year"}, "customers": ["ukraine"]}
        ],
        requirements=[
            {"customer": "ukraine", "item": "shell", "targets": [{"by": "2026Q4", "value": 400}], "interpolate": "step"}
        ],
        options=OPTIONS,
        sources=[{"id": "s1", "publisher": "p", "title": "t", "date": "2025"}],
    )


def test_force_cost_by_year(tmp_path: Path) -> None:
    """10,000 troops × EUR 75,000 × rotation 4 = EUR 3 bn a year; from Q3 only half of the first year."""
    doc = doc_with_options()
    doc["horizon"] = {"start": "2026Q1", "periods": 8}
    doc["options"] = {
        **OPTIONS,
        "reassurance": {**OPTIONS["reassurance"], "cost_per_soldier_year": 75_000, "rotation": 4, "start": "2026Q3"},
    }
    _, m = materiel.load(write(tmp_path, doc, "force.yaml"))
    assert force_cost_by_year(m, m.policy, 10_000) == pytest.approx([1.5e9, 3e9])


def test_envelope_cut_is_proportional(tmp_path: Path) -> None:
    _, m = materiel.load(write(tmp_path, doc_with_options(), "cut.yaml"))
    cut, note = with_envelope_cut(m, [0], np.array([100.0]))
    assert cut.budget[0, 0] == pytest.approx(300) and note == ""
    cut, note = with_envelope_cut(m, [0], np.array([1000.0]))
    assert cut.budget[0, 0] == 0 and "costs more than the whole envelope in 2026" in note


def test_force_paid_from_the_envelope_lowers_readiness(tmp_path: Path) -> None:
    """Armed neutrality buys all 400 (ready 2026Q4). A force costing EUR 200 a year leaves 200:
    stock 200 of 400, never ready. The guarantee spends nothing on equipment."""
    _, m = materiel.load(write(tmp_path, doc_with_options()))
    neutral, force, guarantee = compare_options(m)
    assert neutral.assessment.readiness.period == "2026Q4"
    assert neutral.envelope_cost == pytest.approx([400])
    assert force.force_cost == pytest.approx([200]) and force.envelope_cost == pytest.approx([200])
    assert force.assessment.readiness.period is None
    assert force.cost_per_year == pytest.approx(400)
    assert force.committed == 1 and force.willing == 25_000
    assert guarantee.envelope_cost == pytest.approx([0]) and guarantee.cost_per_year == 0
    assert guarantee.dependency == "the guarantor"
    for r in (neutral, force, guarantee):
        assert materiel.check(r.plan) == []
    table = comparison_table([neutral, force, guarantee])
    assert list(table["option"]) == ["armed neutrality", "reassurance force 0k", "binding guarantee"]
    assert list(table["readiness date"]) == ["2026Q4", "never within the horizon", "never within the horizon"]
    assert (
        "needs a mandate" in table.loc[1, "constraints"] and "depends on: the guarantor" in table.loc[2, "constraints"]
    )
    assert table["cost per year (EUR)"].tolist() == pytest.approx([400, 400, 0])  # numbers, not "EUR 400"
    assert table["of which equipment (EUR)"].tolist() == pytest.approx([400, 200, 0])
    assert table["spent in Europe (share)"].tolist() == pytest.approx([1, 1, 0])
    records = comparison_json([neutral, force, guarantee])
    assert records[1]["force_cost_per_year"] == 200 and records[0]["readiness_date"] == "2026Q4"
    assumptions = option_assumptions(m)
    row = assumptions[assumptions["field"] == "options.reassurance.cost_per_soldier_year"].iloc[0]
    assert row["source"] == "s1" and row["source_date"] == "2025"


def test_what_each_option_gives_up_is_beside_what_it_costs(tmp_path: Path) -> None:
    """Against armed neutrality (EUR 400 a year of equipment, ready 2026Q4): the force of 1 soldier
    at EUR 200 leaves EUR 200, so it gives up EUR 200 a year of equipment and readiness (never
    ready), and commits 1 soldier; the guarantee gives up all EUR 400 and names the guarantor."""
    _, m = materiel.load(write(tmp_path, doc_with_options()))
    results = compare_options(m)
    table = comparison_table(results)
    assert table.loc[0, "gives up"] == "–"
    force, guarantee = table.loc[1, "gives up"], table.loc[2, "gives up"]
    assert force == "never ready (instead of 2026Q4); EUR 200 a year less equipment; 1 troop committed"
    assert guarantee.startswith("never ready (instead of 2026Q4); EUR 400 a year less equipment")
    assert guarantee.endswith("security depends on the guarantor")
    lost = comparison_json(results)[1]["gives_up"]
    assert lost == {
        "readiness_delay_periods": None,
        "never_ready": True,
        "days_of_war_fewer": None,
        "equipment_forgone_per_year": 200,
        "troops_committed": 1,
    }


def test_the_force_cost_is_shown_over_its_range(tmp_path: Path) -> None:
    """EUR 200 per soldier-year, from 100 to 300, one soldier at rotation 1: EUR 100 to 300 a year."""
    doc = doc_with_options()
    cost = {"value": 200, "low": 100, "high": 300, "unit": "EUR", "source": "s1"}
    doc["options"]["reassurance"]["cost_per_soldier_year"] = cost
    _, m = materiel.load(write(tmp_path, doc))
    results = compare_options(m)
    record = comparison_json(results)[1]
    assert (record["force_cost_per_year_low"], record["force_cost_per_year_high"]) == (100, 300)
    table = comparison_table(results)
    assert table.loc[1, "of which troops (EUR)"] == 200
    assert (table.loc[1, "of which troops, low (EUR)"], table.loc[1, "of which troops, high (EUR)"]) == (100, 300)
    assert comparison_display(results).loc[1, "of which troops"] == "EUR 200 (EUR 100–EUR 300)"


def test_the_guarantee_keeps_ukraines_own_budget_and_industry(tmp_path: Path) -> None:
    """Ukraine's own budget (EUR 400 a year, own: true) buys from a Ukrainian line of 400 a year at
    EUR 1. The guarantee takes the whole aid envelope (share 0) but not Ukraine's own money: the
    400 shells are still bought, ready 2026Q4 (before the fix the own budget was in the envelope
    and the guarantee reported 'never ready')."""
    doc = doc_with_options()
    doc["lines"].append(line("ua", country="UA"))
    doc["funding"].append(
        {
            "id": "ua-budget",
            "name": "Ukraine's defence budget",
            "budget": {"value": 400, "unit": "EUR/year"},
            "origins": ["UA"],
            "customers": ["ukraine"],
            "own": True,
        }
    )
    _, m = materiel.load(write(tmp_path, doc))
    guarantee = compare_options(m)[-1]
    assert guarantee.kind == "guarantee" and "their own budget" in guarantee.description
    assert guarantee.assessment.readiness.period == "2026Q4"
    assert guarantee.envelope_cost == pytest.approx([0]) and guarantee.own_means_per_year == pytest.approx(400)
    assert materiel.check(guarantee.plan) == []
    assert comparison_table(compare_options(m))["own means per year (EUR)"].tolist() == pytest.approx([400, 400, 400])
