"""Practice drills (网上练兵): sequential, random, by knowledge point, the wrong-answer book, timed
mock exams from a practice blueprint; instant feedback; daily streaks; leaderboards per organisation.

A worker practises on the objective questions of the banks of their organisations and of the
organisations above them. A missed question goes into the wrong-answer book (错题本) and comes back
until it has been answered right twice in a row.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization

from ..answers import answer_check, labels_to_keys
from ..grading import grade
from ..models import (
    OBJECTIVE_TYPES,
    Attempt,
    ExamSession,
    Paper,
    PracticeAnswer,
    Question,
    QuestionVersion,
    WrongBookEntry,
)

MODES = ("sequential", "random", "knowledge", "wrong")
RIGHT_TIMES_TO_RESOLVE = 2


def _ancestor_paths(path: str) -> list[str]:
    step = Organization.SEGMENT
    return [path[: i + step] for i in range(0, len(path), step)]


def home_organization(user: Any) -> Organization | None:
    """The organisation practice answers count for: the user's worker organisation, else any."""
    rows = access.memberships_of(user)
    if not rows:
        return None
    rows = sorted(rows, key=lambda r: (r[0] != "worker", -len(r[1])))
    return Organization.objects.filter(pk=rows[0][2]).first()


def practice_pool(user: Any) -> QuerySet[Question]:
    """Objective questions usable by the user (banks of their organisations and those above)."""
    q = Q(pk__in=[])
    for _role, path, _id in access.memberships_of(user):
        q |= Q(organization__path__in=_ancestor_paths(path))
    return Question.objects.filter(
        q, is_active=True, current__isnull=False, qtype__in=list(OBJECTIVE_TYPES)
    )


def knowledge_points(user: Any) -> list[tuple[str, int]]:
    rows = (
        practice_pool(user)
        .exclude(knowledge_point="")
        .values("knowledge_point")
        .annotate(n=Count("id"))
        .order_by("knowledge_point")
    )
    return [(r["knowledge_point"], r["n"]) for r in rows]


def practice_next(
    *, actor: Any, mode: str, knowledge_point: str = "", rng: random.Random | None = None
) -> Question | None:
    """The next question for a drill, or None when there is nothing to practise."""
    pool = practice_pool(actor).select_related("current")
    if mode == "wrong":
        ids = WrongBookEntry.objects.filter(user=actor, resolved=False).values("question_id")
        pool = pool.filter(pk__in=ids)
        return pool.order_by("?").first() if rng is None else _pick(pool, rng)
    if mode == "knowledge":
        pool = pool.filter(knowledge_point=knowledge_point)
    if mode == "random":
        return _pick(pool, rng or random.Random())
    last = (
        PracticeAnswer.objects.filter(user=actor, mode=mode, question__in=pool)
        .order_by("-answered_at", "-id")
        .values_list("question_id", flat=True)
        .first()
    )
    ordered = pool.order_by("id")
    if last is not None:
        following = ordered.filter(id__gt=last).first()
        if following is not None:
            return following
    return ordered.first()


def _pick(pool: QuerySet[Question], rng: random.Random) -> Question | None:
    ids = list(pool.values_list("id", flat=True))
    if not ids:
        return None
    return pool.get(pk=rng.choice(ids))


def practice_question_get(*, actor: Any, code: str) -> Question:
    question = practice_pool(actor).select_related("current").filter(code=code).first()
    if question is None:
        raise Http404("question")
    return question


@transaction.atomic
def practice_answer(
    *, actor: Any, question: Question, response: Any, mode: str = "sequential"
) -> dict[str, Any]:
    """Grade a practice answer at once; keep the wrong-answer book and the streak. ``response``
    names choices by the labels shown (A, B, C… in the bank's order), never by bank key."""
    org = home_organization(actor)
    if org is None:
        raise Http404("organization")
    version: QuestionVersion = question.current  # type: ignore[assignment]
    answer_check(version.qtype, version.options, version.answer, response)
    response = labels_to_keys(version.qtype, version.options, None, response)
    score = grade(
        version.qtype, version.answer, response, version.score, version.scoring_rule
    ) or Decimal(0)
    correct = score >= version.score
    now = timezone.now()
    PracticeAnswer.objects.create(
        user=actor,
        organization=org,
        version=version,
        question=question,
        mode=mode if mode in MODES else "sequential",
        response=response,
        correct=correct,
        score=score,
        answered_at=now,
        day=timezone.localdate(now),
    )
    if not version.used:
        QuestionVersion.objects.filter(pk=version.pk).update(used=True)
    entry = WrongBookEntry.objects.select_for_update().filter(user=actor, question=question).first()
    if not correct:
        if entry is None:
            WrongBookEntry.objects.create(user=actor, question=question)
        else:
            entry.misses += 1
            entry.right_streak = 0
            entry.resolved = False
            entry.save()
    elif entry is not None and not entry.resolved:
        entry.right_streak += 1
        entry.resolved = entry.right_streak >= RIGHT_TIMES_TO_RESOLVE
        entry.save()
    return {
        "correct": correct,
        "score": score,
        "max_score": version.score,
        "answer": version.answer,
        "explanation": version.explanation,
        "resolved": bool(entry and entry.resolved and correct),
    }


