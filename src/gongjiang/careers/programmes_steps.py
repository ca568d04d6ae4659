"""Services of an enrolled worker in a programme: progress records, drop-out, completion
(graduation or certificate) written once to the registry, and the subsidy per person paid from
the programme's ledger fund. Re-exported by :mod:`programmes`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import SystemActor, audit, user_or_none
from gongjiang.core.duties import audited_refusals
from gongjiang.core.errors import ConflictError, field_error
from gongjiang.core.ledger.services import fund_debit
from gongjiang.workforce.models import Certificate, TrainingRecord

from .form_values import bounded_text
from .models_programmes import ProgrammeApplication, ProgrammeProgress
from .programmes_common import MANAGE, Status, _lock, _not_nominator
from .programmes_rules import EDUCATION_RANK


@transaction.atomic
def programme_progress_add(
    *,
    actor: Any,
    application: ProgrammeApplication,
    date: dt.date,
    title: str,
    hours: Any,
    result: str = "",
) -> ProgrammeProgress:
    """A term, a course block or an exam of an enrolled worker."""
    if not access.can(actor, MANAGE, application.worker.organization):
        access.require(actor, MANAGE, application.programme.organization)
    a = _lock(application, Status.ENROLLED)
    if date > timezone.localdate() or (a.enrolled_on and date < a.enrolled_on):
        raise field_error("date", _("The date lies between the enrolment and today."))
    try:
        hours = Decimal(str(hours))
    except ArithmeticError:
        raise field_error("hours", _("Give the hours as a number.")) from None
    if not hours.is_finite():
        raise field_error("hours", _("Give the hours as a number."))
    row = ProgrammeProgress(
        application=a,
        date=date,
        title=(title or "").strip(),
        hours=hours,
        result=(result or "").strip(),
        recorded_by=user_or_none(actor),
    )
    row.full_clean(exclude=["code", "application"])
    row.save()
    audit(
        actor=actor,
        action="careers.programme_progress",
        obj=a,
        organization=a.worker.organization,
        details={"title": row.title, "hours": str(hours)},
    )
    return row


@transaction.atomic
def programme_drop(
    *, actor: Any, application: ProgrammeApplication, note: str = ""
) -> ProgrammeApplication:
    access.require(actor, MANAGE, application.programme.organization)
    a = _lock(application, Status.ENROLLED)
    a.status = Status.DROPPED
    a.decision_note = bounded_text(note, "note", 500)
    a.save(update_fields=["status", "decision_note"])
    audit(
        actor=actor,
        action="careers.programme_drop",
        obj=a,
        organization=a.programme.organization,
        details={},
    )
    return a


@transaction.atomic
def programme_complete(
    *,
    actor: Any,
    application: ProgrammeApplication,
    outcome: str,
    completed_on: dt.date,
    certificate_number: str = "",
) -> ProgrammeApplication:
    """Graduation or certificate: the outcome lands in the registry once — a training record with
    the hours of the progress records, a workforce certificate for the diploma or certificate
    number (required for a certificate), and for a degree the worker's education."""
    access.require(actor, MANAGE, application.programme.organization)
    a = _lock(application, Status.ENROLLED)
    if outcome not in (
        ProgrammeApplication.Outcome.GRADUATED,
        ProgrammeApplication.Outcome.CERTIFICATE,
    ):
        raise field_error("outcome", _("The outcome is a graduation or a certificate."))
    if completed_on > timezone.localdate() or (a.enrolled_on and completed_on < a.enrolled_on):
        raise field_error("completed_on", _("The date lies between the enrolment and today."))
    number = bounded_text(certificate_number, "certificate_number", 40)
    if outcome == ProgrammeApplication.Outcome.CERTIFICATE and not number:
        raise field_error(
            "certificate_number", _("Give the number of the certificate the worker obtained.")
        )
    hours = ProgrammeProgress.objects.filter(application=a).aggregate(h=Sum("hours"))[
        "h"
    ] or Decimal(0)
    if hours <= 0:
        raise field_error("hours", _("Record the progress (with hours) before the completion."))
    a.status = Status.COMPLETED
    a.outcome = outcome
    a.completed_on = completed_on
    a.certificate_number = number
    a.outcome_ref = _registry_write(a, hours)
    certificate = _certificate_write(a)
    a.save(update_fields=["status", "outcome", "completed_on", "certificate_number", "outcome_ref"])
    audit(
        actor=actor,
        action="careers.programme_complete",
        obj=a,
        organization=a.programme.organization,
        details={
            "outcome": outcome,
            "record": a.outcome_ref,
            "certificate": certificate.code if certificate else "",
        },
    )
    return a


