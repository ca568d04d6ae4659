"""Services of congresses: rules, terms, delegations, delegates, sessions, agenda, attendance,
votes and resolutions. Each checks permission at the door, runs in one transaction, validates
with ``full_clean`` and writes its audit row inside."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.audit import audit_record
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.models import Organization
from gongjiang.workforce.models import Worker

from . import rules as R
from .models import (
    AgendaItem,
    Attendance,
    Choice,
    CongressRules,
    Delegate,
    Delegation,
    OpenBallot,
    Resolution,
    SecretParticipation,
    SecretTally,
    Session,
    Term,
    Vote,
)
from .selectors import term_counts, vote_result

MANAGE = "congress.manage"
RULE_FIELDS = (
    "min_delegate_share",
    "min_delegates",
    "negotiable_above",
    "max_management_share",
    "proportion_floor",
    "assembly_below",
    "quorum_numerator",
    "quorum_denominator",
    "cosigners_required",
    "reply_days",
    "reminder_days",
)


def _require(actor: Any, perm: str, organization: Organization) -> None:
    access.require(actor, perm, organization)


def _saved(obj: Any) -> Any:
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def rules_update(*, actor: Any, organization: Organization, **fields: Any) -> CongressRules:
    _require(actor, MANAGE, organization)
    row, _created = CongressRules.objects.get_or_create(organization=organization)
    for key, value in fields.items():
        if key not in RULE_FIELDS:
            raise ApplicationError(_("Unknown setting."), details=[{"field": key, "error": ""}])
        setattr(row, key, value)
    _saved(row)
    audit_record(
        actor=actor,
        action="congress.rules_update",
        obj=organization,
        details={k: str(v) for k, v in fields.items()},
    )
    return row


def workforce_of(organization: Organization) -> int:
    return Worker.objects.filter(
        organization__path__startswith=organization.path, status=Worker.Status.ACTIVE
    ).count()


@transaction.atomic
def term_create(
    *,
    actor: Any,
    organization: Organization,
    number: int,
    starts_on: dt.date,
    ends_on: dt.date,
    kind: str = Term.Kind.CONGRESS,
) -> Term:
    _require(actor, MANAGE, organization)
    if kind == Term.Kind.ASSEMBLY:
        rules = R.rules_for(organization)
        workforce = workforce_of(organization)
        if workforce >= rules.assembly_below:
            raise ApplicationError(
                _(
                    "An all-worker assembly may be held only below %(n)s workers; this union "
                    "has %(w)s."
                )
                % {"n": rules.assembly_below, "w": workforce},
                code="assembly_too_large",
                details=[{"field": "kind", "error": str(workforce)}],
            )
    term = _saved(
        Term(
            organization=organization,
            number=number,
            starts_on=starts_on,
            ends_on=ends_on,
            kind=kind,
        )
    )
    audit_record(actor=actor, action="congress.term_create", obj=term, organization=organization)
    return term


@transaction.atomic
def delegation_create(
    *, actor: Any, term: Term, name: str, team: Organization | None = None
) -> Delegation:
    _require(actor, MANAGE, term.organization)
    if team is not None and not team.path.startswith(term.organization.path):
        raise ApplicationError(_("The workshop must belong to this union."), code="invalid")
    delegation = _saved(Delegation(term=term, name=name, team=team))
    audit_record(
        actor=actor,
        action="congress.delegation_create",
        obj=delegation,
        organization=term.organization,
    )
    return delegation


def _check_worker(term: Term, worker: Worker) -> None:
    if not worker.organization.path.startswith(term.organization.path):
        raise ApplicationError(
            _("The worker is not in this union's registry."),
            code="worker_outside",
            details=[{"field": "worker", "error": ""}],
        )
    if worker.status != Worker.Status.ACTIVE:
        raise ApplicationError(
            _("Only a worker on the job can be a delegate."),
            code="worker_inactive",
            details=[{"field": "worker", "error": ""}],
        )
    if Delegate.objects.filter(term=term, worker=worker, active=True).exists():
        raise ConflictError(_("This worker is already a delegate of the term."), code="duplicate")


@transaction.atomic
def delegate_add(
    *,
    actor: Any,
    delegation: Delegation,
    worker: Worker,
    category: str = Delegate.Category.WORKER,
    elected_on: dt.date | None = None,
) -> Delegate:
    term = Term.objects.select_for_update().get(pk=delegation.term_id)
    _require(actor, MANAGE, term.organization)
    if term.status != Term.Status.FORMING:
        raise ConflictError(
            _("The delegate list is final: replace a delegate instead."), code="term_final"
        )
    _check_worker(term, worker)
    delegate = _saved(
        Delegate(
            term=term,
            delegation=delegation,
            worker=worker,
            category=category,
            elected_on=elected_on or timezone.localdate(),
        )
    )
    audit_record(
        actor=actor, action="congress.delegate_add", obj=delegate, organization=term.organization
    )
    return delegate


@transaction.atomic
def delegate_replace(
    *,
    actor: Any,
    delegate: Delegate,
    worker: Worker,
    reason: str,
    category: str = Delegate.Category.WORKER,
    on: dt.date | None = None,
) -> Delegate:
    """Replace a delegate mid-term (by-election): the old seat ends with the reason and points at
    its successor, in the same delegation."""
    term = delegate.term
    _require(actor, MANAGE, term.organization)
    delegate = Delegate.objects.select_for_update().get(pk=delegate.pk)
    if not delegate.active:
        raise ConflictError(_("This delegate has already been replaced."), code="not_serving")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason for the replacement."),
            code="reason_required",
            details=[{"field": "reason", "error": _("This field is required.")}],
        )
    on = on or timezone.localdate()
    delegate.active = False
    delegate.replaced_on = on
    delegate.replacement_reason = reason[:200]
    delegate.save(update_fields=["active", "replaced_on", "replacement_reason"])
    _check_worker(term, worker)
    successor = _saved(
        Delegate(
            term=term,
            delegation=delegate.delegation,
            worker=worker,
            category=category,
            elected_on=on,
        )
    )
    delegate.replaced_by = successor
    delegate.save(update_fields=["replaced_by"])
    audit_record(
        actor=actor,
        action="congress.delegate_replace",
        obj=successor,
        organization=term.organization,
        details={"replaces": delegate.code, "reason": delegate.replacement_reason},
    )
    return successor


def term_finalise(*, actor: Any, term: Term) -> Term:
    """Finalise the delegate list; refused, with the numbers, when a rule is broken (the refusal is
    audited after the rollback)."""
    try:
        return _term_finalise(actor=actor, term=term)
    except ApplicationError as exc:
        if exc.code == "composition_rules":
            audit_record(
                actor=actor,
                action="congress.term_finalise.refused",
                obj=term,
                organization=term.organization,
                details={"broken": exc.details},
            )
        raise


@transaction.atomic
def _term_finalise(*, actor: Any, term: Term) -> Term:
    _require(actor, MANAGE, term.organization)
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term.status != Term.Status.FORMING:
        raise ConflictError(_("The delegate list is already final."), code="term_final")
    counts = term_counts(term)
    checks = R.composition_checks(
        counts, R.rules_for(term.organization), assembly=term.kind == Term.Kind.ASSEMBLY
    )
    broken = [c for c in checks if not c.ok]
    if broken or counts.delegates == 0:
        raise ApplicationError(
            _("The delegate list breaks the rules: %(list)s.")
            % {"list": "; ".join(f"{c.label} {c.actual} ({c.required})" for c in broken)},
            code="composition_rules",
            details=[c.as_detail() for c in broken],
        )
    term.status = Term.Status.ACTIVE
    term.finalised_at = timezone.now()
    term.workforce_at_final = counts.workforce
    term.save(update_fields=["status", "finalised_at", "workforce_at_final"])
    audit_record(
        actor=actor,
        action="congress.term_finalise",
        obj=term,
        organization=term.organization,
        details={"delegates": counts.delegates, "workforce": counts.workforce},
    )
    return term


# ------------------------------------------------------------------------------ sessions


@transaction.atomic
def session_create(
    *,
    actor: Any,
    term: Term,
    number: int,
    title: str,
    held_on: dt.date,
    place: str = "",
    proposals_from: dt.date | None = None,
    proposals_until: dt.date | None = None,
) -> Session:
    _require(actor, MANAGE, term.organization)
    if term.status != Term.Status.ACTIVE:
        raise ConflictError(
            _("Finalise the delegate list before calling a session."), code="term_forming"
        )
    session = _saved(
        Session(
            term=term,
            number=number,
            title=title,
            held_on=held_on,
            place=place,
            proposals_from=proposals_from,
            proposals_until=proposals_until,
        )
    )
    audit_record(
        actor=actor, action="congress.session_create", obj=session, organization=term.organization
    )
    return session


@transaction.atomic
def session_set_status(
    *, actor: Any, session: Session, status: str, minutes: str | None = None
) -> Session:
    _require(actor, MANAGE, session.term.organization)
    allowed = {
        Session.Status.PLANNED: {Session.Status.OPEN},
        Session.Status.OPEN: {Session.Status.CLOSED},
        Session.Status.CLOSED: set(),
    }
    if status not in allowed[session.status]:
        raise ConflictError(_("The session cannot move to that state."), code="invalid_state")
    if status == Session.Status.CLOSED and session.votes.filter(status=Vote.Status.OPEN).exists():
        raise ConflictError(_("Close the open votes first."), code="votes_open")
    session.status = status
    if minutes is not None:
        session.minutes = minutes
    _saved(session)
    audit_record(
        actor=actor,
        action="congress.session_status",
        obj=session,
        organization=session.term.organization,
        details={"status": status},
    )
    return session


@transaction.atomic
def agenda_add(
    *, actor: Any, session: Session, kind: str, title: str, document: str = ""
) -> AgendaItem:
    _require(actor, MANAGE, session.term.organization)
    position = session.agenda.count() + 1
    item = _saved(
        AgendaItem(session=session, position=position, kind=kind, title=title, document=document)
    )
    audit_record(
        actor=actor, action="congress.agenda_add", obj=item, organization=session.term.organization
    )
    return item


def delegate_of(actor: Any, term: Term) -> Delegate | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return (
        Delegate.objects.filter(term=term, worker__user=actor, active=True)
        .select_related("worker")
        .first()
    )


@transaction.atomic
def sign_in(
    *, actor: Any, session: Session, token: str = "", delegate: Delegate | None = None
) -> Attendance:
    """A delegate signs in with the hall's QR code (``token``), or the clerk signs a delegate in."""
    org = session.term.organization
    if delegate is None:
        delegate = delegate_of(actor, session.term)
        if delegate is None:
            raise Http404("delegate")
        if token != session.checkin_token:
            raise PermissionDenied("sign-in code")
        method = Attendance.Method.QR
    else:
        _require(actor, MANAGE, org)
        delegate = Delegate.objects.filter(pk=delegate.pk, term=session.term, active=True).first()
        if delegate is None:
            raise Http404("delegate")
        method = Attendance.Method.CLERK
    if session.status != Session.Status.OPEN:
        raise ConflictError(_("The session is not in progress."), code="session_not_open")
    try:
        with transaction.atomic():
            row = Attendance.objects.create(
                session=session, delegate=delegate, method=method, recorded_by=actor
            )
    except IntegrityError as exc:
        raise ConflictError(_("Already signed in."), code="already_signed_in") from exc
    audit_record(
        actor=actor,
        action="congress.sign_in",
        obj=session,
        organization=org,
        details={"delegate": delegate.code, "method": method},
    )
    return row


