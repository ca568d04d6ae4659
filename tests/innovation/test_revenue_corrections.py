"""Corrections of certified revenue-sharing years (收益分红更正): asked for with a reason and a
supporting document by one person, decided by another (self-approval refused and audited); the
certified parts are kept and replaced, a paid year is paid again through reversing and new ledger
entries exact to the fen; totals, statements and history; pages and API scoped (404 outside)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse

from gongjiang.core.duties import DutyConflict
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.ledger.models import LedgerEntry
from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.core.models import AuditEvent
from gongjiang.innovation import revenue, services
from gongjiang.innovation import revenue_corrections as corrections
from gongjiang.innovation.models import RevenueCorrection, RevenuePart, RevenueYear
from gongjiang.innovation.revenue_statements import statements_pdf
from tests.access_helpers import check_access
from tests.factories import UserFactory, member

from .conftest import make_result

pytestmark = pytest.mark.django_db
D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def doc(name: str = "审计报告.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def fund(world: Any) -> Any:
    fund = fund_create(actor=world.alice, organization=world.enterprise_a, name="成果转化收益分红")
    fund_credit(actor=world.alice, fund=fund, amount="100000.00")
    return fund


def certified_year(world: Any, team: Any, fund: Any, *, pay: bool, amount: str = "1000.01") -> Any:
    result = make_result(
        team,
        submit=True,
        members=[
            (team.workers[0], D("33.33")),
            (team.workers[1], D("33.33")),
            (team.workers[2], D("33.34")),
        ],
    )
    result = services.result_review(actor=team.hr, result=result, adopted=True)
    scheme = revenue.revenue_scheme_create(
        actor=team.hr, result=result, mode="licence", first_year=2025, fund=fund
    )
    year = revenue.revenue_year_enter(actor=team.hr, scheme=scheme, year=2025, amount=D(amount))
    year = revenue.revenue_year_certify(actor=world.enterprise_officer_a, year=year)
    if pay:
        revenue.revenue_year_pay(actor=world.enterprise_officer_a, year=year)
        year.refresh_from_db()
    return year


def codes(team: Any) -> list[str]:
    return [w.code for w in team.workers]


def current(year: Any) -> dict[str, Decimal]:
    parts = RevenuePart.objects.filter(year=year, replaced_by__isnull=True)
    return {p.worker.code: p.amount for p in parts.select_related("worker")}


def net_paid(fund: Any) -> Decimal:
    """What left the fund after its opening credit: debits minus the reversals' credits."""
    debits = LedgerEntry.objects.filter(fund=fund, kind="debit").aggregate(s=Sum("amount"))["s"]
    back = LedgerEntry.objects.filter(fund=fund, kind="credit", reverses__isnull=False).aggregate(
        s=Sum("amount")
    )["s"]
    return (debits or D(0)) - (back or D(0))


