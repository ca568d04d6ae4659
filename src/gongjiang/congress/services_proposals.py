"""Services of the proposal cycle and the direct channel.

Proposal: draft (collecting co-signatures) → submitted → accepted | merged | converted;
accepted → assigned (lead and cooperating departments, reply deadline) → replied → rated → closed;
a first reply rated 'not satisfied' goes back to assigned for one more reply (round 2).
The committee member who proposed or co-signed a proposal never decides on it; whoever replied
never closes it (core.duties)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.audit import audit_record
from gongjiang.core.duties import DutyConflict, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.models import Organization

from . import rules as R
from .models import Delegate, Session, Term
from .models_proposals import (
    CoSignature,
    Department,
    Outcome,
    Proposal,
    ProposalReply,
    Rating,
    Suggestion,
)
from .services import delegate_of

REVIEW = "congress.review_proposal"
S = Proposal.Status


def _state(proposal: Proposal, *allowed: str) -> None:
    if proposal.status not in allowed:
        raise ConflictError(
            _("This cannot be done to a proposal that is %(state)s.")
            % {"state": proposal.get_status_display()},
            code="invalid_transition",
            details=[{"field": "status", "error": proposal.status}],
        )


def _lock(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def _saved(obj: Any) -> Any:
    obj.full_clean()
    obj.save()
    return obj


def _audit(actor: Any, action: str, proposal: Proposal, **details: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=proposal,
        organization=proposal.organization,
        details=details,
    )


@transaction.atomic
def department_create(
    *, actor: Any, organization: Organization, name: str, responders: list[Any] | None = None
) -> Department:
    access.require(actor, "congress.manage", organization)
    dept = _saved(Department(organization=organization, name=name))
    if responders:
        dept.responders.set(responders)
    audit_record(actor=actor, action="congress.department_create", obj=dept)
    return dept


# ------------------------------------------------------------------------- delegates' side


def _seat(actor: Any, term: Term) -> Delegate:
    if not access.can(actor, "congress.take_part") and not getattr(actor, "is_superuser", False):
        raise PermissionDenied("congress.take_part")
    delegate = delegate_of(actor, term)
    if delegate is None:
        raise ApplicationError(
            _("Only a serving delegate of this congress may do this."),
            code="not_a_delegate",
            status=403,
        )
    return delegate


@transaction.atomic
def proposal_create(
    *,
    actor: Any,
    term: Term,
    title: str,
    reasons: str,
    measures: str,
    category: str,
    session: Session | None = None,
) -> Proposal:
    """A delegate drafts a proposal; it collects co-signatures before it can be submitted."""
    delegate = _seat(actor, term)
    if term.status != Term.Status.ACTIVE:
        raise ConflictError(_("The congress has no final delegate list yet."), code="term_forming")
    if session is not None:
        if session.term_id != term.pk:
            raise ApplicationError(_("The session belongs to another term."))
        today = timezone.localdate()
        if (session.proposals_from and today < session.proposals_from) or (
            session.proposals_until and today > session.proposals_until
        ):
            raise ConflictError(
                _("The session's window for proposals is closed."), code="window_closed"
            )
    proposal = _saved(
        Proposal(
            organization=term.organization,
            term=term,
            session=session,
            proposer=delegate,
            title=title,
            reasons=reasons,
            measures=measures,
            category=category,
        )
    )
    _audit(actor, "congress.proposal_create", proposal)
    return proposal


@transaction.atomic
def proposal_cosign(*, actor: Any, proposal: Proposal) -> CoSignature:
    delegate = _seat(actor, proposal.term)
    proposal = _lock(proposal)
    _state(proposal, S.DRAFT)
    if delegate.pk == proposal.proposer_id:
        raise ApplicationError(
            _("The proposer cannot co-sign their own proposal."), code="own_proposal"
        )
    try:
        with transaction.atomic():
            row = CoSignature.objects.create(proposal=proposal, delegate=delegate)
    except IntegrityError as exc:
        raise ConflictError(_("You have already co-signed."), code="already_signed") from exc
    _audit(actor, "congress.proposal_cosign", proposal, delegate=delegate.code)
    return row


@transaction.atomic
def proposal_submit(*, actor: Any, proposal: Proposal) -> Proposal:
    delegate = _seat(actor, proposal.term)
    proposal = _lock(proposal)
    if delegate.pk != proposal.proposer_id:
        raise Http404("proposal")
    _state(proposal, S.DRAFT)
    need = R.rules_for(proposal.organization).cosigners_required
    have = proposal.cosignatures.filter(delegate__active=True).count()
    if have < need:
        raise ApplicationError(
            _("A proposal needs %(need)s co-signing delegates; it has %(have)s.")
            % {"need": need, "have": have},
            code="cosigners_missing",
            details=[{"field": "cosigners", "error": f"{have}/{need}"}],
        )
    year = timezone.localdate().year
    seq = (
        Proposal.objects.filter(term=proposal.term, submitted_at__year=year)
        .exclude(pk=proposal.pk)
        .count()
        + 1
    )
    proposal.number = f"{year}-{seq:03d}"
    proposal.status = S.SUBMITTED
    proposal.submitted_at = timezone.now()
    proposal.save(update_fields=["number", "status", "submitted_at"])
    _audit(actor, "congress.proposal_submit", proposal, cosigners=have)
    return proposal


# ------------------------------------------------------------------------- the committee


def _committee(actor: Any, proposal: Proposal, action: str) -> None:
    access.require(actor, REVIEW, proposal.organization)
    involved = (
        proposal.proposer.worker.user_id == actor.pk
        or proposal.cosignatures.filter(delegate__worker__user=actor).exists()
    )
    if involved:
        raise DutyConflict(
            _("You proposed or co-signed this proposal: another committee member decides."),
            action=action,
            obj=proposal,
            organization=proposal.organization,
            reason="own_proposal",
        )


@audited_refusals
@transaction.atomic
def proposal_accept(*, actor: Any, proposal: Proposal, reason: str = "") -> Proposal:
    proposal = _lock(proposal)
    _committee(actor, proposal, "congress.proposal_accept")
    _state(proposal, S.SUBMITTED)
    proposal.status = S.ACCEPTED
    proposal.decided_at = timezone.now()
    proposal.decided_by = actor
    proposal.decision_reason = (reason or "")[:500]
    proposal.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    _audit(actor, "congress.proposal_accept", proposal)
    return proposal


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason."),
            code="reason_required",
            details=[{"field": "reason", "error": _("This field is required.")}],
        )
    return reason[:500]


# proposals that may take a merged one
MERGE_TARGET_STATES = (S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.REPLIED, S.RATED)


def merge_targets(*, actor: Any, proposal: Proposal) -> QuerySet[Proposal]:
    """The proposals of the same term (congress) that ``proposal`` may be merged into, among
    those the actor may read."""
    return (
        Proposal.objects.visible_to(actor, REVIEW)
        .filter(term_id=proposal.term_id, status__in=MERGE_TARGET_STATES)
        .exclude(pk=proposal.pk)
        .order_by("number", "id")
    )


def merge_target_get(*, actor: Any, proposal: Proposal, code: str) -> Proposal:
    """The proposal named by ``code`` to merge ``proposal`` into, looked up in the same term;
    an unknown code, or one of another congress, is an error on the field ``into``."""
    found = (
        Proposal.objects.visible_to(actor, REVIEW)
        .filter(term_id=proposal.term_id, code=(code or "")[:20], status__in=MERGE_TARGET_STATES)
        .exclude(pk=proposal.pk)
        .first()
    )
    if found is None:
        raise ApplicationError(
            _("Choose the proposal of the same congress to merge into."),
            code="invalid_merge",
            details=[{"field": "into", "error": _("Select a valid choice.")}],
        )
    return found


@audited_refusals
@transaction.atomic
def proposal_merge(
    *, actor: Any, proposal: Proposal, into: Proposal | str, reason: str
) -> Proposal:
    """Merge (并案) ``proposal`` into another of its term: ``into`` is that proposal or its code
    (looked up by ``merge_target_get``, scoped to the term)."""
    proposal = _lock(proposal)
    _committee(actor, proposal, "congress.proposal_merge")
    _state(proposal, S.SUBMITTED)
    if isinstance(into, str):
        into = merge_target_get(actor=actor, proposal=proposal, code=into)
    if into.pk == proposal.pk or into.term_id != proposal.term_id:
        raise ApplicationError(
            _("Merge into another proposal of the same congress."), code="invalid_merge"
        )
    if into.status not in MERGE_TARGET_STATES:
        raise ConflictError(_("That proposal cannot take a merged one."), code="invalid_merge")
    proposal.status = S.MERGED
    proposal.merged_into = into
    proposal.decided_at = timezone.now()
    proposal.decided_by = actor
    proposal.decision_reason = _reason(reason)
    proposal.save(
        update_fields=["status", "merged_into", "decided_at", "decided_by", "decision_reason"]
    )
    _audit(actor, "congress.proposal_merge", proposal, into=into.code)
    return proposal


@audited_refusals
@transaction.atomic
def proposal_convert(*, actor: Any, proposal: Proposal, reason: str) -> Suggestion:
    """Turn a proposal into an opinion/suggestion (转为意见建议): it continues in the direct
    channel, in the proposer's name."""
    proposal = _lock(proposal)
    _committee(actor, proposal, "congress.proposal_convert")
    _state(proposal, S.SUBMITTED)
    proposal.status = S.CONVERTED
    proposal.decided_at = timezone.now()
    proposal.decided_by = actor
    proposal.decision_reason = _reason(reason)
    proposal.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    author = proposal.proposer.worker.user
    if author is None:
        raise ApplicationError(_("The proposer has no login to follow a suggestion."))
    suggestion = _saved(
        Suggestion(
            organization=proposal.organization,
            author=author,
            title=proposal.title,
            body=f"{proposal.reasons}\n\n{proposal.measures}",
            category=proposal.category,
            from_proposal=proposal,
        )
    )
    _audit(actor, "congress.proposal_convert", proposal, suggestion=suggestion.code)
    return suggestion


