"""A sweep's summary as a reader takes it: inputs by name, correlations within the noise band of N
draws (|rho| < 2/√N) marked, and probabilities never rounded to 0 % or 100 % unless they are."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from materiel.fmt import probability
from materiel.report.sweep import sensitivity_lines, tornado_label
from materiel.scenario.loader import load
from materiel.uncertainty.summary import noise_band, summarise

N = 100  # draws: the noise band is 2/√100 = 0.2


def draws(model, ready_last: int) -> pd.DataFrame:
    """N synthetic draws of the ranged scenario: the total cost rises with line a's price draw by
    draw (rho = 1); the budget draw is a shuffle unrelated to it; ``ready_last`` draws are never ready."""
    rng = np.random.default_rng(7)
    price = np.linspace(0.5, 2, N)
    frame = pd.DataFrame(
        {
            "draw": np.arange(N),
            "status": "optimal",
            "total_cost": 1000 * price,
            "envelope_cost_per_year": 500 * price,
            "bottleneck_days": 30.0,
            "readiness_index": np.where(np.arange(N) < N - ready_last, 0.0, np.nan),
            "input:lines[a].price[0]": price,
            "input:funding[fund].budget[0]": rng.permutation(np.linspace(300, 900, N)),
        }
    )
    for p in model.periods:
        frame[f"coverage:{p}"] = 0.95
    return frame


def test_noise_band_is_two_over_root_n() -> None:
    assert noise_band(100) == pytest.approx(0.2) and noise_band(400) == pytest.approx(0.1)
    assert math.isinf(noise_band(0))


def test_sensitivities_are_named_and_marked_within_the_noise_band(ranged: Path) -> None:
    _, m = load(ranged)
    u = summarise(draws(m, ready_last=0), m)
    sens = u.sensitivity[u.sensitivity["output"] == "total_cost"].set_index("input")
    assert sens.loc["lines[a].price[0]", "rho"] == pytest.approx(1.0)
    assert sens.loc["lines[a].price[0]", "name"] == "Line a — price"
    assert sens.loc["funding[fund].budget[0]", "name"] == "Vehicle f — budget"
    assert not sens.loc["lines[a].price[0]", "in_noise"]
    for row in u.sensitivity.itertuples():  # marked exactly where |rho| < 2/√N
        assert row.in_noise == (abs(row.rho) < 0.2)
    h = u.headline()
    assert h["noise_band"] == pytest.approx(0.2)
    top = {r["input"]: r for r in h["top_sensitivities"]["total_cost"]}
    assert top["lines[a].price[0]"]["in_noise_band"] is False
    text = "\n".join(sensitivity_lines(h))
    assert "Line a — price +1.00" in text and "2/√N = 0.20 for N = 100" in text


def test_a_weak_correlation_is_marked_noise_in_words() -> None:
    h = {
        "draws": 25,
        "failed_draws": 0,
        "noise_band": 0.4,
        "top_sensitivities": {
            "readiness": [{"input": "x", "name": "Item shell — loss", "rho": 0.3, "in_noise_band": True}]
        },
    }
    assert sensitivity_lines(h)[0].endswith("Item shell — loss +0.30 (noise)")
    assert tornado_label("Item shell — loss", True) == "Item shell — loss (noise)"
    assert len(tornado_label("x" * 200, True)) == 60


def test_probabilities_near_certain_are_not_rounded_to_certain(ranged: Path) -> None:
    """199 of 200 ready reads 99.5 %, not 100 %; 1 of 250 reads 0.4 %, not 0 %."""
    assert probability(199 / 200) == "99.5 %" and probability(1 / 250) == "0.4 %"
    assert probability(1.0) == "100 %" and probability(0.0) == "0 %" and probability(0.42) == "42 %"
    assert probability(0.9999) == "99.99 %" and probability(None) == "–"
    _, m = load(ranged)
    u = summarise(draws(m, ready_last=1), m)
    assert probability(u.p_ready["probability"].iloc[-1]) == "99 %"  # 99 of 100
