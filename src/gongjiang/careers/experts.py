"""Services of expert-level selection (技能专家评聘): a yearly call for one of the enterprise's
expert levels, places per unit, applications by or for workers (checked against the level's
definition in the registry), the panel's scores (core.review: a reviewer never scores an
application they filed, nor their own), ranking within the places with ties at the line broken by
the organiser, the public notice (core.notices) whose objections halt the appointment until each is
answered (an upheld objection strikes the application out), the appointment for a term written to
the worker's record, and the re-evaluation at the term's end (it lapses unless renewed).

Permission at the door, one transaction, audit inside."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.duties import DutyConflict, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError, field_error
from gongjiang.core.models import AuditEvent, Organization
from gongjiang.core.notices.models import NoticeObjection
from gongjiang.core.notices.services import notice_objection_reply, public_notice_publish
from gongjiang.core.review.conflicts import register_conflict_check
from gongjiang.core.review.models import PanelMember, ReviewItem
from gongjiang.core.review.services import (
    review_item_add,
    review_round_create,
    review_round_finalise,
)
from gongjiang.workforce.models import Worker

from . import experts_rules as rules
from .experts_document_kinds import missing_error, required_clean
from .models import ExpertLevel
from .models_experts import ExpertApplication, ExpertAppointment, ExpertCall, ExpertQuota
from .registry import record_of

MANAGE = "careers.experts_manage"
APPLY = "careers.experts_apply"
APPOINT = "careers.experts_appoint"
KIND = "careers.expert"
# the core criteria of a skill-expert evaluation (platform default; a call may set its own)
DEFAULT_CRITERIA = [
    {"name": "技术技能水平", "weight": 40, "max_score": 100},
    {"name": "解决生产技术难题与创新成果", "weight": 30, "max_score": 100},
    {"name": "传技带徒", "weight": 20, "max_score": 100},
    {"name": "职业道德与工作业绩", "weight": 10, "max_score": 100},
]
Status = ExpertApplication.Status
State = ExpertCall.State
STANDING = (Status.SUBMITTED, Status.SELECTED, Status.TIED, Status.NOT_SELECTED, Status.APPOINTED)


def _own_application(user: Any, item: ReviewItem) -> str | None:
    """A reviewer never scores their own application."""
    uid = getattr(user, "pk", None)
    if uid is None or not item.object_code:
        return None
    if ExpertApplication.objects.filter(code=item.object_code, worker__user_id=uid).exists():
        return _("The reviewer is the applicant of “%(item)s”.") % {"item": item.label}
    return None


register_conflict_check(KIND, _own_application)


def _stage(call: ExpertCall, *states: str) -> None:
    if call.state not in states:
        raise ConflictError(
            _("The call is at the stage “%(state)s”; this step is not possible now.")
            % {"state": call.get_state_display()},
            code="wrong_stage",
        )


def _whole(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise field_error(
            field, _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        )
    return value


# ------------------------------------------------------------------------------ the call
@transaction.atomic
def expert_call_create(
    *,
    actor: Any,
    level: ExpertLevel,
    year: int,
    closes_on: dt.date,
    title: str = "",
    places: int | None = None,
    notice_days: int = 5,
    pass_mark: int = 60,
    term_starts_on: dt.date | None = None,
    quotas: Iterable[tuple[Organization, int]] = (),
    required_documents: Iterable[str] | str | None = None,
) -> ExpertCall:
    """The year's call for ``level`` by its enterprise (or a union above it acting for it);
    ``places`` default to the level's places. One call per level and year."""
    enterprise = level.organization
    access.require(actor, MANAGE, enterprise)
    _whole(year, "year", 2000, 2100)
    if closes_on < timezone.localdate():
        raise field_error("closes_on", _("Applications cannot close in the past."))
    if term_starts_on is not None and term_starts_on < closes_on:
        raise field_error("term_starts_on", _("The term starts after applications close."))
    required = required_clean(required_documents)
    title = (title or "").strip()
    if len(title) > 200:
        raise field_error("title", _("At most 200 characters."))
    if ExpertCall.objects.filter(level=level, year=year).exists():
        raise ConflictError(
            _("%(level)s already has a call in %(year)s.") % {"level": level.name, "year": year},
            code="duplicate",
        )
    call = ExpertCall(
        organization=enterprise,
        level=level,
        year=year,
        title=title or f"{year}年度{level.name}评聘",
        places=level.quota if places is None else _whole(places, "places", 1, 10000),
        closes_on=closes_on,
        notice_days=_whole(notice_days, "notice_days", 1, 30),
        pass_mark=_whole(pass_mark, "pass_mark", 0, 100),
        term_starts_on=term_starts_on,
        required_documents=required,
        created_by=user_or_none(actor),
    )
    call.full_clean(exclude=["code"], validate_constraints=False)
    call.save()
    audit(
        actor=actor,
        action="careers.expert_call_create",
        obj=call,
        organization=enterprise,
        details={
            "level": level.name,
            "year": year,
            "places": call.places,
            "required_documents": required,
        },
    )
    for unit, n in quotas:
        expert_quota_set(actor=actor, call=call, organization=unit, places=n)
    return call