@transaction.atomic
def proposal_assign(
    *,
    actor: Any,
    proposal: Proposal,
    lead: Department,
    cooperating: list[Department] | None = None,
    due: dt.date | None = None,
) -> Proposal:
    access.require(actor, REVIEW, proposal.organization)
    proposal = _lock(proposal)
    _state(proposal, S.ACCEPTED)
    cooperating = [d for d in (cooperating or []) if d.pk != lead.pk]
    for dept in [lead, *cooperating]:
        if not proposal.organization.path.startswith(dept.organization.path) and not (
            dept.organization.path.startswith(proposal.organization.path)
        ):
            raise ApplicationError(
                _("The department belongs to another organisation."),
                details=[{"field": "lead", "error": dept.name}],
            )
    today = timezone.localdate()
    due = due or today + dt.timedelta(days=R.rules_for(proposal.organization).reply_days)
    if due < today:
        raise ApplicationError(
            _("The reply deadline is in the past."), details=[{"field": "due", "error": ""}]
        )
    proposal.lead_department = lead
    proposal.reply_due = due
    proposal.status = S.ASSIGNED
    proposal.reply_round = 1
    proposal.assigned_at = timezone.now()
    proposal.save(
        update_fields=["lead_department", "reply_due", "status", "reply_round", "assigned_at"]
    )
    proposal.cooperating_departments.set(cooperating)
    _audit(
        actor,
        "congress.proposal_assign",
        proposal,
        lead=lead.code,
        cooperating=[d.code for d in cooperating],
        due=due.isoformat(),
    )
    return proposal


