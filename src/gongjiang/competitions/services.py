"""Competitions, trades, stages, quotas, entries and advancement (the state-changing side).

Marking lives in ``marking.py``, results in ``results.py``, awards in ``awards.py``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import user_or_none
from gongjiang.core.audit import audit_record
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Occupation, Organization, SkillLevel

from .models import Competition, Entry, Quota, Stage, Trade

NATIONAL_DEFAULT_WEIGHT = Decimal("0.3")


def require_organiser(actor: Any, competition: Competition) -> None:
    access.require(actor, "competitions.change_competition", competition.organization)


# --------------------------------------------------------------------------- set-up
@transaction.atomic
def competition_create(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    year: int,
    level: str,
    klass: str = Competition.Klass.I,
    theory_weight: Decimal | float | str | None = None,
    tie_break_criteria: list[str] | None = None,
    prize_counts: dict[str, int] | None = None,
    scaler: str = "none",
    co_organisers: list[Organization] | None = None,
    blind_judging: bool = True,
) -> Competition:
    """Create a competition organised by ``organization``; the theory weight defaults to 0.3 (3:7);
    judging is blind (by draw number, see ``draw.py``) unless ``blind_judging`` is False."""
    access.require(actor, "competitions.change_competition", organization)
    from .scalers import SCALERS

    if scaler not in SCALERS:
        raise ValidationError({"scaler": [_("Unknown standardisation method.")]})
    competition = Competition(
        organization=organization,
        name=name.strip(),
        year=year,
        level=level,
        klass=klass,
        theory_weight=Decimal(str(theory_weight))
        if theory_weight is not None
        else NATIONAL_DEFAULT_WEIGHT,
        tie_break_criteria=[str(c).strip().upper() for c in (tie_break_criteria or [])],
        prize_counts=prize_counts or {},
        scaler=scaler,
        blind_judging=blind_judging,
    )
    competition.full_clean(exclude=["code"])
    competition.save()
    if co_organisers:
        competition.co_organisers.set(co_organisers)
    audit_record(
        actor=actor,
        action="competition.create",
        obj=competition,
        details={
            "name": competition.name,
            "year": year,
            "level": level,
            "blind_judging": blind_judging,
        },
    )
    return competition


@transaction.atomic
def competition_update(*, actor: Any, competition: Competition, **fields: Any) -> Competition:
    require_organiser(actor, competition)
    allowed = {
        "name",
        "year",
        "level",
        "klass",
        "theory_weight",
        "tie_break_criteria",
        "prize_counts",
        "scaler",
        "status",
        "blind_judging",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    before = {k: str(getattr(competition, k)) for k in fields}
    for key, value in fields.items():
        if key == "theory_weight":
            value = Decimal(str(value))
        setattr(competition, key, value)
    competition.full_clean(exclude=["code"])
    competition.save()
    audit_record(
        actor=actor,
        action="competition.update",
        obj=competition,
        details={k: [before[k], str(v)] for k, v in fields.items()},
    )
    return competition


@transaction.atomic
def trade_create(
    *,
    actor: Any,
    competition: Competition,
    name: str,
    occupation: Occupation | str,
    skill_level: SkillLevel | str,
    eligible_occupations: list[Occupation] | None = None,
    require_occupation: bool = True,
    min_skill_level: SkillLevel | str | None = None,
    max_skill_level: SkillLevel | str | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
    age_reference_date: dt.date | None = None,
    require_active: bool = True,
    excluded_titles: list[str] | None = None,
) -> Trade:
    require_organiser(actor, competition)

    def level(v: Any) -> SkillLevel | None:
        return SkillLevel.objects.get(pk=v) if isinstance(v, str) else v

    trade = Trade(
        competition=competition,
        name=name.strip(),
        occupation=Occupation.objects.get(pk=occupation)
        if isinstance(occupation, str)
        else occupation,
        skill_level=level(skill_level),
        require_occupation=require_occupation,
        min_skill_level=level(min_skill_level),
        max_skill_level=level(max_skill_level),
        min_age=min_age,
        max_age=max_age,
        age_reference_date=age_reference_date,
        require_active=require_active,
        excluded_titles=[t.strip() for t in (excluded_titles or []) if t.strip()],
    )
    trade.full_clean(exclude=["code"])
    if (
        trade.min_skill_level
        and trade.max_skill_level
        and trade.min_skill_level.rank > trade.max_skill_level.rank
    ):
        raise ValidationError(
            {"max_skill_level": [_("The maximum skill level is below the minimum.")]}
        )
    if min_age and max_age and min_age > max_age:
        raise ValidationError({"max_age": [_("The maximum age is below the minimum.")]})
    trade.save()
    if eligible_occupations:
        trade.eligible_occupations.set(eligible_occupations)
    audit_record(
        actor=actor,
        action="competition.trade_create",
        obj=competition,
        details={"trade": trade.name},
    )
    return trade


@transaction.atomic
def stage_create(
    *,
    actor: Any,
    competition: Competition,
    order: int,
    name: str,
    kind: str,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    venue: str = "",
    entry_deadline: dt.date | None = None,
) -> Stage:
    require_organiser(actor, competition)
    if kind not in Organization.Kind.values:
        raise ValidationError({"kind": [_("Unknown organisation kind.")]})
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": [_("The stage ends before it starts.")]})
    stage = Stage(
        competition=competition,
        order=order,
        name=name.strip(),
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        venue=venue,
        entry_deadline=entry_deadline,
    )
    stage.full_clean(exclude=["code"])
    stage.save()
    audit_record(
        actor=actor, action="competition.stage_create", obj=competition, details={"stage": name}
    )
    return stage


@transaction.atomic
def quota_set(
    *,
    actor: Any,
    stage: Stage,
    trade: Trade,
    organization: Organization,
    places: int,
    waiting: int = 2,
) -> Quota:
    """How many of ``organization``'s entrants at ``stage`` go to the next stage (upsert)."""
    require_organiser(actor, stage.competition)
    if trade.competition_id != stage.competition_id:
        raise ApplicationError(_("The trade belongs to another competition."))
    if stage.next_stage() is None:
        raise ApplicationError(
            _("The final stage has no quotas: nobody advances from it."), code="final_stage"
        )
    for other in (
        Quota.objects.filter(stage=stage, trade=trade)
        .exclude(organization=organization)
        .select_related("organization")
    ):
        if other.organization.path.startswith(organization.path) or organization.path.startswith(
            other.organization.path
        ):
            raise ApplicationError(
                _(
                    "%(org)s already has a quota in this stage and trade: quota organisations may not contain one another."
                )
                % {"org": other.organization.name},
                code="quota_overlap",
            )
    quota, _created = Quota.objects.update_or_create(
        stage=stage,
        trade=trade,
        organization=organization,
        defaults={"places": places, "waiting": waiting},
    )
    audit_record(
        actor=actor,
        action="competition.quota_set",
        obj=stage.competition,
        organization=organization,
        details={"stage": stage.name, "trade": trade.name, "places": places, "waiting": waiting},
    )
    return quota