@transaction.atomic
def expert_quota_set(
    *, actor: Any, call: ExpertCall, organization: Organization, places: int
) -> ExpertQuota:
    """Places of a unit of the enterprise (the enterprise itself or a unit below it); the
    call's places still cap the total. Set while applications are taken."""
    access.require(actor, MANAGE, call.organization)
    _stage(call, State.OPEN)
    if not organization.path.startswith(call.organization.path):
        raise field_error("organization", _("Places go to units of the enterprise."))
    _whole(places, "places", 0, 10000)
    quota, _created = ExpertQuota.objects.update_or_create(
        call=call, organization=organization, defaults={"places": places}
    )
    audit(
        actor=actor,
        action="careers.expert_quota_set",
        obj=call,
        organization=call.organization,
        details={"unit": organization.code, "places": places},
    )
    return quota


@transaction.atomic
def expert_call_documents_set(
    *, actor: Any, call: ExpertCall, required_documents: Iterable[str] | str | None
) -> ExpertCall:
    """Change the kinds of document every application of the call must carry. Possible while
    the call takes applications and nobody has applied yet: once the first application is
    submitted (even one withdrawn since) the applicants have prepared against the published list,
    so it is fixed — refused with a clear message (409 ``documents_fixed``). Locks the call, as
    ``expert_apply`` does, so a change and a first application never cross."""
    access.require(actor, MANAGE, call.organization)
    call = ExpertCall.objects.select_for_update().get(pk=call.pk)
    _stage(call, State.OPEN)
    required = required_clean(required_documents)
    first = call.applications.order_by("submitted_at", "id").first()
    if first is not None:
        raise ConflictError(
            _(
                "The first application was submitted on %(day)s: the required documents are "
                "fixed for everyone who applies to this call."
            )
            % {"day": timezone.localtime(first.submitted_at).date().isoformat()},
            code="documents_fixed",
            details=[{"field": "required_documents", "error": _("Fixed once anyone applied.")}],
        )
    before = call.required_documents
    if required == before:
        raise ApplicationError(_("Nothing to change."), code="unchanged")
    call.required_documents = required
    call.save(update_fields=["required_documents"])
    audit(
        actor=actor,
        action="careers.expert_call_documents_set",
        obj=call,
        organization=call.organization,
        details={"before": before, "after": required},
    )
    return call


# ---------------------------------------------------------------------- eligibility
def not_revoked_on(on: dt.date, prefix: str = "") -> Q:
    """Appointments not revoked by ``on`` (a revocation counts from its day on)."""
    return Q(**{f"{prefix}revoked_on__isnull": True}) | Q(**{f"{prefix}revoked_on__gt": on})


def held_rank(worker: Worker, on: dt.date) -> int | None:
    """The highest (smallest) rank of an expert level the worker holds in force on ``on``."""
    ranks = (
        ExpertAppointment.objects.filter(worker=worker, term_start__lte=on, term_end__gte=on)
        .filter(not_revoked_on(on))
        .values_list("level__rank", flat=True)
    )
    return min(ranks, default=None)


def conditions_for(level: ExpertLevel, worker: Worker, on: dt.date) -> list[dict[str, Any]]:
    return rules.eligibility(
        min_skill_level=level.min_skill_level,
        min_years=level.min_years,
        record=record_of(worker, on),
        on_the_job=worker.status == Worker.Status.ACTIVE,
        held_rank=held_rank(worker, on),
        rank=level.rank,
    )


