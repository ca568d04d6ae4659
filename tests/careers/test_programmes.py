"""Worker programmes: eligibility at each boundary with every unmet condition named, places per
unit, selection never by the nominator (separation of duties), enrolment within the budget,
subsidies exact to the fen through the ledger, the outcome landing in the registry once, the
selected list in from Excel (row and column errors, nothing half-written), the report."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from gongjiang.careers import programmes as svc
from gongjiang.careers import programmes_io, programmes_selectors
from gongjiang.careers.programmes_rules import Facts, Rules, age_on, eligible, judge
from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.models import LedgerEntry
from gongjiang.core.models import AuditEvent
from gongjiang.workforce.models import Certificate, TrainingRecord, Worker

from ..access_helpers import check_access
from . import programme_helpers
from .programme_helpers import Prog, eligible_worker, make_programme, run_to_enrolled

prog = programme_helpers.prog

pytestmark = pytest.mark.django_db
TYPES = {"migrant": "农民工", "contract": "合同制职工", "dispatched": "劳务派遣", "other": "其他"}
ON = dt.date(2026, 9, 1)


def facts(**kw: Any) -> Facts:
    base = {
        "on": ON,
        "birth_date": dt.date(1990, 9, 1),
        "employment_type": "migrant",
        "active": True,
        "member_since": dt.date(2020, 1, 1),
        "skill_level": None,
        "education": "高中",
    }
    base.update(kw)
    return Facts(**base)


RULES = Rules(["migrant"], 16, 60, None, None, "高中", True, "大专")


def unmet(rules: Rules, f: Facts) -> set[str]:
    return {c["rule"] for c in judge(rules, f, TYPES) if not c["met"]}


# ----------------------------------------------------------------- eligibility, pure
@pytest.mark.parametrize(
    ("birth", "ok"),
    [
        (dt.date(2010, 9, 1), True),  # sixteen today
        (dt.date(2010, 9, 2), False),  # sixteen tomorrow
        (dt.date(1966, 9, 2), True),  # 59, sixty tomorrow
        (dt.date(1965, 9, 2), True),  # 60 until tomorrow
        (dt.date(1965, 9, 1), False),  # 61 today
        (dt.date(1966, 9, 1), True),  # sixty today
    ],
)
def test_age_boundaries(birth: dt.date, ok: bool) -> None:
    assert ("age" not in unmet(RULES, facts(birth_date=birth))) is ok


def test_age_on_a_leap_day() -> None:
    assert age_on(dt.date(2008, 2, 29), dt.date(2024, 2, 28)) == 15
    assert age_on(dt.date(2008, 2, 29), dt.date(2024, 2, 29)) == 16


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"employment_type": "contract"}, "employment_type"),
        ({"active": False}, "on_the_job"),
        ({"member_since": None}, "union_member"),
        ({"member_since": ON + dt.timedelta(days=1)}, "union_member"),
        ({"education": "初中"}, "education_min"),
        ({"education": ""}, "education_min"),
        ({"education": "大专"}, "degree_not_held"),
        ({"education": "本科"}, "degree_not_held"),
    ],
)
def test_each_unmet_condition_is_named(change: dict[str, Any], rule: str) -> None:
    assert unmet(RULES, facts(**change)) == {rule}


def test_membership_from_the_day_itself_counts_and_all_unmet_are_listed() -> None:
    assert unmet(RULES, facts(member_since=ON)) == set()
    everything = facts(
        employment_type="other", active=False, member_since=None, education="本科",
        birth_date=dt.date(1950, 1, 1),
    )  # fmt: skip
    conditions = judge(RULES, everything, TYPES)
    assert not eligible(conditions)
    assert {c["rule"] for c in conditions if not c["met"]} == {
        "on_the_job", "employment_type", "age", "union_member", "degree_not_held",
    }  # fmt: skip
    assert all(set(c) == {"rule", "required", "actual", "met"} for c in conditions)


@pytest.mark.parametrize(
    ("level", "ok_min", "ok_max"),
    [(None, False, True), ("INTERMEDIATE", False, True), ("SENIOR", True, True),
     ("TECHNICIAN", True, True), ("SENIOR_TECHNICIAN", True, False)],
)  # fmt: skip
def test_skill_level_bounds(level: str | None, ok_min: bool, ok_max: bool) -> None:
    rules = Rules(["migrant"], 16, 60, "SENIOR", "TECHNICIAN")
    bad = unmet(rules, facts(skill_level=level))
    assert ("skill_level_min" not in bad) is ok_min
    assert ("skill_level_max" not in bad) is ok_max


# ------------------------------------------------------------------- applications
def test_defaults_and_sources_of_a_degree_programme(prog: Prog) -> None:
    p = prog.programme
    assert (p.education_min, p.member_required, p.age_min, p.age_max) == ("高中", True, 16, 60)
    assert p.subsidy_per_person == Decimal("3000.00")
    assert p.employment_type_list()[0] == "migrant"
    assert p.fund.balance == Decimal("30000.00")


def test_the_worker_applies_and_an_ineligible_one_reads_every_reason(
    world: Any, prog: Prog
) -> None:
    a = svc.programme_apply(actor=world.worker_a, programme=prog.programme, worker=prog.me)
    assert a.status == "submitted" and a.unit == world.city_a and a.employment_type == "migrant"
    assert all(c["met"] for c in a.conditions)
    poor = eligible_worker(
        world.enterprise_a,
        13,
        employment_type="contract",
        education="本科",
        union_member_since=None,
    )
    with pytest.raises(ApplicationError) as exc:
        svc.programme_apply(actor=world.enterprise_officer_a, programme=prog.programme, worker=poor)
    assert exc.value.code == "not_eligible"
    assert {d["field"] for d in exc.value.details} >= {"union_member", "degree_not_held"}
    with pytest.raises(ApplicationError) as again:
        svc.programme_apply(actor=world.alice, programme=prog.programme, worker=prog.me)
    assert again.value.code == "already_applied"


def test_a_worker_cannot_apply_for_someone_else(world: Any, prog: Prog) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        svc.programme_apply(actor=world.worker_a, programme=prog.programme, worker=prog.other)


def test_places_per_unit_are_enforced_and_the_deepest_unit_counts(world: Any) -> None:
    p = make_programme(world, places=1)
    svc.programme_places_set(
        actor=world.alice, programme=p, organization=world.enterprise_a, places=2
    )
    w = [eligible_worker(world.enterprise_a, 20 + i) for i in range(3)]
    svc.programme_apply(actor=world.alice, programme=p, worker=w[0])
    svc.programme_apply(actor=world.alice, programme=p, worker=w[1])
    with pytest.raises(ApplicationError) as exc:
        svc.programme_apply(actor=world.alice, programme=p, worker=w[2])
    assert exc.value.code == "places_full"
    assert [(r.unit, r.places, r.used) for r in programmes_selectors.places(p)] == [
        (world.city_a, 1, 0),
        (world.enterprise_a, 2, 2),
    ]
    with pytest.raises(ApplicationError):  # never below what is taken
        svc.programme_places_set(
            actor=world.alice, programme=p, organization=world.enterprise_a, places=1
        )


def test_no_places_for_the_region_and_a_closed_programme(world: Any, prog: Prog) -> None:
    b = eligible_worker(world.enterprise_b, 30)
    other = svc.programme_create(
        actor=world.root,
        organization=world.national,
        title="全国",
        kind="degree",
        degree="大专",
        year=2026,
        budget="0",
    )
    with pytest.raises(ApplicationError) as exc:
        svc.programme_apply(actor=world.root, programme=other, worker=b)
    assert exc.value.code == "no_places"
    svc.programme_state_set(actor=world.alice, programme=prog.programme, state="closed")
    prog.programme.refresh_from_db()
    with pytest.raises(ApplicationError) as closed:
        svc.programme_apply(actor=world.worker_a, programme=prog.programme, worker=prog.me)
    assert closed.value.code == "not_open"


# ----------------------------------------------------------------- separation of duties
def test_the_nominator_never_selects(world: Any, prog: Prog) -> None:
    a = svc.programme_apply(actor=world.alice, programme=prog.programme, worker=prog.other)
    with pytest.raises(ApplicationError) as exc:
        svc.programme_select(actor=world.alice, application=a, selected=True)
    assert exc.value.code == "separation_of_duties"
    assert AuditEvent.objects.filter(action="careers.programme_select.refused").count() == 1
    a.refresh_from_db()
    assert a.status == "submitted"
    assert programmes_selectors.to_select(world.alice).count() == 0
    assert programmes_selectors.to_select(world.alice_admin).count() == 1
    done = svc.programme_select(actor=world.alice_admin, application=a, selected=True)
    assert done.status == "selected"
    # a worker's own application: anyone of the owner's managers but the worker
    mine = svc.programme_apply(actor=world.worker_a, programme=prog.programme, worker=prog.me)
    assert (
        svc.programme_select(actor=world.alice, application=mine, selected=False).status
        == "not_selected"
    )


def test_the_enterprise_officer_files_but_cannot_select(world: Any, prog: Prog) -> None:
    from django.core.exceptions import PermissionDenied

    a = svc.programme_apply(
        actor=world.enterprise_officer_a, programme=prog.programme, worker=prog.other
    )
    with pytest.raises(PermissionDenied):
        svc.programme_select(actor=world.enterprise_officer_a, application=a, selected=True)


# --------------------------------------------------------- budget, subsidy, outcome
def test_subsidies_are_exact_to_the_fen_and_never_over_the_budget(world: Any) -> None:
    p = make_programme(world, budget="3999.99", subsidy_per_person="1333.33")
    workers = [eligible_worker(world.enterprise_a, 40 + i) for i in range(4)]
    apps = []
    for w in workers[:3]:
        a = svc.programme_apply(actor=world.enterprise_officer_a, programme=p, worker=w)
        a = svc.programme_select(actor=world.alice, application=a, selected=True)
        apps.append(
            svc.programme_enrol(actor=world.alice, application=a, enrolled_on=dt.date(2026, 3, 1))
        )
    fourth = svc.programme_apply(actor=world.enterprise_officer_a, programme=p, worker=workers[3])
    fourth = svc.programme_select(actor=world.alice, application=fourth, selected=True)
    with pytest.raises(ApplicationError) as exc:
        svc.programme_enrol(actor=world.alice, application=fourth, enrolled_on=dt.date(2026, 3, 1))
    assert exc.value.code == "over_budget"
    for a in apps:
        svc.programme_progress_add(
            actor=world.alice,
            application=a,
            date=dt.date(2026, 6, 30),
            title="第一学期",
            hours="120.5",
        )
        a = svc.programme_complete(
            actor=world.alice, application=a, outcome="graduated", completed_on=dt.date(2026, 7, 1)
        )
        svc.programme_subsidy_pay(actor=world.alice, application=a, reference="圆梦〔2026〕1号")
    p.fund.refresh_from_db()
    assert p.fund.balance == Decimal("0.00")
    debits = LedgerEntry.objects.filter(fund=p.fund, kind="debit")
    assert sorted(e.amount for e in debits) == [Decimal("1333.33")] * 3
    assert sum(e.amount for e in debits) == Decimal("3999.99")
    with pytest.raises(ApplicationError) as paid:
        svc.programme_subsidy_pay(actor=world.alice, application=apps[0])
    assert paid.value.code == "already_paid"


def test_the_nominator_does_not_pay_the_subsidy(world: Any, prog: Prog) -> None:
    a = run_to_enrolled(world, prog, prog.other, filer=world.alice_admin)
    svc.programme_progress_add(
        actor=world.alice, application=a, date=dt.date(2026, 6, 1), title="学期", hours=60
    )
    a = svc.programme_complete(
        actor=world.alice, application=a, outcome="graduated", completed_on=dt.date(2026, 7, 1)
    )
    with pytest.raises(ApplicationError) as exc:
        svc.programme_subsidy_pay(actor=world.alice_admin, application=a)
    assert exc.value.code == "separation_of_duties"
    assert svc.programme_subsidy_pay(
        actor=world.alice, application=a
    ).subsidy_entry.amount == Decimal("3000.00")


def test_the_outcome_lands_in_the_registry_once(world: Any, prog: Prog) -> None:
    a = run_to_enrolled(world, prog, prog.me)
    with pytest.raises(ApplicationError) as early:  # no progress, no completion
        svc.programme_complete(
            actor=world.alice, application=a, outcome="graduated", completed_on=dt.date(2026, 7, 1)
        )
    assert early.value.details[0]["field"] == "hours"
    svc.programme_progress_add(
        actor=world.alice, application=a, date=dt.date(2026, 6, 30), title="第一学年", hours="200"
    )
    svc.programme_progress_add(
        actor=world.enterprise_officer_a,
        application=a,
        date=dt.date(2026, 7, 30),
        title="毕业设计",
        hours="40.5",
        result="合格",
    )
    done = svc.programme_complete(
        actor=world.alice,
        application=a,
        outcome="graduated",
        completed_on=dt.date(2026, 8, 1),
        certificate_number="DZ2026001",
    )
    records = TrainingRecord.objects.filter(worker=prog.me, source_ref=a.code)
    assert records.count() == 1
    record = records.get()
    assert (record.hours, record.provider, done.outcome_ref) == (
        Decimal("240.5"),
        "江苏开放大学",
        record.code,
    )
    assert Worker.objects.get(pk=prog.me.pk).education == "大专"
    with pytest.raises(ApplicationError) as again:
        svc.programme_complete(
            actor=world.alice, application=a, outcome="graduated", completed_on=dt.date(2026, 8, 1)
        )
    assert again.value.code == "wrong_status"
    from gongjiang.careers.programmes_steps import _registry_write

    done.refresh_from_db()
    assert _registry_write(done, Decimal("1")) == record.code
    assert TrainingRecord.objects.filter(worker=prog.me, source_ref=a.code).count() == 1


def _enrolled_with_hours(world: Any, prog: Prog, worker: Any) -> Any:
    a = run_to_enrolled(world, prog, worker)
    svc.programme_progress_add(
        actor=world.alice, application=a, date=dt.date(2026, 6, 30), title="结业", hours="80"
    )
    return a


def test_the_certificate_lands_once_as_a_workforce_certificate(world: Any, prog: Prog) -> None:
    a = _enrolled_with_hours(world, prog, prog.me)
    with pytest.raises(ApplicationError) as bare:  # a certificate is recorded with its number
        svc.programme_complete(
            actor=world.alice, application=a, outcome="certificate", completed_on=ON
        )
    assert bare.value.details[0]["field"] == "certificate_number"
    assert not Certificate.objects.filter(worker=prog.me).exists()
    done = svc.programme_complete(
        actor=world.alice,
        application=a,
        outcome="certificate",
        completed_on=dt.date(2026, 8, 1),
        certificate_number=" JL-2026-0042 ",
    )
    cert = Certificate.objects.get(worker=prog.me)
    assert (cert.kind, cert.number, cert.issuer, cert.date, cert.source_ref) == (
        "other",
        "JL-2026-0042",
        "江苏开放大学",
        dt.date(2026, 8, 1),
        a.code,
    )
    assert AuditEvent.objects.filter(action="worker.certificate_add").count() == 1
    event = AuditEvent.objects.get(action="careers.programme_complete")
    assert event.details["certificate"] == cert.code
    # re-running the completion: refused, and the registry write itself never doubles
    with pytest.raises(ApplicationError) as again:
        svc.programme_complete(
            actor=world.alice,
            application=done,
            outcome="certificate",
            completed_on=dt.date(2026, 8, 1),
            certificate_number="JL-2026-0042",
        )
    assert again.value.code == "wrong_status"
    from gongjiang.careers.programmes_steps import _certificate_write

    done.refresh_from_db()
    assert _certificate_write(done) == cert
    assert Certificate.objects.filter(worker=prog.me).count() == 1


def test_a_graduation_without_a_number_writes_no_certificate(world: Any, prog: Prog) -> None:
    a = _enrolled_with_hours(world, prog, prog.other)
    svc.programme_complete(
        actor=world.alice, application=a, outcome="graduated", completed_on=dt.date(2026, 8, 1)
    )
    assert TrainingRecord.objects.filter(worker=prog.other, source_ref=a.code).count() == 1
    assert not Certificate.objects.filter(worker=prog.other).exists()


def test_the_certificate_is_on_the_timeline_in_scope_only(
    client: Any, world: Any, prog: Prog
) -> None:
    a = _enrolled_with_hours(world, prog, prog.me)
    svc.programme_complete(
        actor=world.alice,
        application=a,
        outcome="graduated",
        completed_on=dt.date(2026, 8, 1),
        certificate_number="DZ2026001",
    )
    url = f"/api/v1/workforce/workers/{prog.me.code}/timeline"
    r = check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    certs = [e for e in r.json() if e["kind"] == "certificate"]
    assert len(certs) == 1 and "DZ2026001" in certs[0]["detail"]
    assert "江苏开放大学" in certs[0]["detail"]


def test_progress_dates_and_hours_are_checked(world: Any, prog: Prog) -> None:
    from django.core.exceptions import ValidationError

    a = run_to_enrolled(world, prog, prog.other)
    with pytest.raises(ApplicationError):
        svc.programme_progress_add(
            actor=world.alice, application=a, date=dt.date(2026, 2, 1), title="早", hours=1
        )
    with pytest.raises(ValidationError):
        svc.programme_progress_add(
            actor=world.alice, application=a, date=dt.date(2026, 4, 1), title="多", hours="100000"
        )
    with pytest.raises(ValidationError):
        svc.programme_progress_add(
            actor=world.alice, application=a, date=dt.date(2026, 4, 1), title="大", hours="1e400"
        )
    with pytest.raises(ApplicationError):
        svc.programme_progress_add(
            actor=world.alice, application=a, date=dt.date(2026, 4, 1), title="坏", hours="NaN"
        )


# ------------------------------------------------------------------- Excel in and out
def _book(rows: list[list[Any]]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(["申请编号", "姓名", "结果", "备注"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_selected_list_import_names_rows_and_columns_and_writes_nothing_on_error(
    world: Any, prog: Prog
) -> None:
    a1 = svc.programme_apply(
        actor=world.enterprise_officer_a, programme=prog.programme, worker=prog.me
    )
    a2 = svc.programme_apply(
        actor=world.enterprise_officer_a, programme=prog.programme, worker=prog.other
    )
    bad = _book(
        [[a1.code, prog.me.name, "录取", ""], [a2.code, "某某", "也许", ""], ["X1", "", "录取", ""]]
    )
    with pytest.raises(ApplicationError) as exc:
        programmes_io.selection_import(
            actor=world.alice, programme=prog.programme, source=bad, name="名单.xlsx"
        )
    fields = [d["field"] for d in exc.value.details]
    assert fields == ["row 3: 姓名", "row 3: 结果", "row 4: 申请编号"]
    a1.refresh_from_db()
    assert a1.status == "submitted"
    good = _book(
        [[a1.code, prog.me.name, "录取", "成绩优良"], [a2.code, prog.other.name, "不录取", ""]]
    )
    counts = programmes_io.selection_import(
        actor=world.alice, programme=prog.programme, source=good, name="名单.xlsx"
    )
    assert counts == {"selected": 1, "not_selected": 1}
    a1.refresh_from_db()
    assert (a1.status, a1.decision_note, a1.decided_by) == ("selected", "成绩优良", world.alice)


def test_import_refuses_rows_the_importer_filed(world: Any, prog: Prog) -> None:
    a = svc.programme_apply(actor=world.alice, programme=prog.programme, worker=prog.other)
    with pytest.raises(ApplicationError) as exc:
        programmes_io.selection_import(
            actor=world.alice,
            programme=prog.programme,
            source=_book([[a.code, "", "录取", ""]]),
            name="x.xlsx",
        )
    assert exc.value.details[0]["field"] == "row 2: 申请编号"


def test_report_counts_by_region_and_employment_type_migrants_first(world: Any, prog: Prog) -> None:
    contract = eligible_worker(world.enterprise_a, 50)
    p = prog.programme
    run_to_enrolled(world, prog, prog.other)
    a = run_to_enrolled(world, prog, prog.me)
    svc.programme_progress_add(
        actor=world.alice, application=a, date=dt.date(2026, 6, 1), title="学期", hours=10
    )
    svc.programme_complete(
        actor=world.alice, application=a, outcome="graduated", completed_on=dt.date(2026, 7, 1)
    )
    Worker.objects.filter(pk=contract.pk).update(employment_type="contract")
    svc.programme_apply(
        actor=world.enterprise_officer_a, programme=p, worker=Worker.objects.get(pk=contract.pk)
    )
    rows = programmes_selectors.report(world.alice, p)
    assert [
        (r.unit, r.employment_type, r.applicants, r.participants, r.graduates) for r in rows
    ] == [
        (world.city_a.name, "migrant", 2, 2, 1),
        (world.city_a.name, "contract", 1, 0, 0),
    ]
    assert programmes_selectors.report(world.bob, p) == []
    book = load_workbook(io.BytesIO(programmes_io.report_xlsx(world.alice, p, None)))
    sheet = book.worksheets[1]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        [str(Worker.EmploymentType.MIGRANT.label), 2, 2, 1],
        [str(Worker.EmploymentType.CONTRACT.label), 1, 0, 0],
    ]
