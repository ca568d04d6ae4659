"""Services of innovation results: the one place pages and the API change a result.

Flow: draft → submitted → adopted / not adopted (enterprise review, a reason when not adopted) →
implemented → effect certified. Separation of duties (core.duties): whoever made, submitted or is a
member of a result never reviews it nor certifies its effect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit as audit_record
from gongjiang.core.actors import user_or_none
from gongjiang.core.duties import DutyConflict, audited_refusals, same_person
from gongjiang.core.enterprise_models import Enterprise
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.workforce.models import Worker

from .models import Patent, Result, TeamMember
from .patents import kind_of, normalise_patent_number
from .split import check_contributions

SUBMIT = "innovation.submit_result"
REVIEW = "innovation.review_result"
CERTIFY = "innovation.certify_effect"


def _staff(actor: Any, organization: Any) -> bool:
    return access.can(actor, REVIEW, organization)


def _team_users(result: Result) -> set[int]:
    return {
        uid for uid in result.members.values_list("worker__user_id", flat=True) if uid is not None
    }


def involved(actor: Any, result: Result) -> str:
    """Why ``actor`` may not judge ``result`` (made, submitted or on the team), or ''."""
    if same_person(actor, result.created_by_id):
        return "creator"
    if same_person(actor, result.submitted_by_id):
        return "submitter"
    if getattr(actor, "pk", None) in _team_users(result):
        return "team_member"
    return ""


def _require_state(result: Result, *states: str) -> None:
    if result.status not in states:
        raise ConflictError(
            _("The result is %(status)s; this step is not possible now.")
            % {"status": result.get_status_display()},
            code="wrong_state",
        )


def _team(
    employer: Enterprise, members: Sequence[tuple[Worker, Decimal]]
) -> list[tuple[Worker, Decimal]]:
    if len(members) > 50:
        raise ApplicationError(_("A team has at most 50 members."), code="team_too_large")
    ids = [w.pk for w, _c in members]
    if len(set(ids)) != len(ids):
        raise ApplicationError(
            _("A worker appears twice in the team."),
            code="duplicate_member",
            details=[{"field": "members", "error": _("duplicate worker")}],
        )
    for i, (worker, _c) in enumerate(members):
        if worker.employer_id != employer.pk:
            raise ApplicationError(
                _("%(name)s does not work for %(employer)s.")
                % {"name": worker.name, "employer": employer.name},
                code="member_not_employee",
                details=[{"field": f"members.{i}.worker", "error": worker.code}],
            )
    check_contributions([Decimal(c) for _w, c in members])
    return [(w, Decimal(c)) for w, c in members]


@transaction.atomic
def result_create(
    *,
    actor: Any,
    employer: Enterprise,
    kind: str,
    title: str,
    problem: str,
    solution: str,
    members: Sequence[tuple[Worker, Decimal]],
    patents: Sequence[tuple[str, str]] = (),
    occupation: Any = None,
    method_name: str = "",
    started_on: dt.date | None = None,
    completed_on: dt.date | None = None,
    publish_consent: bool = False,
    submit: bool = False,
) -> Result:
    """A result of the employer's workers as a draft (submitted at once when ``submit``).

    ``patents`` are (number, status) pairs; the kind follows the number's kind digit. A worker who
    enters a result for their own team must be on it."""
    organization = employer.union
    access.require(actor, SUBMIT, organization)
    team = _team(employer, members)
    if not _staff(actor, organization) and not any(same_person(actor, w.user_id) for w, _c in team):
        raise ApplicationError(
            _("You can enter only results of a team you are a member of."), code="not_on_team"
        )
    result = Result(
        organization=organization,
        employer=employer,
        occupation=occupation,
        kind=kind,
        title=title,
        method_name=method_name,
        problem=problem,
        solution=solution,
        started_on=started_on,
        completed_on=completed_on,
        publish_consent=publish_consent,
        created_by=user_or_none(actor),
    )
    result.full_clean()
    result.save()
    rows = [
        TeamMember(result=result, worker=w, contribution=c, position=i)
        for i, (w, c) in enumerate(team)
    ]
    for row in rows:
        row.full_clean(exclude=["result", "code"])
    TeamMember.objects.bulk_create(rows)
    for i, (number, status) in enumerate(patents):
        try:
            normal = normalise_patent_number(number)
        except ValidationError as exc:
            raise ApplicationError(
                exc.messages[0],
                code="invalid_patent_number",
                details=[{"field": f"patents.{i}.number", "error": exc.messages[0]}],
            ) from exc
        patent = Patent(result=result, number=normal, kind=kind_of(normal), status=status)
        patent.full_clean(exclude=["result", "code"])
        patent.save()
    audit_record(
        actor=actor,
        action="innovation.result_create",
        obj=result,
        details={
            "kind": kind,
            "members": [[w.code, str(c)] for w, c in team],
            "patents": [p[0] for p in patents],
        },
    )
    if submit:
        _submit(actor, result)
    return result


def _submit(actor: Any, result: Result) -> None:
    _require_state(result, Result.Status.DRAFT)
    result.status = Result.Status.SUBMITTED
    result.submitted_by = user_or_none(actor)
    result.submitted_at = timezone.now()
    result.save(update_fields=["status", "submitted_by", "submitted_at"])
    audit_record(actor=actor, action="innovation.result_submit", obj=result)


def _may_change(actor: Any, result: Result) -> bool:
    return same_person(actor, result.created_by_id) or _staff(actor, result.organization)


@transaction.atomic
def result_submit(*, actor: Any, result: Result) -> Result:
    result = Result.objects.select_for_update().get(pk=result.pk)
    access.require(actor, SUBMIT, result.organization)
    if not _may_change(actor, result):
        raise PermissionDenied(SUBMIT)
    _submit(actor, result)
    return result


@audited_refusals
@transaction.atomic
def result_review(
    *, actor: Any, result: Result, adopted: bool, reason: str = "", on: dt.date | None = None
) -> Result:
    """The enterprise's review: adopted, or not adopted with a reason."""
    result = Result.objects.select_for_update().get(pk=result.pk)
    access.require(actor, REVIEW, result.organization)
    _require_state(result, Result.Status.SUBMITTED)
    why = involved(actor, result)
    if why:
        raise DutyConflict(
            _("You made, submitted or are on the team of this result; another person reviews it."),
            action="innovation.result_review",
            obj=result,
            reason=why,
        )
    reason = reason.strip()
    if not adopted and not reason:
        raise ApplicationError(
            _("Say why the result is not adopted."),
            code="reason_required",
            details=[{"field": "reason", "error": _("required")}],
        )
    result.status = Result.Status.ADOPTED if adopted else Result.Status.NOT_ADOPTED
    result.reviewed_by = user_or_none(actor)
    result.reviewed_on = on or timezone.localdate()
    result.review_reason = reason
    result.full_clean()
    result.save()
    audit_record(
        actor=actor,
        action="innovation.result_review",
        obj=result,
        details={"adopted": adopted, "reason": reason},
    )
    return result