def unit_of(call: ExpertCall, worker: Worker) -> Organization | None:
    """The deepest unit with places that holds the worker's team or union (None when the call has
    no unit places or none holds the worker: then only the call's places limit them)."""
    quotas = list(ExpertQuota.objects.filter(call=call).select_related("organization"))
    if not quotas:
        return None
    home = (worker.team or worker.organization).path
    holding = [q for q in quotas if home.startswith(q.organization.path)]
    if not holding:
        return None  # no unit of their own: only the call's places limit them
    return max(holding, key=lambda q: len(q.organization.path)).organization


def may_apply_for(actor: Any, worker: Worker) -> bool:
    own = worker.user_id is not None and same_person(actor, worker.user_id)
    return own or access.can(actor, APPLY, worker.organization)


def _not_eligible(conditions: list[dict[str, Any]]) -> ApplicationError:
    from .experts_words import condition_text

    unmet = [c for c in conditions if not c["met"]]
    return ApplicationError(
        _("The conditions of the level are not met: %(reasons)s")
        % {"reasons": "；".join(condition_text(c) for c in unmet)},
        code="not_eligible",
        status=409,
        details=[{"field": c["rule"], "error": condition_text(c)} for c in unmet],
    )


@transaction.atomic
def expert_apply(
    *, actor: Any, call: ExpertCall, worker: Worker, statement: str
) -> ExpertApplication:
    """The worker applies (or a cadre files for them) while the call is open. Refused with every
    unmet condition of the level named."""
    if not may_apply_for(actor, worker):
        raise PermissionDenied(APPLY)
    call = ExpertCall.objects.select_for_update().select_related("level").get(pk=call.pk)
    _stage(call, State.OPEN)
    today = timezone.localdate()
    if today > call.closes_on:
        raise ConflictError(
            _("Applications closed on %(day)s.") % {"day": call.closes_on.isoformat()},
            code="closed",
        )
    if not worker.organization.path.startswith(call.organization.path):
        raise field_error("worker", _("The call is for workers of its enterprise."))
    statement = (statement or "").strip()
    if not statement:
        raise field_error("statement", _("Describe the achievements."), "required")
    if len(statement) > 5000:
        raise field_error("statement", _("At most 5,000 characters."))
    if ExpertApplication.objects.filter(call=call, worker=worker, status__in=STANDING).exists():
        raise ConflictError(_("Already applied in this call."), code="already_applied")
    conditions = conditions_for(call.level, worker, today)
    if not all(c["met"] for c in conditions):
        raise _not_eligible(conditions)
    application = ExpertApplication(
        call=call,
        worker=worker,
        organization=worker.organization,
        unit=unit_of(call, worker),
        statement=statement,
        conditions=conditions,
        submitted_by=user_or_none(actor),
    )
    application.full_clean(exclude=["code"], validate_constraints=False)
    application.save()
    audit(
        actor=actor,
        action="careers.expert_apply",
        obj=application,
        organization=worker.organization,
        details={"call": call.code, "worker": worker.code},
    )
    return application


@transaction.atomic
def expert_application_withdraw(*, actor: Any, application: ExpertApplication) -> ExpertApplication:
    """Withdrawn by the worker, by whoever filed it or by the call's managers, while it is open."""
    locked = ExpertApplication.objects.select_for_update().get(pk=application.pk)
    worker = locked.worker
    if not (
        same_person(actor, locked.submitted_by_id)
        or (worker.user_id and same_person(actor, worker.user_id))
        or access.can(actor, MANAGE, locked.call.organization)
    ):
        raise PermissionDenied(APPLY)
    _stage(locked.call, State.OPEN)
    if locked.status != Status.SUBMITTED:
        raise ConflictError(_("Only a standing application can be withdrawn."), code="withdrawn")
    locked.status = Status.WITHDRAWN
    locked.save(update_fields=["status"])
    audit(
        actor=actor,
        action="careers.expert_withdraw",
        obj=locked,
        organization=locked.organization,
        details={"call": locked.call.code},
    )
    return locked


