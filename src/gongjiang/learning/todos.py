"""What waits for a user in learning: answers to mark, exams to take, practice (core.todos)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.todos import Todo, register

from .exams.marking import marking_queue
from .exams.services import candidate_sessions
from .models import Attempt


@register("learning")
def learning_todos(user: Any) -> list[Todo]:
    now = timezone.now()
    out: list[Todo] = []
    if access.can(user, "learning.mark"):
        out.append(
            Todo(
                _("Answers to mark"),
                marking_queue(actor=user).count(),
                reverse("learning:marking_queue"),
                priority=10,
                icon="check2-square",
            )
        )
    if not access.can(user, "learning.practise"):
        return out  # e.g. a ministry's liaison
    # every role may sit the exams it is a candidate of: open now, not yet handed in
    to_take = (
        candidate_sessions(user)
        .filter(is_mock=False, opens_at__lte=now, closes_at__gt=now)
        .exclude(
            pk__in=Attempt.objects.filter(user=user)
            .exclude(status=Attempt.Status.IN_PROGRESS)
            .values("session_id")
        )
    )
    out.append(
        Todo(
            _("Exams to take"),
            to_take.count(),
            reverse("learning:exam_list"),
            priority=15,
            icon="pencil-square",
        )
    )
    out.append(Todo(_("Practice drills"), None, reverse("learning:practice_home"), 70, "lightning"))
    return out
