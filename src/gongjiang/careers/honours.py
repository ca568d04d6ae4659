"""Services of honours selection: a round with quotas and composition rules, nominations from
below (checked against the registry: existing honours, disqualifying records), the panel's review
(core.review), the public notice for working days (core.notices), approval by the level above
the organiser (never by anyone who organised, nominated, reviewed or published) and the honour
written to the registry once (workforce.history.honour_add).

Permission at the door, one transaction, audit inside."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import SystemActor, audit, user_or_none
from gongjiang.core.duties import DutyConflict, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError, field_error
from gongjiang.core.models import AuditEvent, Organization
from gongjiang.core.notices.models import NoticeObjection
from gongjiang.core.notices.services import public_notice_publish, public_notice_withdraw
from gongjiang.core.review.models import PanelMember, ReviewItem
from gongjiang.core.review.services import (
    review_item_add,
    review_round_create,
    review_round_finalise,
)
from gongjiang.workforce.models import Honour, Worker

from .form_values import bounded_text
from .honours_rules import DEFAULT_RULES, RuleSpec, RuleState, category_of, composition
from .models_honours import (
    CATEGORY_CODES,
    CompositionRule,
    DisqualifyingRecord,
    HonourNomination,
    HonourQuota,
    HonourRound,
    NominationDocument,
)

MANAGE = "careers.honours_manage"
NOMINATE = "careers.honours_nominate"
APPROVE = "careers.honours_approve"
KIND = "careers.honour"
RETURN = "careers.honour_return"
SELECTED = "入选"
DEFAULT_CRITERIA = [
    {"name": "先进事迹", "weight": 50, "max_score": 100},
    {"name": "贡献与示范作用", "weight": 50, "max_score": 100},
]
DOCUMENT_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx"}
MAX_DOCUMENT = 10 * 1024 * 1024
Round = HonourRound
Status = HonourNomination.Status
ACTIVE = (Status.NOMINATED, Status.SELECTED, Status.NOT_SELECTED, Status.HONOURED)


def _stage(round_: HonourRound, *states: str) -> None:
    if round_.state not in states:
        raise ConflictError(
            _("The round is at the stage “%(state)s”; this step is not possible now.")
            % {"state": round_.get_state_display()},
            code="wrong_stage",
        )


def _rules(rows: Iterable[Mapping[str, Any]]) -> list[CompositionRule]:
    out = []
    for i, row in enumerate(rows):
        cats = [c.strip() for c in str(row.get("categories", "")).split(",") if c.strip()]
        if not cats or any(c not in CATEGORY_CODES for c in cats):
            raise field_error(f"rules[{i}].categories", _("Name the categories who count."))
        if row.get("bound") not in ("min", "max"):
            raise field_error(f"rules[{i}].bound", _("A rule is a minimum or a maximum share."))
        percent = row.get("percent")
        if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
            raise field_error(f"rules[{i}].percent", _("A share is a whole number 0 to 100."))
        rule = CompositionRule(
            categories=",".join(dict.fromkeys(cats)),
            bound=row["bound"],
            percent=percent,
            source=bounded_text(row.get("source"), f"rules[{i}].source", 200),
        )
        rule.full_clean(exclude=["round"])
        out.append(rule)
    return out


@transaction.atomic
def honour_round_create(
    *,
    actor: Any,
    organization: Organization,
    title: str,
    honour_title: str,
    honour_level: str,
    year: int,
    places: int,
    notice_days: int = 5,
    barring_titles: str = "",
    rules: Iterable[Mapping[str, Any]] | None = None,
    quotas: Iterable[tuple[Organization, int]] = (),
) -> HonourRound:
    """A round of the organiser; ``rules`` default to the platform's (honours_rules.py)."""
    access.require(actor, MANAGE, organization)
    round_ = HonourRound(
        organization=organization,
        title=(title or "").strip(),
        honour_title=(honour_title or "").strip(),
        honour_level=honour_level,
        year=year,
        places=places,
        notice_days=notice_days,
        barring_titles=(barring_titles or "").strip(),
        created_by=user_or_none(actor),
    )
    round_.full_clean(exclude=["code"])
    rule_rows = _rules(DEFAULT_RULES if rules is None else rules)
    round_.save()
    for rule in rule_rows:
        rule.round = round_
    CompositionRule.objects.bulk_create(rule_rows)
    for unit, n in quotas:
        honour_quota_set(actor=actor, round=round_, organization=unit, places=n)
    audit(
        actor=actor,
        action="careers.honour_round_create",
        obj=round_,
        organization=organization,
        details={"year": year, "honour": round_.honour_title, "rules": len(rule_rows)},
    )
    return round_


