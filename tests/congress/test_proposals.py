"""Every transition of a proposal and every refused one; the direct channel's lighter cycle."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongjiang.congress import services_proposals as P
from gongjiang.congress.models_proposals import Proposal, Suggestion
from gongjiang.core.duties import DutyConflict
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.models import AuditEvent

from ..factories import member
from .helpers import assigned, draft, replied, submitted

pytestmark = pytest.mark.django_db
S = Proposal.Status


def test_draft_cosign_submit(world: Any, congress: Any) -> None:
    with pytest.raises(ApplicationError) as exc:  # a worker who is not a delegate
        P.proposal_create(
            actor=world.worker_a,
            term=congress.term,
            title="t",
            reasons="r",
            measures="m",
            category="wages",
        )
    assert exc.value.code == "not_a_delegate" and exc.value.status == 403
    with pytest.raises(PermissionDenied):  # an officer is not a worker taking part
        P.proposal_create(
            actor=world.enterprise_officer_a,
            term=congress.term,
            title="t",
            reasons="r",
            measures="m",
            category="wages",
        )
    proposal = draft(congress)
    assert proposal.status == S.DRAFT
    with pytest.raises(ApplicationError):  # the proposer does not co-sign
        P.proposal_cosign(actor=congress.users[0], proposal=proposal)
    P.proposal_cosign(actor=congress.users[1], proposal=proposal)
    with pytest.raises(ConflictError):  # twice
        P.proposal_cosign(actor=congress.users[1], proposal=proposal)
    with pytest.raises(ApplicationError) as exc:  # 1 of the 2 co-signers
        P.proposal_submit(actor=congress.users[0], proposal=proposal)
    assert exc.value.code == "cosigners_missing"
    P.proposal_cosign(actor=congress.users[2], proposal=proposal)
    with pytest.raises(Http404):  # only the proposer submits
        P.proposal_submit(actor=congress.users[1], proposal=proposal)
    proposal = P.proposal_submit(actor=congress.users[0], proposal=proposal)
    assert proposal.status == S.SUBMITTED and proposal.number.endswith("-001")
    with pytest.raises(ConflictError):  # no co-signing after submission
        P.proposal_cosign(actor=congress.users[3], proposal=proposal)
    with pytest.raises(ConflictError):
        P.proposal_submit(actor=congress.users[0], proposal=proposal)


def test_committee_decisions_and_refusals(world: Any, congress: Any) -> None:
    a = submitted(congress, 0, title="提高夜班津贴")
    b = submitted(congress, 1, title="夜班津贴标准")
    c = submitted(congress, 2, title="设立职工书屋")
    with pytest.raises(PermissionDenied):  # an officer is not the committee
        P.proposal_accept(actor=world.enterprise_officer_a, proposal=a)
    with pytest.raises(PermissionDenied):  # another enterprise's committee
        P.proposal_accept(actor=congress.committee_b, proposal=a)
    # a committee member who proposed or co-signed never decides (audited refusal)
    member(congress.users[0], world.enterprise_a, "committee")
    with pytest.raises(DutyConflict):
        P.proposal_accept(actor=congress.users[0], proposal=a)
    assert AuditEvent.objects.filter(
        action="congress.proposal_accept.refused", object_code=a.code
    ).exists()
    with pytest.raises(DutyConflict):  # co-signed b (users[0] co-signs proposals of users[1])
        P.proposal_merge(actor=congress.users[0], proposal=b, into=a, reason="同类")
    a = P.proposal_accept(actor=congress.committee, proposal=a)
    assert a.status == S.ACCEPTED and a.decided_by == congress.committee
    with pytest.raises(ConflictError):
        P.proposal_accept(actor=congress.committee, proposal=a)
    with pytest.raises(ApplicationError):  # merging needs a reason
        P.proposal_merge(actor=congress.committee, proposal=b, into=a, reason="")
    with pytest.raises(ApplicationError):  # not into itself
        P.proposal_merge(actor=congress.committee, proposal=b, into=b, reason="同类")
    b = P.proposal_merge(actor=congress.committee, proposal=b, into=a, reason="与提高夜班津贴同类")
    assert b.status == S.MERGED and b.merged_into == a
    with pytest.raises(ConflictError):  # nothing more happens to a merged proposal
        P.proposal_convert(actor=congress.committee, proposal=b, reason="x")
    with pytest.raises(ConflictError):  # cannot merge into a merged one
        P.proposal_merge(actor=congress.committee, proposal=c, into=b, reason="x")
    with pytest.raises(ApplicationError):
        P.proposal_convert(actor=congress.committee, proposal=c, reason=" ")
    suggestion = P.proposal_convert(actor=congress.committee, proposal=c, reason="属日常管理事项")
    assert suggestion.from_proposal_id == c.pk and suggestion.author == congress.users[2]
    assert Proposal.objects.get(pk=c.pk).status == S.CONVERTED
    with pytest.raises(ConflictError):  # assigning needs an accepted proposal
        P.proposal_assign(actor=congress.committee, proposal=c, lead=congress.department)
    with pytest.raises(ApplicationError):
        P.proposal_assign(
            actor=congress.committee,
            proposal=a,
            lead=congress.department,
            due=dt.date(2000, 1, 1),
        )
    a = P.proposal_assign(actor=congress.committee, proposal=a, lead=congress.department)
    assert a.status == S.ASSIGNED and a.reply_round == 1
    assert a.reply_due is not None and a.reply_due > dt.date.today()


def test_reply_rate_second_reply_close(world: Any, congress: Any) -> None:
    proposal = assigned(congress)
    with pytest.raises(ConflictError):  # nothing to rate yet
        P.proposal_rate(actor=congress.users[0], proposal=proposal, rating="satisfied")
    with pytest.raises(PermissionDenied):  # only the lead department's responders reply
        P.proposal_reply(actor=congress.committee, proposal=proposal, outcome="adopted", text="x")
    with pytest.raises(ApplicationError):  # a plan needs its date
        P.proposal_reply(actor=congress.responder, proposal=proposal, outcome="planned", text="x")
    P.proposal_reply(
        actor=congress.responder,
        proposal=proposal,
        outcome="planned",
        text="明年一季度调整",
        plan_date=dt.date(2027, 3, 31),
    )
    proposal.refresh_from_db()
    assert proposal.status == S.REPLIED and proposal.first_replied_at is not None
    with pytest.raises(ConflictError):  # one reply per round
        P.proposal_reply(actor=congress.responder, proposal=proposal, outcome="adopted", text="x")
    with pytest.raises(PermissionDenied):  # only the proposer rates
        P.proposal_rate(actor=congress.users[1], proposal=proposal, rating="satisfied")
    with pytest.raises(ConflictError):  # the committee cannot close an unrated proposal
        P.proposal_close(actor=congress.committee, proposal=proposal)
    proposal = P.proposal_rate(actor=congress.users[0], proposal=proposal, rating="not")
    assert proposal.status == S.ASSIGNED and proposal.reply_round == 2  # one more reply
    P.proposal_reply(actor=congress.responder, proposal=proposal, outcome="partly", text="部分采纳")
    proposal = P.proposal_rate(actor=congress.users[0], proposal=proposal, rating="not")
    assert proposal.status == S.RATED and proposal.rating == "not"  # no third round
    # whoever replied never closes (even with a committee role)
    member(congress.responder, world.enterprise_a, "committee")
    with pytest.raises(DutyConflict):
        P.proposal_close(actor=congress.responder, proposal=proposal)
    proposal = P.proposal_close(actor=congress.committee, proposal=proposal)
    assert proposal.status == S.CLOSED and proposal.closed_by == congress.committee
    with pytest.raises(ConflictError):
        P.proposal_close(actor=congress.committee, proposal=proposal)
    assert list(proposal.replies.values_list("round", "rating")) == [(1, "not"), (2, "not")]


def test_satisfied_first_time(congress: Any) -> None:
    proposal = replied(congress)
    proposal = P.proposal_rate(actor=congress.users[0], proposal=proposal, rating="basic")
    assert proposal.status == S.RATED and proposal.reply_round == 1
    with pytest.raises(ApplicationError):
        P.proposal_rate(actor=congress.users[1], proposal=replied(congress, 1), rating="great")


def test_window_of_a_session(congress: Any, world: Any) -> None:
    session = congress.session
    session.proposals_from = dt.date(2020, 1, 1)
    session.proposals_until = dt.date(2020, 2, 1)
    session.save()
    with pytest.raises(ConflictError) as exc:
        P.proposal_create(
            actor=congress.users[0],
            term=congress.term,
            session=session,
            title="t",
            reasons="r",
            measures="m",
            category="wages",
        )
    assert exc.value.code == "window_closed"
    # between sessions: no session at all
    assert draft(congress).session is None


def test_direct_channel_cycle(world: Any, congress: Any) -> None:
    worker = congress.users[4]
    s = P.suggestion_create(actor=worker, title="更衣室太挤", body="希望扩建", category="welfare")
    assert s.organization == world.enterprise_a  # routed to the worker's own union
    with pytest.raises(PermissionDenied):
        P.suggestion_reply(actor=world.bob, suggestion=s, text="x")
    with pytest.raises(ConflictError):
        P.suggestion_rate(actor=worker, suggestion=s, rating="satisfied")
    s = P.suggestion_reply(actor=world.enterprise_officer_a, suggestion=s, text="已列入计划")
    with pytest.raises(PermissionDenied):
        P.suggestion_rate(actor=congress.users[0], suggestion=s, rating="satisfied")
    s = P.suggestion_rate(actor=worker, suggestion=s, rating="not")
    assert s.status == Suggestion.Status.SUBMITTED  # one more reply
    with pytest.raises(ConflictError):
        P.suggestion_close(actor=world.enterprise_officer_a, suggestion=s)
    s = P.suggestion_reply(actor=world.enterprise_officer_a, suggestion=s, text="下月动工")
    s = P.suggestion_rate(actor=worker, suggestion=s, rating="satisfied")
    s = P.suggestion_close(actor=world.enterprise_officer_a, suggestion=s)
    assert s.status == Suggestion.Status.CLOSED and s.reply_round == 2


def test_merge_looks_up_the_other_proposal_in_the_same_term(
    client: Any, world: Any, congress: Any
) -> None:
    a, b = submitted(congress, 0, title="甲"), submitted(congress, 1, title="乙")
    closed_draft = draft(congress, 2, title="草稿")
    # the candidates: the term's proposals that can take a merged one, never itself or a draft
    targets = set(P.merge_targets(actor=congress.committee, proposal=a))
    assert targets == {Proposal.objects.get(pk=b.pk)}
    assert closed_draft not in targets
    assert list(P.merge_targets(actor=congress.committee_b, proposal=a)) == []
    # by code: unknown, itself, a draft → an error on the field "into", nothing written
    for code in ("nosuchcode", a.code, closed_draft.code):
        with pytest.raises(ApplicationError) as exc:
            P.proposal_merge(actor=congress.committee, proposal=a, into=code, reason="同类")
        assert exc.value.details[0]["field"] == "into"
    assert Proposal.objects.get(pk=a.pk).status == S.SUBMITTED
    # a proposal of another congress is as unknown as a missing one (the API answers 400, not 404)
    other = Proposal.objects.create(
        organization=world.enterprise_b,
        term=congress.term_b,
        proposer=congress.delegates[0],
        title="别家",
        reasons="r",
        measures="m",
        category="wages",
        status=S.SUBMITTED,
    )
    client.force_login(congress.committee)
    r = client.post(
        f"/api/v1/congress/proposals/{a.code}/decision",
        content_type="application/json",
        data={"decision": "merge", "into": other.code, "reason": "同类"},
    )
    assert r.status_code == 400 and r.json()["details"][0]["field"] == "into"
    assert "别家" not in r.content.decode()
    # on the page: the choices are the term's targets, and the merge goes through by code
    page = client.get(f"/congress/proposals/{a.code}/").content.decode()
    assert b.code in page and other.code not in page and closed_draft.code not in page
    client.post(
        f"/congress/proposals/{a.code}/act/",
        {"act": "decide", "decision": "merge", "into": b.code, "reason": "与乙同类"},
    )
    a.refresh_from_db()
    assert a.status == S.MERGED and a.merged_into_id == b.pk