# ------------------------------------------------------------------------- departments


def may_reply(actor: Any, proposal: Proposal) -> bool:
    return bool(
        proposal.lead_department_id
        and proposal.lead_department.responders.filter(pk=getattr(actor, "pk", None)).exists()
    )


@transaction.atomic
def proposal_reply(
    *,
    actor: Any,
    proposal: Proposal,
    outcome: str,
    text: str,
    plan_date: dt.date | None = None,
) -> ProposalReply:
    proposal = _lock(proposal)
    if not may_reply(actor, proposal):
        raise PermissionDenied("reply")
    _state(proposal, S.ASSIGNED)
    if outcome == Outcome.PLANNED and plan_date is None:
        raise ApplicationError(
            _("Give the date by which the plan will be carried out."),
            details=[{"field": "plan_date", "error": _("This field is required.")}],
        )
    reply = _saved(
        ProposalReply(
            proposal=proposal,
            round=proposal.reply_round,
            department=proposal.lead_department,
            outcome=outcome,
            text=text,
            plan_date=plan_date,
            replied_by=actor,
        )
    )
    proposal.status = S.REPLIED
    fields = ["status"]
    if proposal.first_replied_at is None:
        proposal.first_replied_at = reply.replied_at
        fields.append("first_replied_at")
    proposal.save(update_fields=fields)
    _audit(actor, "congress.proposal_reply", proposal, round=reply.round, outcome=outcome)
    return reply


@transaction.atomic
def proposal_rate(*, actor: Any, proposal: Proposal, rating: str, comment: str = "") -> Proposal:
    """The proposer rates the latest reply; 'not satisfied' on the first reply asks for one more."""
    proposal = _lock(proposal)
    if proposal.proposer.worker.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("rate")
    _state(proposal, S.REPLIED)
    if rating not in Rating.values:
        raise ApplicationError(
            _("Choose a rating."),
            details=[{"field": "rating", "error": _("Select a valid choice.")}],
        )
    reply = proposal.replies.get(round=proposal.reply_round)
    reply.rating = rating
    reply.rating_comment = (comment or "")[:500]
    reply.rated_at = timezone.now()
    reply.save(update_fields=["rating", "rating_comment", "rated_at"])
    proposal.rating = rating
    if rating == Rating.NOT and proposal.reply_round == 1:
        proposal.status = S.ASSIGNED
        proposal.reply_round = 2
        proposal.reply_due = timezone.localdate() + dt.timedelta(
            days=R.rules_for(proposal.organization).reply_days
        )
        proposal.reminded_at = proposal.escalated_at = proposal.escalated_to = None
    else:
        proposal.status = S.RATED
    proposal.save(
        update_fields=[
            "rating",
            "status",
            "reply_round",
            "reply_due",
            "reminded_at",
            "escalated_at",
            "escalated_to",
        ]
    )
    _audit(actor, "congress.proposal_rate", proposal, rating=rating, round=reply.round)
    return proposal


