"""Rates equal a recount after random sequences of transitions (Hypothesis), and the median."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjiang.congress import rates as rates_mod
from gongjiang.congress import services_proposals as P
from gongjiang.congress.models_proposals import Proposal
from gongjiang.core.errors import ApplicationError

from .helpers import draft

pytestmark = pytest.mark.django_db

ACTIONS = ["cosign", "submit", "accept", "merge", "convert", "assign", "reply", "rate", "close"]
RATINGS = ["satisfied", "basic", "not"]


def attempt(congress: Any, p: Proposal, action: str, rating: str, others: list[Proposal]) -> None:
    c = congress
    proposer = next(i for i, u in enumerate(c.users) if u.worker.pk == p.proposer.worker_id)
    if action == "cosign":
        for i in range(6):
            if (
                i != proposer
                and not p.cosignatures.filter(delegate__worker__user=c.users[i]).exists()
            ):
                P.proposal_cosign(actor=c.users[i], proposal=p)
                return
        raise ApplicationError("all signed")
    if action == "submit":
        P.proposal_submit(actor=c.users[proposer], proposal=p)
    elif action == "accept":
        P.proposal_accept(actor=c.committee, proposal=p)
    elif action == "merge":
        into = next((o for o in others if o.pk != p.pk), p)
        P.proposal_merge(
            actor=c.committee, proposal=p, into=Proposal.objects.get(pk=into.pk), reason="同类"
        )
    elif action == "convert":
        P.proposal_convert(actor=c.committee, proposal=p, reason="属日常事项")
    elif action == "assign":
        P.proposal_assign(actor=c.committee, proposal=p, lead=c.department)
    elif action == "reply":
        P.proposal_reply(actor=c.responder, proposal=p, outcome="adopted", text="已办")
    elif action == "rate":
        P.proposal_rate(actor=c.users[proposer], proposal=p, rating=rating)
    elif action == "close":
        P.proposal_close(actor=c.committee, proposal=p)


def recount(shadow: list[dict[str, Any]]) -> dict[str, Any]:
    """The rates counted by hand from the test's own record of what happened."""
    submitted = [s for s in shadow if s["submitted"]]
    accepted = [s for s in shadow if s["accepted"]]
    replied = [s for s in accepted if s["replies"] > 0]
    closed = [s for s in shadow if s["closed"]]
    rated = [s for s in shadow if s["rating"]]
    satisfied = [s for s in rated if s["rating"] in ("satisfied", "basic")]

    def r(a: list[Any], b: list[Any]) -> float | None:
        return len(a) / len(b) if b else None

    return {
        "submitted": len(submitted),
        "accepted": len(accepted),
        "replied": len(replied),
        "closed": len(closed),
        "rated": len(rated),
        "satisfied": len(satisfied),
        "acceptance_rate": r(accepted, submitted),
        "reply_rate": r(replied, accepted),
        "closure_rate": r(closed, accepted),
        "satisfaction_rate": r(satisfied, rated),
    }


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    n=st.integers(1, 4),
    steps=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(ACTIONS), st.sampled_from(RATINGS)),
        max_size=40,
    ),
)
def test_rates_equal_a_recount(congress: Any, world: Any, n: int, steps: list[Any]) -> None:
    with transaction.atomic():
        proposals = [draft(congress, by=i % 3, title=f"提案{i}") for i in range(n)]
        shadow = [
            {"submitted": False, "accepted": False, "replies": 0, "closed": False, "rating": ""}
            for _ in proposals
        ]
        for index, action, rating in steps:
            if index >= n:
                continue
            p = Proposal.objects.get(pk=proposals[index].pk)
            before = p.status
            try:
                with transaction.atomic():
                    attempt(congress, p, action, rating, proposals)
            except (ApplicationError, Exception) as exc:  # a refused transition changes nothing
                assert Proposal.objects.get(pk=p.pk).status == before, exc
                continue
            after = Proposal.objects.get(pk=p.pk)
            s = shadow[index]
            if action == "submit":
                s["submitted"] = True
            elif action == "accept":
                s["accepted"] = True
            elif action == "reply":
                s["replies"] += 1
            elif action == "rate":
                s["rating"] = rating
            elif action == "close":
                s["closed"] = True
            assert after.status != before or action == "cosign"
        got = rates_mod.rates(Proposal.objects.filter(pk__in=[p.pk for p in proposals]))
        expected = recount(shadow)
        for key, value in expected.items():
            assert got[key] == value, (key, got, expected)
        # the API contract's organisation path gives the same figures
        api = rates_mod.proposal_rates(actor=world.alice, organization=world.enterprise_a.code)
        assert {k: api[k] for k in expected} == expected
        transaction.set_rollback(True)


def test_median_days_to_reply_and_breakdowns(congress: Any) -> None:
    from .helpers import replied

    base = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    days = [1, 3, 10]
    for i, d in enumerate(days):
        p = replied(congress, by=i, title=f"提案{i}", category="safety" if i else "wages")
        Proposal.objects.filter(pk=p.pk).update(
            assigned_at=base, first_replied_at=base + dt.timedelta(days=d)
        )
    qs = Proposal.objects.all()
    assert rates_mod.rates(qs)["median_reply_days"] == statistics.median(days) == 3
    by_category = {row["key"]: row for row in rates_mod.rates_by(qs, "category")}
    assert by_category["safety"]["replied"] == 2 and by_category["wages"]["accepted"] == 1
    empty = rates_mod.rates(Proposal.objects.none())
    assert empty["acceptance_rate"] is None and empty["median_reply_days"] is None
