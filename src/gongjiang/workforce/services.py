"""Acts on the workforce registry. Pages, API, CLI, the importer and other apps call these.

Stable, documented signatures (other systems call them with ``actor`` = a User or a
:class:`gongjiang.workforce.actors.SystemActor`):

* ``worker_create(*, actor, organization, name, citizen_id, ...) -> Worker``
* ``worker_update(*, actor, worker, **fields) -> Worker``
* ``worker_skill_level_change(*, actor, worker, level, date, source, source_ref="", reason="")``
  — the ONLY way a skill level changes; ``worker_skill_level_change_revert(*, actor, change)``
* ``certificate_add`` / ``certificate_revoke``, ``honour_add`` / ``honour_revoke``, ``training_record_add``
* ``worker_transfer(*, actor, worker, to_organization, date, reason, team=None)``
* ``worker_citizen_id_reveal(*, actor, worker) -> str`` (needs ``core.view_full_citizen_id``; audited)

Each runs in one transaction, checks permission at the door (``core.access``), validates with
``full_clean()`` and writes the audit log inside. ``level`` / ``occupation`` arguments accept a
model instance or its code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.audit import audit_changes
from gongjiang.core.enterprises import employer_of_union
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Enterprise, Occupation, Organization, SkillLevel
from gongjiang.core.validators import citizen_id_birth_date, citizen_id_gender, normalize_citizen_id

from . import personal
from .history import (
    HONOUR_TITLES,
    certificate_add,
    certificate_revoke,
    honour_add,
    honour_revoke,
    training_record_add,
)
from .hooks import WorkerChange, notify, snapshot
from .models import SkillLevelChange, Transfer, Worker
from .names import name_keys
from .refs import level_ref as _level
from .refs import occupation_ref as _occupation
from .transfer_requests import HeldElsewhere, file_for_held_worker, neutral_error
from .validators import normalize_certificate_number

EDITABLE_FIELDS = (
    "name",
    "citizen_id",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "political_status",
    "phone",
    "employee_number",
    "occupation",
    "job_title",
    "hire_date",
    "employment_type",
    "union_member_since",
    "status",
    "team",
    "user",
)
_AUDITED = (
    "name",
    "citizen_id_masked",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "political_status",
    "phone_masked",
    "employee_number",
    "occupation_id",
    "job_title",
    "hire_date",
    "employment_type",
    "union_member_since",
    "status",
    "team_id",
    "user_id",
)


def _check_employer(organization: Organization) -> None:
    if organization.kind != Organization.Kind.ENTERPRISE:
        raise ValidationError({"organization": [_("A worker's employer must be an enterprise.")]})
    if not organization.is_active:
        raise ApplicationError(_("The employer is deactivated."), code="employer_inactive")


def _check_team(team: Organization | None, organization: Organization) -> None:
    if team is not None and (
        team.kind != Organization.Kind.TEAM or not team.path.startswith(organization.path)
    ):
        raise ValidationError({"team": [_("The team must be a workshop or team of the employer.")]})


def _set_citizen_id(
    worker: Worker,
    value: str,
    gender: str | None,
    birth_date: dt.date | None,
    *,
    actor: Any = None,
) -> None:
    """Normalise the ID, derive gender and birth date, check any stated value against them. A
    number held by a worker the actor may not see raises ``HeldElsewhere`` (the caller answers
    neutrally and files a transfer request: transfer_requests.py)."""
    try:
        number = normalize_citizen_id(value)
    except ValidationError as exc:
        raise ValidationError({"citizen_id": exc.messages}) from exc
    derived_gender = citizen_id_gender(number)
    derived_birth = citizen_id_birth_date(number)
    errors: dict[str, list[str]] = {}
    if gender and gender != derived_gender:
        errors["gender"] = [_("The gender does not agree with the citizen ID number.")]
    if birth_date and birth_date != derived_birth:
        errors["birth_date"] = [
            _("The birth date does not agree with the citizen ID number (%(date)s).")
            % {"date": derived_birth}
        ]
    if errors:
        raise ValidationError(errors)
    digest = personal.citizen_id_hash(number)
    # any configured key's hash: a record not yet rewritten by rotate-keys is the same person
    clash = (
        Worker.objects.filter(citizen_id_hash__in=personal.citizen_id_hashes(number))
        .exclude(pk=worker.pk)
        .first()
    )
    if clash is not None and actor is not None and not _sees(actor, clash):
        raise HeldElsewhere(clash.pk)
    if clash is not None:
        raise ValidationError(
            {"citizen_id": [_("A worker with this citizen ID number is already registered.")]}
        )
    worker.citizen_id_encrypted = personal.encrypt(number)
    worker.citizen_id_hash = digest
    worker.citizen_id_last4 = number[-4:]
    worker.citizen_id_masked = personal.mask_citizen_id(number)
    worker.gender = derived_gender
    worker.birth_date = derived_birth


def _set_phone(worker: Worker, phone: str) -> None:
    from .roster.reader import parse_phone

    if phone:
        try:
            phone = parse_phone(phone)
        except ValueError as exc:
            raise ValidationError({"phone": [str(exc)]}) from exc
    worker.phone_encrypted = personal.encrypt(phone)
    worker.phone_masked = personal.mask_phone(phone)
    worker.phone_hash = personal.phone_digest(phone)


def _set_name(worker: Worker, name: str) -> None:
    from .roster.reader import normalize_name

    try:
        worker.name = normalize_name(name)
    except ValueError as exc:
        raise ValidationError({"name": [str(exc)]}) from exc
    worker.name_pinyin, worker.name_initials = name_keys(worker.name)


def _audited(worker: Worker) -> dict[str, Any]:
    return {f: getattr(worker, f) for f in _AUDITED}


def _require_change(actor: Any, worker: Worker, perm: str = "workforce.change_worker") -> None:
    access.require(actor, perm, worker.organization)


# ------------------------------------------------------------------------------------ workers
def _sees(actor: Any, worker: Worker) -> bool:
    paths = access.scope_paths(actor, "workforce.view_worker")
    return paths is None or any(worker.organization.path.startswith(p) for p in paths)


def worker_create(*, actor: Any, organization: Organization, name: str, **fields: Any) -> Worker:
    """Register a worker (:func:`_worker_create`). A citizen ID held by a worker outside the
    actor's organisations is not disclosed: the registration is handed on as a transfer request
    to the holding employer and the answer is the neutral one of ``transfer_requests``."""
    try:
        return _worker_create(actor=actor, organization=organization, name=name, **fields)
    except HeldElsewhere as held:
        file_for_held_worker(
            actor=actor, worker_id=held.worker_id, to_organization=organization, name=name
        )
        raise neutral_error() from None


@transaction.atomic
def _worker_create(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    citizen_id: str,
    gender: str | None = None,
    birth_date: dt.date | None = None,
    ethnicity: str = "",
    education: str = "",
    political_status: str = "",
    phone: str = "",
    employee_number: str = "",
    occupation: Occupation | str | None = None,
    job_title: str = "",
    skill_level: SkillLevel | str | None = None,
    hire_date: dt.date | None = None,
    employment_type: str = Worker.EmploymentType.CONTRACT,
    union_member_since: dt.date | None = None,
    status: str = Worker.Status.ACTIVE,
    team: Organization | None = None,
    employer: Enterprise | None = None,
    user: Any = None,
    source: str = "",
    source_ref: str = "",
) -> Worker:
    """Register a worker in an enterprise union (``organization``), employed by ``employer`` (an
    enterprise that union covers; by default its only one). A stated gender or birth date must agree
    with the citizen ID; a starting skill level is recorded as the first skill-level change."""
    access.require(actor, "workforce.change_worker", organization)
    _check_employer(organization)
    _check_team(team, organization)
    worker = Worker(
        organization=organization,
        employer=employer_of_union(organization, employer),
        team=team,
        user=user,
        ethnicity=ethnicity,
        education=education,
        political_status=political_status,
        employee_number=employee_number,
        occupation=_occupation(occupation),
        job_title=job_title,
        hire_date=hire_date,
        employment_type=employment_type,
        union_member_since=union_member_since,
        status=status,
    )
    if worker.occupation_id:
        worker.occupation_edition = worker.occupation.edition
    _set_name(worker, name)
    _set_citizen_id(worker, citizen_id, gender, birth_date, actor=actor)
    _set_phone(worker, phone)
    if hire_date and hire_date > timezone.localdate():
        raise ValidationError({"hire_date": [_("The hire date is in the future.")]})
    worker.full_clean(exclude=["code"])
    worker.save()
    audit(
        actor=actor,
        action="worker.create",
        obj=worker,
        details={"source": source, **_audited(worker)},
    )
    notify([WorkerChange(worker.pk, None, snapshot(worker))])
    level = _level(skill_level)
    if level is not None:
        _skill_level_change(
            actor=actor,
            worker=worker,
            level=level,
            date=hire_date or timezone.localdate(),
            source=source or _("registration"),
            source_ref=source_ref,
            reason="",
        )
    return worker


def worker_update(*, actor: Any, worker: Worker, **fields: Any) -> Worker:
    """Change any of :data:`EDITABLE_FIELDS` (not the skill level, employer: see their services).
    A new citizen ID held outside the actor's organisations is answered like in worker_create."""
    try:
        return _worker_update(actor=actor, worker=worker, **fields)
    except HeldElsewhere as held:
        file_for_held_worker(
            actor=actor,
            worker_id=held.worker_id,
            to_organization=worker.organization,
            name=worker.name,
        )
        raise neutral_error() from None


