"""Member services endpoints at /api/v1/members/: nearest stations and check-in, activities and
sign-up, the contest and its rankings, help requests, notifications. Thin: the same services as the
pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from gongjiang.core import access
from gongjiang.core.auth import session_pins
from gongjiang.core.models import Organization
from gongjiang.core.schemas import CountersFreshnessOut, StrictSchema

from . import activities, campaigns, helpdesk, news, stations
from .campaign_tallies import tallies_freshness
from .notify import notifications_of

router = Router(tags=["members"])

CodeField = Field(..., min_length=1, max_length=20)


def _use(request: HttpRequest) -> Any:
    if not access.can(request.user, "members.use"):
        raise PermissionDenied
    return request.user


# ------------------------------------------------------------------------------- stations
class MembersStationOut(Schema):
    code: str
    name: str
    address: str
    region: str
    latitude: Decimal
    longitude: Decimal
    services: list[str]
    hours: dict[str, list[str]]
    phone: str
    distance_km: float | None = None


def _station_out(s: Any) -> dict[str, Any]:
    return {
        "code": s.code,
        "name": s.name,
        "address": s.address,
        "region": s.region_id,
        "latitude": s.latitude,
        "longitude": s.longitude,
        "services": s.services,
        "hours": s.hours,
        "phone": s.phone,
        "distance_km": round(s.distance_km, 3) if hasattr(s, "distance_km") else None,
    }


class MembersNearQuery(Schema):
    lat: float = Field(..., ge=-90, le=90)
    lon: float = Field(..., ge=-180, le=180)
    radius_km: float = Field(30, ge=0.1, le=200)
    limit: int = Field(10, ge=1, le=50)
    open_only: bool = True


@router.get(
    "/stations/nearest", response=list[MembersStationOut], operation_id="members_stations_nearest"
)
def stations_nearest(request: HttpRequest, query: Query[MembersNearQuery]) -> list[dict[str, Any]]:
    _use(request)
    found = stations.stations_nearest(
        latitude=query.lat,
        longitude=query.lon,
        radius_km=query.radius_km,
        limit=query.limit,
        open_only=query.open_only,
    )
    return [_station_out(s) for s in found]


class MembersCheckInIn(StrictSchema):
    token: str = Field(..., min_length=1, max_length=64)


class MembersCheckInOut(Schema):
    station: str
    day: dt.date
    new: bool


@router.post(
    "/stations/{code}/checkin", response=MembersCheckInOut, operation_id="members_station_checkin"
)
def station_checkin(request: HttpRequest, code: str, payload: MembersCheckInIn) -> dict[str, Any]:
    _use(request)
    station = stations.station_get(code=code[:20])
    checkin, created = stations.station_checkin(
        actor=request.user, station=station, token=payload.token
    )
    return {"station": station.code, "day": checkin.day, "new": created}


class MembersStationFeedbackIn(StrictSchema):
    kind: Literal["rating", "problem"]
    stars: int | None = Field(None, ge=1, le=5)
    text: str = Field("", max_length=500)


class MembersFeedbackOut(Schema):
    code: str
    kind: str


@router.post(
    "/stations/{code}/feedback",
    response={201: MembersFeedbackOut},
    operation_id="members_station_feedback",
)
def station_feedback(request: HttpRequest, code: str, payload: MembersStationFeedbackIn) -> Any:
    _use(request)
    station = stations.station_get(code=code[:20])
    item = stations.station_feedback_add(actor=request.user, station=station, **payload.dict())
    return 201, {"code": item.code, "kind": item.kind}


# ----------------------------------------------------------------------------- activities
class MembersActivityOut(Schema):
    code: str
    title: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    confirmed: int
    my_status: str | None = None


@router.get("/activities", response=list[MembersActivityOut], operation_id="members_activities")
def activity_list(request: HttpRequest) -> list[Any]:
    _use(request)
    items = list(activities.activities_for(actor=request.user)[:200])
    mine = dict(
        activities.ActivitySignup.objects.filter(user=request.user, activity__in=items).values_list(
            "activity_id", "status"
        )
    )
    for a in items:
        a.my_status = mine.get(a.pk)
    return items


class MembersSignupOut(Schema):
    activity: str
    status: str
    waiting_position: int | None


@router.post(
    "/activities/{code}/signup", response=MembersSignupOut, operation_id="members_activity_signup"
)
def activity_signup(request: HttpRequest, code: str) -> dict[str, Any]:
    _use(request)
    activity = activities.activity_get(actor=request.user, code=code[:20])
    signup = activities.activity_signup(actor=request.user, activity=activity)
    return {
        "activity": activity.code,
        "status": signup.status,
        "waiting_position": activities.waiting_position(signup),
    }


@router.post(
    "/activities/{code}/cancel", response=MembersSignupOut, operation_id="members_activity_cancel"
)
def activity_cancel(request: HttpRequest, code: str) -> dict[str, Any]:
    _use(request)
    activity = activities.activity_get(actor=request.user, code=code[:20])
    signup = activities.activity_cancel(actor=request.user, activity=activity)
    return {"activity": activity.code, "status": signup.status, "waiting_position": None}


# ------------------------------------------------------------------------------ campaigns
class MembersQuestionOut(Schema):
    code: str
    qtype: str
    stem: str
    options: list[dict[str, Any]]


class MembersCampaignOut(Schema):
    code: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    running: bool
    answered: bool
    questions: list[MembersQuestionOut]


@router.get("/campaigns/{code}", response=MembersCampaignOut, operation_id="members_campaign")
def campaign_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    _use(request)
    campaign = campaigns.campaign_get(actor=request.user, code=code[:20])
    answered = campaigns.my_entry(actor=request.user, campaign=campaign) is not None
    # the entry follows from this phone: its fast path skips the session read (core.hotpath)
    session_pins.remember_accepted(request)
    return {
        "code": campaign.code,
        "title": campaign.title,
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "running": campaigns.is_running(campaign),
        "answered": answered,
        "questions": [] if answered else campaigns.contest_questions(campaign),
    }


class MembersContestIn(StrictSchema):
    answers: dict[str, Any] = Field(..., max_length=50)


class MembersContestOut(Schema):
    score: Decimal


@router.post(
    "/campaigns/{code}/answers",
    response={201: MembersContestOut},
    operation_id="members_contest_submit",
)
def contest_submit(request: HttpRequest, code: str, payload: MembersContestIn) -> Any:
    _use(request)
    campaign = campaigns.campaign_get(actor=request.user, code=code[:20])
    entry = campaigns.contest_submit(actor=request.user, campaign=campaign, answers=payload.answers)
    return 201, {"score": entry.score}


class MembersRankOut(Schema):
    rank: int
    name: str
    participants: int
    mean: Decimal | None


class MembersRankingOut(Schema):
    organization: str
    participants: int
    mean: Decimal | None
    units: list[MembersRankOut]
    freshness: CountersFreshnessOut


@router.get(
    "/campaigns/{code}/rankings",
    response=MembersRankingOut,
    operation_id="members_campaign_rankings",
)
def campaign_rankings(
    request: HttpRequest, code: str, organization: str | None = Query(None, max_length=20)
) -> dict[str, Any]:
    _use(request)
    campaign = campaigns.campaign_get(actor=request.user, code=code[:20])
    org = campaign.organization
    if organization:
        org = access.get_visible_or_404(
            Organization.objects.all(), request.user, "core.view_organization", code=organization
        )
        if not org.path.startswith(campaign.organization.path):
            from django.http import Http404

            raise Http404("organization")
    total = campaigns.participation(campaign=campaign, organization=org)
    return {
        "organization": org.code,
        **total,
        "units": campaigns.rankings(campaign=campaign, organization=org)[:200],
        "freshness": tallies_freshness(campaign).as_dict(),
    }


# ----------------------------------------------------------------------------- help desk
class MembersHelpIn(StrictSchema):
    category: Literal["legal", "wages", "injury", "contract", "psych", "hardship"]
    subject: str = Field(..., min_length=1, max_length=200)
    text: str = Field(..., min_length=1, max_length=5000)
    region: str = Field("", max_length=6)


class MembersHelpFileOut(Schema):
    code: str
    status: str
    status_label: str


class MembersHelpOut(Schema):
    code: str
    category: str
    subject: str
    status: str
    organization: str
    due_at: dt.datetime
    hardship_file: MembersHelpFileOut | None = None


def _help_out(r: Any) -> dict[str, Any]:
    file = helpdesk.linked_file(r)
    return {
        "code": r.code,
        "category": r.category,
        "subject": r.subject,
        "status": r.status,
        "organization": r.organization.name,
        "due_at": r.due_at,
        # the hardship application opened from it: its code and status only
        "hardship_file": {
            "code": file.code,
            "status": file.status,
            "status_label": str(file.get_status_display()),
        }
        if file is not None
        else None,
    }


@router.post("/help", response={201: MembersHelpOut}, operation_id="members_help_file")
def help_file(request: HttpRequest, payload: MembersHelpIn) -> Any:
    _use(request)
    req = helpdesk.help_file(
        actor=request.user,
        category=payload.category,
        subject=payload.subject,
        text=payload.text,
        region_code=payload.region,
    )
    return 201, _help_out(req)


@router.get("/help/{code}", response=MembersHelpOut, operation_id="members_help_get")
def help_get(request: HttpRequest, code: str) -> dict[str, Any]:
    _use(request)
    return _help_out(helpdesk.request_get(actor=request.user, code=code[:20]))


class MembersReplyIn(StrictSchema):
    text: str = Field(..., min_length=1, max_length=5000)
    internal: bool = False


@router.post(
    "/help/{code}/replies", response={201: MembersHelpOut}, operation_id="members_help_reply"
)
def help_reply(request: HttpRequest, code: str, payload: MembersReplyIn) -> Any:
    req = helpdesk.request_get(actor=request.user, code=code[:20])
    helpdesk.help_reply(actor=request.user, req=req, text=payload.text, internal=payload.internal)
    req.refresh_from_db()
    return 201, _help_out(req)


class MembersResolveIn(StrictSchema):
    reply: str = Field("", max_length=5000, description="an answer sent before resolving")


@router.post("/help/{code}/resolve", response=MembersHelpOut, operation_id="members_help_resolve")
def help_resolve(request: HttpRequest, code: str, payload: MembersResolveIn) -> dict[str, Any]:
    """Resolve (with an answer first if ``reply`` is given); 409 ``file_pending`` while a hardship
    application opened from the request is not decided."""
    req = helpdesk.request_get(actor=request.user, code=code[:20])
    if payload.reply.strip():
        req = helpdesk.help_reply_resolve(actor=request.user, req=req, text=payload.reply.strip())
    else:
        req = helpdesk.help_resolve(actor=request.user, req=req)
    return _help_out(req)


# ------------------------------------------------------------------------- notifications
class MembersNotificationOut(Schema):
    code: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read: bool


@router.get(
    "/notifications", response=list[MembersNotificationOut], operation_id="members_notifications"
)
def notification_list(request: HttpRequest) -> list[dict[str, Any]]:
    _use(request)
    return [
        {
            "code": n.code,
            "title": n.title,
            "body": n.body,
            "url": n.url,
            "created_at": n.created_at,
            "read": n.read_at is not None,
        }
        for n in notifications_of(actor=request.user)[:100]
    ]


# ----------------------------------------------------------------------------------- news
class MembersArticleImageOut(Schema):
    code: str
    url: str
    caption: str
    width: int
    height: int
    content_type: str


class MembersArticleOut(Schema):
    code: str
    kind: str
    title: str
    publisher: str
    publish_at: dt.datetime
    images: list[MembersArticleImageOut]


def _image_out(article: Any, image: Any) -> dict[str, Any]:
    return {
        "code": image.code,
        "url": reverse("members:news_image", args=[article.code, image.code]),
        "caption": image.caption,
        "width": image.width,
        "height": image.height,
        "content_type": image.content_type,
    }


@router.get("/news", response=list[MembersArticleOut], operation_id="members_news_feed")
def news_feed(request: HttpRequest) -> list[dict[str, Any]]:
    _use(request)
    return [
        {
            "code": a.code,
            "kind": a.kind,
            "title": a.title,
            "publisher": a.organization.name,
            "publish_at": a.publish_at,
            "images": [_image_out(a, i) for i in a.images.all()],
        }
        for a in news.feed(actor=request.user)[:50]
    ]


@router.post(
    "/news/{code}/images",
    response={201: MembersArticleImageOut},
    operation_id="members_news_image_add",
)
def news_image_add(
    request: HttpRequest,
    code: str,
    file: File[UploadedFile],
    caption: str = Form("", max_length=200),
) -> tuple[int, dict[str, Any]]:
    """Add an image to an article (its union's editors; checked by content, re-encoded without
    metadata). 404 for an article the caller may not read."""
    _use(request)
    article = news.article_get(actor=request.user, code=code[:20])
    image = news.article_image_add(actor=request.user, article=article, file=file, caption=caption)
    return 201, _image_out(article, image)


from .api_campaigns import router as campaigns_router  # noqa: E402

router.add_router("", campaigns_router)

# ------------------------------------------------------------------------------- e-library
from .api_library import router as library_router  # noqa: E402

router.add_router("/library", library_router)
