"""Item statistics of large sessions and banks as background jobs: below the threshold nothing
changes; above it the page and the API start (or reuse) a job, show its progress, then the stored
figures, which equal the in-request ones; changed marks make a stored result stale; access."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from gongjiang.core.jobs import job_execute
from gongjiang.core.models import Job
from gongjiang.learning.models import AttemptItem
from gongjiang.learning.statistics import jobs as stats_jobs
from gongjiang.learning.statistics import services as statistics_module
from gongjiang.learning.statistics.jobs import STATS_KIND, answer_fingerprint, session_target
from gongjiang.learning.statistics.services import (
    ItemStatistics,
    bank_item_statistics,
    session_item_statistics,
)
from tests.access_helpers import check_access

from .test_item_stats_pages import MARKS, _exam

HX = {"HX-Request": "true"}


@pytest.fixture
def exam(world: Any) -> Any:
    return _exam(world)


@pytest.fixture
def big(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every session and bank with at least one answer row is 'large'."""
    monkeypatch.setattr(stats_jobs, "JOB_THRESHOLD", 1)


def _jobs() -> Any:
    return Job.objects.filter(kind=STATS_KIND).order_by("created_at", "pk")


def _run_latest() -> Job:
    job = _jobs().last()
    assert job is not None and job.status == Job.Status.QUEUED
    job = job_execute(job)
    assert job.status == Job.Status.SUCCEEDED, job.result
    return job


def _page(session: Any) -> str:
    return reverse("learning:session_statistics", args=[session.code])


def _api(session: Any) -> str:
    return f"/api/v1/learning/sessions/{session.code}/statistics"


def test_below_the_threshold_nothing_changes(client: Any, world: Any, exam: Any) -> None:
    session, _, _ = exam
    client.force_login(world.alice)
    html = client.get(_page(session)).content.decode()
    assert 'id="stats-table"' in html and 'id="stats-job"' not in html
    assert 'id="stats-computed-at"' not in html
    response = client.get(_api(session))
    assert response.status_code == 200
    assert response.json() == session_item_statistics(session=session).api_json()
    assert not _jobs().exists()


