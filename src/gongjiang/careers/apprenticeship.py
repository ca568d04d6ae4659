"""Services of the enterprise new-style apprenticeship (企业新型学徒制): the rules table, pilot
enterprises, training institutions, cohorts, and apprentices with their training agreement and two
mentors. The training itself (plan, progress, completion, evaluation) is in
``apprenticeship_training``, the subsidy claims in ``apprenticeship_claims``.

The enterprise mentor's limit is counted under a lock on the mentor's registry row: two cadres
giving the mentor's last place to two apprentices at once never both succeed.

Permission at the door, one transaction, audit inside."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.duties import DutyConflict, acts_only_for, audited_refusals
from gongjiang.core.errors import ApplicationError, ConflictError, field_error
from gongjiang.core.ledger.services import money
from gongjiang.core.models import Occupation, Organization, SkillLevel
from gongjiang.workforce.models import Worker

from . import apprenticeship_rules as R
from .apprenticeship_common import MANAGE, PILOT, RULES, RuleSet, Status, lock
from .form_values import bounded_text
from .models_apprentice import (
    Apprentice,
    ApprenticeCohort,
    ApprenticePilot,
    ApprenticeRule,
    TrainingInstitution,
)

GOVERNMENT_KINDS = {"national", "provincial", "city", "county", "industry", "department"}


def _whole(value: Any, field: str, low: int, high: int) -> int:
    text = str(value).strip() if not isinstance(value, bool) else ""
    if not text.isdigit() or not low <= int(text) <= high:
        raise field_error(
            field, _("Give a whole number from %(a)s to %(b)s.") % {"a": low, "b": high}
        )
    return int(text)


# ------------------------------------------------------------------------------------ rules
def _rule_value(key: str, value: Any) -> str:
    if key in R.PERIOD_KEYS:
        return str(_whole(value, "value", 1, R.PERIOD_CEILING))
    if key == R.SUBSIDY:
        return str(money(value, field="value"))
    if key == R.ADVANCE:
        try:
            pct = Decimal(str(value).strip())
        except ArithmeticError:
            pct = Decimal(-1)
        if not pct.is_finite() or not 0 <= pct <= 100 or pct != pct.quantize(Decimal("0.01")):
            raise field_error("value", _("Give a percentage from 0 to 100 (at most 2 decimals)."))
        return str(pct.quantize(Decimal("0.01")))
    if key == R.MENTOR_LEVEL:
        level = SkillLevel.objects.filter(code=str(value).strip()).first()
        if level is None or level.rank < 2:
            raise field_error("value", _("Choose a skill level from 初级工 up."))
        return level.code
    if key == R.MENTOR_LIMIT:
        return str(_whole(value, "value", 1, 50))
    if key == R.CONTRACT_MIN:
        return str(_whole(value, "value", 1, 120))
    if key == R.DOCUMENTS:
        kinds = [k.strip() for k in str(value).split(",") if k.strip()]
        if not kinds or any(k not in R.DOCUMENT_KINDS for k in kinds):
            raise field_error(
                "value", _("Name the documents among: %(k)s.") % {"k": ", ".join(R.DOCUMENT_KINDS)}
            )
        return ",".join(dict.fromkeys(kinds))
    raise field_error("key", _("Unknown rule."))


@transaction.atomic
def apprentice_rule_set(
    *,
    actor: Any,
    organization: Organization,
    key: str,
    value: Any,
    level: str = "",
    source: str = "",
) -> ApprenticeRule | None:
    """Set (or, with an empty value, clear) a rule for ``organization``'s subtree. The subsidy is
    set by a city or a body above it, never by an enterprise; period rules may name a target
    level and must keep shortest ≤ longest ≤ longest in special cases for every level."""
    access.require(actor, RULES, organization)
    if key not in R.KEYS:
        raise field_error("key", _("Unknown rule."))
    level = (level or "").strip()
    if level and (key not in R.PERIOD_KEYS or level not in R.TARGET_LEVELS):
        raise field_error("level", _("Only the period rules are set per target level."))
    if key in R.GOVERNMENT_KEYS and organization.kind not in GOVERNMENT_KINDS:
        raise field_error(
            "organization",
            _("The subsidy is set by a city (市) or a body above it, not by an enterprise."),
        )
    existing = ApprenticeRule.objects.filter(organization=organization, key=key, level=level)
    clear = value is None or str(value).strip() == ""
    row = None
    if clear:
        existing.delete()
    else:
        row, _created = ApprenticeRule.objects.update_or_create(
            organization=organization,
            key=key,
            level=level,
            defaults={
                "value": _rule_value(key, value),
                "source": bounded_text(source, "source", 200),
                "set_by": user_or_none(actor),
            },
        )
    if key in R.PERIOD_KEYS:
        rules = RuleSet(organization)
        for target in R.TARGET_LEVELS:
            low, high, special = rules.period(target)
            if not low <= high <= special:
                raise field_error(
                    "value",
                    _(
                        "For %(level)s the periods would be %(a)s / %(b)s / %(c)s months: the "
                        "shortest, the longest and the longest in special cases must rise."
                    )
                    % {"level": target, "a": low, "b": high, "c": special},
                )
    audit(
        actor=actor,
        action="careers.apprentice_rule_set",
        obj=organization,
        organization=organization,
        details={"key": key, "level": level, "value": row.value if row else ""},
    )
    return row


# ----------------------------------------------------------------- pilots and institutions
@audited_refusals
@transaction.atomic
def apprentice_pilot_create(
    *,
    actor: Any,
    organization: Organization,
    since: dt.date,
    designated_by: str = "",
    note: str = "",
) -> ApprenticePilot:
    """Make an enterprise a pilot. A body above the enterprise designates it (an officer whose
    roles sit only inside the enterprise does not: refused and audited)."""
    access.require(actor, PILOT, organization)
    if organization.kind != Organization.Kind.ENTERPRISE:
        raise field_error("organization", _("A pilot is an enterprise (its enterprise union)."))
    if acts_only_for(actor, PILOT, organization):
        raise DutyConflict(
            _("An enterprise is designated a pilot by a body above it."),
            action="careers.apprentice_pilot_create",
            obj=organization,
            organization=organization,
            reason="own_enterprise",
        )
    if ApprenticePilot.objects.filter(organization=organization).exists():
        raise ConflictError(_("The enterprise is already a pilot."), code="duplicate")
    pilot = ApprenticePilot(
        organization=organization,
        since=since,
        designated_by=bounded_text(designated_by, "designated_by", 100),
        note=bounded_text(note, "note", 500),
        created_by=user_or_none(actor),
    )
    pilot.full_clean(exclude=["code", "organization"])
    pilot.save()
    audit(
        actor=actor,
        action="careers.apprentice_pilot_create",
        obj=pilot,
        organization=organization,
        details={"since": since.isoformat()},
    )
    return pilot


@transaction.atomic
def training_institution_create(
    *, actor: Any, organization: Organization, name: str, kind: str
) -> TrainingInstitution:
    """A training institution for the pilots of ``organization``'s subtree."""
    access.require(actor, MANAGE, organization)
    institution = TrainingInstitution(
        organization=organization,
        name=(name or "").strip(),
        kind=kind,
        created_by=user_or_none(actor),
    )
    institution.full_clean(exclude=["code", "organization"], validate_constraints=False)
    if TrainingInstitution.objects.filter(
        organization=organization, name=institution.name
    ).exists():
        raise field_error("name", _("This institution is already registered here."), "duplicate")
    institution.save()
    audit(
        actor=actor,
        action="careers.training_institution_create",
        obj=institution,
        organization=organization,
        details={"name": institution.name, "kind": kind},
    )
    return institution


