"""Item statistics as users see them: the page, the Excel export, the API, the bank view."""

from __future__ import annotations

import io
import itertools
import os
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from gongjiang.learning.exams.services import exam_attempt_start
from gongjiang.learning.models import Attempt, AttemptItem
from gongjiang.learning.statistics.item_stats import FLAG_NEGATIVE_DISCRIMINATION, item_statistics
from gongjiang.learning.statistics.services import bank_item_statistics, session_item_statistics
from tests.access_helpers import check_access
from tests.factories import UserFactory, member

from .factories import make_question, make_session

_numbers = itertools.count()

# marks per candidate on (Q1, Q2, Q3); Q3 goes against the totals (negative discrimination)
MARKS = [(1, 2, 0), (1, 2, 0), (1, 1, 1), (0, 1, 1), (0, 0, 1), (1, 2, 0)]
EXAM_KEYS = {
    "count",
    "mean",
    "median",
    "sd",
    "skewness",
    "kurtosis",
    "alpha",
    "error_ratio",
    "standard_error",
}
QUESTION_KEYS = {
    "question",
    "count",
    "facility",
    "sd",
    "discrimination_index",
    "discriminative_efficiency",
    "effective_weight",
    "flag",
}


def _exam(world, marks=MARKS, *, session=None, questions=None):
    """A session of three questions (max 1, 2, 1) with one complete attempt per row of marks."""
    if questions is None:
        questions = [
            make_question(
                world.alice, world.province_a, "single", stem="<p>第一题 <b>题干</b></p>"
            ),
            make_question(world.alice, world.province_a, "single", kp="识图", score=2),
            make_question(world.alice, world.province_a, "true_false", answer=True),
        ]
    if session is None:
        session = make_session(
            world.alice,
            world.province_a,
            questions,
            candidate_organizations=[world.enterprise_a],
        )
    rows = []
    for row in marks:
        user = UserFactory(username=f"cand{session.pk}_{next(_numbers)}")
        member(user, world.enterprise_a, "worker")
        attempt = exam_attempt_start(actor=user, session=session)
        by_question = dict(zip([q.pk for q in questions], row, strict=True))
        for item in attempt.items.select_related("version"):
            item.score = Decimal(by_question[item.version.question_id])
            item.save(update_fields=["score"])
            rows.append(
                (attempt.pk, item.version.question.code, float(item.score), float(item.max_score))
            )
        attempt.status = Attempt.Status.COMPLETE
        attempt.save(update_fields=["status"])
    return session, questions, rows


def _fmt(value):
    return "—" if value is None else f"{value:.2f}"


@pytest.fixture
def exam(world):
    return _exam(world)


def test_service_matches_the_engine(world, exam) -> None:
    session, questions, rows = exam
    stats = session_item_statistics(session=session)
    expected = item_statistics(rows)
    assert stats.enough and stats.attempts == len(MARKS)
    assert stats.exam == expected["exam"]
    by_code = {q["question"]: q for q in expected["questions"]}
    assert [q["code"] for q in stats.questions] == [q.code for q in questions]  # paper order
    for q in stats.questions:
        assert {k: q[k] for k in QUESTION_KEYS} == by_code[q["code"]]
    first, _, third = stats.questions
    assert first["stem"] == "第一题 题干" and first["qtype"] == "single"
    assert third["flag"] == FLAG_NEGATIVE_DISCRIMINATION and third["flag_reason"]
    totals = [sum(row) for row in MARKS]
    assert stats.histogram["max"] == 4.0
    assert stats.histogram["labels"] == ["0", "1", "2", "3", "4"]
    assert stats.histogram["counts"] == [totals.count(t) for t in range(5)]


def test_queries_do_not_grow_with_attempts(world, exam, django_assert_max_num_queries) -> None:
    session, questions, _ = exam
    with django_assert_max_num_queries(4):
        session_item_statistics(session=session)
    _exam(world, marks=MARKS * 3, session=session, questions=questions)
    with django_assert_max_num_queries(4):
        assert session_item_statistics(session=session).attempts == 4 * len(MARKS)


def test_histogram_bins() -> None:
    from gongjiang.learning.statistics.services import _histogram

    wide = _histogram([0.5, 99.5, 100.0, 50.0], 100.0)
    assert wide["labels"][0] == "0–10" and wide["labels"][-1] == "90–100"
    assert wide["counts"] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    assert _histogram([], 10.0)["counts"] == []