# --------------------------------------------------------------------------- eligibility
def eligibility_problems(*, trade: Trade, worker: Any, on: dt.date | None = None) -> list[str]:
    """The reasons ``worker`` may not enter ``trade`` (empty when eligible)."""
    problems: list[str] = []
    if trade.require_occupation:
        allowed = {trade.occupation_id, *trade.eligible_occupations.values_list("code", flat=True)}
        if worker.occupation_id not in allowed:
            problems.append(_("The worker's occupation is not one this trade admits."))
    rank = worker.skill_level.rank if worker.skill_level_id else 0
    if trade.min_skill_level_id and rank < trade.min_skill_level.rank:
        problems.append(
            _("Skill level below the minimum (%(level)s).")
            % {"level": trade.min_skill_level.name_zh}
        )
    if trade.max_skill_level_id and rank > trade.max_skill_level.rank:
        problems.append(
            _("Skill level above the maximum (%(level)s).")
            % {"level": trade.max_skill_level.name_zh}
        )
    reference = trade.age_reference_date or on or dt.date(trade.competition.year, 1, 1)
    born = worker.birth_date
    age = reference.year - born.year - ((reference.month, reference.day) < (born.month, born.day))
    if trade.min_age is not None and age < trade.min_age:
        problems.append(
            _("Younger than %(age)d on %(date)s.") % {"age": trade.min_age, "date": reference}
        )
    if trade.max_age is not None and age > trade.max_age:
        problems.append(
            _("Older than %(age)d on %(date)s.") % {"age": trade.max_age, "date": reference}
        )
    if trade.require_active and worker.status != "active":
        problems.append(_("The worker is not on the job."))
    if trade.excluded_titles:
        held = set(
            worker.honours.filter(revoked=False, title__in=trade.excluded_titles).values_list(
                "title", flat=True
            )
        )
        if held:
            problems.append(_("Already holds %(titles)s.") % {"titles": "、".join(sorted(held))})
    return problems