@transaction.atomic
def honour_rules_set(
    *,
    actor: Any,
    round: HonourRound,  # noqa: A002
    rules: Iterable[Mapping[str, Any]],
) -> list[CompositionRule]:
    """Replace the round's composition rules (while nominating)."""
    access.require(actor, MANAGE, round.organization)
    round_ = HonourRound.objects.select_for_update().get(pk=round.pk)
    _stage(round_, Round.State.NOMINATING)
    rows = _rules(rules)
    CompositionRule.objects.filter(round=round_).delete()
    for rule in rows:
        rule.round = round_
    CompositionRule.objects.bulk_create(rows)
    audit(
        actor=actor,
        action="careers.honour_rules_set",
        obj=round_,
        organization=round_.organization,
        details={"rules": [f"{r.categories} {r.bound} {r.percent}" for r in rows]},
    )
    return rows


@transaction.atomic
def honour_quota_set(
    *,
    actor: Any,
    round: HonourRound,  # noqa: A002
    organization: Organization,
    places: int,
) -> HonourQuota:
    """Places for a unit below the organiser (a region's or an industry's union)."""
    access.require(actor, MANAGE, round.organization)
    _stage(round, Round.State.NOMINATING)
    if organization.pk == round.organization_id or not organization.path.startswith(
        round.organization.path
    ):
        raise field_error("organization", _("Quotas go to units below the organiser."))
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 100000:
        raise field_error("places", _("Places are a whole number 0 to 100000."))
    quota, _created = HonourQuota.objects.update_or_create(
        round=round, organization=organization, defaults={"places": places}
    )
    audit(
        actor=actor,
        action="careers.honour_quota_set",
        obj=round,
        organization=round.organization,
        details={"unit": organization.code, "places": places},
    )
    return quota


# ------------------------------------------------------------------------------ checks
def nominee_failures(round_: HonourRound, worker: Worker, on: dt.date) -> list[dict[str, str]]:
    """Every reason the worker cannot be nominated (or honoured) on ``on``, each named."""
    failures: list[dict[str, str]] = []
    if worker.status != Worker.Status.ACTIVE:
        failures.append(
            {
                "field": "status",
                "error": _("%(name)s is not on the job (%(status)s).")
                % {"name": worker.name, "status": worker.get_status_display()},
            }
        )
    held = Honour.objects.filter(worker=worker, revoked=False, title__in=round_.barring())
    for h in held.order_by("year"):
        failures.append(
            {
                "field": "honours",
                "error": _("%(name)s already holds “%(title)s” (%(year)s).")
                % {"name": worker.name, "title": h.title, "year": h.year},
            }
        )
    records = DisqualifyingRecord.objects.filter(worker=worker, date__lte=on).exclude(until__lt=on)
    for r in records:
        failures.append(
            {
                "field": "records",
                "error": _("%(name)s has a standing record: %(kind)s since %(date)s.")
                % {"name": worker.name, "kind": r.get_kind_display(), "date": r.date.isoformat()},
            }
        )
    return failures


def _unit_places(round_: HonourRound, unit: Organization) -> int | None:
    quota = HonourQuota.objects.filter(round=round_, organization=unit).first()
    return quota.places if quota else None


