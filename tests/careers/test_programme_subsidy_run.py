"""Paying every due academic year of a programme in one run: exact to the fen, all or nothing
(the fund short → nothing paid), idempotent (a second run pays nothing twice), the nominator's
own applications left out for another manager, the preview's count and total confirmed, a large
run as a background job; page and API scoped (404 outside, nothing disclosed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from gongjiang.careers import programmes as svc
from gongjiang.careers import programmes_batch as batch
from gongjiang.careers.models import ProgrammeSubsidyLine
from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.models import LedgerEntry
from gongjiang.core.ledger.services import fund_debit
from gongjiang.core.models import AuditEvent, Job

from ..access_helpers import check_access
from .programme_helpers import eligible_worker, make_programme

pytestmark = pytest.mark.django_db
API = "/api/v1/careers/programmes"
D = dt.date
PER_YEAR = {"subsidy_basis": "per_year", "subsidy_per_year": "1234.56", "subsidy_years": 3}


def _enrolled(world: Any, p: Any, n: int, filer: Any = None, on: dt.date | None = None) -> Any:
    worker = eligible_worker(world.enterprise_a, n)
    a = svc.programme_apply(actor=filer or world.enterprise_officer_a, programme=p, worker=worker)
    a = svc.programme_select(actor=world.alice, application=a, selected=True)
    return svc.programme_enrol(actor=world.alice, application=a, enrolled_on=on or D(2024, 9, 1))


def _setup(world: Any, workers: int = 3, **extra: Any) -> tuple[Any, list[Any]]:
    p = make_programme(world, **{**PER_YEAR, **extra})
    return p, [_enrolled(world, p, 90 + i) for i in range(workers)]


def test_a_run_pays_every_due_year_exactly_once(world: Any) -> None:
    p, apps = _setup(world)
    # one year already paid by hand; the third worker enrolled this year has one year due
    svc.programme_subsidy_pay(actor=world.alice, application=apps[0], academic_year=1)
    late = _enrolled(world, p, 99, on=D(2026, 10, 1))
    preview = batch.subsidies_due(actor=world.alice, programme=p)
    assert (preview.count, preview.total, preview.left_out) == (9, Decimal("11111.04"), 0)
    only2 = batch.programme_subsidies_pay_due(actor=world.alice, programme=p, academic_year=2)
    assert (only2.count, only2.total) == (3, Decimal("3703.68"))
    run = batch.programme_subsidies_pay_due(
        actor=world.alice, programme=p, reference="批量凭证-1", expected_count=6
    )
    assert (run.count, run.total) == (6, Decimal("7407.36"))
    lines = ProgrammeSubsidyLine.objects.filter(application__programme=p)
    assert lines.count() == 10
    assert sorted(lines.filter(application=late).values_list("academic_year", flat=True)) == [1]
    assert all(x.amount == Decimal("1234.56") and x.paid_by == world.alice for x in lines)
    p.fund.refresh_from_db()
    assert p.fund.balance == Decimal("30000.00") - Decimal("1234.56") * 10  # 17654.40, to the fen
    assert LedgerEntry.objects.filter(fund=p.fund, kind="debit").count() == 10
    # idempotent: a second run finds nothing due and pays nothing twice
    again = batch.programme_subsidies_pay_due(actor=world.alice, programme=p)
    assert again.count == 0 and lines.count() == 10
    assert AuditEvent.objects.filter(action="careers.programme_subsidy_run").count() == 2
    assert AuditEvent.objects.filter(action="careers.programme_subsidy").count() == 10
    event = AuditEvent.objects.filter(action="careers.programme_subsidy_run").first()
    assert event.details["count"] in (3, 6)


def test_all_or_nothing_when_the_fund_is_short(world: Any) -> None:
    p, apps = _setup(world)
    fund_debit(actor=world.alice, fund=p.fund, amount="25000.00", memo="其他支出")
    p.fund.refresh_from_db()
    assert p.fund.balance == Decimal("5000.00")  # 9 years (11111.04) do not fit
    with pytest.raises(ApplicationError) as exc:
        batch.programme_subsidies_pay_due(actor=world.alice, programme=p)
    assert exc.value.code == "insufficient_funds" and "11111.04" in exc.value.message
    assert not ProgrammeSubsidyLine.objects.exists()
    p.fund.refresh_from_db()
    assert p.fund.balance == Decimal("5000.00")
    # one academic year (3 × 1234.56 = 3703.68) fits
    assert (
        batch.programme_subsidies_pay_due(actor=world.alice, programme=p, academic_year=1).count
        == 3
    )


def test_the_preview_is_confirmed(world: Any) -> None:
    p, apps = _setup(world)
    svc.programme_subsidy_pay(actor=world.alice, application=apps[1], academic_year=3)
    with pytest.raises(ApplicationError) as exc:  # the page showed 9; one was paid meanwhile
        batch.programme_subsidies_pay_due(
            actor=world.alice, programme=p, expected_count=9, expected_total="11111.04"
        )
    assert exc.value.code == "changed" and ProgrammeSubsidyLine.objects.count() == 1
    run = batch.programme_subsidies_pay_due(
        actor=world.alice, programme=p, expected_count=8, expected_total="9876.48"
    )
    assert run.count == 8


def test_the_nominator_pays_the_others_and_outsiders_nothing(world: Any) -> None:
    p, apps = _setup(world, workers=2)
    own = _enrolled(world, p, 98, filer=world.alice_admin)
    preview = batch.subsidies_due(actor=world.alice_admin, programme=p)
    assert (preview.count, preview.left_out) == (6, 3)
    run = batch.programme_subsidies_pay_due(actor=world.alice_admin, programme=p)
    assert run.count == 6 and not ProgrammeSubsidyLine.objects.filter(application=own).exists()
    assert batch.programme_subsidies_pay_due(actor=world.alice, programme=p).count == 3
    with pytest.raises(PermissionDenied):
        batch.programme_subsidies_pay_due(actor=world.bob, programme=p)
    with pytest.raises(PermissionDenied):
        batch.subsidies_due(actor=world.worker_a, programme=p)


def test_bounds(world: Any) -> None:
    p, _apps = _setup(world, workers=1)
    for kwargs, field in [
        ({"academic_year": 4}, "academic_year"),
        ({"academic_year": 0}, "academic_year"),
        ({"reference": "x" * 201}, "reference"),  # refused, never cut
    ]:
        with pytest.raises(ApplicationError) as exc:
            batch.programme_subsidies_pay_due(actor=world.alice, programme=p, **kwargs)
        assert exc.value.details[0]["field"] == field
    once = make_programme(world, title="结业一次性补贴")
    with pytest.raises(ApplicationError) as exc:
        batch.programme_subsidies_pay_due(actor=world.alice, programme=once)
    assert exc.value.code == "not_per_year"
    assert not ProgrammeSubsidyLine.objects.exists()


def test_a_large_run_is_a_background_job(
    world: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    p, _apps = _setup(world)
    monkeypatch.setattr(batch, "BACKGROUND_FROM", 4)
    with django_capture_on_commit_callbacks(execute=True):
        started = batch.programme_subsidies_run(
            actor=world.alice, programme=p, reference="后台", expected_count=9
        )
    assert started.run is None
    job = Job.objects.get(code=started.job.code)
    assert job.status == "succeeded" and job.result["count"] == 9, job.result
    assert (job.done, job.total) == (9, 9)
    assert ProgrammeSubsidyLine.objects.filter(reference="后台").count() == 9


def test_page(client: Any, world: Any) -> None:
    p, _apps = _setup(world)
    url = f"/careers/programmes/{p.code}/"
    r = check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    html = r.content.decode()
    assert 'id="subsidy-run"' in html and "11111.04" in html and 'id="pay-run"' in html
    pay = f"/careers/programmes/{p.code}/subsidies/pay/"
    # outside the subtree: 404, nothing paid, nothing told
    client.force_login(world.bob)
    r = client.post(pay, {"expected_count": "9", "expected_total": "11111.04"})
    assert r.status_code == 404 and "11111" not in r.content.decode()
    # a stale confirmation pays nothing
    client.force_login(world.alice)
    r = client.post(pay, {"expected_count": "8", "expected_total": "11111.04"}, follow=True)
    assert r.status_code == 200 and not ProgrammeSubsidyLine.objects.exists()
    r = client.post(pay, {"academic_year": "x"}, follow=True)
    assert r.status_code == 200 and not ProgrammeSubsidyLine.objects.exists()
    check_access(
        client,
        url=pay,
        method="post",
        data={"academic_year": "1", "expected_count": "3", "expected_total": "3703.68"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    assert ProgrammeSubsidyLine.objects.count() == 3
    html = client.get(url).content.decode()
    assert "7407.36" in html
    client.post(pay, {"expected_count": "6", "expected_total": "7407.36", "reference": "批2"})
    assert ProgrammeSubsidyLine.objects.count() == 9
    assert 'id="nothing-due"' in client.get(url).content.decode()


def test_api(client: Any, world: Any) -> None:
    p, _apps = _setup(world)
    due = f"{API}/{p.code}/subsidies/due"
    r = check_access(client, url=due, in_scope=world.alice, out_of_scope=world.bob)
    assert r.json()["count"] == 9 and Decimal(str(r.json()["total"])) == Decimal("11111.04")
    assert client.get(f"{due}?academic_year=9").status_code == 422
    pay = f"{API}/{p.code}/subsidies/pay"
    for bad in (
        {"reference": "x" * 201},
        {"academic_year": 9},
        {"expected_total": "1.234"},
        {"x": 1},
    ):
        r = client.post(pay, bad, content_type="application/json")
        assert r.status_code == 422, bad
    r = client.post(pay, {"expected_count": 1}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "changed"
    r = check_access(
        client,
        url=pay,
        method="post",
        data={"expected_count": 9, "expected_total": "11111.04", "reference": "API"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["count"] == 9 and r.json()["job"] is None
    assert ProgrammeSubsidyLine.objects.count() == 9
    r = client.post(pay, {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["count"] == 0


def test_labels_and_chinese() -> None:
    from django.utils import translation

    from gongjiang.careers.audit_labels import LABELS

    with translation.override("zh-hans"):
        assert str(LABELS["careers.programme_subsidy_run"]) == "批量发放项目学年补贴"