@transaction.atomic
def result_implement(*, actor: Any, result: Result, on: dt.date) -> Result:
    result = Result.objects.select_for_update().get(pk=result.pk)
    access.require(actor, REVIEW, result.organization)
    _require_state(result, Result.Status.ADOPTED)
    if result.reviewed_on and on < result.reviewed_on:
        raise ApplicationError(
            _("A result is implemented after it was adopted."),
            code="invalid_date",
            details=[{"field": "on", "error": str(on)}],
        )
    result.status = Result.Status.IMPLEMENTED
    result.implemented_on = on
    result.implemented_by = user_or_none(actor)
    result.save(update_fields=["status", "implemented_on", "implemented_by"])
    audit_record(actor=actor, action="innovation.result_implement", obj=result, details={"on": on})
    return result


@audited_refusals
@transaction.atomic
def result_certify_effect(
    *,
    actor: Any,
    result: Result,
    savings: Decimal | None,
    output: str = "",
    quality: str = "",
    safety: str = "",
) -> Result:
    """Certify the measured effect (savings in yuan to the fen, output, quality, safety)."""
    result = Result.objects.select_for_update().get(pk=result.pk)
    access.require(actor, CERTIFY, result.organization)
    _require_state(result, Result.Status.IMPLEMENTED)
    why = involved(actor, result)
    if why:
        raise DutyConflict(
            _(
                "You made, submitted or are on the team of this result; another person certifies it."
            ),
            action="innovation.result_certify",
            obj=result,
            reason=why,
        )
    if savings is None and not (output or quality or safety):
        raise ApplicationError(
            _("State at least one measured effect."),
            code="effect_required",
            details=[{"field": "savings", "error": _("required")}],
        )
    result.savings = savings
    result.effect_output = output
    result.effect_quality = quality
    result.effect_safety = safety
    result.status = Result.Status.CERTIFIED
    result.certified_by = user_or_none(actor)
    result.certified_on = timezone.localdate()
    result.full_clean()
    result.save()
    audit_record(
        actor=actor,
        action="innovation.result_certify",
        obj=result,
        details={"savings": savings, "output": output, "quality": quality, "safety": safety},
    )
    return result