# ---------------------------------------------------------------------------- review
@transaction.atomic
def expert_review_open(
    *, actor: Any, call: ExpertCall, criteria: list[Mapping[str, Any]] | None = None
) -> ExpertCall:
    """Close applications: each becomes an item of a core review round on the core criteria
    (whoever filed an application never scores it: core.review's conflict checks)."""
    access.require(actor, MANAGE, call.organization)
    call = ExpertCall.objects.select_for_update().get(pk=call.pk)
    _stage(call, State.OPEN)
    applications = list(
        call.applications.filter(status=Status.SUBMITTED).select_related("worker", "organization")
    )
    if not applications:
        raise ApplicationError(_("Nobody has applied yet."), code="no_applications")
    if (refusal := missing_error(call)) is not None:
        raise refusal
    call.review = review_round_create(
        actor=actor,
        organization=call.organization,
        title=call.title,
        criteria=[dict(c) for c in criteria] if criteria else DEFAULT_CRITERIA,
        kind=KIND,
        grading="rank",
    )
    for a in applications:
        a.review_item = review_item_add(
            actor=actor,
            round=call.review,
            label=f"{a.worker.name}（{a.organization.name}）"[:200],
            organization=a.organization,
            about=a,
            nominated_by=a.submitted_by,
        )
    ExpertApplication.objects.bulk_update(applications, ["review_item"])
    call.state = State.REVIEWING
    call.save(update_fields=["review", "state"])
    audit(actor=actor, action="careers.expert_review_open", obj=call, details={})
    return call


def _ranked(call: ExpertCall) -> list[rules.Ranked]:
    rows = call.applications.filter(
        status__in=(Status.SUBMITTED, Status.SELECTED, Status.TIED, Status.NOT_SELECTED)
    ).select_related("review_item")
    return [
        rules.Ranked(a.pk, a.review_item.rank or 0, a.review_item.total, a.unit_id)
        for a in rows
        if a.review_item is not None
    ]


def _selection(call: ExpertCall, preferred: Iterable[int] = ()) -> dict[int, str]:
    """The selection by the rules, not written."""
    unit_places = dict(
        ExpertQuota.objects.filter(call=call).values_list("organization_id", "places")
    )
    return rules.select(
        _ranked(call),
        places=call.places,
        unit_places=unit_places,
        pass_mark=call.pass_mark,
        preferred=preferred,
    )


def _apply_selection(call: ExpertCall, preferred: Iterable[int] = ()) -> dict[int, str]:
    chosen = _selection(call, preferred)
    status_of = {
        rules.SELECTED: Status.SELECTED,
        rules.TIED: Status.TIED,
        rules.NOT_SELECTED: Status.NOT_SELECTED,
        rules.BELOW_PASS: Status.NOT_SELECTED,
    }
    rows = list(call.applications.filter(pk__in=chosen))
    for a in rows:
        a.status = status_of[chosen[a.pk]]
    ExpertApplication.objects.bulk_update(rows, ["status"])
    return chosen


@audited_refusals  # a panel member's refusal (core.review) is audited after the rollback
@transaction.atomic
def expert_review_finalise(*, actor: Any, call: ExpertCall) -> ExpertCall:
    """The panel's totals and ranks with ties (core.review; refused to a panel member), then the
    selection within the call's and the units' places; a tie at the line waits for the
    organiser's choice (``expert_ties_break``)."""
    access.require(actor, MANAGE, call.organization)
    call = ExpertCall.objects.select_for_update().get(pk=call.pk)
    _stage(call, State.REVIEWING)
    review_round_finalise(actor=actor, round=call.review)
    chosen = _apply_selection(call)
    call.state = State.RANKED
    call.save(update_fields=["state"])
    audit(
        actor=actor,
        action="careers.expert_review_finalise",
        obj=call,
        details={
            "selected": sum(1 for s in chosen.values() if s == rules.SELECTED),
            "tied": sum(1 for s in chosen.values() if s == rules.TIED),
        },
    )
    return call


