"""A hardship help request opened as a hardship application (assistance.intake): prefilled from the
registry, linked both ways, one per request, the worker told (status only), the request resolved
with an answer once the application is decided; scope, permission and separation of duties, the
API and the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongjiang.assistance import intake, services
from gongjiang.assistance.models import HardshipFile
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.members import helpdesk
from gongjiang.members.models import HelpMessage, Notification

from ..access_helpers import check_access
from ..factories import UserFactory, member
from .conftest import end_notice, household

pytestmark = pytest.mark.django_db

PLANTED = (
    "我家欠债八万元"  # what the worker wrote: never in the audit, the notification or the file
)


@pytest.fixture
def handler(assist: Any) -> Any:
    """A cadre of enterprise A's union who answers help requests and is its assistance officer."""
    user = UserFactory(username="ent_handler")
    member(user, assist.world.enterprise_a, "officer")
    member(user, assist.world.enterprise_a, "assistance")
    return user


@pytest.fixture
def other_handler(assist: Any) -> Any:
    """The same two roles in another city (Hangzhou)."""
    user = UserFactory(username="hz_handler")
    member(user, assist.world.city_b, "officer")
    member(user, assist.world.city_b, "assistance")
    return user


def hardship_request(a: Any) -> Any:
    return helpdesk.help_file(
        actor=a.world.worker_a, category="hardship", subject="生活困难求助", text=PLANTED
    )


def test_open_prefilled_linked_both_ways_once_and_the_worker_told(
    assist: Any, handler: Any
) -> None:
    a = assist
    req = hardship_request(a)
    assert req.organization == a.world.enterprise_a
    assert intake.may_open(handler, req)
    assert not intake.may_open(a.world.enterprise_officer_a, req)  # no assistance role
    assert not intake.may_open(a.world.worker_a, req)  # their own request
    start = intake.prefill(req, a.worker)
    assert start["members"] == [{"relation": "本人", "birth_date": a.worker.birth_date}]
    assert req.code in start["note"] and PLANTED not in start["note"]

    file = intake.file_from_help(
        actor=handler, req=req, household=household("900.00"), consent=True
    )
    assert file.worker == a.worker and file.organization == a.world.enterprise_a
    assert file.status == "applied" and file.category == "deep"
    assert file.applied_by == handler and file.masked_name == "王*明"
    req.refresh_from_db()
    assert helpdesk.linked_file(req) == file  # the request shows the file …
    assert HardshipFile.objects.get(pk=file.pk).help_request == req  # … the file its request
    assert not intake.may_open(handler, req)
    # once per request
    with pytest.raises(ApplicationError) as exc:
        intake.file_from_help(actor=handler, req=req, household=household("900.00"), consent=True)
    assert exc.value.code == "file_exists" and exc.value.status == 409
    assert HardshipFile.objects.count() == 1
    # the worker: an event in the thread and a notification, status only
    seen = list(helpdesk.messages_for(actor=a.world.worker_a, req=req))
    assert seen[-1].kind == HelpMessage.Kind.EVENT and file.code in seen[-1].text
    note = Notification.objects.get(user=a.world.worker_a, url__contains=req.code)
    assert note.body.endswith(str(file.get_status_display()))
    assert "900" not in note.body + note.title and PLANTED not in note.body + note.title
    # the audit names the two codes and nothing the worker wrote or the household holds
    row = AuditEvent.objects.get(action="assistance.file_from_help")
    assert row.details == {"help_request": req.code}
    dumped = json.dumps(
        list(AuditEvent.objects.values("details", "object_repr")), ensure_ascii=False
    )
    assert PLANTED not in dumped and "高血压" not in dumped and "1800" not in dumped
    # separation of duties: whoever opened it does not check it; the enterprise's other officer does
    with pytest.raises(ApplicationError) as exc:
        services.file_check(actor=handler, file=file)
    assert exc.value.code == "separation_of_duties"
    services.file_check(actor=a.ent_helper, file=file)


