"""Draws: reproducible, inside their ranges, stratified, and kept within the scenario's rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import materiel
from materiel.uncertainty.sampling import respect_limits, sample, uncertain_inputs


def test_uncertain_inputs_are_the_figures_with_ranges(ranged: Path) -> None:
    sc = materiel.load_scenario(ranged)
    paths = [x.path for x in uncertain_inputs(sc)]
    assert paths == [
        "items[shell].wartime_use",
        "lines[a].capacity[0]",
        "lines[a].price[0]",
        "lines[a].lead",
        "lines[b].price[0]",
        "funding[fund].budget[0]",
    ]


@pytest.mark.parametrize("method", ["lhs", "sobol"])
def test_same_seed_same_draws_and_within_range(ranged: Path, method: str) -> None:
    xs = uncertain_inputs(materiel.load_scenario(ranged))
    a, b, c = sample(xs, 16, 7, method), sample(xs, 16, 7, method), sample(xs, 16, 8, method)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    lows, highs = np.array([x.low for x in xs]), np.array([x.high for x in xs])
    assert (a >= lows).all() and (a <= highs).all()


def test_latin_hypercube_hits_every_stratum_once(ranged: Path) -> None:
    xs = [x for x in uncertain_inputs(materiel.load_scenario(ranged)) if x.dist == "uniform"]
    n = 20
    u = (sample(xs, n, 3, "lhs")[:, 0] - 1) / 2  # price of b: uniform on [1, 3]
    assert sorted((u * n).astype(int).tolist()) == list(range(n))


def test_triangular_peaks_at_the_value(ranged: Path) -> None:
    xs = uncertain_inputs(materiel.load_scenario(ranged))
    draws = sample(xs, 4000, 1)[:, 2]  # price of a: triangular 0.5 / 1 / 2, mean 7/6
    assert draws.mean() == pytest.approx((0.5 + 1 + 2) / 3, rel=0.01)


def test_shares_of_one_attack_are_scaled_back_to_one(tmp_path: Path) -> None:
    from tests.builders import scenario, write

    doc = scenario(
        items=[
            {"id": "i1", "name": "i", "category": "air-defence"},
            {"id": "i2", "name": "j", "category": "air-defence"},
        ],
        threat={
            "attacks": [{"id": "a", "name": "a", "rate": 100}],
            "defences": [
                {
                    "attack": "a",
                    "item": "i1",
                    "share": {"value": 0.6, "low": 0.4, "high": 0.9},
                    "per_attack": 1,
                    "p_kill": 0.5,
                },
                {"attack": "a", "item": "i2", "share": 0.3, "per_attack": 1, "p_kill": 0.5},
            ],
        },
    )
    sc = materiel.load_scenario(write(tmp_path, doc))
    xs = uncertain_inputs(sc)
    values = respect_limits(sc, xs, np.array([[0.9], [0.5]]))
    assert values[:, 0] == pytest.approx([0.7, 0.5])
