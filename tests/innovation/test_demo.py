from __future__ import annotations

import io
from typing import Any

import pytest

from gongjiang.core.demo import load_core_demo
from gongjiang.innovation import demo
from gongjiang.innovation.models import AwardRound, Result
from gongjiang.workforce import demo as workforce_demo
from gongjiang.workforce.models import Honour

pytestmark = pytest.mark.django_db


def test_demo_loads_twice(settings: Any) -> None:
    ctx = load_core_demo()
    workforce_demo.load(ctx, io.StringIO())
    demo.load(ctx, io.StringIO())
    demo.load(ctx, io.StringIO())  # idempotent
    assert Result.objects.filter(organization__path__startswith=ctx.province.path).count() == 200
    for result in Result.objects.prefetch_related("members")[:200]:
        assert sum(m.contribution for m in result.members.all()) == 100
    assert {r.status for r in Result.objects.all()} >= {
        "draft",
        "submitted",
        "adopted",
        "certified",
    }
    round_ = AwardRound.objects.get()
    assert round_.state == "published"
    assert Honour.objects.filter(title__contains="职工技术创新奖").exists()
    assert round_.nominations.filter(paid_amount__isnull=False).exists()
    round_.fund.refresh_from_db()
    assert round_.fund.balance >= 0


def test_demo_exchange_is_lively(settings: Any) -> None:
    from gongjiang.innovation import exchange
    from gongjiang.innovation.demo_exchange import EXPERT_LOGIN
    from gongjiang.innovation.models import Answer, ExchangeReport, Question

    ctx = load_core_demo()
    workforce_demo.load(ctx, io.StringIO())
    demo.load(ctx, io.StringIO())
    demo.load(ctx, io.StringIO())  # idempotent
    assert Question.objects.count() >= 5
    assert Question.objects.filter(accepted_answer__isnull=False).count() >= 3
    assert Answer.objects.count() >= 8
    expert = Question.objects.get(title="薄板焊接变形怎么控制？").accepted_answer.author
    assert expert.username == EXPERT_LOGIN
    assert exchange.expert_reasons([expert]) == {expert.pk: "技师"}
    assert exchange.reputation_of([expert.pk])[expert.pk] >= 2 * exchange.REPUTATION_ACCEPTED
    assert ExchangeReport.objects.filter(resolved_at__isnull=True).count() == 1
    # the search column is filled by the services: initials find the welding thread
    found = exchange.question_list(actor=expert, q="hjbx").values_list("title", flat=True)
    assert "薄板焊接变形怎么控制？" in found