# ------------------------------------------------------------------------------ votes


@transaction.atomic
def vote_create(
    *,
    actor: Any,
    session: Session,
    title: str,
    secret: bool = False,
    agenda_item: AgendaItem | None = None,
) -> Vote:
    _require(actor, MANAGE, session.term.organization)
    if agenda_item is not None and agenda_item.session_id != session.pk:
        raise ApplicationError(_("The agenda item belongs to another session."))
    vote = _saved(Vote(session=session, title=title, secret=secret, agenda_item=agenda_item))
    if secret:
        SecretTally.objects.bulk_create([SecretTally(vote=vote, choice=c) for c in Choice.values])
    audit_record(
        actor=actor, action="congress.vote_create", obj=vote, organization=session.term.organization
    )
    return vote


@transaction.atomic
def vote_open(*, actor: Any, vote: Vote) -> Vote:
    session = vote.session
    _require(actor, MANAGE, session.term.organization)
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    if vote.status != Vote.Status.DRAFT:
        raise ConflictError(_("The vote has already been opened."), code="invalid_state")
    if session.status != Session.Status.OPEN:
        raise ConflictError(_("The session is not in progress."), code="session_not_open")
    vote.status = Vote.Status.OPEN
    vote.opened_at = timezone.now()
    vote.save(update_fields=["status", "opened_at"])
    audit_record(
        actor=actor, action="congress.vote_open", obj=vote, organization=session.term.organization
    )
    return vote


