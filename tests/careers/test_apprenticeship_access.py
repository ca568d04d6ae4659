"""Every apprenticeship page and endpoint through the shared helper: anonymous → login/401, out of
scope → 404 (never a hint), in scope → the answer; lists, the dashboard, the report and the to-dos
count only what is in scope; the Excel downloads are hostile-safe."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjiang.careers import apprenticeship as svc
from gongjiang.careers import apprenticeship_rules as R
from gongjiang.careers.models_apprentice import ApprenticeSubsidyClaim
from gongjiang.careers.todos import apprenticeship_todos
from gongjiang.core.ledger.services import fund_create, fund_credit

from ..access_helpers import check_access
from ..factories import OrganizationFactory
from . import apprentice_helpers
from .apprentice_helpers import Appr, enrol, trainee

pytestmark = pytest.mark.django_db
appr = apprentice_helpers.appr
BASE = "/careers/apprenticeship"
API = "/api/v1/careers/apprenticeship"


def _pdf(name: str = "a.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 test", "application/pdf")


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _submitted_claim(appr: Appr) -> Any:
    claim = svc.apprentice_claim_create(actor=appr.hr, cohort=appr.cohort, year=2025)
    for kind in R.document_kinds(claim.required_documents):
        svc.apprentice_claim_document_add(actor=appr.hr, claim=claim, kind=kind, upload=_pdf())
    return svc.apprentice_claim_submit(actor=appr.hr, claim=claim)


def test_pages(client: Any, world: Any, appr: Appr, media: Any) -> None:
    pilot, cohort = appr.pilot, appr.cohort
    r = check_access(client, url=f"{BASE}/", in_scope=world.alice, out_of_scope=None)
    assert world.enterprise_a.name in r.content.decode()
    client.force_login(world.bob)
    page = client.get(f"{BASE}/").content.decode()
    assert world.enterprise_a.name not in page and cohort.name not in page
    check_access(
        client, url=f"{BASE}/pilots/{pilot.code}/", in_scope=world.alice, out_of_scope=world.bob
    )
    new_ent = OrganizationFactory(
        parent=world.city_a, name="南京新试点有限公司工会", kind="enterprise", region="320111"
    )
    check_access(
        client,
        url=f"{BASE}/pilots/new/",
        method="post",
        data={"enterprise": new_ent.code, "since": "2025-01-01"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    assert new_ent.apprentice_pilot.since == dt.date(2025, 1, 1)
    check_access(
        client,
        url=f"{BASE}/institutions/new/",
        method="post",
        data={"organization": world.city_a.code, "name": "南京技师学院", "kind": "technical"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    check_access(
        client,
        url=f"{BASE}/pilots/{pilot.code}/cohorts/",
        method="post",
        data={
            "institution": appr.institution.code,
            "name": "2026级钳工班",
            "occupation": "6-20-01-01",
            "level": "INTERMEDIATE",
            "year": "2026",
        },
        in_scope=appr.hr,
        out_of_scope=world.bob,
        ok=302,
    )
    assert pilot.cohorts.filter(name="2026级钳工班").exists()
    r = check_access(
        client, url=f"{BASE}/cohorts/{cohort.code}/", in_scope=world.alice, out_of_scope=world.bob
    )
    assert 'id="enrol-form"' in r.content.decode()
    r = check_access(
        client,
        url=f"{BASE}/cohorts/{cohort.code}/enrol/",
        method="post",
        data={
            "worker": appr.me.code,
            "origin": "new_hire",
            "signed_on": "2025-03-01",
            "contract_months": "36",
            "starts_on": "2025-03-01",
            "ends_on": "2027-02-28",
            "mentor": appr.mentor.code,
            "teacher_name": "王老师",
            "teacher": appr.teacher.username,
        },
        in_scope=appr.hr,
        out_of_scope=world.bob,
        ok=302,
    )
    a = cohort.apprentices.get()
    assert r["Location"] == f"{BASE}/apprentices/{a.code}/" and a.teacher == appr.teacher
    for user in (world.alice, world.worker_a, appr.mentor_user, appr.teacher):
        r = check_access(
            client, url=f"{BASE}/apprentices/{a.code}/", in_scope=user, out_of_scope=world.bob
        )
        assert a.worker.name in r.content.decode()
    check_access(
        client,
        url=f"{BASE}/apprentices/{a.code}/step/",
        method="post",
        data={"step": "item", "kind": "task", "title": "板对接平焊", "hours": "40"},
        in_scope=appr.teacher,
        out_of_scope=world.bob,
        ok=302,
    )
    item = a.plan_items.get()
    check_access(
        client,
        url=f"{BASE}/apprentices/{a.code}/step/",
        method="post",
        data={"step": "done", "item": item.code, "done_on": "2025-06-01", "result": "合格"},
        in_scope=appr.mentor_user,
        out_of_scope=world.bob,
        ok=302,
    )
    check_access(
        client,
        url=f"{BASE}/apprentices/{a.code}/step/",
        method="post",
        data={
            "step": "progress",
            "month": "2025-04",
            "workplace_hours": "120",
            "institution_hours": "16",
            "summary": "熟悉设备",
        },
        in_scope=appr.mentor_user,
        out_of_scope=world.bob,
        ok=302,
    )
    item.refresh_from_db()
    assert item.done_on == dt.date(2025, 6, 1) and a.progress.get().month == dt.date(2025, 4, 1)
    r = check_access(
        client,
        url=f"{BASE}/cohorts/{cohort.code}/apprentices.xlsx",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    # the apprentice reads but records nothing
    client.force_login(world.worker_a)
    client.post(
        f"{BASE}/apprentices/{a.code}/step/",
        {"step": "progress", "month": "2025-05", "workplace_hours": "1", "summary": "x"},
    )
    assert a.progress.count() == 1
    r = check_access(client, url=f"{BASE}/me/", in_scope=world.worker_a, out_of_scope=None)
    assert 'id="my-apprenticeship"' in r.content.decode()
    r = check_access(client, url=f"{BASE}/me/", in_scope=appr.mentor_user, out_of_scope=None)
    assert 'id="my-apprentices"' in r.content.decode()
    # claims
    check_access(
        client,
        url=f"{BASE}/cohorts/{cohort.code}/claims/",
        method="post",
        data={"year": "2025"},
        in_scope=appr.hr,
        out_of_scope=world.bob,
        ok=302,
    )
    claim = ApprenticeSubsidyClaim.objects.get()
    check_access(
        client, url=f"{BASE}/claims/{claim.code}/", in_scope=world.alice, out_of_scope=world.bob
    )
    url = f"{BASE}/claims/{claim.code}/step/"
    for kind in R.document_kinds(claim.required_documents):
        # an upload is read once: a fresh file for each call of the three
        client.logout()
        assert "/login/" in client.post(url, {"step": "document", "kind": kind})["Location"]
        client.force_login(world.bob)
        assert (
            client.post(url, {"step": "document", "kind": kind, "file": _pdf()}).status_code == 404
        )
        client.force_login(appr.hr)
        assert (
            client.post(url, {"step": "document", "kind": kind, "file": _pdf()}).status_code == 302
        )
    assert claim.documents.count() == len(R.document_kinds(claim.required_documents))
    document = claim.documents.first()
    r = check_access(
        client,
        url=f"{BASE}/documents/{document.code}/",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert b"".join(r.streaming_content).startswith(b"%PDF")
    check_access(
        client,
        url=f"{BASE}/claims/{claim.code}/step/",
        method="post",
        data={"step": "submit"},
        in_scope=appr.hr,
        out_of_scope=world.bob,
        ok=302,
    )
    # the submitter's own approval is refused on the page too
    client.force_login(appr.hr)
    client.post(f"{BASE}/claims/{claim.code}/step/", {"step": "approve"})
    claim.refresh_from_db()
    assert claim.status == "submitted"
    check_access(
        client,
        url=f"{BASE}/claims/{claim.code}/step/",
        method="post",
        data={"step": "approve"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    fund = fund_create(actor=world.alice, organization=world.province_a, name="学徒补贴")
    fund_credit(actor=world.alice, fund=fund, amount="100000")
    check_access(
        client,
        url=f"{BASE}/claims/{claim.code}/step/",
        method="post",
        data={"step": "pay", "fund": fund.code, "reference": "苏财1号"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    claim.refresh_from_db()
    assert claim.status == "paid" and claim.payment.amount == claim.total
    # rules, dashboard, report
    org = world.enterprise_a.code
    r = check_access(
        client,
        url=f"{BASE}/rules/?organization={org}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert "39号" in r.content.decode()
    check_access(
        client,
        url=f"{BASE}/rules/?organization={org}",
        method="post",
        data={"key": "mentor_max_apprentices", "value": "4", "source": "企业制度"},
        in_scope=appr.hr,
        out_of_scope=world.bob,
        ok=302,
    )
    r = check_access(client, url=f"{BASE}/dashboard/", in_scope=world.alice, out_of_scope=None)
    assert 'id="total">1<' in r.content.decode()
    client.force_login(world.bob)
    assert 'id="total">0<' in client.get(f"{BASE}/dashboard/").content.decode()
    r = check_access(client, url=f"{BASE}/report/", in_scope=world.alice, out_of_scope=None)
    assert world.enterprise_a.name in r.content.decode()
    client.force_login(world.bob)
    assert world.enterprise_a.name not in client.get(f"{BASE}/report/").content.decode()
    r = check_access(
        client, url=f"{BASE}/report/?format=xlsx", in_scope=world.alice, out_of_scope=None
    )
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_worker_without_a_role_sees_no_desk(client: Any, world: Any, appr: Appr) -> None:
    client.force_login(world.worker_a)
    assert client.get(f"{BASE}/").status_code == 302  # to "my apprenticeship"
    for url in ("dashboard/", "report/", "rules/"):
        assert client.get(f"{BASE}/{url}").status_code == 404
    client.force_login(world.nobody)
    assert 'id="none"' in client.get(f"{BASE}/me/").content.decode()


def test_api(client: Any, world: Any, appr: Appr, media: Any) -> None:
    pilot, cohort = appr.pilot, appr.cohort
    r = check_access(client, url=f"{API}/pilots", in_scope=world.alice, out_of_scope=None)
    assert [p["code"] for p in r.json()["items"]] == [pilot.code]
    client.force_login(world.bob)
    assert client.get(f"{API}/pilots").json()["count"] == 0
    assert client.get(f"{API}/cohorts").json()["count"] == 0
    assert client.get(f"{API}/institutions").json()["count"] == 0
    check_access(
        client, url=f"{API}/pilots/{pilot.code}", in_scope=world.alice, out_of_scope=world.bob
    )
    new_ent = OrganizationFactory(
        parent=world.city_a, name="南京新试点有限公司工会", kind="enterprise", region="320111"
    )
    check_access(
        client,
        url=f"{API}/pilots",
        method="post",
        data={"enterprise": new_ent.code, "since": "2025-01-01"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    check_access(client, url=f"{API}/institutions", in_scope=appr.hr, out_of_scope=None)
    r = check_access(
        client,
        url=f"{API}/institutions",
        method="post",
        data={
            "organization": world.enterprise_a.code,
            "name": "企业培训中心",
            "kind": "enterprise",
        },
        in_scope=appr.hr,
        out_of_scope=world.bob,
        ok=201,
    )
    r = check_access(
        client,
        url=f"{API}/cohorts",
        method="post",
        data={
            "pilot": pilot.code,
            "institution": r.json()["code"],
            "name": "2026级钳工班",
            "occupation": "6-20-01-01",
            "level": "INTERMEDIATE",
            "year": 2026,
        },
        in_scope=appr.hr,
        out_of_scope=world.bob,
        ok=201,
    )
    assert r.json()["apprentices"] == 0
    r = check_access(client, url=f"{API}/cohorts", in_scope=world.alice, out_of_scope=None)
    assert r.json()["count"] == 2
    check_access(
        client, url=f"{API}/cohorts/{cohort.code}", in_scope=world.alice, out_of_scope=world.bob
    )
    r = check_access(
        client,
        url=f"{API}/cohorts/{cohort.code}/apprentices",
        method="post",
        data={
            "worker": appr.me.code,
            "origin": "transferred",
            "signed_on": "2025-03-01",
            "contract_months": 24,
            "starts_on": "2025-03-01",
            "ends_on": "2026-02-28",
            "mentor": appr.mentor.code,
            "teacher_name": "王老师",
            "teacher": appr.teacher.username,
        },
        in_scope=appr.hr,
        out_of_scope=world.bob,
        ok=201,
    )
    code = r.json()["code"]
    assert r.json()["months"] == 12 and r.json()["stage"] == "training"
    r = check_access(
        client,
        url=f"{API}/cohorts/{cohort.code}/apprentices",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["count"] == 1
    for user in (world.alice, world.worker_a, appr.mentor_user):
        check_access(client, url=f"{API}/apprentices/{code}", in_scope=user, out_of_scope=world.bob)
    r = check_access(client, url=f"{API}/mine", in_scope=world.worker_a, out_of_scope=None)
    assert [a["code"] for a in r.json()["apprenticeships"]] == [code]
    r = check_access(client, url=f"{API}/mine", in_scope=appr.mentor_user, out_of_scope=None)
    assert [a["code"] for a in r.json()["mentored"]["items"]] == [code]
    assert r.json()["mentored"]["count"] == 1
    r = check_access(
        client,
        url=f"{API}/apprentices/{code}/plan",
        method="post",
        data={"kind": "assessment", "title": "阶段考核", "hours": "8"},
        in_scope=appr.hr,
        out_of_scope=world.bob,
        ok=201,
    )
    item = r.json()["plan"][0]["code"]
    check_access(
        client,
        url=f"{API}/apprentices/{code}/plan/{item}/done",
        method="post",
        data={"done_on": "2025-09-01", "result": "良好"},
        in_scope=appr.mentor_user,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"{API}/apprentices/{code}/courses/credit",
        method="post",
        in_scope=appr.mentor_user,
        out_of_scope=world.bob,
    )
    r = check_access(
        client,
        url=f"{API}/apprentices/{code}/progress",
        method="post",
        data={
            "month": "2025-03-20",
            "workplace_hours": "100",
            "institution_hours": "20.5",
            "summary": "基本功",
        },
        in_scope=appr.teacher,
        out_of_scope=world.bob,
    )
    assert r.json()["progress"][0]["month"] == "2025-03-01"
    other_mentor = trainee(world.enterprise_a, 90, skill_level="SENIOR")
    r = check_access(
        client,
        url=f"{API}/apprentices/{code}/mentors",
        method="post",
        data={"mentor": other_mentor.code},
        in_scope=appr.hr,
        out_of_scope=world.bob,
    )
    assert r.json()["mentor"] == other_mentor.code
    r = check_access(
        client,
        url=f"{API}/cohorts/{cohort.code}/claims",
        method="post",
        data={"year": 2025},
        in_scope=appr.hr,
        out_of_scope=world.bob,
        ok=201,
    )
    claim = r.json()["code"]
    assert r.json()["total"] == "4166.67" and r.json()["missing_documents"]
    check_access(
        client,
        url=f"{API}/cohorts/{cohort.code}/claims",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    check_access(client, url=f"{API}/claims/{claim}", in_scope=world.alice, out_of_scope=world.bob)
    for kind in ("agreement", "contract", "plan", "roster"):
        client.logout()
        assert client.post(f"{API}/claims/{claim}/documents?kind={kind}").status_code == 401
        client.force_login(world.bob)
        r = client.post(f"{API}/claims/{claim}/documents?kind={kind}", {"file": _pdf()})
        assert r.status_code == 404
        client.force_login(appr.hr)
        r = client.post(f"{API}/claims/{claim}/documents?kind={kind}", {"file": _pdf()})
        assert r.status_code == 201, r.content
    assert r.json()["missing_documents"] == []
    check_access(
        client,
        url=f"{API}/claims/{claim}/submit",
        method="post",
        in_scope=appr.hr,
        out_of_scope=world.bob,
    )
    client.force_login(appr.hr)
    r = client.post(
        f"{API}/claims/{claim}/decide",
        data={"approve": True},
        content_type="application/json",
    )
    assert r.status_code == 403  # not a manager's own approval (and hr does not approve)
    r = check_access(
        client,
        url=f"{API}/claims/{claim}/decide",
        method="post",
        data={"approve": True},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["status"] == "approved"
    fund = fund_create(actor=world.alice, organization=world.city_a, name="学徒补贴")
    fund_credit(actor=world.alice, fund=fund, amount="4166.67")
    r = check_access(
        client,
        url=f"{API}/claims/{claim}/pay",
        method="post",
        data={"fund": fund.code},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["paid"] == "4166.67" and r.json()["status"] == "paid"
    r = check_access(
        client,
        url=f"{API}/apprentices/{code}/complete",
        method="post",
        data={"completed_on": "2026-02-27"},
        in_scope=appr.hr,
        out_of_scope=world.bob,
    )
    assert r.json()["stage"] == "completed"
    from ..certification.factories import make_plan

    plan = make_plan(world.enterprise_a, level="INTERMEDIATE", occupation="6-18-02-04")
    client.force_login(world.alice)
    r = client.post(
        f"{API}/apprentices/{code}/evaluation",
        data={"plan": plan.code},
        content_type="application/json",
    )
    assert r.status_code == 400  # the cohort's target is 高级工
    plan = make_plan(world.enterprise_a, level="SENIOR", name="焊工高级工2026")
    r = check_access(
        client,
        url=f"{API}/apprentices/{code}/evaluation",
        method="post",
        data={"plan": plan.code},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["stage"] == "in_evaluation" and r.json()["evaluation_plan"] == plan.code
    # terminate another apprentice
    b = enrol(appr, appr.other, mentor=other_mentor)
    check_access(
        client,
        url=f"{API}/apprentices/{b.code}/terminate",
        method="post",
        data={"ended_on": "2025-05-01", "note": "离职"},
        in_scope=appr.hr,
        out_of_scope=world.bob,
    )
    # rules, dashboard, report
    org = world.enterprise_a.code
    r = check_access(
        client, url=f"{API}/rules?organization={org}", in_scope=appr.hr, out_of_scope=world.bob
    )
    assert {x["key"] for x in r.json()["rules"]} >= set(R.KEYS)
    r = check_access(
        client,
        url=f"{API}/rules",
        method="post",
        data={"organization": world.city_a.code, "key": "subsidy_per_year", "value": "6000"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert (
        next(x for x in r.json()["rules"] if x["key"] == "subsidy_per_year")["value"] == "6000.00"
    )
    r = check_access(client, url=f"{API}/dashboard", in_scope=world.alice, out_of_scope=None)
    d = r.json()
    assert d["total"] == 2 and d["completion_rate"] == 50.0
    assert {c["key"]: c["count"] for c in d["by_stage"]}["in_evaluation"] == 1
    assert d["by_province"] == [{"key": "320000", "label": "江苏省", "count": 2}]
    client.force_login(world.bob)
    d = client.get(f"{API}/dashboard").json()
    assert d["total"] == 0 and d["by_enterprise"] == [] and d["completion_rate"] is None
    assert client.get(f"{API}/report").json() == []
    r = check_access(client, url=f"{API}/report?year=2025", in_scope=world.alice, out_of_scope=None)
    assert [(x["claims"], x["paid"]) for x in r.json()] == [(1, "4166.67")]


def test_todos_count_in_scope(world: Any, appr: Appr, media: Any) -> None:
    a = enrol(appr, appr.me, ends_on=dt.date(2026, 2, 28))
    _submitted_claim(appr)

    def counts(user: Any) -> dict[str, Any]:
        return {t.url.rsplit("?", 1)[-1]: t.count for t in apprenticeship_todos(user)}

    assert counts(world.alice)["claims=decide"] == 1
    assert counts(world.bob)["claims=decide"] == 0
    assert "claims=decide" not in counts(appr.hr)  # hr draws up claims, never approves them
    mentor = {t.url: t.count for t in apprenticeship_todos(appr.mentor_user)}
    assert mentor == {f"{BASE}/me/": 1}
    assert apprenticeship_todos(world.worker_a) == []
    assert a.ends_on < dt.date.today()
    assert counts(appr.hr)[f"{BASE}/"] == 1  # still in training after the agreement's end


def test_the_claims_report_is_hostile_safe(client: Any, world: Any, appr: Appr, media: Any) -> None:
    from gongjiang.core.models import Organization

    from ..core.test_exports import formulas_in, values_in

    hostile = '=HYPERLINK("http://x","y")'
    Organization.objects.filter(pk=world.enterprise_a.pk).update(name=hostile)
    enrol(appr, appr.me)
    _submitted_claim(appr)
    from gongjiang.workforce.models import Worker

    Worker.objects.filter(pk=appr.me.pk).update(name="+1")  # as a legacy registry could hold
    client.force_login(world.alice)
    for url, name in (
        (f"{BASE}/report/?format=xlsx", hostile),
        (f"{BASE}/cohorts/{appr.cohort.code}/apprentices.xlsx", "+1"),
    ):
        data = client.get(url).content
        assert formulas_in(data) == []
        assert name in {v for v in values_in(data) if isinstance(v, str)}