@audited_refusals
@transaction.atomic
def proposal_close(*, actor: Any, proposal: Proposal) -> Proposal:
    """The committee closes (办结) a rated proposal once its plan is carried out."""
    proposal = _lock(proposal)
    access.require(actor, REVIEW, proposal.organization)
    if proposal.replies.filter(replied_by=actor).exists():
        raise DutyConflict(
            _("You wrote a reply to this proposal: another committee member closes it."),
            action="congress.proposal_close",
            obj=proposal,
            organization=proposal.organization,
            reason="own_reply",
        )
    _state(proposal, S.RATED)
    proposal.status = S.CLOSED
    proposal.closed_at = timezone.now()
    proposal.closed_by = actor
    proposal.save(update_fields=["status", "closed_at", "closed_by"])
    _audit(actor, "congress.proposal_close", proposal)
    return proposal


# ------------------------------------------------------------------------- direct channel


@transaction.atomic
def suggestion_create(
    *, actor: Any, title: str, body: str, category: str, organization: Organization | None = None
) -> Suggestion:
    """A worker writes to their union (routed by their registry record, else the union named)."""
    worker = getattr(actor, "worker", None) if getattr(actor, "is_authenticated", False) else None
    if worker is not None:
        organization = worker.organization
    if organization is None or not access.can(actor, "congress.take_part", organization):
        raise PermissionDenied("congress.take_part")
    suggestion = _saved(
        Suggestion(
            organization=organization, author=actor, title=title, body=body, category=category
        )
    )
    audit_record(actor=actor, action="congress.suggestion_create", obj=suggestion)
    return suggestion


@audited_refusals
@transaction.atomic
def suggestion_reply(*, actor: Any, suggestion: Suggestion, text: str) -> Suggestion:
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    access.require(actor, "congress.reply_suggestion", suggestion.organization)
    if same_person(actor, suggestion.author_id):
        raise DutyConflict(
            _("You cannot answer your own suggestion."),
            action="congress.suggestion_reply",
            obj=suggestion,
            reason="own_suggestion",
        )
    ok = suggestion.status == Suggestion.Status.SUBMITTED
    if not ok:
        raise ConflictError(
            _("This suggestion does not wait for a reply."), code="invalid_transition"
        )
    text = (text or "").strip()
    if not text:
        raise ApplicationError(
            _("Write the reply."),
            details=[{"field": "text", "error": _("This field is required.")}],
        )
    suggestion.reply = text[:10000]
    suggestion.reply_round += 1
    suggestion.replied_by = actor
    suggestion.replied_at = timezone.now()
    suggestion.status = Suggestion.Status.REPLIED
    suggestion.save()
    audit_record(
        actor=actor,
        action="congress.suggestion_reply",
        obj=suggestion,
        details={"round": suggestion.reply_round},
    )
    return suggestion


@transaction.atomic
def suggestion_rate(*, actor: Any, suggestion: Suggestion, rating: str) -> Suggestion:
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if not same_person(actor, suggestion.author_id):
        raise PermissionDenied("rate")
    if suggestion.status != Suggestion.Status.REPLIED:
        raise ConflictError(_("There is no reply to rate."), code="invalid_transition")
    if rating not in Rating.values:
        raise ApplicationError(
            _("Choose a rating."),
            details=[{"field": "rating", "error": _("Select a valid choice.")}],
        )
    suggestion.rating = rating
    if rating == Rating.NOT and suggestion.reply_round == 1:
        suggestion.status = Suggestion.Status.SUBMITTED  # one more reply
    else:
        suggestion.status = Suggestion.Status.RATED
    suggestion.save(update_fields=["rating", "status"])
    audit_record(
        actor=actor, action="congress.suggestion_rate", obj=suggestion, details={"rating": rating}
    )
    return suggestion


@transaction.atomic
def suggestion_close(*, actor: Any, suggestion: Suggestion) -> Suggestion:
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    access.require(actor, "congress.reply_suggestion", suggestion.organization)
    if suggestion.status != Suggestion.Status.RATED:
        raise ConflictError(_("Only a rated suggestion can be closed."), code="invalid_transition")
    suggestion.status = Suggestion.Status.CLOSED
    suggestion.closed_at = timezone.now()
    suggestion.save(update_fields=["status", "closed_at"])
    audit_record(actor=actor, action="congress.suggestion_close", obj=suggestion)
    return suggestion
