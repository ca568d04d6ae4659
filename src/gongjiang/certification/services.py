"""Acts on evaluation plans: create and change plans, set the practical checklist, enrol candidates,
enter scores, decide results. Issuing and revoking certificates live in ``issuing.py``.

Every function takes keyword arguments starting with ``actor``, runs in one transaction, checks the
permission at the door (``core.access``), validates with ``full_clean()`` and writes the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.audit import audit_changes
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Occupation, Organization, SkillLevel

from .models import Candidate, EvaluationPlan, PracticalItem, PracticalScore

MANAGE = "certification.manage_evaluation"
SCORE = "certification.score_practical"
HUNDRED = Decimal("100")
TWO_PLACES = Decimal("0.01")
_UNSET: Any = object()

PLAN_FIELDS = (
    "name",
    "occupation",
    "level",
    "body_kind",
    "body_code",
    "province_code",
    "site_code",
    "has_theory",
    "has_practical",
    "has_review",
    "theory_pass",
    "practical_pass",
    "review_pass",
    "exam_session_code",
    "starts_on",
    "ends_on",
    "validity_years",
)


# ------------------------------------------------------------------------------------ helpers
def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: [_("Enter a number.")]}) from exc
    if not number.is_finite():
        raise ValidationError({field: [_("Enter a number.")]})
    return number.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _require_open(plan: EvaluationPlan) -> None:
    if plan.status != EvaluationPlan.Status.OPEN:
        raise ApplicationError(
            _("The plan's results are decided; reopen it to change scores or candidates."),
            code="plan_not_open",
            status=409,
        )


def _resolve(model: Any, value: Any, field: str) -> Any:
    if value is None or isinstance(value, model):
        return value
    obj = model.objects.filter(pk=value).first()
    if obj is None:
        raise ValidationError({field: [_("Unknown code “%(code)s”.") % {"code": value}]})
    return obj


def _plan_snapshot(plan: EvaluationPlan) -> dict[str, Any]:
    return {f: getattr(plan, f + "_id" if f in ("occupation", "level") else f) for f in PLAN_FIELDS}


def _lock_plan(plan: EvaluationPlan) -> EvaluationPlan:
    return (
        EvaluationPlan.objects.select_for_update(of=("self",))
        .select_related("organization", "level", "occupation")
        .get(pk=plan.pk)
    )


# --------------------------------------------------------------------------------------- plans
@transaction.atomic
def evaluation_plan_create(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    occupation: Occupation | str,
    level: SkillLevel | str,
    body_code: str,
    province_code: str,
    site_code: str,
    starts_on: dt.date,
    ends_on: dt.date,
    body_kind: str = "Y",
    has_theory: bool = True,
    has_practical: bool = True,
    has_review: bool = False,
    theory_pass: Decimal | int | str = Decimal("60"),
    practical_pass: Decimal | int | str = Decimal("60"),
    review_pass: Decimal | int | str = Decimal("60"),
    exam_session_code: str = "",
    validity_years: int | None = None,
    items: Iterable[tuple[str, Decimal | int | str]] = (),
) -> EvaluationPlan:
    """Create an evaluation plan owned by ``organization`` (the evaluation body). A 技师 or 高级技师
    plan always includes the review of work results (综合评审)."""
    access.require(actor, MANAGE, organization)
    plan = EvaluationPlan(
        organization=organization,
        name=name.strip(),
        occupation=_resolve(Occupation, occupation, "occupation"),
        level=_resolve(SkillLevel, level, "level"),
        body_kind=body_kind,
        body_code=body_code,
        province_code=province_code or organization.province_code[:2],
        site_code=site_code,
        has_theory=has_theory,
        has_practical=has_practical,
        has_review=has_review,
        theory_pass=_decimal(theory_pass, "theory_pass"),
        practical_pass=_decimal(practical_pass, "practical_pass"),
        review_pass=_decimal(review_pass, "review_pass"),
        exam_session_code=exam_session_code.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        validity_years=validity_years,
        created_by=user_or_none(actor),
    )
    plan.full_clean(exclude=["code"])
    plan.save()
    audit(actor=actor, action="certification.plan_create", obj=plan, details=_plan_snapshot(plan))
    items = list(items)
    if items:
        _items_replace(actor=actor, plan=plan, items=items)
    return plan


@transaction.atomic
def evaluation_plan_update(*, actor: Any, plan: EvaluationPlan, **fields: Any) -> EvaluationPlan:
    """Change any of :data:`PLAN_FIELDS` while the plan is open."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    locked = _lock_plan(plan)
    access.require(actor, MANAGE, locked.organization)
    _require_open(locked)
    before = _plan_snapshot(locked)
    for key, value in fields.items():
        if key == "occupation":
            value = _resolve(Occupation, value, key)
        elif key == "level":
            value = _resolve(SkillLevel, value, key)
        elif key.endswith("_pass"):
            value = _decimal(value, key)
        setattr(locked, key, value)
    if locked.certificates.exists() and ("level" in fields or "occupation" in fields):
        raise ApplicationError(
            _("Certificates were issued under this plan; its occupation and level are fixed.")
        )
    locked.full_clean(exclude=["code"])
    locked.save()
    changes = audit_changes(before, _plan_snapshot(locked))
    if changes:
        audit(actor=actor, action="certification.plan_update", obj=locked, details=changes)
    return locked


