"""Reads of worker programmes, starting from ``visible_to``.

A programme is read by the managers of its owner's subtree and by everyone whose roles sit inside
that subtree (cadres who file applications, the workers it is for); applications and their
progress by the roles covering the worker's union, and by the worker themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from gongjiang.core import access
from gongjiang.core.models import Organization
from gongjiang.workforce.models import Worker

from .models_programmes import Programme, ProgrammeApplication, ProgrammePlaces, ProgrammeProgress
from .programmes_common import MANAGE, VIEW, Status
from .programmes_rules import EMPLOYMENT_ORDER

STEP = Organization.SEGMENT


def _ancestor_paths(user: Any) -> set[str]:
    """Every path above (and at) the user's memberships and own worker record."""
    paths = {path for _role, path, _id in access.memberships_of(user)}
    own = Worker.objects.filter(user=user).values_list("organization__path", flat=True).first()
    if own:
        paths.add(own)
    return {p[: i + STEP] for p in paths for i in range(0, len(p), STEP)}


def programmes(actor: Any) -> QuerySet[Programme]:
    if not getattr(actor, "is_authenticated", False):
        return Programme.objects.none()
    managed = Programme.objects.visible_to(actor, VIEW)
    if getattr(actor, "is_superuser", False):
        return managed.select_related("organization")
    above = Programme.objects.filter(organization__path__in=_ancestor_paths(actor))
    return (managed | above).distinct().select_related("organization")


def programme_get(actor: Any, code: str) -> Programme:
    programme = programmes(actor).filter(code=code).select_related("fund").first()
    if programme is None:
        raise Http404("programme")
    return programme


def manages(actor: Any, programme: Programme) -> bool:
    return access.can(actor, MANAGE, programme.organization)


def applications(
    actor: Any, programme: Programme | None = None, status: str = ""
) -> QuerySet[ProgrammeApplication]:
    qs = ProgrammeApplication.objects.visible_to(actor, VIEW)
    if getattr(actor, "is_authenticated", False) and not getattr(actor, "is_superuser", False):
        qs = (qs | ProgrammeApplication.objects.filter(worker__user=actor)).distinct()
    if programme is not None:
        qs = qs.filter(programme=programme)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("programme", "worker", "unit", "partner", "subsidy_entry")


def application_get(actor: Any, code: str) -> ProgrammeApplication:
    application = applications(actor).filter(code=code).first()
    if application is None:
        raise Http404("application")
    return application


def mine(actor: Any) -> QuerySet[ProgrammeApplication]:
    if not getattr(actor, "is_authenticated", False):
        return ProgrammeApplication.objects.none()
    return ProgrammeApplication.objects.filter(worker__user=actor).select_related(
        "programme", "partner"
    )


def progress(application: ProgrammeApplication) -> QuerySet[ProgrammeProgress]:
    return ProgrammeProgress.objects.filter(application=application).order_by("date", "id")


def to_select(actor: Any) -> QuerySet[ProgrammeApplication]:
    """Applications waiting for the actor's selection: submitted, in programmes whose owner the
    actor manages, not filed by the actor."""
    paths = access.scope_paths(actor, MANAGE)
    qs = ProgrammeApplication.objects.filter(status=Status.SUBMITTED)
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    owner = Q()
    for p in paths:
        owner |= Q(programme__organization__path__startswith=p)
    return qs.filter(owner).exclude(submitted_by=actor)


@dataclass
class PlacesRow:
    unit: Organization
    places: int
    used: int


def places(programme: Programme) -> list[PlacesRow]:
    rows = ProgrammePlaces.objects.filter(programme=programme).select_related("organization")
    used = dict(
        ProgrammeApplication.objects.filter(programme=programme, status__in=_holds())
        .values("unit")
        .annotate(n=Count("id"))
        .values_list("unit", "n")
    )
    return [PlacesRow(r.organization, r.places, used.get(r.organization_id, 0)) for r in rows]


def _holds() -> tuple[str, ...]:
    from .programmes import HOLDS_PLACE

    return tuple(HOLDS_PLACE)


@dataclass
class ReportRow:
    unit: str
    employment_type: str
    applicants: int
    participants: int
    graduates: int


def report(
    actor: Any, programme: Programme | None = None, year: int | None = None
) -> list[ReportRow]:
    """Applicants, participants (enrolled, completed or dropped out) and graduates (completed) by
    unit and employment type, migrant workers first; one grouped query, scoped."""
    qs = ProgrammeApplication.objects.visible_to(actor, VIEW).filter(status__in=_holds())
    if programme is not None:
        qs = qs.filter(programme=programme)
    if year is not None:
        qs = qs.filter(programme__year=year)
    taking = [Status.ENROLLED, Status.COMPLETED, Status.DROPPED]
    grouped = (
        qs.values("unit__path", "unit__name", "employment_type")
        .annotate(
            applicants=Count("id"),
            participants=Count("id", filter=Q(status__in=taking)),
            graduates=Count("id", filter=Q(status=Status.COMPLETED)),
        )
        .order_by()
    )
    order = {t: i for i, t in enumerate(EMPLOYMENT_ORDER)}
    rows = sorted(grouped, key=lambda r: (r["unit__path"], order.get(r["employment_type"], 99)))
    return [
        ReportRow(
            r["unit__name"],
            r["employment_type"],
            r["applicants"],
            r["participants"],
            r["graduates"],
        )
        for r in rows
    ]


def report_totals(rows: list[ReportRow]) -> list[tuple[str, int, int, int]]:
    """The same figures by employment type over all units, migrant workers first."""
    totals: dict[str, list[int]] = {}
    for r in rows:
        t = totals.setdefault(r.employment_type, [0, 0, 0])
        t[0] += r.applicants
        t[1] += r.participants
        t[2] += r.graduates
    order = {t: i for i, t in enumerate(EMPLOYMENT_ORDER)}
    return [(k, *v) for k, v in sorted(totals.items(), key=lambda kv: order.get(kv[0], 99))]