def test_page_shows_figures_table_flags_and_charts(client, world, exam) -> None:
    session, questions, rows = exam
    expected = item_statistics(rows)
    client.force_login(world.alice)
    response = client.get(reverse("learning:session_statistics", args=[session.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="stats-table"' in html and 'id="chart-facility"' in html
    assert 'id="chart-discrimination"' in html and 'id="chart-totals"' in html
    assert "echarts.min.js" in html
    assert f'data-figure="mean">{_fmt(expected["exam"]["mean"])}<' in html
    assert f'data-figure="alpha" data-unreliable="1">{_fmt(expected["exam"]["alpha"])}<' in html
    for q in expected["questions"]:
        row = re.search(rf'<tr[^>]*data-question="{q["question"]}">(.*?)</tr>', html, re.S)
        assert row, q["question"]
        cells = row.group(1)
        assert f"<td>{_fmt(q['facility'] * 100)}</td>" in cells
        # a handful of attempts: the discrimination figures are shown, marked unreliable
        assert f">{_fmt(q['discrimination_index'])}*</td>" in cells
        assert f">{_fmt(q['effective_weight'])}*</td>" in cells
    assert re.search(r'<tr class="table-warning" data-flag="negative_discrimination"', html)
    english = client.get(
        reverse("learning:session_statistics", args=[session.code]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Check the answer key" in english
    # the session page links to it
    detail = client.get(reverse("learning:session_detail", args=[session.code])).content.decode()
    assert reverse("learning:session_statistics", args=[session.code]) in detail


def test_page_in_chinese_names_the_flag(client, world, exam) -> None:
    session, _, _ = exam
    client.force_login(world.alice)
    html = client.get(
        reverse("learning:session_statistics", args=[session.code]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "区分度为负" in html
    assert "难度系数" in html


def test_not_enough_attempts(client, world) -> None:
    session, _, _ = _exam(world, marks=[(1, 1, 1)])
    assert not session_item_statistics(session=session).enough
    client.force_login(world.alice)
    html = client.get(reverse("learning:session_statistics", args=[session.code])).content.decode()
    assert 'id="not-enough"' in html and 'id="stats-table"' not in html
    response = client.get(f"/api/v1/learning/sessions/{session.code}/statistics")
    assert response.status_code == 200
    assert response.json()["exam"]["count"] == 1


def test_attempts_awaiting_marking_are_not_counted(client, world, exam) -> None:
    session, _, _ = exam
    Attempt.objects.filter(pk=Attempt.objects.filter(session=session).first().pk).update(
        status=Attempt.Status.MARKING
    )
    assert session_item_statistics(session=session).attempts == len(MARKS) - 1
    client.force_login(world.alice)
    html = client.get(reverse("learning:session_statistics", args=[session.code])).content.decode()
    assert 'id="awaiting-marking"' in html


def test_no_attempts_at_all(client, world) -> None:
    session, _, _ = _exam(world, marks=[])
    stats = session_item_statistics(session=session)
    assert stats.attempts == 0 and stats.questions == [] and stats.histogram["counts"] == []
    client.force_login(world.alice)
    html = client.get(reverse("learning:session_statistics", args=[session.code])).content.decode()
    assert 'id="not-enough"' in html


def test_xlsx_export_has_numbers(client, world, exam) -> None:
    from openpyxl import load_workbook

    session, questions, rows = exam
    expected = item_statistics(rows)
    client.force_login(world.alice)
    url = reverse("learning:session_statistics", args=[session.code])
    response = client.get(url + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    exam_ws, questions_ws = wb.worksheets
    figures = [row for row in exam_ws.iter_rows(min_row=2, values_only=True)]
    assert figures[0][1] == len(MARKS)
    assert figures[1][1] == pytest.approx(expected["exam"]["mean"])
    assert figures[6][1] == pytest.approx(expected["exam"]["alpha"])
    table = list(questions_ws.iter_rows(values_only=True))
    by_code = {q["question"]: q for q in expected["questions"]}
    assert len(table) == 1 + len(questions)
    for row in table[1:]:
        q = by_code[row[0]]
        assert isinstance(row[6], int | float)
        assert row[6] == pytest.approx(q["facility"] * 100)
        assert row[8] == pytest.approx(q["discrimination_index"])
        assert (row[11] is not None) == (q["flag"] is not None)


def test_xlsx_headers_in_chinese(client, world, exam) -> None:
    from openpyxl import load_workbook

    session, _, _ = exam
    client.force_login(world.alice)
    response = client.get(
        reverse("learning:session_statistics", args=[session.code]) + "?format=xlsx",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    wb = load_workbook(io.BytesIO(response.content))
    header = next(wb.worksheets[1].iter_rows(values_only=True))
    assert "试题" in header[0]
    assert any("区分度" in h for h in header)


def test_api_session_statistics(client, world, exam) -> None:
    session, _, rows = exam
    url = f"/api/v1/learning/sessions/{session.code}/statistics"
    response = check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    data = response.json()
    assert set(data) == {"exam", "questions", "reliable", "min_attempts", "warnings"}
    assert set(data["exam"]) == EXAM_KEYS
    assert all(set(q) == {*QUESTION_KEYS, "reliable"} for q in data["questions"])
    assert data["reliable"] is False and not any(q["reliable"] for q in data["questions"])
    expected = item_statistics(rows)
    for q in data["questions"]:
        del q["reliable"]
    assert data["exam"] == pytest.approx(expected["exam"])
    assert sorted(data["questions"], key=lambda q: q["question"]) == sorted(
        expected["questions"], key=lambda q: q["question"]
    )


def test_pages_access(client, world, exam) -> None:
    session, _, _ = exam
    url = reverse("learning:session_statistics", args=[session.code])
    check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    check_access(client, url=url + "?format=xlsx", in_scope=world.alice, out_of_scope=world.bob)
    # a worker of the organisation cannot see the session's statistics
    client.force_login(world.worker_a)
    assert client.get(url).status_code == 404


def test_bank_statistics(client, world, exam) -> None:
    session, questions, rows = exam
    # a second session on two of the questions: the bank combines both
    second, _, rows2 = _exam(world, marks=[(1, 0), (0, 1), (1, 1)], questions=questions[:2])
    stats = bank_item_statistics(organization=world.province_a)
    assert stats.attempts == len(MARKS) + 3
    expected = item_statistics(rows + rows2)
    assert stats.exam == expected["exam"]
    only = bank_item_statistics(organization=world.province_a, knowledge_point="识图")
    assert [q["code"] for q in only.questions] == [questions[1].code]
    # another organisation's bank has nothing
    assert bank_item_statistics(organization=world.province_b).attempts == 0

    url = reverse("learning:bank_statistics")
    client.force_login(world.alice)
    chooser = client.get(url).content.decode()
    assert world.province_a.code in chooser and world.province_b.code not in chooser
    html = client.get(url, {"organization": world.province_a.code}).content.decode()
    assert 'id="stats-table"' in html and questions[2].code in html
    check_access(
        client,
        url=f"{url}?organization={world.province_a.code}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    xlsx = client.get(url, {"organization": world.province_a.code, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # no permission to view questions anywhere: 403 on the chooser
    client.force_login(world.worker_a)
    assert client.get(url).status_code == 403


def test_api_bank_statistics(client, world, exam) -> None:
    _, _, rows = exam
    url = f"/api/v1/learning/statistics/bank?organization={world.province_a.code}"
    response = check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    data = response.json()
    assert data["exam"] == pytest.approx(item_statistics(rows)["exam"])
    assert {q["question"] for q in data["questions"]} == {r[1] for r in rows}
    client.force_login(world.alice)
    assert client.get("/api/v1/learning/statistics/bank?organization=NOPE").status_code == 404
    assert client.get("/api/v1/learning/statistics/bank").status_code == 422


def test_changed_maximum_is_rescaled(world, exam) -> None:
    session, questions, _ = exam
    # one attempt saw Q2 worth 4 instead of 2: its mark counts on the 4-mark scale for everyone
    item = AttemptItem.objects.filter(
        attempt__session=session, version__question=questions[1], score=2
    ).first()
    item.max_score = Decimal(4)
    item.score = Decimal(4)
    item.save(update_fields=["max_score", "score"])
    stats = session_item_statistics(session=session)
    q2 = stats.questions[1]
    assert q2["max_mark"] == 4.0
    assert q2["count"] == len(MARKS)


@pytest.mark.browser
def test_statistics_page_in_a_browser(world, page, live_server) -> None:
    session, _, _ = _exam(world)
    page.goto(f"{live_server.url}/login/?next=/learning/sessions/{session.code}/statistics/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "Correct-horse-9")
    page.click("#login-button")
    page.wait_for_selector("#stats-table")
    assert page.locator("#stats-table tbody tr").count() == 3
    assert page.locator("#stats-table tr.table-warning").count() >= 1
    # ECharts drew into the containers
    page.wait_for_selector("#chart-facility canvas")
    page.wait_for_selector("#chart-discrimination canvas")
    page.wait_for_selector("#chart-totals canvas")
    if os.environ.get("GJ_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["GJ_SCREENSHOTS"], "item-statistics.png"), full_page=True
        )


@pytest.mark.browser
def test_statistics_of_a_large_session_in_a_browser(world, page, live_server, monkeypatch) -> None:
    """Above the threshold the page shows the background job's progress bar, polls it, and shows
    the figures by itself once a worker has computed them."""
    from types import SimpleNamespace

    from gongjiang.core import jobs
    from gongjiang.core.models import Job
    from gongjiang.learning.statistics import jobs as stats_jobs

    monkeypatch.setattr(stats_jobs, "JOB_THRESHOLD", 1)
    # the job waits for a worker (here: the test) instead of running when the request commits
    monkeypatch.setattr(jobs, "job_run", SimpleNamespace(enqueue=lambda code: None))
    session, _, _ = _exam(world)
    page.goto(f"{live_server.url}/login/?next=/learning/sessions/{session.code}/statistics/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "Correct-horse-9")
    page.click("#login-button")
    page.wait_for_selector('#stats-job[data-status="queued"]')
    assert page.locator("#stats-job-progress").inner_text() == "0%"
    assert page.locator("#stats-table").count() == 0
    job = Job.objects.get(kind=stats_jobs.STATS_KIND)
    assert jobs.job_execute(job).status == Job.Status.SUCCEEDED
    page.wait_for_selector("#stats-table")  # the next poll reloads the page
    assert page.locator("#stats-table tbody tr").count() == 3
    assert page.locator("#stats-computed-at").count() == 1
    assert page.locator("#stats-job").count() == 0


# ------------------------------------------------------------------- small samples are marked
def test_few_attempts_mark_the_figures_unreliable_everywhere(client, world, exam) -> None:
    from openpyxl import load_workbook

    from gongjiang.learning.statistics.services import ITEM_STATS_MIN_ATTEMPTS

    session, _questions, _rows = exam  # six attempts
    assert ITEM_STATS_MIN_ATTEMPTS == 30
    stats = session_item_statistics(session=session)
    assert not stats.reliable and stats.warnings()
    client.force_login(world.alice)
    url = reverse("learning:session_statistics", args=[session.code])
    html = client.get(url).content.decode()
    assert 'id="stats-unreliable"' in html and "30" in html
    data = client.get(f"/api/v1/learning/sessions/{session.code}/statistics").json()
    assert data["reliable"] is False and data["min_attempts"] == 30 and data["warnings"]
    book = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content))
    exam_sheet = list(book.worksheets[0].iter_rows(values_only=True))
    alpha = next(r for r in exam_sheet if r[0] and "α" in r[0] or r[0] and "alpha" in r[0])
    assert alpha[2]  # the note says unreliable
    questions = list(book.worksheets[1].iter_rows(values_only=True))
    assert all(r[-1] for r in questions[1:])


def test_enough_attempts_show_the_figures_plainly(client, world, exam) -> None:
    session, questions, _rows = exam
    _exam(world, marks=MARKS * 4, session=session, questions=questions)  # 30 in all
    stats = session_item_statistics(session=session)
    assert stats.attempts == 30 and stats.reliable and stats.warnings() == []
    client.force_login(world.alice)
    html = client.get(reverse("learning:session_statistics", args=[session.code])).content.decode()
    assert 'id="stats-unreliable"' not in html and 'data-unreliable="1"' not in html
    data = client.get(f"/api/v1/learning/sessions/{session.code}/statistics").json()
    assert data["reliable"] is True and all(q["reliable"] for q in data["questions"])


def test_chart_labels_are_question_numbers_and_short_stems(client, world, exam) -> None:
    import json

    session, questions, _rows = exam
    client.force_login(world.alice)
    html = client.get(reverse("learning:session_statistics", args=[session.code])).content.decode()
    charts = json.loads(re.search(r'id="chart-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert charts["codes"][0] == "1. 第一题 题干"
    assert not any(q.code in label for q in questions for label in charts["codes"])
