"""Marking of subjective answers (blind), double marking with reconciliation, and regrades.

* A marker sees items by their blind code only, never the candidate.
* Single marking: the first mark is final.
* Double marking: two different markers mark; if their marks differ by no more than the session's
  tolerance the item gets their mean, otherwise it waits for reconciliation: a third marker with
  the ``learning.reconcile`` permission (the chief) decides, and that mark is final.
* When every item of an attempt has a score the attempt completes and its result is released.
* A regrade (corrected key, or a score changed after an appeal) recalculates every affected
  attempt and writes one audit row per attempt whose score changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.audit import audit_record
from gongjiang.core.errors import ConflictError
from gongjiang.core.scoping import prefix_q

from ..answers import response_keys
from ..bank.services import normalize_answer
from ..grading import checklist_score, grade, to_decimal
from ..models import Attempt, AttemptItem, ExamSession, Mark, QuestionVersion
from .services import attempt_finalize

M = AttemptItem.Marking


def marking_queue(*, actor: Any) -> QuerySet[AttemptItem]:
    """Items waiting for this marker, oldest first; reconciliation only for those who may reconcile."""
    waiting = [M.PENDING, M.SECOND]
    if access.can(actor, "learning.reconcile"):
        waiting.append(M.THIRD)
    qs = AttemptItem.objects.visible_to(actor, "learning.mark").filter(marking__in=waiting)
    recon_paths = access.scope_paths(actor, "learning.reconcile")
    if recon_paths is not None:
        qs = qs.exclude(
            marking=M.THIRD,
            pk__in=AttemptItem.objects.filter(marking=M.THIRD)
            .exclude(prefix_q("attempt__organization__path", recon_paths))
            .values("pk"),
        )
    return (
        qs.exclude(marks__marker=actor)
        .exclude(attempt__user=actor)
        .select_related("version", "attempt__session")
        .order_by("attempt__submitted_at", "position")
    )


def marking_item_get(*, actor: Any, code: str) -> AttemptItem:
    return access.get_visible_or_404(
        AttemptItem.objects.select_related("version", "attempt__session"),
        actor,
        "learning.mark",
        code=code,
    )


@transaction.atomic
def item_mark(
    *,
    actor: Any,
    item: AttemptItem,
    score: Decimal | float | str | None = None,
    ticked: Sequence[int] | None = None,
    comment: str = "",
) -> AttemptItem:
    item = (
        AttemptItem.objects.select_for_update(of=("self",))
        .select_related("version", "attempt__session")
        .get(pk=item.pk)
    )
    session = item.attempt.session
    access.require(actor, "learning.mark", item.attempt.organization)
    if item.attempt.user_id == actor.pk:
        raise PermissionDenied("own attempt")
    if item.marking not in (M.PENDING, M.SECOND, M.THIRD):
        raise ConflictError(_("This answer has already been marked."), code="already_marked")
    earlier = list(item.marks.all())
    if any(m.marker_id == actor.pk for m in earlier):
        raise ConflictError(
            _("You have already marked this answer; another marker must mark it."),
            code="marker_repeated",
        )
    if item.version.qtype == "practical" and ticked is not None:
        value = checklist_score(item.version.checklist, ticked)
    else:
        if score is None:
            raise ValidationError({"score": [_("Enter a score.")]})
        value = to_decimal(Decimal(str(score)))
    if value < 0 or value > item.max_score:
        raise ValidationError(
            {"score": [_("The score must be between 0 and %(max)s.") % {"max": item.max_score}]}
        )
    if item.marking == M.PENDING:
        kind = Mark.Kind.FIRST
    elif item.marking == M.SECOND:
        kind = Mark.Kind.SECOND
    else:
        access.require(actor, "learning.reconcile", item.attempt.organization)
        kind = Mark.Kind.THIRD
    Mark.objects.create(
        item=item,
        marker=actor,
        kind=kind,
        score=value,
        checklist=list(ticked or []),
        comment=comment[:2000],
    )
    if kind == Mark.Kind.FIRST and not session.double_marking:
        item.score, item.marking = value, M.DONE
    elif kind == Mark.Kind.FIRST:
        item.marking = M.SECOND
    elif kind == Mark.Kind.SECOND:
        first = next(m for m in earlier if m.kind == Mark.Kind.FIRST)
        if abs(first.score - value) <= session.marking_tolerance:
            item.score, item.marking = to_decimal((first.score + value) / 2), M.DONE
        else:
            item.marking = M.THIRD
    else:
        item.score, item.marking = value, M.DONE
    item.save(update_fields=["score", "marking"])
    audit_record(
        actor=actor,
        action="attempt_item.mark",
        obj=item.attempt,
        details={"item": item.code, "kind": kind, "score": value, "status": item.marking},
    )
    if item.marking == M.DONE:
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("session")
            .get(pk=item.attempt_id)
        )
        attempt_finalize(attempt)
    return item


def _refinalize(actor: Any, attempt_ids: set[int], reason: str, action: str) -> int:
    changed = 0
    for attempt in (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("session")
        .filter(pk__in=attempt_ids)
        .order_by("pk")
    ):
        before = (attempt.score, attempt.passed, attempt.status)
        attempt_finalize(attempt)
        after = (attempt.score, attempt.passed, attempt.status)
        if before != after:
            changed += 1
            audit_record(
                actor=actor,
                action=action,
                obj=attempt,
                details={
                    "reason": reason,
                    "score": [before[0], after[0]],
                    "passed": [before[1], after[1]],
                },
            )
    return changed


@transaction.atomic
def question_version_correct_key(
    *, actor: Any, version: QuestionVersion, answer: Any, reason: str
) -> dict[str, int]:
    """Correct the answer key of a version that attempts used, and regrade every attempt that saw it."""
    question = version.question
    access.require(actor, "learning.regrade", question.organization)
    if not version.is_objective:
        raise ConflictError(
            _("Only objective questions have a key to correct."), code="not_objective"
        )
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the regrade.")]})
    old = version.answer
    version.answer = normalize_answer(version.qtype, answer)
    from ..grading import validate_answer

    problems = validate_answer(version.qtype, version.options, version.answer)
    if problems:
        raise ValidationError({"answer": problems})
    version.save(update_fields=["answer"])
    audit_record(
        actor=actor,
        action="question.key_correct",
        obj=question,
        details={"version": version.number, "answer": [old, version.answer], "reason": reason},
    )
    items = list(
        AttemptItem.objects.select_related("version")
        .filter(version=version)
        .exclude(attempt__status=Attempt.Status.IN_PROGRESS)
    )
    for item in items:
        item.score = grade(
            version.qtype, version.answer, response_keys(item), item.max_score, version.scoring_rule
        )
    AttemptItem.objects.bulk_update(items, ["score"])
    changed = _refinalize(actor, {i.attempt_id for i in items}, reason, "attempt.regrade")
    return {"items": len(items), "attempts_changed": changed}


@transaction.atomic
def exam_session_regrade(*, actor: Any, session: ExamSession, reason: str) -> dict[str, int]:
    """Regrade every submitted attempt of a session against the current keys of the versions they saw."""
    access.require(actor, "learning.regrade", session.organization)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the regrade.")]})
    items = list(
        AttemptItem.objects.select_related("version")
        .filter(attempt__session=session)
        .exclude(attempt__status=Attempt.Status.IN_PROGRESS)
        .filter(marking=M.AUTO)
    )
    for item in items:
        v = item.version
        item.score = grade(v.qtype, v.answer, response_keys(item), item.max_score, v.scoring_rule)
    AttemptItem.objects.bulk_update(items, ["score"])
    changed = _refinalize(actor, {i.attempt_id for i in items}, reason, "attempt.regrade")
    audit_record(
        actor=actor,
        action="exam_session.regrade",
        obj=session,
        details={"reason": reason, "items": len(items), "attempts_changed": changed},
    )
    return {"items": len(items), "attempts_changed": changed}


@transaction.atomic
def attempt_item_override(
    *, actor: Any, item: AttemptItem, score: Decimal | float | str, reason: str
) -> AttemptItem:
    """Change one item's score after an appeal (any type), audited; the attempt is re-totalled."""
    item = (
        AttemptItem.objects.select_for_update(of=("self",))
        .select_related("attempt__session")
        .get(pk=item.pk)
    )
    access.require(actor, "learning.regrade", item.attempt.organization)
    if item.attempt.status == Attempt.Status.IN_PROGRESS:
        raise ConflictError(_("The attempt has not been submitted."), code="not_submitted")
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the regrade.")]})
    value = to_decimal(Decimal(str(score)))
    if value < 0 or value > item.max_score:
        raise ValidationError(
            {"score": [_("The score must be between 0 and %(max)s.") % {"max": item.max_score}]}
        )
    Mark.objects.create(
        item=item, marker=actor, kind=Mark.Kind.REGRADE, score=value, comment=reason[:2000]
    )
    item.score, item.marking = value, M.DONE
    item.save(update_fields=["score", "marking"])
    _refinalize(actor, {item.attempt_id}, reason, "attempt.regrade")
    return item
