"""Terminal lines for committed plans and stochastic plans (docs/uncertainty.md), every figure
labelled with the plan it belongs to."""

from __future__ import annotations

from ..fmt import money, probability


def _years_table(rows: dict[str, dict[str, float | None]]) -> list[str]:
    """Probabilities by year, one labelled row per plan, aligned in columns."""
    years = list(next(iter(rows.values())))
    width = max(len(label) for label in rows)
    head = " " * width + "".join(f"{y:>9}" for y in years)
    body = [
        f"{label:<{width}}" + "".join(f"{probability(v):>9}" for v in values.values()) for label, values in rows.items()
    ]
    return [head, *body]


def commit_lines(h: dict, currency: str) -> list[str]:
    """What ``materiel commit`` prints."""
    failed = h["failed_draws"]
    cuts = h["cuts"]
    es = h["expected_weighted_shortfall"]
    lines = [
        f"{h['draws']} draws; orders and investments up to {h['decision_date']} committed "
        f"({money(h['committed_value'], currency)} at the plan's prices); draws without an optimal plan: "
        f"{failed['committed']} committed, {failed['perfect_foresight']} with perfect foresight (counted as not ready)",
        "Probability of being ready by the end of each year:",
        *_years_table(
            {
                "committed plan": h["p_ready_by_year"]["committed"],
                "perfect foresight": h["p_ready_by_year"]["perfect_foresight"],
                "value of information": h["value_of_perfect_information"]["p_ready_by_year"],
            }
        ),
        f"Expected weighted shortfall: committed plan {es['committed']}, perfect foresight "
        f"{es['perfect_foresight']}; value of perfect information {h['value_of_perfect_information']['weighted_shortfall']}",
        f"Committed decisions not delivered (capacity or money short in the draw): {cuts['draws_with_cuts']} of "
        f"{h['draws']} draws, on average {money(cuts['mean_cut_value'] or 0.0, currency)}, at most "
        f"{probability(cuts['max_cut_share'])} of their value",
    ]
    return lines