def institutions_for(pilot: ApprenticePilot) -> Any:
    """The institutions a pilot may train with: registered at the enterprise or above it."""
    from .apprenticeship_common import ancestor_paths

    return TrainingInstitution.objects.filter(
        organization__path__in=ancestor_paths(pilot.organization)
    )


# ------------------------------------------------------------------------------------ cohorts
@transaction.atomic
def apprentice_cohort_create(
    *,
    actor: Any,
    pilot: ApprenticePilot,
    institution: TrainingInstitution,
    name: str,
    occupation: str,
    level: str,
    year: int,
) -> ApprenticeCohort:
    """A class of one pilot with one institution, for one occupation and target level (中级工,
    高级工, 技师 or 高级技师: the guidance's targets)."""
    access.require(actor, MANAGE, pilot.organization)
    if not institutions_for(pilot).filter(pk=institution.pk).exists():
        raise field_error("institution", _("Choose an institution registered for this pilot."))
    if level not in R.TARGET_LEVELS:
        raise field_error(
            "level", _("The target is 中级工, 高级工, 技师 or 高级技师 (人社部发〔2021〕39号).")
        )
    occ = Occupation.objects.filter(code=(occupation or "").strip(), level="occupation").first()
    if occ is None:
        raise field_error("occupation", _("Choose an occupation of the classification."))
    cohort = ApprenticeCohort(
        pilot=pilot,
        institution=institution,
        name=(name or "").strip(),
        occupation=occ,
        level_id=level,
        year=_whole(year, "year", 2000, 2100),
        created_by=user_or_none(actor),
    )
    cohort.full_clean(exclude=["code", "pilot", "institution"], validate_constraints=False)
    if ApprenticeCohort.objects.filter(pilot=pilot, name=cohort.name).exists():
        raise field_error("name", _("The pilot already has a cohort of this name."), "duplicate")
    cohort.save()
    audit(
        actor=actor,
        action="careers.apprentice_cohort_create",
        obj=cohort,
        organization=pilot.organization,
        details={"occupation": occ.code, "level": level, "year": cohort.year},
    )
    return cohort


