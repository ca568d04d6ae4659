"""Driving proposals through their cycle in tests."""

from __future__ import annotations

from typing import Any

from gongjiang.congress import services_proposals as P
from gongjiang.congress.models_proposals import Proposal


def draft(
    congress: Any, by: int = 0, title: str = "改善食堂伙食", category: str = "welfare"
) -> Proposal:
    return P.proposal_create(
        actor=congress.users[by],
        term=congress.term,
        title=title,
        reasons="职工反映饭菜价格偏高",
        measures="引入第二家供应商",
        category=category,
    )


def submitted(congress: Any, by: int = 0, **kw: Any) -> Proposal:
    proposal = draft(congress, by, **kw)
    signers = [i for i in range(6) if i != by][:2]
    for i in signers:
        P.proposal_cosign(actor=congress.users[i], proposal=proposal)
    return P.proposal_submit(actor=congress.users[by], proposal=proposal)


def assigned(congress: Any, by: int = 0, **kw: Any) -> Proposal:
    proposal = P.proposal_accept(actor=congress.committee, proposal=submitted(congress, by, **kw))
    return P.proposal_assign(actor=congress.committee, proposal=proposal, lead=congress.department)


def replied(congress: Any, by: int = 0, **kw: Any) -> Proposal:
    proposal = assigned(congress, by, **kw)
    P.proposal_reply(actor=congress.responder, proposal=proposal, outcome="adopted", text="已采纳")
    return Proposal.objects.get(pk=proposal.pk)