@transaction.atomic
def expert_ties_break(
    *, actor: Any, call: ExpertCall, chosen: Iterable[str], reason: str
) -> ExpertCall:
    """The organiser chooses among the applications tied at the line (with the reason, e.g. the
    higher score on 技术技能水平): the choice must fill exactly the places the tie holds."""
    access.require(actor, MANAGE, call.organization)
    call = ExpertCall.objects.select_for_update().get(pk=call.pk)
    _stage(call, State.RANKED)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Give the reason for the choice."), "required")
    if len(reason) > 500:
        raise field_error("reason", _("At most 500 characters."))
    tied = dict(call.applications.filter(status=Status.TIED).values_list("code", "pk"))
    if not tied:
        raise ConflictError(_("No application is tied at the line."), code="no_tie")
    codes = list(dict.fromkeys(chosen))
    strangers = [c for c in codes if c not in tied]
    if strangers:
        raise field_error("chosen", _("Choose among the tied applications only."))
    before = dict(call.applications.values_list("pk", "status"))
    result = _apply_selection(call, preferred=[tied[c] for c in codes])
    if any(s == rules.TIED for s in result.values()) or any(
        result.get(tied[c]) != rules.SELECTED for c in codes
    ):
        # undo: the choice does not fill the places the tie holds
        rows = list(call.applications.filter(pk__in=before))
        for a in rows:
            a.status = before[a.pk]
        ExpertApplication.objects.bulk_update(rows, ["status"])
        raise ConflictError(
            _("Choose exactly as many as the places the tie holds."), code="tie_not_broken"
        )
    audit(
        actor=actor,
        action="careers.expert_ties_break",
        obj=call,
        details={"chosen": codes, "reason": reason[:500]},
    )
    return call


def selected(call: ExpertCall) -> list[ExpertApplication]:
    return list(
        call.applications.filter(status__in=(Status.SELECTED, Status.APPOINTED))
        .select_related("worker", "worker__organization", "organization", "review_item")
        .order_by("review_item__rank", "id")
    )


@transaction.atomic
def expert_notice_publish(
    *, actor: Any, call: ExpertCall, starts_on: dt.date | None = None
) -> ExpertCall:
    """The selected go into public notice (公示) to the enterprise for the call's working days."""
    access.require(actor, MANAGE, call.organization)
    call = ExpertCall.objects.select_for_update().get(pk=call.pk)
    _stage(call, State.RANKED)
    if call.applications.filter(status=Status.TIED).exists():
        raise ConflictError(_("Break the tie at the line first."), code="tied")
    rows = selected(call)
    if not rows:
        raise ApplicationError(_("Nobody is selected."), code="nobody_selected")
    call.notice = public_notice_publish(
        actor=actor,
        organization=call.organization,
        title=_("Public notice of the candidates for %(title)s") % {"title": call.title},
        working_days=call.notice_days,
        body="\n".join(
            f"{a.worker.organization.name}：{a.review_item.total if a.review_item else ''}"
            for a in rows
        ),
        names=[a.worker.name for a in rows],
        starts_on=starts_on,
        about=call,
    )
    call.state = State.NOTICE
    call.save(update_fields=["notice", "state"])
    audit(
        actor=actor,
        action="careers.expert_notice",
        obj=call,
        details={"notice": call.notice.code, "ends_on": call.notice.ends_on},
    )
    return call


@audited_refusals  # the objector answering their own objection (core.notices) is audited
@transaction.atomic
def expert_objection_answer(
    *,
    actor: Any,
    call: ExpertCall,
    objection: NoticeObjection,
    reply: str,
    strike: ExpertApplication | None = None,
) -> NoticeObjection:
    """Answer an objection to the call's notice (never by its author: core.notices). When it is
    upheld against a selected application, that application is struck out and not appointed."""
    access.require(actor, MANAGE, call.organization)
    if call.notice_id is None or objection.notice_id not in call_notice_ids(call):
        raise Http404("objection")
    if strike is not None and (strike.call_id != call.pk or strike.status != Status.SELECTED):
        raise field_error("strike", _("Strike out a selected application of this call."))
    _stage(call, State.NOTICE)
    answered = notice_objection_reply(actor=actor, objection=objection, reply=reply)
    if strike is not None:
        ExpertApplication.objects.filter(pk=strike.pk).update(
            status=Status.STRUCK, struck_reason=(reply or "").strip()[:500]
        )
    audit(
        actor=actor,
        action="careers.expert_objection_answer",
        obj=call,
        details={"objection": objection.code, "struck": strike.code if strike else ""},
    )
    if strike is not None:
        _pass_down(actor, call, strike)
    return answered


def call_notice_ids(call: ExpertCall) -> set[int]:
    """The call's notice and every supplementary notice published about it (a place passed down
    after an objection is noticed again)."""
    from django.contrib.contenttypes.models import ContentType

    from gongjiang.core.notices.models import PublicNotice

    ids = set(
        PublicNotice.objects.filter(
            content_type=ContentType.objects.get_for_model(ExpertCall), object_code=call.code
        ).values_list("pk", flat=True)
    )
    if call.notice_id:
        ids.add(call.notice_id)
    return ids


