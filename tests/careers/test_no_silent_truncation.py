"""Posted text is never cut before the service checks it: one past its bound, each careers page
below refuses it with the field named and saves nothing (it was cut and saved before)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongjiang.careers import experts
from gongjiang.careers import experts_rules as rules
from gongjiang.careers.models import BridgeApplication, ProfessionalTitle
from gongjiang.careers.models_experts import ExpertAppointment, ExpertCall

from ..factories import member
from . import apprentice_helpers
from .experts_helpers import apply, review, to_notice

pytestmark = pytest.mark.django_db
appr = apprentice_helpers.appr


def _text(r: Any) -> str:
    return r.content.decode()


def _alert(page: str) -> str:
    """The page's messages (the refusal)."""
    return " ".join(m.strip() for m in re.findall(r'class="alert[^>]*>(.*?)<', page, re.S))


def _named(page: str, *labels: str) -> bool:
    """The refusal names the field (名称：…)."""
    return any(f"{label}：" in _alert(page) for label in labels)


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


# ------------------------------------------------------------------ apprenticeship (issue #17)
def test_pilot_create_refuses_a_long_note(client: Any, world: Any) -> None:
    from gongjiang.careers.models_apprentice import ApprenticePilot

    client.force_login(world.alice)
    page = _text(
        client.post(
            reverse("careers:apprentice_pilot_create"),
            {
                "enterprise": world.enterprise_a.code,
                "since": "2024-01-01",
                "designated_by": "省厅",
                "note": "备" * 501,
            },
            follow=True,
        )
    )
    assert _named(page, "备注", "说明") and "500" in _alert(page)
    assert not ApprenticePilot.objects.exists()
    page = _text(
        client.post(
            reverse("careers:apprentice_pilot_create"),
            {
                "enterprise": world.enterprise_a.code,
                "since": "2024-01-01",
                "designated_by": "厅" * 101,
            },
            follow=True,
        )
    )
    assert _named(page, "确定单位") and not ApprenticePilot.objects.exists()


def test_enrol_refuses_a_long_teacher_name_and_agreement_number(
    client: Any, world: Any, appr: Any
) -> None:
    from gongjiang.careers.models_apprentice import Apprentice

    from .apprentice_helpers import END, START

    client.force_login(appr.hr)
    data = {
        "worker": appr.other.code,
        "origin": "new_hire",
        "agreement_number": "XY-1",
        "signed_on": START.isoformat(),
        "contract_months": "36",
        "starts_on": START.isoformat(),
        "ends_on": END.isoformat(),
        "mentor": appr.mentor.code,
        "teacher_name": "师" * 51,
    }
    url = reverse("careers:apprentice_enrol", args=[appr.cohort.code])
    page = _text(client.post(url, data, follow=True))
    assert _named(page, "院校导师")
    page = _text(
        client.post(
            url, {**data, "teacher_name": "王老师", "agreement_number": "9" * 41}, follow=True
        )
    )
    assert _named(page, "协议编号")
    assert not Apprentice.objects.filter(worker=appr.other).exists()


def test_apprentice_steps_refuse_long_text(client: Any, world: Any, appr: Any) -> None:
    from gongjiang.careers.models_apprentice import ApprenticePlanItem, ApprenticeProgress

    from .apprentice_helpers import enrol

    a = enrol(appr, appr.other)
    client.force_login(appr.hr)
    url = reverse("careers:apprentice_step", args=[a.code])
    page = _text(
        client.post(
            url,
            {
                "step": "progress",
                "month": "2025-04",
                "workplace_hours": "80",
                "summary": "学" * 501,
            },
            follow=True,
        )
    )
    assert "500" in _alert(page) and not ApprenticeProgress.objects.filter(apprentice=a).exists()
    client.post(
        url,
        {"step": "item", "kind": "task", "title": "任" * 201, "hours": "8"},
        follow=True,
    )
    assert not ApprenticePlanItem.objects.filter(apprentice=a).exists()
    client.post(
        url, {"step": "terminate", "ended_on": "2025-04-01", "note": "离" * 301}, follow=True
    )
    a.refresh_from_db()
    assert a.status == "training" and a.end_note == ""


def test_apprenticeship_rule_refuses_a_long_source(client: Any, world: Any, appr: Any) -> None:
    from gongjiang.careers.models_apprentice import ApprenticeRule

    client.force_login(world.alice)
    before = ApprenticeRule.objects.count()
    page = _text(
        client.post(
            reverse("careers:apprentice_rules") + f"?organization={world.province_a.code}",
            {"key": "mentor_max_apprentices", "value": "4", "source": "依" * 201},
            follow=True,
        )
    )
    assert _named(page, "依据", "来源") and "200" in _alert(page)
    assert ApprenticeRule.objects.count() == before


# ------------------------------------------------------------- programmes and honours (#17)
def test_programme_subsidy_payment_refuses_a_long_reference(client: Any, world: Any) -> None:
    from gongjiang.careers import programmes as psvc
    from gongjiang.careers.models import ProgrammeSubsidyLine

    from .programme_helpers import eligible_worker, make_programme

    p = make_programme(world, subsidy_basis="per_year", subsidy_per_year="1000.00", subsidy_years=3)
    a = psvc.programme_apply(
        actor=world.enterprise_officer_a,
        programme=p,
        worker=eligible_worker(world.enterprise_a, 71),
    )
    a = psvc.programme_select(actor=world.alice, application=a, selected=True)
    a = psvc.programme_enrol(actor=world.alice, application=a, enrolled_on=dt.date(2024, 9, 1))
    client.force_login(world.alice)
    step = f"/careers/programmes/applications/{a.code}/step/"
    page = _text(
        client.post(
            step, {"step": "subsidy", "academic_year": "1", "reference": "凭" * 201}, follow=True
        )
    )
    assert _named(page, "凭证编号", "凭证号") and "200" in _alert(page)
    assert not ProgrammeSubsidyLine.objects.exists()
    client.post(step, {"step": "subsidy", "academic_year": "1", "reference": "凭" * 200})
    assert ProgrammeSubsidyLine.objects.get().reference == "凭" * 200  # the bound itself: whole