@transaction.atomic
def _worker_update(*, actor: Any, worker: Worker, **fields: Any) -> Worker:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    locked = Worker.objects.select_for_update().select_related("organization").get(pk=worker.pk)
    _require_change(actor, locked)
    before = _audited(locked)
    before_snapshot = snapshot(locked)
    if "name" in fields:
        _set_name(locked, fields.pop("name"))
    citizen_id = fields.pop("citizen_id", None)
    gender = fields.pop("gender", None)
    birth_date = fields.pop("birth_date", None)
    if citizen_id:
        _set_citizen_id(locked, citizen_id, gender, birth_date, actor=actor)
    elif gender and gender != locked.gender or birth_date and birth_date != locked.birth_date:
        raise ValidationError(
            {"citizen_id": [_("Gender and birth date come from the citizen ID number.")]}
        )
    if "phone" in fields:
        _set_phone(locked, fields.pop("phone") or "")
    if "occupation" in fields:
        locked.occupation = _occupation(fields.pop("occupation"))
        locked.occupation_edition = locked.occupation.edition if locked.occupation else ""
    if "team" in fields:
        team = fields.pop("team")
        _check_team(team, locked.organization)
        locked.team = team
    for key, value in fields.items():
        setattr(
            locked,
            key,
            value
            if value is not None or key in ("hire_date", "union_member_since", "user")
            else "",
        )
    if locked.hire_date and locked.hire_date > timezone.localdate():
        raise ValidationError({"hire_date": [_("The hire date is in the future.")]})
    locked.full_clean(exclude=["code"])
    locked.save()
    changes = audit_changes(before, _audited(locked))
    if changes:
        audit(actor=actor, action="worker.update", obj=locked, details=changes)
        notify([WorkerChange(locked.pk, before_snapshot, snapshot(locked))])
    return locked