def _items_replace(
    *, actor: Any, plan: EvaluationPlan, items: list[tuple[str, Any]]
) -> list[PracticalItem]:
    rows = []
    for order, (title, points) in enumerate(items, start=1):
        item = PracticalItem(
            plan=plan, order=order, title=str(title).strip(), points=_decimal(points, "points")
        )
        item.full_clean(exclude=["code", "plan"])
        rows.append(item)
    PracticalItem.objects.filter(plan=plan).delete()
    created = PracticalItem.objects.bulk_create(rows)
    audit(
        actor=actor,
        action="certification.checklist_set",
        obj=plan,
        details={"items": [[i.title, i.points] for i in rows]},
    )
    return created


@transaction.atomic
def practical_items_set(
    *, actor: Any, plan: EvaluationPlan, items: list[tuple[str, Any]]
) -> list[PracticalItem]:
    """Replace the practical checklist (item, points). Refused once an examiner has scored."""
    locked = _lock_plan(plan)
    access.require(actor, MANAGE, locked.organization)
    _require_open(locked)
    if PracticalScore.objects.filter(candidate__plan=locked).exists():
        raise ApplicationError(
            _("Examiners have already scored this checklist; it can no longer change."),
            code="checklist_scored",
            status=409,
        )
    if not items:
        raise ValidationError({"items": [_("A checklist needs at least one item.")]})
    return _items_replace(actor=actor, plan=locked, items=items)


@transaction.atomic
def evaluation_plan_reopen(*, actor: Any, plan: EvaluationPlan) -> EvaluationPlan:
    """Back to enrolment and scoring (to correct a score) — only before any certificate is issued."""
    locked = _lock_plan(plan)
    access.require(actor, MANAGE, locked.organization)
    if locked.certificates.exists():
        raise ApplicationError(
            _("Certificates were issued under this plan; it cannot be reopened."),
            code="plan_issued",
            status=409,
        )
    if locked.status != EvaluationPlan.Status.OPEN:
        locked.status = EvaluationPlan.Status.OPEN
        locked.save(update_fields=["status", "updated_at"])
        Candidate.objects.filter(plan=locked).update(
            theory_passed=None,
            practical_passed=None,
            review_passed=None,
            passed=None,
            decided_at=None,
        )
        audit(actor=actor, action="certification.plan_reopen", obj=locked)
    plan.status = locked.status
    return locked


# ----------------------------------------------------------------------------------- candidates
def eligible_workers(*, actor: Any, plan: EvaluationPlan) -> Any:
    """Workers the actor may enrol in this plan: on the job, visible to the actor
    (``workforce.view_worker``), and — for an employer evaluation (Y) — employed inside the
    evaluation body's subtree."""
    from gongjiang.workforce.models import Worker

    qs = Worker.objects.visible_to(actor, "workforce.view_worker").filter(
        status=Worker.Status.ACTIVE
    )
    if plan.body_kind == "Y":
        qs = qs.filter(organization__path__startswith=plan.organization.path)
    return qs.exclude(pk__in=Candidate.objects.filter(plan=plan).values("worker_id"))


