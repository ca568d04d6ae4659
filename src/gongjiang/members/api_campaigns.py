"""Campaign endpoints at /api/v1/members/ beside those of api.py (a campaign, answering, rankings):
the campaigns offered to the caller, publishing and changing a campaign, participation and the
ranking of the units under a subtree for cadres, the tallies checked against a recount. The same
services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongjiang.core import access
from gongjiang.core.models import Organization
from gongjiang.core.schemas import CountersFreshnessOut, StrictSchema

from . import campaigns as camp
from .campaign_tallies import campaign_tallies_verify, tallies_freshness

router = Router(tags=["members"])


class MembersCampaignItemOut(Schema):
    code: str
    title: str
    organization: str
    organization_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    running: bool


def _item(c: Any) -> dict[str, Any]:
    return {
        "code": c.code,
        "title": c.title,
        "organization": c.organization.code,
        "organization_name": c.organization.name,
        "starts_at": c.starts_at,
        "ends_at": c.ends_at,
        "running": camp.is_running(c),
    }


@router.get(
    "/campaigns", response=list[MembersCampaignItemOut], operation_id="members_campaign_list"
)
def campaign_list(request: HttpRequest) -> list[dict[str, Any]]:
    if not access.can(request.user, "members.use"):
        raise PermissionDenied
    return [_item(c) for c in camp.campaigns_for(actor=request.user)[:100]]


class MembersCampaignIn(StrictSchema):
    organization: str = Field(..., min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    starts_at: dt.datetime
    ends_at: dt.datetime
    questions: list[str] = Field(..., min_length=1, max_length=camp.MAX_QUESTIONS)


@router.post(
    "/campaigns",
    response={201: MembersCampaignItemOut},
    operation_id="members_campaign_create",
)
def campaign_create(request: HttpRequest, payload: MembersCampaignIn) -> Any:
    org = access.get_visible_or_404(
        Organization.objects.all(), request.user, camp.MANAGE, code=payload.organization
    )
    campaign = camp.campaign_create(
        actor=request.user,
        organization=org,
        question_codes=[c[:20] for c in payload.questions],
        title=payload.title,
        description=payload.description,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return 201, _item(campaign)


class MembersCampaignPatch(StrictSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None


def _managed(request: HttpRequest, code: str) -> Any:
    """A campaign organised inside the caller's scope (404 otherwise, even if it is offered to
    them)."""
    campaign = camp.campaigns_managed(actor=request.user).filter(code=code[:20]).first()
    if campaign is None:
        from django.http import Http404

        raise Http404("campaign")
    return campaign


@router.put(
    "/campaigns/{code}/settings",
    response=MembersCampaignItemOut,
    operation_id="members_campaign_update",
)
def campaign_update(request: HttpRequest, code: str, payload: MembersCampaignPatch) -> Any:
    campaign = _managed(request, code)
    fields = payload.model_dump(exclude_none=True)
    return _item(camp.campaign_update(actor=request.user, campaign=campaign, **fields))


class MembersUnitOut(Schema):
    rank: int
    name: str
    code: str | None
    participants: int
    mean: Decimal | None


class MembersParticipationOut(Schema):
    organization: str
    participants: int
    mean: Decimal | None
    units: list[MembersUnitOut]
    freshness: CountersFreshnessOut


@router.get(
    "/campaigns/{code}/participation",
    response=MembersParticipationOut,
    operation_id="members_campaign_participation",
)
def campaign_participation(
    request: HttpRequest, code: str, organization: str = Query("", max_length=20)
) -> dict[str, Any]:
    if not access.can(request.user, camp.MANAGE):
        raise PermissionDenied
    campaign = camp.campaign_get(actor=request.user, code=code[:20])
    scope = camp.results_scope(
        actor=request.user, campaign=campaign, organization_code=organization
    )
    ranking = camp.rankings(campaign=campaign, organization=scope)[:500]
    codes = dict(
        Organization.objects.visible_to(request.user, camp.MANAGE)
        .filter(path__in=[r["path"] for r in ranking])
        .values_list("path", "code")
    )
    return {
        "organization": scope.code,
        **camp.participation(campaign=campaign, organization=scope),
        "units": [
            {
                "rank": r["rank"],
                "name": r["name"],
                "code": codes.get(r["path"]),
                "participants": r["participants"],
                "mean": r["mean"],
            }
            for r in ranking
        ],
        "freshness": tallies_freshness(campaign).as_dict(),
    }


class MembersTallyCheckOut(Schema):
    participants: int
    unit_rows: int
    area_rows: int
    pending: int
    mismatches: int
    snapshot: bool


@router.get(
    "/campaigns/{code}/tallies/verify",
    response=MembersTallyCheckOut,
    operation_id="members_campaign_tallies_verify",
)
def tallies_verify(request: HttpRequest, code: str) -> dict[str, Any]:
    campaign = _managed(request, code)
    if not access.can(request.user, camp.MANAGE, campaign.organization):
        raise PermissionDenied
    result = campaign_tallies_verify(campaign=campaign)
    return {**result, "mismatches": len(result["mismatches"])}
