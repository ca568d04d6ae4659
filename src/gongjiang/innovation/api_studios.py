"""Studio and alliance endpoints under /api/v1/innovation/: studios, naming, assessment, mentoring,
alliances, joint projects and the dashboard. The same services as the pages (studios.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from gongjiang.core import access
from gongjiang.core.models import Organization
from gongjiang.core.schemas import StrictSchema, Year, page_query
from gongjiang.workforce.models import Worker

from . import studios
from .listing import page_slice
from .models_results import Result
from .models_studios import Studio

router = Router(tags=["innovation studios"])
Code = Field(..., min_length=1, max_length=20)
Level = Literal["national", "provincial", "city", "enterprise"]


class StudioIn(StrictSchema):
    organization: str = Code
    name: str = Field(..., min_length=1, max_length=100)
    level: Level
    leader: str = Code
    fields: str = Field("", max_length=300)
    site: str = Field("", max_length=200)
    funding: Decimal = Field(
        Decimal(0), ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2
    )
    members: list[str] = Field(default_factory=list, max_length=200)


class StudioOut(Schema):
    code: str
    name: str
    level: str
    status: str
    leader: str
    leader_name: str
    organization: str
    fields: str
    site: str
    funding: str
    members: list[str]


class AssessIn(StrictSchema):
    year: Year
    scores: dict[str, Decimal] = Field(..., max_length=10)
    comment: str = Field("", max_length=500)


class AssessOut(Schema):
    year: int
    score: str
    outcome: str
    studio_status: str


class RenameIn(StrictSchema):
    new_name: str = Field(..., min_length=1, max_length=100)


class MentoringIn(StrictSchema):
    mentor: str = Code
    mentee: str = Code
    started_on: dt.date


class AllianceIn(StrictSchema):
    organization: str = Code
    name: str = Field(..., min_length=1, max_length=100)
    studios: list[str] = Field(default_factory=list, max_length=200)


class AllianceOut(Schema):
    code: str
    name: str
    organization: str
    studios: list[str]
    projects: list[str]


class ProjectIn(StrictSchema):
    title: str = Field(..., min_length=1, max_length=200)
    goal: str = Field("", max_length=1000)
    studios: list[str] = Field(..., min_length=2, max_length=50)
    results: list[str] = Field(default_factory=list, max_length=100)


class LevelCount(Schema):
    level: str
    n: int


class StudioFigures(Schema):
    code: str
    name: str
    results: int
    savings: str
    trained: int


class DashboardOut(Schema):
    by_level: list[LevelCount]
    per_studio: list[StudioFigures]
    trained: int


def _need(request: HttpRequest, perm: str) -> None:
    if not access.can(request.user, perm):
        raise PermissionDenied(perm)


def _org(request: HttpRequest, code: str) -> Organization:
    return access.get_visible_or_404(
        Organization.objects.all(), request.user, studios.MANAGE, code=code
    )


def _workers(org: Organization, codes: list[str]) -> list[Worker]:
    found = {
        w.code: w
        for w in Worker.objects.filter(
            code__in=codes, organization__path__startswith=org.path
        ).select_related("organization")
    }
    missing = [c for c in codes if c not in found]
    if missing:
        raise Http404("worker")
    return [found[c] for c in codes]


def _studios(request: HttpRequest, codes: list[str]) -> list[Studio]:
    found = {s.code: s for s in studios.studio_list(actor=request.user).filter(code__in=codes)}
    if len(found) != len(set(codes)):
        raise Http404("studio")
    return [found[c] for c in dict.fromkeys(codes)]


def studio_out(s: Studio) -> dict[str, Any]:
    return {
        "code": s.code,
        "name": s.name,
        "level": s.level,
        "status": s.status,
        "leader": s.leader.code,
        "leader_name": s.leader.name,
        "organization": s.organization.code,
        "fields": s.fields,
        "site": s.site,
        "funding": f"{s.funding:.2f}",
        "members": [m.worker.code for m in s.members.select_related("worker")],
    }


#: studios (and alliances) per page of ``GET /studios`` (``GET /alliances``)
STUDIO_PAGE = 200
PAGED = (
    "At most 200 a page; `page` (from 1) gives the next ones and the header `X-Total-Count` "
    "tells how many there are in all."
)


@router.get("/studios", response=list[StudioOut], summary="Studios in scope", description=PAGED)
def studio_list_api(request: HttpRequest, response: HttpResponse, page: int = page_query()) -> Any:
    _need(request, studios.VIEW)
    listed = studios.studio_list(actor=request.user).order_by("name", "id")
    return [studio_out(s) for s in page_slice(response, listed, page, STUDIO_PAGE)]


@router.post("/studios", response={201: StudioOut}, summary="Propose a studio for naming")
def studio_propose_api(request: HttpRequest, payload: StudioIn) -> Any:
    _need(request, studios.MANAGE)
    org = _org(request, payload.organization)
    leader = _workers(org, [payload.leader])[0]
    studio = studios.studio_propose(
        actor=request.user,
        organization=org,
        name=payload.name,
        level=payload.level,
        leader=leader,
        fields=payload.fields,
        site=payload.site,
        funding=payload.funding,
        members=_workers(org, payload.members),
    )
    return 201, studio_out(studio)


@router.get("/studios/{code}", response=StudioOut, summary="A studio")
def studio_get_api(request: HttpRequest, code: str) -> Any:
    return studio_out(studios.studio_get(actor=request.user, code=code[:20]))


@router.post("/studios/{code}/approve", response=StudioOut, summary="Approve the naming")
def studio_approve_api(request: HttpRequest, code: str) -> Any:
    studio = studios.studio_get(actor=request.user, code=code[:20])
    return studio_out(studios.studio_approve(actor=request.user, studio=studio))


@router.post("/studios/{code}/rename", response={201: dict}, summary="Ask for a renaming")
def studio_rename_api(request: HttpRequest, code: str, payload: RenameIn) -> Any:
    studio = studios.studio_get(actor=request.user, code=code[:20])
    row = studios.studio_rename_request(
        actor=request.user, studio=studio, new_name=payload.new_name
    )
    return 201, {"code": row.code, "state": row.state}


@router.post("/studios/{code}/assessments", response={201: AssessOut}, summary="Assess a year")
def studio_assess_api(request: HttpRequest, code: str, payload: AssessIn) -> Any:
    studio = studios.studio_get(actor=request.user, code=code[:20])
    row = studios.studio_assess(
        actor=request.user,
        studio=studio,
        year=payload.year,
        scores=payload.scores,
        comment=payload.comment,
    )
    studio.refresh_from_db()
    return 201, {
        "year": row.year,
        "score": f"{row.score:.2f}",
        "outcome": row.outcome,
        "studio_status": studio.status,
    }


@router.post("/studios/{code}/mentoring", response={201: dict}, summary="Add a mentoring pair")
def mentoring_add_api(request: HttpRequest, code: str, payload: MentoringIn) -> Any:
    studio = studios.studio_get(actor=request.user, code=code[:20])
    mentor, mentee = _workers(studio.organization, [payload.mentor, payload.mentee])
    pair = studios.mentoring_pair_add(
        actor=request.user,
        studio=studio,
        mentor=mentor,
        mentee=mentee,
        started_on=payload.started_on,
    )
    return 201, {"code": pair.code, "outcome": pair.outcome}


def alliance_out(a: Any) -> dict[str, Any]:
    return {
        "code": a.code,
        "name": a.name,
        "organization": a.organization.code,
        "studios": [s.code for s in a.studios.all()],
        "projects": [p.code for p in a.projects.all()],
    }


@router.get(
    "/alliances", response=list[AllianceOut], summary="Alliances in scope", description=PAGED
)
def alliance_list_api(
    request: HttpRequest, response: HttpResponse, page: int = page_query()
) -> Any:
    _need(request, studios.VIEW)
    listed = studios.alliance_list(actor=request.user)
    return [alliance_out(a) for a in page_slice(response, listed, page, STUDIO_PAGE)]


@router.post("/alliances", response={201: AllianceOut}, summary="Create an alliance")
def alliance_create_api(request: HttpRequest, payload: AllianceIn) -> Any:
    _need(request, studios.MANAGE)
    org = _org(request, payload.organization)
    alliance = studios.alliance_create(
        actor=request.user,
        organization=org,
        name=payload.name,
        studios=_studios(request, payload.studios),
    )
    return 201, alliance_out(alliance)


@router.get("/alliances/{code}", response=AllianceOut, summary="An alliance")
def alliance_get_api(request: HttpRequest, code: str) -> Any:
    return alliance_out(studios.alliance_get(actor=request.user, code=code[:20]))


@router.post("/alliances/{code}/projects", response={201: dict}, summary="A joint project")
def project_create_api(request: HttpRequest, code: str, payload: ProjectIn) -> Any:
    alliance = studios.alliance_get(actor=request.user, code=code[:20])
    project = studios.joint_project_create(
        actor=request.user,
        alliance=alliance,
        title=payload.title,
        goal=payload.goal,
        studios=_studios(request, payload.studios),
    )
    if payload.results:
        found = list(
            Result.objects.visible_to(request.user).filter(code__in=payload.results).distinct()
        )
        if len(found) != len(set(payload.results)):
            raise Http404("result")
        studios.joint_project_results_add(actor=request.user, project=project, results=found)
    return 201, {"code": project.code, "studios": [s.code for s in project.studios.all()]}


@router.get("/studio-dashboard", response=DashboardOut, summary="Studios by level, figures")
def dashboard_api(request: HttpRequest) -> Any:
    _need(request, studios.VIEW)
    board = studios.dashboard(actor=request.user)
    return {
        "by_level": [{"level": lvl, "n": n} for lvl, n in board["by_level"]],
        "per_studio": [
            {
                "code": r["studio"].code,
                "name": r["studio"].name,
                "results": r["results"],
                "savings": f"{r['savings']:.2f}",
                "trained": r["trained"],
            }
            for r in board["per_studio"]
        ],
        "trained": board["trained"],
    }
