"""What waits for a user in careers (registered on the home page, see core.todos)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.todos import Todo, register

from . import selectors


@register("careers")
def careers_todos(user: Any) -> list[Todo]:
    if not access.can(user, "careers.decide"):
        return []
    return [
        Todo(
            _("Bridge applications awaiting my decision"),
            selectors.applications_to_decide(user).count(),
            reverse("careers:home") + "?decide=1",
            priority=15,
            icon="signpost-split",
        )
    ]


@register("careers.honours")
def honours_todos(user: Any) -> list[Todo]:
    from . import honours_selectors

    todos = []
    if access.can(user, "careers.honours_approve"):
        todos.append(
            Todo(
                _("Honours rounds in public notice, for my approval"),
                honours_selectors.rounds_to_approve(user).count(),
                reverse("careers:honours"),
                priority=16,
                icon="award",
            )
        )
    if access.can(user, "careers.honours_manage"):
        todos.append(
            Todo(
                _("Honours rounds returned by the level above, to revise"),
                honours_selectors.rounds_returned(user).count(),
                reverse("careers:honours"),
                priority=16,
                icon="arrow-counterclockwise",
            )
        )
    if access.can(user, "careers.honours_nominate"):
        todos.append(
            Todo(
                _("Honours rounds open for my units' nominations"),
                honours_selectors.rounds_open_for(user).count(),
                reverse("careers:honours"),
                priority=17,
                icon="person-plus",
            )
        )
    return todos


@register("careers.programmes")
def programme_todos(user: Any) -> list[Todo]:
    from . import programmes_selectors

    if not access.can(user, "careers.programmes_manage"):
        return []
    return [
        Todo(
            _("Programme applications awaiting my selection"),
            programmes_selectors.to_select(user).count(),
            reverse("careers:programmes"),
            priority=18,
            icon="mortarboard",
        )
    ]


@register("careers.apprenticeship")
def apprenticeship_todos(user: Any) -> list[Todo]:
    """Claims to decide and to pay (the body above the pilots), apprentices still in training after
    their agreement's end (the pilot's managers), and a mentor's or teacher's apprentices."""
    from . import apprenticeship_selectors as sel

    desk = reverse("careers:apprenticeship")
    todos = []
    if access.can(user, "careers.apprentice_approve"):
        todos += [
            Todo(
                _("Apprenticeship subsidy claims awaiting my decision"),
                sel.claims_to_decide(user).count(),
                desk + "?claims=decide",
                priority=19,
                icon="cash-coin",
            ),
            Todo(
                _("Approved apprenticeship subsidy claims to pay"),
                sel.claims_to_pay(user).count(),
                desk + "?claims=pay",
                priority=20,
                icon="cash-stack",
            ),
        ]
    if access.can(user, "careers.apprentice_manage"):
        todos.append(
            Todo(
                _("Apprentices in training past their agreement's end"),
                sel.overdue(user).count(),
                desk,
                priority=21,
                icon="hourglass-bottom",
            )
        )
    mentored = sel.mentored_in_training(user)
    if mentored:
        todos.append(
            Todo(
                _("My apprentices: record this month's progress"),
                mentored,
                reverse("careers:apprentice_me"),
                priority=22,
                icon="person-workspace",
            )
        )
    return todos


@register("careers.experts")
def expert_todos(user: Any) -> list[Todo]:
    """Reviewers: calls awaiting their scores; the call's managers: objections to answer;
    appointers: calls whose notice has ended (never the organiser's own); terms due for
    re-evaluation."""
    from . import experts_selectors as sel

    desk = reverse("careers:experts")
    todos = []
    to_score = sel.calls_to_score(user).count()
    if to_score:
        todos.append(
            Todo(
                _("Expert-level applications awaiting my scores"),
                to_score,
                desk,
                priority=23,
                icon="pencil-square",
            )
        )
    if access.can(user, "careers.experts_manage"):
        todos.append(
            Todo(
                _("Objections to expert-level notices to answer"),
                sel.calls_with_open_objections(user).count(),
                desk,
                priority=24,
                icon="chat-left-text",
            )
        )
    if access.can(user, "careers.experts_appoint"):
        todos += [
            Todo(
                _("Expert-level calls past their notice, to appoint"),
                sel.calls_to_appoint(user).count(),
                desk,
                priority=25,
                icon="patch-check",
            ),
            Todo(
                _("Experts whose term ends soon, to re-evaluate"),
                sel.terms_due(user).count(),
                desk,
                priority=26,
                icon="hourglass-split",
            ),
        ]
    return todos
