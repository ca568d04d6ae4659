"""Every page answers: anonymous → login, out of scope → 404, in scope → 200; the acts work
through the pages; the exports go through core.exports."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from gongjiang.congress import services
from gongjiang.congress import services_affairs as A
from gongjiang.congress import services_proposals as P
from gongjiang.congress.models_proposals import Proposal

from ..access_helpers import check_access
from .helpers import draft, replied

pytestmark = pytest.mark.django_db


def test_congress_pages(client: Any, world: Any, congress: Any) -> None:
    check_access(client, url=reverse("congress:index"), in_scope=world.alice, out_of_scope=None)
    r = check_access(
        client,
        url=reverse("congress:term_detail", args=[congress.term.code]),
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert b"meets the rule" in r.content or "符合".encode() in r.content
    # the other enterprise's list breaks the rules: the page says so with the numbers
    r = check_access(
        client,
        url=reverse("congress:term_finalise", args=[congress.term_b.code]),
        method="post",
        in_scope=world.bob,
        out_of_scope=world.alice,
        ok=302,
    )
    page = client.get(reverse("congress:term_detail", args=[congress.term_b.code]))
    assert b"table-danger" in page.content
    officer = world.enterprise_officer_a
    url = reverse("congress:session_act", args=[congress.session.code])
    check_access(
        client,
        url=url,
        method="post",
        data={"act": "open"},
        in_scope=officer,
        out_of_scope=world.bob,
        ok=302,
    )
    r = check_access(
        client,
        url=reverse("congress:session_detail", args=[congress.session.code]),
        in_scope=officer,
        out_of_scope=world.bob,
    )
    assert b"<svg" in r.content  # the QR code for the hall
    client.post(url, {"act": "vote_new", "title": "表决集体合同", "secret": "1"})
    vote = congress.session.votes.get()
    client.post(url, {"act": "vote_open", "vote": vote.code})
    checkin = reverse("congress:checkin", args=[congress.session.code])
    check_access(
        client,
        url=f"{checkin}?t={congress.session.checkin_token}",
        in_scope=congress.users[0],
        out_of_scope=world.bob,
    )
    client.post(checkin, {"t": congress.session.checkin_token})
    check_access(
        client,
        url=reverse("congress:ballot", args=[vote.code]),
        method="post",
        data={"choice": "for"},
        in_scope=congress.users[0],
        out_of_scope=world.bob,
        ok=302,
    )
    from gongjiang.congress.selectors import vote_result

    assert vote_result(vote)["for"] == 1 and vote_result(vote)["present"] == 1


def test_proposal_pages(client: Any, world: Any, congress: Any) -> None:
    url = reverse("congress:proposal_create")
    check_access(client, url=url, in_scope=congress.users[0], out_of_scope=None)
    r = client.post(
        url,
        {
            "title": "加装空调",
            "category": "safety",
            "reasons": "车间高温",
            "measures": "今夏前加装",
        },
    )
    proposal = Proposal.objects.get(title="加装空调")
    assert r.status_code == 302
    detail = reverse("congress:proposal_detail", args=[proposal.code])
    act = reverse("congress:proposal_act", args=[proposal.code])
    # a draft is seen by the term's delegates, not by another enterprise
    check_access(client, url=detail, in_scope=congress.users[1], out_of_scope=world.bob)
    check_access(
        client,
        url=act,
        method="post",
        data={"act": "cosign"},
        in_scope=congress.users[1],
        out_of_scope=world.bob,
        ok=302,
    )
    client.force_login(congress.users[2])
    client.post(act, {"act": "cosign"})
    client.force_login(congress.users[0])
    client.post(act, {"act": "submit"})
    check_access(
        client,
        url=act,
        method="post",
        data={"act": "decide", "decision": "accept"},
        in_scope=congress.committee,
        out_of_scope=congress.committee_b,
        ok=302,
    )
    client.post(act, {"act": "assign", "lead": congress.department.code})
    client.force_login(congress.responder)
    r = client.get(detail)
    assert b'id="reply"' in r.content
    client.post(act, {"act": "reply", "outcome": "adopted", "text": "已安排采购"})
    client.force_login(congress.users[0])
    client.post(act, {"act": "rate", "rating": "satisfied"})
    client.force_login(congress.committee)
    client.post(act, {"act": "close"})
    assert Proposal.objects.get(pk=proposal.pk).status == "closed"
    r = check_access(
        client,
        url=reverse("congress:proposal_list") + "?status=closed",
        in_scope=congress.committee,
        out_of_scope=None,
    )
    assert "加装空调".encode() in r.content
    client.force_login(congress.committee_b)
    assert "加装空调".encode() not in client.get(reverse("congress:proposal_list")).content


def test_rates_page_and_exports(client: Any, world: Any, congress: Any) -> None:
    p = replied(congress, 0, title='=HYPERLINK("http://x","y")')
    P.proposal_rate(actor=congress.users[0], proposal=p, rating="basic")
    draft(congress, 1)
    r = check_access(client, url=reverse("congress:rates"), in_scope=world.alice, out_of_scope=None)
    assert b"status=accepted&amp;organization=" + world.enterprise_a.code.encode() in r.content
    client.force_login(world.bob)
    assert world.enterprise_a.name.encode() not in client.get(reverse("congress:rates")).content
    for name, title in (("export_summary", "提案汇总表"), ("export_handling", "提案办理情况表")):
        r = check_access(
            client, url=reverse(f"congress:{name}"), in_scope=world.alice, out_of_scope=None
        )
        assert (
            title.encode("utf-8") in r["Content-Disposition"].encode()
            or "UTF-8''" in r["Content-Disposition"]
        )
        sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
        cells = [c.value for row in sheet.iter_rows() for c in row]
        assert '=HYPERLINK("http://x","y")' in cells  # written as text, never a formula
        client.force_login(world.bob)
        sheet = openpyxl.load_workbook(
            io.BytesIO(client.get(reverse(f"congress:{name}")).content)
        ).active
        assert sheet.max_row == 1  # the header only: nothing of province A


def test_suggestion_and_notice_pages(client: Any, world: Any, congress: Any) -> None:
    check_access(
        client,
        url=reverse("congress:suggestion_create"),
        in_scope=congress.users[3],
        out_of_scope=None,
    )
    client.post(
        reverse("congress:suggestion_create"),
        {"title": "停车难", "category": "welfare", "body": "电动车棚不够"},
    )
    s = P.Suggestion.objects.get(title="停车难")
    check_access(
        client,
        url=reverse("congress:suggestion_detail", args=[s.code]),
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=reverse("congress:suggestion_act", args=[s.code]),
        method="post",
        data={"act": "reply", "text": "新增车棚"},
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
        ok=302,
    )
    check_access(
        client,
        url=reverse("congress:suggestion_list"),
        in_scope=congress.users[3],
        out_of_scope=None,
    )
    n = A.notice_publish(
        actor=world.enterprise_officer_a,
        organization=world.enterprise_a,
        kind="regulation",
        title="《劳动用工管理办法》公布",
        body="经职代会审议通过",
    )
    check_access(
        client, url=reverse("congress:notice_list"), in_scope=world.worker_a, out_of_scope=None
    )
    check_access(
        client,
        url=reverse("congress:notice_detail", args=[n.code]),
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=reverse("congress:notice_detail", args=[n.code]),
        in_scope=world.enterprise_officer_a,
        out_of_scope=None,
    )
    assert A.read_receipts(n)["read"] == 2
    check_access(
        client,
        url=reverse("congress:notice_create"),
        in_scope=world.enterprise_officer_a,
        out_of_scope=None,
    )
    services.rules_update(actor=world.alice, organization=world.province_a, cosigners_required=3)