def test_paid_year_corrected_twice_exact_to_the_fen(world: Any, team: Any, fund: Any) -> None:
    year = certified_year(world, team, fund, pay=True)
    w0, w1, w2 = codes(team)
    # as certified: 1000.01 × 0.50 → 500.01; 166.65 / 166.65 / 166.71, paid
    assert current(year) == {w0: D("166.65"), w1: D("166.65"), w2: D("166.71")}
    assert net_paid(fund) == D("500.01")
    # 1. the audited net income is 1200.00 and the shares were 50 / 30 / 20
    c1 = corrections.revenue_correction_request(
        actor=team.hr,
        year=year,
        amount="1200.00",
        reason="审计调整：许可净收入应为1200元",
        note="审计报告〔2026〕7号",
        contributions={w0: "50", w1: "30", w2: "20"},
        upload=doc(),
    )
    assert c1.number == 1 and c1.status == "requested"
    assert current(year)[w0] == D("166.65")  # nothing changes before approval
    corrections.revenue_correction_approve(actor=world.alice, correction=c1)
    assert current(year) == {w0: D("300.00"), w1: D("180.00"), w2: D("120.00")}
    fund.refresh_from_db()
    assert fund.balance == D("100000.00") - D("600.00")
    assert net_paid(fund) == D("600.00")
    # reversing + replacing: each original debit reversed once, three new debits
    assert LedgerEntry.objects.filter(fund=fund, reverses__isnull=False).count() == 3
    assert LedgerEntry.objects.filter(fund=fund, kind="debit").count() == 6
    # 2. a member drops out (0): 1000.03 × 0.50 = 500.015 → 500.02; 60 / 40 → 300.012, 200.008
    #    → 300.01 + 200.00 and the fen left over to the larger remainder (200.008) → 200.01
    c2 = corrections.revenue_correction_request(
        actor=team.hr,
        year=year,
        amount="1000.03",
        reason="贡献份额认定有误",
        contributions={w0: "60", w1: "40", w2: "0"},
        upload=doc(),
    )
    corrections.revenue_correction_approve(actor=world.enterprise_officer_a, correction=c2)
    assert current(year) == {w0: D("300.01"), w1: D("200.01")}
    fund.refresh_from_db()
    assert fund.balance == D("100000.00") - D("500.02")
    assert net_paid(fund) == D("500.02")
    assert RevenueYear.objects.get(pk=year.pk).status == "paid"
    # the certified year itself is untouched; history shows it and both corrections
    year = RevenueYear.objects.get(pk=year.pk)
    assert year.amount == D("1000.01") and year.pool == D("500.01")
    versions = corrections.year_versions(year)
    assert [(v.number, v.pool, v.current) for v in versions] == [
        (0, D("500.01"), False),
        (1, D("600.00"), False),
        (2, D("500.02"), True),
    ]
    assert sum(p.amount for p in versions[0].parts) == D("500.01")
    assert RevenuePart.objects.filter(year=year).count() == 3 + 3 + 2
    # totals count only what stands: by worker, result and employer, paid and to pay
    by_worker = {r["key"]: r for r in revenue.revenue_totals(actor=world.alice, by="worker")}
    assert by_worker[w0]["total"] == D("300.01") and by_worker[w0]["paid"] == D("300.01")
    assert w2 not in by_worker
    by_result = revenue.revenue_totals(actor=world.alice, by="result")
    assert by_result[0]["total"] == D("500.02") and by_result[0]["unpaid"] == D("0.00")
    # the worker: their current part, statements ready again; the statement shows the history
    assert [p.amount for p in revenue.my_parts(actor=world.worker_a)] == [D("300.01")]
    assert revenue.statements_ready(actor=world.worker_a) == 1
    worker = revenue.statement_worker_get(actor=world.worker_a, code=w0)
    parts = revenue.statement_parts(actor=world.worker_a, worker=worker)
    assert len(parts) == 3 and statements_pdf([(worker, parts)]).startswith(b"%PDF")
    # audited: both asked for and approved, the ledger's reversals too
    assert AuditEvent.objects.filter(action="innovation.revenue_correction_request").count() == 2
    assert AuditEvent.objects.filter(action="innovation.revenue_correction_approve").count() == 2
    assert AuditEvent.objects.filter(action="fund.reverse").count() == 6


def test_unpaid_year_corrected_then_paid_pays_the_correction(
    world: Any, team: Any, fund: Any
) -> None:
    year = certified_year(world, team, fund, pay=False)
    c = corrections.revenue_correction_request(
        actor=world.enterprise_officer_a, year=year, amount="99.99", reason="更正", upload=doc()
    )
    corrections.revenue_correction_approve(actor=world.alice, correction=c)
    # 99.99 × 0.5 = 49.995 → 50.00; 16.665 / 16.665 / 16.67 → 16.66, 16.66, 16.67 + 1 fen
    assert sum(current(year).values()) == D("50.00")
    assert not LedgerEntry.objects.filter(fund=fund, kind="debit").exists()
    revenue.revenue_year_pay(actor=world.enterprise_officer_a, year=year)
    fund.refresh_from_db()
    assert fund.balance == D("100000.00") - D("50.00")
    assert LedgerEntry.objects.filter(fund=fund, kind="debit").count() == 3


