"""Demo of honours selection and skill-linked pay: one honours round of the demo city in public
notice, and the pay bands and allowances of the first demo enterprise. Idempotent."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongjiang.core.review.models import ReviewCriterion
from gongjiang.core.review.services import panel_member_add, review_score_save
from gongjiang.workforce.models import Worker

from . import honours, pay
from .models_honours import HonourRound
from .models_pay import CHIEF, PayBand

BANDS = [  # monthly yuan: equal across equivalent levels (the equivalence table fills the rest)
    ("INTERMEDIATE", "4500.00", "6000.00"),
    ("SENIOR", "5500.00", "7500.00"),
    ("TECHNICIAN", "7000.00", "9500.00"),
    ("SENIOR_TECHNICIAN", "9000.00", "12500.00"),
    ("PRINCIPAL_TECHNICIAN", "11500.00", "16000.00"),
]
ALLOWANCES = [("SENIOR", "200.00"), ("TECHNICIAN", "400.00"), ("SENIOR_TECHNICIAN", "800.00")]


def load_pay(enterprise: Any, actor: Any) -> int:
    if PayBand.objects.filter(organization=enterprise).exists():
        return 0
    for level, low, high in BANDS:
        pay.pay_band_save(
            actor=actor,
            organization=enterprise,
            channel="skill",
            level=level,
            band_min=low,
            band_max=high,
        )
    for level, amount in [*ALLOWANCES, (CHIEF, "3000.00")]:
        pay.allowance_save(actor=actor, organization=enterprise, level=level, amount=amount)
    return len(BANDS)


def load_honours(city: Any, enterprise: Any, actor: Any) -> int:
    """A round of the city in public notice, with enterprise A's nominees reviewed."""
    if HonourRound.objects.filter(organization=city).exists():
        return 0
    workers = list(
        Worker.objects.filter(organization__path__startswith=enterprise.path, status="active")
        .exclude(occupation__isnull=True)
        .order_by("id")[:60]
    )
    frontline = [w for w in workers if (w.occupation_id or "")[:1] in "456"][:4]
    if len(frontline) < 2:
        return 0
    round_ = honours.honour_round_create(
        actor=actor,
        organization=city,
        title=f"{city.name}五一劳动奖章评选",
        honour_title=f"{city.name}五一劳动奖章"[:60],
        honour_level="city",
        year=timezone.localdate().year,
        places=len(frontline),
        notice_days=5,
        quotas=[(enterprise, len(frontline))],
    )
    for w in frontline:
        honours.honour_nominate(
            actor=actor,
            round=round_,
            organization=enterprise,
            worker=w,
            deeds="扎根生产一线，带徒传技，主持完成多项技术革新。",
        )
    honours.honour_review_open(actor=actor, round=round_)
    round_.refresh_from_db()
    expert, _created = get_user_model().objects.get_or_create(
        username="honours_expert", defaults={"first_name": "评审专家"}
    )
    if _created:
        expert.set_unusable_password()
        expert.save()
    panel_member_add(actor=actor, round=round_.review, user=expert)
    for i, n in enumerate(round_.nominations.select_related("review_item")):
        for c in ReviewCriterion.objects.filter(round=round_.review):
            review_score_save(actor=expert, item=n.review_item, criterion=c, score=95 - i)
    honours.honour_review_finalise(actor=actor, round=round_)
    honours.honour_notice_publish(actor=actor, round=round_)
    return 1