@transaction.atomic
def honour_nominate(
    *,
    actor: Any,
    round: HonourRound,  # noqa: A002
    organization: Organization,
    worker: Worker,
    deeds: str,
) -> HonourNomination:
    """A unit with places nominates a worker of its subtree. Refused with every failed check named
    (already holds a barring honour, a standing disqualifying record, not on the job)."""
    access.require(actor, NOMINATE, organization)
    round_ = HonourRound.objects.select_for_update().get(pk=round.pk)
    _stage(round_, Round.State.NOMINATING)
    places = _unit_places(round_, organization)
    if places is None:
        raise PermissionDenied(_("This unit has no places in the round."))
    if not worker.organization.path.startswith(organization.path):
        raise field_error("worker", _("Nominate a worker of the unit's own subtree."))
    deeds = (deeds or "").strip()
    if not deeds:
        raise field_error("deeds", _("Describe the nominee's deeds."), "required")
    if len(deeds) > 5000:
        raise field_error("deeds", _("The deeds are at most 5,000 characters."))
    failures = nominee_failures(round_, worker, timezone.localdate())
    if HonourNomination.objects.filter(round=round_, worker=worker, status__in=ACTIVE).exists():
        failures.append({"field": "worker", "error": _("Already nominated in this round.")})
    if failures:
        raise ApplicationError(
            _("The nominee does not pass the checks: %(reasons)s")
            % {"reasons": "；".join(f["error"] for f in failures)},
            code="not_eligible",
            status=409,
            details=failures,
        )
    used = HonourNomination.objects.filter(
        round=round_, organization=organization, status__in=ACTIVE
    ).count()
    if used >= places:
        raise ConflictError(
            _("The unit's %(n)s places are used up.") % {"n": places}, code="quota_used"
        )
    nomination = HonourNomination(
        round=round_,
        organization=organization,
        worker=worker,
        category=category_of(worker.occupation_id),
        deeds=deeds,
        nominated_by=user_or_none(actor),
    )
    nomination.full_clean(exclude=["code"], validate_constraints=False)
    nomination.save()
    audit(
        actor=actor,
        action="careers.honour_nominate",
        obj=nomination,
        organization=organization,
        details={"round": round_.code, "worker": worker.code, "category": nomination.category},
    )
    return nomination


@transaction.atomic
def honour_nomination_withdraw(*, actor: Any, nomination: HonourNomination) -> HonourNomination:
    access.require(actor, NOMINATE, nomination.organization)
    locked = HonourNomination.objects.select_for_update().get(pk=nomination.pk)
    _stage(locked.round, Round.State.NOMINATING)
    if locked.status != Status.NOMINATED:
        raise ConflictError(_("Only a standing nomination can be withdrawn."), code="withdrawn")
    locked.status = Status.WITHDRAWN
    locked.save(update_fields=["status"])
    audit(
        actor=actor,
        action="careers.honour_withdraw",
        obj=locked,
        organization=locked.organization,
        details={"round": locked.round.code},
    )
    return locked


@transaction.atomic
def nomination_document_add(
    *, actor: Any, nomination: HonourNomination, title: str, upload: Any
) -> NominationDocument:
    """Attach a document (PDF, image or Word file of at most 10 MB, stored encrypted)."""
    access.require(actor, NOMINATE, nomination.organization)
    _stage(nomination.round, Round.State.NOMINATING)
    ext = os.path.splitext(getattr(upload, "name", "") or "")[1].lower()
    if upload is None or ext not in DOCUMENT_EXTENSIONS:
        raise field_error("upload", _("Attach a PDF, image or Word file."), "invalid_upload")
    if getattr(upload, "size", 0) > MAX_DOCUMENT:
        raise field_error("upload", _("A document is at most 10 MB."), "invalid_upload")
    title = bounded_text(title, "title", 100)
    if not title:
        raise field_error("title", _("Give the document a title."), "required")
    document = NominationDocument(
        nomination=nomination, title=title, uploaded_by=user_or_none(actor)
    )
    document.upload.save(f"{document.code}{ext}", upload, save=False)
    document.full_clean(exclude=["uploaded_by"])
    document.save()
    audit(
        actor=actor,
        action="careers.honour_document_add",
        obj=nomination,
        organization=nomination.organization,
        details={"document": document.code, "title": document.title},
    )
    return document


@transaction.atomic
def disqualifying_record_add(
    *,
    actor: Any,
    worker: Worker,
    kind: str,
    date: dt.date,
    until: dt.date | None = None,
    note: str = "",
) -> DisqualifyingRecord:
    access.require(actor, MANAGE, worker.organization)
    if until is not None and until < date:
        raise field_error("until", _("The end comes after the start."))
    record = DisqualifyingRecord(
        worker=worker,
        kind=kind,
        date=date,
        until=until,
        note=(note or "").strip(),
        recorded_by=user_or_none(actor),
    )
    record.full_clean(exclude=["code", "worker"])
    record.save()
    audit(
        actor=actor,
        action="careers.disqualifying_record_add",
        obj=worker,
        details={"record": record.code, "kind": kind, "date": date, "until": until},
    )
    return record