def _pass_down(actor: Any, call: ExpertCall, struck: ExpertApplication) -> list[ExpertApplication]:
    """The place struck out goes down the ranking: the selection is run again without the struck
    application, those already selected kept ahead in their rank (a tie broken before stays
    broken), so only someone who was below the line can move up — the next-ranked applicant above
    the pass mark that the call's and the unit's places allow. A tie at the freed place is broken
    by the enterprise's rule (experts_ties: the first criterion, then the time at the level);
    what the rule cannot break leaves the place open, flagged for the panel with the reason in the
    audit row (``tie_break``) and on the call's page. The newcomers go into a
    supplementary public notice (the call's notice from then on; objections to the first one must
    still all be answered before appointment); audited."""
    before = dict(call.applications.values_list("pk", "status"))
    kept = [pk for pk, st in before.items() if st == Status.SELECTED]
    result = _apply_selection(call, preferred=kept)
    tied = [pk for pk, st in result.items() if st == rules.TIED]
    tie: dict[str, Any] = {}
    if tied:
        from .experts_ties import resolve

        chosen, tie = resolve(call, kept, tied, lambda pref: _selection(call, pref))
        if chosen:
            result = _apply_selection(call, preferred=kept + chosen)
    lost = [pk for pk in kept if result.get(pk) != rules.SELECTED]
    risen = [
        pk
        for pk, st in result.items()
        if st == rules.SELECTED and before.get(pk) != Status.SELECTED
    ]
    still_tied = any(st == rules.TIED for st in result.values())
    restore = [pk for pk in result if before.get(pk) != Status.SELECTED and pk not in risen]
    if lost:  # never: the kept go first; but the selection must never take a place away
        risen, restore = [], list(result)
    rows = list(call.applications.filter(pk__in=restore))
    for a in rows:
        a.status = before[a.pk]
    ExpertApplication.objects.bulk_update(rows, ["status"])
    newcomers = list(
        call.applications.filter(pk__in=risen).select_related(
            "worker", "worker__organization", "review_item"
        )
    )
    notice_code = ""
    if newcomers:
        call.notice = public_notice_publish(
            actor=actor,
            organization=call.organization,
            title=_("Supplementary public notice of the candidates for %(title)s")
            % {"title": call.title},
            working_days=call.notice_days,
            body="\n".join(
                f"{a.worker.organization.name}：{a.review_item.total if a.review_item else ''}"
                for a in newcomers
            ),
            names=[a.worker.name for a in newcomers],
            about=call,
        )
        call.save(update_fields=["notice"])
        notice_code = call.notice.code
    audit(
        actor=actor,
        action="careers.expert_pass_down",
        obj=call,
        details={
            "struck": struck.code,
            "struck_name": struck.worker.name,
            "to": [a.code for a in newcomers],
            "to_names": [a.worker.name for a in newcomers],
            "tied_at_the_line": still_tied,
            "tie_break": tie,
            "notice": notice_code,
        },
    )
    return newcomers


# ------------------------------------------------------------------------ appointment
def _involved(actor: Any, call: ExpertCall) -> str:
    """Why the actor took part in the call (and so may not appoint), or ''."""
    uid = getattr(actor, "pk", None)
    if same_person(actor, call.created_by_id):
        return "organiser"
    if uid is None:
        return ""
    if call.applications.filter(submitted_by_id=uid).exists():
        return "submitter"
    if call.applications.filter(worker__user_id=uid).exists():
        return "applicant"
    if call.review_id and PanelMember.objects.filter(round_id=call.review_id, user_id=uid).exists():
        return "reviewer"
    if call.notice_id and same_person(actor, call.notice.created_by_id):
        return "notice_publisher"
    if (
        AuditEvent.objects.filter(actor_id=uid, object_code=call.code)
        .filter(action__startswith="careers.expert_")
        .exists()
    ):
        return "changed_call"
    return ""


