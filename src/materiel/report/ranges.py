"""How firm the plan's headline splits are: their ranges over the equally good plans, in words
for the terminal and the HTML report (docs/model.md, "Equally good plans")."""

from __future__ import annotations

import html

from ..fmt import money
from ..planner.face import FACE_TOLERANCE, Face, Range
from ..planner.result import Plan


def percent(value: float) -> str:
    """'61.3 %': one decimal, as ranges need."""
    return f"{100 * value:.1f} %"


def span(r: Range) -> str:
    """'61.3–63.7 %', or '61.3 %' where every equally good plan has the same share."""
    low, high = percent(r.low), percent(r.high)
    return low if low == high else f"{low[:-2]}–{high}"


def across(face: Face) -> str:
    """Which plans a range is taken over."""
    if face.cost_slack <= FACE_TOLERANCE:
        return "across equally short and equally cheap plans"
    return f"across plans as short and at most {100 * face.cost_slack:g} % dearer"


def customer_name(plan: Plan, customer: str) -> str:
    """A customer's name as the scenario writes it ("<id>/aid": its purchases paid by aid)."""
    names = {c.id: c.name for c in plan.model.scenario.customers}
    who, _, aid = customer.partition("/")
    return names.get(who, who) + (" (aid alone)" if aid else "")


def share_lines(plan: Plan) -> list[str]:
    """The share ranges in words: all money, then each customer's orders (plain text)."""
    face = plan.face
    if face is None or not face.europe_share:
        return []
    out = []
    total = face.europe_share.get("")
    if total is not None:
        out.append(f"Spent in Europe, all money: {span(total)} {across(face)} (this plan {percent(total.value)})")
    by_customer = [f"{customer_name(plan, k)} {span(r)}" for k, r in face.europe_share.items() if k and r is not None]
    if by_customer:
        out.append("  of each customer's purchases: " + "; ".join(by_customer))
    return out


def year_lines(plan: Plan) -> list[str]:
    """The assessed customer's spending per year across the same plans (plain text)."""
    face = plan.face
    if face is None or not face.spend_by_year:
        return []
    cur = plan.currency
    parts = [
        f"{y} {money(r.low, cur)}"
        + ("" if abs(r.width) < 0.005 * max(abs(r.high), 1.0) else f" to {money(r.high, cur)}")
        for y, r in face.spend_by_year.items()
        if r is not None
    ]
    return [f"Spending for {customer_name(plan, face.customer)} by year, {across(face)}:", "  " + "; ".join(parts)]


def preference_line(plan: Plan) -> list[str]:
    """The tie-break the plan honours, if the scenario states one."""
    face = plan.face
    prefer = list(plan.model.scenario.preference.prefer) if plan.model.scenario.preference else []
    if not prefer:
        return []
    text = f"At equal shortfall and cost this plan prefers production in {', then '.join(prefer)}"
    if face is not None and face.honoured < len(prefer):
        text += f" (HiGHS settled only the first {face.honoured})"
    return [text]


def lines(plan: Plan) -> list[str]:
    """Every line of the ranges' summary, plain text."""
    return [*share_lines(plan), *year_lines(plan), *preference_line(plan)]


def summary_rows(plan: Plan) -> list[tuple[str, float]]:
    """(figure, value) rows for the workbook's summary sheet: each share's least and most across
    the equally good plans, as fractions."""
    face = plan.face
    if face is None:
        return []
    rows = []
    for key, r in face.europe_share.items():
        if r is not None:
            whose = f" of {customer_name(plan, key)}'s purchases" if key else ""
            rows += [
                (f"share spent in Europe{whose}, least {across(face)}", round(r.low, 4)),
                (f"share spent in Europe{whose}, most {across(face)}", round(r.high, 4)),
            ]
    return rows


def html_note(plan: Plan) -> str:
    """The same lines as a paragraph for the HTML report ('' without ranges)."""
    text = lines(plan)
    if not text:
        return ""
    return '<p class="meta">' + "<br>".join(html.escape(t.strip()) for t in text) + "</p>"
