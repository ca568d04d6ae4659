"""Filters of a reward fund's ledger — by the year an entry was posted, by its kind, by the worker
and the result it concerns — on the fund's page, in its Excel file and through
``GET /api/v1/innovation/funds/{code}/ledger`` (paged). The kind is told in SQL by the same rule as
each line is told (held equal here for every kind); a worker or a result the viewer may not see
matches nothing; the balance of a filtered line is the fund's balance after that entry in the
whole ledger, never recomputed within the filter."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from django.utils import timezone
from openpyxl import load_workbook

from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.models import LedgerEntry
from gongjiang.core.ledger.services import fund_credit, fund_debit, ledger_entry_reverse
from gongjiang.core.models import AuditEvent, Job
from gongjiang.core.notices.models import PublicNotice
from gongjiang.innovation import awards, exports, fund_ledger, views_funds
from gongjiang.workforce.models import Worker
from tests.access_helpers import check_access

from .test_award_notice_page import noticed_round
from .test_fund_ledger import paid_and_corrected
from .test_revenue_corrections import certified_year, fund  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
D = Decimal


def _all(actor: Any, fund: Any, **filters: Any) -> list[fund_ledger.Line]:  # noqa: F811
    f = fund_ledger.filters_clean(**filters)
    return fund_ledger.lines(
        actor=actor, rows=fund_ledger.entries(actor=actor, fund=fund, filters=f)
    )


def _backdate(entry: LedgerEntry, when: dt.datetime) -> None:
    # the model's queryset refuses updates (append-only); the table does not (as test_ledger does)
    models.QuerySet.update(
        LedgerEntry.objects.filter(pk=entry.pk), created_at=timezone.make_aware(when)
    )


def award_fund_paid_and_one_reversed(world: Any, team: Any) -> Any:
    """The award fund of a published round: 30,000 in, the 一等奖 (20,000) paid in three parts,
    then one part reversed (a reversal about a team member: told as "other")."""
    round_ = noticed_round(world, team)
    notice = round_.notice
    span = notice.ends_on - notice.starts_on
    start = dt.date.today() - span - dt.timedelta(days=2)
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=start, ends_on=start + span)
    round_.refresh_from_db()
    round_ = awards.award_round_publish(actor=world.alice, round=round_)
    (winner,) = awards.winners(round_)
    awards.award_pay(actor=world.alice, nomination=winner)
    paid = LedgerEntry.objects.filter(fund=round_.fund, kind="debit").order_by("id").first()
    ledger_entry_reverse(actor=world.alice, entry=paid, reason="发放有误")
    return round_.fund


def test_each_kind_in_sql_is_what_the_lines_tell(
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
) -> None:
    paid_and_corrected(world, team, fund)
    fund_credit(actor=world.alice, fund=fund, amount="50.00", reference="追加拨款")
    fund_debit(actor=world.alice, fund=fund, amount="1.00", reference="手续费")
    award_fund = award_fund_paid_and_one_reversed(world, team)
    for f, expected in (
        (fund, {"budget": 2, "revenue": 3, "correction": 6, "other": 1, "award": 0}),
        (award_fund, {"budget": 1, "revenue": 0, "correction": 0, "other": 1, "award": 3}),
    ):
        everything = _all(world.alice, f)
        told = {k: [x.code for x in everything if x.kind == k] for k in fund_ledger.KINDS}
        for kind in fund_ledger.KINDS:
            got = _all(world.alice, f, kind=kind)
            assert {x.kind for x in got} <= {kind}, kind
            assert sorted(x.code for x in got) == sorted(told[kind]), kind
            assert len(got) == expected[kind], (f.name, kind)
        assert sum(expected.values()) == len(everything)


def test_year_filter_keeps_the_whole_ledgers_balance(
    client: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
) -> None:
    """The 100,000 put in is back-dated to 2025; the payments stay in this year. Filtered by year,
    each line keeps the balance the fund had after it in the whole ledger."""
    certified_year(world, team, fund, pay=True)
    credit = LedgerEntry.objects.get(fund=fund, kind="credit")
    _backdate(credit, dt.datetime(2025, 6, 1, 9))
    this_year = timezone.localdate().year
    full = {x.code: x.balance for x in _all(world.alice, fund)}
    old = _all(world.alice, fund, year=2025)
    assert [(x.kind, x.balance) for x in old] == [("budget", D("100000.00"))]
    now = _all(world.alice, fund, year=this_year)
    assert len(now) == 3 and {x.kind for x in now} == {"revenue"}
    assert all(x.balance == full[x.code] for x in now)
    # not recomputed within the filter: the oldest payment of the year left 100,000 minus itself
    oldest = now[-1]
    assert oldest.balance == D("100000.00") - oldest.amount
    assert now[0].balance == D("100000.00") - D("500.01")
    assert _all(world.alice, fund, year=2024) == []
    # the page says how the balance is defined when a filter is set
    client.force_login(world.alice)
    r = client.get(f"/innovation/funds/{fund.code}/", {"year": this_year})
    assert [x.code for x in r.context["ledger"]] == [x.code for x in now]
    assert 'id="ledger-balance-note"' in r.content.decode()
    assert (
        'id="ledger-balance-note"'
        not in client.get(f"/innovation/funds/{fund.code}/").content.decode()
    )
    # local time: the last minute of 2025 is still 2025, the first of 2026 is 2026
    _backdate(credit, dt.datetime(2025, 12, 31, 23, 59))
    assert [x.code for x in _all(world.alice, fund, year=2025)] == [credit.code]
    _backdate(credit, dt.datetime(2026, 1, 1, 0, 0))
    assert _all(world.alice, fund, year=2025) == []


def test_worker_and_result_filters_never_uncover_a_masked_entry(
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
) -> None:
    year = certified_year(world, team, fund, pay=True)
    result = year.scheme.result
    li, wang, _zhao = team.workers
    mine = _all(world.alice, fund, worker=li.code)
    assert [(x.worker, x.worker_code, x.kind) for x in mine] == [("李斌", li.code, "revenue")]
    assert len(_all(world.alice, fund, result=result.code)) == 3
    both = _all(world.alice, fund, worker=li.code, result=result.code)
    assert [x.code for x in both] == [x.code for x in mine]
    assert _all(world.alice, fund, worker=team.worker_b.code) == []  # not in this fund
    assert _all(world.alice, fund, result="NOSUCHCODE") == []
    # 王芳 moves to province B: masked in the ledger, and her code finds nothing
    Worker.objects.filter(pk=wang.pk).update(organization=world.enterprise_b)
    assert "王*" in {x.worker for x in _all(world.alice, fund)}
    assert _all(world.alice, fund, worker=wang.code) == []


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"year": "1999"}, "year"),
        ({"year": "2101"}, "year"),
        ({"year": "二〇二六x"}, "year"),
        ({"kind": "bonus"}, "kind"),
        ({"worker": "W" * 21}, "worker"),
        ({"result": "R" * 21}, "result"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(given: dict[str, str], field: str) -> None:
    with pytest.raises(ApplicationError) as exc:
        fund_ledger.filters_clean(**given)
    assert exc.value.status == 422 and exc.value.details[0]["field"] == field


def test_filters_accepted_at_their_bounds() -> None:
    f = fund_ledger.filters_clean(year=" 2000 ", kind="other", worker="W" * 20, result="")
    assert f == fund_ledger.Filters(year=2000, kind="other", worker="W" * 20)
    assert f.params() == {"year": 2000, "kind": "other", "worker": "W" * 20}
    assert fund_ledger.filters_clean(year="2100").year == 2100
    assert fund_ledger.filters_clean().params() == {}


def _book(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(data)).active


def test_page_filter_paging_and_export(
    client: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
    monkeypatch: Any,
) -> None:
    paid_and_corrected(world, team, fund)
    monkeypatch.setattr(views_funds, "LEDGER_PAGE", 4)
    client.force_login(world.alice)
    url = f"/innovation/funds/{fund.code}/"
    r = client.get(url, {"kind": "correction"})
    assert [x.kind for x in r.context["ledger"]] == ["correction"] * 4
    page = r.content.decode()
    # the pager keeps the filter, the export carries it
    assert "kind=correction&amp;page=2" in page
    export = f"/innovation/exports/fund-ledger.xlsx?fund={fund.code}&amp;kind=correction"
    assert export in page
    second = client.get(url, {"kind": "correction", "page": 2}).context["ledger"]
    assert [x.kind for x in second] == ["correction"] * 2
    sheet = _book(client.get(export.replace("&amp;", "&")))
    rows = list(sheet.iter_rows(values_only=True))[1:]
    assert len(rows) == 6
    # oldest first, each with the balance of the whole ledger
    assert [D(str(r[7])).quantize(D("0.01")) for r in rows][-1] == fund.balance
    event = AuditEvent.objects.get(action="innovation.export")
    assert event.details["filters"] == {"fund": fund.code, "kind": "correction"}
    assert event.details["rows"] == 6
    # a bad filter: the page shows it at the field and lists every entry; the export refuses it
    r = client.get(url, {"year": "1999"})
    assert r.status_code == 200 and len(r.context["ledger"]) == 4
    assert r.context["ledger_form"].errors["year"]
    assert "is-invalid" in r.content.decode()
    bad = f"/innovation/exports/fund-ledger.xlsx?fund={fund.code}&kind=bonus"
    assert client.get(bad).status_code == 400
    assert client.get(bad.replace("kind=bonus", "year=12345")).status_code == 400
    assert AuditEvent.objects.filter(action="innovation.export").count() == 1


def test_filtered_export_as_a_background_job(
    client: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    certified_year(world, team, fund, pay=True)
    monkeypatch.setattr(exports, "SYNC_ROWS", 1)
    client.force_login(world.alice)
    this_year = timezone.localdate().year
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get(
            "/innovation/exports/fund-ledger.xlsx",
            {"fund": fund.code, "kind": "revenue", "year": this_year},
        )
    assert r.status_code == 302
    job = Job.objects.get(kind=exports.JOB_KIND)
    assert job.status == "succeeded", job.result
    assert job.result["exported_rows"] == 3
    assert _book(client.get(job.result["url"])).max_row == 4


def test_ledger_api_paged_filtered_masked_and_scoped(
    client: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
) -> None:
    paid_and_corrected(world, team, fund)
    Worker.objects.filter(pk=team.workers[1].pk).update(organization=world.enterprise_b)
    url = f"/api/v1/innovation/funds/{fund.code}/ledger"
    body = check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob).json()
    assert body["fund"] == fund.code and body["balance"] == f"{fund.balance:.2f}"
    assert body["count"] == 10 and len(body["items"]) == 10
    assert body["items"][0]["balance_after"] == body["balance"]
    masked = [x for x in body["items"] if x["worker"] == "王*"]
    assert masked and all(x["worker_code"] is None for x in masked)
    assert "王芳" not in str(body) and team.workers[1].code not in str(body)
    li = next(x for x in body["items"] if x["worker"] == "李斌")
    assert li["worker_code"] == team.workers[0].code and li["result_code"]
    full = {x["code"]: x["balance_after"] for x in body["items"]}
    # paged: 10 entries, 4 a page
    last = client.get(url, {"page": 3, "page_size": 4}).json()
    assert (last["count"], last["page"], len(last["items"])) == (10, 3, 2)
    assert last["items"][-1]["kind"] == "budget" and last["items"][-1]["credit"] is True
    # filtered by kind: balances are the whole ledger's
    corr = client.get(url, {"kind": "correction"}).json()
    assert corr["count"] == 6 and {x["kind"] for x in corr["items"]} == {"correction"}
    assert all(x["balance_after"] == full[x["code"]] for x in corr["items"])
    assert sum(x["reversal"] for x in corr["items"]) == 3
    year = timezone.localdate().year
    assert client.get(url, {"year": year, "kind": "budget"}).json()["count"] == 1
    assert client.get(url, {"year": year - 1}).json()["count"] == 0
    by_worker = client.get(url, {"worker": team.workers[0].code}).json()
    assert by_worker["count"] == 3  # paid, reversed, paid again
    assert client.get(url, {"worker": team.workers[1].code}).json()["count"] == 0  # masked
    # bounded parameters: 422 naming the field
    for params, field in (
        ({"year": "1999"}, "year"),
        ({"year": "abc"}, "year"),
        ({"kind": "bonus"}, "kind"),
        ({"worker": "W" * 21}, "worker"),
        ({"page_size": 201}, "page_size"),
        ({"page": 0}, "page"),
    ):
        r = client.get(url, params)
        assert r.status_code == 422, (params, r.status_code)
        assert field in str(r.json()["details"]), (params, r.json())
    # a worker with no fund rights: refused; province B's officer: 404 with nothing of the fund
    client.force_login(world.worker_a)
    assert client.get(url).status_code in (403, 404)
    client.force_login(world.bob)
    r = client.get(url, {"kind": "revenue"})
    assert r.status_code == 404 and fund.code not in r.content.decode()
