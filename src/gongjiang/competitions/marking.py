"""Marking in the WorldSkills style: schemes, judges, conflicts, marks with optimistic versions,
judgement aggregation, spread flags and sign-off.

A marking scheme is criteria (A, B, …) → sub-criteria → aspects, 100 marks in all. An aspect is

* **measurement**: the judge enters the measured value; the mark follows from the rule —
  ``all_or_nothing`` (full marks within ``target ± tolerance``, else 0) or ``deduction``
  (full marks within tolerance, then ``deduction`` off per started ``step`` beyond it, never below 0);
* **judgement**: at least three judges each score 0–3; the aspect mark is
  ``mean(scores) / 3 × max_mark``; a spread (max − min) above 1 is flagged for the chief judge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gongjiang.core import access
from gongjiang.core.audit import audit_record
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.review.conflicts import affiliation_conflict

from .models import (
    Aspect,
    Criterion,
    Entry,
    JudgeAssignment,
    JudgeConflict,
    Mark,
    Stage,
    SubCriterion,
    Trade,
)
from .services import require_organiser

TOTAL_MARKS = Decimal(100)
MIN_JUDGES = 3
SPREAD_LIMIT = Decimal(1)
Q3 = Decimal("0.001")
PLAUSIBLE_TOLERANCES = Decimal(10)
CONFIRM_CODES = ("implausible_measurement", "overwrite_complete")


# --------------------------------------------------------------------------- scheme
def measurement_mark(aspect: Aspect, measured: Decimal) -> Decimal:
    """The mark a measured value earns under the aspect's rule."""
    off = abs(Decimal(measured) - aspect.target) - (aspect.tolerance or Decimal(0))
    if off <= 0:
        return aspect.max_mark
    if aspect.rule == Aspect.Rule.ALL_OR_NOTHING:
        return Decimal(0)
    steps = math.ceil(off / aspect.step)
    return max(Decimal(0), aspect.max_mark - steps * aspect.deduction)


def plausible_band(aspect: Aspect) -> Decimal:
    """How far from the target a measured value may plausibly lie: the larger of ten tolerances
    and half the target (80 ± 0.02 → 40). Beyond it the value is more likely a typing slip (10.06
    for 80.06) than a measurement, and saving it (as 0 marks) needs the judge's confirmation.
    A band of 0 (target 0 without tolerance) checks nothing."""
    return max(PLAUSIBLE_TOLERANCES * (aspect.tolerance or Decimal(0)), abs(aspect.target) / 2)


def implausible(aspect: Aspect, measured: Decimal) -> bool:
    band = plausible_band(aspect)
    return band > 0 and abs(Decimal(measured) - aspect.target) > band


def judgement_mark(aspect: Aspect, scores: list[Decimal]) -> Decimal:
    """mean(scores) / 3 × max_mark (call only with at least three scores)."""
    mean = sum(scores, Decimal(0)) / len(scores)
    return (mean / 3 * aspect.max_mark).quantize(Q3, ROUND_HALF_UP)


def scheme_total(trade: Trade) -> Decimal:
    return sum((a.max_mark for a in Aspect.objects.filter(criterion__trade=trade)), Decimal(0))


