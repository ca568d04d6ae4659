"""Every API endpoint: anonymous 401, out of scope 404, in scope ok — and what it does."""

from __future__ import annotations

import json

import pytest

from gongjiang.certification.models import Candidate, Certificate, EvaluationPlan
from gongjiang.core.models import Job
from tests.access_helpers import check_access
from tests.factories import UserFactory, member

from .factories import evaluation_body, issued_certificate, make_plan, make_worker

pytestmark = pytest.mark.django_db
API = "/api/v1/certification"


def _post(client, url, data, method="post"):  # noqa: ANN001, ANN202
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_plan_endpoints(client, world) -> None:  # noqa: ANN001
    body = {
        "organization": world.enterprise_a.code,
        "name": "焊工技师认定",
        "occupation": "6-18-02-04",
        "level": "TECHNICIAN",
        "body_code": "0123",
        "province_code": "32",
        "site_code": "000001",
        "starts_on": "2024-05-01",
        "ends_on": "2024-06-30",
        "items": [{"title": "焊接", "points": 100}],
    }
    response = check_access(
        client,
        url=f"{API}/plans",
        method="post",
        data=body,
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    plan = response.json()
    assert plan["has_review"] is True and plan["items"][0]["title"] == "焊接"
    code = plan["code"]
    listed = check_access(
        client, url=f"{API}/plans", in_scope=world.alice, out_of_scope=None
    ).json()
    assert [p["code"] for p in listed["items"]] == [code]
    client.force_login(world.bob)
    assert client.get(f"{API}/plans").json()["count"] == 0
    check_access(client, url=f"{API}/plans/{code}", in_scope=world.alice, out_of_scope=world.bob)
    patched = check_access(
        client,
        url=f"{API}/plans/{code}",
        method="patch",
        data={"name": "改名"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    ).json()
    assert patched["name"] == "改名"
    items = check_access(
        client,
        url=f"{API}/plans/{code}/items",
        method="put",
        data={"items": [{"title": "A", "points": 40}, {"title": "B", "points": 60}]},
        in_scope=world.alice,
        out_of_scope=world.bob,
    ).json()
    assert [i["title"] for i in items] == ["A", "B"]
    # error shape: unknown field → 422, broken rule → 422 with details
    client.force_login(world.alice)
    response = _post(client, f"{API}/plans/{code}", {"nonsense": 1}, "patch")
    assert response.status_code == 422 and response.json()["details"][0]["error"] == "unknown field"
    response = _post(client, f"{API}/plans", {**body, "ends_on": "2024-01-01"})
    assert response.status_code == 422 and response.json()["details"][0]["field"] == "ends_on"
    # body code 4 digits (0000: filed with a province), site code 6: the ministry's layout
    for field, value in (("body_code", "000123"), ("site_code", "001"), ("body_code", "123")):
        response = _post(client, f"{API}/plans", {**body, field: value})
        assert response.status_code == 422, (field, value)
    patched = _post(
        client, f"{API}/plans/{code}", {"body_code": "0000", "site_code": "320101"}, "patch"
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["body_code"], patched.json()["site_code"]) == ("0000", "320101")
    # a worker (no staff role) sees no plans; creating needs the manage permission
    client.force_login(world.worker_a)
    assert client.get(f"{API}/plans").json()["count"] == 0
    assert _post(client, f"{API}/plans", body).status_code == 404


def test_candidate_and_scoring_endpoints(client, world) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a, items=[("操作", 60), ("质量", 40)])
    worker = make_worker(world.enterprise_a, "李四")
    response = check_access(
        client,
        url=f"{API}/plans/{plan.code}/candidates",
        method="post",
        data={"workers": [worker.code]},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    cand = response.json()[0]
    assert cand["worker_name"] == "李四" and cand["passed"] is None
    listed = check_access(
        client,
        url=f"{API}/plans/{plan.code}/candidates",
        in_scope=world.alice,
        out_of_scope=world.bob,
    ).json()
    assert listed["count"] == 1
    code = cand["code"]
    check_access(
        client, url=f"{API}/candidates/{code}", in_scope=world.alice, out_of_scope=world.bob
    )
    scored = check_access(
        client,
        url=f"{API}/candidates/{code}/scores",
        method="patch",
        data={"theory": 88.5},
        in_scope=world.alice,
        out_of_scope=world.bob,
    ).json()
    assert scored["theory_score"] == "88.50"
    client.force_login(world.alice)
    assert (
        _post(client, f"{API}/candidates/{code}/scores", {"theory": 101}, "patch").status_code
        == 422
    )
    judge = UserFactory(username="judge_api")
    member(judge, world.enterprise_a, "judge")
    judge_b = UserFactory(username="judge_api_b")
    member(judge_b, world.enterprise_b, "judge")
    items = {i.title: i.code for i in plan.items.all()}
    sheet = {"points": {items["操作"]: 50, items["质量"]: 30}}
    scored = check_access(
        client,
        url=f"{API}/candidates/{code}/practical",
        method="put",
        data=sheet,
        in_scope=judge,
        out_of_scope=judge_b,
    ).json()
    assert scored["practical_score"] == "80.00" and scored["examiners"] == 1
    client.force_login(world.alice)  # officers manage but do not score the practical
    assert _post(client, f"{API}/candidates/{code}/practical", sheet, "put").status_code == 403
    decided = check_access(
        client,
        url=f"{API}/plans/{plan.code}/decide",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
    ).json()
    assert decided == {"candidates": 1, "passed": 1, "failed": 0, "absent": 0}
    client.force_login(world.alice)
    response = _post(client, f"{API}/candidates/{code}/scores", {"theory": 50}, "patch")
    assert response.status_code == 409 and response.json()["code"] == "plan_not_open"
    reopened = check_access(
        client,
        url=f"{API}/plans/{plan.code}/reopen",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
    ).json()
    assert reopened["status"] == "open"
    other = make_worker(world.enterprise_a, "王五")
    extra = Candidate.objects.create(plan=plan, worker=other)
    check_access(
        client,
        url=f"{API}/candidates/{extra.code}",
        method="delete",
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=204,
    )
    assert not Candidate.objects.filter(pk=extra.pk).exists()


def test_theory_from_exam_endpoint_scoped(client, world) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a)
    response = check_access(
        client,
        url=f"{API}/plans/{plan.code}/theory-from-exam",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=(200, 400),
    )
    assert response.status_code == 400 and response.json()["code"] == "no_exam_session"


def test_issue_job_and_certificate_endpoints(
    client, world, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a, items=[("操作", 100)], has_theory=False)
    worker = make_worker(world.enterprise_a, "赵六", user=world.worker_a, level="INTERMEDIATE")
    cand = Candidate.objects.create(plan=plan, worker=worker, practical_score=90)
    client.force_login(world.alice)
    response = _post(client, f"{API}/plans/{plan.code}/issue", {})
    assert response.status_code == 409 and response.json()["code"] == "not_decided"
    client.post(f"{API}/plans/{plan.code}/decide")
    with django_capture_on_commit_callbacks(execute=True):  # the job runs when the request commits
        response = check_access(
            client,
            url=f"{API}/plans/{plan.code}/issue",
            method="post",
            in_scope=world.alice,
            out_of_scope=world.bob,
            ok=202,
        )
    job = Job.objects.get(code=response.json()["job"])
    assert job.status == "succeeded" and job.result["issued"] == 1, job.result
    assert EvaluationPlan.objects.get(pk=plan.pk).status == "issued"
    cert = Certificate.objects.get(candidate=cand)
    listed = check_access(
        client, url=f"{API}/certificates", in_scope=world.alice, out_of_scope=None
    ).json()
    assert [c["number"] for c in listed["items"]] == [cert.number]
    client.force_login(world.bob)
    assert client.get(f"{API}/certificates").json()["count"] == 0
    client.force_login(world.worker_a)  # the holder sees their own certificate
    assert client.get(f"{API}/certificates").json()["count"] == 1
    detail = check_access(
        client, url=f"{API}/certificates/{cert.code}", in_scope=world.alice, out_of_scope=world.bob
    ).json()
    assert detail["status"] == "valid" and detail["verify_url"] == cert.verify_path()
    pdf = check_access(
        client,
        url=f"{API}/certificates/{cert.code}/pdf",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    assert pdf.content.startswith(b"%PDF")
    client.force_login(world.worker_a)  # the holder cannot revoke
    assert (
        _post(client, f"{API}/certificates/{cert.code}/revoke", {"reason": "x"}).status_code == 403
    )
    revoked = check_access(
        client,
        url=f"{API}/certificates/{cert.code}/revoke",
        method="post",
        data={"reason": "证书信息有误"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    ).json()
    assert revoked["status"] == "revoked"
    worker.refresh_from_db()
    assert worker.skill_level_id == "INTERMEDIATE"


def test_certificate_list_filters(client, world) -> None:  # noqa: ANN001
    cert = issued_certificate(world.enterprise_a)
    client.force_login(world.alice)
    assert client.get(f"{API}/certificates", {"q": cert.number[:10]}).json()["count"] == 1
    assert client.get(f"{API}/certificates", {"q": "S9"}).json()["count"] == 0
    assert client.get(f"{API}/certificates", {"plan": cert.plan.code}).json()["count"] == 1


def test_enrol_does_not_reveal_workers_outside_scope(client, world) -> None:  # noqa: ANN001
    plan = make_plan(evaluation_body(world.city_b), body_kind="S", province_code="33")
    hidden = make_worker(world.enterprise_a, "周七")
    client.force_login(world.bob)
    response = _post(client, f"{API}/plans/{plan.code}/candidates", {"workers": [hidden.code]})
    unknown = _post(client, f"{API}/plans/{plan.code}/candidates", {"workers": ["nosuchworker"]})
    assert response.status_code == unknown.status_code == 422
    assert response.json()["details"][0]["error"].startswith("unknown worker")
