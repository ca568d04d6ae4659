"""What waits for a user in skill-level evaluation (registered on the home page, see core.todos)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.todos import Todo, register

from .models import Certificate, EvaluationPlan

MANAGE = "certification.manage_evaluation"
SCORE = "certification.score_practical"


@register("certification")
def certification_todos(user: Any) -> list[Todo]:
    out: list[Todo] = []
    plans = EvaluationPlan.objects.visible_to(user)
    if access.can(user, MANAGE):
        out.append(
            Todo(
                _("Evaluation results decided, certificates to issue"),
                plans.filter(status=EvaluationPlan.Status.DECIDED).count(),
                reverse("certification:plan_list") + f"?status={EvaluationPlan.Status.DECIDED}",
                priority=20,
                icon="award",
            )
        )
    if access.can(user, SCORE):
        out.append(
            Todo(
                _("Evaluation plans open for practical scoring"),
                plans.visible_to(user, SCORE)
                .filter(status=EvaluationPlan.Status.OPEN, has_practical=True)
                .count(),
                reverse("certification:plan_list") + f"?status={EvaluationPlan.Status.OPEN}",
                priority=25,
                icon="clipboard-check",
            )
        )
    if not access.can(user, "certification.view_certificate") and user.is_authenticated:
        own = Certificate.objects.filter(worker__user=user).count()
        if own or "worker" in access.roles_in(user):
            out.append(
                Todo(
                    _("My certificates"),
                    None,
                    reverse("certification:certificate_list"),
                    40,
                    "award",
                )
            )
    return out
