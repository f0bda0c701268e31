"""The generated blocks of docs/data.md: found, replaced and dated by the scenario's digest."""

from __future__ import annotations

import pandas as pd
import pytest

from materiel.report.datadoc import block, block_digest, replace_block, sensitivity_block

DOC = "intro\n<!-- variants:start -->\nold table\n<!-- variants:end -->\noutro\n"


def test_a_block_is_replaced_and_the_rest_kept() -> None:
    new = replace_block(DOC, "variants", "| new |\n")
    assert new == "intro\n<!-- variants:start -->\n| new |\n<!-- variants:end -->\noutro\n"
    assert block(new, "variants") == "| new |\n"


def test_a_missing_block_is_named() -> None:
    assert block(DOC, "sensitivity") is None
    with pytest.raises(ValueError, match="no <!-- sensitivity:start -->"):
        replace_block(DOC, "sensitivity", "x\n")


def test_the_sensitivity_table_ranks_by_output_and_records_the_digest() -> None:
    table = pd.DataFrame(
        {
            "input": ["brigades", "tank price", "tank price", "brigades"],
            "output": ["readiness", "readiness", "total_cost", "total_cost"],
            "rho": [0.61, -0.2, 0.5, 0.3],
        }
    )
    body = sensitivity_block(table, "abc123", top=2)
    rows = body.splitlines()
    assert rows[2] == "| 1 | `brigades` | +0.61 | `tank price` | +0.50 |"
    assert rows[3] == "| 2 | `tank price` | -0.20 | `brigades` | +0.30 |"
    doc = replace_block(DOC.replace("variants", "sensitivity"), "sensitivity", body)
    assert block_digest(doc) == "abc123"
