"""The phone home opens on the worker's to-dos from every app (the core.todos registry), and the
notification senders: console by default, a real HTTP SMS gateway behind a setting."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.urls import reverse

from gongjiang.core import todos
from gongjiang.members import helpdesk
from gongjiang.members.models import Notification
from gongjiang.members.notify import ConsoleSender, HttpSmsSender, notify, sender


def test_home_shows_every_registered_apps_todos(client: Any, ms: Any, world: Any) -> None:
    @todos.register("test-probe")
    def probe(user: Any) -> list[todos.Todo]:
        return [
            todos.Todo("探针待办", 7, "/members/help/"),
            todos.Todo("探针入口", None, "/members/activities/"),
        ]

    try:
        client.force_login(world.worker_a)
        html = client.get(reverse("members:home")).content.decode()
    finally:
        todos._PROVIDERS.pop("test-probe", None)
    assert "探针待办" in html and ">7<" in html and "探针入口" in html
    assert ms.activity.title in html  # the coming activities
    assert ms.campaign.title in html  # the running contest


def test_members_todo_counts_in_scope_only(ms: Any, world: Any) -> None:
    req = helpdesk.help_file(actor=world.worker_a, category="wages", subject="欠薪", text="x")

    desk = reverse("members:help_desk")
    alice = [t.count for t in todos.todos_for(world.alice) if t.url.startswith(desk)]
    assert sorted(alice) == [0, 1]  # one waiting for a first reply, none past its deadline
    bob = [t.count for t in todos.todos_for(world.bob) if t.url.startswith(desk)]
    assert bob == [0, 0]
    assert not [t for t in todos.todos_for(world.worker_a) if t.url.startswith(desk)]
    helpdesk.help_reply(actor=world.enterprise_officer_a, req=req, text="已处理")
    to_rate = [t for t in todos.todos_for(world.worker_a) if t.url == reverse("members:help_list")]
    assert to_rate and to_rate[0].count == 1


def test_notifications_page_and_unread_badge(client: Any, world: Any) -> None:
    notify(world.worker_a, "活动名额已确认", "周六 9:00 体育馆", "/members/activities/", push=False)
    client.force_login(world.worker_a)
    html = client.get(reverse("members:home")).content.decode()
    assert 'id="unread-count">1<' in html
    assert "活动名额已确认" in client.get(reverse("members:notifications")).content.decode()
    client.post(reverse("members:notifications_read"))
    assert not Notification.objects.filter(user=world.worker_a, read_at__isnull=True).exists()
    client.force_login(world.alice)  # another person never sees them
    assert "活动名额已确认" not in client.get(reverse("members:notifications")).content.decode()


def test_console_sender_is_the_default(
    world: Any, capsys: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert isinstance(sender(), ConsoleSender)
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.worker_a, "通知标题", "正文")
    assert "通知标题" in capsys.readouterr().out


class FakeGateway(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeGateway.received.append(
            {"auth": self.headers["Authorization"], "json": json.loads(body)}
        )
        self.send_response(FakeGateway.status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway() -> Any:
    server = HTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeGateway.received = []
    FakeGateway.status = 200
    yield f"http://127.0.0.1:{server.server_address[1]}/sms"
    server.shutdown()
    server.server_close()


def test_http_sms_sender_posts_to_the_gateway(settings: Any, gateway: str, world: Any) -> None:
    from ..factories import UserFactory
    from ..workforce.helpers import make_worker

    worker = make_worker(world.enterprise_a, phone="13800138000")
    user = UserFactory(username="phone_worker")
    worker.user = user
    worker.save(update_fields=["user"])
    settings.MEMBERS_SENDER = "gongjiang.members.notify.HttpSmsSender"
    settings.MEMBERS_SMS_URL = gateway
    settings.MEMBERS_SMS_TOKEN = "s3cret"
    assert isinstance(sender(), HttpSmsSender)
    assert HttpSmsSender().send(user=user, title="名额确认", body="周六见") is True
    assert FakeGateway.received == [
        {
            "auth": "Bearer s3cret",
            "json": {"to": "13800138000", "text": "【工会e家】名额确认 周六见"},
        }
    ]
    FakeGateway.status = 500  # a failing gateway is a failed send, never an error for the act
    assert HttpSmsSender().send(user=user, title="x", body="y") is False
    assert (
        HttpSmsSender(url="http://127.0.0.1:9/none", timeout=0.5).send(
            user=user, title="x", body="y"
        )
        is False
    )
    assert (
        HttpSmsSender().send(user=world.alice, title="x", body="y") is False
    )  # no phone: nothing sent
    assert len(FakeGateway.received) == 2
