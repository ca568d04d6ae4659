"""A call's required document kinds change until the first application is submitted, never after
(refused with a clear message, 409 ``documents_fixed``), audited — by service, API and page;
outside the organiser's scope the call answers 404."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from gongjiang.careers import experts
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.models import AuditEvent

from ..access_helpers import check_access
from .experts_helpers import Experts, apply

pytestmark = pytest.mark.django_db
API = "/api/v1/careers/experts"


def test_kinds_change_until_the_first_application_then_are_fixed(exp: Experts) -> None:
    call = experts.expert_call_documents_set(
        actor=exp.organiser, call=exp.call, required_documents=["form", "certificate"]
    )
    assert call.required_documents == "form,certificate"
    event = AuditEvent.objects.filter(action="careers.expert_call_documents_set").get()
    assert event.details["before"] == "" and event.details["after"] == "form,certificate"
    with pytest.raises(ApplicationError) as bad:
        experts.expert_call_documents_set(
            actor=exp.organiser, call=exp.call, required_documents=["nonsense"]
        )
    assert bad.value.details[0]["field"] == "required_documents"
    with pytest.raises(PermissionDenied):  # the appointing side does not manage the call
        experts.expert_call_documents_set(
            actor=exp.reviewer, call=exp.call, required_documents=["form"]
        )
    application = apply(exp, exp.workers[0])
    experts.expert_application_withdraw(actor=exp.organiser, application=application)
    with pytest.raises(ConflictError) as fixed:  # even one since withdrawn fixes them
        experts.expert_call_documents_set(
            actor=exp.organiser, call=exp.call, required_documents=["form"]
        )
    assert fixed.value.code == "documents_fixed"
    assert timezone.localdate().isoformat() in fixed.value.message  # the day of the first
    exp.call.refresh_from_db()
    assert exp.call.required_documents == "form,certificate"
    assert AuditEvent.objects.filter(action="careers.expert_call_documents_set").count() == 1


def test_api_scoped_and_refused_after_the_first_application(
    client: Any, exp: Experts, careers: Any
) -> None:
    url = f"{API}/calls/{exp.call.code}/documents"
    response = check_access(
        client,
        url=url,
        method="post",
        data={"required_documents": ["achievements"]},
        in_scope=exp.organiser,
        out_of_scope=careers.hr_b,
    )
    assert response.json()["required_documents"] == ["achievements"]
    apply(exp, exp.workers[0])
    client.force_login(exp.organiser)
    response = client.post(
        url, data=json.dumps({"required_documents": ["form"]}), content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "documents_fixed"


def test_page_offers_the_form_only_before_the_first_application(client: Any, exp: Experts) -> None:
    client.force_login(exp.organiser)
    page_url = reverse("careers:expert_call", args=[exp.call.code])
    assert 'id="documents-save"' in client.get(page_url).content.decode()
    step = reverse("careers:expert_step", args=[exp.call.code])
    client.post(step, {"step": "documents", "required_documents": ["form", "mentoring"]})
    exp.call.refresh_from_db()
    assert exp.call.required_documents == "form,mentoring"
    apply(exp, exp.workers[0])
    page = client.get(page_url).content.decode()
    assert 'id="documents-save"' not in page
    page = client.post(
        step, {"step": "documents", "required_documents": ["form"]}, follow=True
    ).content.decode()
    exp.call.refresh_from_db()
    assert exp.call.required_documents == "form,mentoring"
    assert "已有人申报" in page  # "fixed once anyone applied", the field named