@transaction.atomic
def disqualifying_record_end(
    *,
    actor: Any,
    record: DisqualifyingRecord,
    until: dt.date | None,
    note: str | None = None,
) -> DisqualifyingRecord:
    """Change the day a record stops standing (``None``: it stands with no end) and its note; the
    record itself (kind, date) is never rewritten — a wrong record is ended on its own date."""
    locked = (
        DisqualifyingRecord.objects.select_for_update().select_related("worker").get(pk=record.pk)
    )
    access.require(actor, MANAGE, locked.worker.organization)
    if until is not None and until < locked.date:
        raise field_error("until", _("The end comes after the start."))
    before = locked.until
    locked.until = until
    if note is not None:
        locked.note = note.strip()
    locked.full_clean(exclude=["code", "worker", "recorded_by"])
    locked.save(update_fields=["until", "note"])
    audit(
        actor=actor,
        action="careers.disqualifying_record_end",
        obj=locked.worker,
        details={"record": locked.code, "until": until, "was": before},
    )
    return locked


# ---------------------------------------------------------------- composition on a list
def rule_specs(round_: HonourRound) -> list[tuple[CompositionRule, RuleSpec]]:
    return [
        (r, RuleSpec(tuple(r.category_list()), r.bound, r.percent))
        for r in CompositionRule.objects.filter(round=round_).order_by("id")
    ]


def composition_of(
    round_: HonourRound, nominations: Iterable[HonourNomination]
) -> list[tuple[CompositionRule, RuleState]]:
    specs = rule_specs(round_)
    states = composition([s for _r, s in specs], [n.category for n in nominations])
    return [(r, st) for (r, _s), st in zip(specs, states, strict=True)]


# ------------------------------------------------------------------------- review
@transaction.atomic
def honour_review_open(
    *,
    actor: Any,
    round: HonourRound,  # noqa: A002
    criteria: list[dict[str, Any]] | None = None,
) -> HonourRound:
    """Close nominations: each standing nomination becomes an item of a core review round whose
    first ``places`` ranks are selected."""
    access.require(actor, MANAGE, round.organization)
    round_ = HonourRound.objects.select_for_update().get(pk=round.pk)
    _stage(round_, Round.State.NOMINATING)
    nominations = list(
        round_.nominations.filter(status=Status.NOMINATED).select_related("worker", "organization")
    )
    if not nominations:
        raise ApplicationError(_("Nobody is nominated yet."), code="no_nominations")
    round_.review = review_round_create(
        actor=actor,
        organization=round_.organization,
        title=round_.title,
        criteria=criteria or DEFAULT_CRITERIA,
        kind=KIND,
        grading="rank",
        grade_bands=[{"grade": SELECTED, "up_to": round_.places}],
    )
    for n in nominations:
        n.review_item = review_item_add(
            actor=actor,
            round=round_.review,
            label=f"{n.worker.name}（{n.organization.name}）"[:200],
            organization=n.organization,
            about=n,
            nominated_by=n.nominated_by,
        )
    HonourNomination.objects.bulk_update(nominations, ["review_item"])
    round_.state = Round.State.REVIEWING
    round_.save(update_fields=["review", "state"])
    audit(actor=actor, action="careers.honour_review_open", obj=round_, details={})
    return round_


@transaction.atomic
def honour_review_finalise(*, actor: Any, round: HonourRound) -> HonourRound:  # noqa: A002
    """The panel's totals and ranks (core.review; refused to a panel member): ranks within the
    places are selected."""
    access.require(actor, MANAGE, round.organization)
    round_ = HonourRound.objects.select_for_update().get(pk=round.pk)
    _stage(round_, Round.State.REVIEWING)
    review_round_finalise(actor=actor, round=round_.review)
    graded = dict(ReviewItem.objects.filter(round=round_.review).values_list("pk", "grade"))
    nominations = list(round_.nominations.filter(status=Status.NOMINATED))
    for n in nominations:
        n.status = Status.SELECTED if graded.get(n.review_item_id) else Status.NOT_SELECTED
    HonourNomination.objects.bulk_update(nominations, ["status"])
    audit(actor=actor, action="careers.honour_review_finalise", obj=round_, details={})
    return round_


def selected(round_: HonourRound) -> list[HonourNomination]:
    return list(
        round_.nominations.filter(status__in=(Status.SELECTED, Status.HONOURED))
        .select_related("worker", "worker__organization", "organization")
        .order_by("review_item__rank", "id")
    )