def test_self_approval_and_team_member_refused_and_audited(
    world: Any, team: Any, fund: Any
) -> None:
    year = certified_year(world, team, fund, pay=True)
    officer = world.enterprise_officer_a
    c = corrections.revenue_correction_request(
        actor=officer, year=year, amount="2000", reason="审计调整", upload=doc()
    )
    for decide in (
        lambda: corrections.revenue_correction_approve(actor=officer, correction=c),
        lambda: corrections.revenue_correction_reject(actor=officer, correction=c, reason="撤回"),
    ):
        with pytest.raises(DutyConflict):
            decide()
    refused = AuditEvent.objects.filter(action="innovation.revenue_correction_approve.refused")
    assert refused.count() == 1
    # a certifier on the result's team never decides; HR has no right to decide at all
    on_team = UserFactory(username="officer_on_team")
    member(on_team, world.enterprise_a, "officer")
    worker = team.workers[1]
    worker.user = on_team
    worker.save(update_fields=["user"])
    with pytest.raises(DutyConflict):
        corrections.revenue_correction_approve(actor=on_team, correction=c)
    with pytest.raises(PermissionDenied):
        corrections.revenue_correction_approve(actor=team.hr, correction=c)
    # nothing moved
    fund.refresh_from_db()
    assert fund.balance == D("100000.00") - D("500.01")
    assert RevenueCorrection.objects.get(pk=c.pk).status == "requested"
    # the to-do is the other certifier's, not the asker's
    assert corrections.corrections_to_decide(actor=world.alice).count() == 1
    assert corrections.corrections_to_decide(actor=officer).count() == 0
    # another person rejects with the reason; then a new correction may be asked for
    with pytest.raises(ApplicationError):
        corrections.revenue_correction_reject(actor=world.alice, correction=c, reason=" ")
    c = corrections.revenue_correction_reject(actor=world.alice, correction=c, reason="依据不足")
    assert c.status == "rejected" and c.decision_note == "依据不足"
    with pytest.raises(ConflictError):
        corrections.revenue_correction_approve(actor=world.alice, correction=c)
    again = corrections.revenue_correction_request(
        actor=officer, year=year, amount="2000", reason="补充审计报告", upload=doc()
    )
    assert again.number == 2


def test_request_checks_nothing_half_written(world: Any, team: Any, fund: Any) -> None:
    year = certified_year(world, team, fund, pay=True)
    w0, w1, w2 = codes(team)
    hr = team.hr

    def ask(**extra: Any) -> Any:
        fields = {"amount": "1200", "reason": "审计调整", "upload": doc(), **extra}
        return corrections.revenue_correction_request(actor=hr, year=year, **fields)

    cases = [
        ({"reason": "  "}, "reason"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"upload": doc("setup.pdf", b"MZ\x90\x00")}, "file"),
        ({"upload": doc("page.pdf", b"<html><script>x</script>")}, "file"),
        ({"upload": None}, "file"),
        ({"contributions": {w0: "50", w1: "50"}}, "contributions"),
        ({"contributions": {w0: "50", w1: "30", w2: "19"}}, "contributions"),
        ({"contributions": {w0: "50", w1: "30", w2: "20", "X": "0"}}, "contributions"),
        ({"contributions": {w0: "50.001", w1: "30", w2: "19.999"}}, "contributions"),
        ({"amount": "1000.01"}, "amount"),  # changes nothing
    ]
    for extra, field in cases:
        with pytest.raises(ApplicationError) as exc:
            ask(**extra)
        assert exc.value.details[0]["field"] == field, (extra, exc.value.details)
    assert not RevenueCorrection.objects.exists()
    ask()
    with pytest.raises(ConflictError) as exc:
        ask(amount="1300")
    assert exc.value.code == "correction_open"
    # an entered year is not corrected (it is entered again); another province: refused
    scheme = year.scheme
    entered = revenue.revenue_year_enter(actor=hr, scheme=scheme, year=2026, amount=D("5"))
    with pytest.raises(ConflictError):
        corrections.revenue_correction_request(
            actor=hr, year=entered, amount="6", reason="x", upload=doc()
        )
    with pytest.raises(PermissionDenied):
        corrections.revenue_correction_request(
            actor=world.bob, year=year, amount="7", reason="x", upload=doc()
        )