def _skill_level_change(
    *,
    actor: Any,
    worker: Worker,
    level: SkillLevel | None,
    date: dt.date,
    source: str,
    source_ref: str,
    reason: str,
) -> SkillLevelChange:
    before = snapshot(worker)
    change = SkillLevelChange(
        worker=worker,
        from_level_id=worker.skill_level_id,
        to_level=level,
        date=date,
        source=source[:200],
        source_ref=source_ref[:60],
        reason=reason[:200],
        recorded_by=user_or_none(actor),
    )
    change.full_clean(exclude=["code", "worker"])
    change.save()
    Worker.objects.filter(pk=worker.pk).update(skill_level=level, updated_at=timezone.now())
    worker.skill_level = level
    audit(
        actor=actor,
        action="worker.skill_level_change",
        obj=worker,
        details={
            "change": change.code,
            "from": before["skill_level_id"],
            "to": getattr(level, "pk", None),
            "date": date,
            "source": source,
            "source_ref": source_ref,
            "reason": reason,
        },
    )
    notify([WorkerChange(worker.pk, before, snapshot(worker), date)])
    return change


@transaction.atomic
def worker_skill_level_change(
    *,
    actor: Any,
    worker: Worker,
    level: SkillLevel | str | None,
    date: dt.date,
    source: str,
    source_ref: str = "",
    reason: str = "",
) -> SkillLevelChange:
    """Set a worker's skill level (the only way it changes): writes the history row and the audit.

    ``source`` says where the fact comes from ("certification exam", "competition award", a
    person); ``source_ref`` is the code of the originating object. A date in the future is refused;
    setting the level the worker already has is refused.
    """
    locked = Worker.objects.select_for_update().select_related("organization").get(pk=worker.pk)
    _require_change(actor, locked, "workforce.change_skill_level")
    new_level = _level(level)
    if date > timezone.localdate():
        raise ValidationError({"date": [_("The date is in the future.")]})
    if not source.strip():
        raise ValidationError({"source": [_("Say where this skill level comes from.")]})
    if locked.skill_level_id == getattr(new_level, "pk", None):
        raise ApplicationError(_("The worker already has this skill level."), code="unchanged")
    change = _skill_level_change(
        actor=actor,
        worker=locked,
        level=new_level,
        date=date,
        source=source,
        source_ref=source_ref,
        reason=reason,
    )
    worker.skill_level = locked.skill_level
    return change