@transaction.atomic
def honour_notice_publish(
    *,
    actor: Any,
    round: HonourRound,  # noqa: A002
    starts_on: dt.date | None = None,
) -> HonourRound:
    """The selected nominees go into public notice (公示) for the round's working days."""
    access.require(actor, MANAGE, round.organization)
    round_ = HonourRound.objects.select_for_update().get(pk=round.pk)
    _stage(round_, Round.State.REVIEWING)
    if round_.review is None or round_.review.state == "open":
        raise ConflictError(_("The review is not finalised yet."), code="review_open")
    rows = selected(round_)
    if not rows:
        raise ApplicationError(_("Nobody is selected."), code="nobody_selected")
    round_.notice = public_notice_publish(
        actor=actor,
        organization=round_.organization,
        title=_("Public notice of the candidates for %(title)s") % {"title": round_.title},
        working_days=round_.notice_days,
        body="\n".join(f"{n.organization.name}：{n.worker.organization.name}" for n in rows),
        names=[n.worker.name for n in rows],
        starts_on=starts_on,
        about=round_,
    )
    round_.state = Round.State.NOTICE
    round_.save(update_fields=["notice", "state"])
    audit(
        actor=actor,
        action="careers.honour_notice",
        obj=round_,
        details={"notice": round_.notice.code, "ends_on": round_.notice.ends_on},
    )
    return round_


# ------------------------------------------------------------------------ approval
def approver_unit(round_: HonourRound) -> Organization | None:
    """The level above the organiser, whose officers approve the round."""
    return round_.organization.parent


def may_approve(actor: Any, round_: HonourRound) -> bool:
    unit = approver_unit(round_)
    return unit is not None and access.can(actor, APPROVE, unit)


def _involved(actor: Any, round_: HonourRound) -> str:
    """Why the actor took part in the round (and so may not approve it), or ''."""
    if same_person(actor, round_.created_by_id):
        return "organiser"
    if round_.notice_id and same_person(actor, round_.notice.created_by_id):
        return "notice_publisher"
    uid = getattr(actor, "pk", None)
    if uid is not None and round_.nominations.filter(nominated_by_id=uid).exists():
        return "nominator"
    if uid is not None:
        reviews = [round_.review_id] if round_.review_id else []
        reviews += [r["review_id"] for r in returns(round_) if r.get("review_id")]
        if PanelMember.objects.filter(round_id__in=reviews, user_id=uid).exists():
            return "panel_member"
    if uid is not None and (
        AuditEvent.objects.filter(actor_id=uid, object_code=round_.code)
        .filter(action__startswith="careers.honour_")
        .exclude(action=RETURN)  # returning a round is the level above's own act
        .exists()
    ):
        return "changed_round"  # set quotas or rules, opened or finalised the review
    return ""


@audited_refusals
@transaction.atomic
def honour_round_approve(
    *,
    actor: Any,
    round: HonourRound,  # noqa: A002
    note: str = "",
    on: dt.date | None = None,
) -> HonourRound:
    """The level above approves after the notice has ended with every objection answered: the
    composition rules and the checks are judged again on the selected list (refused with the
    numbers), then each honour is written to the registry, once."""
    round_ = (
        HonourRound.objects.select_for_update(of=("self",))
        .select_related("organization", "notice")
        .get(pk=round.pk)
    )
    if not may_approve(actor, round_):
        raise PermissionDenied(APPROVE)
    _stage(round_, Round.State.NOTICE)
    reason = _involved(actor, round_)
    if reason:
        raise DutyConflict(
            _("Whoever organised, nominated, reviewed or published the round may not approve it."),
            action="careers.honour_approve",
            obj=round_,
            organization=round_.organization,
            reason=reason,
        )
    today = on or timezone.localdate()
    notice = round_.notice
    if notice is None or notice.state_on(today) != notice.State.ENDED:
        raise ConflictError(
            _("The public notice runs until %(day)s; approval comes after it.")
            % {"day": notice.ends_on.isoformat() if notice else "—"},
            code="notice_not_ended",
        )
    if NoticeObjection.objects.filter(notice=notice, replied_at__isnull=True).exists():
        raise ConflictError(
            _("Every objection must be answered before approval."), code="objections_open"
        )
    rows = selected(round_)
    broken = [(r, st) for r, st in composition_of(round_, rows) if not st.met]
    if broken:
        raise ConflictError(
            _("The selected list breaks the round's composition rules."),
            code="composition",
            details=[
                {
                    "field": f"rules[{r.categories}]",
                    "error": _("%(count)s of %(total)s = %(share).1f%%, %(bound)s %(percent)s%%")
                    % {
                        "count": st.count,
                        "total": st.total,
                        "share": st.share,
                        "bound": r.get_bound_display(),
                        "percent": r.percent,
                    },
                }
                for r, st in broken
            ],
        )
    failures = [f for n in rows for f in nominee_failures(round_, n.worker, today)]
    if failures:
        raise ConflictError(
            _("A selected nominee no longer passes the checks."),
            code="not_eligible",
            details=failures,
        )
    writer = SystemActor("careers.honours")
    for n in rows:
        if n.honour_code:
            continue
        honour = _honour_add(writer, round_, n, today)
        n.honour_code = honour.code
        n.status = Status.HONOURED
        n.save(update_fields=["honour_code", "status"])
    round_.state = Round.State.APPROVED
    round_.approved_by = user_or_none(actor)
    round_.approved_on = today
    round_.approval_note = bounded_text(note, "note", 500)
    round_.save(update_fields=["state", "approved_by", "approved_on", "approval_note"])
    audit(
        actor=actor,
        action="careers.honour_approve",
        obj=round_,
        organization=round_.organization,
        details={"honoured": len(rows), "note": round_.approval_note},
    )
    return round_


