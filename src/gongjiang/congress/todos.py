"""What waits for a user in democratic management (see core.todos)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.todos import Todo, register

from . import selectors
from . import selectors_proposals as SP


@register("congress")
def congress_todos(user: Any) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    out: list[Todo] = []
    if access.can(user, "congress.review_proposal"):
        out.append(
            Todo(
                _("Proposals for the committee"),
                SP.proposals_to_review(actor=user).count(),
                reverse("congress:proposal_list") + "?status=submitted",
                priority=10,
                icon="inbox",
            )
        )
    if access.can(user, "congress.view_proposal"):
        escalated = SP.overdue_for(actor=user).count()
        if escalated:
            out.append(
                Todo(
                    _("Proposal replies overdue"),
                    escalated,
                    reverse("congress:proposal_list") + "?status=overdue",
                    priority=8,
                    icon="alarm",
                )
            )
    if SP.is_responder(user):
        out.append(
            Todo(
                _("Proposal replies due"),
                SP.replies_due(actor=user).count(),
                reverse("congress:proposal_list") + "?status=assigned",
                priority=10,
                icon="reply",
            )
        )
    if access.can(user, "congress.take_part"):
        votes = selectors.votes_open_for(actor=user).count()
        if votes:
            out.append(
                Todo(
                    _("Votes open"),
                    votes,
                    reverse("congress:index"),
                    priority=5,
                    icon="check2-square",
                )
            )
        to_rate = SP.to_rate(actor=user).count()
        if to_rate:
            out.append(
                Todo(
                    _("Replies to rate"),
                    to_rate,
                    reverse("congress:proposal_list") + "?status=replied",
                    priority=15,
                    icon="star",
                )
            )
    if access.can(user, "congress.reply_suggestion"):
        out.append(
            Todo(
                _("Suggestions to answer"),
                SP.suggestions_to_reply(actor=user).count(),
                reverse("congress:suggestion_list"),
                priority=20,
                icon="chat-left-text",
            )
        )
    return out
