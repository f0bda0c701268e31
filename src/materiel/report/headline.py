"""The headline of every summary, said so that it cannot be misread: money by customer (aid to the
assessed customer apart from its own means, other customers' own purchases apart from both, each
with where it was spent) and the what-ifs the run was made with (docs/cli.md, "Headlines")."""

from __future__ import annotations

import html

import pandas as pd

from ..fmt import money, share
from ..planner import money as split
from ..planner.result import Plan
from ..scenario.compiled import ModelData
from ..scenario.names import possessive


def whatif_text(m: ModelData) -> str | None:
    """'what-ifs: pessimistic; --set funding[nato-purl].budget=0', or None for the scenario as written."""
    return f"what-ifs: {'; '.join(m.whatifs)}" if m.whatifs else None


def whatif_summary(m: ModelData) -> dict:
    """The what-ifs for summary.json: named ones and command-line assignments, as given."""
    sets = [w.removeprefix("--set ") for w in m.whatifs if w.startswith("--set ")]
    return {"whatifs": [w for w in m.whatifs if not w.startswith("--set ")], "set": sets}


def _card(label: str, value: str, under: str = "") -> str:
    return f'<div class="card">{html.escape(label)}<b>{html.escape(value)}</b>{html.escape(under)}</div>'


def money_cards(plan: Plan) -> str:
    """The report's headline cards for money: per customer, with where it was spent."""
    cur = plan.currency
    cards = []
    for e in split.by_customer(plan).values():
        where = e["spent_in"]
        spent_in = (
            ""
            if where["Europe"] is None
            else (
                f"spent in Europe {share(where['Europe'])}, Ukraine {share(where['Ukraine'])}, "
                f"elsewhere {share(where['elsewhere'])}"
            )
        )
        if e["assessed"]:
            cards.append(
                _card(f"aid to {e['name']}", money(e["aid"], cur), f"{money(e['aid_per_year'], cur)} per year")
            )
            cards.append(
                _card(
                    f"{possessive(e['name'])} own means",
                    money(e["own_means"], cur),
                    spent_in and f"all its money {spent_in}",
                )
            )
        else:
            cards.append(_card(f"{e['name']}: own purchases, not aid", money(e["total"], cur), spent_in))
    return "\n".join(cards)


def money_note(plan: Plan) -> str:
    """The sentences behind the cards: all money as their sum, and the definitions at hand."""
    said = (split.total_line(plan), split.definitions(len(plan.model.years)))
    return "".join(f'<p class="note">{html.escape(t)}</p>' for t in said)


def comparison_money(plans: list[tuple[str, Plan]]) -> list[str]:
    """Per option or variant, its money per year by customer (``compare``'s terminal): aid to the
    assessed customer, its own means, each other customer's own purchases."""
    out = []
    for name, plan in plans:
        cur = plan.currency
        parts = []
        for e in split.by_customer(plan).values():
            if e["assessed"]:
                parts.append(f"aid to {e['name']} {money(e['aid_per_year'], cur)}")
                parts.append(f"its own means {money(e['own_means'] / len(plan.model.years), cur)}")
            else:
                parts.append(f"{possessive(e['name'])} own purchases {money(e['per_year'], cur)}")
        out.append(f"{name}: {'; '.join(parts)} per year")
    return out


def money_by_customer_table(plan: Plan) -> pd.DataFrame:
    """Money per year (rows: aid to the assessed customer, its own means, each other customer's own
    purchases, capacity shared between customers if any, all money), in the plan's currency."""
    split_ = split.by_customer(plan)
    rows: dict[str, dict] = {}
    for e in split_.values():
        if e["assessed"]:
            rows[f"aid to {e['name']}"] = e["aid_by_year"]
            rows[f"{possessive(e['name'])} own means"] = e["own_means_by_year"]
    for e in split_.values():
        if not e["assessed"]:
            rows[f"{possessive(e['name'])} own purchases"] = e["by_year"]
    table = pd.DataFrame(rows).T.reindex(columns=plan.model.years, fill_value=0.0)
    total = plan.spend_by_year()
    shared = total - table.sum(axis=0)
    if (shared.abs() > 1e-6 * max(1.0, float(total.abs().max()))).any():
        table.loc["capacity shared by several customers"] = shared
    table.loc["all money"] = total
    table.columns = [str(c) for c in table.columns]
    table.index.name = "money"
    return table
