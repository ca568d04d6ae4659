"""Every page: anonymous → login, out of scope → 404, in scope → ok; and the flows behind them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongjiang.certification.models import Candidate, Certificate, EvaluationPlan
from gongjiang.core.models import Job
from tests.access_helpers import check_access
from tests.factories import UserFactory, member

from .factories import issued_certificate, make_plan, make_worker

pytestmark = pytest.mark.django_db


def url(name: str, *args: str) -> str:
    return reverse(f"certification:{name}", args=args)


@pytest.fixture
def judge(world):  # noqa: ANN001, ANN201
    user = UserFactory(username="judge_page")
    member(user, world.enterprise_a, "judge")
    return user


@pytest.fixture
def judge_b(world):  # noqa: ANN001, ANN201
    user = UserFactory(username="judge_page_b")
    member(user, world.enterprise_b, "judge")
    return user


def test_plan_list_and_create(client, world) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a)
    html = check_access(
        client, url=url("plan_list"), in_scope=world.alice, out_of_scope=None
    ).content.decode()
    assert plan.name in html and 'id="plan-new"' in html
    client.force_login(world.bob)
    assert plan.name not in client.get(url("plan_list")).content.decode()
    check_access(client, url=url("plan_create"), in_scope=world.alice, out_of_scope=None)
    data = {
        "organization": world.enterprise_a.code,
        "name": "钳工中级工",
        "occupation": "6-20-01-01",
        "level": "INTERMEDIATE",
        "body_kind": "Y",
        "body_code": "0000",
        "province_code": "32",
        "site_code": "000002",
        "has_theory": "on",
        "has_practical": "on",
        "theory_pass": "60",
        "practical_pass": "60",
        "review_pass": "60",
        "starts_on": "2024-05-01",
        "ends_on": "2024-05-30",
        "checklist": "划线 | 30\n锉削｜70",
    }
    response = check_access(
        client,
        url=url("plan_create"),
        method="post",
        data=data,
        in_scope=world.alice,
        out_of_scope=None,
        ok=302,
    )
    created = EvaluationPlan.objects.get(name="钳工中级工")
    assert response["Location"] == url("plan_detail", created.code)
    assert [(i.title, int(i.points)) for i in created.items.all()] == [("划线", 30), ("锉削", 70)]
    assert (created.body_code, created.site_code) == ("0000", "000002")  # 0000: provincial body
    client.force_login(world.bob)  # bob cannot create under alice's organisation
    response = client.post(url("plan_create"), {**data, "name": "x"})
    assert response.status_code == 200 and not EvaluationPlan.objects.filter(name="x").exists()
    client.force_login(world.worker_a)
    assert client.get(url("plan_create")).status_code == 403


def test_plan_detail_edit_enrol_scores(client, world) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a, level="TECHNICIAN")
    worker = make_worker(world.enterprise_a, "李四")
    html = check_access(
        client, url=url("plan_detail", plan.code), in_scope=world.alice, out_of_scope=world.bob
    ).content.decode()
    assert "焊前准备" in html and 'id="enrol-link"' in html
    check_access(
        client, url=url("plan_edit", plan.code), in_scope=world.alice, out_of_scope=world.bob
    )
    client.force_login(world.alice)
    form = client.get(url("plan_edit", plan.code)).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "name": "焊工技师（改）",
            "level": "TECHNICIAN",
            "has_theory": "on",
            "has_practical": "on",
            "has_review": "on",
            "starts_on": "2024-05-01",
            "ends_on": "2024-06-30",
        }
    )
    data.pop("validity_years", None)
    response = client.post(url("plan_edit", plan.code), data)
    assert response.status_code == 302, response.context["form"].errors
    plan.refresh_from_db()
    assert plan.name == "焊工技师（改）"
    html = check_access(
        client, url=url("plan_enrol", plan.code), in_scope=world.alice, out_of_scope=world.bob
    ).content.decode()
    assert "李四" in html
    check_access(
        client,
        url=url("plan_enrol", plan.code),
        method="post",
        data={"worker": [worker.code]},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    cand = Candidate.objects.get(plan=plan, worker=worker)
    check_access(
        client, url=url("plan_scores", plan.code), in_scope=world.alice, out_of_scope=world.bob
    )
    check_access(
        client,
        url=url("plan_scores", plan.code),
        method="post",
        data={f"theory-{cand.code}": "77", f"review-{cand.code}": "65.5"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    cand.refresh_from_db()
    assert (str(cand.theory_score), str(cand.review_score)) == ("77.00", "65.50")
    response = client.post(url("plan_scores", plan.code), {f"theory-{cand.code}": "120"})
    assert response.status_code == 200
    client.force_login(world.worker_a)  # a worker role sees no plans at all
    assert client.get(url("plan_detail", plan.code)).status_code == 404


def test_examiner_pages(client, world, judge, judge_b) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a, items=[("操作", 60), ("质量", 40)])
    cand = Candidate.objects.create(plan=plan, worker=make_worker(world.enterprise_a, "王五"))
    html = check_access(
        client, url=url("plan_examine", plan.code), in_scope=judge, out_of_scope=judge_b
    ).content.decode()
    assert "王五" in html
    check_access(
        client, url=url("candidate_score", cand.code), in_scope=judge, out_of_scope=judge_b
    )
    items = {i.title: i.code for i in plan.items.all()}
    data = {f"item-{items['操作']}": "45", f"item-{items['质量']}": "30"}
    check_access(
        client,
        url=url("candidate_score", cand.code),
        method="post",
        data=data,
        in_scope=judge,
        out_of_scope=judge_b,
        ok=302,
    )
    cand.refresh_from_db()
    assert str(cand.practical_score) == "75.00"
    client.force_login(judge)
    response = client.post(url("candidate_score", cand.code), {f"item-{items['操作']}": "61"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    client.force_login(world.alice)  # a manager is not an examiner
    assert client.get(url("plan_examine", plan.code)).status_code == 403


def test_plan_actions(client, world, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a, has_theory=False, items=[("操作", 100)])
    worker = make_worker(world.enterprise_a, "赵六", level="INTERMEDIATE")
    cand = Candidate.objects.create(plan=plan, worker=worker, practical_score=80)
    check_access(
        client,
        url=url("plan_decide", plan.code),
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    assert EvaluationPlan.objects.get(pk=plan.pk).status == "decided"
    check_access(
        client,
        url=url("plan_reopen", plan.code),
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    assert EvaluationPlan.objects.get(pk=plan.pk).status == "open"
    check_access(
        client,
        url=url("plan_theory_from_exam", plan.code),
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    client.force_login(world.alice)
    client.post(url("plan_decide", plan.code))
    with django_capture_on_commit_callbacks(execute=True):
        response = check_access(
            client,
            url=url("plan_issue", plan.code),
            method="post",
            in_scope=world.alice,
            out_of_scope=world.bob,
            ok=302,
        )
    job = Job.objects.get(kind="certification.certificates_issue")
    assert (
        response["Location"] == reverse("core:job_detail", args=[job.code])
        and job.status == "succeeded"
    )
    assert Certificate.objects.filter(candidate=cand).exists()
    other = make_plan(world.enterprise_a)
    extra = Candidate.objects.create(plan=other, worker=worker)
    check_access(
        client,
        url=url("candidate_withdraw", extra.code),
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    assert not Candidate.objects.filter(pk=extra.pk).exists()


def test_certificate_pages(client, world) -> None:  # noqa: ANN001
    cert = issued_certificate(world.enterprise_a, user=world.worker_a)
    html = check_access(
        client, url=url("certificate_list"), in_scope=world.alice, out_of_scope=None
    ).content.decode()
    assert cert.number in html
    client.force_login(world.bob)
    assert cert.number not in client.get(url("certificate_list")).content.decode()
    client.force_login(world.worker_a)  # the holder sees their own
    assert cert.number in client.get(url("certificate_list")).content.decode()
    html = check_access(
        client,
        url=url("certificate_detail", cert.code),
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    ).content.decode()
    assert 'id="revoke-form"' not in html and cert.verify_path() in html
    assert client.post(url("certificate_detail", cert.code), {"reason": "x"}).status_code == 403
    html = check_access(
        client,
        url=url("certificate_detail", cert.code),
        in_scope=world.alice,
        out_of_scope=world.bob,
    ).content.decode()
    assert 'id="revoke-form"' in html
    check_access(
        client,
        url=url("certificate_detail", cert.code),
        method="post",
        data={"reason": "信息有误"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    cert.refresh_from_db()
    assert cert.revoked


def test_navigation(client, world, judge) -> None:  # noqa: ANN001
    from gongjiang.certification.nav import items

    labels = [c.url for c in items(world.alice)[0].children]
    assert url("plan_list") in labels and url("certificate_list") in labels
    worker_urls = [c.url for c in items(world.worker_a)[0].children]
    assert url("plan_list") not in worker_urls and url("certificate_list") in worker_urls
    assert url("plan_list") in [c.url for c in items(judge)[0].children]
