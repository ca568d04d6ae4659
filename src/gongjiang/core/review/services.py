"""Acts on review rounds: set up (criteria, items, panel), score, finalise.

Scores are bounded by each criterion's maximum and refused where the panel member has a conflict of
interest (:mod:`.conflicts`). Finalising computes each item's total — the weighted mean over the
criteria of the panel's mean score as a share of the criterion's maximum, on a 0–100 scale — ranks
the items with ties ("1, 2, 2, 4") and gives grades by rank bands or score thresholds. A panel
member never finalises the round they scored (separation of duties)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..actors import user_or_none
from ..audit import audit_record
from ..duties import DutyConflict, audited_refusals
from ..errors import ApplicationError, field_error
from ..models import Organization
from ..references import reference_of
from .conflicts import review_conflict_reason
from .models import PanelMember, ReviewCriterion, ReviewItem, ReviewRound, ReviewScore
from .ranking import competition_ranks, grade_for_rank, grade_for_score

MANAGE = "core.change_reviewround"
HUNDRED = Decimal(100)


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, bool | float):
        raise field_error(field, _("Give a decimal number, not a floating-point number."))
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise field_error(field, _("“%(value)s” is not a number.") % {"value": value}) from None
    if not number.is_finite() or number != number.quantize(Decimal("0.01")):
        raise field_error(field, _("Give a number with at most two decimals."))
    return number


def _check_bands(grading: str, bands: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, band in enumerate(bands):
        field = f"grade_bands[{i}]"
        if not isinstance(band, dict) or not str(band.get("grade", "")).strip():
            raise field_error(field, _("Each grade needs a name."))
        if grading == ReviewRound.Grading.RANK:
            limit = band.get("up_to")
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                raise field_error(field, _("A rank band needs its last rank (a whole number ≥ 1)."))
            if out and limit <= out[-1]["up_to"]:
                raise field_error(field, _("Rank bands must go up: each ends below the next."))
            out.append({"grade": str(band["grade"]).strip(), "up_to": limit})
        else:
            low = _decimal(band.get("min", ""), field)
            out.append({"grade": str(band["grade"]).strip(), "min": str(low)})
    return out


@transaction.atomic
def review_round_create(
    *,
    actor: Any,
    organization: Organization,
    title: str,
    criteria: Sequence[dict[str, Any]],
    kind: str = "",
    grading: str = ReviewRound.Grading.RANK,
    grade_bands: Sequence[dict[str, Any]] = (),
) -> ReviewRound:
    """A round with its criteria ``[{"name", "weight", "max_score"}, …]``."""
    access.require(actor, MANAGE, organization)
    if grading not in ReviewRound.Grading.values:
        raise field_error("grading", _("Grades go by rank bands or by score thresholds."))
    if not criteria:
        raise field_error("criteria", _("A round needs at least one criterion."))
    round_ = ReviewRound(
        organization=organization,
        title=(title or "").strip(),
        kind=kind,
        grading=grading,
        grade_bands=_check_bands(grading, grade_bands),
        created_by=user_or_none(actor),
    )
    round_.full_clean(exclude=["created_by"])
    round_.save()
    for i, spec in enumerate(criteria):
        field = f"criteria[{i}]"
        weight = _decimal(spec.get("weight", ""), f"{field}.weight")
        max_score = _decimal(spec.get("max_score", ""), f"{field}.max_score")
        if weight <= 0 or weight > 1000:
            raise field_error(f"{field}.weight", _("A weight is greater than 0 and at most 1000."))
        if max_score <= 0 or max_score > 1000:
            raise field_error(
                f"{field}.max_score", _("A maximum score is greater than 0 and at most 1000.")
            )
        name = str(spec.get("name", "")).strip()
        if not name:
            raise field_error(f"{field}.name", _("Each criterion needs a name."))
        ReviewCriterion.objects.create(
            round=round_, name=name[:120], weight=weight, max_score=max_score, order=i
        )
    audit_record(
        actor=actor,
        action="review.round_create",
        obj=round_,
        details={"criteria": [str(c.get("name", "")) for c in criteria], "kind": kind},
    )
    return round_


def _require_open(round_: ReviewRound) -> None:
    if round_.state != ReviewRound.State.OPEN:
        raise ApplicationError(_("The round is finalised."), code="round_final", status=409)


@transaction.atomic
def review_item_add(
    *,
    actor: Any,
    round: ReviewRound,  # noqa: A002 (the domain's word)
    label: str,
    organization: Organization,
    about: models.Model | None = None,
    nominated_by: Any = None,
) -> ReviewItem:
    """Put something under review: ``organization`` is where it comes from (employer, unit)."""
    access.require(actor, MANAGE, round.organization)
    _require_open(round)
    content_type, object_code = reference_of(about)
    item = ReviewItem(
        round=round,
        label=(label or "").strip(),
        organization=organization,
        content_type=content_type,
        object_code=object_code,
        nominated_by=nominated_by,
    )
    try:
        item.full_clean(exclude=["content_type", "nominated_by", "round", "organization"])
    except ValidationError as exc:
        raise ApplicationError(
            _("The item is not valid."),
            details=[
                {"field": f, "error": str(e)} for f, es in exc.message_dict.items() for e in es
            ],
        ) from exc
    if (
        object_code
        and ReviewItem.objects.filter(
            round=round, content_type=content_type, object_code=object_code
        ).exists()
    ):
        raise field_error("about", _("This is already under review in the round."), "duplicate")
    item.save()
    audit_record(
        actor=actor,
        action="review.item_add",
        obj=round,
        details={"item": item.code, "label": item.label, "from": organization.code},
    )
    return item


@transaction.atomic
def panel_member_add(*, actor: Any, round: ReviewRound, user: Any) -> PanelMember:  # noqa: A002
    access.require(actor, MANAGE, round.organization)
    _require_open(round)
    member, _created = PanelMember.objects.get_or_create(round=round, user=user)
    audit_record(
        actor=actor,
        action="review.panel_add",
        obj=round,
        details={"member": user.get_username()},
    )
    return member


def _member(actor: Any, round_: ReviewRound) -> PanelMember:
    member = PanelMember.objects.filter(round=round_, user_id=getattr(actor, "pk", None)).first()
    if member is None:
        raise Http404("review round")  # not on the panel: the round does not exist for them
    return member


@transaction.atomic
def review_score_save(
    *, actor: Any, item: ReviewItem, criterion: ReviewCriterion, score: Any
) -> ReviewScore:
    """A panel member's score of one item on one criterion (0 … the criterion's maximum)."""
    round_ = ReviewRound.objects.select_for_update().get(pk=item.round_id)
    member = _member(actor, round_)
    _require_open(round_)
    if criterion.round_id != round_.pk:
        raise field_error("criterion", _("The criterion belongs to another round."))
    reason = review_conflict_reason(actor, item)
    if reason:
        raise ApplicationError(reason, code="conflict_of_interest", status=403)
    value = _decimal(score, "score")
    if not Decimal(0) <= value <= criterion.max_score:
        raise field_error(
            "score",
            _("A score on “%(criterion)s” is between 0 and %(max)s.")
            % {"criterion": criterion.name, "max": criterion.max_score},
        )
    saved, _created = ReviewScore.objects.update_or_create(
        member=member,
        item=item,
        criterion=criterion,
        defaults={"score": value, "updated_at": timezone.now()},
    )
    audit_record(
        actor=actor,
        action="review.score",
        obj=round_,
        details={"item": item.code, "criterion": criterion.name, "score": str(value)},
    )
    return saved


@transaction.atomic
def review_scores_save(
    *, actor: Any, item: ReviewItem, scores: Mapping[ReviewCriterion, Any]
) -> list[ReviewScore]:
    """A panel member's scores of one item on several criteria at once (a score sheet): all
    saved, or — if one is refused — none."""
    return [
        review_score_save(actor=actor, item=item, criterion=criterion, score=score)
        for criterion, score in scores.items()
    ]


def item_totals(
    round_: ReviewRound, item_ids: Iterable[int] | None = None
) -> dict[int, Decimal | None]:
    """{item id: total on 0–100, or None while a criterion has no score}; ``item_ids``: the
    round's items when the caller has already read them."""
    if item_ids is None:
        item_ids = round_.items.values_list("id", flat=True)
    criteria = list(round_.criteria.all())
    weights = sum((c.weight for c in criteria), Decimal(0))
    sums: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for item_id, criterion_id, score in ReviewScore.objects.filter(item__round=round_).values_list(
        "item_id", "criterion_id", "score"
    ):
        sums[(item_id, criterion_id)].append(score)
    out: dict[int, Decimal | None] = {}
    for item_id in item_ids:
        total = Decimal(0)
        for c in criteria:
            scores = sums.get((item_id, c.pk))
            if not scores:
                out[item_id] = None
                break
            mean = sum(scores, Decimal(0)) / len(scores)
            total += c.weight * mean / c.max_score
        else:
            out[item_id] = (total * HUNDRED / weights).quantize(Decimal("0.001"))
    return out


