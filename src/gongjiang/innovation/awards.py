"""Services of the innovation award: rounds on core.review, quotas and nominations from below,
the public notice (core.notices), publication as honours (workforce services) and reward payments
from the reward fund (core.ledger), split by contribution share (split.py).

Conflicts of interest: besides the shared rules (a panel member never scores what they nominated
nor an item from their own branch of the tree), a panel member never scores a result they made,
submitted, reviewed or are on the team of (registered for rounds of kind ``innovation.award``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit as audit_record
from gongjiang.core.actors import user_or_none
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.ledger.models import Fund
from gongjiang.core.ledger.services import fund_debit
from gongjiang.core.models import Organization
from gongjiang.core.notices.models import NoticeObjection
from gongjiang.core.notices.services import public_notice_publish
from gongjiang.core.review.conflicts import register_conflict_check
from gongjiang.core.review.models import ReviewItem
from gongjiang.core.review.services import (
    review_item_add,
    review_round_create,
    review_round_finalise,
)
from gongjiang.workforce.history import honour_add

from .fund_budgets import BudgetGuard
from .models import GRADES, AwardQuota, AwardRound, Nomination, Result
from .split import split_by_contribution

KIND = "innovation.award"
MANAGE = "innovation.manage_award"
NOMINATE = "innovation.nominate"
FEN = Decimal("0.01")

DEFAULT_CRITERIA = [
    {"name": "创新性", "weight": 30, "max_score": 100},
    {"name": "经济和社会效益", "weight": 35, "max_score": 100},
    {"name": "实用性", "weight": 20, "max_score": 100},
    {"name": "推广价值", "weight": 15, "max_score": 100},
]
HONOUR_LEVEL = {
    "national": "national",
    "provincial": "provincial",
    "city": "city",
    "county": "city",
    "industry": "city",
}


def _nomination_of(item: ReviewItem) -> Nomination | None:
    if not item.object_code:
        return None
    return Nomination.objects.select_related("result").filter(code=item.object_code).first()


def result_conflict(user: Any, item: ReviewItem) -> str | None:
    """A panel member who made, submitted, reviewed or is on the team of the nominated result."""
    nomination = _nomination_of(item)
    if nomination is None:
        return None
    result = nomination.result
    uid = getattr(user, "pk", None)
    if uid in (result.created_by_id, result.submitted_by_id, result.reviewed_by_id) or (
        result.members.filter(worker__user_id=uid).exists()
    ):
        return _("The panel member made, reviewed or is on the team of “%(item)s”.") % {
            "item": item.label
        }
    return None


register_conflict_check(KIND, result_conflict)


# ----------------------------------------------------------------------------- who sees what


def manages(user: Any, round_: AwardRound) -> bool:
    """Managers of the organiser (they see every nomination at every stage)."""
    return access.can(user, MANAGE, round_.organization)


def nominating_quotas(user: Any, round_: AwardRound) -> list[AwardQuota]:
    """The round's quotas of the units below that ``user`` may nominate for."""
    return [
        q
        for q in round_.quotas.select_related("organization")
        if access.can(user, NOMINATE, q.organization)
    ]


def nominations_visible(user: Any, round_: AwardRound) -> QuerySet[Nomination]:
    """The nominations ``user`` sees on the round's page and in its API — one rule for both:
    the organiser's managers see all of them at every stage; while nominating, a unit's officers
    see their own units' nominations; while the panel scores, nobody else sees any; once ranked,
    everyone who sees the round sees the graded ones."""
    qs = round_.nominations.select_related("result", "result__employer", "organization", "item")
    if manages(user, round_):
        return qs
    if round_.state == AwardRound.State.NOMINATING:
        return qs.filter(organization__in=[q.organization for q in nominating_quotas(user, round_)])
    if round_.state == AwardRound.State.REVIEWING:
        return qs.none()
    return qs.filter(item__isnull=False).exclude(item__grade="")


def _require_state(round_: AwardRound, *states: str) -> None:
    if round_.state not in states:
        raise ConflictError(
            _("The round is at the stage “%(state)s”; this step is not possible now.")
            % {"state": round_.get_state_display()},
            code="wrong_stage",
        )


