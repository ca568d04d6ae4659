"""Enterprise endpoints (``/api/v1/enterprises``): the companies workers are employed by, each
covered by an enterprise union and visible exactly where that union is."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from . import enterprises
from .enterprise_models import Enterprise
from .models import Organization
from .schemas import StrictSchema, paginate, resolve_from

router = Router(tags=["core"])

SizeLiteral = Literal["large", "medium", "small", "micro", ""]


class EnterpriseOut(Schema):
    code: str
    name: str = Field(..., description="legal name")
    uscc: str
    industry: str | None
    region: str
    size: str
    union: str = Field(..., description="code of the enterprise union that covers it")
    union_name: str
    is_active: bool

    resolve_industry = resolve_from("industry_id")
    resolve_region = resolve_from("region_id")
    resolve_union = resolve_from("union.code")
    resolve_union_name = resolve_from("union.name")


class EnterprisePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[EnterpriseOut]


class EnterpriseFilters(Schema):
    q: str = Field("", max_length=100, description="part of the legal name, or a credit code")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class EnterpriseIn(StrictSchema):
    union: str = Field(..., min_length=1, max_length=20, description="code of the enterprise union")
    name: str = Field(..., min_length=1, max_length=200, description="legal name")
    uscc: str = Field(..., min_length=1, max_length=18)
    industry: str = Field(..., min_length=1, max_length=4, description="GB/T 4754 code")
    region: str | None = Field(None, pattern=r"^\d{6}$", description="default: the union's")
    size: SizeLiteral = ""


class EnterprisePatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    uscc: str | None = Field(None, min_length=1, max_length=18)
    industry: str | None = Field(None, min_length=1, max_length=4)
    region: str | None = Field(None, pattern=r"^\d{6}$")
    size: SizeLiteral | None = None
    is_active: bool | None = None


@router.get("", response=EnterprisePage, summary="Enterprises in the caller's scope")
def enterprise_list(request: HttpRequest, filters: Query[EnterpriseFilters]) -> dict[str, Any]:
    qs = enterprises.enterprise_list(request.user, q=filters.q)
    return paginate(qs, filters.page, filters.page_size)


@router.get("/{code}", response=EnterpriseOut, summary="One enterprise")
def enterprise_detail(request: HttpRequest, code: str) -> Enterprise:
    return enterprises.enterprise_get(request.user, code)


@router.post("", response={201: EnterpriseOut}, summary="Register an enterprise under its union")
def enterprise_create(request: HttpRequest, payload: EnterpriseIn) -> tuple[int, Enterprise]:
    union = (
        Organization.objects.visible_to(request.user, "core.change_enterprise")
        .filter(code=payload.union)
        .first()
    )
    if union is None:
        raise ValidationError({"union": ["unknown union or not in your scope"]})
    created = enterprises.enterprise_create(
        actor=request.user,
        union=union,
        name=payload.name,
        uscc=payload.uscc,
        industry=payload.industry,
        region=payload.region,
        size=payload.size,
    )
    return 201, created


@router.patch("/{code}", response=EnterpriseOut, summary="Change an enterprise")
def enterprise_update(request: HttpRequest, code: str, payload: EnterprisePatch) -> Enterprise:
    enterprise = enterprises.enterprise_get(request.user, code)
    fields = payload.dict(exclude_unset=True)
    for key in ("name", "uscc", "industry", "region", "is_active"):
        if key in fields and fields[key] is None:
            raise ValidationError({key: ["may not be null"]})
    return enterprises.enterprise_update(actor=request.user, enterprise=enterprise, **fields)