# -------------------------------------------------------------------------------- apprentices
def _period(rules: RuleSet, level: str, start: dt.date, end: dt.date, reason: str) -> None:
    shortest, longest, special = rules.period(level)
    check = R.check_period(start, end, shortest=shortest, longest=longest, special=special)
    if not check.ok:
        raise field_error(
            "ends_on",
            _(
                "The training lasts %(a)s to %(b)s months (up to %(c)s in special cases): from "
                "%(start)s it ends between %(first)s and %(last)s."
            )
            % {
                "a": shortest,
                "b": longest,
                "c": special,
                "start": start.isoformat(),
                "first": check.shortest_end.isoformat(),
                "last": check.special_end.isoformat(),
            },
            "period",
        )
    if check.special and not reason:
        raise field_error(
            "special_reason",
            _("A period beyond %(b)s months (after %(end)s) is a special case: give its reason.")
            % {"b": longest, "end": check.regular_end.isoformat()},
            "special_reason",
        )


def _mentor(rules: RuleSet, pilot: ApprenticePilot, worker: Worker, mentor: Worker) -> Worker:
    """Check the enterprise mentor and take one of their places — under a lock on the mentor's
    registry row, so concurrent assignments are counted one after the other."""
    locked = (
        Worker.objects.select_for_update(of=("self",))
        .select_related("skill_level", "organization")
        .get(pk=mentor.pk)
    )
    if locked.pk == worker.pk:
        raise field_error("mentor", _("An apprentice is not their own mentor."))
    if locked.status != Worker.Status.ACTIVE or not locked.organization.path.startswith(
        pilot.organization.path
    ):
        raise field_error("mentor", _("The enterprise mentor is a worker on the job at the pilot."))
    wanted = rules.rule(R.MENTOR_LEVEL).value
    need = SkillLevel.objects.get(code=wanted)
    if locked.skill_level is None or locked.skill_level.rank < need.rank:
        raise field_error(
            "mentor",
            _("The enterprise mentor needs %(need)s or above; %(name)s is %(have)s.")
            % {
                "need": need.name_zh,
                "name": locked.name,
                "have": locked.skill_level.name_zh if locked.skill_level else "—",
            },
            "mentor_level",
        )
    limit = int(rules.rule(R.MENTOR_LIMIT).value)
    taken = Apprentice.objects.filter(mentor=locked, status=Status.TRAINING).count()
    if taken >= limit:
        raise ConflictError(
            _("%(name)s already mentors %(n)s apprentices, the most one mentor may have.")
            % {"name": locked.name, "n": taken},
            code="mentor_full",
            details=[{"field": "mentor", "error": f"{taken}/{limit}"}],
        )
    return locked


