"""Reads for the screens, the API and exports; every one starts from a scoped queryset."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import Count, Q, QuerySet

from gongjiang.core import access

from .models import Candidate, Certificate, EvaluationPlan, PracticalItem, PracticalScore


def plan_list(*, actor: Any, q: str = "", status: str = "") -> QuerySet[EvaluationPlan]:
    qs = (
        EvaluationPlan.objects.visible_to(actor)
        .select_related("organization", "occupation", "level")
        .annotate(
            n_candidates=Count("candidates", distinct=True),
            n_passed=Count("candidates", filter=Q(candidates__passed=True), distinct=True),
        )
    )
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(occupation__name__icontains=q)
            | Q(occupation__code__startswith=q)
        )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-starts_on", "-id")


def plan_get(*, actor: Any, code: str) -> EvaluationPlan:
    return access.get_visible_or_404(
        EvaluationPlan.objects.select_related("organization", "occupation", "level"),
        actor,
        code=code,
    )


def plan_items(*, plan: EvaluationPlan) -> QuerySet[PracticalItem]:
    return PracticalItem.objects.filter(plan=plan).order_by("order", "id")


def candidate_list(*, actor: Any, plan: EvaluationPlan, q: str = "") -> QuerySet[Candidate]:
    qs = (
        Candidate.objects.visible_to(actor)
        .filter(plan=plan)
        .select_related("worker__organization", "worker__employer", "certificate")
        .annotate(n_examiners=Count("practical_scores__examiner", distinct=True))
        .order_by("worker__name_pinyin", "id")
    )
    if q:
        qs = qs.filter(
            Q(worker__name__icontains=q)
            | Q(worker__name_pinyin__startswith=q.lower())
            | Q(worker__name_initials__startswith=q.lower())
        )
    return qs


def candidate_get(*, actor: Any, code: str, perm: str | None = None) -> Candidate:
    return access.get_visible_or_404(
        Candidate.objects.select_related(
            "plan__organization",
            "plan__level",
            "plan__occupation",
            "worker__organization",
            "worker__employer",
        ),
        actor,
        perm,
        code=code,
    )


def examiner_sheet(*, actor: Any, candidate: Candidate) -> dict[str, Any]:
    """The examiner's own points per item code (for the scoring screen)."""
    return {
        s.item.code: s.points
        for s in PracticalScore.objects.filter(candidate=candidate, examiner=actor).select_related(
            "item"
        )
    }


def certificate_list(
    *, actor: Any, q: str = "", plan: EvaluationPlan | None = None
) -> QuerySet[Certificate]:
    qs = Certificate.objects.visible_to(actor).select_related(
        "occupation", "level", "organization", "worker"
    )
    if plan is not None:
        qs = qs.filter(plan=plan)
    if q:
        qs = qs.filter(Q(number__startswith=q.upper()) | Q(holder_name__icontains=q))
    return qs.order_by("-issue_date", "-id")


def certificate_get(*, actor: Any, code: str, perm: str | None = None) -> Certificate:
    return access.get_visible_or_404(
        Certificate.objects.select_related("occupation", "level", "organization", "worker", "plan"),
        actor,
        perm,
        code=code,
    )


# ------------------------------------------------------------------------------------ public
def certificate_by_token(token: str) -> Certificate | None:
    if not token or len(token) > 40:
        return None
    return (
        Certificate.objects.select_related("occupation", "level", "organization")
        .filter(token=token)
        .first()
    )


def normalize_number(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(text.split()).replace("-", "").upper()[:40]


def certificate_lookup(*, number: str, name: str) -> Certificate | None:
    """The certificate whose number AND holder name both match exactly (after normalising
    width and spaces); None otherwise — the caller must not tell which part failed."""
    number = normalize_number(number)
    name = "".join(unicodedata.normalize("NFKC", name or "").split())
    if not number or not name:
        return None
    cert = Certificate.objects.filter(number=number).only("token", "holder_name").first()
    if cert is None or "".join(cert.holder_name.split()) != name:
        return None
    return cert