# --------------------------------------------------------------------------- entries
def _may_enter_for(actor: Any, worker: Any, sending_org: Organization) -> bool:
    if getattr(worker, "user_id", None) and worker.user_id == getattr(actor, "pk", None):
        return True
    return access.can(actor, "competitions.change_entry", sending_org)


@transaction.atomic
def _entry_insert(entry: Entry) -> None:
    """Save a new entry; the worker's second entry in the same trade and stage is refused."""
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:
        raise ApplicationError(
            _("The worker has already entered this trade at this stage."), code="duplicate"
        ) from exc


def entry_register(
    *, actor: Any, stage: Stage, trade: Trade, worker: Any, sending_org: Organization | None = None
) -> Entry:
    """A worker registers, or their union nominates them, for a trade at the first stage they
    enter. Eligibility is checked here; a union's nomination starts as ``nominated``."""
    sending_org = sending_org or worker.organization
    if not worker.organization.path.startswith(sending_org.path):
        raise ApplicationError(_("A union can only send its own workers."), code="not_own_worker")
    if not _may_enter_for(actor, worker, sending_org):
        raise PermissionDenied("competitions.change_entry")
    if trade.competition_id != stage.competition_id:
        raise ApplicationError(_("The trade belongs to another competition."))
    problems = eligibility_problems(trade=trade, worker=worker, on=stage.start_date)
    if problems:
        raise ApplicationError(
            _("The worker is not eligible for this trade."),
            code="not_eligible",
            details=[{"field": "worker", "error": p} for p in problems],
        )
    is_self = worker.user_id is not None and worker.user_id == getattr(actor, "pk", None)
    entry = Entry(
        competition=stage.competition,
        trade=trade,
        stage=stage,
        worker=worker,
        sending_org=sending_org,
        status=Entry.Status.REGISTERED if is_self else Entry.Status.NOMINATED,
        registered_by=user_or_none(actor),
        status_changed_at=timezone.now(),
    )
    _entry_insert(entry)
    audit_record(
        actor=actor,
        action="competition.entry_register",
        obj=entry,
        organization=sending_org,
        details={
            "worker": worker.code,
            "trade": trade.name,
            "stage": stage.name,
            "status": entry.status,
        },
    )
    return entry


def _set_status(actor: Any, entry: Entry, status: str, reason: str, action: str) -> Entry:
    before = entry.status
    entry.status = status
    entry.status_reason = reason[:300]
    entry.status_changed_at = timezone.now()
    entry.save(update_fields=["status", "status_reason", "status_changed_at"])
    audit_record(
        actor=actor,
        action=action,
        obj=entry,
        organization=entry.sending_org,
        details={"from": before, "to": status, "reason": reason},
    )
    return entry


def _before_deadline(entry: Entry) -> None:
    deadline = entry.stage.entry_deadline
    if deadline is not None and timezone.localdate() > deadline:
        raise ApplicationError(
            _("The deadline for withdrawals and substitutions (%(date)s) has passed.")
            % {"date": deadline},
            code="deadline_passed",
        )


@transaction.atomic
def entry_confirm(*, actor: Any, entry: Entry, reason: str = "") -> Entry:
    """The union above (the competition's organiser side) reviews and confirms an entry."""
    require_organiser(actor, entry.competition)
    if entry.status not in (Entry.Status.REGISTERED, Entry.Status.NOMINATED):
        raise ApplicationError(
            _("Only a registered or nominated entry can be confirmed."), code="bad_status"
        )
    return _set_status(actor, entry, Entry.Status.CONFIRMED, reason, "competition.entry_confirm")


@transaction.atomic
def entry_withdraw(*, actor: Any, entry: Entry, reason: str) -> Entry:
    if not (
        _may_enter_for(actor, entry.worker, entry.sending_org)
        or access.can(actor, "competitions.change_competition", entry.competition.organization)
    ):
        raise PermissionDenied("competitions.change_entry")
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the withdrawal.")]})
    if not entry.is_active:
        raise ApplicationError(_("This entry is no longer active."), code="bad_status")
    _before_deadline(entry)
    return _set_status(actor, entry, Entry.Status.WITHDRAWN, reason, "competition.entry_withdraw")


