"""Demo of expert-level selection in the first demo enterprise: one call in public notice (three
applicants reviewed and ranked) and one expert appointed through last year's call. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongjiang.core.notices.models import PublicNotice
from gongjiang.core.review.models import ReviewCriterion
from gongjiang.core.review.services import panel_member_add, review_score_save
from gongjiang.workforce.models import Worker

from . import experts
from .models import ExpertLevel
from .models_experts import ExpertCall

STATEMENT = "主持关键工序工艺攻关，获企业技术革新奖；近三年带徒{n}名，均取得高级工以上等级。"


def _reviewer() -> Any:
    user, created = get_user_model().objects.get_or_create(
        username="experts_reviewer", defaults={"first_name": "评审专家"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def _run(actor: Any, call: ExpertCall, workers: list[Worker], reviewer: Any) -> ExpertCall:
    for i, w in enumerate(workers):
        experts.expert_apply(actor=actor, call=call, worker=w, statement=STATEMENT.format(n=8 - i))
    experts.expert_review_open(actor=actor, call=call)
    call.refresh_from_db()
    panel_member_add(actor=actor, round=call.review, user=reviewer)
    criteria = list(ReviewCriterion.objects.filter(round=call.review))
    for i, a in enumerate(call.applications.select_related("review_item")):
        for c in criteria:
            review_score_save(actor=reviewer, item=a.review_item, criterion=c, score=92 - 4 * i)
    experts.expert_review_finalise(actor=actor, call=call)
    experts.expert_notice_publish(actor=actor, call=call)
    call.refresh_from_db()
    return call


def load_experts(enterprise: Any, actor: Any) -> int:
    """Returns the number of calls made (0 when already there or nobody is eligible)."""
    if ExpertCall.objects.filter(organization=enterprise).exists():
        return 0
    today = timezone.localdate()
    workers = list(
        Worker.objects.filter(organization=enterprise, status="active").order_by("id")[:400]
    )
    eligible: dict[int, list[Worker]] = {}
    levels = list(ExpertLevel.objects.filter(organization=enterprise).order_by("-rank"))
    for level in levels:
        eligible[level.pk] = [
            w for w in workers if all(c["met"] for c in experts.conditions_for(level, w, today))
        ][:4]
    usable = [lv for lv in levels if len(eligible[lv.pk]) >= 4]
    if not usable:
        return 0
    level = usable[0]
    reviewer = _reviewer()
    closes = today + dt.timedelta(days=1)
    # last year's call, run through and appointed (its notice moved into the past)
    past = experts.expert_call_create(
        actor=actor, level=level, year=today.year - 1, closes_on=closes, places=1
    )
    past = _run(actor, past, eligible[level.pk][:1], reviewer)
    PublicNotice.objects.filter(pk=past.notice_id).update(
        starts_on=today - dt.timedelta(days=12), ends_on=today - dt.timedelta(days=5)
    )
    experts.expert_appoint(actor=actor, call=past, on=today)
    # this year's call, in public notice
    current = experts.expert_call_create(
        actor=actor, level=level, year=today.year, closes_on=closes, places=2
    )
    _run(actor, current, eligible[level.pk][1:4], reviewer)
    return 2
