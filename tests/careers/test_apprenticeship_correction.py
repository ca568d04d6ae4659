"""A submitted apprenticeship subsidy claim corrected by its preparer: a new version (a draft,
drawn up from the registry today, with the documents), the old one kept as corrected, re-approval
by someone else; only the preparer corrects; pages and API scoped (404 outside)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from gongjiang.careers import apprenticeship as svc
from gongjiang.careers import apprenticeship_selectors as sel
from gongjiang.careers.models import ApprenticeSubsidyClaim
from gongjiang.core.audit import AuditEvent
from gongjiang.core.duties import DutyConflict
from gongjiang.core.errors import ApplicationError

from ..access_helpers import check_access
from ..factories import UserFactory, member
from . import apprentice_helpers
from .apprentice_helpers import Appr, enrol
from .test_apprenticeship import _documents

pytestmark = pytest.mark.django_db
appr = apprentice_helpers.appr


@pytest.fixture
def submitted(world: Any, appr: Appr, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    enrol(appr, appr.me)
    other = enrol(appr, appr.other)
    claim = svc.apprentice_claim_create(actor=appr.hr, cohort=appr.cohort, year=2025)
    _documents(claim, appr.hr)
    claim = svc.apprentice_claim_submit(actor=appr.hr, claim=claim)
    assert claim.total == Decimal("8333.34")  # 2 × 10 months of 5000
    return claim, other


def test_the_preparer_corrects_a_submitted_claim(world: Any, appr: Appr, submitted: Any) -> None:
    claim, other = submitted
    # the registry is put right first: the second apprentice left at the end of May
    svc.apprentice_terminate(
        actor=appr.hr, apprentice=other, ended_on=dt.date(2025, 5, 31), note="离职"
    )
    with pytest.raises(ApplicationError) as exc:
        svc.apprentice_claim_correct(actor=appr.hr, claim=claim, reason=" ")
    assert exc.value.details[0]["field"] == "reason"
    new = svc.apprentice_claim_correct(actor=appr.hr, claim=claim, reason="张三5月离职，按3个月计")
    claim.refresh_from_db()
    assert claim.status == "corrected" and claim.total == Decimal("8333.34")
    assert claim.lines.count() == 2  # the old version kept as it was
    assert (new.status, new.version, new.corrects, new.correction_reason) == (
        "draft",
        2,
        claim,
        "张三5月离职，按3个月计",
    )
    assert new.total == Decimal("5416.67")  # 10 + 3 months of 5000 / 12
    assert sorted(d.kind for d in new.documents.all()) == sorted(
        d.kind for d in claim.documents.all()
    )
    assert AuditEvent.objects.filter(action="careers.apprentice_claim_correct").count() == 1
    # the corrected version is decided no more, nor corrected again
    with pytest.raises(ApplicationError) as exc:
        svc.apprentice_claim_decide(actor=world.alice, claim=claim, approve=True)
    assert exc.value.code == "wrong_status"
    with pytest.raises(ApplicationError):
        svc.apprentice_claim_correct(actor=appr.hr, claim=claim, reason="again")
    # the new version is submitted again and approved by someone else
    new = svc.apprentice_claim_submit(actor=appr.hr, claim=new)
    admin_a = UserFactory(username="admin_ent_a")
    member(admin_a, world.enterprise_a, "admin")
    for actor in (appr.hr, admin_a):  # the preparer, and the enterprise itself
        with pytest.raises((DutyConflict, PermissionDenied)):
            svc.apprentice_claim_decide(actor=actor, claim=new, approve=True)
    assert AuditEvent.objects.filter(action="careers.apprentice_claim_decide.refused").exists()
    new = svc.apprentice_claim_decide(actor=world.alice, claim=new, approve=True)
    assert new.status == "approved"
    # the report counts the version standing, not the corrected one
    rows = sel.report(world.alice, 2025)
    assert [(r.claims, r.claimed) for r in rows] == [(1, Decimal("5416.67"))]


def test_only_the_preparer_corrects(world: Any, appr: Appr, submitted: Any) -> None:
    claim, _other = submitted
    hr2 = UserFactory(username="hr_appr2")
    member(hr2, world.enterprise_a, "hr")
    for actor in (hr2, world.alice):
        with pytest.raises(ApplicationError) as exc:
            svc.apprentice_claim_correct(actor=actor, claim=claim, reason="x")
        assert exc.value.code == "not_preparer"
    with pytest.raises(PermissionDenied):
        svc.apprentice_claim_correct(actor=world.bob, claim=claim, reason="x")
    # a draft or a decided claim is not corrected (a draft is simply changed)
    svc.apprentice_claim_decide(actor=world.alice, claim=claim, approve=True)
    with pytest.raises(ApplicationError) as exc:
        svc.apprentice_claim_correct(actor=appr.hr, claim=claim, reason="x")
    assert exc.value.code == "wrong_status"
    assert ApprenticeSubsidyClaim.objects.count() == 1


def test_page_and_api(client: Any, world: Any, appr: Appr, submitted: Any) -> None:
    claim, _other = submitted
    url = f"/careers/apprenticeship/claims/{claim.code}/"
    r = check_access(client, url=url, in_scope=appr.hr, out_of_scope=world.bob)
    assert 'id="correct-claim"' in r.content.decode()
    client.force_login(world.alice)
    assert 'id="correct-claim"' not in client.get(url).content.decode()
    r = check_access(
        client,
        url=f"{url}step/",
        method="post",
        ok=302,
        in_scope=appr.hr,
        out_of_scope=world.bob,
        data={"step": "correct", "reason": "补充学徒"},
    )
    new = ApprenticeSubsidyClaim.objects.get(version=2)
    assert r["Location"].endswith(f"/claims/{new.code}/")
    html = client.get(r["Location"]).content.decode()
    assert 'id="claim-version"' in html and "补充学徒" in html and claim.code in html
    assert 'id="submit-claim"' in html
    # the API: the new version answers its history
    new = svc.apprentice_claim_submit(actor=appr.hr, claim=new)
    api = f"/api/v1/careers/apprenticeship/claims/{new.code}/correct"
    r = check_access(
        client,
        url=api,
        method="post",
        ok=201,
        in_scope=appr.hr,
        out_of_scope=world.bob,
        data={"reason": "再次更正"},
    )
    body = r.json()
    assert (body["version"], body["corrects"], body["status"]) == (3, new.code, "draft")
    client.force_login(appr.hr)
    old = client.get(f"/api/v1/careers/apprenticeship/claims/{new.code}").json()
    assert old["status"] == "corrected" and old["corrected_by"] == [body["code"]]
    r = client.post(
        f"/api/v1/careers/apprenticeship/claims/{body['code']}/correct",
        {"reason": "x" * 501},
        content_type="application/json",
    )
    assert r.status_code in (400, 422)