def _bands(bands: Sequence[int]) -> list[dict[str, Any]]:
    """Grades by rank: e.g. (1, 3, 6, 10) → 一等奖 rank 1, 二等奖 up to 3, 三等奖 up to 6, 优秀奖 up to 10."""
    if len(bands) != len(GRADES) or list(bands) != sorted(bands) or bands[0] < 1:
        raise ApplicationError(
            _("Give the last rank of each grade, increasing."),
            code="invalid_bands",
            details=[{"field": "bands", "error": str(list(bands))}],
        )
    return [{"grade": g, "up_to": int(n)} for g, n in zip(GRADES, bands, strict=True)]


@transaction.atomic
def award_round_create(
    *,
    actor: Any,
    organization: Organization,
    year: int,
    title: str,
    bands: Sequence[int] = (1, 3, 6, 10),
    criteria: Sequence[dict[str, Any]] = (),
    notice_days: int = 5,
    fund: Fund | None = None,
    reward_mode: str = AwardRound.RewardMode.GRADE,
    grade_amounts: dict[str, Any] | None = None,
    savings_share: Decimal | None = None,
    savings_cap: Decimal | None = None,
) -> AwardRound:
    access.require(actor, MANAGE, organization)
    if fund is not None and fund.organization_id != organization.pk:
        raise ApplicationError(
            _("The reward fund belongs to another organisation."), code="fund_elsewhere"
        )
    amounts = {g: str(Decimal(str(v)).quantize(FEN)) for g, v in (grade_amounts or {}).items()}
    if set(amounts) - set(GRADES):
        raise ApplicationError(_("Unknown grade."), code="invalid_grade")
    review = review_round_create(
        actor=actor,
        organization=organization,
        title=title,
        criteria=list(criteria) or DEFAULT_CRITERIA,
        kind=KIND,
        grading="rank",
        grade_bands=_bands(bands),
    )
    round_ = AwardRound(
        organization=organization,
        year=year,
        title=title,
        review=review,
        notice_days=notice_days,
        fund=fund,
        reward_mode=reward_mode,
        grade_amounts=amounts,
        savings_share=savings_share,
        savings_cap=savings_cap,
        created_by=user_or_none(actor),
    )
    round_.full_clean()
    round_.save()
    audit_record(actor=actor, action="innovation.award_create", obj=round_, details={"year": year})
    return round_


@transaction.atomic
def award_quota_set(
    *,
    actor: Any,
    round: AwardRound,
    organization: Organization,
    quota: int,  # noqa: A002
) -> AwardQuota:
    access.require(actor, MANAGE, round.organization)
    _require_state(round, AwardRound.State.NOMINATING)
    if organization.pk == round.organization_id or not organization.path.startswith(
        round.organization.path
    ):
        raise ApplicationError(_("Quotas go to units below the organiser."), code="quota_not_below")
    if not 0 <= quota <= 1000:
        raise ApplicationError(_("A quota is 0 to 1000."), code="invalid_quota")
    row, _created = AwardQuota.objects.update_or_create(
        round=round, organization=organization, defaults={"quota": quota}
    )
    audit_record(
        actor=actor,
        action="innovation.award_quota",
        obj=round,
        details={"unit": organization.code, "quota": quota},
    )
    return row


def quota_for(round_: AwardRound, organization: Organization) -> AwardQuota | None:
    return AwardQuota.objects.filter(round=round_, organization=organization).first()