@audited_refusals
@transaction.atomic
def review_round_finalise(*, actor: Any, round: ReviewRound) -> ReviewRound:  # noqa: A002
    """Totals, ranks with ties and grades; the round is closed. Refused to a panel member of the
    round (403, audited) and while an item lacks a score on some criterion."""
    access.require(actor, MANAGE, round.organization)
    round_ = ReviewRound.objects.select_for_update().get(pk=round.pk)
    _require_open(round_)
    if PanelMember.objects.filter(round=round_, user_id=getattr(actor, "pk", None)).exists():
        raise DutyConflict(
            _("A member of the panel cannot finalise the round they scored."),
            action="review.finalise",
            obj=round_,
            reason="panel_member",
        )
    items = list(round_.items.all())  # read once: totals, the check and the ranking use it
    totals = item_totals(round_, [i.pk for i in items])
    missing = [i for i in items if totals.get(i.pk) is None]
    if missing:
        raise ApplicationError(
            _("Some items are not scored on every criterion yet."),
            code="incomplete",
            details=[{"field": "items", "error": i.label} for i in missing],
        )
    items.sort(key=lambda i: (-totals[i.pk], i.pk))
    for rank, item in competition_ranks(items, key=lambda i: totals[i.pk]):
        item.total = totals[item.pk]
        item.rank = rank
        if round_.grading == ReviewRound.Grading.RANK:
            item.grade = grade_for_rank(rank, round_.grade_bands)
        else:
            item.grade = grade_for_score(item.total, round_.grade_bands)
    ReviewItem.objects.bulk_update(items, ["total", "rank", "grade"])
    round_.state = ReviewRound.State.FINAL
    round_.finalised_by = user_or_none(actor)
    round_.finalised_at = timezone.now()
    round_.save(update_fields=["state", "finalised_by", "finalised_at"])
    audit_record(
        actor=actor,
        action="review.finalise",
        obj=round_,
        details={"items": len(items), "grades": {i.code: i.grade for i in items}},
    )
    return round_