def test_refusals(assist: Any, handler: Any, other_handler: Any) -> None:
    a = assist
    wages = helpdesk.help_file(actor=a.world.worker_a, category="wages", subject="欠薪", text="…")
    with pytest.raises(ApplicationError) as exc:
        intake.file_from_help(actor=handler, req=wages, household=household(), consent=True)
    assert exc.value.code == "not_hardship"
    assert not intake.may_open(handler, wages)
    req = hardship_request(a)
    with pytest.raises(PermissionDenied):  # handles the request, no assistance role
        intake.file_from_help(
            actor=a.world.enterprise_officer_a, req=req, household=household(), consent=True
        )
    with pytest.raises(PermissionDenied):  # assistance role, does not handle help requests
        intake.file_from_help(actor=a.ent_helper, req=req, household=household(), consent=True)
    with pytest.raises(Http404):  # another city's cadre does not even find the request
        helpdesk.request_get(actor=other_handler, code=req.code)
    with pytest.raises(ApplicationError) as exc:  # the worker's consent is still needed
        intake.file_from_help(actor=handler, req=req, household=household(), consent=False)
    assert exc.value.code == "consent_required"
    # a requester who is not in the registry
    loose = UserFactory(username="rider")
    member(loose, a.world.enterprise_a, "worker")
    stray = helpdesk.help_file(actor=loose, category="hardship", subject="困难", text="…")
    assert not intake.may_open(handler, stray)
    with pytest.raises(ApplicationError) as exc:
        intake.file_from_help(actor=handler, req=stray, household=household(), consent=True)
    assert exc.value.code == "no_worker"
    # the worker already has an open file of their own
    services.file_apply(
        actor=a.world.worker_a, worker=a.worker, household=household(), consent=True
    )
    with pytest.raises(ApplicationError) as exc:
        intake.file_from_help(actor=handler, req=req, household=household(), consent=True)
    assert exc.value.code == "file_open"
    assert not HardshipFile.objects.filter(help_request=req).exists()
    # a resolved request
    HardshipFile.objects.all().delete()
    helpdesk.help_reply(actor=handler, req=req, text="请到工会面谈")
    helpdesk.help_resolve(actor=handler, req=req)
    req.refresh_from_db()
    assert not intake.may_open(handler, req)
    with pytest.raises(ApplicationError) as exc:
        intake.file_from_help(actor=handler, req=req, household=household(), consent=True)
    assert exc.value.code == "request_resolved"


def test_resolved_with_the_decision_once_decided(assist: Any, handler: Any) -> None:
    a = assist
    req = hardship_request(a)
    file = intake.file_from_help(actor=handler, req=req, household=household(), consent=True)
    helpdesk.help_reply(actor=handler, req=req, text="已为您提交困难帮扶申请")
    with pytest.raises(ApplicationError) as exc:
        helpdesk.help_resolve(actor=handler, req=req)
    assert exc.value.code == "file_pending"
    replies = req.messages.filter(kind="reply").count()
    with pytest.raises(ApplicationError):  # the answer is not sent either
        helpdesk.help_reply_resolve(actor=handler, req=req, text="已办结")
    assert req.messages.filter(kind="reply").count() == replies
    assert intake.decision_reply(file) == ""
    services.file_refuse(actor=a.ent_helper, file=file, reason="家庭人均收入高于当地低保边缘线")
    file.refresh_from_db()
    text = intake.decision_reply(file)
    assert "家庭人均收入高于当地低保边缘线" in text
    req = helpdesk.help_reply_resolve(actor=handler, req=req, text=text)
    assert req.status == "resolved"
    assert text in [m.text for m in helpdesk.messages_for(actor=a.world.worker_a, req=req)]


def test_filed_decision_reply(assist: Any, handler: Any) -> None:
    a = assist
    req = hardship_request(a)
    file = intake.file_from_help(actor=handler, req=req, household=household(), consent=True)
    file = services.file_check(actor=a.ent_helper, file=file)
    end_notice(file)
    file = services.file_approve(actor=a.city_helper, file=file)
    assert file.status == "filed" and "审批建档" in intake.decision_reply(file)
    helpdesk.help_reply_resolve(actor=handler, req=req, text=intake.decision_reply(file))


def _body(**extra: Any) -> dict[str, Any]:
    return {**household("900.00"), "consent": True, **extra}


