"""Innovation exports for tests/core/test_exports_hostile.py: a result of enterprise A's workers
(named like formulas by that test) titled like a formula, ranked in an award round, its revenue
shared and paid from a reward fund (whose ledger is exported too)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from gongjiang.core.enterprise_models import Enterprise
from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.core.review.services import panel_member_add, review_score_save
from gongjiang.innovation import awards, revenue, services
from gongjiang.workforce.models import Worker
from tests.factories import UserFactory


def innovation_export_urls(world: Any, title: str) -> list[str]:
    employer = Enterprise.objects.get(union=world.enterprise_a)
    workers = list(Worker.objects.filter(employer=employer).order_by("id")[:4])
    share = Decimal(100) / len(workers)
    shares = [share.quantize(Decimal("0.01"))] * len(workers)
    shares[0] += Decimal(100) - sum(shares)
    result = services.result_create(
        actor=world.alice,
        employer=employer,
        kind="innovation",
        title=title,
        problem=title,
        solution=title,
        members=list(zip(workers, shares, strict=True)),
        submit=True,
    )
    result = services.result_review(actor=world.alice_admin, result=result, adopted=True)
    round_ = awards.award_round_create(
        actor=world.alice, organization=world.province_a, year=2026, title="创新奖"
    )
    awards.award_quota_set(actor=world.alice, round=round_, organization=world.city_a, quota=1)
    awards.nomination_add(actor=world.alice, round=round_, result=result, organization=world.city_a)
    awards.award_review_open(actor=world.alice, round=round_)
    expert = UserFactory(username="hostile_expert")
    panel_member_add(actor=world.alice, round=round_.review, user=expert)
    item = round_.review.items.get()
    for c in round_.review.criteria.all():
        review_score_save(actor=expert, item=item, criterion=c, score="80")
    awards.award_round_finalise(actor=world.alice, round=round_)
    # a revenue-sharing year of the formula-titled result, certified: totals by result and worker
    fund = fund_create(actor=world.alice, organization=world.enterprise_a, name="成果转化奖励基金")
    fund_credit(actor=world.alice, fund=fund, amount="10000.00", reference=title)
    scheme = revenue.revenue_scheme_create(
        actor=world.alice, result=result, mode="licence", first_year=2025, fund=fund
    )
    year = revenue.revenue_year_enter(actor=world.alice, scheme=scheme, year=2025, amount=1000)
    year = revenue.revenue_year_certify(actor=world.alice_admin, year=year)
    revenue.revenue_year_pay(actor=world.alice_admin, year=year)  # the fund's ledger
    return [
        reverse("innovation:result_export"),
        reverse("innovation:award_list_export", args=[round_.code]),
        reverse("innovation:revenue_totals_export"),
        reverse("innovation:list_export", args=["fund-ledger"]) + f"?fund={fund.code}",
        reverse("innovation:list_export", args=["fund-ledger"])
        + f"?fund={fund.code}&kind=revenue&year={timezone.localdate().year}",
        reverse("innovation:list_export", args=["funds"]),
        reverse("innovation:list_export", args=["analytics"]) + "?by=employer",
    ]
