"""Congress endpoints at /api/v1/congress/: votes (public contract), proposal rates (public
contract), proposals and their cycle, terms' composition, sign-in, the direct channel and open
affairs. Thin: parse, call a service or selector, answer."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongjiang.core.access import get_visible_or_404
from gongjiang.core.schemas import PageNumber, PageSize, StrictSchema, paginate

from . import rates, selectors, services, services_affairs
from . import selectors_proposals as SP
from . import services_proposals as P
from .models_proposals import Department, Proposal

router = Router(tags=["congress"])

Code = Field(..., min_length=1, max_length=20)
CategoryIn = Literal["wages", "safety", "training", "welfare", "management", "other"]


# ------------------------------------------------------------------------------ votes


class CongressVoteResultOut(Schema):
    delegates: int
    present: int
    for_: int = Field(..., alias="for")
    against: int
    abstain: int
    quorate: bool
    passed: bool
    secret: bool


@router.get(
    "/votes/{code}",
    response=CongressVoteResultOut,
    by_alias=True,
    summary="A vote's result: all delegates, present, for/against/abstain, quorate, passed",
)
def vote_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return selectors.vote_result(selectors.vote_get(actor=request.user, code=code))


class CongressBallotIn(StrictSchema):
    choice: Literal["for", "against", "abstain"]


@router.post("/votes/{code}/ballots", response={204: None}, summary="Cast my ballot")
def ballot_cast(request: HttpRequest, code: str, payload: CongressBallotIn) -> tuple[int, None]:
    vote = selectors.vote_get(actor=request.user, code=code)
    services.ballot_cast(actor=request.user, vote=vote, choice=payload.choice)
    return 204, None


class CongressSignInIn(StrictSchema):
    token: str = Field(..., min_length=1, max_length=40)


@router.post("/sessions/{code}/sign-in", response={204: None}, summary="Sign in to a session")
def session_sign_in(request: HttpRequest, code: str, payload: CongressSignInIn) -> tuple[int, None]:
    session = selectors.session_get(actor=request.user, code=code)
    services.sign_in(actor=request.user, session=session, token=payload.token)
    return 204, None


# ------------------------------------------------------------------------------ terms


class CongressCheckOut(Schema):
    key: str
    label: str
    actual: int
    required: str
    ok: bool


class CongressTermOut(Schema):
    code: str
    organization: str
    number: int
    kind: str
    status: str
    workforce: int
    delegates: int
    checks: list[CongressCheckOut]


@router.get("/terms/{code}", response=CongressTermOut, summary="A term with its composition checks")
def term_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    term = get_visible_or_404(selectors.Term.objects, request.user, "congress.view", code=code)
    counts, checks = selectors.term_composition(term)
    return {
        "code": term.code,
        "organization": term.organization.code,
        "number": term.number,
        "kind": term.kind,
        "status": term.status,
        "workforce": counts.workforce,
        "delegates": counts.delegates,
        "checks": [c.__dict__ for c in checks],
    }


@router.post(
    "/terms/{code}/finalise", response=CongressTermOut, summary="Finalise the delegate list"
)
def term_finalise(request: HttpRequest, code: str) -> dict[str, Any]:
    term = get_visible_or_404(selectors.Term.objects, request.user, "congress.view", code=code)
    services.term_finalise(actor=request.user, term=term)
    return term_detail(request, code)


# ------------------------------------------------------------------------------ rates


class CongressRatesOut(Schema):
    submitted: int
    accepted: int
    replied: int
    closed: int
    rated: int
    satisfied: int
    acceptance_rate: float | None
    reply_rate: float | None
    closure_rate: float | None
    satisfaction_rate: float | None
    median_reply_days: float | None


class CongressRatesQuery(Schema):
    organization: str = Field(..., min_length=1, max_length=20)
    session: str | None = Field(None, min_length=1, max_length=20)
    category: CategoryIn | None = None


class CongressRatesByCategoryQuery(Schema):
    organization: str = Field(..., min_length=1, max_length=20)
    session: str | None = Field(None, min_length=1, max_length=20)


class CongressCategoryRatesOut(CongressRatesOut):
    category: CategoryIn
    label: str


@router.get(
    "/proposal-rates",
    response=CongressRatesOut,
    summary="Proposal rates over an organisation's subtree (optionally one session)",
)
def proposal_rates(request: HttpRequest, query: Query[CongressRatesQuery]) -> dict[str, Any]:
    return rates.proposal_rates(
        actor=request.user,
        organization=query.organization,
        session=query.session,
        category=query.category,
    )


@router.get(
    "/proposal-rates/by-category",
    response=list[CongressCategoryRatesOut],
    summary="Proposal rates over an organisation's subtree, one row per category",
)
def proposal_rates_by_category(
    request: HttpRequest, query: Query[CongressRatesByCategoryQuery]
) -> list[dict[str, Any]]:
    return rates.proposal_rates_by_category(
        actor=request.user, organization=query.organization, session=query.session
    )


# ------------------------------------------------------------------------------ proposals


class CongressProposalOut(Schema):
    code: str
    number: str
    title: str
    category: str
    status: str
    organization: str
    term: str
    session: str | None
    proposer: str
    cosigners: int
    lead_department: str | None
    reply_due: dt.date | None
    reply_round: int
    rating: str


class CongressProposalDetailOut(CongressProposalOut):
    reasons: str
    measures: str
    decision_reason: str
    merged_into: str | None
    replies: list[dict[str, Any]]


def _proposal_out(p: Proposal) -> dict[str, Any]:
    return {
        "code": p.code,
        "number": p.number,
        "title": p.title,
        "category": p.category,
        "status": p.status,
        "organization": p.organization.code,
        "term": p.term.code,
        "session": p.session.code if p.session_id else None,
        "proposer": p.proposer.worker.name,
        "cosigners": getattr(p, "cosigners", None) or p.cosignatures.count(),
        "lead_department": p.lead_department.name if p.lead_department_id else None,
        "reply_due": p.reply_due,
        "reply_round": p.reply_round,
        "rating": p.rating,
    }


def _detail(p: Proposal) -> dict[str, Any]:
    p = Proposal.objects.select_related("organization", "term", "proposer__worker").get(pk=p.pk)
    return {
        **_proposal_out(p),
        "reasons": p.reasons,
        "measures": p.measures,
        "decision_reason": p.decision_reason,
        "merged_into": p.merged_into.code if p.merged_into_id else None,
        "replies": [
            {
                "round": r.round,
                "department": r.department.name,
                "outcome": r.outcome,
                "text": r.text,
                "plan_date": r.plan_date.isoformat() if r.plan_date else None,
                "rating": r.rating,
            }
            for r in p.replies.select_related("department")
        ],
    }


class CongressProposalPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CongressProposalOut]


class CongressProposalQuery(Schema):
    status: str = Field("", max_length=12)
    category: str = Field("", max_length=12)
    page: PageNumber = 1
    page_size: PageSize = 50


@router.get("/proposals", response=CongressProposalPage, summary="Proposals in my scope")
def proposal_list(request: HttpRequest, query: Query[CongressProposalQuery]) -> dict[str, Any]:
    qs = SP.proposal_list(actor=request.user, status=query.status, category=query.category)
    page = paginate(qs, query.page, query.page_size)
    page["items"] = [_proposal_out(p) for p in page["items"]]
    return page


class CongressProposalIn(StrictSchema):
    term: str = Code
    session: str | None = Field(None, min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=200)
    reasons: str = Field(..., min_length=1, max_length=10000)
    measures: str = Field(..., min_length=1, max_length=10000)
    category: CategoryIn


@router.post("/proposals", response={201: CongressProposalDetailOut}, summary="Draft a proposal")
def proposal_create(
    request: HttpRequest, payload: CongressProposalIn
) -> tuple[int, dict[str, Any]]:
    term = selectors.term_get(actor=request.user, code=payload.term)
    session = None
    if payload.session:
        session = selectors.session_get(actor=request.user, code=payload.session)
    p = P.proposal_create(
        actor=request.user,
        term=term,
        session=session,
        title=payload.title,
        reasons=payload.reasons,
        measures=payload.measures,
        category=payload.category,
    )
    return 201, _detail(p)


@router.get("/proposals/{code}", response=CongressProposalDetailOut, summary="A proposal")
def proposal_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _detail(SP.proposal_get(actor=request.user, code=code))


@router.post("/proposals/{code}/cosign", response=CongressProposalDetailOut, summary="Co-sign")
def proposal_cosign(request: HttpRequest, code: str) -> dict[str, Any]:
    p = SP.proposal_get(actor=request.user, code=code)
    P.proposal_cosign(actor=request.user, proposal=p)
    return _detail(p)


@router.post("/proposals/{code}/submit", response=CongressProposalDetailOut, summary="Submit")
def proposal_submit(request: HttpRequest, code: str) -> dict[str, Any]:
    return _detail(
        P.proposal_submit(
            actor=request.user, proposal=SP.proposal_get(actor=request.user, code=code)
        )
    )


class CongressDecisionIn(StrictSchema):
    decision: Literal["accept", "merge", "convert"]
    reason: str = Field("", max_length=500)
    into: str | None = Field(None, min_length=1, max_length=20)


@router.post(
    "/proposals/{code}/decision",
    response=CongressProposalDetailOut,
    summary="The committee accepts, merges or turns a proposal into a suggestion",
)
def proposal_decide(request: HttpRequest, code: str, payload: CongressDecisionIn) -> dict[str, Any]:
    p = SP.proposal_get(actor=request.user, code=code)
    if payload.decision == "accept":
        P.proposal_accept(actor=request.user, proposal=p, reason=payload.reason)
    elif payload.decision == "merge":
        P.proposal_merge(
            actor=request.user, proposal=p, into=payload.into or "", reason=payload.reason
        )
    else:
        P.proposal_convert(actor=request.user, proposal=p, reason=payload.reason)
    return _detail(p)


class CongressAssignIn(StrictSchema):
    lead: str = Code
    cooperating: list[str] = Field(default_factory=list, max_length=20)
    due: dt.date | None = None


@router.post(
    "/proposals/{code}/assign", response=CongressProposalDetailOut, summary="Assign departments"
)
def proposal_assign(request: HttpRequest, code: str, payload: CongressAssignIn) -> dict[str, Any]:
    p = SP.proposal_get(actor=request.user, code=code)
    depts = {d.code: d for d in SP.departments_of(p.organization)}
    if payload.lead not in depts or any(c not in depts for c in payload.cooperating):
        from django.http import Http404

        raise Http404("department")
    P.proposal_assign(
        actor=request.user,
        proposal=p,
        lead=depts[payload.lead],
        cooperating=[depts[c] for c in payload.cooperating],
        due=payload.due,
    )
    return _detail(p)


class CongressReplyIn(StrictSchema):
    outcome: Literal["adopted", "partly", "planned", "cannot"]
    text: str = Field(..., min_length=1, max_length=10000)
    plan_date: dt.date | None = None


@router.post(
    "/proposals/{code}/reply", response=CongressProposalDetailOut, summary="Reply (department)"
)
def proposal_reply(request: HttpRequest, code: str, payload: CongressReplyIn) -> dict[str, Any]:
    p = SP.proposal_get(actor=request.user, code=code)
    P.proposal_reply(
        actor=request.user,
        proposal=p,
        outcome=payload.outcome,
        text=payload.text,
        plan_date=payload.plan_date,
    )
    return _detail(p)


class CongressRateIn(StrictSchema):
    rating: Literal["satisfied", "basic", "not"]
    comment: str = Field("", max_length=500)


@router.post("/proposals/{code}/rate", response=CongressProposalDetailOut, summary="Rate the reply")
def proposal_rate(request: HttpRequest, code: str, payload: CongressRateIn) -> dict[str, Any]:
    p = SP.proposal_get(actor=request.user, code=code)
    P.proposal_rate(actor=request.user, proposal=p, rating=payload.rating, comment=payload.comment)
    return _detail(p)


@router.post(
    "/proposals/{code}/close", response=CongressProposalDetailOut, summary="Close (committee)"
)
def proposal_close(request: HttpRequest, code: str) -> dict[str, Any]:
    p = SP.proposal_get(actor=request.user, code=code)
    P.proposal_close(actor=request.user, proposal=p)
    return _detail(p)


# ------------------------------------------------------------------------------ direct channel


class CongressSuggestionOut(Schema):
    code: str
    title: str
    body: str
    category: str
    status: str
    organization: str
    reply: str
    reply_round: int
    rating: str


def _suggestion_out(s: Any) -> dict[str, Any]:
    return {
        "code": s.code,
        "title": s.title,
        "body": s.body,
        "category": s.category,
        "status": s.status,
        "organization": s.organization.code,
        "reply": s.reply,
        "reply_round": s.reply_round,
        "rating": s.rating,
    }


@router.get("/suggestions", response=list[CongressSuggestionOut], summary="Suggestions in my scope")
def suggestion_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_suggestion_out(s) for s in SP.suggestion_list(actor=request.user)[:200]]


class CongressSuggestionIn(StrictSchema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=10000)
    category: CategoryIn


@router.post("/suggestions", response={201: CongressSuggestionOut}, summary="Write to the union")
def suggestion_create(
    request: HttpRequest, payload: CongressSuggestionIn
) -> tuple[int, dict[str, Any]]:
    s = P.suggestion_create(
        actor=request.user, title=payload.title, body=payload.body, category=payload.category
    )
    return 201, _suggestion_out(s)


class CongressSuggestionReplyIn(StrictSchema):
    text: str = Field(..., min_length=1, max_length=10000)


@router.post("/suggestions/{code}/reply", response=CongressSuggestionOut, summary="Reply (union)")
def suggestion_reply(
    request: HttpRequest, code: str, payload: CongressSuggestionReplyIn
) -> dict[str, Any]:
    s = SP.suggestion_get(actor=request.user, code=code)
    return _suggestion_out(P.suggestion_reply(actor=request.user, suggestion=s, text=payload.text))


@router.post("/suggestions/{code}/rate", response=CongressSuggestionOut, summary="Rate the reply")
def suggestion_rate(request: HttpRequest, code: str, payload: CongressRateIn) -> dict[str, Any]:
    s = SP.suggestion_get(actor=request.user, code=code)
    return _suggestion_out(
        P.suggestion_rate(actor=request.user, suggestion=s, rating=payload.rating)
    )


# ------------------------------------------------------------------------------ open affairs


class CongressNoticeOut(Schema):
    code: str
    kind: str
    title: str
    body: str
    organization: str
    audience: str
    published_at: dt.datetime | None


def _notice_out(n: Any) -> dict[str, Any]:
    return {
        "code": n.code,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "organization": n.organization.name,
        "audience": n.audience.name,
        "published_at": n.published_at,
    }


@router.get("/notices", response=list[CongressNoticeOut], summary="Open affairs notices for me")
def notice_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_notice_out(n) for n in services_affairs.notice_list(actor=request.user)[:200]]


@router.get("/notices/{code}", response=CongressNoticeOut, summary="Read a notice (read receipt)")
def notice_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _notice_out(services_affairs.notice_read(actor=request.user, code=code))


__all__ = ["router", "Department"]


# the clerk's records: agenda documents, minutes, replacements, resolutions (their own module)
from .api_documents import router as documents_router  # noqa: E402

router.add_router("", documents_router)

# setting a congress up: terms, sessions, departments, rules (their own module)
from .api_setup import router as setup_router  # noqa: E402

router.add_router("", setup_router)