def practice_streak(user: Any, today: dt.date | None = None) -> int:
    """Days in a row with at least one practice answer, ending today (or yesterday)."""
    today = today or timezone.localdate()
    days = set(
        PracticeAnswer.objects.filter(user=user, day__gte=today - dt.timedelta(days=400))
        .values_list("day", flat=True)
        .distinct()
    )
    day = today if today in days else today - dt.timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= dt.timedelta(days=1)
    return streak


def practice_summary(user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    agg = PracticeAnswer.objects.filter(user=user).aggregate(
        total=Count("id"), right=Count("id", filter=Q(correct=True))
    )
    return {
        "streak": practice_streak(user, today),
        "total": agg["total"],
        "right": agg["right"],
        "today": PracticeAnswer.objects.filter(user=user, day=today).count(),
        "wrong_open": WrongBookEntry.objects.filter(user=user, resolved=False).count(),
    }


def leaderboard_organizations(user: Any) -> QuerySet[Organization]:
    """Boards the user may see: their own organisations and those above them; managers also every
    organisation in their scope."""
    paths = {p for _r, path, _i in access.memberships_of(user) for p in _ancestor_paths(path)}
    q = Q(path__in=paths)
    manager_paths = access.scope_paths(user, "learning.view_practiceanswer")
    if manager_paths is None:
        return Organization.objects.filter(is_active=True)
    for p in manager_paths:
        q |= Q(path__startswith=p)
    return Organization.objects.filter(q, is_active=True).order_by("path")


def leaderboard(
    *, actor: Any, organization: Organization, days: int = 30, limit: int = 20
) -> list[dict[str, Any]]:
    if not leaderboard_organizations(actor).filter(pk=organization.pk).exists():
        raise Http404("organization")
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    rows = (
        PracticeAnswer.objects.filter(
            organization__path__startswith=organization.path, day__gte=since
        )
        .values("user_id", "user__username", "user__first_name")
        .annotate(right=Count("id", filter=Q(correct=True)), total=Count("id"), points=Sum("score"))
        .order_by("-right", "-total", "user_id")[:limit]
    )
    return [
        {
            "rank": i + 1,
            "user_id": r["user_id"],
            "name": r["user__first_name"] or r["user__username"],
            "right": r["right"],
            "total": r["total"],
        }
        for i, r in enumerate(rows)
    ]


def practice_papers(user: Any) -> QuerySet[Paper]:
    q = Q(pk__in=[])
    for _role, path, _id in access.memberships_of(user):
        q |= Q(organization__path__in=_ancestor_paths(path))
    return Paper.objects.filter(q, is_practice=True).order_by("title")


@transaction.atomic
def practice_mock_start(*, actor: Any, paper: Paper) -> Attempt:
    """A timed mock exam: a personal session over a practice paper (drawn from its blueprint), then an
    attempt with the same server clock, autosave and grading as a real exam."""
    from ..exams.services import exam_attempt_start
    from ..review import DRILL_REVIEW

    if not practice_papers(actor).filter(pk=paper.pk).exists():
        raise Http404("paper")
    if paper.items.filter(question__qtype__in=["short", "practical"]).exists() or any(
        c.get("qtype") in ("short", "practical") for c in paper.blueprint
    ):
        raise ApplicationError(
            _("A mock exam has objective questions only."), code="mock_subjective"
        )
    now = timezone.now()
    minutes = paper.practice_minutes
    session = ExamSession.objects.create(
        organization=paper.organization,
        paper=paper,
        title=_("Mock exam: %(title)s") % {"title": paper.title},
        opens_at=now,
        closes_at=now + dt.timedelta(minutes=minutes),
        duration_minutes=minutes,
        is_mock=True,
        **DRILL_REVIEW,  # a drill shows marks, right/wrong, answers and explanations at once
    )
    session.candidates.add(actor)
    return exam_attempt_start(actor=actor, session=session, now=now)
