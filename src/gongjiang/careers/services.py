"""Every state change of the careers app: titles, career-table versions, expert levels and bridge
applications. Permission at the door, one transaction, ``full_clean``, audit inside."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import SystemActor, audit, user_or_none
from gongjiang.core.duties import DutyConflict, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError, field_error
from gongjiang.core.models import Organization
from gongjiang.workforce.models import Worker

from .models import (
    BridgeApplication,
    BridgeRule,
    CareerTable,
    EquivalenceRow,
    ExpertLevel,
    ProfessionalTitle,
)
from .policy import (
    HONOUR_RANK,
    KIND_CHOICES,
    MAX_EXPERT_LEVELS,
    SKILL_RANK,
    TITLE_RANK,
    TITLE_ZH,
    normalise_target,
    target_kind,
)
from .registry import judge, table_in_force

KINDS = {k for k, _label in KIND_CHOICES}


def _enterprise(organization: Organization) -> None:
    if organization.kind != Organization.Kind.ENTERPRISE:
        raise ValidationError({"organization": [_("Choose an enterprise union.")]})


# ------------------------------------------------------------------------- titles
@transaction.atomic
def title_add(
    *,
    actor: Any,
    worker: Worker,
    field: str,
    name: str,
    level: str,
    date: dt.date,
    issuer: str,
    number: str = "",
    source_ref: str = "",
) -> ProfessionalTitle:
    """Record a professional title (职称) a worker holds."""
    access.require(actor, "careers.manage", worker.organization)
    if date > timezone.localdate():
        raise ValidationError({"date": [_("The date is in the future.")]})
    title = ProfessionalTitle(
        worker=worker,
        field=field.strip(),
        name=name.strip() or TITLE_ZH.get(level, ""),
        level=level,
        date=date,
        issuer=issuer.strip(),
        number=number.strip(),
        source_ref=source_ref[:60],
        recorded_by=user_or_none(actor),
    )
    title.full_clean(exclude=["code", "worker"])
    title.save()
    audit(
        actor=actor,
        action="careers.title_add",
        obj=worker,
        details={"title": title.code, "level": level, "field": title.field, "date": date},
    )
    return title


# ------------------------------------------------------------------ career tables
def _clean_row(row: Any, prefix: str) -> None:
    """``full_clean`` with each error named by the row it is about (``rules[3].years``)."""
    try:
        row.full_clean(exclude=["table"])
    except ValidationError as exc:
        raise ValidationError(
            {f"{prefix}.{field}": errors for field, errors in exc.message_dict.items()}
        ) from None


OCCUPATION_CODES = re.compile(r"\d{1,2}(-\d{1,2}){0,3}")


def bridge_rules_check(
    rules: Iterable[Mapping[str, Any]], grades: Iterable[str] | None = None
) -> list[BridgeRule]:
    """The one check of a table's bridge rules, for the API and the table page alike (each error
    named ``rules[i].field``): a known target and condition, the level the condition reads (a skill
    level, a title level, an honour level, or a management grade — one of ``grades``, the table's
    management grades, when given), the years of a years condition (0 to 50), the
    occupation codes of an occupation condition (``6`` or ``2-02``, comma-separated), and no
    condition twice on one path. Unsaved rows back; ``career_table_create`` saves them."""
    rows = []
    seen: set[tuple[str, str, str, str]] = set()
    grades = None if grades is None else [g for g in grades if g]
    for i, rule in enumerate(rules):
        target = normalise_target(str(rule.get("target", "")))
        kind = rule.get("kind", "")
        if not target:
            raise ValidationError({f"rules[{i}].target": [_("Unknown target.")]})
        if kind not in KINDS:
            raise ValidationError({f"rules[{i}].kind": [_("Unknown condition.")]})
        level = str(rule.get("level") or "")
        if kind in ("skill_level", "years_at_skill_level") and level not in SKILL_RANK:
            raise ValidationError({f"rules[{i}].level": [_("Unknown skill level.")]})
        if kind in ("title_level", "years_at_title") and level not in TITLE_RANK:
            raise ValidationError({f"rules[{i}].level": [_("Unknown title level.")]})
        if kind == "honour" and level not in HONOUR_RANK:
            raise ValidationError({f"rules[{i}].level": [_("Unknown honour level.")]})
        if kind in ("management_grade", "years_at_grade"):
            level = level.strip()
            if not level or len(level) > 30:
                raise ValidationError(
                    {f"rules[{i}].level": [_("Name the management grade (at most 30 characters).")]}
                )
            if grades is not None and level not in grades:
                raise ValidationError(
                    {
                        f"rules[{i}].level": [
                            _("“%(grade)s” is not a management grade of the table (%(grades)s).")
                            % {"grade": level, "grades": "、".join(grades) or "—"}
                        ]
                    }
                )
        if kind == "occupation":
            level = ""
        years = rule.get("years")
        if kind in ("years_at_skill_level", "years_at_title", "years_at_grade"):
            if years is None:
                raise ValidationError({f"rules[{i}].years": [_("Say how many years.")]})
            if not isinstance(years, int) or not 0 <= years <= 50:
                raise ValidationError(
                    {f"rules[{i}].years": [_("Give a number of years from 0 to 50.")]}
                )
        else:
            years = None
        prefixes = str(rule.get("prefixes") or "").replace("，", ",").replace(" ", "")
        if kind == "occupation":
            codes = [c for c in prefixes.split(",") if c]
            if not codes or not all(OCCUPATION_CODES.fullmatch(c) for c in codes):
                raise ValidationError(
                    {
                        f"rules[{i}].prefixes": [
                            _("Give occupation codes such as 6 or 2-02, comma-separated.")
                        ]
                    }
                )
            prefixes = ",".join(codes)
        else:
            prefixes = ""
        path = str(rule.get("path") or "standard").strip()
        key = (target, path, kind, level)
        if key in seen:
            raise ValidationError(
                {f"rules[{i}].kind": [_("This condition is already on this path.")]}
            )
        seen.add(key)
        row = BridgeRule(
            target=target,
            path=path,
            kind=kind,
            level=level,
            years=years,
            prefixes=prefixes,
            source=str(rule.get("source") or ""),
        )
        _clean_row(row, f"rules[{i}]")
        rows.append(row)
    return rows


_rule_rows = bridge_rules_check


def _equivalence_rows(rows: Iterable[Mapping[str, Any]]) -> list[EquivalenceRow]:
    out = []
    for i, row in enumerate(rows):
        if row.get("skill_level") not in SKILL_RANK:
            raise ValidationError({f"equivalences[{i}].skill_level": [_("Unknown skill level.")]})
        item = EquivalenceRow(
            skill_level=row["skill_level"],
            title_level=row.get("title_level", ""),
            management_grade=str(row.get("management_grade") or ""),
            source=str(row.get("source") or ""),
        )
        _clean_row(item, f"equivalences[{i}]")
        out.append(item)
    return out


@transaction.atomic
def career_table_create(
    *,
    actor: Any,
    organization: Organization,
    effective_from: dt.date,
    rules: Iterable[Mapping[str, Any]] | None = None,
    equivalences: Iterable[Mapping[str, Any]] | None = None,
    note: str = "",
) -> CareerTable:
    """A draft of a new version of the enterprise's career table, to be in force from
    ``effective_from`` (today or later: a table never changes the past) once another person
    approves it (``career_table_approve``). Rules or equivalences left out are copied from the
    version in force on that day (or the policy defaults). The versions before stay as they were."""
    access.require(actor, "careers.manage", organization)
    _enterprise(organization)
    _forward(effective_from)
    if CareerTable.objects.filter(
        organization=organization,
        effective_from=effective_from,
        status=CareerTable.Status.IN_FORCE,
    ).exists():
        raise _version_exists()
    current = table_in_force(organization, effective_from)
    if rules is None:
        rules = [r.__dict__ for r in current.rules]
    if equivalences is None:
        equivalences = [e.__dict__ for e in current.equivalences]
    equivalences = list(equivalences)
    grades = [str(e.get("management_grade") or "").strip() for e in equivalences]
    rule_rows = _rule_rows(rules, grades)
    equivalence_rows = _equivalence_rows(equivalences)
    table = CareerTable(
        organization=organization,
        effective_from=effective_from,
        note=note.strip(),
        status=CareerTable.Status.DRAFT,
        created_by=user_or_none(actor),
    )
    table.full_clean(exclude=["code"], validate_constraints=False)
    table.save()
    for row in rule_rows:
        row.table = table
    for row in equivalence_rows:
        row.table = table
    BridgeRule.objects.bulk_create(rule_rows)
    EquivalenceRow.objects.bulk_create(equivalence_rows)
    audit(
        actor=actor,
        action="careers.table_create",
        obj=table,
        organization=organization,
        details={
            "effective_from": effective_from,
            "rules": len(rule_rows),
            "equivalences": len(equivalence_rows),
        },
    )
    return table


def _forward(day: dt.date) -> None:
    if day < timezone.localdate():
        raise ApplicationError(
            _("A career table applies from today or later, never to the past."),
            code="not_forward",
            details=[{"field": "effective_from", "error": _("The date is in the past.")}],
        )


def _version_exists() -> ConflictError:
    return ConflictError(
        _("A version of the table already starts on that day."),
        code="version_exists",
        details=[{"field": "effective_from", "error": _("A version already starts that day.")}],
    )


def _draft(table: CareerTable) -> CareerTable:
    locked = CareerTable.objects.select_for_update().select_related("organization").get(pk=table.pk)
    if locked.status != CareerTable.Status.DRAFT:
        raise ConflictError(
            _("Only a draft can be approved or set aside; this version is “%(status)s”.")
            % {"status": locked.get_status_display()},
            code="not_draft",
        )
    return locked


@audited_refusals
@transaction.atomic
def career_table_approve(*, actor: Any, table: CareerTable, note: str = "") -> CareerTable:
    """Put a draft in force from its day: by someone who may change the table and did not draft
    it (refused and audited). Still forward only, and never a second version on one day."""
    access.require(actor, "careers.manage", table.organization)
    locked = _draft(table)
    if same_person(actor, locked.created_by_id):
        raise DutyConflict(
            _("Whoever drafted a version of the career table may not approve it."),
            action="careers.table_approve",
            obj=locked,
            organization=locked.organization,
            reason="drafter",
        )
    _forward(locked.effective_from)
    if len(note or "") > 200:
        raise ApplicationError(
            _("A note is at most 200 characters."),
            details=[{"field": "note", "error": _("A note is at most 200 characters.")}],
        )
    locked.status = CareerTable.Status.IN_FORCE
    locked.decided_by = user_or_none(actor)
    locked.decided_at = timezone.now()
    locked.decision_note = (note or "").strip()
    try:
        with transaction.atomic():
            locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    except IntegrityError:
        raise _version_exists() from None
    audit(
        actor=actor,
        action="careers.table_approve",
        obj=locked,
        organization=locked.organization,
        details={"effective_from": locked.effective_from, "note": locked.decision_note},
    )
    return locked


@transaction.atomic
def career_table_discard(*, actor: Any, table: CareerTable, note: str) -> CareerTable:
    """Set a draft aside with the reason (the reviewer's refusal, or the drafter withdrawing it);
    it is kept, never applied."""
    access.require(actor, "careers.manage", table.organization)
    locked = _draft(table)
    note = (note or "").strip()
    if not note or len(note) > 200:
        message = _("Say why, in at most 200 characters.")
        raise ApplicationError(
            message, code="invalid", details=[{"field": "note", "error": message}]
        )
    locked.status = CareerTable.Status.DISCARDED
    locked.decided_by = user_or_none(actor)
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit(
        actor=actor,
        action="careers.table_discard",
        obj=locked,
        organization=locked.organization,
        details={"effective_from": locked.effective_from, "note": note},
    )
    return locked


@transaction.atomic
def expert_level_save(
    *,
    actor: Any,
    organization: Organization,
    rank: int,
    name: str,
    min_skill_level: str,
    min_years: int = 0,
    criteria: str = "",
    quota: int = 1,
    term_years: int = 3,
) -> ExpertLevel:
    """Create or change one of the enterprise's (at most six) skill-expert levels."""
    access.require(actor, "careers.manage", organization)
    _enterprise(organization)
    if not 1 <= int(rank) <= MAX_EXPERT_LEVELS:
        raise ValidationError({"rank": [_("An enterprise has at most six expert levels.")]})
    if min_skill_level not in SKILL_RANK:
        raise ValidationError({"min_skill_level": [_("Unknown skill level.")]})
    level = (
        ExpertLevel.objects.select_for_update().filter(organization=organization, rank=rank).first()
    ) or ExpertLevel(organization=organization, rank=rank)
    level.name = name.strip()
    level.min_skill_level = min_skill_level
    level.min_years = min_years
    level.criteria = criteria.strip()
    level.quota = quota
    level.term_years = term_years
    level.full_clean(exclude=["code"], validate_constraints=False)
    level.save()
    audit(
        actor=actor,
        action="careers.expert_level_save",
        obj=level,
        organization=organization,
        details={"rank": rank, "name": level.name, "quota": quota},
    )
    return level


# ------------------------------------------------------------------ bridge applications
def _may_apply(actor: Any, worker: Worker) -> bool:
    own = worker.user_id is not None and same_person(actor, worker.user_id)
    return own or access.can(actor, "careers.apply", worker.organization)


@transaction.atomic
def bridge_application_submit(
    *, actor: Any, worker: Worker, target: str, note: str = ""
) -> BridgeApplication:
    """File an application for a target title or level (the worker themself, or HR for them).
    The conditions as judged today are kept with it; an ineligible application may be filed (the
    reviewer sees what is missing) but never approved."""
    if not _may_apply(actor, worker):
        raise PermissionDenied("careers.apply")
    code = normalise_target(target)
    if not code:
        raise ValidationError({"target": [_("Unknown target title or level.")]})
    today = timezone.localdate()
    answer = judge(worker, code, today)
    application = BridgeApplication(
        worker=worker,
        organization=worker.organization,
        target=code,
        eligible=answer.eligible,
        conditions=[c.as_dict() for c in answer.conditions],
        note=note.strip(),
        submitted_by=user_or_none(actor),
    )
    application.full_clean(exclude=["code"], validate_constraints=False)
    if BridgeApplication.objects.filter(
        worker=worker, target=code, status=BridgeApplication.Status.SUBMITTED
    ).exists():
        raise ConflictError(
            _("An application for this target is already awaiting review."), code="already_open"
        )
    application.save()
    audit(
        actor=actor,
        action="careers.bridge_submit",
        obj=application,
        organization=worker.organization,
        details={"worker": worker.code, "target": code, "eligible": answer.eligible},
    )
    return application


def _write_outcome(actor: Any, application: BridgeApplication, on: dt.date) -> str:
    """Write the approved outcome into the worker's history: a title record for a title, a
    skill-level change through the workforce service for a skill level. Returns its code."""
    worker = application.worker
    if target_kind(application.target) == "title":
        title = ProfessionalTitle(
            worker=worker,
            field=_("engineering"),
            name=TITLE_ZH[application.target],
            level=application.target,
            date=on,
            issuer=application.organization.name[:100],
            source_ref=application.code,
            recorded_by=user_or_none(actor),
        )
        title.full_clean(exclude=["code", "worker"])
        title.save()
        return title.code
    from gongjiang.workforce.services import worker_skill_level_change

    # the careers decision is the authority here (checked at the door of bridge_application_decide):
    # the registry records it as the careers system, naming the application as its source
    change = worker_skill_level_change(
        actor=SystemActor("careers.bridge"),
        worker=worker,
        level=application.target,
        date=on,
        source=_("bridge application"),
        source_ref=application.code,
        reason=_("recognised across channels"),
    )
    return change.code


@audited_refusals
@transaction.atomic
def bridge_application_decide(
    *, actor: Any, application: BridgeApplication, approve: bool, note: str = ""
) -> BridgeApplication:
    """Approve or reject an application. Whoever filed it — and the worker themself — never
    decides it (core.duties); approval needs the conditions met on the day of the decision."""
    note = (note or "").strip()
    if len(note) > 500:
        raise field_error("note", _("The decision note is at most 500 characters."))
    locked = (
        BridgeApplication.objects.select_for_update()
        .select_related("worker", "organization", "worker__organization")
        .get(pk=application.pk)
    )
    access.require(actor, "careers.decide", locked.organization)
    if locked.status != BridgeApplication.Status.SUBMITTED:
        raise ConflictError(_("This application has already been decided."), code="decided")
    if same_person(actor, locked.submitted_by_id) or same_person(actor, locked.worker.user_id):
        raise DutyConflict(
            _("Whoever filed an application, and the applicant, may not decide it."),
            action="careers.bridge_decide",
            obj=locked,
            organization=locked.organization,
            reason="submitter_or_applicant",
        )
    today = timezone.localdate()
    if approve:
        answer = judge(locked.worker, locked.target, today)
        if not answer.eligible:
            raise ConflictError(
                _("The conditions are not met today; the application cannot be approved."),
                code="not_eligible",
                details=[
                    {"field": c.rule, "error": f"{c.required} / {c.actual or '—'}"}
                    for c in answer.unmet
                ],
            )
        locked.conditions = [c.as_dict() for c in answer.conditions]
        locked.outcome_ref = _write_outcome(actor, locked, today)
    locked.status = (
        BridgeApplication.Status.APPROVED if approve else BridgeApplication.Status.REJECTED
    )
    locked.decided_by = user_or_none(actor)
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.full_clean(exclude=["code"], validate_constraints=False)
    locked.save()
    audit(
        actor=actor,
        action="careers.bridge_decide",
        obj=locked,
        organization=locked.organization,
        details={"status": locked.status, "outcome": locked.outcome_ref, "note": note},
    )
    return locked