@audited_refusals
@transaction.atomic
def expert_appoint(*, actor: Any, call: ExpertCall, on: dt.date | None = None) -> ExpertCall:
    """Appoint the selected after the notice has ended with every objection answered; anyone who
    organised, filed, applied, reviewed or published never appoints (refused, audited). Each
    appointee must still meet the level's conditions; the term runs ``term_years`` from the
    call's term start (or the day of appointment)."""
    call = (
        ExpertCall.objects.select_for_update(of=("self",))
        .select_related("organization", "notice", "level")
        .get(pk=call.pk)
    )
    access.require(actor, APPOINT, call.organization)
    _stage(call, State.NOTICE)
    reason = _involved(actor, call)
    if reason:
        raise DutyConflict(
            _("Whoever organised, applied, filed, reviewed or published may not appoint."),
            action="careers.expert_appoint",
            obj=call,
            organization=call.organization,
            reason=reason,
        )
    today = on or timezone.localdate()
    notice = call.notice
    if notice is None or notice.state_on(today) != notice.State.ENDED:
        raise ConflictError(
            _("The public notice runs until %(day)s; appointment comes after it.")
            % {"day": notice.ends_on.isoformat() if notice else "—"},
            code="notice_not_ended",
        )
    if NoticeObjection.objects.filter(
        notice_id__in=call_notice_ids(call), replied_at__isnull=True
    ).exists():
        raise ConflictError(
            _("An objection is unanswered: appointment waits until every one is answered."),
            code="objections_open",
        )
    rows = [a for a in selected(call) if a.status == Status.SELECTED]
    failures = []
    for a in rows:
        unmet = [c for c in conditions_for(call.level, a.worker, today) if not c["met"]]
        if unmet:
            from .experts_words import condition_text

            failures += [
                {"field": a.code, "error": f"{a.worker.name}：{condition_text(c)}"} for c in unmet
            ]
    if failures:
        raise ConflictError(
            _("A selected applicant no longer meets the level's conditions."),
            code="not_eligible",
            details=failures,
        )
    start = call.term_starts_on if call.term_starts_on and call.term_starts_on >= today else today
    end = rules.term_end(start, call.level.term_years)
    for a in rows:
        ExpertAppointment.objects.create(
            worker=a.worker,
            organization=call.organization,
            level=call.level,
            level_name=call.level.name,
            application=a,
            term_start=start,
            term_end=end,
            appointed_by=user_or_none(actor),
        )
        a.status = Status.APPOINTED
    ExpertApplication.objects.bulk_update(rows, ["status"])
    call.state = State.APPOINTED
    call.appointed_by = user_or_none(actor)
    call.appointed_on = today
    call.save(update_fields=["state", "appointed_by", "appointed_on"])
    audit(
        actor=actor,
        action="careers.expert_appoint",
        obj=call,
        organization=call.organization,
        details={"appointed": [a.worker.code for a in rows], "term": f"{start}/{end}"},
    )
    return call


def reevaluation_opens(appointment: ExpertAppointment) -> dt.date:
    return appointment.term_end - dt.timedelta(days=rules.REEVALUATION_DAYS)


@audited_refusals
@transaction.atomic
def expert_reevaluate(
    *,
    actor: Any,
    appointment: ExpertAppointment,
    renew: bool,
    note: str = "",
    on: dt.date | None = None,
) -> ExpertAppointment:
    """Re-evaluation in the last 90 days of the term (up to its last day): renewal gives a new
    term from the day after the end, when the worker still meets the level's conditions; without
    renewal the appointment lapses after its last day. The expert never re-evaluates themself."""
    locked = (
        ExpertAppointment.objects.select_for_update(of=("self",))
        .select_related("level", "worker", "organization")
        .get(pk=appointment.pk)
    )
    access.require(actor, APPOINT, locked.organization)
    if same_person(actor, locked.worker.user_id):
        raise DutyConflict(
            _("An expert is never re-evaluated by themself."),
            action="careers.expert_reevaluate",
            obj=locked,
            organization=locked.organization,
            reason="own_appointment",
        )
    today = on or timezone.localdate()
    if locked.revoked_on is not None:
        raise ConflictError(_("This appointment has been revoked."), code="revoked")
    if locked.reevaluated_on is not None:
        raise ConflictError(_("This term has already been re-evaluated."), code="reevaluated")
    if not reevaluation_opens(locked) <= today <= locked.term_end:
        raise ConflictError(
            _("Re-evaluation runs from %(start)s to the term's last day, %(end)s.")
            % {"start": reevaluation_opens(locked).isoformat(), "end": locked.term_end.isoformat()},
            code="not_due",
        )
    note = (note or "").strip()
    if len(note) > 500:
        raise field_error("note", _("At most 500 characters."))
    if renew:
        next_start = locked.term_end + dt.timedelta(days=1)
        unmet = [
            c
            for c in conditions_for(locked.level, locked.worker, today)
            if not c["met"] and c["rule"] != "not_yet_held"
        ]
        if unmet:
            raise _not_eligible(unmet)
        ExpertAppointment.objects.create(
            worker=locked.worker,
            organization=locked.organization,
            level=locked.level,
            level_name=locked.level.name,
            renewed_from=locked,
            term_start=next_start,
            term_end=rules.term_end(next_start, locked.level.term_years),
            appointed_by=user_or_none(actor),
        )
    locked.reevaluated_on = today
    locked.reevaluated_by = user_or_none(actor)
    locked.renewal_refused = not renew
    locked.reevaluation_note = note
    locked.save(
        update_fields=["reevaluated_on", "reevaluated_by", "renewal_refused", "reevaluation_note"]
    )
    audit(
        actor=actor,
        action="careers.expert_reevaluate",
        obj=locked,
        organization=locked.organization,
        details={"renew": renew, "note": note, "worker": locked.worker.code},
    )
    return locked


