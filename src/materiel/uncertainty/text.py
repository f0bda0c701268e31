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
        f"Expected weighted shortfall: committed plan {_figure(es['committed'])}, perfect foresight "
        f"{_figure(es['perfect_foresight'])}; value of perfect information "
        f"{_figure(h['value_of_perfect_information']['weighted_shortfall'])}",
        f"Committed decisions never made within the horizon (capacity or money short): {cuts['draws_with_cuts']} of "
        f"{h['draws']} draws, on average {money(cuts['mean_cut_value'] or 0.0, currency)}, at most "
        f"{probability(cuts['max_cut_share'])} of their value",
    ]
    best = h.get("most_valuable_commitments") or []
    if best:
        lines.append(
            f"Commitments whose next {currency} 1 m would lower the committed plan's expected weighted shortfall most "
            "(marginal values at this plan, for small changes; commitments.csv has every one):"
        )
        for c in best:
            what = f"{c['line']} → {c['customer']}" if c["kind"] == "order" else f"{c['line']} capacity"
            lines.append(
                f"  {what}, {c['period']}: {c['shortfall_change_per_million']:+.4g} points, "
                f"lower in {probability(c['draws_helped'])} of draws"
            )
    return lines


def _figure(v: float | None) -> str:
    return "–" if v is None else f"{v:.4g}"


def robust_lines(h: dict, currency: str) -> list[str]:
    """What ``materiel robust`` prints."""
    t, e, f = h["training"], h["evaluation"], h["first_stage"]
    alpha = f" at α = {h['alpha']}" if h["alpha"] is not None else ""
    es = e["expected_weighted_shortfall"]
    cuts = e["cuts"]
    return [
        f"Stochastic plan: first stage up to {h['decision_date']} shared by {t['draws']} training draws, minimising "
        f"the {h['objective']}{alpha}: {_figure(t['objective_value'])} ({t['method']}, {t['seconds']} s)",
        f"First stage committed: stochastic plan {money(f['stochastic_value'] or 0.0, currency)} "
        f"({f['orders']} orders, {f['investments']} investments), deterministic plan "
        f"{money(f['deterministic_value'] or 0.0, currency)}",
        f"Judged on {e['draws']} fresh draws (seed {e['seed']}), each plan committed up to {h['decision_date']}. "
        "Probability of being ready by the end of each year:",
        *_years_table(
            {
                "stochastic plan": e["p_ready_by_year"]["stochastic_plan"],
                "deterministic plan": e["p_ready_by_year"]["deterministic_plan"],
                "perfect foresight": e["p_ready_by_year"]["perfect_foresight"],
            }
        ),
        f"Expected weighted shortfall: stochastic plan {_figure(es['stochastic_plan'])}, deterministic plan "
        f"{_figure(es['deterministic_plan'])}, perfect foresight {_figure(es['perfect_foresight'])}; value of the "
        f"stochastic solution {_figure(e['value_of_stochastic_solution']['weighted_shortfall'])}",
        f"Commitments never made within the horizon: stochastic plan in {cuts['stochastic_plan']['draws_with_cuts']} "
        f"draws, deterministic plan in {cuts['deterministic_plan']['draws_with_cuts']} (counted before shortfall)",
    ]