def test_api(assist: Any, handler: Any, other_handler: Any, client: Any) -> None:
    a = assist
    req = hardship_request(a)
    url = f"/api/v1/assistance/from-help/{req.code}"
    client.force_login(a.world.enterprise_officer_a)  # handles the request, no assistance role
    r = client.post(url, data=_body(), content_type="application/json")
    assert r.status_code == 403, r.content
    client.force_login(handler)
    r = client.post(url, data=_body(debts=10**20), content_type="application/json")
    assert r.status_code == 422  # bounded
    r = check_access(
        client,
        url=url,
        method="post",
        data=_body(),
        ok=201,
        in_scope=handler,
        out_of_scope=other_handler,
    )
    body = r.json()
    assert body["help_request"] == req.code and body["status"] == "applied"
    assert body["name"] == "王*明"
    r = client.post(url, data=_body(), content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "file_exists"
    # the worker reads their request: the file's code and status, nothing else
    client.force_login(a.world.worker_a)
    got = client.get(f"/api/v1/members/help/{req.code}").json()
    assert set(got["hardship_file"]) == {"code", "status", "status_label"}
    assert got["hardship_file"]["status"] == "applied"
    assert "900" not in json.dumps(got, ensure_ascii=False)
    # resolving waits for the decision
    client.force_login(handler)
    resolve = f"/api/v1/members/help/{req.code}/resolve"
    r = client.post(resolve, data={"reply": "已受理"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "file_pending"
    r = client.post(resolve, data={"reply": "x" * 5001}, content_type="application/json")
    assert r.status_code == 422
    file = HardshipFile.objects.get(code=body["code"])
    services.file_refuse(actor=a.ent_helper, file=file, reason="不符合条件")
    r = client.post(
        resolve, data={"reply": "未获批准：不符合条件"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    client.force_login(other_handler)
    r = client.post(resolve, data={}, content_type="application/json")
    assert r.status_code == 404


def test_pages(assist: Any, handler: Any, other_handler: Any, client: Any) -> None:
    a = assist
    req = hardship_request(a)
    detail = f"/members/help/{req.code}/"
    client.force_login(a.world.enterprise_officer_a)
    assert 'id="open-hardship-file"' not in client.get(detail).content.decode()
    assert client.get(f"/assistance/from-help/{req.code}/").status_code == 403
    client.force_login(handler)
    assert 'id="open-hardship-file"' in client.get(detail).content.decode()
    page = check_access(
        client,
        url=f"/assistance/from-help/{req.code}/",
        in_scope=handler,
        out_of_scope=other_handler,
    ).content.decode()
    # the worker's own row: relation and birth date (as an <input type=date> takes it)
    assert f'value="{a.worker.birth_date.isoformat()}"' in page and 'value="本人"' in page
    form = {
        "m-TOTAL_FORMS": "3",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "1",
        "m-MAX_NUM_FORMS": "20",
        "m-0-relation": "本人",
        "m-0-birth_date": a.worker.birth_date.isoformat(),
        "m-0-monthly_income": "1600",
        "m-0-works": "on",
        "m-1-relation": "子女",
        "m-1-monthly_income": "0",
        "note": f"求助 {req.code}",
        "consent": "on",
    }
    r = client.post(f"/assistance/from-help/{req.code}/", form)
    assert r.status_code == 302 and r["Location"] == detail
    file = HardshipFile.objects.get(help_request=req)
    assert file.category == "deep" and file.members_count == 2
    html = client.get(detail).content.decode()
    assert 'id="hardship-file-status"' in html and file.code in html
    assert 'id="open-hardship-file"' not in html and 'id="resolve"' not in html
    # a second click (another tab): back to the request, no second file
    r = client.post(f"/assistance/from-help/{req.code}/", form)
    assert r.status_code == 302 and HardshipFile.objects.count() == 1
    # the file shows where it came from
    client.force_login(a.ent_helper)
    html = client.get(f"/assistance/files/{file.code}/").content.decode()
    assert 'id="file-source"' in html and req.code in html
    # the worker: the status and a link to their own file, no internal notes
    helpdesk.help_reply(actor=handler, req=req, text="内部：家访安排", internal=True)
    client.force_login(a.world.worker_a)
    html = client.get(detail).content.decode()
    assert str(file.get_status_display()) in html
    assert f"/assistance/me/{file.code}/" in html and "内部：家访安排" not in html
    # decided: the cadre answers and resolves in one step
    services.file_refuse(actor=a.ent_helper, file=file, reason="不符合条件")
    client.force_login(handler)
    html = client.get(detail).content.decode()
    assert 'id="reply-resolve"' in html and "不符合条件" in html
    r = client.post(detail, {"action": "reply_resolve", "text": "未获批准：不符合条件"})
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == "resolved"