def test_progress_reported_while_reading(
    world: Any, exam: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, _, _ = exam
    monkeypatch.setattr(statistics_module, "PROGRESS_ROWS", 5)
    calls: list[int] = []
    session_item_statistics(session=session, progress=calls.append)
    rows = 3 * len(MARKS)
    assert calls == [5, 10, 15, rows]


def test_stored_result_round_trips(world: Any, exam: Any) -> None:
    session, _, _ = exam
    stats = session_item_statistics(session=session)
    stored = stats.stored()
    assert set(stored) == {"exam", "questions", "histogram"}
    # the shape of the API, plus each question's maximum mark
    assert {
        "exam": {k: stored["exam"][k] for k in statistics_module.EXAM_FIELDS},
        "questions": [
            {k: q[k] for k in statistics_module.QUESTION_FIELDS} for q in stored["questions"]
        ],
    } == stats.as_json()
    assert all(
        set(q) == {*statistics_module.QUESTION_FIELDS, "max_mark"} for q in stored["questions"]
    )
    json.dumps(stored, allow_nan=False)  # storable as it is (jsonb refuses NaN)
    again = ItemStatistics.from_stored(stored)
    assert again.exam == stats.exam and again.histogram == stats.histogram
    assert again.questions == stats.questions  # described again: stems, types, flag reasons


def test_page_starts_a_job_shows_progress_then_the_result(
    client: Any, world: Any, exam: Any, big: None
) -> None:
    session, _, _ = exam
    expected = session_item_statistics(session=session)
    client.force_login(world.alice)
    html = client.get(_page(session)).content.decode()
    job = _jobs().get()
    assert job.status == Job.Status.QUEUED and job.organization == session.organization
    assert job.created_by == world.alice
    assert job.params["fingerprint"]["rows"] == 3 * len(MARKS)
    assert (
        'id="stats-job"' in html and f"job={job.code}" in html and 'hx-trigger="every 1s"' in html
    )
    assert 'id="stats-table"' not in html and 'id="export-xlsx"' not in html
    # asking again, or another officer of the scope, reuses the job
    client.get(_page(session))
    client.force_login(world.alice_admin)
    client.get(_page(session))
    assert _jobs().count() == 1
    # the Excel export waits for the result: back to the page
    response = client.get(_page(session) + "?format=xlsx")
    assert response.status_code == 302 and "format" not in response["Location"]

    # the progress bar polls the job
    poll = f"{_page(session)}?job={job.code}"
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, done=9, total=18)
    partial = client.get(poll, headers=HX)
    assert partial.status_code == 200
    body = partial.content.decode()
    assert body.startswith("<div") and 'data-status="running"' in body
    assert "50%" in body and "<html" not in body
    job = job_execute(Job.objects.get(pk=job.pk))  # what the worker does
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert job.done == job.total == 3 * len(MARKS)
    finished = client.get(poll, headers=HX)
    assert finished.status_code == 200 and finished["HX-Refresh"] == "true"

    # then the full page, from the stored result: the same figures as in the request
    html = client.get(_page(session)).content.decode()
    assert 'id="stats-table"' in html and 'id="stats-job"' not in html
    assert 'id="stats-computed-at"' in html and 'id="chart-totals"' in html
    assert f'data-figure="mean">{expected.exam["mean"]:.2f}<' in html
    for q in expected.questions:
        assert f'data-question="{q["code"]}"' in html
    assert (
        "Check the answer key"
        in client.get(_page(session), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert _jobs().count() == 1  # nothing changed: no new job


def test_job_computes_the_same_numbers(client: Any, world: Any, exam: Any, big: None) -> None:
    session, _, _ = exam
    expected = session_item_statistics(session=session)
    client.force_login(world.alice)
    response = client.get(_api(session))
    assert response.status_code == 202
    data = response.json()
    assert set(data) == {"code", "status", "done", "total", "percent", "message"}
    assert data["status"] == "queued"
    job = _run_latest()
    assert job.code == data["code"]
    with translation.override("en"):  # flag reasons and types are in the reader's language
        stored = ItemStatistics.from_stored(job.result)
        assert stored.questions == session_item_statistics(session=session).questions
    assert stored.exam == expected.exam and stored.histogram == expected.histogram
    response = client.get(_api(session))
    assert response.status_code == 200
    assert response.json() == expected.api_json()  # exactly the in-request answer
    # the Excel export serves the stored result
    from openpyxl import load_workbook

    xlsx = client.get(_page(session) + "?format=xlsx")
    assert xlsx.status_code == 200
    table = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[1].iter_rows(values_only=True))
    assert [row[0] for row in table[1:]] == [q["code"] for q in expected.questions]
    assert table[1][6] == pytest.approx(expected.questions[0]["facility_percent"])


def test_the_job_runs_after_the_request_commits(
    client: Any, world: Any, exam: Any, big: None, django_capture_on_commit_callbacks: Any
) -> None:
    session, _, _ = exam
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(_api(session)).status_code == 202
    job = _jobs().get()
    assert job.status == Job.Status.SUCCEEDED, job.result  # the immediate backend of the tests
    assert job.message  # the last progress message
    response = client.get(_api(session))
    assert response.status_code == 200
    assert response.json() == session_item_statistics(session=session).api_json()


def test_changed_marks_make_the_result_stale(client: Any, world: Any, exam: Any, big: None) -> None:
    session, questions, _ = exam
    client.force_login(world.alice)
    client.get(_api(session))
    first = _run_latest()
    assert client.get(_api(session)).status_code == 200
    # a regrade that leaves every sum as it was: one candidate loses a mark, another gains one
    items = AttemptItem.objects.filter(attempt__session=session, version__question=questions[0])
    lose = items.filter(score=1).order_by("pk").first()
    gain = items.filter(score=0).order_by("pk").first()
    before = answer_fingerprint(session_target(session=session).items)
    AttemptItem.objects.filter(pk=lose.pk).update(score=Decimal(0))
    AttemptItem.objects.filter(pk=gain.pk).update(score=Decimal(1))
    after = answer_fingerprint(session_target(session=session).items)
    assert after["marks"] == before["marks"] and after["rows"] == before["rows"]
    assert after != before
    # the page starts a new job and shows the old figures meanwhile, said to be out of date
    html = client.get(_page(session)).content.decode()
    assert _jobs().count() == 2
    assert 'id="stats-job"' in html and 'id="stats-stale"' in html
    assert 'id="stats-table"' in html
    assert client.get(_api(session)).status_code == 202
    assert _jobs().count() == 2
    second = _run_latest()
    response = client.get(_api(session))
    assert response.status_code == 200
    assert response.json() == session_item_statistics(session=session).api_json()
    # the superseded result is cleared; the job row stays
    first.refresh_from_db()
    assert first.result == {} and second.result["exam"]
    # a new complete attempt changes it too
    _exam(world, marks=[(1, 1, 1)], session=session, questions=questions)
    assert client.get(_api(session)).status_code == 202
    _run_latest()
    response = client.get(_api(session))
    assert response.json()["exam"]["count"] == len(MARKS) + 1


def test_a_failed_job_is_reported_then_tried_again(
    client: Any, world: Any, exam: Any, big: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, _, _ = exam
    client.force_login(world.alice)
    client.get(_page(session))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(stats_jobs, "session_item_statistics", broken)
    job = job_execute(_jobs().get())
    assert job.status == Job.Status.FAILED
    html = client.get(_page(session)).content.decode()
    assert 'id="stats-job-failed"' in html and "boom" not in html
    assert 'hx-trigger="every 1s"' not in html
    response = client.get(_api(session))
    assert response.status_code == 202 and response.json()["status"] == "failed"
    assert _jobs().count() == 1
    # a minute later a request starts it again
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(minutes=2))
    assert client.get(_api(session)).json()["status"] == "queued"
    assert _jobs().count() == 2


def test_a_lost_job_is_replaced(client: Any, world: Any, exam: Any, big: None) -> None:
    session, _, _ = exam
    client.force_login(world.alice)
    client.get(_api(session))
    lost = _jobs().get()
    Job.objects.filter(pk=lost.pk).update(
        status=Job.Status.RUNNING, created_at=timezone.now() - dt.timedelta(hours=2)
    )
    # its progress bar stops waiting: the page is reloaded, and starts another job
    assert client.get(f"{_page(session)}?job={lost.code}", headers=HX)["HX-Refresh"] == "true"
    assert client.get(_api(session)).json()["code"] != lost.code
    assert _jobs().count() == 2


def test_bank_statistics_in_the_background(client: Any, world: Any, exam: Any, big: None) -> None:
    _, questions, _ = exam
    expected = bank_item_statistics(organization=world.province_a)
    url = f"/api/v1/learning/statistics/bank?organization={world.province_a.code}"
    client.force_login(world.alice)
    assert client.get(url).status_code == 202
    _run_latest()
    response = client.get(url)
    assert response.status_code == 200 and response.json() == expected.api_json()
    # a knowledge point is another target, with its own job
    narrow = client.get(url + "&knowledge_point=识图")
    assert narrow.status_code == 202 and _jobs().count() == 2
    _run_latest()
    assert (
        client.get(url + "&knowledge_point=识图").json()
        == bank_item_statistics(organization=world.province_a, knowledge_point="识图").api_json()
    )
    # the page: the stored figures, and the poll of a job
    page = reverse("learning:bank_statistics")
    html = client.get(page, {"organization": world.province_a.code}).content.decode()
    assert 'id="stats-table"' in html and questions[2].code in html
    assert 'id="stats-computed-at"' in html
    xlsx = client.get(page, {"organization": world.province_a.code, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    job = _jobs().first()
    poll = client.get(page, {"organization": world.province_a.code, "job": job.code}, headers=HX)
    assert poll["HX-Refresh"] == "true"
    # the job of the whole bank is not a job of the knowledge point's target
    other = client.get(
        page, {"organization": world.province_a.code, "kp": "识图", "job": job.code}, headers=HX
    )
    assert other.status_code == 404


def test_access(client: Any, world: Any, exam: Any, big: None) -> None:
    session, _, _ = exam
    check_access(client, url=_api(session), in_scope=world.alice, out_of_scope=world.bob, ok=202)
    check_access(client, url=_page(session), in_scope=world.alice, out_of_scope=world.bob)
    job = _jobs().get()
    poll = f"{_page(session)}?job={job.code}"
    client.logout()
    assert client.get(poll, headers=HX).status_code in (302, 401)
    for outsider in (world.bob, world.worker_a):
        client.force_login(outsider)
        assert client.get(poll, headers=HX).status_code == 404
        assert client.get(_api(session)).status_code == 404
        # nor through the core job endpoints
        assert client.get(f"/api/v1/core/jobs/{job.code}").status_code == 404
        assert client.get(reverse("core:job_detail", args=[job.code])).status_code == 404
    # bob's own bank does not give him alice's job or result
    bank = reverse("learning:bank_statistics")
    client.force_login(world.bob)
    response = client.get(
        bank, {"organization": world.province_b.code, "job": job.code}, headers=HX
    )
    assert response.status_code == 404
    # a job of one session is not a job of another, even for the same user
    other, _, _ = _exam(world, marks=[(1, 1, 1)])
    client.force_login(world.alice)
    assert client.get(f"{_page(other)}?job={job.code}", headers=HX).status_code == 404
    # finished: the stored result is served only within the scope
    _run_latest_for(job)
    check_access(client, url=_api(session), in_scope=world.alice, out_of_scope=world.bob)
    check_access(
        client, url=_page(session) + "?format=xlsx", in_scope=world.alice, out_of_scope=world.bob
    )


def _run_latest_for(job: Job) -> None:
    done = job_execute(Job.objects.get(pk=job.pk))
    assert done.status == Job.Status.SUCCEEDED, done.result


def test_progress_in_chinese(client: Any, world: Any, exam: Any, big: None) -> None:
    session, _, _ = exam
    client.force_login(world.alice)
    html = client.get(_page(session), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="stats-job"' in html
    assert "后台" in html


def test_a_job_that_finishes_at_once_is_shown_as_current(
    world: Any, exam: Any, big: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: when a worker finished the job before the page read it back, the page showed
    the figures as out of date ("the marks have changed since") under a progress bar."""
    session, _, _ = exam
    started = stats_jobs.job_start

    def start_and_run(**kwargs: Any) -> Job:
        job = started(**kwargs)
        job_execute(Job.objects.get(pk=job.pk))  # a fast worker, in its own process
        return job  # still "queued" in this request's copy

    monkeypatch.setattr(stats_jobs, "job_start", start_and_run)
    outcome = stats_jobs.item_statistics_get(
        actor=world.alice, target=session_target(session=session)
    )
    assert outcome.job is None and outcome.ready
    assert outcome.stats is not None and outcome.computed_by is not None
    assert outcome.stats.as_json() == session_item_statistics(session=session).as_json()