def test_approval_that_the_fund_cannot_pay_changes_nothing(world: Any, team: Any) -> None:
    small = fund_create(actor=world.alice, organization=world.enterprise_a, name="小基金")
    fund_credit(actor=world.alice, fund=small, amount="600.00")
    year = certified_year(world, team, small, pay=True)  # pays 500.01
    c = corrections.revenue_correction_request(
        actor=team.hr, year=year, amount="1300.00", reason="审计调整", upload=doc()
    )
    before = current(year)
    with pytest.raises(ApplicationError) as exc:
        corrections.revenue_correction_approve(actor=world.alice, correction=c)
    assert exc.value.code == "insufficient_funds"  # 650.00 does not fit in 600.00
    small.refresh_from_db()
    assert small.balance == D("99.99")
    assert current(year) == before
    assert RevenueCorrection.objects.get(pk=c.pk).status == "requested"
    assert not LedgerEntry.objects.filter(fund=small, reverses__isnull=False).exists()


def test_api_scoped_flow_and_self_approval(client: Any, world: Any, team: Any, fund: Any) -> None:
    year = certified_year(world, team, fund, pay=True)
    w0, w1, w2 = codes(team)
    base = "/api/v1/innovation/revenue"
    url = f"{base}/years/{year.code}/corrections"
    data = {
        "amount": "1200.00",
        "reason": "审计调整",
        "contributions": json.dumps({w0: "50", w1: "30", w2: "20"}),
    }
    client.logout()
    assert client.post(url, {**data, "file": doc()}).status_code == 401
    client.force_login(world.bob)
    assert client.post(url, {**data, "file": doc()}).status_code == 404
    client.force_login(world.worker_a)  # a team member sees their own statement, not the year
    assert client.post(url, {**data, "file": doc()}).status_code == 404
    client.force_login(world.enterprise_officer_a)
    r = client.post(url, {**data, "contributions": "[1]", "file": doc()})
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "contributions"
    r = client.post(url, {**data, "file": doc("x.pdf", b"GIF89a")})
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "file"
    assert not RevenueCorrection.objects.exists()
    r = client.post(url, {**data, "file": doc()})
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert r.json()["status"] == "requested" and r.json()["number"] == 1
    listed = check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob).json()
    assert [c["code"] for c in listed] == [code]
    got = check_access(
        client, url=f"{base}/corrections/{code}", in_scope=world.alice, out_of_scope=world.bob
    )
    document = check_access(
        client, url=got.json()["document"], in_scope=world.alice, out_of_scope=world.bob
    )
    assert b"".join(document.streaming_content) == PDF
    # the asker may not approve: 403 separation_of_duties, nothing changes
    client.force_login(world.enterprise_officer_a)
    r = client.post(f"{base}/corrections/{code}/approve")
    assert r.status_code == 403 and r.json()["code"] == "separation_of_duties"
    approved = check_access(
        client,
        url=f"{base}/corrections/{code}/approve",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
    ).json()
    assert approved["pool"] == "600.00" and approved["corrected"] == 1
    assert [p["amount"] for p in approved["parts"]] == ["300.00", "180.00", "120.00"]
    assert [h["pool"] for h in approved["history"]] == ["500.01", "600.00"]
    assert [h["current"] for h in approved["history"]] == [False, True]
    year_api = check_access(
        client, url=f"{base}/years/{year.code}", in_scope=world.alice, out_of_scope=world.bob
    ).json()
    assert year_api == approved
    # a second one rejected through the API, with the reason; bob sees nothing of it
    client.force_login(world.enterprise_officer_a)
    r = client.post(url, {"amount": "1200.02", "reason": "再次更正", "file": doc()})
    second = r.json()["code"]
    rejected = check_access(
        client,
        url=f"{base}/corrections/{second}/reject",
        method="post",
        data={"reason": "依据不足"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    ).json()
    assert rejected["status"] == "rejected" and rejected["decision_note"] == "依据不足"
    totals = {t["key"]: t for t in client.get(f"{base}/totals?by=worker").json()}
    assert totals[w0]["total"] == "300.00" and totals[w0]["paid"] == "300.00"


def test_pages_history_request_decide_and_scope(
    client: Any, world: Any, team: Any, fund: Any
) -> None:
    year = certified_year(world, team, fund, pay=True)
    w0, w1, w2 = codes(team)
    page = reverse("innovation:revenue_year", args=[year.code])
    check_access(client, url=page, in_scope=world.alice, out_of_scope=world.bob)
    ask = {
        "act": "request",
        "amount": "1200.00",
        "reason": "审计调整",
        "note": "审计报告",
        f"c_{w0}": "50",
        f"c_{w1}": "30",
        f"c_{w2}": "20",
    }
    client.force_login(world.bob)
    assert client.post(page, {**ask, "file": doc()}).status_code == 404
    client.force_login(world.enterprise_officer_a)
    # a refused file is shown at the field; nothing written
    r = client.post(page, {**ask, "file": doc("x.pdf", b"MZ")})
    assert r.status_code == 200 and 'id="correction-form"' in r.text
    assert not RevenueCorrection.objects.exists()
    r = client.post(page, {**ask, "file": doc()})
    assert r.status_code == 302
    c = RevenueCorrection.objects.get()
    html = client.get(page).text
    # the asker sees the waiting correction but no button to decide it; the other officer does
    assert "审计调整" in html and 'id="approve-1"' not in html
    assert 'id="correction-form"' not in html  # one waiting at a time
    client.force_login(world.alice)
    assert 'id="approve-1"' in client.get(page).text
    client.force_login(world.enterprise_officer_a)
    # the asker's approval is refused (the page says why), the other officer's goes through
    client.post(page, {"act": "approve", "correction": c.code})
    assert RevenueCorrection.objects.get().status == "requested"
    client.force_login(world.bob)
    assert client.post(page, {"act": "approve", "correction": c.code}).status_code == 404
    client.force_login(world.alice)
    assert client.post(page, {"act": "approve", "correction": c.code}).status_code == 302
    assert RevenueCorrection.objects.get().status == "approved"
    html = client.get(page).text
    assert 'id="version-0"' in html and 'id="version-1"' in html and "600.00" in html
    scheme_page = client.get(reverse("innovation:revenue_detail", args=[year.scheme.code])).text
    assert 'id="history-2025"' in scheme_page and "300.00" in scheme_page
    # the worker's own page: the part that stands, with the corrected pool and the correction
    client.force_login(world.worker_a)
    mine = client.get(reverse("innovation:revenue_mine")).text
    assert "300.00" in mine and "600.00" in mine and "166.65" not in mine
    client.force_login(world.alice)
    doc_url = reverse("innovation:revenue_correction_document", args=[c.code])
    r = check_access(client, url=doc_url, in_scope=world.alice, out_of_scope=world.bob)
    assert b"".join(r.streaming_content) == PDF


def test_correction_changes_the_share_and_adds_a_worker(world: Any, team: Any, fund: Any) -> None:
    """The team's share goes from 0.50 to 0.60 and 钱… no: a worker of enterprise A who was not in
    the certified year joins; the parts still add up to the corrected pool, paid again exactly."""
    from tests.workforce.helpers import make_worker

    year = certified_year(world, team, fund, pay=True)  # 1000.01 × 0.50 → 500.01, paid
    w0, w1, w2 = codes(team)
    newcomer = make_worker(world.enterprise_a, 105, name="孙丽")
    outsider = team.worker_b  # enterprise B: outside the scheme's organisation
    ask = {
        "actor": team.hr,
        "year": year,
        "amount": "1000.01",
        "reason": "漏报成员孙丽，分享比例按协议补充条款调整为60%",
    }
    for bad, field, code in [
        ({w0: "40", w1: "30", w2: "20", outsider.code: "10"}, "contributions", "unknown_worker"),
        ({w0: "40", w1: "30", w2: "20", "NOSUCH": "10"}, "contributions", "unknown_worker"),
        (
            {w0: "40", w1: "30", w2: "20", newcomer.code: "0"},
            "contributions",
            "invalid_contribution",
        ),
        ({w0: "40", w1: "30", w2: "20", newcomer.code: "9.99"}, "contributions", "invalid_total"),
        ({w0: "70", newcomer.code: "30"}, "contributions", "invalid_members"),
    ]:
        with pytest.raises(ApplicationError) as exc:
            corrections.revenue_correction_request(**ask, contributions=bad, upload=doc())
        assert exc.value.details[0]["field"] == field, (bad, exc.value.details)
        assert exc.value.code == code or code == "invalid_total", (bad, exc.value.code)
    for share, code in [
        ("0.4999", "below_statutory_minimum"),
        ("1.5", "invalid_share"),
        ("0.12345", "invalid_share"),
        ("x", "invalid_share"),
        ("0", "invalid_share"),
    ]:
        with pytest.raises(ApplicationError) as exc:
            corrections.revenue_correction_request(**ask, share=share, upload=doc())
        assert exc.value.code == code and exc.value.details[0]["field"] == "share", share
    assert not RevenueCorrection.objects.exists()
    correction = corrections.revenue_correction_request(
        **ask,
        share="0.60",
        contributions={w0: "40", w1: "30", w2: "20", newcomer.code: "10"},
        upload=doc(),
    )
    assert correction.new_share == D("0.6000")
    corrections.revenue_correction_approve(actor=world.alice, correction=correction)
    # 1000.01 × 0.60 = 600.006 → 600.01; 240.004 / 180.003 / 120.002 / 60.001 → one fen left
    # over to the largest remainder (the 40 % member)
    assert current(year) == {
        w0: D("240.01"),
        w1: D("180.00"),
        w2: D("120.00"),
        newcomer.code: D("60.00"),
    }
    assert sum(current(year).values()) == D("600.01")
    assert net_paid(fund) == D("600.01")
    fund.refresh_from_db()
    assert fund.balance == D("100000.00") - D("600.01")
    correction.refresh_from_db()
    assert correction.share == D("0.6000") and correction.pool == D("600.01")
    versions = corrections.year_versions(RevenueYear.objects.get(pk=year.pk))
    assert versions[-1].current and versions[-1].share == D("0.6000")
    # the newcomer's part is theirs: on their statement
    assert RevenuePart.objects.get(
        year=year, worker=newcomer, replaced_by__isnull=True
    ).amount == D("60.00")


def test_the_asker_withdraws_a_waiting_correction(world: Any, team: Any, fund: Any) -> None:
    year = certified_year(world, team, fund, pay=False)
    correction = corrections.revenue_correction_request(
        actor=team.hr, year=year, amount="900.00", reason="录入错误", upload=doc()
    )
    with pytest.raises(ApplicationError) as exc:  # another officer rejects, never withdraws
        corrections.revenue_correction_withdraw(actor=world.alice, correction=correction)
    assert exc.value.code == "not_requester" and exc.value.status == 403
    bob_b = world.bob
    with pytest.raises(PermissionDenied):
        corrections.revenue_correction_withdraw(actor=bob_b, correction=correction)
    withdrawn = corrections.revenue_correction_withdraw(actor=team.hr, correction=correction)
    assert withdrawn.status == "withdrawn"
    assert AuditEvent.objects.filter(action="innovation.revenue_correction_withdraw").exists()
    with pytest.raises(ConflictError):
        corrections.revenue_correction_withdraw(actor=team.hr, correction=correction)
    with pytest.raises(ConflictError):
        corrections.revenue_correction_approve(actor=world.alice, correction=correction)
    assert current(year) == {p.worker.code: p.amount for p in year.parts.select_related("worker")}
    # a new correction may be asked for once the other is withdrawn
    again = corrections.revenue_correction_request(
        actor=team.hr, year=year, amount="900.00", reason="录入错误", upload=doc()
    )
    assert again.number == 2 and again.status == "requested"


def test_withdraw_and_share_through_the_api(client: Any, world: Any, team: Any, fund: Any) -> None:
    year = certified_year(world, team, fund, pay=False)
    client.force_login(team.hr)
    w0, w1, w2 = codes(team)
    url = f"/api/v1/innovation/revenue/years/{year.code}/corrections"
    response = client.post(
        url,
        {
            "amount": "1000.01",
            "reason": "比例调整",
            "share": "0.55",
            "contributions": json.dumps({w0: "50", w1: "30", w2: "20"}),
            "file": doc(),
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["new_share"] == "0.55"
    code = response.json()["code"]
    client.force_login(world.alice)
    assert client.post(f"/api/v1/innovation/revenue/corrections/{code}/withdraw").status_code == 403
    client.force_login(world.bob)
    assert client.post(f"/api/v1/innovation/revenue/corrections/{code}/withdraw").status_code == 404
    client.force_login(team.hr)
    response = client.post(f"/api/v1/innovation/revenue/corrections/{code}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_withdraw_on_the_year_page(client: Any, world: Any, team: Any, fund: Any) -> None:
    year = certified_year(world, team, fund, pay=False)
    correction = corrections.revenue_correction_request(
        actor=team.hr, year=year, amount="900.00", reason="录入错误", upload=doc()
    )
    url = reverse("innovation:revenue_year", args=[year.code])
    client.force_login(world.alice)
    assert b'value="withdraw"' not in client.get(url).content  # not the asker
    client.post(url, {"act": "withdraw", "correction": correction.code})
    assert RevenueCorrection.objects.get(pk=correction.pk).status == "requested"
    client.force_login(team.hr)
    assert b'value="withdraw"' in client.get(url).content
    assert client.post(url, {"act": "withdraw", "correction": correction.code}).status_code == 302
    assert RevenueCorrection.objects.get(pk=correction.pk).status == "withdrawn"


def test_page_form_changes_the_share_and_adds_a_picked_worker(
    client: Any, world: Any, team: Any, fund: Any
) -> None:
    """The year's page asks for the team's share and a worker added through the scoped picker,
    with the API's rules (100 % exactly, errors at their field); another officer approves."""
    from tests.workforce.helpers import make_worker

    year = certified_year(world, team, fund, pay=True)  # 1000.01 × 0.50 → 500.01, paid
    w0, w1, w2 = codes(team)
    newcomer = make_worker(world.enterprise_a, 105, name="孙丽")
    page = reverse("innovation:revenue_year", args=[year.code])
    pick = reverse("core:pick", args=["revenue_workers"])
    client.force_login(world.enterprise_officer_a)
    html = client.get(page).text
    assert 'name="add_worker_1"' in html and 'name="share"' in html and pick in html
    # the picker offers the manager's workers, never one of another enterprise
    found = client.get(pick, {"q": "孙丽"}).json()["results"]
    assert [r["value"] for r in found] == [newcomer.code]
    assert client.get(pick, {"q": team.worker_b.code}).json()["results"] == []
    client.force_login(world.bob)  # another enterprise's officer: not the newcomer
    assert client.get(pick, {"q": "孙丽"}).json()["results"] == []
    client.force_login(world.worker_a)  # no revenue permission: nobody
    assert client.get(pick, {"q": "孙丽"}).json()["results"] == []
    ask = {
        "act": "request",
        "amount": "1000.01",
        "share": "0.60",
        "reason": "漏报成员孙丽",
        f"c_{w0}": "40",
        f"c_{w1}": "30",
        f"c_{w2}": "20",
        "add_worker_1": newcomer.code,
        "add_contribution_1": "10",
    }
    client.force_login(world.enterprise_officer_a)
    for bad, field, text in [
        ({"add_contribution_1": "9.99"}, "__all__", "99.99"),  # not 100 %
        ({"add_contribution_1": ""}, "add_contribution_1", ""),  # an added worker without a share
        ({"add_worker_1": ""}, "add_worker_1", ""),  # a share without a worker
        ({"add_worker_1": w0}, "add_worker_1", ""),  # already a member
        ({"add_worker_1": team.worker_b.code}, "add_worker_1", team.worker_b.code),  # out of scope
        ({"add_worker_1": "NOSUCH"}, "add_worker_1", "NOSUCH"),
        ({"share": "0.4999"}, "share", ""),  # below the statutory minimum (the service's rule)
        ({"share": "0.12345"}, "share", ""),
    ]:
        r = client.post(page, {**ask, **bad, "file": doc()})
        assert r.status_code == 200, bad
        errors = r.context["form"].errors
        assert field in errors, (bad, errors)
        assert text in str(errors[field]), (bad, errors)
    assert not RevenueCorrection.objects.exists()
    r = client.post(page, {**ask, "file": doc()})
    assert r.status_code == 302
    c = RevenueCorrection.objects.get()
    assert c.new_share == D("0.6000") and [w for w, _s in c.contributions][-1] == newcomer.code
    html = client.get(page).text
    assert "0.6000" in html and newcomer.code in html
    # separation of duties: the asker's approval is refused, another officer's goes through
    client.post(page, {"act": "approve", "correction": c.code})
    assert RevenueCorrection.objects.get().status == "requested"
    client.force_login(world.alice)
    assert client.post(page, {"act": "approve", "correction": c.code}).status_code == 302
    assert current(year) == {
        w0: D("240.01"),
        w1: D("180.00"),
        w2: D("120.00"),
        newcomer.code: D("60.00"),
    }
    assert net_paid(fund) == D("600.01")


def test_page_form_refused_outside_the_scope(client: Any, world: Any, team: Any, fund: Any) -> None:
    from tests.workforce.helpers import make_worker

    year = certified_year(world, team, fund, pay=False)
    w0, w1, w2 = codes(team)
    newcomer = make_worker(world.enterprise_a, 105, name="孙丽")
    page = reverse("innovation:revenue_year", args=[year.code])
    ask = {
        "act": "request",
        "amount": "1000.01",
        "reason": "漏报成员",
        f"c_{w0}": "40",
        f"c_{w1}": "30",
        f"c_{w2}": "20",
        "add_worker_1": newcomer.code,
        "add_contribution_1": "10",
    }
    client.force_login(world.bob)
    assert client.post(page, {**ask, "file": doc()}).status_code == 404
    client.force_login(world.worker_a)  # a member of the team sees their statement, not the year
    assert client.post(page, {**ask, "file": doc()}).status_code == 404
    assert not RevenueCorrection.objects.exists()


def test_page_form_adds_several_workers_in_one_correction(
    client: Any, world: Any, team: Any, fund: Any
) -> None:
    """Several workers are added in one correction, each on its own row with its share, under the
    service's rules: a bad row is named (row and field) and nothing is saved; all or nothing."""
    from tests.workforce.helpers import make_worker

    year = certified_year(world, team, fund, pay=True)  # 1000.01 × 0.50 → 500.01, paid
    w0, w1, w2 = codes(team)
    sun = make_worker(world.enterprise_a, 105, name="孙丽")
    zhou = make_worker(world.enterprise_a, 106, name="周强")
    wu = make_worker(world.enterprise_a, 107, name="吴敏")
    page = reverse("innovation:revenue_year", args=[year.code])
    client.force_login(world.enterprise_officer_a)
    html = client.get(page).text
    assert 'id="added-row-1" data-added-row>' in html  # the first row shows
    assert 'id="added-row-2" data-added-row hidden' in html  # the others wait for "add another"
    ask = {
        "act": "request",
        "amount": "1000.01",
        "reason": "漏报三名成员",
        f"c_{w0}": "40",
        f"c_{w1}": "20",
        f"c_{w2}": "10",
        "add_worker_1": sun.code,
        "add_contribution_1": "10",
        "add_worker_2": zhou.code,
        "add_contribution_2": "10",
        "add_worker_3": wu.code,
        "add_contribution_3": "10",
    }
    for bad, field, text in [
        ({"add_contribution_3": "5"}, "__all__", "95"),  # not 100 %
        ({"add_contribution_2": ""}, "add_contribution_2", "2"),  # row 2 without a share
        ({"add_worker_3": sun.code}, "add_worker_3", "3"),  # the same worker twice
        ({"add_worker_2": w1}, "add_worker_2", "2"),  # already a member
        ({"add_worker_3": team.worker_b.code}, "add_worker_3", team.worker_b.code),  # out of scope
        ({"add_worker_2": "NOSUCH"}, "add_worker_2", "NOSUCH"),
        ({"add_contribution_2": "1.234"}, "add_contribution_2", ""),
    ]:
        r = client.post(page, {**ask, **bad, "file": doc()})
        assert r.status_code == 200, bad
        errors = r.context["form"].errors
        assert field in errors, (bad, errors)
        assert text in str(errors[field]), (bad, errors)
        assert 'id="added-row-3" data-added-row>' in r.text  # the filled rows stay shown
    assert not RevenueCorrection.objects.exists()
    assert client.post(page, {**ask, "file": doc()}).status_code == 302
    c = RevenueCorrection.objects.get()
    assert [w for w, _s in c.contributions][-3:] == [sun.code, zhou.code, wu.code]
    client.force_login(world.alice)
    assert client.post(page, {"act": "approve", "correction": c.code}).status_code == 302
    assert current(year) == {
        w0: D("200.01"),
        w1: D("100.00"),
        w2: D("50.00"),
        sun.code: D("50.00"),
        zhou.code: D("50.00"),
        wu.code: D("50.00"),
    }
    assert net_paid(fund) == D("500.01")