@transaction.atomic
def entry_substitute(*, actor: Any, entry: Entry, worker: Any, reason: str) -> Entry:
    """Replace an entrant before the deadline; the new entry takes the old one's place (and origin)."""
    if not access.can(actor, "competitions.change_entry", entry.sending_org):
        raise PermissionDenied("competitions.change_entry")
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the substitution.")]})
    if not entry.is_active:
        raise ApplicationError(_("This entry is no longer active."), code="bad_status")
    _before_deadline(entry)
    if not worker.organization.path.startswith(entry.sending_org.path):
        raise ApplicationError(_("A union can only send its own workers."), code="not_own_worker")
    problems = eligibility_problems(trade=entry.trade, worker=worker, on=entry.stage.start_date)
    if problems:
        raise ApplicationError(
            _("The worker is not eligible for this trade."),
            code="not_eligible",
            details=[{"field": "worker", "error": p} for p in problems],
        )
    _set_status(actor, entry, Entry.Status.SUBSTITUTED, reason, "competition.entry_substitute")
    new = Entry(
        competition=entry.competition,
        trade=entry.trade,
        stage=entry.stage,
        worker=worker,
        sending_org=entry.sending_org,
        status=Entry.Status.NOMINATED,
        substitutes=entry,
        previous=entry.previous,
        registered_by=actor,
        status_changed_at=timezone.now(),
        status_reason=reason[:300],
    )
    _entry_insert(new)
    audit_record(
        actor=actor,
        action="competition.entry_register",
        obj=new,
        organization=entry.sending_org,
        details={"worker": worker.code, "substitutes": entry.code},
    )
    return new


@transaction.atomic
def entry_theory_set(
    *, actor: Any, entry: Entry, score: Decimal | float | str | None, source: str = "manual"
) -> Entry:
    """Record the theory score (0–100), typed in or taken from an exam (``source`` = "exam:<code>")."""
    require_organiser(actor, entry.competition)
    value = None if score in (None, "") else Decimal(str(score))
    if value is not None and not (0 <= value <= 100):
        raise ValidationError({"theory_score": [_("The theory score must be between 0 and 100.")]})
    before = entry.theory_score
    entry.theory_score = value
    entry.theory_source = source[:60]
    entry.save(update_fields=["theory_score", "theory_source"])
    audit_record(
        actor=actor,
        action="competition.theory_set",
        obj=entry,
        organization=entry.sending_org,
        details={"from": before, "to": value, "source": source},
    )
    return entry


@transaction.atomic
def entry_time_taken_set(*, actor: Any, entry: Entry, minutes: int | None) -> Entry:
    """Record the time the entrant took (the last tie-break: less is better)."""
    require_organiser(actor, entry.competition)
    if minutes is not None and minutes < 0:
        raise ValidationError({"time_taken": [_("The time taken cannot be negative.")]})
    before = entry.time_taken
    entry.time_taken = minutes
    entry.save(update_fields=["time_taken"])
    audit_record(
        actor=actor,
        action="competition.time_taken_set",
        obj=entry,
        organization=entry.sending_org,
        details={"from": before, "to": minutes},
    )
    return entry


def theory_from_exam(*, actor: Any, entry: Entry, exam_session: Any) -> Entry:
    """Take the theory score from an exam session of the learning system (optional coupling:
    ``gongjiang.learning.selectors.exam_result_for(user=, session=)`` when it exists). The entrant's
    worker record must be linked to the login that sat the exam; the best complete attempt counts."""
    try:
        from gongjiang.learning.selectors import exam_result_for
    except ImportError as exc:
        raise ApplicationError(
            _("The exam system does not offer results to competitions yet."), code="no_exam_link"
        ) from exc
    if not entry.worker.user_id:
        raise ApplicationError(
            _("The entrant has no login, so no exam result can be found."), code="no_exam_result"
        )
    percent, _passed, released = exam_result_for(user=entry.worker.user, session=exam_session)
    if not released or percent is None:
        raise ApplicationError(_("The entrant has no result in this exam."), code="no_exam_result")
    return entry_theory_set(
        actor=actor,
        entry=entry,
        score=percent,
        source=f"exam:{getattr(exam_session, 'code', exam_session)}",
    )