@transaction.atomic
def scheme_load(*, actor: Any, trade: Trade, scheme: list[dict[str, Any]]) -> list[Criterion]:
    """Replace the trade's marking scheme (allowed while no marks exist) by a nested structure::

        [{"letter": "A", "name": ..., "sub_criteria": [{"name": ..., "aspects": [
            {"description": ..., "kind": "measurement", "max_mark": 2, "rule": "deduction",
             "target": 25.00, "tolerance": 0.02, "step": 0.01, "deduction": 0.5},
            {"description": ..., "kind": "judgement", "max_mark": 3, "descriptors": [d0, d1, d2, d3]},
        ]}]}]

    The aspects must add up to exactly 100 marks.
    """
    require_organiser(actor, trade.competition)
    if Mark.objects.filter(aspect__criterion__trade=trade).exists():
        raise ApplicationError(
            _("Marks have been entered: the marking scheme can no longer change."),
            code="scheme_in_use",
        )
    Criterion.objects.filter(trade=trade).delete()
    total = Decimal(0)
    criteria: list[Criterion] = []
    for c in scheme:
        criterion = Criterion(trade=trade, letter=str(c["letter"]).strip().upper(), name=c["name"])
        criterion.full_clean()
        criterion.save()
        criteria.append(criterion)
        for s_no, s in enumerate(c.get("sub_criteria", []), start=1):
            sub = SubCriterion.objects.create(criterion=criterion, number=s_no, name=s["name"])
            for a_no, a in enumerate(s.get("aspects", []), start=1):
                aspect = Aspect(
                    sub_criterion=sub,
                    criterion=criterion,
                    number=a_no,
                    description=a["description"],
                    kind=a["kind"],
                    max_mark=Decimal(str(a["max_mark"])),
                    rule=a.get("rule", ""),
                    target=None if a.get("target") is None else Decimal(str(a["target"])),
                    tolerance=Decimal(str(a.get("tolerance", 0))),
                    step=None if a.get("step") is None else Decimal(str(a["step"])),
                    deduction=None if a.get("deduction") is None else Decimal(str(a["deduction"])),
                    descriptors=a.get("descriptors", []),
                )
                try:
                    aspect.full_clean(exclude=["code", "criterion"])
                except ValidationError as exc:
                    raise ValidationError(
                        {f"{criterion.letter}{s_no}.{a_no}": [" ".join(exc.messages)]}
                    ) from exc
                aspect.save()
                total += aspect.max_mark
    if total != TOTAL_MARKS:
        raise ValidationError(
            {"scheme": [_("The aspects add up to %(total)s marks, not 100.") % {"total": total}]}
        )
    audit_record(
        actor=actor,
        action="competition.scheme_load",
        obj=trade.competition,
        details={"trade": trade.name, "criteria": [c.letter for c in criteria]},
    )
    return criteria


# --------------------------------------------------------------------------- judges and conflicts
BLIND_CONFLICT = _lazy("You may not mark this entrant (a conflict of interest).")


def conflict_reason(user: Any, entry: Entry) -> str | None:
    """Why ``user`` may not mark ``entry`` (None when free to).

    A judge may not mark an entrant whose sending organisation or employer is inside one of the
    judge's organisations, or above it (so a judge from a team cannot mark their own enterprise's
    entrant either). Memberships at the organiser itself or above it are neutral: the organising
    federation's own judges may mark everyone.
    """
    if JudgeConflict.objects.filter(
        competition_id=entry.competition_id, user=user, worker_id=entry.worker_id
    ).exists():
        return _("The judge declared a conflict of interest with %(name)s.") % {
            "name": entry.worker.name
        }
    org = affiliation_conflict(
        user,
        subject_paths=[entry.sending_org.path, entry.worker.organization.path],
        neutral_path=entry.competition.organization.path,
    )
    if org is not None:
        return _("The judge belongs to %(org)s, the entrant %(name)s's own organisation.") % {
            "org": org,
            "name": entry.worker.name,
        }
    return None


@transaction.atomic
def judge_assign(
    *, actor: Any, stage: Stage, criterion: Criterion, user: Any, is_chief: bool = False
) -> JudgeAssignment:
    """Assign a judge to one criterion at one stage; refused if they conflict with any entrant."""
    require_organiser(actor, stage.competition)
    if criterion.trade.competition_id != stage.competition_id:
        raise ApplicationError(_("The criterion belongs to another competition."))
    entries = Entry.objects.filter(
        stage=stage, trade_id=criterion.trade_id, status__in=Entry.ACTIVE
    ).select_related("worker__organization", "sending_org", "competition__organization")
    problems = [r for r in (conflict_reason(user, e) for e in entries) if r]
    if problems:
        raise ApplicationError(
            _("This judge may not mark this criterion: %(reason)s") % {"reason": problems[0]},
            code="judge_conflict",
            details=[{"field": "user", "error": p} for p in problems],
        )
    assignment, created = JudgeAssignment.objects.get_or_create(
        stage=stage, criterion=criterion, user=user, defaults={"is_chief": is_chief}
    )
    if not created and assignment.is_chief != is_chief:
        assignment.is_chief = is_chief
        assignment.save(update_fields=["is_chief"])
    audit_record(
        actor=actor,
        action="competition.judge_assign",
        obj=stage.competition,
        details={
            "stage": stage.name,
            "criterion": str(criterion),
            "judge": user.get_username(),
            "chief": is_chief,
        },
    )
    return assignment


