"""Programme subsidies per academic year of enrolment: one line per year (the programme's amount),
payable from the year's first day while enrolled (or for the years begun before completion), by
the managers and never by the nominator; the budget check at enrolment counts the years owed; the
completion payment stays for programmes configured that way. Pages and API scoped (404 outside)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from gongjiang.careers import programmes as svc
from gongjiang.careers import programmes_io
from gongjiang.careers.models import ProgrammeSubsidyLine
from gongjiang.careers.programmes_subsidy import owed_total, paid_total, schedule, year_from
from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.models import LedgerEntry
from gongjiang.core.models import AuditEvent

from ..access_helpers import check_access
from . import programme_helpers
from .programme_helpers import Prog, eligible_worker, make_programme

pytestmark = pytest.mark.django_db
prog = programme_helpers.prog
API = "/api/v1/careers/programmes"
D = dt.date
PER_YEAR = {"subsidy_basis": "per_year", "subsidy_per_year": "1000.00", "subsidy_years": 3}


def _enrolled(world: Any, p: Any, worker: Any, on: dt.date | None = None, filer: Any = None) -> Any:
    a = svc.programme_apply(actor=filer or world.enterprise_officer_a, programme=p, worker=worker)
    a = svc.programme_select(actor=world.alice, application=a, selected=True)
    return svc.programme_enrol(actor=world.alice, application=a, enrolled_on=on or D(2024, 9, 1))


def _pay(world: Any, a: Any, year: int | None = None, actor: Any = None) -> Any:
    return svc.programme_subsidy_pay(
        actor=actor or world.alice, application=a, reference="圆梦补贴", academic_year=year
    )


def test_a_per_year_programme_and_its_bounded_fields(world: Any) -> None:
    p = make_programme(world, **PER_YEAR)
    assert (p.subsidy_basis, p.subsidy_per_year, p.subsidy_years) == (
        "per_year",
        Decimal("1000.00"),
        3,
    )
    assert p.subsidy_per_person == Decimal("3000.00")  # the most one person receives
    for extra, field in [
        ({"subsidy_per_year": ""}, "subsidy_per_year"),
        ({"subsidy_per_year": "-5"}, "subsidy_per_year"),
        ({"subsidy_years": 0}, "subsidy_years"),
        ({"subsidy_years": 9}, "subsidy_years"),
        ({"subsidy_basis": "monthly"}, "subsidy_basis"),
    ]:
        with pytest.raises(ApplicationError) as exc:
            make_programme(world, **{**PER_YEAR, **extra})
        assert exc.value.details[0]["field"] == field
    # the completion payment stays the default
    assert make_programme(world).subsidy_basis == "completion"


def test_one_line_per_academic_year(world: Any) -> None:
    p = make_programme(world, **PER_YEAR)
    a = _enrolled(world, p, eligible_worker(world.enterprise_a, 50))
    rows = schedule(a, D(2025, 9, 1))
    assert [(r.n, r.starts, r.due) for r in rows] == [
        (1, D(2024, 9, 1), True),
        (2, D(2025, 9, 1), True),
        (3, D(2026, 9, 1), False),
    ]
    _pay(world, a)  # the earliest due: year 1
    _pay(world, a, 3)
    _pay(world, a)  # year 2
    lines = list(ProgrammeSubsidyLine.objects.filter(application=a).order_by("academic_year"))
    assert [(x.academic_year, x.year_from, x.amount) for x in lines] == [
        (1, D(2024, 9, 1), Decimal("1000.00")),
        (2, D(2025, 9, 1), Decimal("1000.00")),
        (3, D(2026, 9, 1), Decimal("1000.00")),
    ]
    assert all(x.entry.fund_id == p.fund_id and x.paid_by == world.alice for x in lines)
    assert paid_total(a) == Decimal("3000.00")
    p.fund.refresh_from_db()
    assert p.fund.balance == Decimal("27000.00")
    assert LedgerEntry.objects.filter(fund=p.fund, kind="debit").count() == 3
    assert AuditEvent.objects.filter(action="careers.programme_subsidy").count() == 3
    with pytest.raises(ApplicationError) as exc:
        _pay(world, a, 2)
    assert exc.value.code == "already_paid"
    with pytest.raises(ApplicationError) as exc:
        _pay(world, a)
    assert exc.value.code == "nothing_due"
    with pytest.raises(ApplicationError) as exc:
        _pay(world, a, 4)
    assert exc.value.details[0]["field"] == "academic_year"
    assert ProgrammeSubsidyLine.objects.count() == 3


def test_a_year_not_begun_is_not_paid(world: Any) -> None:
    p = make_programme(world, **PER_YEAR)
    today = timezone.localdate()
    a = _enrolled(world, p, eligible_worker(world.enterprise_a, 51), on=today)
    _pay(world, a, 1)
    with pytest.raises(ApplicationError) as exc:
        _pay(world, a, 2)
    assert exc.value.code == "not_due" and year_from(today, 2).isoformat() in str(exc.value.message)


def test_completion_and_drop_out_end_the_years(world: Any) -> None:
    p = make_programme(world, **PER_YEAR)
    a = _enrolled(world, p, eligible_worker(world.enterprise_a, 52))
    svc.programme_progress_add(
        actor=world.alice, application=a, date=D(2025, 6, 1), title="第一学年", hours=200
    )
    a = svc.programme_complete(
        actor=world.alice, application=a, outcome="graduated", completed_on=D(2025, 9, 1)
    )
    # the years begun before the completion day are paid after it; the third year never is
    assert [r.due for r in schedule(a)] == [True, True, False]
    _pay(world, a, 1)
    _pay(world, a, 2)
    with pytest.raises(ApplicationError) as exc:
        _pay(world, a, 3)
    assert exc.value.code == "not_due"
    b = _enrolled(world, p, eligible_worker(world.enterprise_a, 53))
    b = svc.programme_drop(actor=world.alice, application=b)
    with pytest.raises(ApplicationError) as exc:
        _pay(world, b, 1)
    assert exc.value.code == "wrong_status"


def test_the_nominator_and_the_worker_do_not_pay(world: Any, prog: Prog) -> None:
    p = make_programme(world, **PER_YEAR)
    a = _enrolled(world, p, prog.other, filer=world.alice_admin)
    with pytest.raises(ApplicationError) as exc:
        _pay(world, a, 1, actor=world.alice_admin)
    assert exc.value.code == "separation_of_duties"
    assert AuditEvent.objects.filter(action="careers.programme_subsidy.refused").count() == 1
    assert not ProgrammeSubsidyLine.objects.exists()
    # an officer outside the programme's owner cannot pay at all
    with pytest.raises(PermissionDenied):
        _pay(world, a, 1, actor=world.bob)
    assert _pay(world, a, 1).status == "enrolled"


def test_the_budget_covers_the_years_owed(world: Any) -> None:
    p = make_programme(world, budget="7000.00", **PER_YEAR)
    first = _enrolled(world, p, eligible_worker(world.enterprise_a, 60))
    _enrolled(world, p, eligible_worker(world.enterprise_a, 61))
    assert owed_total(p) == Decimal("6000.00")
    _pay(world, first, 1)
    assert owed_total(p) == Decimal("5000.00")  # fund 6000: a third person (3000) is too many
    third = svc.programme_apply(
        actor=world.enterprise_officer_a,
        programme=p,
        worker=eligible_worker(world.enterprise_a, 62),
    )
    third = svc.programme_select(actor=world.alice, application=third, selected=True)
    with pytest.raises(ApplicationError) as exc:
        svc.programme_enrol(actor=world.alice, application=third, enrolled_on=D(2024, 9, 1))
    assert exc.value.code == "over_budget"
    # the first completes after one year: its two later years are no longer owed
    svc.programme_progress_add(
        actor=world.alice, application=first, date=D(2025, 6, 1), title="结业", hours=100
    )
    svc.programme_complete(
        actor=world.alice,
        application=first,
        outcome="certificate",
        completed_on=D(2025, 6, 30),
        certificate_number="JL-2025-007",
    )
    assert owed_total(p) == Decimal("3000.00")  # 3000 + 3000 ≤ 6000: the third enrols
    svc.programme_enrol(actor=world.alice, application=third, enrolled_on=D(2024, 9, 1))


def test_completion_programmes_pay_once_as_before(world: Any, prog: Prog) -> None:
    a = _enrolled(world, prog.programme, prog.other)
    with pytest.raises(ApplicationError) as exc:  # not before the completion
        _pay(world, a)
    assert exc.value.code == "wrong_status"
    assert schedule(a) == []
    svc.programme_progress_add(
        actor=world.alice, application=a, date=D(2025, 6, 1), title="学期", hours=60
    )
    a = svc.programme_complete(
        actor=world.alice, application=a, outcome="graduated", completed_on=D(2025, 7, 1)
    )
    a = _pay(world, a)
    assert a.subsidy_entry.amount == Decimal("3000.00") and paid_total(a) == Decimal("3000.00")
    assert not ProgrammeSubsidyLine.objects.exists()


def test_page_pays_a_year(client: Any, world: Any) -> None:
    p = make_programme(world, **PER_YEAR)
    a = _enrolled(world, p, eligible_worker(world.enterprise_a, 70))
    url = f"/careers/programmes/applications/{a.code}/"
    r = check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    html = r.content.decode()
    assert (
        'id="subsidy-years"' in html and html.count('class="btn btn-sm btn-primary pay-year"') == 3
    )
    step = f"/careers/programmes/applications/{a.code}/step/"
    check_access(
        client,
        url=step,
        method="post",
        ok=302,
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"step": "subsidy", "academic_year": "2", "reference": "凭证2"},
    )
    line = ProgrammeSubsidyLine.objects.get()
    assert (line.academic_year, line.reference) == (2, "凭证2")
    html = client.get(url).content.decode()
    assert html.count('class="btn btn-sm btn-primary pay-year"') == 2 and "凭证2" in html
    assert 'id="subsidy"' in html and "1000.00" in html
    # a bad year is a message, nothing paid
    r = client.post(step, {"step": "subsidy", "academic_year": "x"}, follow=True)
    assert r.status_code == 200 and ProgrammeSubsidyLine.objects.count() == 1
    # the export shows what was paid
    book = load_workbook(io.BytesIO(programmes_io.applications_xlsx(world.alice, p)))
    sheet = book.worksheets[0]
    row = [c.value for c in next(r for r in sheet.iter_rows() if r[0].value == a.code)]
    assert Decimal(str(row[-1])) == Decimal("1000.00")


def test_page_creates_a_per_year_programme(client: Any, world: Any) -> None:
    client.force_login(world.alice)
    data = {
        "organization": world.province_a.code,
        "title": "求学圆梦·按学年",
        "kind": "degree",
        "degree": "大专",
        "year": "2026",
        "budget": "9000",
        "subsidy_basis": "per_year",
        "subsidy_per_year": "1500",
        "subsidy_years": "2",
    }
    client.post("/careers/programmes/new/", data)
    from gongjiang.careers.models import Programme

    p = Programme.objects.get(title="求学圆梦·按学年")
    assert (p.subsidy_basis, p.subsidy_per_year, p.subsidy_years, p.subsidy_per_person) == (
        "per_year",
        Decimal("1500.00"),
        2,
        Decimal("3000.00"),
    )
    html = client.get(f"/careers/programmes/{p.code}/").content.decode()
    assert "1500.00" in html


def test_api(client: Any, world: Any) -> None:
    client.force_login(world.alice)
    r = client.post(
        API,
        {
            "owner": world.province_a.code,
            "title": "按学年补贴",
            "kind": "degree",
            "degree": "大专",
            "year": 2026,
            "budget": "9000.00",
            **PER_YEAR,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["subsidy_basis"] == "per_year" and r.json()["subsidy_years"] == 3
    from gongjiang.careers.models import Programme

    p = Programme.objects.get(code=r.json()["code"])
    svc.programme_places_set(actor=world.alice, programme=p, organization=world.city_a, places=5)
    a = _enrolled(world, p, eligible_worker(world.enterprise_a, 80))
    url = f"{API}/applications/{a.code}/subsidy"
    r = check_access(
        client,
        url=url,
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"academic_year": 1, "reference": "API"},
    )
    body = r.json()
    assert Decimal(str(body["subsidy_paid"])) == Decimal("1000.00")
    assert [(y["academic_year"], y["paid"]) for y in body["subsidy_years"]] == [
        (1, True),
        (2, False),
        (3, False),
    ]
    for bad in ({"academic_year": 0}, {"academic_year": 9}, {"academic_year": 1, "x": 1}):
        assert client.post(url, bad, content_type="application/json").status_code in (400, 422)
    assert (
        client.post(url, {"academic_year": 1}, content_type="application/json").status_code == 409
    )
    assert ProgrammeSubsidyLine.objects.count() == 1
