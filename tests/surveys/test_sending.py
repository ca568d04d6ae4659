"""Large sends run as a background job (core.jobs) with progress; the page shows the job; the
anonymous links are handed over once, to the officer who started it."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.core.models import AuditEvent, Job
from gongjiang.surveys import sending, services
from gongjiang.surveys.models import Invitation, Survey
from tests.access_helpers import check_access

from .helpers import QUESTIONS, answers


@pytest.fixture
def draft(sw: Any, monkeypatch: pytest.MonkeyPatch) -> Survey:
    """A published, unsent survey; any audience over 5 workers counts as large."""
    monkeypatch.setattr(sending, "IN_REQUEST_MAX", 5)
    s = services.survey_create(
        actor=sw.world.alice, organization=sw.world.province_a, title="第三轮", questions=QUESTIONS
    )
    services.survey_publish(actor=sw.carol, survey=s)
    return s


@pytest.mark.django_db
def test_page_sends_a_large_audience_in_a_job_and_shows_it(
    client: Any, sw: Any, draft: Survey, django_capture_on_commit_callbacks: Any
) -> None:
    alice = sw.world.alice
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):  # the job runs when the request commits
        r = client.post(
            f"/surveys/{draft.code}/distribute/",
            {"audience": sw.world.province_a.code, "mode": "subtree", "response_rate": "1"},
        )
    assert r.status_code == 302 and r["Location"] == f"/surveys/{draft.code}/"
    job = Job.objects.get(kind=sending.KIND, params__survey=draft.code)
    assert job.status == "succeeded" and job.created_by == alice
    assert (job.done, job.total) == (27, 27)
    assert job.result == {"invited": 27, "links": 0, "survey": draft.code}
    draft.refresh_from_db()
    assert draft.status == "open" and draft.invited == 27
    assert Invitation.objects.filter(survey=draft).count() == 27
    page = client.get(f"/surveys/{draft.code}/").content.decode()
    assert 'id="send-job"' in page and job.code in page and 'data-status="succeeded"' in page
    # the job page polls its progress
    assert client.get(f"/jobs/{job.code}/").status_code == 200
    # the invited workers answer as with a send in the request
    services.response_submit(actor=sw.workers[0].user, survey=draft, answers=answers(0))


@pytest.mark.django_db
def test_links_of_workers_without_login_handed_over_once(
    client: Any, sw: Any, draft: Survey, django_capture_on_commit_callbacks: Any
) -> None:
    from .helpers import make_workers

    make_workers(sw.world.enterprise_a, 3, start=300, users=False)
    alice = sw.world.alice
    with django_capture_on_commit_callbacks(execute=True):
        job = sending.survey_send_start(
            actor=alice, survey=draft, audience=sw.world.province_a, mode="subtree"
        )
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["links"] == 3 and job.output_file
    url = f"/surveys/{draft.code}/links/{job.code}/"
    # nobody else gets the file: another officer in scope, an officer out of scope
    for other in (sw.carol, sw.world.bob):
        client.force_login(other)
        assert client.get(url).status_code == 404
    client.force_login(alice)
    assert 'id="links-download"' in client.get(f"/surveys/{draft.code}/").content.decode()
    r = client.get(url)
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    lines = r.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 4
    token = lines[1].rsplit("/surveys/a/", 1)[1].strip("/")
    # the link works, once
    services.response_submit_by_token(token=token, answers=answers(1))
    # handed over once: the file is gone
    job.refresh_from_db()
    assert not job.output_file
    r = client.get(url, follow=True)
    assert "links-download" not in r.content.decode()
    assert AuditEvent.objects.filter(action="survey.links").count() == 1


@pytest.mark.django_db
def test_api_send_job_and_in_request_limit(
    client: Any, sw: Any, draft: Survey, django_capture_on_commit_callbacks: Any
) -> None:
    alice, bob = sw.world.alice, sw.world.bob
    base = f"/api/v1/surveys/surveys/{draft.code}"
    body = {"audience": sw.world.province_a.code}
    client.force_login(alice)
    # the request refuses to send a large audience itself
    r = client.post(f"{base}/distribute", body, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "send_in_background"
    assert Invitation.objects.filter(survey=draft).count() == 0
    check_access(
        client,
        url=f"{base}/send-jobs",
        method="post",
        data=body,
        in_scope=alice,
        out_of_scope=bob,
        ok=202,
    )
    job = Job.objects.get(kind=sending.KIND, params__survey=draft.code)
    # a second sending job while the first waits is refused
    r = client.post(f"{base}/send-jobs", body, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "send_running"
    from gongjiang.core.jobs import job_execute

    job_execute(job)
    r = client.get(f"{base}/send-jobs/{job.code}")
    assert r.status_code == 200
    assert r.json() | {} == {
        "code": job.code,
        "status": "succeeded",
        "done": 27,
        "total": 27,
        "percent": 100,
        "message": r.json()["message"],
        "invited": 27,
        "links": 0,
        "error": None,
    }
    client.force_login(bob)
    assert client.get(f"{base}/send-jobs/{job.code}").status_code == 404
    client.force_login(sw.carol)  # in scope, but not the job's starter
    assert client.get(f"{base}/send-jobs/{job.code}").status_code == 404


@pytest.mark.django_db
def test_job_fails_cleanly_when_the_survey_was_sent_meanwhile(sw: Any, draft: Survey) -> None:
    from gongjiang.core.jobs import job_execute

    job = sending.survey_send_start(
        actor=sw.world.alice, survey=draft, audience=sw.world.province_a, mode="subtree"
    )
    services.survey_distribute(actor=sw.world.alice, survey=draft, audience=sw.world.city_a)
    job = job_execute(Job.objects.get(pk=job.pk))
    assert job.status == "failed" and job.result["code"] == "survey_not_draft"
    assert Invitation.objects.filter(survey=draft).count() == 27  # the first send, nothing more