@transaction.atomic
def nomination_add(
    *,
    actor: Any,
    round: AwardRound,  # noqa: A002
    result: Result,
    organization: Organization,
    spread: bool = False,
) -> Nomination:
    """A unit with a quota nominates an adopted result from its subtree (quota counted under lock)."""
    access.require(actor, NOMINATE, organization)
    round_ = AwardRound.objects.select_for_update().get(pk=round.pk)
    _require_state(round_, AwardRound.State.NOMINATING)
    result = Result.objects.select_related("organization").get(pk=result.pk)
    quota = quota_for(round_, organization)
    if quota is None:
        raise PermissionDenied(_("This unit has no quota in the round."))
    if not result.is_adopted or not result.organization.path.startswith(organization.path):
        raise ApplicationError(
            _("Only adopted results of the unit's own subtree can be nominated."),
            code="not_nominable",
        )
    if Nomination.objects.filter(round=round_, organization=organization).count() >= quota.quota:
        raise ConflictError(
            _("The unit's quota of %(n)s nominations is used up.") % {"n": quota.quota},
            code="quota_used",
        )
    if Nomination.objects.filter(round=round_, result=result).exists():
        raise ConflictError(_("This result is already nominated."), code="duplicate")
    nomination = Nomination(
        round=round_,
        result=result,
        organization=organization,
        nominated_by=user_or_none(actor),
        spread=spread,
    )
    nomination.save()
    audit_record(
        actor=actor,
        action="innovation.nominate",
        obj=round_,
        organization=organization,
        details={"nomination": nomination.code, "result": result.code},
    )
    return nomination


@transaction.atomic
def award_review_open(*, actor: Any, round: AwardRound) -> AwardRound:  # noqa: A002
    """Close nominations: each nomination becomes an item of the panel's review."""
    access.require(actor, MANAGE, round.organization)
    round_ = AwardRound.objects.select_for_update().get(pk=round.pk)
    _require_state(round_, AwardRound.State.NOMINATING)
    nominations = list(round_.nominations.select_related("result", "result__organization"))
    if not nominations:
        raise ApplicationError(_("Nothing is nominated yet."), code="no_nominations")
    for n in nominations:
        label = n.result.title + (" " + _("(spread)") if n.spread else "")
        n.item = review_item_add(
            actor=actor,
            round=round_.review,
            label=label[:200],
            organization=n.result.organization,
            about=n,
            nominated_by=n.nominated_by,
        )
    Nomination.objects.bulk_update(nominations, ["item"])
    round_.state = AwardRound.State.REVIEWING
    round_.save(update_fields=["state"])
    audit_record(actor=actor, action="innovation.award_review", obj=round_)
    return round_


@transaction.atomic
def award_round_finalise(*, actor: Any, round: AwardRound) -> AwardRound:  # noqa: A002
    """Totals, ranking with ties and grades (core.review; refused to a panel member)."""
    access.require(actor, MANAGE, round.organization)
    round_ = AwardRound.objects.select_for_update().get(pk=round.pk)
    _require_state(round_, AwardRound.State.REVIEWING)
    review_round_finalise(actor=actor, round=round_.review)
    round_.state = AwardRound.State.FINAL
    round_.save(update_fields=["state"])
    audit_record(actor=actor, action="innovation.award_finalise", obj=round_)
    return round_


def winners(round_: AwardRound) -> list[Nomination]:
    """Graded nominations in rank order."""
    return list(
        round_.nominations.select_related("item", "result", "result__employer")
        .exclude(item__grade="")
        .filter(item__isnull=False)
        .order_by("item__rank", "id")
    )


@transaction.atomic
def award_notice_publish(
    *,
    actor: Any,
    round: AwardRound,
    starts_on: dt.date | None = None,  # noqa: A002
) -> AwardRound:
    access.require(actor, MANAGE, round.organization)
    round_ = AwardRound.objects.select_for_update().get(pk=round.pk)
    _require_state(round_, AwardRound.State.FINAL)
    rows = winners(round_)
    names = [m.worker.name for n in rows for m in n.result.members.select_related("worker")]
    body = "\n".join(f"{n.item.grade}：{n.result.title}（{n.result.employer.name}）" for n in rows)
    round_.notice = public_notice_publish(
        actor=actor,
        organization=round_.organization,
        title=_("Public notice of the %(title)s") % {"title": round_.title},
        working_days=round_.notice_days,
        body=body,
        names=names,
        starts_on=starts_on,
        about=round_,
    )
    round_.state = AwardRound.State.NOTICE
    round_.save(update_fields=["notice", "state"])
    audit_record(actor=actor, action="innovation.award_notice", obj=round_)
    return round_