@transaction.atomic
def worker_skill_level_change_revert(*, actor: Any, change: SkillLevelChange) -> SkillLevelChange:
    """Undo the worker's latest (not yet reverted) skill-level change: the level goes back to what it
    was; the change stays in the history marked as reverted."""
    locked = (
        Worker.objects.select_for_update().select_related("organization").get(pk=change.worker_id)
    )
    _require_change(actor, locked, "workforce.change_skill_level")
    change = SkillLevelChange.objects.select_for_update().get(pk=change.pk)
    if change.reverted:
        raise ApplicationError(_("This change has already been reverted."), code="already_reverted")
    latest = (
        locked.skill_level_changes.filter(reverted=False).order_by("-id").first()
    )  # last recorded
    if latest is None or latest.pk != change.pk or locked.skill_level_id != change.to_level_id:
        raise ApplicationError(
            _("Only the latest skill-level change can be reverted."), code="not_latest"
        )
    before = snapshot(locked)
    change.reverted = True
    change.save(update_fields=["reverted"])
    Worker.objects.filter(pk=locked.pk).update(
        skill_level_id=change.from_level_id, updated_at=timezone.now()
    )
    locked.skill_level_id = change.from_level_id
    audit(
        actor=actor,
        action="worker.skill_level_change_revert",
        obj=locked,
        details={"change": change.code, "back_to": change.from_level_id},
    )
    notify([WorkerChange(locked.pk, before, snapshot(locked), change.date)])
    return change


@transaction.atomic
def worker_transfer(
    *,
    actor: Any,
    worker: Worker,
    to_organization: Organization,
    date: dt.date,
    reason: str,
    team: Organization | None = None,
    to_employer: Enterprise | None = None,
) -> Transfer:
    """Move a worker to another employer: needs ``workforce.change_worker`` at both ends. The
    worker (with all history rows) moves into the new employer's scope."""
    locked = Worker.objects.select_for_update().select_related("organization").get(pk=worker.pk)
    _require_change(actor, locked)
    if not access.can(actor, "workforce.change_worker", to_organization):
        raise PermissionDenied("workforce.change_worker at the new employer")
    _check_employer(to_organization)
    _check_team(team, to_organization)
    new_employer = employer_of_union(to_organization, to_employer)
    if to_organization.pk == locked.organization_id and new_employer.pk == locked.employer_id:
        raise ApplicationError(_("The worker already works there."), code="unchanged")
    if date > timezone.localdate():
        raise ValidationError({"date": [_("The date is in the future.")]})
    before = snapshot(locked)
    transfer = Transfer(
        worker=locked,
        date=date,
        from_organization=locked.organization,
        to_organization=to_organization,
        reason=reason[:200],
        source=_("transfer"),
        recorded_by=user_or_none(actor),
    )
    transfer.full_clean(exclude=["code", "worker"])
    transfer.save()
    locked.organization = to_organization
    locked.employer = new_employer
    locked.team = team
    locked.save(update_fields=["organization", "employer", "team", "updated_at"])
    worker.organization, worker.employer, worker.team = to_organization, new_employer, team
    details = {
        "from": transfer.from_organization.code,
        "to": to_organization.code,
        "date": date,
        "reason": reason,
    }
    audit(
        actor=actor,
        action="worker.transfer",
        obj=locked,
        organization=transfer.from_organization,
        details=details,
    )
    audit(
        actor=actor,
        action="worker.transfer",
        obj=locked,
        organization=to_organization,
        details=details,
    )
    notify([WorkerChange(locked.pk, before, snapshot(locked))])
    return transfer


def worker_citizen_id_reveal(*, actor: Any, worker: Worker) -> str:
    """The full citizen ID number, for roles with ``core.view_full_citizen_id``; every call audited."""
    access.require(actor, "core.view_full_citizen_id", worker.organization)
    number = personal.decrypt(worker.citizen_id_encrypted)
    audit(
        actor=actor,
        action="worker.citizen_id_reveal",
        obj=worker,
        details={"masked": worker.citizen_id_masked},
    )
    return number


__all__ = [
    "EDITABLE_FIELDS",
    "HONOUR_TITLES",
    "certificate_add",
    "certificate_revoke",
    "honour_add",
    "honour_revoke",
    "normalize_certificate_number",
    "training_record_add",
    "worker_citizen_id_reveal",
    "worker_create",
    "worker_skill_level_change",
    "worker_skill_level_change_revert",
    "worker_transfer",
    "worker_update",
]
