"""Home-page to-dos of the innovation app: results to review, effects to certify."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.todos import Todo, register

from . import selectors
from .models import AwardRound


@register("innovation")
def innovation_todos(user: Any) -> list[Todo]:
    out: list[Todo] = []
    if access.can(user, "innovation.review_result"):
        out.append(
            Todo(
                _("Innovation results to review"),
                selectors.results_to_review(actor=user).count(),
                reverse("innovation:review_list"),
                priority=20,
                icon="lightbulb",
            )
        )
    if access.can(user, "innovation.certify_effect"):
        out.append(
            Todo(
                _("Innovation effects to certify"),
                selectors.results_to_certify(actor=user).count(),
                reverse("innovation:result_list") + "?status=implemented",
                priority=21,
                icon="patch-check",
            )
        )
    if getattr(user, "is_authenticated", False):
        due = AwardRound.objects.filter(
            state=AwardRound.State.REVIEWING, review__panel__user=user
        ).count()
        if due:
            out.append(
                Todo(
                    _("Award rounds waiting for my scores"),
                    due,
                    reverse("innovation:award_list"),
                    priority=15,
                    icon="award",
                )
            )
    return out
