"""Congress set-up endpoints, mounted under /api/v1/congress/: terms with their delegations,
sessions with their agenda, the replying departments and their responders, and the rules
(《企业民主管理规定》numbers) in force for an organisation. The same services as the set-up pages
(services_setup, services.rules_update); an organisation, term or department outside the caller's
scope is 404, whatever exists there."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongjiang.core.access import get_visible_or_404
from gongjiang.core.models import Organization
from gongjiang.core.schemas import StrictSchema

from . import rules as R
from . import selectors, services, services_setup
from .models import CongressRules, Session, Term
from .models_proposals import Department

router = Router(tags=["congress"])

MANAGE = services.MANAGE
OrgCode = Field(..., min_length=1, max_length=20)
Number = Field(..., ge=1, le=99)
Day = Field(..., ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))
OptionalDay = Field(None, ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))
AgendaKind = Literal["regulation", "contract", "wage_plan", "report", "election", "other"]


def _organization(request: HttpRequest, code: str) -> Organization:
    return get_visible_or_404(Organization.objects, request.user, MANAGE, code=code[:20])


# ------------------------------------------------------------------------------ terms


class CongressTermIn(StrictSchema):
    organization: str = OrgCode
    number: int = Number
    kind: Literal["congress", "assembly"] = "congress"
    starts_on: dt.date = Day
    ends_on: dt.date = Day
    delegations: list[str] = Field(
        default_factory=list,
        max_length=services_setup.MAX_DELEGATIONS,
        description="delegation (代表团) names, one per item",
    )


class CongressTermSummaryOut(Schema):
    code: str
    organization: str
    number: int
    kind: str
    status: str
    starts_on: dt.date
    ends_on: dt.date
    delegations: list[str]


def _term_out(term: Term) -> dict[str, Any]:
    return {
        "code": term.code,
        "organization": term.organization.code,
        "number": term.number,
        "kind": term.kind,
        "status": term.status,
        "starts_on": term.starts_on,
        "ends_on": term.ends_on,
        "delegations": [d.name for d in term.delegations.order_by("id")],
    }


class CongressTermQuery(Schema):
    organization: str | None = Field(None, min_length=1, max_length=20)


@router.get(
    "/terms",
    response=list[CongressTermSummaryOut],
    summary="Terms of the organisations I manage (optionally one organisation's subtree)",
)
def term_list(request: HttpRequest, query: Query[CongressTermQuery]) -> list[dict[str, Any]]:
    qs = Term.objects.visible_to(request.user, MANAGE).select_related("organization")
    if query.organization:
        org = _organization(request, query.organization)
        qs = qs.filter(organization__path__startswith=org.path)
    return [_term_out(t) for t in qs.order_by("organization__path", "-number")[:200]]


@router.post(
    "/terms",
    response={201: CongressTermSummaryOut},
    summary="Open a term (届) with its delegations, all or nothing",
)
def term_create(request: HttpRequest, payload: CongressTermIn) -> tuple[int, dict[str, Any]]:
    org = _organization(request, payload.organization)
    term = services_setup.term_setup(
        actor=request.user,
        organization=org,
        number=payload.number,
        kind=payload.kind,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        delegations=[name[:200] for name in payload.delegations],
    )
    return 201, _term_out(term)


# ------------------------------------------------------------------------------ sessions


class CongressAgendaIn(StrictSchema):
    kind: AgendaKind
    title: str = Field(..., min_length=1, max_length=200)


class CongressSessionIn(StrictSchema):
    number: int = Number
    title: str = Field(..., min_length=1, max_length=200)
    held_on: dt.date = Day
    place: str = Field("", max_length=200)
    proposals_from: dt.date | None = OptionalDay
    proposals_until: dt.date | None = OptionalDay
    agenda: list[CongressAgendaIn] = Field(
        default_factory=list, max_length=services_setup.MAX_AGENDA
    )


class CongressAgendaOut(Schema):
    code: str
    kind: str
    title: str


class CongressSessionOut(Schema):
    code: str
    term: str
    number: int
    title: str
    held_on: dt.date
    place: str
    status: str
    proposals_from: dt.date | None
    proposals_until: dt.date | None
    agenda: list[CongressAgendaOut]


def _session_out(session: Session) -> dict[str, Any]:
    return {
        "code": session.code,
        "term": session.term.code,
        "number": session.number,
        "title": session.title,
        "held_on": session.held_on,
        "place": session.place,
        "status": session.status,
        "proposals_from": session.proposals_from,
        "proposals_until": session.proposals_until,
        "agenda": [
            {"code": a.code, "kind": a.kind, "title": a.title}
            for a in session.agenda.order_by("position", "id")
        ],
    }


@router.post(
    "/terms/{code}/sessions",
    response={201: CongressSessionOut},
    summary="Call a session (次) of a term with its agenda, all or nothing",
)
def session_create(
    request: HttpRequest, code: str, payload: CongressSessionIn
) -> tuple[int, dict[str, Any]]:
    term = get_visible_or_404(Term.objects, request.user, MANAGE, code=code[:20])
    data = payload.dict(exclude={"agenda"})
    session = services_setup.session_setup(
        actor=request.user,
        term=term,
        agenda=[(a.kind, a.title) for a in payload.agenda],
        **data,
    )
    return 201, _session_out(session)


@router.get("/sessions/{code}", response=CongressSessionOut, summary="A session with its agenda")
def session_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _session_out(selectors.session_get(actor=request.user, code=code[:20]))


# ------------------------------------------------------------------------------ departments


class CongressDepartmentIn(StrictSchema):
    organization: str = OrgCode
    name: str = Field(..., min_length=1, max_length=100)
    responder: str = Field("", max_length=150, description="login name of a first responder")


class CongressResponderIn(StrictSchema):
    username: str = Field(..., min_length=1, max_length=150)
    add: bool = True


class CongressDepartmentOut(Schema):
    code: str
    organization: str
    name: str
    responders: list[str]


def _department_out(d: Department) -> dict[str, Any]:
    return {
        "code": d.code,
        "organization": d.organization.code,
        "name": d.name,
        "responders": sorted(u.get_username() for u in d.responders.all()),
    }


@router.get(
    "/departments",
    response=list[CongressDepartmentOut],
    summary="Replying departments of the organisations I manage",
)
def department_list(request: HttpRequest) -> list[dict[str, Any]]:
    qs = (
        Department.objects.visible_to(request.user, MANAGE)
        .select_related("organization")
        .prefetch_related("responders")
        .order_by("organization__path", "name")
    )
    return [_department_out(d) for d in qs[:500]]


@router.post(
    "/departments",
    response={201: CongressDepartmentOut},
    summary="Add a replying department (and its first responder)",
)
def department_create(
    request: HttpRequest, payload: CongressDepartmentIn
) -> tuple[int, dict[str, Any]]:
    org = _organization(request, payload.organization)
    dept = services_setup.department_setup(
        actor=request.user, organization=org, name=payload.name, responder=payload.responder
    )
    return 201, _department_out(dept)


@router.post(
    "/departments/{code}/responders",
    response=CongressDepartmentOut,
    summary="Add or remove a responder of a department",
)
def department_responder(
    request: HttpRequest, code: str, payload: CongressResponderIn
) -> dict[str, Any]:
    dept = get_visible_or_404(Department.objects, request.user, MANAGE, code=code[:20])
    services_setup.department_responder_set(
        actor=request.user, department=dept, username=payload.username, add=payload.add
    )
    return _department_out(dept)


# ------------------------------------------------------------------------------ rules

Share = Field(None, ge=Decimal("0"), le=Decimal("1"), max_digits=4, decimal_places=3)


class CongressRulesIn(StrictSchema):
    """Only the settings sent change; the others keep the value in force."""

    min_delegate_share: Decimal | None = Share
    min_delegates: int | None = Field(None, ge=0, le=10000)
    negotiable_above: int | None = Field(None, ge=0, le=10000)
    max_management_share: Decimal | None = Share
    proportion_floor: Decimal | None = Share
    assembly_below: int | None = Field(None, ge=0, le=10000)
    quorum_numerator: int | None = Field(None, ge=1, le=100)
    quorum_denominator: int | None = Field(None, ge=1, le=100)
    cosigners_required: int | None = Field(None, ge=0, le=50)
    reply_days: int | None = Field(None, ge=1, le=365)
    reminder_days: int | None = Field(None, ge=0, le=60)


class CongressRulesOut(Schema):
    organization: str
    source: Literal["default", "own", "inherited"]
    min_delegate_share: Decimal
    min_delegates: int
    negotiable_above: int
    max_management_share: Decimal
    proportion_floor: Decimal
    assembly_below: int
    quorum_numerator: int
    quorum_denominator: int
    cosigners_required: int
    reply_days: int
    reminder_days: int


def _rules_out(org: Organization) -> dict[str, Any]:
    current: CongressRules = R.rules_for(org)
    if current.pk is None:
        source = "default"
    elif current.organization_id == org.pk:
        source = "own"
    else:
        source = "inherited"
    return {
        "organization": org.code,
        "source": source,
        **{f: getattr(current, f) for f in services.RULE_FIELDS},
    }


@router.get(
    "/rules/{code}",
    response=CongressRulesOut,
    summary="The rules in force for an organisation: its own, inherited, or the 2012 defaults",
)
def rules_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _rules_out(_organization(request, code))


@router.put(
    "/rules/{code}",
    response=CongressRulesOut,
    summary="Set an organisation's own rules (settings not sent keep the value in force)",
)
def rules_set(request: HttpRequest, code: str, payload: CongressRulesIn) -> dict[str, Any]:
    org = _organization(request, code)
    current = R.rules_for(org)
    sent = payload.dict(exclude_none=True)
    values = {f: sent.get(f, getattr(current, f)) for f in services.RULE_FIELDS}
    services.rules_update(actor=request.user, organization=org, **values)
    return _rules_out(org)
