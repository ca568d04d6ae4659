"""Issuing and revoking certificates, and the hand-over to the workforce registry.

``certificate_issue`` (one candidate, one transaction): allocates the number, creates the
certificate, raises the worker's skill level through ``workforce.services.worker_skill_level_change``
(source "职业技能等级认定", source_ref = the number) when the new level is higher than the current
one, and records a workforce certificate (``certificate_add``). ``certificate_revoke`` reverses
both (the level goes back if this certificate's change is still the worker's latest).

The workforce services check their own permissions. The evaluation body's staff may have no role
over the worker's employer (a social evaluation organisation, S); the registry writes then run as
a :class:`~gongjiang.workforce.actors.SystemActor` named after the person, and the certification
audit row names the person.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit
from gongjiang.core.duties import DutyConflict, audited_refusals
from gongjiang.core.errors import ApplicationError

from .models import Candidate, Certificate, EvaluationPlan, PracticalScore
from .numbers import number_allocate

MANAGE = "certification.manage_evaluation"
SOURCE = "职业技能等级认定"


def add_years(day: dt.date, years: int) -> dt.date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def _registry_actor(actor: Any, worker: Any) -> Any:
    """The actor for the workforce services: the person when their roles cover the worker's
    employer, otherwise a system actor carrying their name."""
    org = worker.organization
    if access.can(actor, "workforce.change_skill_level", org) and access.can(
        actor, "workforce.add_certificate", org
    ):
        return actor
    from gongjiang.core.actors import SystemActor

    name = actor.get_username() if hasattr(actor, "get_username") else str(actor)
    return SystemActor(f"certification:{name}")


def marked_by(actor: Any, candidates: Any) -> list[str]:
    """Names of the candidates (a queryset or list of ids) whose practical checklist ``actor``
    scored as an examiner: separation of duties keeps them from issuing those certificates."""
    if getattr(actor, "pk", None) is None:
        return []
    return list(
        PracticalScore.objects.filter(candidate__in=candidates, examiner_id=actor.pk)
        .values_list("candidate__worker__name", flat=True)
        .distinct()
        .order_by("candidate__worker__name")
    )


def issuing_refusal(actor: Any, plan: EvaluationPlan, candidates: Any) -> DutyConflict | None:
    """The refusal when ``actor`` examined any of ``candidates`` (None when free to issue)."""
    names = marked_by(actor, candidates)
    if not names:
        return None
    return DutyConflict(
        _(
            "You examined %(names)s: the certificate is issued by someone who did not mark the "
            "candidate."
        )
        % {"names": "、".join(names[:5]) + ("…" if len(names) > 5 else "")},
        action="certification.certificate_issue",
        obj=plan,
        organization=plan.organization,
        reason="own_marking",
        details={"candidates": len(names)},
    )


@audited_refusals
@transaction.atomic
def certificate_issue(
    *, actor: Any, candidate: Candidate, issue_date: dt.date | None = None
) -> Certificate:
    """Issue the certificate of one passed candidate of a decided plan. Separation of duties: an
    examiner who scored the candidate's practical checklist does not issue it (403, audited)."""
    from gongjiang.workforce import services as workforce

    plan = EvaluationPlan.objects.select_related("organization", "level", "occupation").get(
        pk=candidate.plan_id
    )
    access.require(actor, MANAGE, plan.organization)
    cand = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("worker__organization", "worker__skill_level")
        .get(pk=candidate.pk)
    )
    if plan.status not in (EvaluationPlan.Status.DECIDED, EvaluationPlan.Status.ISSUED):
        raise ApplicationError(
            _("Decide the results before issuing certificates."), code="not_decided", status=409
        )
    if not cand.passed:
        raise ApplicationError(
            _("%(name)s has not passed.") % {"name": cand.worker.name}, code="not_passed"
        )
    refusal = issuing_refusal(actor, plan, [cand.pk])
    if refusal:
        raise refusal
    if Certificate.objects.filter(candidate=cand).exists():
        raise ApplicationError(
            _("%(name)s already has this certificate.") % {"name": cand.worker.name},
            code="already_issued",
            status=409,
        )
    issue_date = issue_date or timezone.localdate()
    if issue_date > timezone.localdate():
        raise ApplicationError(_("The issue date cannot be in the future."), code="future_date")
    worker = cand.worker
    number = number_allocate(
        kind=plan.body_kind,
        body=plan.body_code,
        province=plan.province_code,
        site=plan.site_code,
        year=issue_date.year,
        level=plan.level.national_level,
    )
    cert = Certificate(
        number=number,
        organization=plan.organization,
        plan=plan,
        candidate=cand,
        worker=worker,
        holder_name=worker.name,
        occupation=plan.occupation,
        level=plan.level,
        issue_date=issue_date,
        valid_until=add_years(issue_date, plan.validity_years) if plan.validity_years else None,
        previous_level=worker.skill_level,
    )
    # uniqueness is held by the database (number from the locked counter, random token)
    cert.full_clean(
        exclude=["code", "token", "candidate", "plan", "worker", "organization"],
        validate_unique=False,
    )
    cert.save()

    registry_actor = _registry_actor(actor, worker)
    current_rank = worker.skill_level.rank if worker.skill_level_id else 0
    if plan.level.rank > current_rank:
        change = workforce.worker_skill_level_change(
            actor=registry_actor,
            worker=worker,
            level=plan.level,
            date=issue_date,
            source=SOURCE,
            source_ref=number,
            reason=_("Passed evaluation plan “%(plan)s”") % {"plan": plan.name},
        )
        cert.skill_level_change_code = change.code
    wcert = workforce.certificate_add(
        actor=registry_actor,
        worker=worker,
        kind="skill_level",
        number=number,
        issuer=plan.body_name[:100],
        date=issue_date,
        occupation=plan.occupation,
        level=plan.level,
        valid_until=cert.valid_until,
        source=SOURCE,
        source_ref=cert.code,
    )
    cert.workforce_certificate_code = wcert.code
    cert.save(update_fields=["skill_level_change_code", "workforce_certificate_code"])
    audit(
        actor=actor,
        action="certification.certificate_issue",
        obj=cert,
        details={
            "number": number,
            "worker": worker.code,
            "plan": plan.code,
            "level": plan.level_id,
            "level_raised": bool(cert.skill_level_change_code),
        },
    )
    return cert


