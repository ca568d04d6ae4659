"""Skill evaluation's home-page to-dos (core.todos) and the links a role may open."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gongjiang.certification.models import EvaluationPlan
from gongjiang.core.todos import todos_for

from ..factories import UserFactory, member
from .factories import issued_certificate, make_plan


def _count(user: Any, url: str) -> int | None:
    return next((t.count for t in todos_for(user) if t.url == url), None)


def test_decided_plans_wait_for_their_certificates(world: Any) -> None:
    plan = make_plan(world.enterprise_a)
    url = reverse("certification:plan_list") + "?status=decided"
    assert _count(world.alice, url) == 0
    EvaluationPlan.objects.filter(pk=plan.pk).update(status=EvaluationPlan.Status.DECIDED)
    assert _count(world.alice, url) == 1
    assert _count(world.bob, url) == 0  # out of scope: nothing counted
    assert _count(world.worker_a, url) is None  # a worker does not issue


def test_examiner_sees_no_certificate_link_inspector_no_pdf_link(client: Any, world: Any) -> None:
    holder = UserFactory(username="holder")
    cert = issued_certificate(world.enterprise_a, user=holder)
    judge = UserFactory(username="examiner-judge")
    member(judge, world.enterprise_a, "judge")
    client.force_login(judge)
    html = client.get(reverse("certification:plan_detail", args=[cert.plan.code])).content.decode()
    assert cert.number in html
    detail = reverse("certification:certificate_detail", args=[cert.code])
    assert detail not in html and client.get(detail).status_code == 404
    inspector = UserFactory(username="cert-inspector")
    member(inspector, world.enterprise_a, "inspector")
    client.force_login(inspector)
    html = client.get(detail).content.decode()
    pdf = reverse("certification:certificate_pdf", args=[cert.code])
    assert pdf not in html and client.get(pdf).status_code == 404
    client.force_login(holder)  # the holder downloads their own
    assert pdf in client.get(detail).content.decode()
    client.force_login(world.alice)
    assert (
        detail
        in client.get(reverse("certification:plan_detail", args=[cert.plan.code])).content.decode()
    )
