"""Roster imports that need approval (settings.ROSTER_IMPORT_APPROVAL): whoever checked the file
asks; another officer covering the enterprise approves (the import then runs) or rejects with a
reason; approving or rejecting one's own request is refused (403, audited) on pages and API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongjiang.core.duties import DutyConflict
from gongjiang.core.models import AuditEvent, Job
from gongjiang.workforce.models import RosterImportApproval, Worker
from gongjiang.workforce.roster.approval import roster_import_approve, roster_import_reject
from tests.factories import UserFactory, member

from .helpers import unique_id, write_roster

pytestmark = pytest.mark.django_db
BASE = "/api/v1/workforce"


@pytest.fixture(autouse=True)
def _approval_on(settings: Any, tmp_path: Any) -> None:
    settings.ROSTER_IMPORT_APPROVAL = True
    settings.MEDIA_ROOT = tmp_path / "media"


def _checked(client: Any, world: Any, tmp_path: Any, capture: Any) -> str:
    path = write_roster(
        tmp_path / "r.xlsx", [["张三", unique_id(1)], ["李四", "bad"]], header=["姓名", "身份证号"]
    )
    client.force_login(world.alice)
    with capture(execute=True):
        r = client.post(
            f"{BASE}/imports",
            {
                "file": SimpleUploadedFile("r.xlsx", path.read_bytes()),
                "organization": world.enterprise_a.code,
            },
        )
    assert r.status_code == 202
    return r.json()["code"]


def _colleague(world: Any) -> Any:
    other = UserFactory(username="province_a_officer2")
    member(other, world.province_a, "officer")
    return other


def test_api_import_needs_another_officers_approval(
    client: Any, world: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    code = _checked(client, world, tmp_path, django_capture_on_commit_callbacks)
    r = client.post(
        f"{BASE}/imports/{code}/run",
        json.dumps({"dry_run": False}),
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "approval_required"
    r = client.post(
        f"{BASE}/imports/{code}/request-approval",
        json.dumps({"organization": world.enterprise_a.code}),
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["valid_rows"] == 1
    approval = r.json()["code"]
    r = client.post(
        f"{BASE}/import-approvals/{approval}/approve", "{}", content_type="application/json"
    )
    assert r.status_code == 403 and r.json()["code"] == "separation_of_duties"
    refused = AuditEvent.objects.get(action="workforce.import.approve.refused")
    assert refused.actor == world.alice and refused.details["reason"] == "own_import"
    assert not Worker.objects.exists()
    client.force_login(world.bob)  # outside the enterprise's scope: like missing
    assert (
        client.post(
            f"{BASE}/import-approvals/{approval}/approve", "{}", content_type="application/json"
        ).status_code
        == 404
    )
    client.force_login(_colleague(world))
    assert [a["code"] for a in client.get(f"{BASE}/import-approvals").json()] == [approval]
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"{BASE}/import-approvals/{approval}/approve",
            json.dumps({"comment": "核对无误"}),
            content_type="application/json",
        )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    job = Job.objects.get(code=r.json()["import_job"])
    assert job.created_by == world.alice and job.status == "succeeded"  # runs as the requester's
    assert list(Worker.objects.values_list("name", flat=True)) == ["张三"]


def test_reject_needs_a_reason_and_another_person(
    client: Any, world: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    code = _checked(client, world, tmp_path, django_capture_on_commit_callbacks)
    client.post(
        f"{BASE}/imports/{code}/request-approval",
        json.dumps({"organization": world.enterprise_a.code}),
        content_type="application/json",
    )
    approval = RosterImportApproval.objects.get()
    with pytest.raises(DutyConflict):
        roster_import_reject(actor=world.alice, approval=approval, comment="不对")
    with pytest.raises(DutyConflict):
        roster_import_approve(actor=world.alice, approval=approval)
    other = _colleague(world)
    r_client = client
    r_client.force_login(other)
    r = r_client.post(
        f"{BASE}/import-approvals/{approval.code}/reject", "{}", content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["code"] == "comment_required"
    roster_import_reject(actor=other, approval=approval, comment="名单不完整")
    approval.refresh_from_db()
    assert approval.status == "rejected" and approval.decided_by == other
    assert AuditEvent.objects.filter(action="workforce.import.reject.refused").count() == 1


def test_pages_ask_and_approve(
    client: Any, world: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    path = write_roster(tmp_path / "r.csv", [["张三", unique_id(1)]], header=["姓名", "身份证号"])
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("workforce:import_upload"),
            {"file": SimpleUploadedFile("r.csv", path.read_bytes())},
        )
    detail = r["Location"]
    code = detail.rstrip("/").rsplit("/", 1)[-1]
    html = client.get(detail).content.decode()
    assert 'id="import-request"' in html and 'id="import-valid"' not in html
    data = {
        "col_name": "0",
        "col_citizen_id": "1",
        "organization": world.enterprise_a.code,
        "action": "request",
    }
    r = client.post(reverse("workforce:import_run", args=[code]), data, follow=True)
    approval = RosterImportApproval.objects.get()
    assert approval.requested_by == world.alice and approval.mapping == {
        **approval.mapping,
        "name": 0,
        "citizen_id": 1,
    }
    decide = reverse("workforce:import_approval_decide", args=[approval.code])
    r = client.post(decide, {"decision": "approve"}, follow=True)
    assert "另一名干部" in r.content.decode()  # the refusal, in Chinese
    assert not Worker.objects.exists()
    client.force_login(_colleague(world))
    page = client.get(reverse("workforce:import_approvals")).content.decode()
    assert "r.csv" in page and world.enterprise_a.name in page
    assert reverse("workforce:import_approvals") in client.get("/").content.decode()  # in the menu
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide, {"decision": "approve"})
    assert list(Worker.objects.values_list("name", flat=True)) == ["张三"]
    client.force_login(world.bob)
    assert client.post(decide, {"decision": "approve"}).status_code == 404


def test_approval_request_keeps_the_checked_mapping(
    client: Any, world: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Regression: a request could carry a column mapping nobody checked (columns swapped), so
    the approver approved one thing and another was imported."""
    code = _checked(client, world, tmp_path, django_capture_on_commit_callbacks)
    swapped = {"name": 1, "citizen_id": 0}
    r = client.post(
        f"{BASE}/imports/{code}/request-approval",
        json.dumps({"organization": world.enterprise_a.code, "mapping": swapped}),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "mapping_not_checked"
    assert not RosterImportApproval.objects.exists()
    checked = Job.objects.get(code=code).result["mapping"]
    r = client.post(
        f"{BASE}/imports/{code}/request-approval",
        json.dumps({"organization": world.enterprise_a.code}),
        content_type="application/json",
    )
    assert r.status_code == 201
    assert RosterImportApproval.objects.get().mapping == checked