REASON_MAX = 500


@audited_refusals
@transaction.atomic
def expert_appointment_revoke(
    *,
    actor: Any,
    appointment: ExpertAppointment,
    reason: str,
    on: dt.date | None = None,
) -> ExpertAppointment:
    """Revoke an appointment during its term (解聘): from ``on`` (today when not given; never in
    the future, never after the term's last day, and not before its first day unless the term has
    not begun — then today) it no longer counts anywhere: the worker's badge and level, the
    conditions of other levels, re-evaluation. A renewal already granted (a term starting after
    this one) is revoked with it: it would otherwise bring the level back.

    One decision by someone who may appoint in the enterprise (``careers.experts_appoint``), with
    the reason (required, at most 500 characters); never by the expert themself (refused and
    audited). The appointing officer may revoke (the appointing body decides 解聘 as it decides
    聘任); the reason, the person and the day stay on the record."""
    locked = (
        ExpertAppointment.objects.select_for_update(of=("self",))
        .select_related("level", "worker", "organization")
        .get(pk=appointment.pk)
    )
    access.require(actor, APPOINT, locked.organization)
    if same_person(actor, locked.worker.user_id):
        raise DutyConflict(
            _("Nobody revokes their own expert appointment."),
            action="careers.expert_revoke",
            obj=locked,
            organization=locked.organization,
            reason="own_appointment",
        )
    today = timezone.localdate()
    day = on or today
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Give the reason for the revocation."))
    if len(reason) > REASON_MAX:
        raise field_error(
            "reason", _("The reason is at most %(max)d characters.") % {"max": REASON_MAX}
        )
    if locked.revoked_on is not None:
        raise ConflictError(
            _("This appointment was already revoked from %(day)s.")
            % {"day": locked.revoked_on.isoformat()},
            code="revoked",
        )
    if day > today:
        raise field_error("on", _("The day of revocation is in the future."))
    if day > locked.term_end:
        raise ConflictError(
            _("The term ended on %(day)s: there is nothing left to revoke.")
            % {"day": locked.term_end.isoformat()},
            code="term_ended",
        )
    if day < min(locked.term_start, today):
        raise field_error(
            "on",
            _("The day of revocation is before the term's first day, %(day)s.")
            % {"day": locked.term_start.isoformat()},
        )
    revoked = [locked]
    nxt = ExpertAppointment.objects.select_for_update(of=("self",)).filter(renewed_from=locked)
    while (follow := nxt.first()) is not None and follow.revoked_on is None:
        revoked.append(follow)
        nxt = ExpertAppointment.objects.select_for_update(of=("self",)).filter(renewed_from=follow)
    for a in revoked:
        a.revoked_on = day
        a.revocation_reason = reason
        a.revoked_by = user_or_none(actor)
        a.full_clean(validate_unique=False, validate_constraints=False)
    ExpertAppointment.objects.bulk_update(
        revoked, ["revoked_on", "revocation_reason", "revoked_by"]
    )
    audit(
        actor=actor,
        action="careers.expert_revoke",
        obj=locked,
        organization=locked.organization,
        details={
            "worker": locked.worker.code,
            "level": locked.level_name,
            "from": day.isoformat(),
            "reason": reason,
            "renewals": [a.code for a in revoked[1:]],
        },
    )
    return locked
