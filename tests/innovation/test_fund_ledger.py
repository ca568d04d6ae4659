"""The ledger of a reward fund on its page and in Excel: every entry (money in, award payments,
revenue shares, the repayment of a corrected year) with its kind, the result and the worker it
concerns (masked for a viewer who may not see the worker), the amount exact to the fen and the
balance it left; the newest entry's balance is the fund's balance. Scoped: a fund outside the
viewer's subtree is 404 on the page and the export, with nothing of it shown. The export writes
every name as text and runs as a background job above the exports' threshold."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from gongjiang.core.ledger.models import LedgerEntry
from gongjiang.core.models import AuditEvent, Job
from gongjiang.core.notices.models import PublicNotice
from gongjiang.innovation import awards, exports, fund_ledger, views_funds
from gongjiang.innovation import revenue_corrections as corrections
from gongjiang.workforce.models import Worker

from .test_award_notice_page import noticed_round
from .test_revenue_corrections import certified_year, doc, fund  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
D = Decimal
EVIL = '=HYPERLINK("http://x","y")'


def _book(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(data))


def paid_and_corrected(world: Any, team: Any, fund: Any) -> Any:  # noqa: F811
    """A licence year paid from ``fund`` (500.01 in three parts), then corrected to 600.00 and
    approved: three reversals and three new debits."""
    year = certified_year(world, team, fund, pay=True)
    c = corrections.revenue_correction_request(
        actor=team.hr,
        year=year,
        amount="1200.00",
        reason="审计调整",
        upload=doc(),
        contributions={w.code: s for w, s in zip(team.workers, ("50", "30", "20"), strict=True)},
    )
    corrections.revenue_correction_approve(actor=world.alice, correction=c)
    fund.refresh_from_db()
    return year


def test_ledger_kinds_amounts_and_running_balance(
    client: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
) -> None:
    year = paid_and_corrected(world, team, fund)
    assert fund.balance == D("100000.00") - D("600.00")
    client.force_login(world.alice)
    r = client.get(f"/innovation/funds/{fund.code}/")
    assert r.status_code == 200
    lines = r.context["ledger"]
    # newest first: the first line's balance is the fund's balance
    assert lines[0].balance == fund.balance
    assert [x.kind for x in lines].count("budget") == 1
    assert [x.kind for x in lines].count("revenue") == 3
    assert [x.kind for x in lines].count("correction") == 6
    # the running balance: each line's balance is the one before it plus its signed amount
    chronological = list(reversed(lines))
    running = D("0.00")
    for line in chronological:
        running += line.signed
        assert line.balance == running
    assert running == fund.balance
    paid = [x for x in lines if x.kind == "revenue"]
    assert sorted(x.amount for x in paid) == [D("166.65"), D("166.65"), D("166.71")]
    assert all(x.reversed for x in paid)  # each replaced part's debit was reversed
    assert {x.worker for x in paid} == {"李斌", "王芳", "赵强"}
    assert {x.result for x in paid} == {year.scheme.result.title}
    page = r.content.decode()
    assert 'id="ledger"' in page and "166.71" in page and "99400.00" in page
    assert "−300.00" in page and "+166.71" in page
    # the memo (which names the worker in full) is never shown
    memo = LedgerEntry.objects.filter(fund=fund, kind="debit").first().memo
    assert memo not in page


def test_award_payments_in_the_ledger(client: Any, world: Any, team: Any) -> None:
    round_ = noticed_round(world, team)
    notice = round_.notice
    span = notice.ends_on - notice.starts_on
    start = dt.date.today() - span - dt.timedelta(days=2)
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=start, ends_on=start + span)
    round_.refresh_from_db()
    round_ = awards.award_round_publish(actor=world.alice, round=round_)
    (winner,) = awards.winners(round_)
    awards.award_pay(actor=world.alice, nomination=winner)
    client.force_login(world.alice)
    r = client.get(f"/innovation/funds/{round_.fund.code}/")
    lines = r.context["ledger"]
    award_lines = [x for x in lines if x.kind == "award"]
    assert sorted(x.amount for x in award_lines) == [D("4000.00"), D("6000.00"), D("10000.00")]
    assert {x.result for x in award_lines} == {"成果甲"}
    assert lines[0].balance == D("10000.00") == type(round_.fund).objects.get().balance
    assert "award payment" in {x.kind_label for x in award_lines} or "创新奖" in "".join(
        x.kind_label for x in award_lines
    )


def test_a_worker_the_viewer_may_not_see_is_masked(
    client: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
) -> None:
    certified_year(world, team, fund, pay=True)
    # 王芳 moves to Zhejiang: the province A officer no longer sees her record
    Worker.objects.filter(pk=team.workers[1].pk).update(organization=world.enterprise_b)
    client.force_login(world.alice)
    r = client.get(f"/innovation/funds/{fund.code}/")
    lines = {x.worker: x for x in r.context["ledger"] if x.kind == "revenue"}
    assert set(lines) == {"李斌", "王*", "赵强"}
    assert lines["王*"].worker_code == "" and lines["李斌"].worker_code == team.workers[0].code
    page = r.content.decode()
    assert "王芳" not in page and team.workers[1].code not in page
    book = _book(client.get(f"/innovation/exports/fund-ledger.xlsx?fund={fund.code}"))
    texts = [str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None]
    assert "王*" in texts and "王芳" not in texts and team.workers[1].code not in texts


def test_outside_the_subtree_is_404_with_nothing_shown(
    client: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
) -> None:
    certified_year(world, team, fund, pay=True)
    page = f"/innovation/funds/{fund.code}/"
    export = f"/innovation/exports/fund-ledger.xlsx?fund={fund.code}"
    for user in (world.bob, world.worker_a, world.nobody):
        client.force_login(user)
        for url in (page, export, page + "?page=2"):
            r = client.get(url)
            assert r.status_code == 404, (user, url)
            body = r.content.decode()
            assert fund.name not in body and "166.71" not in body and "99499" not in body
    assert not AuditEvent.objects.filter(action="innovation.export").exists()
    client.force_login(world.alice)
    assert client.get(page).status_code == 200
    assert client.get("/innovation/exports/fund-ledger.xlsx?fund=").status_code == 404


def test_ledger_is_paginated(
    client: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
    monkeypatch: Any,
) -> None:
    paid_and_corrected(world, team, fund)
    monkeypatch.setattr(views_funds, "LEDGER_PAGE", 4)
    client.force_login(world.alice)
    first = client.get(f"/innovation/funds/{fund.code}/").context["ledger"]
    last = client.get(f"/innovation/funds/{fund.code}/?page=3").context["ledger"]
    assert len(first) == 4 and len(last) == 2  # 10 entries
    assert last[-1].kind == "budget" and last[-1].balance == D("100000.00")
    assert first[0].balance == fund.balance


def test_export_hostile_names_text_and_exact(
    client: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
) -> None:
    Worker.objects.filter(pk=team.workers[0].pk).update(name=EVIL)
    year = certified_year(world, team, fund, pay=True)
    type(year.scheme.result).objects.filter(pk=year.scheme.result_id).update(title="@SUM(A1)")
    client.force_login(world.alice)
    page = client.get(f"/innovation/funds/{fund.code}/").content.decode()
    assert f"/innovation/exports/fund-ledger.xlsx?fund={fund.code}" in page
    sheet = _book(client.get(f"/innovation/exports/fund-ledger.xlsx?fund={fund.code}")).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 4  # header, the credit and three parts, oldest first
    for value in (EVIL, "@SUM(A1)"):
        cells = [c for row in sheet.iter_rows() for c in row if c.value == value]
        assert cells and all(c.data_type == "s" for c in cells)
    amounts = [D(str(r[6])).quantize(D("0.01")) for r in rows[1:]]
    balances = [D(str(r[7])).quantize(D("0.01")) for r in rows[1:]]
    assert amounts[0] == D("100000.00") and sum(amounts) == balances[-1]
    fund.refresh_from_db()
    assert balances[-1] == fund.balance
    event = AuditEvent.objects.get(action="innovation.export")
    assert event.details["export"] == "fund-ledger" and event.details["rows"] == 4
    assert event.details["filters"] == {"fund": fund.code}


def test_long_ledger_is_written_by_a_background_job(
    client: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    certified_year(world, team, fund, pay=True)
    monkeypatch.setattr(exports, "SYNC_ROWS", 2)
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get(f"/innovation/exports/fund-ledger.xlsx?fund={fund.code}")
    assert r.status_code == 302
    job = Job.objects.get(kind=exports.JOB_KIND)
    assert job.status == "succeeded", job.result
    assert job.result["exported_rows"] == 4
    sheet = _book(client.get(job.result["url"])).active
    assert sheet.max_row == 5
    client.force_login(world.bob)
    assert client.get(job.result["url"]).status_code == 404


def test_lines_of_nothing() -> None:
    assert fund_ledger.lines(actor=None, rows=[]) == []