@transaction.atomic
def judge_conflict_declare(
    *, actor: Any, entry: Entry, user: Any | None = None, reason: str = ""
) -> JudgeConflict:
    """A judge declares a conflict with an entrant (or the organiser records it for them)."""
    user = user or actor
    if user != actor:
        require_organiser(actor, entry.competition)
    conflict, _created = JudgeConflict.objects.get_or_create(
        competition=entry.competition,
        user=user,
        worker=entry.worker,
        defaults={"reason": reason[:200]},
    )
    audit_record(
        actor=actor,
        action="competition.judge_conflict",
        obj=entry,
        details={"judge": user.get_username(), "reason": reason},
    )
    return conflict


def assignment_for(
    user: Any, stage: Stage | int, criterion: Criterion | int
) -> JudgeAssignment | None:
    return JudgeAssignment.objects.filter(user=user, stage=stage, criterion=criterion).first()


def criterion_locked(stage: Stage | int, criterion: Criterion | int) -> bool:
    """Locked once every judge assigned to the criterion at that stage has signed off."""
    states = list(
        JudgeAssignment.objects.filter(stage=stage, criterion=criterion).values_list(
            "signed_off_at", flat=True
        )
    )
    return bool(states) and all(s is not None for s in states)


# --------------------------------------------------------------------------- marks
@dataclass
class MarkSaved:
    mark: Mark
    created: bool


def _conflict(current: Mark) -> ConflictError:
    return ConflictError(
        _(
            "Someone else saved this mark first: it is now %(value)s (version %(version)d). "
            "Check it and save again if yours is right."
        )
        % {"value": current.value.normalize(), "version": current.version},
        code="stale_version",
        details=[
            {"field": "value", "error": str(current.value.normalize())},
            {"field": "version", "error": str(current.version)},
        ],
    )