@transaction.atomic
def award_round_publish(
    *,
    actor: Any,
    round: AwardRound,
    on: dt.date | None = None,  # noqa: A002
) -> AwardRound:
    """After the notice has ended with every objection answered: the awards become honours on each
    team member's record (workforce services)."""
    access.require(actor, MANAGE, round.organization)
    round_ = AwardRound.objects.select_for_update().get(pk=round.pk)
    _require_state(round_, AwardRound.State.NOTICE)
    today = on or timezone.localdate()
    notice = round_.notice
    if notice is None or notice.state_on(today) != notice.State.ENDED:
        raise ConflictError(_("The public notice has not ended yet."), code="notice_not_ended")
    if NoticeObjection.objects.filter(notice=notice, replied_at__isnull=True).exists():
        raise ConflictError(
            _("Every objection must be answered before publication."), code="objections_open"
        )
    level = HONOUR_LEVEL.get(round_.organization.kind, "enterprise")
    for n in winners(round_):
        title = f"{round_.year}年度职工技术创新奖{n.item.grade}"[:60]
        for m in n.result.members.select_related("worker", "worker__organization"):
            honour_add(
                actor=actor,
                worker=m.worker,
                title=title,
                level=level,
                year=round_.year,
                date=today,
                awarded_by=round_.organization.name[:100],
                source=_("innovation award"),
                source_ref=n.code,
            )
    round_.state = AwardRound.State.PUBLISHED
    round_.published_by = user_or_none(actor)
    round_.published_on = today
    round_.save(update_fields=["state", "published_by", "published_on"])
    audit_record(actor=actor, action="innovation.award_publish", obj=round_)
    return round_


def reward_amount(round_: AwardRound, nomination: Nomination) -> Decimal:
    """The reward of a graded nomination under the round's rule (yuan, to the fen)."""
    grade = nomination.item.grade if nomination.item_id else ""
    if not grade:
        return Decimal("0.00")
    if round_.reward_mode == AwardRound.RewardMode.GRADE:
        return Decimal(round_.grade_amounts.get(grade, "0")).quantize(FEN)
    savings = nomination.result.savings or Decimal(0)
    amount = (savings * (round_.savings_share or Decimal(0))).quantize(FEN, ROUND_HALF_UP)
    if round_.savings_cap is not None:
        amount = min(amount, round_.savings_cap)
    return amount


@transaction.atomic
def award_pay(*, actor: Any, nomination: Nomination) -> list[Any]:
    """Pay a published award from the round's fund: the reward split by contribution share, one
    ledger debit per member; all or nothing (the ledger refuses to go below zero)."""
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("round", "item", "result")
        .get(pk=nomination.pk)
    )
    round_ = nomination.round
    access.require(actor, MANAGE, round_.organization)
    _require_state(round_, AwardRound.State.PUBLISHED)
    if round_.fund is None:
        raise ApplicationError(_("The round has no reward fund."), code="no_fund")
    if nomination.paid_amount is not None:
        raise ConflictError(_("This award is already paid."), code="already_paid")
    amount = reward_amount(round_, nomination)
    if amount <= 0:
        raise ApplicationError(_("There is nothing to pay for this award."), code="nothing_to_pay")
    members = list(nomination.result.members.select_related("worker"))
    parts = split_by_contribution(amount, [(m.worker.code, m.contribution) for m in members])
    guard = BudgetGuard(round_.fund)  # the fund's yearly budget (fund_budgets.py)
    entries = []
    for member, part in zip(members, parts, strict=True):
        if part.amount > 0:
            entries.append(
                fund_debit(
                    actor=actor,
                    fund=round_.fund,
                    amount=part.amount,
                    about=member,
                    reference=nomination.code,
                    memo=f"{round_.title} {nomination.item.grade} {member.worker.name}",
                )
            )
    guard.check()
    nomination.paid_amount = amount
    nomination.save(update_fields=["paid_amount"])
    audit_record(
        actor=actor,
        action="innovation.award_pay",
        obj=round_,
        details={"nomination": nomination.code, "amount": amount},
    )
    return entries
