"""Core endpoints: the caller, organisations, memberships, audit, reference data, jobs, tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from . import access, selectors, services
from .models import (
    ApiToken,
    Industry,
    Membership,
    Occupation,
    Organization,
    Region,
    Role,
    SkillLevel,
)
from .schemas import (
    PageNumber,
    PageSize,
    StrictSchema,
    page_query,
    page_size_query,
    paginate,
    resolve_from,
)

router = Router(tags=["core"])

Name = Field(..., min_length=1, max_length=200)
KindLiteral = Literal[
    "national",
    "provincial",
    "city",
    "county",
    "industry",
    "enterprise",
    "team",
    "department",
    "evaluation",
]
RoleLiteral = Literal["admin", "officer", "trainer", "judge", "inspector", "worker"]


# ------------------------------------------------------------------------------------- me
class MembershipOut(Schema):
    code: str
    username: str
    role: str
    organization: str
    organization_name: str

    resolve_username = resolve_from("user.username")
    resolve_organization = resolve_from("organization.code")
    resolve_organization_name = resolve_from("organization.name")


class MeOut(Schema):
    username: str
    full_name: str
    is_superuser: bool
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, summary="The caller and its roles")
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    memberships = Membership.objects.filter(user=user).select_related("user", "organization")
    return {
        "username": user.username,
        "full_name": user.first_name,
        "is_superuser": user.is_superuser,
        "memberships": list(memberships),
    }


# ---------------------------------------------------------------------------- organisations
class OrganizationOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    parent: str | None
    depth: int
    region: str
    region_name: str
    industry: str | None
    uscc: str
    address: str
    contact: str
    is_active: bool

    resolve_parent = resolve_from("parent.code")
    resolve_region = resolve_from("region_id")
    resolve_region_name = resolve_from("region.name")
    resolve_industry = resolve_from("industry_id")


class OrganizationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[OrganizationOut]


class OrganizationIn(StrictSchema):
    parent: str = Field(
        ..., min_length=1, max_length=20, description="code of the parent organisation"
    )
    name: str = Name
    short_name: str = Field("", max_length=60)
    kind: KindLiteral
    region: str = Field(..., min_length=6, max_length=6, pattern=r"^\d{6}$")
    industry: str | None = Field(None, max_length=4)
    uscc: str = Field("", max_length=18)
    address: str = Field("", max_length=200)
    contact: str = Field("", max_length=60)


class OrganizationPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    short_name: str | None = Field(None, max_length=60)
    kind: KindLiteral | None = None
    region: str | None = Field(None, min_length=6, max_length=6, pattern=r"^\d{6}$")
    industry: str | None = Field(None, max_length=4)
    uscc: str | None = Field(None, max_length=18)
    address: str | None = Field(None, max_length=200)
    contact: str | None = Field(None, max_length=60)


class MoveIn(StrictSchema):
    parent: str = Field(..., min_length=1, max_length=20)


class Filters(Schema):
    q: str = Field("", max_length=100)
    kind: str = Field("", max_length=12)
    active: bool | None = None
    page: PageNumber = 1
    page_size: PageSize = 50


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"region": ["unknown region code"]})
    return region


@router.get(
    "/organizations", response=OrganizationPage, summary="Organisations in the caller's scope"
)
def organization_list(request: HttpRequest, filters: Query[Filters]) -> dict[str, Any]:
    qs = selectors.organization_list(
        actor=request.user, q=filters.q, kind=filters.kind, active=filters.active
    )
    return paginate(qs, filters.page, filters.page_size)


@router.post("/organizations", response={201: OrganizationOut}, summary="Create an organisation")
def organization_create(request: HttpRequest, payload: OrganizationIn) -> tuple[int, Organization]:
    parent = selectors.organization_get(actor=request.user, code=payload.parent)
    org = services.organization_create(
        actor=request.user,
        parent=parent,
        name=payload.name,
        kind=payload.kind,
        region=_region(payload.region),
        industry=payload.industry or None,
        uscc=payload.uscc,
        short_name=payload.short_name,
        address=payload.address,
        contact=payload.contact,
    )
    return 201, selectors.organization_get(actor=request.user, code=org.code)


@router.get("/organizations/{code}", response=OrganizationOut)
def organization_detail(request: HttpRequest, code: str) -> Organization:
    return selectors.organization_get(actor=request.user, code=code)


@router.get("/organizations/{code}/children", response=list[OrganizationOut])
def organization_children(request: HttpRequest, code: str) -> Any:
    parent = selectors.organization_get(actor=request.user, code=code)
    return selectors.organization_children(actor=request.user, parent=parent).select_related(
        "parent", "industry"
    )


@router.patch("/organizations/{code}", response=OrganizationOut)
def organization_update(
    request: HttpRequest, code: str, payload: OrganizationPatch
) -> Organization:
    org = selectors.organization_get(actor=request.user, code=code)
    fields = payload.model_dump(exclude_unset=True)
    if "region" in fields:
        fields["region"] = _region(fields["region"])
    services.organization_update(actor=request.user, organization=org, **fields)
    return selectors.organization_get(actor=request.user, code=code)


@router.post("/organizations/{code}/move", response=OrganizationOut)
def organization_move(request: HttpRequest, code: str, payload: MoveIn) -> Organization:
    org = selectors.organization_get(actor=request.user, code=code)
    new_parent = selectors.organization_get(actor=request.user, code=payload.parent)
    services.organization_move(actor=request.user, organization=org, new_parent=new_parent)
    return selectors.organization_get(actor=request.user, code=code)


@router.post("/organizations/{code}/deactivate", response=OrganizationOut)
def organization_deactivate(request: HttpRequest, code: str) -> Organization:
    org = selectors.organization_get(actor=request.user, code=code)
    services.organization_set_active(actor=request.user, organization=org, active=False)
    return selectors.organization_get(actor=request.user, code=code)


@router.post("/organizations/{code}/reactivate", response=OrganizationOut)
def organization_reactivate(request: HttpRequest, code: str) -> Organization:
    org = selectors.organization_get(actor=request.user, code=code)
    services.organization_set_active(actor=request.user, organization=org, active=True)
    return selectors.organization_get(actor=request.user, code=code)


# ------------------------------------------------------------------------------ memberships
class MembershipPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MembershipOut]


class MembershipIn(StrictSchema):
    username: str = Field(..., min_length=1, max_length=150)
    organization: str = Field(..., min_length=1, max_length=20)
    role: RoleLiteral


@router.get("/memberships", response=MembershipPage, summary="Roles inside the caller's scope")
def membership_list(
    request: HttpRequest,
    q: str = "",
    role: str = "",
    page: int = page_query(),
    page_size: int = page_size_query(),
) -> dict[str, Any]:
    return paginate(
        selectors.membership_list(actor=request.user, q=q[:100], role=role[:12]), page, page_size
    )


@router.post("/memberships", response={201: MembershipOut})
def membership_create(request: HttpRequest, payload: MembershipIn) -> tuple[int, Membership]:
    org = selectors.organization_get(actor=request.user, code=payload.organization)
    membership = services.membership_grant_by_username(
        actor=request.user, username=payload.username, organization=org, role=payload.role
    )
    return 201, membership


@router.delete("/memberships/{code}", response={204: None})
def membership_delete(request: HttpRequest, code: str) -> tuple[int, None]:
    membership = access.get_visible_or_404(
        Membership.objects.select_related("user", "organization"), request.user, code=code
    )
    services.membership_revoke(actor=request.user, membership=membership)
    return 204, None


# ------------------------------------------------------------------------------------ audit
class AuditOut(Schema):
    at: dt.datetime
    actor: str = Field(..., alias="actor_name")
    action: str
    object_type: str
    object_code: str
    object_repr: str
    organization: str | None
    client_address: str | None
    details: dict[str, Any]

    resolve_organization = resolve_from("organization.code")


class AuditPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[AuditOut]


@router.get("/audit-events", response=AuditPage, summary="Search the audit log (admins)")
def audit_list(
    request: HttpRequest,
    q: str = "",
    action: str = "",
    actor: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    page: int = page_query(),
    page_size: int = page_size_query(),
) -> dict[str, Any]:
    qs = selectors.audit_list(
        actor=request.user,
        q=q[:100],
        action=action[:60],
        actor_name=actor[:150],
        since=since,
        until=until,
    )
    return paginate(qs, page, page_size)


# ----------------------------------------------------------------------------- reference data
class ReferenceOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None = Field(None, alias="parent_id")


class ReferencePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ReferenceOut]


class SkillLevelOut(Schema):
    code: str
    name_zh: str
    grade_zh: str
    name_en: str
    rank: int
    is_high_skilled: bool
    national_level: int | None


REFERENCE_MODELS = {"regions": Region, "occupations": Occupation, "industries": Industry}


@router.get(
    "/reference/skill-levels", response=list[SkillLevelOut], summary="The 8-step skill ladder"
)
def skill_levels(request: HttpRequest) -> Any:
    return SkillLevel.objects.all()


@router.get(
    "/reference/{kind}",
    response=ReferencePage,
    summary="Regions (GB/T 2260), occupations (职业分类大典 2022), industries (GB/T 4754-2017)",
)
def reference_list(
    request: HttpRequest,
    kind: Literal["regions", "occupations", "industries"],
    q: str = "",
    level: str = "",
    parent: str = "",
    page: int = page_query(),
    page_size: int = page_size_query(),
) -> dict[str, Any]:
    qs = REFERENCE_MODELS[kind].objects.search(q[:100])
    if level:
        qs = qs.filter(level=level[:12])
    if parent:
        qs = qs.filter(parent_id=parent[:20])
    return paginate(qs.order_by("code"), page, page_size)


@router.get("/reference/{kind}/{code}", response=ReferenceOut)
def reference_detail(
    request: HttpRequest, kind: Literal["regions", "occupations", "industries"], code: str
) -> Any:
    obj = REFERENCE_MODELS[kind].objects.filter(code=code).first()
    if obj is None:
        raise Http404(kind)
    return obj


# --------------------------------------------------------------------------------------- jobs
class JobOut(Schema):
    code: str
    kind: str
    status: str
    done: int
    total: int
    percent: int
    message: str
    result: dict[str, Any]
    created_at: dt.datetime
    finished_at: dt.datetime | None


@router.get("/jobs/{code}", response=JobOut, summary="A background job and its progress")
def job_detail(request: HttpRequest, code: str) -> Any:
    return selectors.job_get(actor=request.user, code=code)


# ------------------------------------------------------------------------------------- tokens
class TokenIn(StrictSchema):
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: dt.datetime | None = None


class TokenOut(Schema):
    code: str
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    secret: str


@router.get("/tokens", response=list[TokenOut], summary="The caller's API tokens")
def token_list(request: HttpRequest) -> Any:
    return ApiToken.objects.filter(user=request.user)


@router.post(
    "/tokens",
    response={201: TokenCreated},
    summary="Create an API token (the secret is shown once)",
)
def token_create(request: HttpRequest, payload: TokenIn) -> tuple[int, dict[str, Any]]:
    token, secret = services.api_token_create(
        actor=request.user, name=payload.name, expires_at=payload.expires_at
    )
    data = TokenOut.model_validate(token).model_dump()
    data["secret"] = secret
    return 201, data


@router.delete("/tokens/{code}", response={204: None})
def token_revoke(request: HttpRequest, code: str) -> tuple[int, None]:
    token = ApiToken.objects.filter(code=code, user=request.user).first()
    if token is None:
        raise Http404("token")
    services.api_token_revoke(actor=request.user, token=token)
    return 204, None


__all__ = ["router", "Role"]


# enterprises (用人单位) have their own module; served under /api/v1/enterprises
from .api_enterprises import router as _enterprise_router  # noqa: E402

router.add_router("/enterprises", _enterprise_router)