@transaction.atomic
def candidates_enrol(
    *, actor: Any, plan: EvaluationPlan, workers: Iterable[Any]
) -> list[Candidate]:
    """Enrol workers (all or none): each must be eligible (see :func:`eligible_workers`)."""
    locked = _lock_plan(plan)
    access.require(actor, MANAGE, locked.organization)
    _require_open(locked)
    wanted = {w.pk: w for w in workers}
    if not wanted:
        raise ValidationError({"workers": [_("Choose at least one worker.")]})
    ok = set(
        eligible_workers(actor=actor, plan=locked)
        .filter(pk__in=list(wanted))
        .values_list("pk", flat=True)
    )
    refused = [w for pk, w in wanted.items() if pk not in ok]
    if refused:
        already = set(
            Candidate.objects.filter(
                plan=locked, worker_id__in=[w.pk for w in refused]
            ).values_list("worker_id", flat=True)
        )
        raise ApplicationError(
            _(
                "These workers cannot be enrolled (already enrolled, not on the job, or outside your scope or the evaluation body's): %(names)s"
            )
            % {"names": "、".join(w.name for w in refused)},
            code="not_eligible",
            details=[
                {
                    "field": "workers",
                    "error": w.code + (" already enrolled" if w.pk in already else " not eligible"),
                }
                for w in refused
            ],
        )
    created = Candidate.objects.bulk_create([Candidate(plan=locked, worker_id=pk) for pk in wanted])
    audit(
        actor=actor,
        action="certification.candidates_enrol",
        obj=locked,
        details={"workers": [w.code for w in wanted.values()]},
    )
    return created


def candidate_enrol(*, actor: Any, plan: EvaluationPlan, worker: Any) -> Candidate:
    candidate = candidates_enrol(actor=actor, plan=plan, workers=[worker])[0]
    return Candidate.objects.get(plan=plan, worker=worker) if candidate.pk is None else candidate


@transaction.atomic
def candidate_withdraw(*, actor: Any, candidate: Candidate) -> None:
    locked = _lock_plan(candidate.plan)
    access.require(actor, MANAGE, locked.organization)
    _require_open(locked)
    audit(
        actor=actor,
        action="certification.candidate_withdraw",
        obj=locked,
        details={"candidate": candidate.code, "worker": candidate.worker.code},
    )
    candidate.delete()


# --------------------------------------------------------------------------------------- scores
@transaction.atomic
def candidate_scores_set(
    *, actor: Any, candidate: Candidate, theory: Any = _UNSET, review: Any = _UNSET
) -> Candidate:
    """Enter or correct a candidate's theory and/or review score (0–100; empty clears it)."""
    locked_plan = _lock_plan(candidate.plan)
    access.require(actor, MANAGE, locked_plan.organization)
    _require_open(locked_plan)
    row = Candidate.objects.select_for_update().get(pk=candidate.pk)
    before = {"theory": row.theory_score, "review": row.review_score}
    if theory is not _UNSET:
        if not locked_plan.has_theory and theory not in (None, ""):
            raise ValidationError({"theory": [_("This plan has no theory exam.")]})
        row.theory_score = _decimal(theory, "theory")
        row.theory_from_exam = False
    if review is not _UNSET:
        if not locked_plan.has_review and review not in (None, ""):
            raise ValidationError({"review": [_("This plan has no review of work results.")]})
        row.review_score = _decimal(review, "review")
    try:
        row.full_clean(exclude=["code", "plan", "worker"])
    except ValidationError as exc:
        mapping = {"theory_score": "theory", "review_score": "review"}
        raise ValidationError({mapping.get(k, k): v for k, v in exc.message_dict.items()}) from exc
    row.save()
    changes = audit_changes(before, {"theory": row.theory_score, "review": row.review_score})
    if changes:
        audit(
            actor=actor,
            action="certification.scores_set",
            obj=locked_plan,
            details={"candidate": row.code, **changes},
        )
    candidate.theory_score, candidate.review_score = row.theory_score, row.review_score
    return row


