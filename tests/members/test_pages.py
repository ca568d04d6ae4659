"""Every page and endpoint of member services answers anonymous → login/401, out of scope → 404,
in scope → success (tests/access_helpers.check_access); the phone pages stay light."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.urls import reverse

from gongjiang.members import helpdesk, stations
from gongjiang.members.models import ActivitySignup, StationCheckIn

from ..access_helpers import check_access
from ..counters_helpers import fold

PAGE_BUDGET = 100 * 1024  # bytes before images: the HTML (styles inline) and its scripts


def test_phone_pages_answer_in_scope_only(client: Any, ms: Any, world: Any) -> None:
    a, c = ms.activity, ms.campaign
    for url in [
        reverse("members:home"),
        reverse("members:notifications"),
        reverse("members:station_list"),
        reverse("members:station_list") + "?lat=32.04&lon=118.78",
        reverse("members:station_detail", args=[ms.station_b.code]),  # the directory is public
        reverse("members:activity_list"),
        reverse("members:campaign_list"),
        reverse("members:help_list"),
    ]:
        check_access(client, url=url, in_scope=world.worker_a, out_of_scope=None)
    for url in [
        reverse("members:activity_detail", args=[a.code]),
        reverse("members:activity_checkin", args=[a.code, a.checkin_secret]),
        reverse("members:campaign_detail", args=[c.code]),
    ]:
        check_access(client, url=url, in_scope=world.worker_a, out_of_scope=ms.worker_b)
    req = helpdesk.help_file(actor=world.worker_a, category="wages", subject="欠薪", text="x")
    check_access(
        client,
        url=reverse("members:help_detail", args=[req.code]),
        in_scope=world.worker_a,
        out_of_scope=ms.worker_b,
    )
    check_access(
        client,
        url=reverse("members:help_detail", args=[req.code]),
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    token = stations.checkin_token(ms.station_near)
    check_access(
        client,
        url=reverse("members:station_checkin", args=[ms.station_near.code, token]),
        in_scope=world.worker_a,
        out_of_scope=None,
    )
    check_access(
        client,
        url=reverse("members:station_checkin", args=[ms.station_near.code, token]),
        method="post",
        in_scope=world.worker_a,
        out_of_scope=None,
        ok=302,
    )
    assert StationCheckIn.objects.filter(user=world.worker_a).count() == 1
    client.force_login(world.worker_a)
    assert (
        client.get(
            reverse("members:station_checkin", args=[ms.station_near.code, "forged"])
        ).status_code
        == 404
    )
    # a user without any role has no phone home
    client.force_login(world.nobody)
    assert client.get(reverse("members:home")).status_code == 403


def test_phone_acts_answer_in_scope_only(client: Any, ms: Any, world: Any) -> None:
    a = ms.activity
    check_access(
        client,
        url=reverse("members:activity_signup", args=[a.code]),
        method="post",
        in_scope=world.worker_a,
        out_of_scope=ms.worker_b,
        ok=302,
    )
    assert ActivitySignup.objects.get(activity=a, user=world.worker_a).status == "confirmed"
    check_access(
        client,
        url=reverse("members:activity_feedback", args=[a.code]),
        method="post",
        data={"stars": 5},
        in_scope=world.worker_a,
        out_of_scope=ms.worker_b,
        ok=302,
    )
    single, tf, multiple = ms.questions
    data = {f"q_{single.code}": "B", f"q_{tf.code}": "true", f"q_{multiple.code}": ["A", "C"]}
    check_access(
        client,
        url=reverse("members:campaign_detail", args=[ms.campaign.code]),
        method="post",
        data=data,
        in_scope=world.worker_a,
        out_of_scope=ms.worker_b,
        ok=302,
    )
    from gongjiang.members.models import ContestEntry

    assert ContestEntry.objects.get(user=world.worker_a).score == 3
    check_access(
        client,
        url=reverse("members:help_list"),
        method="post",
        data={"category": "wages", "subject": "欠薪", "text": "三个月"},
        in_scope=world.worker_a,
        out_of_scope=None,
        ok=302,
    )
    req = helpdesk.my_requests(actor=world.worker_a).get()
    check_access(
        client,
        url=reverse("members:help_detail", args=[req.code]),
        method="post",
        data={"text": "已督促"},
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
        ok=302,
    )
    req.refresh_from_db()
    assert req.status == "answered"
    check_access(
        client,
        url=reverse("members:notifications_read"),
        method="post",
        in_scope=world.worker_a,
        out_of_scope=None,
        ok=302,
    )


def test_management_pages_answer_in_scope_only(client: Any, ms: Any, world: Any) -> None:
    for url in [
        reverse("members:station_manage"),
        reverse("members:station_import"),
        reverse("members:activity_manage"),
        reverse("members:help_desk"),
    ]:
        check_access(client, url=url, in_scope=world.alice, out_of_scope=None)
        client.force_login(world.worker_a)
        assert client.get(url).status_code == 403
    r = check_access(
        client,
        url=reverse("members:station_qr", args=[ms.station_near.code]),
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r["Content-Type"] == "image/svg+xml" and b"<svg" in r.content
    check_access(
        client,
        url=reverse("members:activity_qr", args=[ms.activity.code]),
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
    )
    problem = stations.station_feedback_add(
        actor=world.worker_a, station=ms.station_near, kind="problem", text="坏了"
    )
    check_access(
        client,
        url=reverse("members:feedback_resolve", args=[problem.code]),
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    problem.refresh_from_db()
    assert problem.resolved_at is not None


def test_api_answers_in_scope_only(client: Any, ms: Any, world: Any) -> None:
    base = "/api/v1/members"
    r = check_access(
        client,
        url=f"{base}/stations/nearest?lat=32.041544&lon=118.784268",
        in_scope=world.worker_a,
        out_of_scope=None,
    )
    assert [s["name"] for s in r.json()][:2] == ["新街口驿站", "鼓楼驿站"]
    token = stations.checkin_token(ms.station_near)
    r = check_access(
        client,
        url=f"{base}/stations/{ms.station_near.code}/checkin",
        method="post",
        data={"token": token},
        in_scope=world.worker_a,
        out_of_scope=None,
    )
    assert r.json()["new"] is True
    client.force_login(world.worker_a)
    again = client.post(
        f"{base}/stations/{ms.station_near.code}/checkin",
        json.dumps({"token": token}),
        content_type="application/json",
    )
    assert again.json()["new"] is False
    check_access(
        client,
        url=f"{base}/stations/{ms.station_near.code}/feedback",
        method="post",
        data={"kind": "rating", "stars": 4},
        in_scope=world.worker_a,
        out_of_scope=None,
        ok=201,
    )
    r = check_access(client, url=f"{base}/activities", in_scope=world.worker_a, out_of_scope=None)
    assert [x["code"] for x in r.json()] == [ms.activity.code]
    r = check_access(
        client,
        url=f"{base}/activities/{ms.activity.code}/signup",
        method="post",
        in_scope=world.worker_a,
        out_of_scope=ms.worker_b,
    )
    assert r.json()["status"] == "confirmed"
    check_access(
        client,
        url=f"{base}/activities/{ms.activity.code}/cancel",
        method="post",
        in_scope=world.worker_a,
        out_of_scope=ms.worker_b,
    )
    r = check_access(
        client,
        url=f"{base}/campaigns/{ms.campaign.code}",
        in_scope=world.worker_a,
        out_of_scope=ms.worker_b,
    )
    assert len(r.json()["questions"]) == 3 and "answer" not in r.json()["questions"][0]
    single, tf, multiple = ms.questions
    answers = {"answers": {single.code: "B", tf.code: True, multiple.code: ["A", "C"]}}
    r = check_access(
        client,
        url=f"{base}/campaigns/{ms.campaign.code}/answers",
        method="post",
        data=answers,
        in_scope=world.worker_a,
        out_of_scope=ms.worker_b,
        ok=201,
    )
    assert r.json()["score"] == "3.00"
    client.force_login(world.alice)
    queued = client.get(f"{base}/campaigns/{ms.campaign.code}/rankings").json()
    assert queued["participants"] == 0 and queued["freshness"]["pending"] == 1
    fold()
    r = check_access(
        client,
        url=f"{base}/campaigns/{ms.campaign.code}/rankings",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["participants"] == 1 and r.json()["units"][0]["participants"] == 1
    r = check_access(
        client,
        url=f"{base}/help",
        method="post",
        data={"category": "legal", "subject": "咨询", "text": "仲裁"},
        in_scope=world.worker_a,
        out_of_scope=None,
        ok=201,
    )
    code = r.json()["code"]
    assert r.json()["organization"] == world.city_a.name
    check_access(
        client, url=f"{base}/help/{code}", in_scope=world.worker_a, out_of_scope=ms.worker_b
    )
    check_access(
        client,
        url=f"{base}/help/{code}/replies",
        method="post",
        data={"text": "可申请法律援助"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    r = check_access(
        client, url=f"{base}/notifications", in_scope=world.worker_a, out_of_scope=None
    )
    assert any("答复" in n["title"] or "answered" in n["title"] for n in r.json())
    client.force_login(world.worker_a)
    bad = client.post(
        f"{base}/help",
        json.dumps({"category": "wages", "subject": "x", "text": "x", "extra": 1}),
        content_type="application/json",
    )
    assert bad.status_code == 422


def _script_bytes(html: str) -> int:
    total = 0
    for src in re.findall(r'<script[^>]+src="([^"]+)"', html):
        found = finders.find(src.removeprefix("/static/"))
        assert found, src
        total += Path(found).stat().st_size
    assert '<link rel="stylesheet"' not in html  # styles are inline: one request to first paint
    return total


def test_phone_pages_weigh_under_100_kb_before_images(client: Any, ms: Any, world: Any) -> None:
    client.force_login(world.worker_a)
    req = helpdesk.help_file(actor=world.worker_a, category="wages", subject="欠薪", text="x")
    for url in [
        reverse("members:home"),
        reverse("members:station_list"),
        reverse("members:station_list") + "?lat=32.04&lon=118.78&all=1",
        reverse("members:station_detail", args=[ms.station_near.code]),
        reverse("members:activity_list"),
        reverse("members:activity_detail", args=[ms.activity.code]),
        reverse("members:campaign_detail", args=[ms.campaign.code]),
        reverse("members:help_list"),
        reverse("members:help_detail", args=[req.code]),
        reverse("members:offline"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        weight = len(response.content) + _script_bytes(html)
        assert weight < PAGE_BUDGET, (url, weight)
        assert "<script>" not in html and " onclick=" not in html  # CSP: no inline scripts


def test_manifest_service_worker_and_offline_page(client: Any) -> None:
    r = client.get(reverse("members:manifest"))
    assert r.status_code == 200 and r["Content-Type"] == "application/manifest+json"
    data = r.json()
    assert data["start_url"] == "/members/" and data["display"] == "standalone"
    assert any(i["sizes"] == "192x192" for i in data["icons"])
    r = client.get(reverse("members:service_worker"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/javascript")
    assert r["Service-Worker-Allowed"] == "/members/"
    body = r.content.decode()
    assert '"/members/offline/"' in body and "members/phone.js" in body
    r = client.get(reverse("members:offline"))  # cached at install: no login, no personal data
    assert r.status_code == 200 and b"offline-shell" in r.content
