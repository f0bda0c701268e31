"""The shipped scenario's judgement calls can be swept, and its envelope is cited as issue 10 asks
(docs/data.md: "Ranges" and "Funding")."""

from __future__ import annotations

import pytest

import materiel
from materiel.scenario.compiled import iter_quantities
from materiel.scenario.loader import shipped_scenarios


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_every_assumption_with_a_value_carries_a_range(name: str) -> None:
    # A zero is a convention (additions convention, a closed line, no minimum spend): a range on it
    # would decide which LP elements exist rather than vary a number, so it is exempt.
    sc, _ = materiel.load(name)
    unranged = [
        ".".join(map(str, loc))
        for loc, q in iter_quantities(sc, explicit=True)
        if q.assumption
        and q.value != 0
        and loc[0] != "overrides"
        and not (q.low is not None and q.high is not None and q.low < q.high)
    ]
    assert unranged == []


def test_the_op_ed_is_cited_by_author_outlet_and_date_without_an_address() -> None:
    sc, _ = materiel.load()
    op_ed = next(s for s in sc.sources if s.id == "kavanagh-unherd-2025")
    assert "Kavanagh" in op_ed.publisher and "UnHerd" in op_ed.publisher
    assert op_ed.date == "2025-03-28"  # the day after the Paris leaders' meeting of 27 March 2025
    assert op_ed.url is None  # no address rather than the outlet's home page


def test_the_envelope_adds_up_to_twenty_billion_with_the_windfall_counted_once() -> None:
    sc, m = materiel.load()
    ukraine = [n for n, f in enumerate(sc.funding) if f.customers == ["ukraine"] and not f.own]
    assert (m.budget[ukraine].sum(axis=0) / 1e9).round(6).tolist() == [20.0] * m.budget.shape[1]
    fund = {f.id: f for f in sc.funding}
    # EU windfall profits of immobilised assets routed through the Danish model are counted in
    # asset-backed-loan; the Danish model's budget is national money only ($1bn, not $2bn).
    assert [q.value for q in fund["danish-model"].budget] == [1.0]
    assert "windfall" in fund["asset-backed-loan"].budget[0].assumption