def _practical_recompute(candidate_ids: list[int], plan: EvaluationPlan) -> None:
    """practical score = 100 × Σ_item (average over examiners of the points given) / Σ_item points;
    empty until every item has at least one examiner's points."""
    items = {i.pk: i.points for i in PracticalItem.objects.filter(plan=plan)}
    total = sum(items.values(), Decimal("0"))
    averages: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in (
        PracticalScore.objects.filter(candidate_id__in=candidate_ids)
        .values("candidate_id", "item_id")
        .annotate(avg=Avg("points"), n=Count("id"))
    ):
        averages[row["candidate_id"]][row["item_id"]] = Decimal(str(row["avg"]))
    updates = []
    for cid in candidate_ids:
        got = averages.get(cid, {})
        score = None
        if total and items and set(items) <= set(got):
            score = (HUNDRED * sum(got.values(), Decimal("0")) / total).quantize(
                TWO_PLACES, rounding=ROUND_HALF_UP
            )
        updates.append(Candidate(pk=cid, practical_score=score))
    Candidate.objects.bulk_update(updates, ["practical_score"])


def examiner_can_score(actor: Any, plan: EvaluationPlan) -> bool:
    return access.can(actor, SCORE, plan.organization)


@transaction.atomic
def practical_scores_save(
    *, actor: Any, candidate: Candidate, points: Mapping[str, Any]
) -> Candidate:
    """An examiner's sheet for one candidate: ``points`` maps every checklist item code to the points
    given (0 … the item's points). Saving again replaces the examiner's earlier sheet. The
    candidate's practical score becomes the average over examiners (see :func:`_practical_recompute`)."""
    plan = _lock_plan(candidate.plan)
    if not examiner_can_score(actor, plan):
        raise PermissionDenied(SCORE)
    _require_open(plan)
    if not plan.has_practical:
        raise ApplicationError(_("This plan has no practical assessment."), code="no_practical")
    items = {i.code: i for i in PracticalItem.objects.filter(plan=plan)}
    if not items:
        raise ApplicationError(_("The practical checklist is empty."), code="no_checklist")
    errors: dict[str, list[str]] = {}
    values: dict[str, Decimal] = {}
    for code, item in items.items():
        try:
            value = _decimal(points.get(code), code)
        except ValidationError as exc:
            errors[code] = exc.message_dict[code]
            continue
        if value is None:
            errors[code] = [_("Give points for every item.")]
        elif value < 0 or value > item.points:
            errors[code] = [_("Between 0 and %(max)s.") % {"max": item.points}]
        else:
            values[code] = value
    extra = set(points) - set(items)
    if extra:
        errors["__all__"] = [
            _("Unknown checklist items: %(codes)s") % {"codes": ", ".join(sorted(extra))}
        ]
    if errors:
        raise ValidationError(errors)
    PracticalScore.objects.filter(candidate=candidate, examiner=actor).delete()
    PracticalScore.objects.bulk_create(
        [
            PracticalScore(candidate=candidate, item=items[code], examiner=actor, points=value)
            for code, value in values.items()
        ]
    )
    _practical_recompute([candidate.pk], plan)
    candidate.refresh_from_db(fields=["practical_score"])
    audit(
        actor=actor,
        action="certification.practical_score",
        obj=plan,
        details={
            "candidate": candidate.code,
            "points": values,
            "practical_score": candidate.practical_score,
        },
    )
    return candidate


