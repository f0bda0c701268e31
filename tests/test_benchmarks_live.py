"""The live what-if benchmark measures what it says: moves of ranged figures of the plan, each
re-planned and planned in full to the same total cost, and a docs section from its record."""

from __future__ import annotations

from benchmarks.live import PLANNED, _timings, section, slider_moves, target_row

import materiel
from materiel.live import sliders


def test_a_move_is_timed_against_full_plans_of_the_same_change() -> None:
    moves = slider_moves(2)
    assert slider_moves(2) == moves, "the moves are seeded"
    by_path = {s.path: s for s in sliders(materiel.load()[1])}
    for change in moves:
        (path, value), *_ = change.items()
        assert len(change) == 1 and by_path[path].section in PLANNED
        assert by_path[path].low <= value <= by_path[path].high
    record = _timings(moves[:1])
    assert record["moves"] == 1 and record["max_cost_difference"] < 1e-6
    assert 0 < record["median_s"] <= record["max_s"] and record["plan_median_s"] > 0
    full = {
        **record,
        "target_s": 0.5,
        "baseline_mb": 190.0,
        "live_peak_mb": 230.0,
        "plan_peak_mb": 250.0,
        "memory_ratio": 0.92,
        "load_average": [1.0] * 6,
    }
    target, measured, verdict = target_row(full)
    assert target.startswith("a what-if re-plan from the editor < 0.5 s") and "1 slider moves" in measured
    assert verdict == ("**met**" if record["median_s"] < 0.5 else "**not met**")
    text = "\n".join(section(full))
    assert "| median (s) |" in text and "peak memory" in text
    assert section(None) == ["Not measured in this run (`--no-live`)."]
