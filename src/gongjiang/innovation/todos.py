"""Home-page to-dos of the innovation app: results to review, effects to certify, panel scores
due, revenue years and corrections to decide, studios to name, revenue statements ready, and
reward-fund budgets proposed by another officer waiting for approval."""

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
    out += revenue_todos(user)
    return out


def revenue_todos(user: Any) -> list[Todo]:
    from . import revenue

    out: list[Todo] = []
    if access.can(user, revenue.CERTIFY):
        out.append(
            Todo(
                _("Revenue-sharing years to certify"),
                revenue.years_to_certify(actor=user).count(),
                reverse("innovation:revenue_list"),
                priority=22,
                icon="cash-coin",
            )
        )
        from .revenue_corrections import corrections_to_decide

        out.append(
            Todo(
                _("Revenue-sharing corrections to decide"),
                corrections_to_decide(actor=user).count(),
                reverse("innovation:revenue_list"),
                priority=22,
                icon="pencil-square",
            )
        )
    if access.can(user, "innovation.approve_studio"):
        from .studios import studios_to_approve

        out.append(
            Todo(
                _("Studios waiting for naming"),
                len(studios_to_approve(actor=user)),
                reverse("innovation:studio_list"),
                priority=23,
                icon="people",
            )
        )
    out += budget_todos(user)
    ready = revenue.statements_ready(actor=user)
    if ready:
        out.append(
            Todo(
                _("Revenue-sharing statements ready"),
                ready,
                reverse("innovation:revenue_mine"),
                priority=16,
                icon="file-earmark-pdf",
            )
        )
    return out


def budget_todos(user: Any) -> list[Todo]:
    """Budgets of reward funds proposed by someone else, waiting for this officer's approval
    (never one's own proposal: the proposer cannot approve it)."""
    from . import fund_budgets
    from .models_budget import FundBudget

    if not access.can(user, fund_budgets.CHANGE):
        return []
    waiting = (
        FundBudget.objects.visible_to(user, fund_budgets.CHANGE)
        .filter(proposed_amount__isnull=False)
        .exclude(proposed_by=user)
        .count()
    )
    if not waiting:
        return []
    return [
        Todo(
            _("Reward-fund budgets to approve"),
            waiting,
            reverse("innovation:fund_list"),
            priority=24,
            icon="piggy-bank",
        )
    ]


@register("innovation.exchange")
def exchange_todos(user: Any) -> list[Todo]:
    """Reports waiting for a moderator; one's own questions with answers but none accepted."""
    from .exchange import reports_open
    from .models_exchange import MODERATE, Question

    out: list[Todo] = []
    if not getattr(user, "is_authenticated", False):
        return out
    if access.can(user, MODERATE):
        out.append(
            Todo(
                _("Exchange posts reported to moderators"),
                reports_open(actor=user).count(),
                reverse("innovation:exchange_reports"),
                priority=40,
                icon="flag",
            )
        )
    waiting = Question.objects.filter(
        author=user, is_hidden=False, accepted_answer__isnull=True, answer_count__gt=0
    ).count()
    if waiting:
        out.append(
            Todo(
                _("My questions with answers to accept"),
                waiting,
                reverse("innovation:exchange") + "?mine=1&open=1",
                priority=45,
                icon="chat-square-text",
            )
        )
    return out