@transaction.atomic
def candidate_theory_from_exam(*, actor: Any, plan: EvaluationPlan) -> dict[str, int]:
    """Fill theory scores from the linked learning exam session (``plan.exam_session_code``): a
    candidate whose worker has a login and a released result gets its percentage. Needs
    ``gongjiang.learning`` (``selectors.exam_result_for`` and ``models.ExamSession``)."""
    locked = _lock_plan(plan)
    access.require(actor, MANAGE, locked.organization)
    _require_open(locked)
    if not locked.exam_session_code:
        raise ApplicationError(_("No exam session is linked to this plan."), code="no_exam_session")
    try:
        from gongjiang.learning.models import ExamSession
        from gongjiang.learning.selectors import exam_result_for
    except ImportError as exc:
        raise ApplicationError(
            _("Exam results are not available."), code="learning_unavailable"
        ) from exc
    session = ExamSession.objects.filter(code=locked.exam_session_code).first()
    if session is None:
        raise ApplicationError(_("The linked exam session does not exist."), code="no_exam_session")
    filled = missing = 0
    updates = []
    for cand in Candidate.objects.filter(plan=locked).select_related("worker__user"):
        user = cand.worker.user
        score, _passed, released = (
            (None, False, False) if user is None else exam_result_for(user=user, session=session)
        )
        if score is None or not released:
            missing += 1
            continue
        cand.theory_score = _decimal(score, "theory")
        cand.theory_from_exam = True
        updates.append(cand)
        filled += 1
    Candidate.objects.bulk_update(updates, ["theory_score", "theory_from_exam"])
    audit(
        actor=actor,
        action="certification.theory_from_exam",
        obj=locked,
        details={"session": locked.exam_session_code, "filled": filled, "missing": missing},
    )
    return {"filled": filled, "missing": missing}


# -------------------------------------------------------------------------------------- results
def part_results(
    plan: EvaluationPlan, theory: Decimal | None, practical: Decimal | None, review: Decimal | None
) -> dict[str, bool | None]:
    """Pass/fail per part the plan has (None for parts it has not); a missing score (absent) fails.
    The candidate passes when every part the plan has is passed."""
    out: dict[str, bool | None] = {"theory": None, "practical": None, "review": None}
    marks = {
        "theory": (theory, plan.theory_pass),
        "practical": (practical, plan.practical_pass),
        "review": (review, plan.review_pass),
    }
    for part in plan.parts():
        score, pass_mark = marks[part]
        out[part] = score is not None and Decimal(score) >= Decimal(pass_mark)
    out["passed"] = all(out[p] for p in plan.parts())
    return out


@transaction.atomic
def evaluation_results_decide(*, actor: Any, plan: EvaluationPlan) -> dict[str, int]:
    """Decide pass/fail for every candidate of an open (or already decided) plan and mark it
    decided. Returns counts: candidates, passed, failed, absent (a required part without score)."""
    locked = _lock_plan(plan)
    access.require(actor, MANAGE, locked.organization)
    if locked.status == EvaluationPlan.Status.ISSUED:
        raise ApplicationError(
            _("Certificates are already issued for this plan."), code="plan_issued", status=409
        )
    if locked.review_required and not locked.has_review:  # plans created before the rule
        raise ApplicationError(
            _("技师 and 高级技师 plans need the review of work results."), code="review_required"
        )
    now = timezone.now()
    rows = Candidate.objects.filter(plan=locked).values_list(
        "pk", "theory_score", "practical_score", "review_score"
    )
    counts = {"candidates": 0, "passed": 0, "failed": 0, "absent": 0}
    groups: dict[tuple[bool | None, ...], list[int]] = defaultdict(list)
    for pk, theory, practical, review in rows.iterator(chunk_size=2000):
        result = part_results(locked, theory, practical, review)
        key = (result["theory"], result["practical"], result["review"], result["passed"])
        groups[key].append(pk)
        counts["candidates"] += 1
        counts["passed" if result["passed"] else "failed"] += 1
        scores = {"theory": theory, "practical": practical, "review": review}
        if any(scores[p] is None for p in locked.parts()):
            counts["absent"] += 1
    # one UPDATE per outcome (at most 3 × 3 × 3 of them), whatever the number of candidates
    for (theory_ok, practical_ok, review_ok, passed), pks in groups.items():
        for start in range(0, len(pks), 5000):
            Candidate.objects.filter(pk__in=pks[start : start + 5000]).update(
                theory_passed=theory_ok,
                practical_passed=practical_ok,
                review_passed=review_ok,
                passed=passed,
                decided_at=now,
            )
    locked.status = EvaluationPlan.Status.DECIDED
    locked.save(update_fields=["status", "updated_at"])
    plan.status = locked.status
    audit(actor=actor, action="certification.results_decide", obj=locked, details=counts)
    return counts