@transaction.atomic
def apprentice_enrol(
    *,
    actor: Any,
    cohort: ApprenticeCohort,
    worker: Worker,
    origin: str,
    signed_on: dt.date,
    contract_months: int,
    starts_on: dt.date,
    ends_on: dt.date,
    mentor: Worker,
    teacher_name: str,
    teacher: Any = None,
    agreement_number: str = "",
    special_reason: str = "",
) -> Apprentice:
    """An apprentice of the cohort with the training agreement: a worker of the pilot on the job,
    with a labour contract of at least the rule's months, a period within the rules for the
    cohort's target level, an enterprise mentor of the pilot with the level and a free place, and
    the institution's teacher."""
    pilot = cohort.pilot
    access.require(actor, MANAGE, pilot.organization)
    if not worker.organization.path.startswith(pilot.organization.path):
        raise field_error("worker", _("The apprentice is a worker of the pilot enterprise."))
    if worker.status != Worker.Status.ACTIVE:
        raise field_error("worker", _("The worker is not on the job."))
    if origin not in Apprentice.Origin.values:
        raise field_error("origin", _("A new hire or a worker transferred to a new post."))
    rules = RuleSet(pilot.organization)
    shortest_contract = int(rules.rule(R.CONTRACT_MIN).value)
    contract_months = _whole(contract_months, "contract_months", 1, 600)
    if contract_months < shortest_contract:
        raise field_error(
            "contract_months",
            _("The labour contract runs at least %(n)s months.") % {"n": shortest_contract},
        )
    for field, day in (("signed_on", signed_on), ("starts_on", starts_on), ("ends_on", ends_on)):
        if not 2000 <= day.year <= 2100:
            raise field_error(field, _("Give a date from 2000 to 2100."))
    if signed_on > starts_on:
        raise field_error("signed_on", _("The agreement is signed before the training starts."))
    reason = bounded_text(special_reason, "special_reason", 300)
    _period(rules, cohort.level_id, starts_on, ends_on, reason)
    teacher_name = bounded_text(teacher_name, "teacher_name", 50)
    if not teacher_name:
        raise field_error("teacher_name", _("Name the institution's teacher."))
    if Apprentice.objects.filter(worker=worker, status=Status.TRAINING).exists():
        raise ConflictError(_("The worker is already an apprentice in training."), code="duplicate")
    locked_mentor = _mentor(rules, pilot, worker, mentor)
    apprentice = Apprentice(
        cohort=cohort,
        worker=worker,
        origin=origin,
        agreement_number=bounded_text(agreement_number, "agreement_number", 40),
        signed_on=signed_on,
        contract_months=contract_months,
        starts_on=starts_on,
        ends_on=ends_on,
        special_reason=reason,
        mentor=locked_mentor,
        teacher_name=teacher_name,
        teacher=teacher,
        created_by=user_or_none(actor),
    )
    apprentice.full_clean(
        exclude=["code", "cohort", "worker", "mentor", "teacher", "candidate"],
        validate_constraints=False,
    )
    try:
        with transaction.atomic():  # the same worker enrolled at once by two cadres
            apprentice.save()
    except IntegrityError:
        raise ConflictError(
            _("The worker is already an apprentice in training."), code="duplicate"
        ) from None
    audit(
        actor=actor,
        action="careers.apprentice_enrol",
        obj=apprentice,
        organization=pilot.organization,
        details={
            "cohort": cohort.code,
            "worker": worker.code,
            "mentor": locked_mentor.code,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "special": bool(reason),
        },
    )
    return apprentice