def returns(round_: HonourRound) -> list[dict[str, Any]]:
    """The times the level above returned the round, oldest first: who, when, why (the audit
    trail is the record: a return changes nothing but the stage and the statuses)."""
    events = AuditEvent.objects.filter(action=RETURN, object_code=round_.code).order_by("id")
    return [
        dict(
            e.details or {},
            at=e.at,
            by=(e.actor.get_full_name() if e.actor else "") or e.actor_name,
            actor_id=e.actor_id,
        )
        for e in events.select_related("actor")
    ]


@audited_refusals
@transaction.atomic
def honour_round_return(
    *,
    actor: Any,
    round: HonourRound,  # noqa: A002
    reason: str,
) -> HonourRound:
    """The level above returns a round in public notice to the organiser with its reason: the
    round takes nominations again (rules, places, nominations and documents can be revised), every
    standing nomination is back to 推荐, an open notice is withdrawn; the organiser then reviews
    and publishes again, and the level above decides again. Never by anyone who took part in the
    round (refused and audited), as for approval."""
    round_ = (
        HonourRound.objects.select_for_update(of=("self",))
        .select_related("organization", "notice", "review")
        .get(pk=round.pk)
    )
    if not may_approve(actor, round_):
        raise PermissionDenied(APPROVE)
    _stage(round_, Round.State.NOTICE)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why the round is returned."), "required")
    if len(reason) > 500:
        raise field_error("reason", _("The reason is at most 500 characters."))
    involved = _involved(actor, round_)
    if involved:
        raise DutyConflict(
            _("Whoever organised, nominated, reviewed or published the round may not return it."),
            action=RETURN,
            obj=round_,
            organization=round_.organization,
            reason=involved,
        )
    notice, review = round_.notice, round_.review
    if notice is not None and notice.state in (notice.State.SCHEDULED, notice.State.OPEN):
        public_notice_withdraw(
            actor=SystemActor("careers.honours"),
            notice=notice,
            reason=_("Returned by the level above: %(reason)s") % {"reason": reason},
        )
    reopened = round_.nominations.filter(status__in=(Status.SELECTED, Status.NOT_SELECTED)).update(
        status=Status.NOMINATED, review_item=None
    )
    round_.state = Round.State.NOMINATING
    round_.review = None
    round_.notice = None
    round_.save(update_fields=["state", "review", "notice"])
    audit(
        actor=actor,
        action=RETURN,
        obj=round_,
        organization=round_.organization,
        details={
            "reason": reason,
            "review": review.code if review else "",
            "review_id": review.pk if review else None,
            "notice": notice.code if notice else "",
            "nominations": reopened,
        },
    )
    return round_


def _honour_add(writer: Any, round_: HonourRound, n: HonourNomination, on: dt.date) -> Honour:
    from gongjiang.workforce.history import honour_add

    try:
        return honour_add(
            actor=writer,
            worker=n.worker,
            title=round_.honour_title,
            level=round_.honour_level,
            year=round_.year,
            date=on,
            awarded_by=round_.organization.name[:100],
            source=_("honours selection"),
            source_ref=n.code,
        )
    except ValidationError as exc:  # a round of a future year cannot be honoured yet
        raise ApplicationError(" ".join(exc.messages), code="invalid") from exc