@transaction.atomic
def mark_save(
    *,
    actor: Any,
    entry: Entry,
    aspect: Aspect,
    value: Decimal | float | str,
    version: int,
    reason: str = "",
    confirm: bool = False,
) -> MarkSaved:
    """Save what a judge entered, if nobody else changed it since ``version`` (0 = new).

    Two saves ask first (422, code in :data:`CONFIRM_CODES`, nothing written) unless ``confirm``:
    a measurement outside the plausible band (:func:`plausible_band`), and a change to a mark of an
    entrant whose sheet (every aspect of the criterion, for this judge) is already complete.

    Refused when the judge is not assigned to the criterion, has a conflict with the entrant, or
    the criterion is signed off (then only the chief judge may change it, with a reason; audited).
    A stale ``version`` answers 409 with the current value; nothing is overwritten.
    """
    assignment = assignment_for(actor, entry.stage_id, aspect.criterion_id)
    if assignment is None:
        raise PermissionDenied("not assigned to this criterion")
    if not entry.is_active:
        raise ApplicationError(_("This entry is no longer active."), code="bad_status")
    if entry.blind and entry.draw_number is None:
        from .draw import not_drawn_error

        raise not_drawn_error()
    why = conflict_reason(actor, entry)
    if why:
        # blind judging: the reason would name the entrant or their organisation
        raise ApplicationError(BLIND_CONFLICT if entry.blind else why, code="judge_conflict")
    locked = criterion_locked(entry.stage_id, aspect.criterion_id)
    if locked:
        if not assignment.is_chief:
            raise ApplicationError(
                _("This criterion is signed off: only the chief judge may change its marks."),
                code="signed_off",
                status=423,
            )
        if not reason.strip():
            raise ValidationError(
                {"reason": [_("Give the reason for changing a signed-off mark.")]}
            )
    value = Decimal(str(value))
    if aspect.kind == Aspect.Kind.JUDGEMENT:
        if value not in (0, 1, 2, 3):
            raise ValidationError({"value": [_("A judgement score is 0, 1, 2 or 3.")]})
        computed = value
        judge = actor
    else:
        computed = measurement_mark(aspect, value)
        judge = None
    base = Mark.objects.filter(entry=entry, aspect=aspect, judge=judge)
    before = base.first()
    if not confirm:
        _ask_first(actor, entry, aspect, value, computed, before, version, locked)
    if version == 0:
        if before is not None:
            raise _conflict(before)
        try:
            with transaction.atomic():
                mark = Mark.objects.create(
                    entry=entry,
                    aspect=aspect,
                    judge=judge,
                    value=value,
                    mark=computed,
                    version=1,
                    updated_by=actor,
                )
        except IntegrityError:
            raise _conflict(base.get()) from None
        created = True
    else:
        n = base.filter(version=version).update(
            value=value,
            mark=computed,
            version=F("version") + 1,
            updated_by=actor,
            updated_at=timezone.now(),
        )
        current = base.first()
        if current is None:
            raise ApplicationError(
                _("There is no such mark to change."), code="not_found", status=404
            )
        if n == 0:
            raise _conflict(current)
        mark, created = current, False
    details = {
        "entry": entry.code,
        "aspect": aspect.label,
        "value": value,
        "mark": computed,
        "version": mark.version,
        "before": before.value if before else None,
    }
    if locked:
        details["reason"] = reason
    audit_record(
        actor=actor,
        action="competition.mark_after_signoff" if locked else "competition.mark_save",
        obj=entry.competition,
        details=details,
    )
    return MarkSaved(mark, created)


def sheet_complete(actor: Any, entry: Entry, criterion_id: int) -> bool:
    """Has ``actor``'s sheet for ``entry`` every aspect of the criterion marked (their judgement
    scores and the shared measurements)?"""
    aspects = Aspect.objects.filter(criterion_id=criterion_id)
    total = aspects.count()
    done = (
        Mark.objects.filter(entry=entry, aspect__in=aspects)
        .filter(Q(judge=actor) | Q(judge__isnull=True))
        .count()
    )
    return total > 0 and done >= total


def _ask_first(
    actor: Any,
    entry: Entry,
    aspect: Aspect,
    value: Decimal,
    computed: Decimal,
    before: Mark | None,
    version: int,
    locked: bool,
) -> None:
    """Raise the 422 that asks for confirmation (see :func:`mark_save`). A change the write would
    refuse anyway (a stale version: 409) is not asked about, nor the chief judge's change of a
    signed-off mark (its required reason is the confirmation)."""
    if aspect.kind == Aspect.Kind.MEASUREMENT and implausible(aspect, value):
        raise ApplicationError(
            _(
                "%(value)s is far outside the plausible range for %(target)s ± %(tol)s (more than "
                "%(band)s away): it would score %(mark)s. Check the value, or confirm to save it."
            )
            % {
                "value": Aspect.plain(value),
                "target": aspect.target_text,
                "tol": aspect.tolerance_text,
                "band": Aspect.plain(plausible_band(aspect)),
                "mark": Aspect.plain(computed),
            },
            code="implausible_measurement",
            status=422,
            details=[{"field": "value", "error": _("implausible measurement")}],
        )
    if (
        not locked
        and before is not None
        and version == before.version
        and before.value != value
        and sheet_complete(actor, entry, aspect.criterion_id)
    ):
        raise ApplicationError(
            _(
                "This entrant's marks are complete: change %(aspect)s from %(old)s to %(new)s? "
                "Confirm to overwrite."
            )
            % {
                "aspect": aspect.label,
                "old": Aspect.plain(before.value),
                "new": Aspect.plain(value),
            },
            code="overwrite_complete",
            status=422,
            details=[{"field": "value", "error": _("overwrites a complete sheet")}],
        )


