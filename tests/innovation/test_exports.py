"""Excel exports of the award rounds, revenue schemes, studios, alliances, the review list and the
exchange: scoped to what the user may see, every name written as text (a name starting with '='
stays text), audited, and a long list written by a background job."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from gongjiang.core.actors import SYSTEM
from gongjiang.core.models import AuditEvent, Job
from gongjiang.innovation import awards, exchange, exports, revenue, services, studios
from gongjiang.workforce.history import honour_add
from tests.factories import UserFactory, member

from .conftest import make_result

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://x","y")'


def _book(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(data))


def _texts(sheet: Any) -> list[str]:
    return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]


def _assert_text_cell(sheet: Any, value: str) -> None:
    cells = [c for row in sheet.iter_rows() for c in row if c.value == value]
    assert cells, value
    assert all(c.data_type == "s" for c in cells)  # a string, never a formula


def _adopted(team: Any, hr: Any, **extra: Any) -> Any:
    result = make_result(team, submit=True, **extra)
    return services.result_review(actor=hr, result=result, adopted=True)


@pytest.fixture
def hr_b(world: Any) -> Any:
    user = UserFactory(username="hr_b")
    member(user, world.enterprise_b, "hr")
    return user


def _b_result(team: Any, **extra: Any) -> Any:
    return make_result(
        team, employer=team.employer_b, members=[(team.worker_b, Decimal("100"))], **extra
    )


def test_award_rounds(client: Any, world: Any, team: Any) -> None:
    awards.award_round_create(
        actor=world.alice, organization=world.province_a, year=2026, title=EVIL
    )
    awards.award_round_create(
        actor=world.bob, organization=world.province_b, year=2026, title="浙江省创新奖"
    )
    client.force_login(world.alice)
    book = _book(client.get("/innovation/exports/award-rounds.xlsx"))
    sheet = book.active
    _assert_text_cell(sheet, EVIL)
    assert "浙江省创新奖" not in _texts(sheet) and sheet.max_row == 2
    event = AuditEvent.objects.get(action="innovation.export")
    assert event.details["export"] == "award-rounds" and event.details["rows"] == 1
    client.force_login(world.nobody)
    assert client.get("/innovation/exports/award-rounds.xlsx").status_code == 403
    assert client.get("/innovation/awards/").content.count(b"exports/award-rounds.xlsx") == 0


def test_revenue_schemes(client: Any, world: Any, team: Any, hr_b: Any) -> None:
    a = _adopted(team, team.hr, title=EVIL)
    revenue.revenue_scheme_create(actor=team.hr, result=a, mode="transfer", first_year=2025)
    b = services.result_review(actor=hr_b, result=_b_result(team, submit=True), adopted=True)
    revenue.revenue_scheme_create(actor=hr_b, result=b, mode="transfer", first_year=2025)
    client.force_login(world.alice)
    page = client.get("/innovation/revenue/")
    assert b"/innovation/exports/revenue-schemes.xlsx" in page.content
    sheet = _book(client.get("/innovation/exports/revenue-schemes.xlsx")).active
    _assert_text_cell(sheet, EVIL)
    assert sheet.max_row == 2 and team.employer_b.name not in _texts(sheet)
    client.force_login(world.worker_a)
    assert client.get("/innovation/exports/revenue-schemes.xlsx").status_code == 403


def test_studios_and_alliances(client: Any, world: Any, team: Any) -> None:
    honour_add(
        actor=SYSTEM, worker=team.workers[0], title="公司劳动模范", level="enterprise", year=2020
    )
    honour_add(
        actor=SYSTEM, worker=team.worker_b, title="公司劳动模范", level="enterprise", year=2020
    )
    mine = studios.studio_propose(
        actor=world.enterprise_officer_a,
        organization=world.enterprise_a,
        name="=1+1工作室",
        level="enterprise",
        leader=team.workers[0],
    )
    theirs = studios.studio_propose(
        actor=world.bob,
        organization=world.enterprise_b,
        name="钱多工作室",
        level="enterprise",
        leader=team.worker_b,
    )
    studios.alliance_create(
        actor=world.alice, organization=world.province_a, name="@联盟", studios=[mine]
    )
    studios.alliance_create(
        actor=world.bob, organization=world.province_b, name="浙江联盟", studios=[theirs]
    )
    client.force_login(world.alice)
    assert b"exports/studios.xlsx" in client.get("/innovation/studios/").content
    sheet = _book(client.get("/innovation/exports/studios.xlsx")).active
    _assert_text_cell(sheet, "=1+1工作室")
    texts = _texts(sheet)
    assert sheet.max_row == 2 and "钱多工作室" not in texts and "钱多" not in texts
    assert b"exports/alliances.xlsx" in client.get("/innovation/alliances/").content
    sheet = _book(client.get("/innovation/exports/alliances.xlsx")).active
    _assert_text_cell(sheet, "@联盟")
    assert "=1+1工作室" in _texts(sheet)
    assert sheet.max_row == 2 and "浙江联盟" not in _texts(sheet)
    client.force_login(world.worker_a)
    assert client.get("/innovation/exports/studios.xlsx").status_code == 403
    assert client.get("/innovation/exports/alliances.xlsx").status_code == 403


def test_review_list(client: Any, world: Any, team: Any) -> None:
    make_result(team, title=EVIL, submit=True)
    _b_result(team, title="浙江的成果", submit=True)
    client.force_login(team.hr)
    assert b"exports/review.xlsx" in client.get("/innovation/review/").content
    sheet = _book(client.get("/innovation/exports/review.xlsx")).active
    _assert_text_cell(sheet, EVIL)
    assert "李斌 50.00%" in sheet.cell(row=2, column=5).value
    assert sheet.max_row == 2 and "浙江的成果" not in _texts(sheet)
    client.force_login(world.worker_a)
    assert client.get("/innovation/exports/review.xlsx").status_code == 403


def test_exchange_questions_and_answers(client: Any, world: Any, team: Any) -> None:
    wang = UserFactory(username="wang_a")
    member(wang, world.enterprise_a, "worker")
    q = exchange.question_ask(actor=world.worker_a, title=EVIL, body="-2+3", topic="焊接")
    exchange.answer_post(actor=wang, question=q, body="+采用反变形法")
    hidden_answer = exchange.answer_post(actor=wang, question=q, body="广告内容")
    exchange.post_hide(actor=world.alice, post=hidden_answer, reason="广告")
    hidden = exchange.question_ask(actor=wang, title="被隐藏的问题", body="广告")
    exchange.post_hide(actor=world.alice, post=hidden, reason="广告")
    exchange.question_ask(actor=wang, title="数控对刀", body="怎么对刀", topic="数控")
    client.force_login(world.nobody)
    assert b"exports/exchange.xlsx" in client.get("/innovation/exchange/").content
    book = _book(client.get("/innovation/exports/exchange.xlsx?topic=焊接"))
    questions, answers = book.worksheets
    _assert_text_cell(questions, EVIL)
    _assert_text_cell(questions, "-2+3")
    assert questions.max_row == 2  # the filter holds; the hidden question is never exported
    _assert_text_cell(answers, "+采用反变形法")
    assert answers.max_row == 2 and "广告内容" not in _texts(answers)
    everything = _book(client.get("/innovation/exports/exchange.xlsx")).worksheets[0]
    assert everything.max_row == 3 and "被隐藏的问题" not in _texts(everything)
    client.logout()
    assert client.get("/innovation/exports/exchange.xlsx").status_code == 302  # to the login


def test_unknown_export_is_404(client: Any, world: Any) -> None:
    client.force_login(world.alice)
    assert client.get("/innovation/exports/workers.xlsx").status_code == 404


def test_long_list_is_written_by_a_background_job(
    client: Any,
    world: Any,
    team: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(exports, "SYNC_ROWS", 1)
    for n in range(2):
        awards.award_round_create(
            actor=world.alice, organization=world.province_a, year=2026, title=f"=第{n}轮"
        )
    awards.award_round_create(
        actor=world.bob, organization=world.province_b, year=2026, title="浙江省创新奖"
    )
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/innovation/exports/award-rounds.xlsx")
    assert response.status_code == 302
    job = Job.objects.get(kind=exports.JOB_KIND)
    assert job.code in response["Location"]
    job.refresh_from_db()
    assert job.status == "succeeded", job.result
    assert job.result["exported_rows"] == 2
    page = client.get(response["Location"])
    assert job.result["url"].encode() in page.content
    sheet = _book(client.get(job.result["url"])).active
    _assert_text_cell(sheet, "=第0轮")
    assert sheet.max_row == 3 and "浙江省创新奖" not in _texts(sheet)
    # the file is its owner's: another officer, even of the same province, gets 404
    other = UserFactory(username="alice2")
    member(other, world.province_a, "officer")
    client.force_login(other)
    assert client.get(job.result["url"]).status_code == 404
    client.force_login(world.bob)
    assert client.get(job.result["url"]).status_code == 404