def _registry_write(a: ProgrammeApplication, hours: Decimal) -> str:
    """The training record (and a degree's education) — once: a record already written for this
    application is reused, never doubled."""
    from gongjiang.workforce.history import training_record_add
    from gongjiang.workforce.services import worker_update

    existing = TrainingRecord.objects.filter(worker=a.worker, source_ref=a.code).first()
    if existing is not None:
        return existing.code
    writer = SystemActor("careers.programmes")
    programme = a.programme
    result = a.get_outcome_display()
    if a.certificate_number:
        result = f"{result} {a.certificate_number}"
    record = training_record_add(
        actor=writer,
        worker=a.worker,
        title=f"{programme.title}{'·' + a.course if a.course else ''}"[:200],
        hours=min(hours, Decimal("10000")),
        date=a.completed_on,
        result=str(result)[:60],
        provider=(a.partner.name if a.partner else programme.organization.name)[:100],
        source=_("worker programme"),
        source_ref=a.code,
    )
    if programme.degree and a.outcome == ProgrammeApplication.Outcome.GRADUATED:
        have = EDUCATION_RANK.get((a.worker.education or "").strip(), -1)
        if have < EDUCATION_RANK[programme.degree]:
            worker_update(actor=writer, worker=a.worker, education=programme.degree)
    return record.code


def _certificate_write(a: ProgrammeApplication) -> Certificate | None:
    """The diploma or certificate, with its number, as a workforce certificate (kind "other",
    issued by the institution, else the programme's owner) through the registry's own service —
    once: a certificate already written for this application (``source_ref``) is reused."""
    from gongjiang.workforce.history import certificate_add

    if not a.certificate_number:
        return None
    existing = Certificate.objects.filter(worker=a.worker, source_ref=a.code).first()
    if existing is not None:
        return existing
    programme = a.programme
    return certificate_add(
        actor=SystemActor("careers.programmes"),
        worker=a.worker,
        kind=Certificate.Kind.OTHER,
        number=a.certificate_number,
        issuer=(a.partner.name if a.partner else programme.organization.name)[:100],
        date=a.completed_on,
        source=f"{_('worker programme')} {programme.title}"[:200],
        source_ref=a.code,
    )


@audited_refusals
@transaction.atomic
def programme_subsidy_pay(
    *,
    actor: Any,
    application: ProgrammeApplication,
    reference: str = "",
    academic_year: int | None = None,
) -> ProgrammeApplication:
    """The subsidy per person, once, to a worker who completed: a debit of the programme's fund
    (refused when the fund is short), never by the applicant's nominator. A programme paid per
    academic year pays one year instead (``academic_year``, else the earliest due: see
    programmes_subsidy), while enrolled or for the years before the completion."""
    from .models_programmes import SubsidyBasis
    from .programmes_subsidy import pay_year

    access.require(actor, MANAGE, application.programme.organization)
    if application.programme.subsidy_basis == SubsidyBasis.PER_YEAR:
        a = _lock(application, Status.ENROLLED, Status.COMPLETED)
        _not_nominator(actor, a, "careers.programme_subsidy")
        pay_year(actor=actor, a=a, academic_year=academic_year, reference=reference)
        return a
    a = _lock(application, Status.COMPLETED)
    _not_nominator(actor, a, "careers.programme_subsidy")
    if a.subsidy_entry_id:
        raise ConflictError(_("The subsidy of this application is paid."), code="already_paid")
    programme = a.programme
    if not programme.subsidy_per_person:
        raise ConflictError(_("The programme pays no subsidy."), code="no_subsidy")
    entry = fund_debit(
        actor=actor,
        fund=programme.fund,
        amount=programme.subsidy_per_person,
        about=a,
        reference=bounded_text(reference, "reference", 200),
        memo=f"{programme.title[:200]} {a.worker.name}",
    )
    a.subsidy_entry = entry
    a.save(update_fields=["subsidy_entry"])
    audit(
        actor=actor,
        action="careers.programme_subsidy",
        obj=a,
        organization=programme.organization,
        details={"amount": str(entry.amount), "entry": entry.code},
    )
    return a
