"""Reads of innovation results: lists, one result, the review queue, analytics, the showcase."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from gongjiang.core import access
from gongjiang.core.access import get_visible_or_404
from gongjiang.core.enterprise_models import Enterprise
from gongjiang.core.scoping import prefix_q
from gongjiang.workforce.models import Worker

from .models import Result

ANALYTICS = "innovation.view_analytics"


def result_list(*, actor: Any, q: str = "", status: str = "", kind: str = "") -> QuerySet[Result]:
    qs = Result.objects.visible_to(actor).select_related("employer", "organization")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(members__worker__name__icontains=q)).distinct()
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def result_get(*, actor: Any, code: str) -> Result:
    return get_visible_or_404(
        Result.objects.select_related("employer", "organization", "occupation"), actor, code=code
    )


def results_to_review(*, actor: Any) -> QuerySet[Result]:
    """Submitted results the actor may review (their own and their team's left out)."""
    return (
        Result.objects.visible_to(actor, "innovation.review_result")
        .filter(status=Result.Status.SUBMITTED)
        .exclude(created_by=actor)
        .exclude(submitted_by=actor)
        .exclude(members__worker__user=actor)
    )


def results_to_certify(*, actor: Any) -> QuerySet[Result]:
    return (
        Result.objects.visible_to(actor, "innovation.certify_effect")
        .filter(status=Result.Status.IMPLEMENTED)
        .exclude(created_by=actor)
        .exclude(submitted_by=actor)
        .exclude(members__worker__user=actor)
    )


def submit_employers(*, actor: Any) -> QuerySet[Enterprise]:
    """Employers the actor may enter results for: those of their scope, or their own."""
    paths = access.scope_paths(actor, "innovation.submit_result")
    qs = Enterprise.objects.filter(is_active=True)
    if paths is None:
        return qs
    return qs.filter(prefix_q("union__path", paths))


def team_candidates(*, employer: Enterprise) -> QuerySet[Worker]:
    """The employer's workers on the job (names for the team picker)."""
    return (
        Worker.objects.filter(employer=employer, status=Worker.Status.ACTIVE)
        .only("code", "name", "employee_number", "user_id", "employer_id")
        .order_by("name_pinyin", "id")
    )


def per_hundred(results: int, workers: int) -> Decimal | None:
    if not workers:
        return None
    return (Decimal(results) * 100 / workers).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


GROUPS = {
    "employer": ("employer_id", "employer__name", "employer_id", "employer__name"),
    "industry": (
        "employer__industry_id",
        "employer__industry__name",
        "employer__industry_id",
        "employer__industry__name",
    ),
    "region": (
        "employer__region_id",
        "employer__region__name",
        "employer__region_id",
        "employer__region__name",
    ),
}


def analytics(*, actor: Any, by: str = "employer", year: int | None = None) -> list[dict[str, Any]]:
    """Adopted results per 100 workers on the job, by employer, industry or region, in the actor's
    scope; sorted by the rate, highest first. Two grouped COUNT queries."""
    if by not in GROUPS:
        raise Http404(by)
    paths = access.scope_paths(actor, ANALYTICS)
    if paths == []:
        return []
    result_key, result_name, worker_key, worker_name = GROUPS[by]
    results = Result.objects.adopted()
    workers = Worker.objects.filter(status=Worker.Status.ACTIVE)
    if paths is not None:
        results = results.filter(prefix_q("organization__path", paths))
        workers = workers.filter(prefix_q("organization__path", paths))
    if year:
        results = results.filter(reviewed_on__year=year)
    counted = {
        row[result_key]: (row[result_name], row["n"])
        for row in results.values(result_key, result_name).annotate(n=Count("id"))
    }
    staff = {
        row[worker_key]: (row[worker_name], row["n"])
        for row in workers.values(worker_key, worker_name).annotate(n=Count("id"))
    }
    rows = []
    for key in set(counted) | set(staff):
        name = (counted.get(key) or staff.get(key) or ("", 0))[0]
        n_results = counted.get(key, ("", 0))[1]
        n_workers = staff.get(key, ("", 0))[1]
        rows.append(
            {
                "key": key or "",
                "name": name or "",
                "results": n_results,
                "workers": n_workers,
                "per_100": per_hundred(n_results, n_workers),
            }
        )
    rows.sort(key=lambda r: (-(r["per_100"] or Decimal(-1)), -r["results"], r["name"]))
    return rows


def showcase(*, q: str = "", occupation: str = "", industry: str = "") -> QuerySet[Result]:
    """Adopted results whose team agreed to show them; anyone may read (no scope, no personal data
    beyond names and the employer: the page shows only those)."""
    qs = (
        Result.objects.adopted()
        .filter(publish_consent=True, organization__is_active=True)
        .select_related("employer", "occupation", "employer__industry")
        .order_by("-reviewed_on", "-id")
    )
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(solution__icontains=q))
    if occupation:
        qs = qs.filter(occupation__code__startswith=occupation)
    if industry:
        qs = qs.filter(employer__industry__code__startswith=industry)
    return qs


def showcase_get(*, code: str) -> Result:
    try:
        return showcase().get(code=code)
    except Result.DoesNotExist as exc:
        raise Http404("result") from exc
