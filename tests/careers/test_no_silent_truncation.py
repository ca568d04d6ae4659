"""Posted text is never cut before the service checks it: one past its bound, each careers page
below refuses it with the field named and saves nothing (it was cut and saved before)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongjiang.careers import experts
from gongjiang.careers import experts_rules as rules
from gongjiang.careers.models import BridgeApplication, ProfessionalTitle
from gongjiang.careers.models_experts import ExpertAppointment, ExpertCall

from ..factories import member
from .experts_helpers import apply, review, to_notice

pytestmark = pytest.mark.django_db


def _text(r: Any) -> str:
    return r.content.decode()


def test_worker_title_add_refuses_long_fields(client: Any, careers: Any) -> None:
    url = reverse("careers:worker_title_add", args=[careers.engineer.code])
    client.force_login(careers.hr_a)
    data = {
        "field": "工程",
        "name": "工",
        "level": "intermediate",
        "date": "2021-06-01",
        "issuer": "江苏省人社厅" * 17,  # 102 characters, bound 100
    }
    page = _text(client.post(url, data, follow=True))
    assert "发证" in page or "issuer" in page
    assert not ProfessionalTitle.objects.filter(worker=careers.engineer).exists()
    page = _text(client.post(url, {**data, "issuer": "省厅", "number": "9" * 41}, follow=True))
    assert not ProfessionalTitle.objects.filter(worker=careers.engineer).exists()


def test_worker_apply_refuses_a_long_note(client: Any, careers: Any) -> None:
    url = reverse("careers:worker_apply", args=[careers.welder.code])
    client.force_login(careers.hr_a)
    client.post(url, {"target": "intermediate", "note": "备" * 501}, follow=True)
    assert not BridgeApplication.objects.filter(worker=careers.welder).exists()


def test_application_decide_refuses_a_long_note(client: Any, careers: Any) -> None:
    client.force_login(careers.hr_a)
    client.post(
        reverse("careers:worker_apply", args=[careers.welder.code]), {"target": "intermediate"}
    )
    application = BridgeApplication.objects.get(worker=careers.welder)
    client.force_login(careers.hr_a2)
    decide = reverse("careers:application_decide", args=[application.code])
    page = _text(client.post(decide, {"decision": "approve", "note": "意" * 501}, follow=True))
    assert "500" in page
    application.refresh_from_db()
    assert application.status == "submitted" and application.decision_note == ""


def test_expert_call_create_refuses_a_long_title(client: Any, exp: Any) -> None:
    client.force_login(exp.organiser)
    page = _text(
        client.post(
            reverse("careers:expert_call_create"),
            {
                "level": exp.level.code,
                "year": "2031",
                "closes_on": (timezone.localdate() + dt.timedelta(days=9)).isoformat(),
                "title": "评" * 201,
            },
            follow=True,
        )
    )
    assert "名称：" in page or "标题：" in page
    assert not ExpertCall.objects.filter(year=2031).exists()


def test_expert_apply_refuses_a_long_statement(client: Any, exp: Any) -> None:
    client.force_login(exp.organiser)
    url = reverse("careers:expert_apply", args=[exp.call.code])
    page = _text(
        client.post(url, {"worker": exp.workers[0].code, "statement": "绩" * 5001}, follow=True)
    )
    assert "5,000" in page or "5000" in page
    assert not exp.call.applications.exists()


def test_expert_ties_refuse_a_long_reason(client: Any, exp: Any) -> None:
    for w in exp.workers[:3]:
        apply(exp, w)
    review(exp, {exp.workers[0]: 95, exp.workers[1]: 85, exp.workers[2]: 85})
    tied = list(exp.call.applications.filter(status="tied"))
    assert len(tied) == 2
    client.force_login(exp.organiser)
    page = _text(
        client.post(
            reverse("careers:expert_step", args=[exp.call.code]),
            {"step": "ties", "chosen": [tied[0].code], "reason": "理" * 501},
            follow=True,
        )
    )
    assert "500" in page
    assert exp.call.applications.filter(status="tied").count() == 2


def test_expert_objection_refuses_a_long_text(client: Any, exp: Any, world: Any) -> None:
    call = to_notice(exp, {exp.workers[0]: 90})
    client.force_login(world.worker_a)
    from gongjiang.core.notices.models import NoticeObjection

    client.post(
        reverse("careers:experts_me_object", args=[call.code]), {"text": "异" * 5001}, follow=True
    )
    assert not NoticeObjection.objects.filter(notice_id=call.notice_id).exists()


def test_expert_reevaluation_refuses_a_long_note(client: Any, exp: Any, world: Any) -> None:
    today = timezone.localdate()
    start = rules.add_years(today, -3) + dt.timedelta(days=30)
    a = ExpertAppointment.objects.create(
        worker=exp.workers[0],
        organization=world.enterprise_a,
        level=exp.level,
        level_name="首席技师",
        term_start=start,
        term_end=rules.term_end(start, 3),
    )
    member(exp.appointer, world.enterprise_a, "hr")
    client.force_login(exp.appointer)
    url = reverse("careers:expert_appointment", args=[a.code])
    page = _text(client.post(url, {"renew": "0", "note": "评" * 501}, follow=True))
    assert "500" in page
    a.refresh_from_db()
    assert a.reevaluated_on is None and a.reevaluation_note == ""
    experts.expert_reevaluate(actor=exp.appointer, appointment=a, renew=False, note="考核不合格")