@transaction.atomic
def vote_close(*, actor: Any, vote: Vote) -> Vote:
    session = vote.session
    _require(actor, MANAGE, session.term.organization)
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    if vote.status != Vote.Status.OPEN:
        raise ConflictError(_("The vote is not open."), code="invalid_state")
    result = vote_result(vote)
    vote.status = Vote.Status.CLOSED
    vote.closed_at = timezone.now()
    vote.delegates_at_close = result["delegates"]
    vote.present_at_close = result["present"]
    vote.save(update_fields=["status", "closed_at", "delegates_at_close", "present_at_close"])
    audit_record(
        actor=actor,
        action="congress.vote_close",
        obj=vote,
        organization=session.term.organization,
        details=vote_result(vote),
    )
    return vote


@transaction.atomic
def ballot_cast(*, actor: Any, vote: Vote, choice: str) -> None:
    """One ballot per delegate present. A secret ballot records that the delegate voted
    (SecretParticipation) and adds one to the choice's counter, nothing else."""
    session = vote.session
    delegate = delegate_of(actor, session.term)
    if delegate is None:
        raise Http404("vote")
    if choice not in Choice.values:
        raise ApplicationError(
            _("Choose for, against or abstain."),
            details=[{"field": "choice", "error": _("Select a valid choice.")}],
        )
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    if vote.status != Vote.Status.OPEN:
        raise ConflictError(_("The vote is not open."), code="vote_not_open")
    if not Attendance.objects.filter(session=session, delegate=delegate).exists():
        raise ConflictError(_("Sign in to the session before voting."), code="not_signed_in")
    try:
        with transaction.atomic():
            if vote.secret:
                SecretParticipation.objects.create(vote=vote, delegate=delegate)
                SecretTally.objects.filter(vote=vote, choice=choice).update(count=F("count") + 1)
            else:
                OpenBallot.objects.create(vote=vote, delegate=delegate, choice=choice)
    except IntegrityError as exc:
        raise ConflictError(_("You have already voted."), code="already_voted") from exc
    # the audit row of a secret ballot names the voter, never the choice
    audit_record(
        actor=actor,
        action="congress.ballot",
        obj=vote,
        organization=session.term.organization,
        details={} if vote.secret else {"choice": choice},
    )


@transaction.atomic
def resolution_record(
    *, actor: Any, session: Session, title: str, text: str, vote: Vote | None = None
) -> Resolution:
    _require(actor, MANAGE, session.term.organization)
    if vote is not None:
        vote = Vote.objects.get(pk=vote.pk)
        if vote.session_id != session.pk:
            raise ApplicationError(_("The vote belongs to another session."))
        if vote.status != Vote.Status.CLOSED or not vote_result(vote)["passed"]:
            raise ConflictError(
                _("A resolution needs a closed vote that passed."), code="vote_not_passed"
            )
    resolution = _saved(
        Resolution(
            session=session,
            vote=vote,
            title=title,
            text=text,
            adopted_on=timezone.localdate(),
        )
    )
    audit_record(
        actor=actor,
        action="congress.resolution",
        obj=resolution,
        organization=session.term.organization,
    )
    return resolution