@transaction.atomic
def criterion_sign_off(*, actor: Any, stage: Stage, criterion: Criterion) -> JudgeAssignment:
    """A judge signs off their criterion: every active entrant has all the judge's marks."""
    assignment = assignment_for(actor, stage, criterion)
    if assignment is None:
        raise PermissionDenied("not assigned to this criterion")
    entries = list(
        Entry.objects.filter(
            stage=stage, trade_id=criterion.trade_id, status__in=Entry.ACTIVE
        ).select_related("worker__organization", "sending_org", "competition__organization")
    )
    entries = [e for e in entries if conflict_reason(actor, e) is None]
    aspects = list(criterion.aspects.all())
    have = set(
        Mark.objects.filter(entry__in=entries, aspect__in=aspects)
        .filter(judge__isnull=True)
        .values_list("entry_id", "aspect_id")
    ) | set(
        Mark.objects.filter(entry__in=entries, aspect__in=aspects, judge=actor).values_list(
            "entry_id", "aspect_id"
        )
    )
    missing = [(e, a) for e in entries for a in aspects if (e.pk, a.pk) not in have]
    if missing:
        raise ApplicationError(
            _("%(n)d marks are still missing (first: %(name)s, %(aspect)s).")
            % {"n": len(missing), "name": missing[0][0].worker.name, "aspect": missing[0][1].label},
            code="marks_missing",
        )
    assignment.signed_off_at = timezone.now()
    assignment.save(update_fields=["signed_off_at"])
    audit_record(
        actor=actor,
        action="competition.sign_off",
        obj=stage.competition,
        details={
            "stage": stage.name,
            "criterion": str(criterion),
            "locked": criterion_locked(stage, criterion),
        },
    )
    return assignment


# --------------------------------------------------------------------------- aggregation
@dataclass
class SpreadFlag:
    entry: Entry
    aspect: Aspect
    scores: dict[str, Decimal]  # judge user name → score
    spread: Decimal


def spread_flags(*, stage: Stage, criterion: Criterion) -> list[SpreadFlag]:
    """Judgement aspects where the judges' scores differ by more than 1 (for the chief judge)."""
    rows = (
        Mark.objects.filter(
            entry__stage=stage,
            aspect__criterion=criterion,
            aspect__kind=Aspect.Kind.JUDGEMENT,
            entry__status__in=Entry.ACTIVE,
        )
        .select_related(
            "entry__worker",
            "entry__competition",
            "entry__stage",
            "aspect__sub_criterion",
            "aspect__criterion",
            "judge",
        )
        .order_by("entry_id", "aspect_id")
    )
    grouped: dict[tuple[int, int], list[Mark]] = {}
    for m in rows:
        grouped.setdefault((m.entry_id, m.aspect_id), []).append(m)
    flags = []
    for marks in grouped.values():
        values = [m.value for m in marks]
        spread = max(values) - min(values)
        if spread > SPREAD_LIMIT:
            flags.append(
                SpreadFlag(
                    marks[0].entry,
                    marks[0].aspect,
                    {m.judge.get_username(): m.value for m in marks},
                    spread,
                )
            )
    return flags


def require_chief(actor: Any, stage: Stage, criterion: Criterion) -> JudgeAssignment:
    assignment = assignment_for(actor, stage, criterion)
    if assignment is None or not assignment.is_chief:
        if access.can(actor, "competitions.change_competition", stage.competition.organization):
            return JudgeAssignment(stage=stage, criterion=criterion, user=actor, is_chief=True)
        raise PermissionDenied("chief judge only")
    return assignment