def certificates_issue(
    *, actor: Any, plan: EvaluationPlan, progress: Callable[..., None] | None = None
) -> dict[str, Any]:
    """Issue the certificates of every passed candidate still without one (each in its own
    transaction, so one failure does not undo the others). The plan becomes "issued" when every
    passed candidate has a certificate."""
    plan = EvaluationPlan.objects.select_related("organization").get(pk=plan.pk)
    access.require(actor, MANAGE, plan.organization)
    if plan.status not in (EvaluationPlan.Status.DECIDED, EvaluationPlan.Status.ISSUED):
        raise ApplicationError(
            _("Decide the results before issuing certificates."), code="not_decided", status=409
        )
    todo = list(
        Candidate.objects.filter(plan=plan, passed=True, certificate__isnull=True)
        .select_related("worker")
        .order_by("worker__name_pinyin", "id")
    )
    issued: list[str] = []
    errors: list[dict[str, str]] = []
    if progress:
        progress(0, len(todo))
    for n, cand in enumerate(todo, start=1):
        try:
            issued.append(certificate_issue(actor=actor, candidate=cand).number)
        except Exception as exc:  # reported per candidate; the others go on
            errors.append(
                {
                    "candidate": cand.code,
                    "worker": cand.worker.name,
                    "error": getattr(exc, "message", None)
                    or "; ".join(getattr(exc, "messages", [str(exc)])),
                }
            )
        if progress:
            progress(n, len(todo))
    if not Candidate.objects.filter(plan=plan, passed=True, certificate__isnull=True).exists():
        EvaluationPlan.objects.filter(pk=plan.pk).update(
            status=EvaluationPlan.Status.ISSUED, updated_at=timezone.now()
        )
        plan.status = EvaluationPlan.Status.ISSUED
    return {"issued": len(issued), "numbers": issued, "errors": errors}


@transaction.atomic
def certificate_revoke(*, actor: Any, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate: the public page then says "revoked"; the workforce certificate is
    revoked; the skill level goes back to what it was if this certificate's change is still the
    worker's latest (otherwise the level stays and the audit says so)."""
    from gongjiang.workforce import services as workforce
    from gongjiang.workforce.models import Certificate as RegistryCertificate
    from gongjiang.workforce.models import SkillLevelChange

    cert = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("organization", "worker__organization")
        .get(pk=certificate.pk)
    )
    access.require(actor, MANAGE, cert.organization)
    if cert.revoked:
        raise ApplicationError(
            _("This certificate is already revoked."), code="already_revoked", status=409
        )
    reason = (reason or "").strip()
    if not reason:
        from django.core.exceptions import ValidationError

        raise ValidationError({"reason": [_("Give the reason for the revocation.")]})
    registry_actor = _registry_actor(actor, cert.worker)
    level_reverted = False
    note = ""
    change = (
        SkillLevelChange.objects.filter(code=cert.skill_level_change_code).first()
        if cert.skill_level_change_code
        else None
    )
    if change is not None and not change.reverted:
        try:
            workforce.worker_skill_level_change_revert(actor=registry_actor, change=change)
            level_reverted = True
        except ApplicationError as exc:  # a later change exists: the level stays
            note = exc.message
    wcert = (
        RegistryCertificate.objects.filter(code=cert.workforce_certificate_code)
        .select_related("worker__organization")
        .first()
        if cert.workforce_certificate_code
        else None
    )
    if wcert is not None and not wcert.revoked:
        workforce.certificate_revoke(actor=registry_actor, certificate=wcert, reason=reason)
    cert.revoked = True
    cert.revoked_at = timezone.now()
    cert.revoked_reason = reason[:200]
    cert.save(update_fields=["revoked", "revoked_at", "revoked_reason"])
    audit(
        actor=actor,
        action="certification.certificate_revoke",
        obj=cert,
        details={
            "number": cert.number,
            "reason": reason,
            "level_reverted": level_reverted,
            "note": note,
        },
    )
    certificate.revoked, certificate.revoked_at, certificate.revoked_reason = (
        True,
        cert.revoked_at,
        cert.revoked_reason,
    )
    return cert
