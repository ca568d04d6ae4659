from __future__ import annotations

import io
from typing import Any

import pytest

from gongjiang.congress import demo
from gongjiang.congress.models import Delegate, Resolution, Term, Vote
from gongjiang.congress.models_proposals import Proposal
from gongjiang.congress.rates import proposal_rates
from gongjiang.congress.selectors import term_composition, vote_result, votes_open_for
from gongjiang.core.demo import load_core_demo
from gongjiang.workforce import demo as workforce_demo

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_with_every_state(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    ctx = load_core_demo()
    workforce_demo.load(ctx, io.StringIO())
    demo.load(ctx, io.StringIO())
    demo.load(ctx, io.StringIO())  # idempotent
    pz = ctx.enterprises[0]
    term = Term.objects.get(organization=pz)
    assert term.status == "active" and all(c.ok for c in term_composition(term)[1])
    proposals = Proposal.objects.filter(term=term)
    assert proposals.count() == 40
    assert set(proposals.values_list("status", flat=True)) == set(Proposal.Status.values)
    rates = proposal_rates(actor=ctx.users["pz_committee"], organization=pz.code)
    assert rates["submitted"] == 37 and rates["closed"] == 10
    assert rates["accepted"] == proposals.filter(status__in=Proposal.ACCEPTED_STATES).count()
    assert Resolution.objects.filter(session__term=term).count() >= 2
    closed = Vote.objects.filter(session__term=term, status="closed")
    assert all(vote_result(v)["passed"] for v in closed)
    worker = ctx.users["pz_worker"]
    assert Delegate.objects.filter(term=term, worker__user=worker).exists()
    assert votes_open_for(actor=worker).count() == 1
    assert Term.objects.count() == 2
    # the held session's agenda items carry their drafts as documents, once each
    from gongjiang.congress.models import AgendaDocument

    documents = AgendaDocument.objects.filter(item__session__term=term)
    assert documents.count() == 4
    assert documents.filter(name="工资支付管理规定（草案）.txt").exists()
