"""Reads for screens, exports and other apps. Each starts from a scoped queryset.

For the certification app: :func:`exam_result_for`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from gongjiang.core import access
from gongjiang.core.models import Organization

from .models import Attempt, ExamSession, Paper, Question


def exam_result_for(*, user: Any, session: ExamSession) -> tuple[Decimal | None, bool, bool]:
    """The user's result in a session: ``(score_percent | None, passed, released)``.

    The best complete attempt counts. ``released`` is False while nothing is marked complete
    (not started, in progress, or awaiting marking): then the percent is None and passed False.
    The caller is trusted (a service of another app that already checked its own permission).
    """
    attempts = list(
        Attempt.objects.filter(session=session, user=user, status=Attempt.Status.COMPLETE)
        .order_by("-percent", "number")
        .values_list("percent", "passed")[:1]
    )
    if not attempts:
        return None, False, False
    percent, passed = attempts[0]
    return percent, bool(passed), True


def question_list(
    *,
    actor: Any,
    q: str = "",
    qtype: str = "",
    knowledge_point: str = "",
    difficulty: int | None = None,
    active: bool | None = True,
) -> QuerySet[Question]:
    qs = Question.objects.visible_to(actor).select_related(
        "current", "organization", "occupation", "skill_level"
    )
    if q:
        qs = qs.filter(Q(current__stem__icontains=q) | Q(knowledge_point__icontains=q) | Q(code=q))
    if qtype:
        qs = qs.filter(qtype=qtype)
    if knowledge_point:
        qs = qs.filter(knowledge_point=knowledge_point)
    if difficulty:
        qs = qs.filter(difficulty=difficulty)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("organization__path", "knowledge_point", "id")


def question_get(*, actor: Any, code: str) -> Question:
    return access.get_visible_or_404(
        Question.objects.select_related("current", "organization", "occupation", "skill_level"),
        actor,
        code=code,
    )


def paper_list(*, actor: Any) -> QuerySet[Paper]:
    return (
        Paper.objects.visible_to(actor)
        .select_related("organization")
        .annotate(n_items=Count("items"))
    )


def paper_get(*, actor: Any, code: str) -> Paper:
    return access.get_visible_or_404(Paper.objects.select_related("organization"), actor, code=code)


def session_list(*, actor: Any) -> QuerySet[ExamSession]:
    return ExamSession.objects.visible_to(actor).select_related("organization", "paper")


def session_get(*, actor: Any, code: str) -> ExamSession:
    return access.get_visible_or_404(
        ExamSession.objects.select_related("organization", "paper"), actor, code=code
    )


def session_attempts(*, actor: Any, session: ExamSession) -> QuerySet[Attempt]:
    return (
        Attempt.objects.visible_to(actor)
        .filter(session=session)
        .select_related("user")
        .order_by("user__username", "number")
    )


def my_attempts(*, actor: Any) -> QuerySet[Attempt]:
    return Attempt.objects.filter(user=actor).select_related("session").order_by("-started_at")


def session_summary(session: ExamSession) -> dict[str, Any]:
    rows = Attempt.objects.filter(session=session).values("status").annotate(n=Count("id"))
    counts = {r["status"]: r["n"] for r in rows}
    passed = Attempt.objects.filter(
        session=session, status=Attempt.Status.COMPLETE, passed=True
    ).count()
    return {"counts": counts, "passed": passed, "total": sum(counts.values())}


def org_for(actor: Any, code: str, perm: str) -> Organization:
    """The organisation ``code`` if ``actor`` holds ``perm`` in it; 404 when it is missing or out
    of scope alike (pages and API)."""
    return access.get_visible_or_404(Organization.objects.all(), actor, perm, code=code)