@transaction.atomic
def apprentice_mentor_change(
    *,
    actor: Any,
    apprentice: Apprentice,
    mentor: Worker | None = None,
    teacher_name: str | None = None,
    teacher: Any = None,
) -> Apprentice:
    """Another enterprise mentor (checked and counted as at the start) or institution teacher."""
    access.require(actor, MANAGE, apprentice.cohort.pilot.organization)
    a = lock(apprentice, Status.TRAINING)
    changed: dict[str, str] = {}
    if mentor is not None and mentor.pk != a.mentor_id:
        a.mentor = _mentor(RuleSet(a.cohort.pilot.organization), a.cohort.pilot, a.worker, mentor)
        changed["mentor"] = a.mentor.code
    if teacher_name is not None and teacher_name.strip():
        a.teacher_name = bounded_text(teacher_name, "teacher_name", 50)
        a.teacher = teacher
        changed["teacher"] = a.teacher_name
    if not changed:
        raise ApplicationError(_("Nothing to change."), code="unchanged")
    a.save(update_fields=["mentor", "teacher_name", "teacher"])
    audit(
        actor=actor,
        action="careers.apprentice_mentor_change",
        obj=a,
        organization=a.cohort.pilot.organization,
        details=changed,
    )
    return a


@transaction.atomic
def apprentice_terminate(
    *, actor: Any, apprentice: Apprentice, ended_on: dt.date, note: str = ""
) -> Apprentice:
    """The agreement ends early (the apprentice left, changed post …): their mentor's place is
    free again and later claims count their months up to ``ended_on``."""
    access.require(actor, MANAGE, apprentice.cohort.pilot.organization)
    a = lock(apprentice, Status.TRAINING)
    if not a.starts_on <= ended_on <= timezone.localdate():
        raise field_error("ended_on", _("The date lies between the start and today."))
    note = bounded_text(note, "note", 300)
    if not note:
        raise field_error("note", _("Say why the agreement ends early."))
    a.status = Status.TERMINATED
    a.ended_on = ended_on
    a.end_note = note
    a.save(update_fields=["status", "ended_on", "end_note"])
    audit(
        actor=actor,
        action="careers.apprentice_terminate",
        obj=a,
        organization=a.cohort.pilot.organization,
        details={"ended_on": ended_on.isoformat()},
    )
    return a


from .apprenticeship_claims import (  # noqa: E402
    apprentice_claim_advance_create,
    apprentice_claim_correct,
    apprentice_claim_create,
    apprentice_claim_decide,
    apprentice_claim_document_add,
    apprentice_claim_documents_add,
    apprentice_claim_pay,
    apprentice_claim_submit,
)
from .apprenticeship_training import (  # noqa: E402
    apprentice_complete,
    apprentice_courses_credit,
    apprentice_evaluation_enrol,
    apprentice_plan_item_add,
    apprentice_plan_item_done,
    apprentice_progress_record,
)

__all__ = [
    "apprentice_claim_advance_create",
    "apprentice_claim_create",
    "apprentice_claim_correct",
    "apprentice_claim_decide",
    "apprentice_claim_document_add",
    "apprentice_claim_documents_add",
    "apprentice_claim_pay",
    "apprentice_claim_submit",
    "apprentice_cohort_create",
    "apprentice_complete",
    "apprentice_courses_credit",
    "apprentice_enrol",
    "apprentice_evaluation_enrol",
    "apprentice_mentor_change",
    "apprentice_pilot_create",
    "apprentice_plan_item_add",
    "apprentice_plan_item_done",
    "apprentice_progress_record",
    "apprentice_rule_set",
    "apprentice_terminate",
    "institutions_for",
    "training_institution_create",
]
