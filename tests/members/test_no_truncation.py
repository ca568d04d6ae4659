"""Posted text is passed whole: an over-long comment or reason is refused with a message naming
it, never cut to fit and saved (regression tests, one per page that used to cut)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gongjiang.members import activities, helpdesk
from gongjiang.members.models import ActivityFeedback, HelpMessage


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_activity_feedback_past_500_is_refused(client: Any, ms: Any, world: Any) -> None:
    a = ms.activity
    activities.activity_signup(actor=world.worker_a, activity=a)
    activities.activity_checkin(actor=world.worker_a, activity=a, token=a.checkin_secret)
    url = reverse("members:activity_feedback", args=[a.code])
    client.force_login(world.worker_a)
    r = client.post(url, {"stars": 4, "text": "好" * 501}, follow=True)
    assert "500" in _messages(r)
    assert not ActivityFeedback.objects.exists()
    client.post(url, {"stars": 4, "text": "好" * 500})
    assert ActivityFeedback.objects.get().text == "好" * 500


def test_help_reply_and_handover_past_their_bound_are_refused(
    client: Any, ms: Any, world: Any
) -> None:
    client.force_login(world.worker_a)
    client.post(
        reverse("members:help_list"), {"category": "wages", "subject": "欠薪", "text": "三个月"}
    )
    req = helpdesk.my_requests(actor=world.worker_a).get()
    url = reverse("members:help_detail", args=[req.code])
    before = HelpMessage.objects.filter(request=req).count()
    client.force_login(world.enterprise_officer_a)
    r = client.post(url, {"action": "reply_resolve", "text": "答" * 5001}, follow=True)
    assert r.status_code == 200 and "5000" in _messages(r).replace(",", "")
    client.force_login(world.alice)  # handles for the province: may hand it to the city
    r = client.post(
        url,
        {"action": "handover", "to": world.city_a.code, "reason": "因" * 501},
        follow=True,
    )
    assert r.status_code == 200 and "500" in _messages(r)
    req.refresh_from_db()
    assert req.organization_id != world.city_a.pk and req.status != "resolved"
    assert HelpMessage.objects.filter(request=req).count() == before
